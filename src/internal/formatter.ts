import type { LogEvent } from "../LogEvent.js"
import { defaultLimits, type JsonLimits, ownKey, quote, stringify } from "./json.js"
import type { LevelName } from "./level.js"
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

/** The JSON text of a level: the sink's name for one of fapilog's, any other quoted as it is. */
const levelJson = (level: string, keys: LineKeys): string =>
  Object.hasOwn(keys.levels, level) ? keys.levels[level as LevelName] : quote(level)

/** The JSON line of a structured event, with the same layout as the record fast path. */
export const formatEventJson = (
  e: LogEvent,
  limits: JsonLimits,
  keys: LineKeys = defaultLineKeys
): string => {
  let out = `${keys.open}${eventTime(e.timestamp, keys)}${keys.level}${levelJson(e.level, keys)}${keys.logger}${quote(e.logger, limits.maxStringLength)}${keys.message}${quote(e.message, limits.maxStringLength)}`
  if (e.correlationId !== undefined) out += `,"correlationId":${quote(e.correlationId, 256)}`
  if (e.traceId !== undefined) out += `,"traceId":${quote(e.traceId, 256)}`
  if (e.spanId !== undefined) out += `,"spanId":${quote(e.spanId, 256)}`
  let collisions: Record<string, unknown> | undefined
  // own enumerable keys without copying them into an array (see writePlain in json.ts)
  for (const k in e.fields) {
    if (!ownKey(e.fields, k)) continue
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

const utf8 = new TextEncoder()

/**
 * Writes `s` as UTF-8 at `pos` (the caller checked room for `3 * s.length` bytes); returns
 * the position after it. `s` is already JSON text, so no surrogate is lone: `quote` replaced
 * them. ASCII goes a byte at a time; the first other character hands the rest to the encoder.
 */
const writeText = (s: string, buf: Uint8Array, pos: number): number => {
  const n = s.length
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) return pos + utf8.encodeInto(s.slice(i), buf.subarray(pos)).written
    buf[pos++] = c
  }
  return pos
}

/** {@link writeText} with its room check: -1 when `s` may not fit. */
const writeString = (s: string, buf: Uint8Array, pos: number): number =>
  pos + 3 * s.length <= buf.length ? writeText(s, buf, pos) : -1

/** Copies `bytes` to `pos`; -1 when they do not fit. */
const writeBytes = (bytes: Uint8Array, buf: Uint8Array, pos: number): number => {
  const n = bytes.length
  if (pos + n > buf.length) return -1
  if (n > 32) buf.set(bytes, pos)
  else for (let i = 0; i < n; i++) buf[pos + i] = bytes[i] as number
  return pos + n
}

/**
 * Writes `s` quoted as {@link quote} quotes it. A string with nothing to escape (printable
 * ASCII within the limit, the common case) is copied a byte at a time with no string made;
 * any other goes through `quote`. Returns the position after it, or -1 for no room.
 */
const writeQuoted = (s: string, maxLength: number, buf: Uint8Array, pos: number): number => {
  const n = s.length
  if (n <= maxLength && pos + n + 2 <= buf.length) {
    let p = pos + 1
    let i = 0
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f) break
      buf[p++] = c
    }
    if (i === n) {
      buf[pos] = 0x22
      buf[p] = 0x22
      return p + 1
    }
  }
  return writeString(quote(s, maxLength), buf, pos)
}

/** Writes a number as `stringify` does: an integer's digits straight, others through their text. */
const writeNumber = (v: number, buf: Uint8Array, pos: number): number => {
  if (!(v >= 0 && v < 1e9 && v === Math.floor(v)))
    return writeString(Number.isFinite(v) ? `${v}` : `"${v}"`, buf, pos)
  const digits =
    v < 10
      ? 1
      : v < 100
        ? 2
        : v < 1e3
          ? 3
          : v < 1e4
            ? 4
            : v < 1e5
              ? 5
              : v < 1e6
                ? 6
                : v < 1e7
                  ? 7
                  : v < 1e8
                    ? 8
                    : 9
  if (pos + digits > buf.length) return -1
  for (let i = pos + digits - 1; i >= pos; i--) {
    const q = Math.floor(v / 10)
    buf[i] = 48 + v - q * 10
    v = q
  }
  return pos + digits
}

/** The UTF-8 bytes of a sink's constant key texts. */
interface KeyBytes {
  readonly open: Uint8Array
  readonly level: Uint8Array
  readonly logger: Uint8Array
  readonly message: Uint8Array
}

