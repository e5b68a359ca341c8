import * as Cause from "effect/Cause"
import { type ErrorInfo, toErrorInfo } from "./errorInfo.js"
import { type CompiledRedaction, matches, type PathNode, stripUrlCredentials } from "./redact.js"

/**
 * Bounds applied when serializing user data, so that a huge or deeply nested value
 * costs bounded time and space and always yields one valid JSON value.
 */
export interface JsonLimits {
  /** Objects and arrays nested deeper than this are written as "[Object]" / "[Array]". */
  readonly maxDepth: number
  /** Keys written per object (and entries per Map); the rest are summarised. */
  readonly maxKeys: number
  /** Items written per array, Set or typed array; the rest are summarised. */
  readonly maxArrayLength: number
  /** Characters kept per string; longer strings are cut and marked. */
  readonly maxStringLength: number
}

export const defaultLimits: JsonLimits = Object.freeze({
  maxDepth: 10,
  maxKeys: 1000,
  maxArrayLength: 1000,
  maxStringLength: 1_000_000
})

// Characters JSON.stringify escapes, plus the ones it leaves alone that still break
// terminals or line-oriented readers (DEL, C1 controls, U+2028/2029), and surrogates (lone
// ones are replaced).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/
const EXTRA_ESCAPE = /[\u007f-\u009f\u2028\u2029]/g
const unicodeEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`

/**
 * `String.prototype.toWellFormed` (ES2024, in Node since 20): each lone surrogate becomes
 * U+FFFD, pairs are kept. Typed here because the project's `lib` stops at ES2023.
 */
const toWellFormed = (String.prototype as unknown as { toWellFormed: (this: string) => string }).toWellFormed

/**
 * Quotes a string as JSON, escaping every control character; never throws. A lone UTF-16
 * surrogate (half of a pair, which no UTF-8 text can hold) becomes U+FFFD, the replacement
 * character, so the line is valid UTF-8 and a valid OTLP string; surrogate pairs are kept.
 * Strings with nothing to escape (the common case) pay one regular-expression test.
 */
export const quote = (s: string, maxLength: number = defaultLimits.maxStringLength): string => {
  if (s.length > maxLength) s = `${s.slice(0, maxLength)}…[truncated ${s.length - maxLength} chars]`
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`
  return JSON.stringify(toWellFormed.call(s)).replace(EXTRA_ESCAPE, unicodeEscape)
}

const readKey = (o: object, key: string): unknown => {
  try {
    return (o as Record<string, unknown>)[key]
  } catch (e) {
    return new ThrewWhileReading(e)
  }
}

/** Marks a property whose getter threw, so it is written as a note instead. */
export class ThrewWhileReading {
  constructor(readonly error: unknown) {}
}

/**
 * What capture left out of an object, Map or array beyond the limits: the last item of a
 * captured array, or the value of the `…` key of a captured object. The writer turns it
 * into the summary it writes for values it cuts itself ("[…3 more]", "[3 more keys]"),
 * adding what it cuts on top when its limits are tighter.
 */
export class Elided {
  /** The key under which a captured object holds its marker. */
  static readonly key = "…"
  constructor(
    readonly count: number,
    readonly noun: "items" | "keys" | "entries"
  ) {}

  /** The summary for `count` more (this marker's count when omitted). */
  text(count: number = this.count): string {
    return this.noun === "items" ? `[…${count} more]` : `[${count} more ${this.noun}]`
  }

  toJSON(): string {
    return this.text()
  }
}

/** A Map key that is not a string, captured as the text the writer makes of it. */
export class KeyText {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text
  }
}

/**
 * The note written for a value whose reading threw `e`: "[Threw: message]" (`what` names
 * what threw otherwise: "[Serializer threw: message]").
 */
export const thrownNote = (e: unknown, what = "Threw"): string => {
  let msg: unknown
  try {
    msg = e instanceof Error ? e.message : String(e)
  } catch {
    msg = "?"
  }
  return `[${what}: ${typeof msg === "string" ? msg : "?"}]`
}

/**
 * Serializes any value as JSON text, or returns `undefined` for values JSON leaves out
 * (`undefined`). Cycles, BigInt, symbols, functions, throwing getters and `toJSON`,
 * proxies, Maps, Sets, typed arrays, invalid dates and errors all produce valid output.
 */
