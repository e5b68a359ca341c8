/**
 * An event as its JSON line reads back: the data the OTLP mapping works from. The JSON line
 * (fapilog's `Formatter.json`) is what makes user data safe and bounded: cycles, BigInt,
 * throwing getters, Maps, errors, depth, key and item limits all have their one treatment
 * there. Rendering every event and parsing the text back costs more than the rest of the
 * encoder together, so the common values skip the round trip:
 *
 * - a string within the line's length limit, a finite number, a boolean or `null` reads back
 *   as itself (the line writes it as it is: the lone surrogates the line replaces with U+FFFD
 *   are replaced by the OTLP writers too), and `undefined` is left out, as in the line;
 * - everything else (objects, arrays, BigInt, non-finite numbers, symbols, functions, the
 *   `spans` and `error` of the event, user keys named like core keys) is rendered by the JSON
 *   formatter, all of an event's in one call, and parsed back;
 * - an event the direct path cannot read exactly (a throwing getter or proxy, an over-long
 *   string or id, a key with surrogates) is rendered and parsed whole.
 *
 * The test suite checks that both paths give the same OTLP bytes for every kind of value.
 */
import { Formatter, type LogEvent } from "fapilog"

export interface Line {
  readonly timestamp: string
  readonly level: string
  readonly logger: string | undefined
  readonly message: string | undefined
  readonly correlationId: string | undefined
  readonly traceId: string | undefined
  readonly spanId: string | undefined
  /** The user fields in line order (keys named like core keys excepted): names, then plain JSON values. */
  readonly keys: ReadonlyArray<string>
  readonly values: ReadonlyArray<unknown>
  readonly spans: unknown
  readonly error: unknown
  /** The line's `fields` object: user keys named like the line's own. */
  readonly collisions: unknown
}

/** The JSON line's own keys; a user key with one of these names is written under `fields`. */
export const CORE_KEYS: ReadonlySet<string> = new Set([
  "timestamp",
  "level",
  "logger",
  "message",
  "correlationId",
  "traceId",
  "spanId",
  "spans",
  "error",
  "truncated",
  "fields"
])

const MAX_STRING = Formatter.defaultLimits.maxStringLength
/** The line cuts ids at 256 characters; shorter ones are written as they are. */
const MAX_ID = 256
const SURROGATE = /[\ud800-\udfff]/

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const text = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)

/** A line parsed from its JSON text. */
export const fromParsed = (parsed: Record<string, unknown>): Line => {
  const keys: Array<string> = []
  const values: Array<unknown> = []
  for (const key of Object.keys(parsed)) {
    if (CORE_KEYS.has(key)) continue
    keys.push(key)
    values.push(parsed[key])
  }
  return {
    timestamp: text(parsed.timestamp) ?? "",
    level: text(parsed.level) ?? "info",
    logger: text(parsed.logger),
    message: text(parsed.message),
    correlationId: text(parsed.correlationId),
    traceId: text(parsed.traceId),
    spanId: text(parsed.spanId),
    keys,
    values,
    spans: parsed.spans,
    error: parsed.error,
    collisions: parsed.fields
  }
}

/**
 * The line the long way: rendered and parsed back. Should the formatter fail (a hostile event
 * built by hand; the pipeline's events are plain data), the core keys are kept and the fields
 * are not.
 */
export const renderedLine = (e: LogEvent.LogEvent): Line => {
  try {
    const parsed: unknown = JSON.parse(Formatter.json.format(e))
    if (isRecord(parsed)) return fromParsed(parsed)
  } catch {
    // fall through to the core keys
  }
  try {
    const { error: _error, ...core } = e
    return fromParsed(JSON.parse(Formatter.json.format({ ...core, fields: {} })) as Record<string, unknown>)
  } catch {
    return fromParsed({ message: "[fapilog: event could not be formatted]" })
  }
}

const PENDING: unique symbol = Symbol("rendered")

const coreText = (u: unknown, max: number): boolean => typeof u === "string" && u.length <= max
const optionalId = (u: unknown): boolean => u === undefined || coreText(u, MAX_ID)

/** The line read straight from the event, or `undefined` when only rendering it reads it exactly. */
const directLine = (e: LogEvent.LogEvent): Line | undefined => {
  if (
    !coreText(e.timestamp, MAX_STRING) ||
    !coreText(e.level, MAX_STRING) ||
    !coreText(e.logger, MAX_STRING) ||
    !coreText(e.message, MAX_STRING) ||
    !optionalId(e.correlationId) ||
    !optionalId(e.traceId) ||
    !optionalId(e.spanId)
  )
    return undefined
  const fields = e.fields
  const names = Object.keys(fields)
  const keys: Array<string> = []
  const values: Array<unknown> = []
  // values the formatter renders, in a prototype-free object (any key name is a plain key)
  let rendered: Record<string, unknown> | undefined
  for (const key of names) {
    // the line cuts over-long key names
    if (key.length > MAX_STRING) return undefined
    const v = fields[key]
    if (CORE_KEYS.has(key)) {
      rendered ??= Object.create(null) as Record<string, unknown>
      rendered[key] = v
      continue
    }
    switch (typeof v) {
      case "undefined":
        continue
      case "string":
        if (v.length > MAX_STRING) return undefined
        break
      case "boolean":
        break
      case "number":
        if (!Number.isFinite(v)) return undefined
        // the line writes -0 as 0 (JSON has no negative zero)
        if (v === 0) {
          keys.push(key)
          values.push(0)
          continue
        }
        break
      default:
        if (v === null) break
        // read back by name: a name the line rewrites (a lone surrogate) would not be found
        if (SURROGATE.test(key)) return undefined
        rendered ??= Object.create(null) as Record<string, unknown>
        rendered[key] = v
        keys.push(key)
        values.push(PENDING)
        continue
    }
    keys.push(key)
    values.push(v)
  }
  let spans: unknown
  let error: unknown
  let collisions: unknown
  if (rendered !== undefined || e.spans !== undefined || e.error !== undefined) {
    const parsed = JSON.parse(
      Formatter.json.format({
        timestamp: "",
        level: "info",
        logger: "",
        message: "",
        fields: rendered ?? {},
        ...(e.spans !== undefined ? { spans: e.spans } : {}),
        ...(e.error !== undefined ? { error: e.error } : {})
      })
    ) as Record<string, unknown>
    for (let i = 0; i < values.length; i++) {
      if (values[i] === PENDING) {
        const key = keys[i] as string
        if (!Object.hasOwn(parsed, key)) return undefined
        values[i] = parsed[key]
      }
    }
    spans = parsed.spans
    error = parsed.error
    collisions = parsed.fields
  }
  return {
    timestamp: e.timestamp,
    level: e.level,
    logger: e.logger,
    message: e.message,
    correlationId: e.correlationId,
    traceId: e.traceId,
    spanId: e.spanId,
    keys,
    values,
    spans,
    error,
    collisions
  }
}

/** The event as its JSON line reads back (see the header). */
export const readLine = (e: LogEvent.LogEvent): Line => {
  try {
    const line = directLine(e)
    if (line !== undefined) return line
  } catch {
    // a throwing getter or proxy: the formatter has the answer for those
  }
  return renderedLine(e)
}
