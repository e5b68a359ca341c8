import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"

/**
 * The structured form of an error as it appears in output: plain data, safe to
 * serialize, with `cause` chains and the members of an AggregateError (or of an
 * Effect `Cause` with several failures) kept.
 */
export interface ErrorInfo {
  readonly type: string
  readonly message: string
  readonly stack?: string
  readonly code?: string
  readonly cause?: ErrorInfo
  readonly errors?: ReadonlyArray<ErrorInfo>
  /** Other own enumerable properties of the error (a tagged error's fields, `status`, ...). */
  readonly details?: Readonly<Record<string, unknown>>
}

/**
 * An error as it was when it was logged (see `capture.ts`): its ErrorInfo, read at the
 * call. It is an Error to `instanceof`, with the original's `name`, `message` and `stack`,
 * so code that looks for errors among a event's fields still finds one; it is made without
 * running Error's constructor, which would record a stack trace of its own.
 */
export class CapturedError extends Error {
  declare readonly info: ErrorInfo

  static of(info: ErrorInfo): CapturedError {
    const e = Object.create(CapturedError.prototype) as CapturedError
    const hidden = (key: string, value: unknown) =>
      Object.defineProperty(e, key, { value, enumerable: false, writable: true, configurable: true })
    hidden("info", info)
    hidden("name", info.type)
    hidden("message", info.message)
    if (info.stack !== undefined) hidden("stack", info.stack)
    return e
  }
}

const KNOWN_KEYS = new Set(["_tag", "name", "message", "stack", "code", "cause", "errors"])
const MAX_DETAILS = 50

const MAX_CAUSE_DEPTH = 8
const MAX_AGGREGATE = 50

const read = (o: object, key: string): unknown => {
  try {
    return (o as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

/** Best-effort text for a thrown value that is not an Error; never throws. */
export const describe = (u: unknown): string => {
  if (typeof u === "string") return u
  try {
    const json = JSON.stringify(u)
    if (typeof json === "string") return json
  } catch {
    // fall through to the tag below (cycles, BigInt, throwing toJSON)
  }
  try {
    return String(u)
  } catch {
    return Object.prototype.toString.call(u)
  }
}

const typeName = (u: unknown): string => {
  if (u === null) return "null"
  if (typeof u !== "object") return typeof u
  try {
    const ctor = Object.getPrototypeOf(u)?.constructor
    return typeof ctor?.name === "string" && ctor.name !== "" ? ctor.name : "Object"
  } catch {
    return "Object"
  }
}

/**
 * The type of an error: its `name` when the error or its own class set it, else the name of
 * its class. `class ValidationError extends Error {}` inherits `name` ("Error") from
 * `Error.prototype`, yet ECS (`error.type`: the class name), OpenTelemetry (`exception.type`)
 * and pino (`err.type`: the constructor's name) all call it `ValidationError`. A `name` found
 * on the instance or on its direct prototype (`TypeError.prototype`, a class that assigns
 * `name`, `DOMException`'s `AbortError`) is the error's own choice and is kept.
 */
const errorType = (err: object, name: unknown): string => {
  if (typeof name !== "string" || name === "") return typeName(err)
  try {
    if (Object.hasOwn(err, "name")) return name
    const proto: unknown = Object.getPrototypeOf(err)
    if (typeof proto !== "object" || proto === null || Object.hasOwn(proto, "name")) return name
    const ctor = read(proto, "constructor")
    const ctorName = typeof ctor === "function" ? read(ctor, "name") : undefined
    return typeof ctorName === "string" && ctorName !== "" ? ctorName : name
  } catch {
    // a proxy that refuses to describe itself keeps the name it gave
    return name
  }
}

const isErrorLike = (u: unknown): u is object => {
  if (u instanceof Error) return true
  if (typeof u !== "object" || u === null) return false
  return typeof read(u, "message") === "string" && typeof read(u, "stack") === "string"
}

const fromError = (err: object, depth: number, seen: Set<unknown>): ErrorInfo => {
  seen.add(err)
  const tag = read(err, "_tag")
  const name = read(err, "name")
  const message = read(err, "message")
  const stack = read(err, "stack")
  const code = read(err, "code")
  const info: {
    type: string
    message: string
    stack?: string
    code?: string
    cause?: ErrorInfo
    errors?: ReadonlyArray<ErrorInfo>
    details?: Record<string, unknown>
  } = {
    type: typeof tag === "string" ? tag : errorType(err, name),
    message: typeof message === "string" ? message : message === undefined ? "" : describe(message)
  }
  if (typeof stack === "string") info.stack = stack
  if (typeof code === "string" || typeof code === "number") info.code = String(code)
  const cause = read(err, "cause")
  if (cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    info.cause = seen.has(cause)
      ? { type: "Circular", message: "[Circular cause]" }
      : toErrorInfoAt(cause, depth + 1, seen)
  }
  const errors = read(err, "errors")
  if (Array.isArray(errors) && depth < MAX_CAUSE_DEPTH) {
    const list: Array<ErrorInfo> = []
    for (let i = 0; i < errors.length && i < MAX_AGGREGATE; i++) {
      const e = errors[i]
      list.push(seen.has(e) ? { type: "Circular", message: "[Circular]" } : toErrorInfoAt(e, depth + 1, seen))
    }
    info.errors = list
  }
  let keys: ReadonlyArray<string> = []
  try {
    keys = Object.keys(err)
  } catch {
    // a proxy that refuses to list its keys has no details to give
  }
  for (const k of keys) {
    if (KNOWN_KEYS.has(k)) continue
    const v = read(err, k)
    if (v === undefined || typeof v === "function") continue
    const details = (info.details ??= {})
    if (Object.keys(details).length >= MAX_DETAILS) break
    Object.defineProperty(details, k, { value: v, enumerable: true, writable: true, configurable: true })
  }
  return info
}

const fromCause = (cause: Cause.Cause<unknown>, depth: number, seen: Set<unknown>): ErrorInfo => {
  const all = [
    ...Chunk.toReadonlyArray(Cause.failures(cause)),
    ...Chunk.toReadonlyArray(Cause.defects(cause))
  ]
  if (all.length === 0) {
    return Cause.isInterrupted(cause)
      ? { type: "Interrupted", message: "The fiber was interrupted" }
      : { type: "Cause", message: "Empty cause" }
  }
  if (all.length === 1) return toErrorInfoAt(all[0], depth, seen)
  return {
    type: "Cause",
    message: `${all.length} errors`,
    errors: all.slice(0, MAX_AGGREGATE).map((e) => toErrorInfoAt(e, depth + 1, seen))
  }
}

const toErrorInfoAt = (u: unknown, depth: number, seen: Set<unknown>): ErrorInfo => {
  try {
    if (u instanceof CapturedError) return u.info
    if (Cause.isCause(u)) return fromCause(u, depth, seen)
    if (isErrorLike(u)) return fromError(u, depth, seen)
    return { type: typeName(u), message: describe(u) }
  } catch {
    return { type: "Unknown", message: "[unreadable error]" }
  }
}

/**
 * Converts anything thrown or failed with (an Error, an Effect `Cause`, a string, an
 * object) into an `ErrorInfo`. Never throws; cycles in `cause` chains are cut.
 */
export const toErrorInfo = (u: unknown): ErrorInfo => toErrorInfoAt(u, 0, new Set())
