import type { LogEvent } from "../LogEvent.js"
import { defaultLimits, type JsonLimits, quote, stringify } from "./json.js"
import { defaultLineKeys, type LineKeys } from "./lineKeys.js"
import { formatJsonLine, type LogRecord, planOf, RESERVED_KEYS, timeJson } from "./record.js"
import type { CompiledRedaction } from "./redact.js"

/** Built-in formatters render records directly, without building the structured event. */
export const formatRecord: unique symbol = Symbol.for("fapilog/Formatter/formatRecord")

export interface FormatterImpl {
  readonly name: string
  readonly format: (event: LogEvent) => string
  readonly [formatRecord]?: ((record: LogRecord, redact: CompiledRedaction | undefined) => string) | undefined
}

/** The JSON text of a structured event's time as `keys` write it. */
const eventTime = (timestamp: string, keys: LineKeys): string => {
  if (keys.timestampFormat === "iso") return quote(timestamp)
  const t = Date.parse(timestamp)
  return timeJson(Number.isFinite(t) ? t : Date.now(), keys)
}

/** The JSON line of a structured event, with the same layout as the record fast path. */
export const formatEventJson = (
  e: LogEvent,
  limits: JsonLimits,
  keys: LineKeys = defaultLineKeys
): string => {
  let out = `${keys.open}${eventTime(e.timestamp, keys)}${keys.level}${keys.levels[e.level] ?? quote(e.level)}${keys.logger}${quote(e.logger, limits.maxStringLength)}${keys.message}${quote(e.message, limits.maxStringLength)}`
  if (e.correlationId !== undefined) out += `,"correlationId":${quote(e.correlationId, 256)}`
  if (e.traceId !== undefined) out += `,"traceId":${quote(e.traceId, 256)}`
  if (e.spanId !== undefined) out += `,"spanId":${quote(e.spanId, 256)}`
  let collisions: Record<string, unknown> | undefined
  // own enumerable keys without copying them into an array (see writePlain in json.ts)
  for (const k in e.fields) {
    if (!Object.hasOwn(e.fields, k)) continue
    const v = e.fields[k]
    if (RESERVED_KEYS.has(k) || keys.reserved?.has(k) === true) {
      collisions ??= {}
      Object.defineProperty(collisions, k, { value: v, enumerable: true, writable: true, configurable: true })
      continue
    }
    const json = stringify(v, limits)
    if (json !== undefined) out += `${planOf(k, limits, undefined).prefix}${json}`
  }
  if (e.spans !== undefined) out += `,"spans":${stringify(e.spans, limits)}`
  if (e.error !== undefined) out += `,"error":${stringify(e.error, limits)}`
  if (collisions !== undefined) out += `,"fields":${stringify(collisions, limits)}`
  return `${out}}`
}

/**
 * The JSON formatter (the default layout); `keys` are the core key names of one sink
 * (lineKeys.ts), fapilog's own by default.
 */
export const makeJson = (
  limits: JsonLimits = defaultLimits,
  keys: LineKeys = defaultLineKeys
): FormatterImpl => ({
  name: "json",
  format: (e) => formatEventJson(e, limits, keys),
  [formatRecord]: (r, redact) => formatJsonLine(r, limits, redact, keys)
})

export const json: FormatterImpl = makeJson()
