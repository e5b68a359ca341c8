import * as Cause from "effect/Cause"
import type * as HashMap from "effect/HashMap"
import { CapturedError, type ErrorInfo, toErrorInfo } from "./errorInfo.js"
import {
  Elided,
  type JsonLimits,
  KeyText,
  ownKey,
  safeRead,
  stringify,
  ThrewWhileReading,
  thrownNote
} from "./json.js"
import { isProxy } from "./platform.js"
import type { Serializers } from "./serializers.js"

/**
 * Capture: the values of a log call, taken when the call is made.
 *
 * A logging call returns at once and the worker formats the event later, so whatever the
 * event refers to must not change in between: the line has to show the values as of the
 * call, whatever the caller does to its objects afterwards. Capture copies what can change
 * (objects, arrays, Maps, Sets, typed arrays, Dates) into plain data, and shares what
 * cannot (strings, numbers, booleans, BigInts, symbols).
 *
 * The copy follows the JSON writer's rules (`json.ts`) step for step, so the line written
 * from a captured value is the line that would have been written from the value itself:
 * - the limits apply here, bounding the copy's cost: deeper than `maxDepth` becomes
 *   "[Object]"/"[Array]", more than `maxKeys` keys (or Map entries) or `maxArrayLength`
 *   items end in an {@link Elided} marker that the writer turns into its usual summary;
 *   strings are immutable and shared whole (the writer cuts them);
 * - cycles become "[Circular]", getters that throw "[Threw: …]", functions "[Function f]",
 *   values that cannot be read "[Unserializable: …]";
 * - `toJSON` is called now and its result captured; a Map stays a Map of captured keys and
 *   values, a Set or a typed array becomes an array;
 * - an Error becomes a {@link CapturedError}: its message, stack, code, `cause` chain,
 *   AggregateError members and own properties, read now.
 *
 * The result is fresh plain data that nothing else refers to: later stages (enrichers,
 * processors, redaction, every formatter) read it without any risk of a hostile value.
 */

type Stack = Array<unknown>

const isMutable = (v: unknown): boolean => (typeof v === "object" ? v !== null : typeof v === "function")

/** `target[key] = value`, except that a `__proto__` key stays an ordinary own property. */
export const defineField = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else {
    target[key] = value
  }
}

const functionText = (f: Function): string => {
  const name = safeRead(f, "name")
  return `[Function ${typeof name === "string" && name !== "" ? name : "anonymous"}]`
}

/** One value at `depth` (0 for the value of a top-level field). */
const captureAt = (v: unknown, limits: JsonLimits, depth: number, stack: Stack | undefined): unknown => {
  switch (typeof v) {
    case "object":
      if (v === null) return null
      try {
        return captureObject(v, limits, depth, stack ?? [])
      } catch (e) {
        return `[Unserializable: ${thrownNote(e)}]`
      }
    case "function":
      return functionText(v)
    default:
      return v
  }
}

const captureObject = (o: object, limits: JsonLimits, depth: number, stack: Stack): unknown => {
  if (o instanceof ThrewWhileReading) return thrownNote(o.error)
  if (o instanceof Elided || o instanceof CapturedError) return o
  if (stack.includes(o)) return "[Circular]"
  if (depth >= limits.maxDepth) return Array.isArray(o) ? "[Array]" : "[Object]"
  if (o instanceof Date) return new Date(o.getTime())
  if (o instanceof Error || Cause.isCause(o)) return captureErrorValue(o, limits)
  stack.push(o)
  try {
    if (Array.isArray(o)) return captureItems(o, o.length, limits, depth, stack)
    if (ArrayBuffer.isView(o)) {
      if (o instanceof DataView) return `[DataView ${o.byteLength} bytes]`
      const items = o as unknown as ArrayLike<unknown>
      return captureItems(items, items.length, limits, depth, stack)
    }
    if (o instanceof Set) return captureItems([...o], o.size, limits, depth, stack)
    if (o instanceof Map) return captureMap(o, limits, depth, stack)
    const toJSON = safeRead(o, "toJSON")
    if (typeof toJSON === "function") {
      let replaced: unknown
      try {
        replaced = toJSON.call(o)
      } catch (e) {
        return thrownNote(e)
      }
      return replaced === o
        ? capturePlain(o, limits, depth, stack)
        : captureAt(replaced, limits, depth + 1, stack)
    }
    return capturePlain(o, limits, depth, stack)
  } finally {
    stack.pop()
  }
}

