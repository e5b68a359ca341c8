import type { LogEvent } from "../LogEvent.js"
import type { FormatterImpl } from "./formatter.js"
import { defaultLimits, type JsonLimits, quote, safeRead, stringify } from "./json.js"
import { RESERVED_KEYS } from "./record.js"
import { uniqueNames } from "./uniqueNames.js"

/**
 * How a flattened key was made, for telling repeats apart: {@link RENAMED} when a part of it
 * was changed to be a valid key (or cut at the length limit), {@link AMBIGUOUS} when it may
 * equal another key of the line without either being renamed (a user key holding a dot, such
 * as `"a.b"` beside the flattened `a: { b }`).
 */
export type KeyFlags = number
const RENAMED: KeyFlags = 1
const AMBIGUOUS: KeyFlags = 2

/**
 * Receives one flattened pair: the key already safe for logfmt, the value already encoded
 * (bare or quoted), and how the key was made. The pretty and minimal formatters colour and
 * join these their own way.
 */
export type PairWriter = (key: string, value: string, flags?: KeyFlags) => void

// What a logfmt key cannot hold. go-logfmt's decoder (decode.go, ScanKeyval) ends a key at
// any byte up to ' ' and refuses `"` and a key holding U+FFFD ("invalid key"); its encoder
// (encode.go, keyRuneFilter) also leaves out `=` and DEL. Beyond those: other whitespace and
// line separators, `\` (an escape to the npm `logfmt` parser even in a key), C1 controls and
// lone surrogates (which become U+FFFD in UTF-8).
const BAD_KEY_CHARS =
  /[\s="\\\u0000-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

// A value holding any of these is quoted even when `quote` would not escape anything; so is
// one holding U+FFFD or a lone surrogate (which `quote` writes as U+FFFD), as go-logfmt's
// encoder quotes U+FFFD (encode.go, needsQuotedValueRune).
const NEEDS_QUOTES = /[\s="\\\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * Makes a user key usable as a logfmt key: every character the reference decoders would read
 * as syntax or refuse (whitespace, `=`, `"`, `\`, control characters, U+FFFD, lone
 * surrogates) becomes `_`; an empty key becomes `_`. Dots are kept, so flattened paths stay
 * readable. Two keys that become the same are told apart by the formatter (`~2`, `~3`, ...).
 */
export const logfmtKey = (key: string, maxLength: number = defaultLimits.maxStringLength): string => {
  if (key === "") return "_"
  if (key.length > maxLength) key = key.slice(0, maxLength)
  return key.replace(BAD_KEY_CHARS, "_")
}

/** The flags of one part of a flattened key: `segment` is `logfmtKey(key)`. */
const flagsOf = (key: string, segment: string): KeyFlags =>
  (segment !== key ? RENAMED : 0) | (key.includes(".") || key === "…" ? AMBIGUOUS : 0)

/**
 * Encodes a string as a logfmt value: bare when that is unambiguous, otherwise quoted with
 * the same escapes as a JSON string (`\"`, `\\`, `\n`, `\t`, `\u001b`, ...), which keeps the
 * event on one line and is what logfmt decoders in the Go family (go-logfmt, Loki) undo.
 * The string `"null"` is quoted, as go-logfmt's encoder does, so that it reads apart from
 * the value `null`. Strings longer than `maxLength` are cut and marked, as in the JSON line.
 */
export const logfmtValue = (s: string, maxLength: number = defaultLimits.maxStringLength): string => {
  const quoted = quote(s, maxLength)
  // same length: nothing was escaped (a lone surrogate became U+FFFD, which NEEDS_QUOTES sees)
  return s === "" ||
    s === "null" ||
    s.length > maxLength ||
    quoted.length !== s.length + 2 ||
    NEEDS_QUOTES.test(s)
    ? quoted
    : s
}

const isPlainObject = (v: object): boolean => {
  if (Array.isArray(v)) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** The value part of a pair for anything that is not flattened, from its JSON text. */
const encodeJson = (json: string): string => {
  // A JSON string (a Date, a BigInt, a note such as "[Circular]") reads better as text.
  if (json.startsWith('"')) return logfmtValue(JSON.parse(json) as string, Number.POSITIVE_INFINITY)
  // Objects and arrays stay one quoted JSON text; numbers, booleans and null stay bare.
  return json.startsWith("{") || json.startsWith("[") ? quote(json, Number.POSITIVE_INFINITY) : json
}

const flatten = (
  key: string,
  value: unknown,
  limits: JsonLimits,
  depth: number,
  stack: Array<object>,
  emit: PairWriter,
  flags: KeyFlags
): void => {
  if (value === undefined) return
  if (typeof value === "string") {
    emit(key, logfmtValue(value, limits.maxStringLength), flags)
  } else if (typeof value === "object" && value !== null && isPlainObject(value)) {
    flattenObject(key, value, limits, depth, stack, emit, flags)
  } else {
    // Everything else is written by `stringify`, with the depth already used counted in.
    const room = limits.maxDepth - depth
    const json = stringify(
      value,
      room === limits.maxDepth ? limits : { ...limits, maxDepth: Math.max(room, 0) }
    )
    if (json !== undefined) emit(key, encodeJson(json), flags)
  }
}

const flattenObject = (
  key: string,
  o: object,
  limits: JsonLimits,
  depth: number,
  stack: Array<object>,
  emit: PairWriter,
  flags: KeyFlags
): void => {
  if (stack.includes(o)) {
    emit(key, "[Circular]", flags)
    return
  }
  if (depth >= limits.maxDepth) {
    emit(key, "[Object]", flags)
    return
  }
  const keys = Object.keys(o)
  if (keys.length === 0) {
    emit(key, "{}", flags)
    return
  }
  const n = Math.min(keys.length, limits.maxKeys)
  stack.push(o)
  try {
    for (let i = 0; i < n; i++) {
      const k = keys[i] as string
      const segment = logfmtKey(k, limits.maxStringLength)
      flatten(
        `${key}.${segment}`,
        safeRead(o, k),
        limits,
        depth + 1,
        stack,
        emit,
        flags | flagsOf(k, segment)
      )
    }
  } finally {
    stack.pop()
  }
  if (keys.length > n) emit(`${key}.…`, quote(`[${keys.length - n} more keys]`), flags | AMBIGUOUS)
}

/**
 * Writes one value as pairs under `key` (already made safe with {@link logfmtKey}; `flags`
 * say how): plain objects are flattened to dotted keys, within the depth and key limits;
 * arrays and other objects become their JSON text, quoted; `undefined` writes nothing.
 * Never throws.
 */
export const writePair = (
  key: string,
  value: unknown,
  limits: JsonLimits,
  emit: PairWriter,
  flags: KeyFlags = 0
): void => {
  try {
    flatten(key, value, limits, 0, [], emit, flags)
  } catch {
    // A proxy that throws from getPrototypeOf or ownKeys: say so instead of losing the line.
    emit(key, quote("[Unserializable]"), flags)
  }
}

const rootOf = (key: string): string => {
  const dot = key.indexOf(".")
  return dot === -1 ? key : key.slice(0, dot)
}

/**
 * Writes the user fields of an event as pairs, in order. A key named like a core key (or a
 * dotted key under one, such as `error.type`) would be mistaken for fapilog's own, so it is
 * not written here: the entries returned (key, value, flags) are for the caller to write
 * under `fields.<key>`.
 */
export const writeUserFields = (
  fields: Readonly<Record<string, unknown>>,
  limits: JsonLimits,
  emit: PairWriter
): ReadonlyArray<readonly [string, unknown, KeyFlags]> | undefined => {
  let collisions: Array<readonly [string, unknown, KeyFlags]> | undefined
  for (const k of Object.keys(fields)) {
    const key = logfmtKey(k, limits.maxStringLength)
    const flags = flagsOf(k, key)
    const v = safeRead(fields, k)
    if (RESERVED_KEYS.has(rootOf(key))) (collisions ??= []).push([key, v, flags])
    else writePair(key, v, limits, emit, flags)
  }
  return collisions
}

// The keys every line starts with; no user key can take them (they are core keys).
const LINE_START_KEYS: ReadonlyArray<string> = ["timestamp", "level", "logger", "message"]

/**
 * The pairs of `line` from `from` on, as this formatter writes them: ` key=value`, the key
 * without spaces, `=` or quotes, the value bare (no space) or a quoted JSON string.
 */
const pairsOf = (line: string, from: number): Array<{ readonly start: number; readonly key: string }> => {
  const pairs: Array<{ readonly start: number; readonly key: string }> = []
  let i = from
  while (i < line.length) {
    const eq = line.indexOf("=", i)
    pairs.push({ start: i, key: line.slice(i + 1, eq) })
    i = eq + 1
    if (line.charCodeAt(i) === 0x22) {
      i++
      while (line.charCodeAt(i) !== 0x22) i += line.charCodeAt(i) === 0x5c ? 2 : 1
      i++
    } else {
      const space = line.indexOf(" ", i)
      i = space === -1 ? line.length : space
    }
  }
  return pairs
}

/**
 * `line` with every key after `from` written once: repeats renamed by {@link uniqueNames},
 * the pairs starting at the offsets in `renamed` counting as renamed keys.
 */
const withUniqueKeys = (line: string, from: number, renamed: ReadonlySet<number>): string => {
  const pairs = pairsOf(line, from)
  const names = uniqueNames(
    pairs.map((p) => p.key),
    pairs.map((p) => renamed.has(p.start)),
    new Set(LINE_START_KEYS)
  )
  if (names.every((name, i) => name === pairs[i]?.key)) return line
  let out = line.slice(0, from)
  pairs.forEach((p, i) => {
    const end = pairs[i + 1]?.start ?? line.length
    out += ` ${names[i]}${line.slice(p.start + 1 + p.key.length, end)}`
  })
  return out
}

const formatLogfmt = (e: LogEvent, limits: JsonLimits): string => {
  let out = `timestamp=${logfmtValue(e.timestamp, 64)} level=${logfmtValue(e.level, 64)} logger=${logfmtValue(e.logger, limits.maxStringLength)} message=${logfmtValue(e.message, limits.maxStringLength)}`
  const from = out.length
  // Keys that may repeat another (renamed ones, user keys holding dots) are rare: only a line
  // that has one is read back at the end and its keys made unique.
  let mayRepeat = false
  let renamed: Set<number> | undefined
  const emit: PairWriter = (k, v, flags = 0) => {
    if (flags !== 0) {
      mayRepeat = true
      if ((flags & RENAMED) !== 0) (renamed ??= new Set()).add(out.length)
    }
    out += ` ${k}=${v}`
  }
  if (e.correlationId !== undefined) emit("correlationId", logfmtValue(e.correlationId, 256))
  if (e.traceId !== undefined) emit("traceId", logfmtValue(e.traceId, 256))
  if (e.spanId !== undefined) emit("spanId", logfmtValue(e.spanId, 256))
  const collisions = writeUserFields(e.fields, limits, emit)
  if (e.spans !== undefined) writePair("spans", e.spans, limits, emit)
  if (e.error !== undefined) writePair("error", e.error, limits, emit)
  if (collisions !== undefined)
    for (const [k, v, flags] of collisions) writePair(`fields.${k}`, v, limits, emit, flags)
  return mayRepeat ? withUniqueKeys(out, from, renamed ?? new Set()) : out
}

/**
 * The logfmt formatter: `key=value` pairs on one line, core keys first
 * (`timestamp level logger message correlationId traceId spanId`), then user fields with
 * nested plain objects flattened to dotted keys, then `spans.*`, `error.*` (type, message,
 * stack, code, cause...) and `fields.*` for user keys named like core keys. Values are
 * quoted only when needed (and the string `"null"` always, apart from the value `null`);
 * quoted values use JSON string escapes, so control characters and newlines never break the
 * line. Every key is valid for go-logfmt's decoder and written once: keys that sanitizing
 * (or a user key's own dots) would repeat are told apart with `~2`, `~3`, ... by
 * {@link uniqueNames}.
 */
export const makeLogfmt = (limits: JsonLimits = defaultLimits): FormatterImpl => ({
  name: "logfmt",
  format: (e) => {
    try {
      return formatLogfmt(e, limits)
    } catch {
      // Nothing from the user's data: a line that could not be built must not leak it.
      return `timestamp=${logfmtValue(String(e.timestamp), 64)} level=${logfmtValue(String(e.level), 64)} message="[fapilog: event could not be formatted]"`
    }
  }
})
