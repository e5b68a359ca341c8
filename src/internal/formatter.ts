import type { LogEvent } from "../LogEvent.js"
import { defaultLimits, type JsonLimits, quote, stringify } from "./json.js"
import { formatJsonLine, type LogRecord, RESERVED_KEYS } from "./record.js"
import type { CompiledRedaction } from "./redact.js"

/** Built-in formatters render records directly, without building the structured event. */
export const formatRecord: unique symbol = Symbol.for("fapilog/Formatter/formatRecord")

export interface FormatterImpl {
  readonly name: string
  readonly format: (event: LogEvent) => string
  readonly [formatRecord]?: ((record: LogRecord, redact: CompiledRedaction | undefined) => string) | undefined
}

/** The JSON line of a structured event, with the same layout as the record fast path. */
export const formatEventJson = (e: LogEvent, limits: JsonLimits): string => {
  let out = `{"timestamp":${quote(e.timestamp)},"level":${quote(e.level)},"logger":${quote(e.logger, limits.maxStringLength)},"message":${quote(e.message, limits.maxStringLength)}`
  if (e.correlationId !== undefined) out += `,"correlationId":${quote(e.correlationId, 256)}`
  if (e.traceId !== undefined) out += `,"traceId":${quote(e.traceId, 256)}`
  if (e.spanId !== undefined) out += `,"spanId":${quote(e.spanId, 256)}`
  let collisions: Record<string, unknown> | undefined
  for (const k of Object.keys(e.fields)) {
    const v = e.fields[k]
    if (RESERVED_KEYS.has(k)) {
      collisions ??= {}
      Object.defineProperty(collisions, k, { value: v, enumerable: true, writable: true, configurable: true })
      continue
    }
    const json = stringify(v, limits)
    if (json !== undefined) out += `,${quote(k, limits.maxStringLength)}:${json}`
  }
  if (e.spans !== undefined) out += `,"spans":${stringify(e.spans, limits)}`
  if (e.error !== undefined) out += `,"error":${stringify(e.error, limits)}`
  if (collisions !== undefined) out += `,"fields":${stringify(collisions, limits)}`
  return `${out}}`
}

export const makeJson = (limits: JsonLimits = defaultLimits): FormatterImpl => ({
  name: "json",
  format: (e) => formatEventJson(e, limits),
  [formatRecord]: (r, redact) => formatJsonLine(r, limits, redact)
})

export const json: FormatterImpl = makeJson()