export const stringify = (
  value: unknown,
  limits: JsonLimits = defaultLimits,
  redact?: CompiledRedaction | undefined,
  node?: PathNode | undefined
): string | undefined => writeValue(value, limits, 0, undefined, redact, node)

/** Text of a user string: URL credentials stripped when redaction asks for it. */
export const redactText = (s: string, redact: CompiledRedaction | undefined): string =>
  redact?.urls === true ? stripUrlCredentials(s, redact.censor) : s

/** `stack` holds the objects being written (cycle detection); created on the first object. */
const writeValue = (
  v: unknown,
  limits: JsonLimits,
  depth: number,
  stack: Array<unknown> | undefined,
  redact: CompiledRedaction | undefined,
  node: PathNode | undefined
): string | undefined => {
  switch (typeof v) {
    case "string":
      return quote(redactText(v, redact), limits.maxStringLength)
    case "number":
      return Number.isFinite(v) ? `${v}` : `"${v}"`
    case "boolean":
      return v ? "true" : "false"
    case "undefined":
      return undefined
    case "bigint":
      return `"${v}"`
    case "symbol":
      return quote(v.toString(), limits.maxStringLength)
    case "function":
      return quote(`[Function ${v.name || "anonymous"}]`, limits.maxStringLength)
    default:
      if (v === null) return "null"
      try {
        return writeObject(v as object, limits, depth, stack ?? [], redact, node)
      } catch (e) {
        return quote(`[Unserializable: ${thrownNote(e)}]`)
      }
  }
}

const writeObject = (
  o: object,
  limits: JsonLimits,
  depth: number,
  stack: Array<unknown>,
  redact: CompiledRedaction | undefined,
  node: PathNode | undefined
): string | undefined => {
  if (o instanceof ThrewWhileReading) return quote(thrownNote(o.error))
  if (stack.includes(o)) return '"[Circular]"'
  if (depth >= limits.maxDepth) return Array.isArray(o) ? '"[Array]"' : '"[Object]"'
  if (o instanceof Date) {
    const t = o.getTime()
    return Number.isNaN(t) ? '"Invalid Date"' : `"${o.toISOString()}"`
  }
  // an Effect Cause is written as the error it holds, wherever it is
  if (o instanceof Error || Cause.isCause(o)) return writeErrorInfo(toErrorInfo(o), limits, redact)
  stack.push(o)
  try {
    if (Array.isArray(o)) return writeItems(o, o.length, limits, depth, stack, redact, node)
    if (ArrayBuffer.isView(o)) {
      if (o instanceof DataView) return `"[DataView ${o.byteLength} bytes]"`
      const items = o as unknown as ArrayLike<unknown>
      return writeItems(items, items.length, limits, depth, stack, undefined, undefined)
    }
    if (o instanceof Set) return writeItems([...o], o.size, limits, depth, stack, redact, node)
    if (o instanceof Map) return writeMap(o, limits, depth, stack, redact, node)
    const toJSON = readKey(o, "toJSON")
    if (typeof toJSON === "function") {
      let replaced: unknown
      try {
        replaced = toJSON.call(o)
      } catch (e) {
        return quote(thrownNote(e))
      }
      return replaced === o
        ? writePlain(o, limits, depth, stack, redact, node)
        : writeValue(replaced, limits, depth + 1, stack, redact, node)
    }
    return writePlain(o, limits, depth, stack, redact, node)
  } finally {
    stack.pop()
  }
}

const writeItems = (
  items: ArrayLike<unknown>,
  length: number,
  limits: JsonLimits,
  depth: number,
  stack: Array<unknown>,
  redact: CompiledRedaction | undefined,
  node: PathNode | undefined
): string => {
  const last = length > 0 ? readKey(items, String(length - 1)) : undefined
  // an array captured beyond the limit ends in what capture left out
  const elided = last instanceof Elided ? last.count : 0
  if (elided > 0) length--
  const n = Math.min(length, limits.maxArrayLength)
  let out = "["
  for (let i = 0; i < n; i++) {
    if (i > 0) out += ","
    const key = String(i)
    const child = node?.next(key)
    const item = readKey(items, key)
    // an empty slot is written null either way: censoring it would show a value that is not there
    out +=
      child?.terminal === true && redact !== undefined && item !== undefined
        ? quote(redact.censor)
        : (writeValue(item, limits, depth + 1, stack, redact, child) ?? "null")
  }
  if (length > n || elided > 0) out += `${n > 0 ? "," : ""}"[…${length - n + elided} more]"`
  return `${out}]`
}

