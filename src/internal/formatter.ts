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
 * The byte writer writes a line in one of two forms: as it is, or as a JSON string whose value
 * is the line (in quotes, every `"` and `\\` of the line escaped), for bodies that carry lines
 * as string values. The second is written in the same pass, not escaped afterwards.
 */
type Form = "line" | "string"

/** The UTF-8 bytes of `text` in a form: as it is, or escaped as within a JSON string. */
const bytesIn = (text: string, form: Form): Uint8Array =>
  utf8.encode(form === "line" ? text : JSON.stringify(text).slice(1, -1))

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

const HEX = utf8.encode("0123456789abcdef")

/**
 * Writes `s` as UTF-8 at `pos` escaped as within a JSON string (the caller checked room for
 * `6 * s.length` bytes): `"` and `\\` get a backslash, and a control character (never in JSON
 * text; kept valid all the same) is written `\\u00XX`. A run of other characters, which need no
 * escape, goes to the encoder (a lone surrogate becomes U+FFFD there).
 */
const writeTextInString = (s: string, buf: Uint8Array, pos: number): number => {
  const n = s.length
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i)
    if (c >= 0x80) {
      let end = i + 1
      while (end < n && s.charCodeAt(end) >= 0x80) end++
      pos += utf8.encodeInto(s.slice(i, end), buf.subarray(pos)).written
      i = end - 1
      continue
    }
    if (c === 0x22 || c === 0x5c) buf[pos++] = 0x5c
    else if (c < 0x20) {
      buf[pos++] = 0x5c
      buf[pos++] = 0x75
      buf[pos++] = 0x30
      buf[pos++] = 0x30
      buf[pos++] = HEX[c >> 4] as number
      c = HEX[c & 15] as number
    }
    buf[pos++] = c
  }
  return pos
}

/** {@link writeText} (or {@link writeTextInString}) with its room check: -1 when `s` may not fit. */
const writeString = (s: string, buf: Uint8Array, pos: number, form: Form): number =>
  form === "line"
    ? pos + 3 * s.length <= buf.length
      ? writeText(s, buf, pos)
      : -1
    : pos + 6 * s.length <= buf.length
      ? writeTextInString(s, buf, pos)
      : -1

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
const writeQuoted = (s: string, maxLength: number, buf: Uint8Array, pos: number, form: Form): number => {
  const n = s.length
  // within a JSON string the quotes are escaped: one byte more each
  const q = form === "line" ? 1 : 2
  if (n <= maxLength && pos + n + 2 * q <= buf.length) {
    let p = pos + q
    let i = 0
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f) break
      buf[p++] = c
    }
    if (i === n) {
      if (q === 2) {
        buf[pos] = 0x5c
        buf[p++] = 0x5c
      }
      buf[pos + q - 1] = 0x22
      buf[p] = 0x22
      return p + 1
    }
  }
  return writeString(quote(s, maxLength), buf, pos, form)
}