const keyBytesOf = new WeakMap<LineKeys, KeyBytes>()

const bytesOfKeys = (keys: LineKeys): KeyBytes => {
  let bytes = keyBytesOf.get(keys)
  if (bytes === undefined) {
    bytes = {
      open: utf8.encode(keys.open),
      level: utf8.encode(keys.level),
      logger: utf8.encode(keys.logger),
      message: utf8.encode(keys.message)
    }
    keyBytesOf.set(keys, bytes)
  }
  return bytes
}

const CORRELATION_ID = utf8.encode(',"correlationId":')
const TRACE_ID = utf8.encode(',"traceId":')
const SPAN_ID = utf8.encode(',"spanId":')

/**
 * Writes the JSON line {@link formatEventJson} makes of `e`, as UTF-8 bytes, into `buf` from
 * `pos`, without making the line as a string first: for a sink that puts lines into a binary
 * body (a protobuf request), the string and its copy are most of a line's cost. Returns the
 * position after the line, or -1 when the bytes from `pos` to the end of `buf` may be too few
 * (what was written past `pos` is then garbage: give a larger buffer and write again).
 */
export const writeEventJson = (
  e: LogEvent,
  buf: Uint8Array,
  pos: number,
  limits: JsonLimits = defaultLimits,
  keys: LineKeys = defaultLineKeys
): number => {
  const kb = bytesOfKeys(keys)
  let p = writeBytes(kb.open, buf, pos)
  if (p >= 0)
    p =
      keys.timestampFormat === "iso"
        ? writeQuoted(e.timestamp, defaultLimits.maxStringLength, buf, p)
        : writeString(eventTime(e.timestamp, keys), buf, p)
  if (p >= 0) p = writeBytes(kb.level, buf, p)
  if (p >= 0) {
    p = writeString(levelJson(e.level, keys), buf, p)
  }
  if (p >= 0) p = writeBytes(kb.logger, buf, p)
  if (p >= 0) p = writeQuoted(e.logger, limits.maxStringLength, buf, p)
  if (p >= 0) p = writeBytes(kb.message, buf, p)
  if (p >= 0) p = writeQuoted(e.message, limits.maxStringLength, buf, p)
  if (p >= 0 && e.correlationId !== undefined) {
    p = writeBytes(CORRELATION_ID, buf, p)
    if (p >= 0) p = writeQuoted(e.correlationId, 256, buf, p)
  }
  if (p >= 0 && e.traceId !== undefined) {
    p = writeBytes(TRACE_ID, buf, p)
    if (p >= 0) p = writeQuoted(e.traceId, 256, buf, p)
  }
  if (p >= 0 && e.spanId !== undefined) {
    p = writeBytes(SPAN_ID, buf, p)
    if (p >= 0) p = writeQuoted(e.spanId, 256, buf, p)
  }
  let collisions: Record<string, unknown> | undefined
  for (const k in e.fields) {
    if (p < 0) return -1
    if (!ownKey(e.fields, k)) continue
    const v = e.fields[k]
    if (RESERVED_KEYS.has(k) || keys.reserved?.has(k) === true) {
      collisions ??= {}
      Object.defineProperty(collisions, k, { value: v, enumerable: true, writable: true, configurable: true })
      continue
    }
    // strings and numbers are written straight; other values through their JSON text
    let json: string | undefined
    if (typeof v !== "string" && typeof v !== "number") {
      json = stringify(v, limits)
      if (json === undefined) continue
    }
    p = writeBytes(planOf(k, limits, undefined).prefixBytes, buf, p)
    if (p < 0) return -1
    p =
      typeof v === "string"
        ? writeQuoted(v, limits.maxStringLength, buf, p)
        : typeof v === "number"
          ? writeNumber(v, buf, p)
          : writeString(json as string, buf, p)
  }
  if (p >= 0 && e.spans !== undefined) p = writeString(`,"spans":${stringify(e.spans, limits)}`, buf, p)
  if (p >= 0 && e.error !== undefined) p = writeString(`,"error":${stringify(e.error, limits)}`, buf, p)
  if (p >= 0 && collisions !== undefined)
    p = writeString(`,"fields":${stringify(collisions, limits)}`, buf, p)
  if (p < 0 || p >= buf.length) return -1
  buf[p] = 0x7d
  return p + 1
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