const writeMap = (
  m: Map<unknown, unknown>,
  limits: JsonLimits,
  depth: number,
  stack: Array<unknown>,
  redact: CompiledRedaction | undefined,
  node: PathNode | undefined
): string => {
  let out = "{"
  let i = 0
  for (const [k, v] of m) {
    if (v instanceof Elided && k === Elided.key) {
      // a captured Map ends in what capture left out
      out += `${i > 0 ? "," : ""}"…":"${v.text()}"`
      break
    }
    if (i === limits.maxKeys) {
      const tail = m.get(Elided.key)
      const more = m.size - i + (tail instanceof Elided ? tail.count - 1 : 0)
      out += `${i > 0 ? "," : ""}"…":"[${more} more entries]"`
      break
    }
    const key =
      typeof k === "string"
        ? k
        : k instanceof KeyText
          ? k.text
          : (writeValue(k, limits, depth + 1, stack, undefined, undefined) ?? "undefined")
    const written = entry(key, v, limits, depth, stack, redact, node)
    if (written === undefined) continue
    out += `${i > 0 ? "," : ""}${quote(key, limits.maxStringLength)}:${written}`
    i++
  }
  return `${out}}`
}

/**
 * The JSON of one keyed entry, after redaction: the censor for a matched key, `undefined`
 * (leave the key out) when matched keys are removed or the value has no JSON form. A matched
 * key whose value is `undefined` is left out too: the line without redaction has no such
 * key, and a censor must not add one.
 */
const entry = (
  key: string,
  v: unknown,
  limits: JsonLimits,
  depth: number,
  stack: Array<unknown>,
  redact: CompiledRedaction | undefined,
  node: PathNode | undefined
): string | undefined => {
  if (redact === undefined) return writeValue(v, limits, depth + 1, stack, undefined, undefined)
  const child = node?.next(key)
  if (matches(redact, child, key)) return redact.remove || v === undefined ? undefined : quote(redact.censor)
  return writeValue(v, limits, depth + 1, stack, redact, child)
}

/** Keys remembered per table; a table that fills (hostile or generated key names) starts afresh. */
const MAX_REMEMBERED_KEYS = 4096
/** Keys longer than this are worked out each time, so what is remembered never depends on `maxStringLength`. */
const MAX_REMEMBERED_KEY_LENGTH = 256

/**
 * Facts about key names worked out once and remembered: one table without redaction and one
 * per redaction. Events from one call site repeat the same few keys, so most pay one map
 * lookup per key instead of escaping its name (and asking redaction about it) again.
 */
export class KeyTable<T> {
  private readonly plain = new Map<string, T>()
  private readonly redacted = new WeakMap<CompiledRedaction, Map<string, T>>()
  // the table of the redaction looked up last: a process mostly has one
  private lastRedact: CompiledRedaction | undefined = undefined
  private lastTable: Map<string, T> = this.plain

  constructor(private readonly make: (key: string, redact: CompiledRedaction | undefined) => T) {}

  /** What `make` says of `key`; only for keys no limit cuts (see {@link isRememberable}). */
  get(key: string, redact: CompiledRedaction | undefined): T {
    let table = this.plain
    if (redact === this.lastRedact) table = this.lastTable
    else if (redact !== undefined) {
      const found = this.redacted.get(redact)
      if (found === undefined) this.redacted.set(redact, (table = new Map()))
      else table = found
      this.lastRedact = redact
      this.lastTable = table
    }
    let value = table.get(key)
    if (value === undefined) {
      value = this.make(key, redact)
      if (table.size >= MAX_REMEMBERED_KEYS) table.clear()
      table.set(key, value)
    }
    return value
  }
}

/** Whether facts about `key` may be remembered: its quoted form is never cut by `limits`. */
export const isRememberable = (key: string, limits: JsonLimits): boolean =>
  key.length <= MAX_REMEMBERED_KEY_LENGTH && key.length <= limits.maxStringLength

/** A key of a nested object that no redaction path reaches: its quoted forms, and whether a key rule takes it. */
interface NestedKey {
  /** `"key":` */
  readonly first: string
  /** `,"key":` */
  readonly next: string
  readonly matched: boolean
}

const nestedKeys = new KeyTable<NestedKey>((key, redact) => {
  const first = `${quote(key)}:`
  return { first, next: `,${first}`, matched: redact !== undefined && matches(redact, undefined, key) }
})