/** Writes a number as `stringify` does: an integer's digits straight, others through their text. */
const writeNumber = (v: number, buf: Uint8Array, pos: number, form: Form): number => {
  if (!(v >= 0 && v < 1e9 && v === Math.floor(v)))
    return writeString(Number.isFinite(v) ? `${v}` : `"${v}"`, buf, pos, form)
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

/** The UTF-8 bytes of a sink's constant key texts, and of the ids' keys, in one form. */
interface KeyBytes {
  readonly open: Uint8Array
  readonly level: Uint8Array
  readonly logger: Uint8Array
  readonly message: Uint8Array
  readonly correlationId: Uint8Array
  readonly traceId: Uint8Array
  readonly spanId: Uint8Array
}

const keyBytesOf: Record<Form, WeakMap<LineKeys, KeyBytes>> = { line: new WeakMap(), string: new WeakMap() }

const bytesOfKeys = (keys: LineKeys, form: Form): KeyBytes => {
  let bytes = keyBytesOf[form].get(keys)
  if (bytes === undefined) {
    bytes = {
      open: bytesIn(keys.open, form),
      level: bytesIn(keys.level, form),
      logger: bytesIn(keys.logger, form),
      message: bytesIn(keys.message, form),
      correlationId: bytesIn(',"correlationId":', form),
      traceId: bytesIn(',"traceId":', form),
      spanId: bytesIn(',"spanId":', form)
    }
    keyBytesOf[form].set(keys, bytes)
  }
  return bytes
}

/**
 * Writes the JSON line {@link formatEventJson} makes of `e`, as UTF-8 bytes, into `buf` from
 * `pos`, without making the line as a string first: for a sink that puts lines into a binary
 * body (a protobuf request), the string and its copy are most of a line's cost. With `form`
 * "string" it writes the JSON string whose value is that line instead (`JSON.stringify` of
 * the line), for a sink that carries lines as string values of a JSON body. Returns the
 * position after what it wrote, or -1 when the bytes from `pos` to the end of `buf` may be
 * too few (what was written past `pos` is then garbage: give a larger buffer and write again).
 */
export const writeEventJson = (
  e: LogEvent,
  buf: Uint8Array,
  pos: number,
  limits: JsonLimits = defaultLimits,
  keys: LineKeys = defaultLineKeys,
  form: Form = "line"
): number => {
  const kb = bytesOfKeys(keys, form)
  let p = pos
  if (form === "string") {
    if (p >= buf.length) return -1
    buf[p++] = 0x22
  }
  p = writeBytes(kb.open, buf, p)
  if (p >= 0)
    p =
      keys.timestampFormat === "iso"
        ? writeQuoted(e.timestamp, defaultLimits.maxStringLength, buf, p, form)
        : writeString(eventTime(e.timestamp, keys), buf, p, form)
  if (p >= 0) p = writeBytes(kb.level, buf, p)
  if (p >= 0) {
    p = writeString(levelJson(e.level, keys), buf, p, form)
  }
  if (p >= 0) p = writeBytes(kb.logger, buf, p)
  if (p >= 0) p = writeQuoted(e.logger, limits.maxStringLength, buf, p, form)
  if (p >= 0) p = writeBytes(kb.message, buf, p)
  if (p >= 0) p = writeQuoted(e.message, limits.maxStringLength, buf, p, form)
  if (p >= 0 && e.correlationId !== undefined) {
    p = writeBytes(kb.correlationId, buf, p)
    if (p >= 0) p = writeQuoted(e.correlationId, 256, buf, p, form)
  }
  if (p >= 0 && e.traceId !== undefined) {
    p = writeBytes(kb.traceId, buf, p)
    if (p >= 0) p = writeQuoted(e.traceId, 256, buf, p, form)
  }
  if (p >= 0 && e.spanId !== undefined) {
    p = writeBytes(kb.spanId, buf, p)
    if (p >= 0) p = writeQuoted(e.spanId, 256, buf, p, form)
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
    const plan = planOf(k, limits, undefined)
    p = writeBytes(form === "line" ? plan.prefixBytes : plan.prefixStringBytes, buf, p)
    if (p < 0) return -1
    p =
      typeof v === "string"
        ? writeQuoted(v, limits.maxStringLength, buf, p, form)
        : typeof v === "number"
          ? writeNumber(v, buf, p, form)
          : writeString(json as string, buf, p, form)
  }
  if (p >= 0 && e.spans !== undefined) p = writeString(`,"spans":${stringify(e.spans, limits)}`, buf, p, form)
  if (p >= 0 && e.error !== undefined) p = writeString(`,"error":${stringify(e.error, limits)}`, buf, p, form)
  if (p >= 0 && collisions !== undefined)
    p = writeString(`,"fields":${stringify(collisions, limits)}`, buf, p, form)
  const close = form === "line" ? 1 : 2
  if (p < 0 || p + close > buf.length) return -1
  buf[p++] = 0x7d
  if (close === 2) buf[p++] = 0x22
  return p
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