const captureItems = (
  items: ArrayLike<unknown>,
  length: number,
  limits: JsonLimits,
  depth: number,
  stack: Stack
): Array<unknown> => {
  const n = Math.min(length, limits.maxArrayLength)
  const out = new Array<unknown>(n)
  for (let i = 0; i < n; i++) out[i] = captureAt(safeRead(items, String(i)), limits, depth + 1, stack)
  if (length > n) out.push(new Elided(length - n, "items"))
  return out
}

/**
 * A Map stays a Map (its entries in order, keys that write alike kept apart, as the writer
 * writes them), its values captured and its other-than-string keys turned into the
 * {@link KeyText} the writer makes of them; past `maxKeys` it ends in an {@link Elided} entry.
 */
const captureMap = (
  m: Map<unknown, unknown>,
  limits: JsonLimits,
  depth: number,
  stack: Stack
): Map<unknown, unknown> => {
  const out = new Map<unknown, unknown>()
  let kept = 0
  for (const [k, v] of m) {
    if (kept === limits.maxKeys) {
      out.set(Elided.key, new Elided(m.size - kept, "entries"))
      break
    }
    const value = captureAt(v, limits, depth + 1, stack)
    // the writer leaves out an entry without a value, and does not count it
    if (value === undefined) continue
    // a key that is not a string is kept as the text the writer makes of it
    out.set(
      typeof k === "string"
        ? k
        : new KeyText(stringify(captureAt(k, limits, depth + 1, stack), limits) ?? "undefined"),
      value
    )
    kept++
  }
  return out
}

const capturePlain = (
  o: object,
  limits: JsonLimits,
  depth: number,
  stack: Stack
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  let seen = 0
  // a proxy that cannot list its keys throws here: the value is written as unserializable
  for (const k in o) {
    if (!ownKey(o, k)) continue
    if (seen++ >= limits.maxKeys) continue
    defineField(out, k, captureAt(safeRead(o, k), limits, depth + 1, stack))
  }
  if (seen > limits.maxKeys) defineField(out, Elided.key, new Elided(seen - limits.maxKeys, "keys"))
  return out
}

/** The ErrorInfo of `e` with its `details` (own properties, any value) captured too. */
const withCapturedDetails = (info: ErrorInfo, limits: JsonLimits): ErrorInfo => {
  const details = info.details === undefined ? undefined : captureAt(info.details, limits, 1, undefined)
  const cause = info.cause === undefined ? undefined : withCapturedDetails(info.cause, limits)
  const errors = info.errors?.map((x) => withCapturedDetails(x, limits))
  if (details === info.details && cause === info.cause && errors === undefined) return info
  const out: { -readonly [K in keyof ErrorInfo]: ErrorInfo[K] } = { ...info }
  if (details !== undefined) out.details = details as Readonly<Record<string, unknown>>
  if (cause !== undefined) out.cause = cause
  if (errors !== undefined) out.errors = errors
  return out
}

const captureErrorValue = (e: unknown, limits: JsonLimits): CapturedError =>
  CapturedError.of(withCapturedDetails(toErrorInfo(e), limits))

/**
 * The event's error (an Error, an Effect `Cause`, or any thrown value) as of now. A value
 * that is neither stays as it is when it cannot change (a string thrown), and is read now
 * otherwise.
 */