const moreKeys = new Elided(0, "keys")

/**
 * An object's own enumerable string keys, in `Object.keys` order, are those of a `for…in`
 * that skips inherited ones: that walk reads V8's cached key list where `Object.keys`
 * would copy it into a new array for every object written.
 */
const writePlain = (
  o: object,
  limits: JsonLimits,
  depth: number,
  stack: Array<unknown>,
  redact: CompiledRedaction | undefined,
  node: PathNode | undefined
): string => {
  let out = "{"
  let first = true
  let seen = 0
  let elided: Elided | undefined
  for (const k in o) {
    if (!ownKey(o, k)) continue
    if (k === Elided.key) {
      // a captured object: what capture left out is summarised with what is cut here
      const v = readKey(o, k)
      if (v instanceof Elided) {
        elided = v
        continue
      }
    }
    // past the limit the keys are only counted, for the summary
    if (seen++ >= limits.maxKeys) continue
    if (node === undefined && isRememberable(k, limits)) {
      // the common case: no path rule below here, so the key's text and fate are remembered
      const known = nestedKeys.get(k, redact)
      const written = known.matched
        ? (redact as CompiledRedaction).remove || readKey(o, k) === undefined
          ? undefined
          : quote((redact as CompiledRedaction).censor)
        : writeValue(readKey(o, k), limits, depth + 1, stack, redact, undefined)
      if (written === undefined) continue
      out += first ? known.first : known.next
      out += written
    } else {
      const written = entry(k, readKey(o, k), limits, depth, stack, redact, node)
      if (written === undefined) continue
      out += `${first ? "" : ","}${quote(k, limits.maxStringLength)}:${written}`
    }
    first = false
  }
  const cut = Math.max(0, seen - limits.maxKeys) + (elided?.count ?? 0)
  if (cut > 0) out += `${first ? "" : ","}"…":"${(elided ?? moreKeys).text(cut)}"`
  return `${out}}`
}

/** Writes an ErrorInfo (already plain data) as JSON. */
export const writeErrorInfo = (
  e: ErrorInfo,
  limits: JsonLimits = defaultLimits,
  redact?: CompiledRedaction | undefined
): string => {
  const text = (s: string) => quote(redactText(s, redact), limits.maxStringLength)
  let out = `{"type":${text(e.type)},"message":${text(e.message)}`
  if (e.code !== undefined) out += `,"code":${text(e.code)}`
  if (e.stack !== undefined) out += `,"stack":${text(e.stack)}`
  if (e.cause !== undefined) out += `,"cause":${writeErrorInfo(e.cause, limits, redact)}`
  if (e.errors !== undefined)
    out += `,"errors":[${e.errors.map((x) => writeErrorInfo(x, limits, redact)).join(",")}]`
  if (e.details !== undefined)
    out += `,"details":${writeValue(e.details, limits, 1, undefined, redact, undefined) ?? "{}"}`
  return `${out}}`
}

/**
 * Whether `k` is an own property of `o`, for `for (const k in o)` loops: V8 answers this
 * form from the object's own key cache, without a lookup, where `Object.hasOwn` costs a
 * call per key (tens of nanoseconds per object on the hot paths that list every event's
 * fields). (Written out in full: a bundler turns a module constant holding the method into a
 * variable, which V8 no longer sees through.)
 */
// biome-ignore lint/suspicious/noPrototypeBuiltins: Object.hasOwn is the slow form here (see above)
export const ownKey = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/**
 * Reads an own property without ever throwing; a throwing getter yields a marker that
 * `stringify` writes as a note.
 */
export const safeRead = readKey

/** Rough size of a value's JSON, for batching by bytes without encoding twice (never throws on cycles: depth-bounded). */
export const approximateBytes = (value: unknown, depth = 0): number => {
  switch (typeof value) {
    case "string":
      return value.length + 2
    case "number":
    case "bigint":
      return 8
    case "boolean":
      return 5
    case "object": {
      if (value === null) return 4
      if (depth > 6) return 16
      let n = 2
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && i < 1000; i++) n += approximateBytes(value[i], depth + 1) + 1
        return n
      }
      let keys = 0
      for (const k in value) {
        if (keys++ >= 1000) break
        n += k.length + 4 + approximateBytes((value as Record<string, unknown>)[k], depth + 1)
      }
      return n
    }
    default:
      return 4
  }
}
