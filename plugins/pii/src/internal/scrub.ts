/**
 * Scrubbing: the detectors applied to every string of an event, with each detector's action.
 *
 * The walk never changes what it is given: a value in which nothing was found is returned
 * as it is (the same object), and a container is copied only when something inside it
 * changed (copy on write), so an event without personal data costs one read of its strings
 * and no allocation.
 */
import { createHmac } from "node:crypto"
import type { Action } from "./config.js"
import { type Detector, type DetectorName, detectors, profile } from "./detectors.js"

/** A value the walk could not scan: where, and why. */
export class Unscannable extends Error {
  constructor(
    readonly path: string,
    readonly reason: string
  ) {
    super(`cannot scan ${path}: ${reason}`)
    this.name = "Unscannable"
  }
}

/** The most objects and arrays scanned in one event (fapilog's capture keeps far fewer). */
export const MAX_VALUES = 100_000

/** What a string with a removed match and nothing else left becomes: its key or item goes. */
export const REMOVED: unique symbol = Symbol("pii/removed")

export interface ScrubOptions {
  readonly actions: ReadonlyMap<DetectorName, Exclude<Action, "off">>
  readonly key: Buffer | undefined
  readonly censor: string | undefined
  readonly maxDepth: number
  /** What an unscannable value becomes; throwing withholds the event. */
  readonly unscannable: (error: Unscannable) => unknown
}

/** One active detector, with its action prepared. */
interface Active {
  readonly detector: Detector
  readonly replace: (match: string) => string
}

/** The last four letters or digits stay, every other letter or digit becomes `*`. */
export const maskKeepLast4 = (match: string): string => {
  let keep = 4
  const out: Array<string> = new Array(match.length)
  for (let i = match.length - 1; i >= 0; i--) {
    const c = match.charCodeAt(i)
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    if (alnum && keep > 0) {
      keep--
      out[i] = match[i] as string
    } else out[i] = alnum ? "*" : (match[i] as string)
  }
  // four characters or fewer in all: nothing is shown
  return keep > 0 ? "*".repeat(match.length) : out.join("")
}

const replacer = (
  name: DetectorName,
  action: Exclude<Action, "off">,
  options: ScrubOptions
): ((m: string) => string) => {
  switch (action) {
    case "censor": {
      const text = options.censor ?? `[REDACTED:${name}]`
      return () => text
    }
    case "remove":
      return () => ""
    case "mask":
      return maskKeepLast4
    case "hash": {
      const key = options.key
      if (key === undefined) throw new Error("the hash action needs a key")
      // a stable pseudonym: the same value gives the same text under the same key, so events
      // can still be joined on it; 64 bits of the HMAC, the detector's name in front
      return (m) => `[${name}:${createHmac("sha256", key).update(m, "utf8").digest("hex").slice(0, 16)}]`
    }
  }
}

/** The scrubber of one config: `string` for one string, `value` for anything nested. */
export class Scrubber {
  private readonly active: ReadonlyArray<Active>
  private readonly needs: number
  private readonly maxDepth: number
  private readonly unscannable: (error: Unscannable) => unknown
  private readonly removes: boolean
  // spans found in the current string: start, end, index in `active` (reused, never shared)
  private readonly spans: Array<number> = []
  // the objects on the path being walked (a cycle is unscannable), and the values left to
  // visit in this event: shared objects could otherwise multiply the walk
  private readonly ancestors: Array<object> = []
  private budget = 0

  constructor(options: ScrubOptions) {
    this.active = detectors
      .filter((d) => options.actions.has(d.name))
      .map((detector) => ({
        detector,
        replace: replacer(
          detector.name,
          options.actions.get(detector.name) as Exclude<Action, "off">,
          options
        )
      }))
    this.needs = this.active.reduce((bits, a) => bits | a.detector.needs, 0)
    this.maxDepth = options.maxDepth
    this.unscannable = options.unscannable
    this.removes = [...options.actions.values()].includes("remove")
  }

