import type { LogEvent } from "../LogEvent.js"
import type { FormatterImpl } from "./formatter.js"
import { defaultLimits, type JsonLimits, quote, safeRead, stringify } from "./json.js"
import { RESERVED_KEYS } from "./record.js"

/**
 * Receives one flattened pair: the key already safe for logfmt, the value already encoded
 * (bare or quoted). The pretty and minimal formatters colour and join these their own way.
 */
export type PairWriter = (key: string, value: string) => void

// What a logfmt key cannot hold: whitespace and line separators (the pair separator),
// `=` and `"` (the parsers' syntax), `\` (an escape to the npm `logfmt` parser even in a
// key), control characters and lone surrogates.
const BAD_KEY_CHARS =
  /[\s="\\\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

// A value holding any of these is quoted even when `quote` would not escape anything.
const NEEDS_QUOTES = /[\s="\\]/

/**
 * Makes a user key usable as a logfmt key: every character a parser would read as syntax
 * (space, `=`, `"`, `\`, control characters, lone surrogates) becomes `_`; an empty key
 * becomes `_`. Dots are kept, so flattened paths stay readable.
 */
export const logfmtKey = (key: string, maxLength: number = defaultLimits.maxStringLength): string => {
  if (key === "") return "_"
  if (key.length > maxLength) key = key.slice(0, maxLength)
  return key.replace(BAD_KEY_CHARS, "_")
}

/**
 * Encodes a string as a logfmt value: bare when that is unambiguous, otherwise quoted with
 * the same escapes as a JSON string (`\"`, `\\`, `\n`, `\t`, `\u001b`, ...), which keeps the
 * event on one line and is what logfmt decoders in the Go family (go-logfmt, Loki) undo.
 * Strings longer than `maxLength` are cut and marked, as in the JSON line.
 */
export const logfmtValue = (s: string, maxLength: number = defaultLimits.maxStringLength): string => {
  const quoted = quote(s, maxLength)
  // Same length means nothing was escaped, but a lone surrogate may have become U+FFFD: the
  // bare value is the quoted text without its quotes.
  return s === "" || s.length > maxLength || quoted.length !== s.length + 2 || NEEDS_QUOTES.test(s)
    ? quoted
    : quoted.slice(1, -1)
}

const isPlainObject = (v: object): boolean => {
  if (Array.isArray(v)) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** The value part of a pair for anything that is not flattened, from its JSON text. */
const encodeJson = (json: string, maxLength: number): string => {
  // A JSON string (a Date, a BigInt, a note such as "[Circular]") reads better as text.
  if (json.startsWith('"')) return logfmtValue(JSON.parse(json) as string, Number.POSITIVE_INFINITY)
  // Objects and arrays stay one quoted JSON text; numbers, booleans and null stay bare.
  return json.startsWith("{") || json.startsWith("[")
    ? quote(json, Number.POSITIVE_INFINITY)
    : logfmtValue(json, maxLength)
}

const flatten = (
  key: string,
  value: unknown,
  limits: JsonLimits,
  depth: number,
  stack: Array<object>,
  emit: PairWriter
): void => {
  if (value === undefined) return
  if (typeof value === "string") {
    emit(key, logfmtValue(value, limits.maxStringLength))
  } else if (typeof value === "object" && value !== null && isPlainObject(value)) {
    flattenObject(key, value, limits, depth, stack, emit)
  } else {
    // Everything else is written by `stringify`, with the depth already used counted in.
    const room = limits.maxDepth - depth
    const json = stringify(
      value,
      room === limits.maxDepth ? limits : { ...limits, maxDepth: Math.max(room, 0) }
    )
    if (json !== undefined) emit(key, encodeJson(json, limits.maxStringLength))
  }
}

const flattenObject = (
  key: string,
  o: object,
  limits: JsonLimits,
  depth: number,
  stack: Array<object>,
  emit: PairWriter
): void => {
  if (stack.includes(o)) {
    emit(key, "[Circular]")
    return
  }
  if (depth >= limits.maxDepth) {
    emit(key, "[Object]")
    return
  }
  const keys = Object.keys(o)
  if (keys.length === 0) {
    emit(key, "{}")
    return
  }
  const n = Math.min(keys.length, limits.maxKeys)
  stack.push(o)
  try {
    for (let i = 0; i < n; i++) {
      const k = keys[i] as string
      flatten(
        `${key}.${logfmtKey(k, limits.maxStringLength)}`,
        safeRead(o, k),
        limits,
        depth + 1,
        stack,
        emit
      )
    }
  } finally {
    stack.pop()
  }
  if (keys.length > n) emit(`${key}.…`, quote(`[${keys.length - n} more keys]`))
}

/**
 * Writes one value as pairs under `key` (already made safe with {@link logfmtKey}): plain
 * objects are flattened to dotted keys, within the depth and key limits; arrays and other
 * objects become their JSON text, quoted; `undefined` writes nothing. Never throws.
 */
export const writePair = (key: string, value: unknown, limits: JsonLimits, emit: PairWriter): void => {
  try {
    flatten(key, value, limits, 0, [], emit)
  } catch {
    // A proxy that throws from getPrototypeOf or ownKeys: say so instead of losing the line.
    emit(key, quote("[Unserializable]"))
  }
}

const rootOf = (key: string): string => {
  const dot = key.indexOf(".")
  return dot === -1 ? key : key.slice(0, dot)
}

/**
 * Writes the user fields of an event as pairs, in order. A key named like a core key (or a
 * dotted key under one, such as `error.type`) would be mistaken for fapilog's own, so it is
 * not written here: the entries returned are for the caller to write under `fields.<key>`.
 */
export const writeUserFields = (
  fields: Readonly<Record<string, unknown>>,
  limits: JsonLimits,
  emit: PairWriter
): ReadonlyArray<readonly [string, unknown]> | undefined => {
  let collisions: Array<readonly [string, unknown]> | undefined
  for (const k of Object.keys(fields)) {
    const key = logfmtKey(k, limits.maxStringLength)
    const v = safeRead(fields, k)
    if (RESERVED_KEYS.has(rootOf(key))) (collisions ??= []).push([key, v])
    else writePair(key, v, limits, emit)
  }
  return collisions
}

const formatLogfmt = (e: LogEvent, limits: JsonLimits): string => {
  let out = `timestamp=${logfmtValue(e.timestamp, 64)} level=${logfmtValue(e.level, 64)} logger=${logfmtValue(e.logger, limits.maxStringLength)} message=${logfmtValue(e.message, limits.maxStringLength)}`
  const emit: PairWriter = (k, v) => {
    out += ` ${k}=${v}`
  }
  if (e.correlationId !== undefined) emit("correlationId", logfmtValue(e.correlationId, 256))
  if (e.traceId !== undefined) emit("traceId", logfmtValue(e.traceId, 256))
  if (e.spanId !== undefined) emit("spanId", logfmtValue(e.spanId, 256))
  const collisions = writeUserFields(e.fields, limits, emit)
  if (e.spans !== undefined) writePair("spans", e.spans, limits, emit)
  if (e.error !== undefined) writePair("error", e.error, limits, emit)
  if (collisions !== undefined) for (const [k, v] of collisions) writePair(`fields.${k}`, v, limits, emit)
  return out
}

/**
 * The logfmt formatter: `key=value` pairs on one line, core keys first
 * (`timestamp level logger message correlationId traceId spanId`), then user fields with
 * nested plain objects flattened to dotted keys, then `spans.*`, `error.*` (type, message,
 * stack, code, cause...) and `fields.*` for user keys named like core keys. Values are
 * quoted only when needed; quoted values use JSON string escapes, so control characters
 * and newlines never break the line.
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