export const captureError = (error: unknown, limits: JsonLimits): unknown => {
  if (error === undefined || error instanceof CapturedError) return error
  if (error instanceof Error || Cause.isCause(error) || isMutable(error))
    return captureErrorValue(error, limits)
  return error
}

/** One value as of now (see the module comment); what cannot change is returned as it is. */
export const captureValue = (v: unknown, limits: JsonLimits): unknown =>
  isMutable(v) ? captureAt(v, limits, 0, undefined) : v

/**
 * The own enumerable fields of a call as of now: a fresh object holding them, each value
 * captured. The common case (a small object of strings and numbers) is one object spread.
 * Like the JSON line, the top level has no key limit; nested objects have. Fields that
 * cannot be listed (a revoked proxy, a proxy whose traps throw) never throw: what could be
 * read is kept and the `…` key says why the rest was withheld, as a nested value that
 * cannot be read is written.
 */
export const captureFields = (fields: object, limits: JsonLimits): Readonly<Record<string, unknown>> => {
  let out: Record<string, unknown>
  try {
    out = { ...fields }
  } catch {
    // a getter or a proxy trap threw while copying: read key by key, as the writer does
    return captureFieldsSlowly(fields, limits)
  }
  for (const k in out) {
    const v = out[k]
    if (isMutable(v)) defineField(out, k, captureAt(v, limits, 0, undefined))
  }
  return out
}

const captureFieldsSlowly = (fields: object, limits: JsonLimits): Readonly<Record<string, unknown>> => {
  const out: Record<string, unknown> = {}
  try {
    for (const k in fields) {
      if (ownKey(fields, k)) defineField(out, k, captureValue(safeRead(fields, k), limits))
    }
  } catch (e) {
    // a proxy that cannot list its keys (or say what it is): what was read stands, and the
    // line says the rest was withheld
    defineField(out, Elided.key, withheld(e))
  }
  return out
}

/** What is written for a value that could not be read: "[Unserializable: [Threw: …]]", as json.ts writes it. */
export const withheld = (e: unknown): string => `[Unserializable: ${thrownNote(e)}]`

/**
 * Fields read late (capture "late", in the worker before the batch is processed) as the
 * writers will find them: the object itself, or, when it cannot list its keys or say what
 * it is (a revoked proxy, a throwing trap), what capture at the call makes of it: what can
 * be read, and the `…` key saying why the rest was withheld.
 */
export const listableFields = <F extends object>(
  fields: F,
  limits: JsonLimits
): F | Readonly<Record<string, unknown>> => {
  // only a proxy can refuse to be listed: an ordinary object costs one native check, no list
  if (!isProxy(fields)) return fields
  try {
    Object.keys(fields)
    Object.getPrototypeOf(fields)
    return fields
  } catch {
    return captureFields(fields, limits)
  }
}

/**
 * Whether the fields argument of a call is an Error (the event's error rather than its
 * fields). `instanceof` asks a proxy for its prototype, which a revoked proxy or a throwing
 * trap refuses: such a value is no Error, and its fields are withheld when captured.
 */
export const isError = (u: unknown): u is Error => {
  try {
    return u instanceof Error
  } catch {
    return false
  }
}

/**
 * Effect's log annotations as fields, each value as of now (`late`: values as they are),
 * after its key's serializer, if it has one.
 */
export const captureAnnotations = (
  annotations: HashMap.HashMap<string, unknown>,
  limits: JsonLimits | undefined,
  serializers?: Serializers | undefined
): Readonly<Record<string, unknown>> => {
  const out: Record<string, unknown> = {}
  for (const [k, value] of annotations) {
    const v = serializers?.has(k) === true ? serializers.run(k, value) : value
    defineField(out, k, limits === undefined ? v : captureValue(v, limits))
  }
  return out
}

/** A log message as of now: a string as it is, anything else as its text. */
export const captureMessage = (message: unknown, text: (m: unknown) => string): unknown => {
  if (typeof message === "string") return message
  try {
    return text(message)
  } catch {
    return "[fapilog: unreadable message]"
  }
}