  /**
   * `s` with every match replaced, `s` itself when nothing matched, or `REMOVED` when the
   * string was nothing but removed matches.
   */
  string(s: string): string | typeof REMOVED {
    const bits = profile(s)
    if ((bits & this.needs) === 0) return s
    const spans = this.spans
    spans.length = 0
    const active = this.active
    for (let d = 0; d < active.length; d++) {
      const detector = (active[d] as Active).detector
      if ((bits & detector.needs) === 0) continue
      detector.find(s, bits, (start, end) => {
        if (end > start) spans.push(start, end, d)
      })
    }
    if (spans.length === 0) return s
    // order by start, then by the detectors' order; a match overlapping an earlier one loses
    const order: Array<number> = []
    for (let k = 0; k < spans.length; k += 3) order.push(k)
    if (order.length > 1)
      order.sort(
        (a, b) =>
          (spans[a] as number) - (spans[b] as number) || (spans[a + 2] as number) - (spans[b + 2] as number)
      )
    let out = ""
    let at = 0
    for (const k of order) {
      const start = spans[k] as number
      const end = spans[k + 1] as number
      if (start < at) continue
      out += s.slice(at, start) + (active[spans[k + 2] as number] as Active).replace(s.slice(start, end))
      at = end
    }
    out += s.slice(at)
    spans.length = 0
    return this.removes && out.trim() === "" ? REMOVED : out
  }

  /** A nested value scrubbed: the same value when nothing changed, `REMOVED` to leave it out. */
  value(v: unknown, depth: number, path: string): unknown {
    if (typeof v === "string") return this.string(v)
    if (typeof v !== "object" || v === null) return v
    if (depth >= this.maxDepth)
      return this.unscannable(new Unscannable(path, `nested deeper than ${this.maxDepth} levels`))
    if (--this.budget < 0)
      return this.unscannable(new Unscannable(path, `more than ${MAX_VALUES} nested values`))
    if (this.ancestors.includes(v)) return this.unscannable(new Unscannable(path, "holds a cycle"))
    this.ancestors.push(v)
    try {
      if (Array.isArray(v)) return this.array(v, depth, path)
      if (v instanceof Error) return this.error(v, depth, path)
      if (v instanceof Map) return this.map(v, depth, path)
      if (v instanceof Date || ArrayBuffer.isView(v)) return v
      return this.object(v as Record<string, unknown>, depth, path)
    } catch (e) {
      if (e instanceof Unscannable) throw e
      return this.unscannable(new Unscannable(path, `reading it threw: ${describe(e)}`))
    } finally {
      this.ancestors.pop()
    }
  }

  /** The fields of an event (an object), scrubbed. */
  fields(fields: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
    this.budget = MAX_VALUES
    this.ancestors.length = 0
    const out = this.value(fields, 0, "fields")
    // `REMOVED` is for strings, and an unscannable top level becomes an empty object
    return typeof out === "object" && out !== null ? (out as Readonly<Record<string, unknown>>) : {}
  }

  private array(a: ReadonlyArray<unknown>, depth: number, path: string): unknown {
    let copy: Array<unknown> | undefined
    for (let i = 0; i < a.length; i++) {
      const item = a[i]
      const next = this.value(item, depth + 1, path)
      if (next !== item && copy === undefined) copy = a.slice(0, i)
      if (copy !== undefined && next !== REMOVED) copy.push(next)
    }
    return copy ?? a
  }

  private object(o: Record<string, unknown>, depth: number, path: string): unknown {
    let copy: Record<string, unknown> | undefined
    const keys = Object.keys(o)
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string
      const item = o[k]
      // the path names the top-level field (building the whole path would cost every event)
      const next = this.value(item, depth + 1, depth === 0 ? `fields.${k}` : path)
      if (next === item) {
        if (copy !== undefined) define(copy, k, item)
        continue
      }
      if (copy === undefined) {
        copy = Object.getPrototypeOf(o) === null ? Object.create(null) : {}
        for (let j = 0; j < i; j++)
          define(copy as Record<string, unknown>, keys[j] as string, o[keys[j] as string])
      }
      if (next !== REMOVED) define(copy as Record<string, unknown>, k, next)
    }
    return copy ?? o
  }

  private map(m: ReadonlyMap<unknown, unknown>, depth: number, path: string): unknown {
    let copy: Map<unknown, unknown> | undefined
    let i = 0
    for (const [k, item] of m) {
      const next = this.value(item, depth + 1, path)
      if (next !== item && copy === undefined) copy = new Map([...m].slice(0, i))
      if (copy !== undefined && next !== REMOVED) copy.set(k, next)
      i++
    }
    return copy ?? m
  }

  /**
   * An error among the fields, as fapilog serialises it (type, message, code, stack, cause,
   * errors, details): itself when nothing in it matched, else that shape as a plain object.
   */
  private error(e: Error, depth: number, path: string): unknown {
    const info = errorInfoOf(e)
    const next = this.errorInfo(info, depth, path)
    return next === info ? e : next
  }

  /** The top-level error of an event (its ErrorInfo), scrubbed; the same object when unchanged. */
  errorInfo(info: ErrorInfoLike, depth: number, path: string): ErrorInfoLike {
    if (depth >= this.maxDepth || --this.budget < 0) {
      const replaced = this.unscannable(new Unscannable(path, `nested deeper than ${this.maxDepth} levels`))
      return { type: info.type, message: typeof replaced === "string" ? replaced : "" }
    }
    const text = (s: string | undefined): string | undefined => {
      if (s === undefined) return undefined
      const r = this.string(s)
      return r === REMOVED ? "" : r
    }
    const message = text(info.message) as string
    const stack = text(info.stack)
    const code = text(info.code)
    const cause = info.cause === undefined ? undefined : this.errorInfo(info.cause, depth + 1, path)
    let errors = info.errors
    if (errors !== undefined) {
      const next = errors.map((x) => this.errorInfo(x, depth + 1, path))
      if (next.some((x, i) => x !== errors?.[i])) errors = next
    }
    const details =
      info.details === undefined
        ? undefined
        : (this.value(info.details, depth + 1, path) as ErrorInfoLike["details"])
    if (
      message === info.message &&
      stack === info.stack &&
      code === info.code &&
      cause === info.cause &&
      errors === info.errors &&
      details === info.details
    )
      return info
    const out: { -readonly [K in keyof ErrorInfoLike]: ErrorInfoLike[K] } = { type: info.type, message }
    if (code !== undefined) out.code = code
    if (stack !== undefined) out.stack = stack
    if (cause !== undefined) out.cause = cause
    if (errors !== undefined) out.errors = errors
    if (typeof details === "object" && details !== null) out.details = details
    return out
  }
}

/** fapilog's ErrorInfo, the shape of an event's `error` and of an error written among fields. */
export interface ErrorInfoLike {
  readonly type: string
  readonly message: string
  readonly stack?: string
  readonly code?: string
  readonly cause?: ErrorInfoLike
  readonly errors?: ReadonlyArray<ErrorInfoLike>
  readonly details?: Readonly<Record<string, unknown>>
}

const isErrorInfo = (u: unknown): u is ErrorInfoLike =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as ErrorInfoLike).type === "string" &&
  typeof (u as ErrorInfoLike).message === "string"

/** A captured error's ErrorInfo (fapilog keeps it as `info`); any other error read as one. */
const errorInfoOf = (e: Error): ErrorInfoLike => {
  const info: unknown = (e as { readonly info?: unknown }).info
  if (isErrorInfo(info)) return info
  const out: { -readonly [K in keyof ErrorInfoLike]: ErrorInfoLike[K] } = {
    type: String(e.name),
    message: String(e.message)
  }
  if (typeof e.stack === "string") out.stack = e.stack
  return out
}

const define = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

const describe = (e: unknown): string => {
  try {
    return e instanceof Error ? e.message : String(e)
  } catch {
    return "an unprintable value"
  }
}
