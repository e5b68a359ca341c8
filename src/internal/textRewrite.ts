/**
 * Text processors: one function applied to every string of an event (its message, every
 * string value at any depth of its fields, the texts of its error), for scrubbers such as
 * the `pii` plugin.
 *
 * The walk never changes what it is given: a value in which nothing changed is returned as
 * it is (the same object), and a container is copied only when something inside it changed
 * (copy on write), so an event in which nothing is rewritten costs one read of its strings
 * and no allocation.
 *
 * It runs on records (see {@link TextWalk.record}), without building the structured event
 * that `process` processors are given: the message, each field source and the error are
 * rewritten in place of the record's own copies. A child logger's bindings (and the batch's
 * enrichment) are shared by many records, so their rewritten copy is remembered: the rewrite
 * must give the same result for the same text.
 */
import type { ErrorInfo, LogEvent } from "../LogEvent.js"
import { defineField } from "./capture.js"
import { CapturedError, toErrorInfo } from "./errorInfo.js"
import { Elided, KeyText, ownKey, ThrewWhileReading } from "./json.js"
import { Bindings, type Fields, type LogRecord, messageText } from "./record.js"

/** What a rewrite returns to leave a string out: its field or array item goes, a message or an error text becomes "". */
export const removed: unique symbol = Symbol.for("fapilog/Processor/removed")

/** A text processor's function: the same string to keep it, another to replace it, or {@link removed}. */
export type Rewrite = (text: string) => string | typeof removed

/** A value the walk could not scan: where, and why. */
export class Unscannable extends Error {
  constructor(
    /** Where: `message`, `error`, or `fields.<top-level key>`. */
    readonly path: string,
    /** Why: nested too deep, a cycle, too many values, or reading it threw. */
    readonly reason: string
  ) {
    super(`cannot scan ${path}: ${reason}`)
    this.name = "Unscannable"
  }
}

/** The most objects and arrays scanned in one event (capture keeps far fewer). */
export const MAX_VALUES = 100_000

/** Messages up to this length have their rewrites remembered... */
const MAX_REMEMBERED_MESSAGE = 256

/** ...this many of them, forgotten all at once when full. */
const MAX_REMEMBERED_MESSAGES = 1024

/** How deep the walk goes by default. */
export const DEFAULT_MAX_DEPTH = 32

export interface TextWalkOptions {
  /** Values nested deeper are unscannable. */
  readonly maxDepth?: number | undefined
  /**
   * What an unscannable value becomes; throwing fails the event (the processor's `onError`
   * then keeps or drops it). By default it becomes "[unscannable]".
   */
  readonly unscannable?: ((error: Unscannable) => unknown) | undefined
}

const UNSCANNABLE = "[unscannable]"

/** What the rewrite threw, carried past the walk's own handling of values that throw. */
class RewriteThrew {
  constructor(readonly error: unknown) {}
}

/** One text processor's walk: the rewrite, its limits, and what it remembers of shared bindings. */
export class TextWalk {
  private readonly maxDepth: number
  private readonly unscannable: (error: Unscannable) => unknown
  // the objects on the path being walked (a cycle is unscannable), and the values left to
  // visit in this event: shared objects could otherwise multiply the walk
  private readonly ancestors: Array<object> = []
  private budget = MAX_VALUES
  // what is being walked, for unscannable values: "fields" or "error"
  private root = "fields"
  private readonly shared = new WeakMap<Bindings, Bindings>()
  // the last snapshot looked up (the batch's enrichment, a busy child's bindings) and its copy
  private lastShared: Bindings | undefined = undefined
  private lastCopy: Bindings | undefined = undefined
  // messages are mostly a program's constant texts: their rewrites are remembered, a bounded number
  private readonly messages = new Map<string, string>()
  private lastMessage: string | undefined = undefined
  private lastRewritten = ""

  constructor(
    private readonly rewrite: Rewrite,
    options: TextWalkOptions = {}
  ) {
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
    this.unscannable = options.unscannable ?? (() => UNSCANNABLE)
  }

  /** The structured event rewritten: the same event when nothing changed. */
  event(e: LogEvent): LogEvent {
    try {
      return this.eventOnce(e)
    } catch (error) {
      throw error instanceof RewriteThrew ? error.error : error
    }
  }

  /**
   * The record rewritten in place (its own copies of values: what it shares with other
   * records is copied on write). Everything is rewritten before anything is assigned, so a
   * walk that throws leaves the record as it was.
   */
  record(r: LogRecord): void {
    try {
      this.recordOnce(r)
    } catch (error) {
      throw error instanceof RewriteThrew ? error.error : error
    }
  }

  private eventOnce(e: LogEvent): LogEvent {
    this.reset()
    const message = this.text(e.message)
    const fields = this.top(e.fields)
    const error = e.error === undefined ? undefined : this.rootError(e.error)
    if (message === e.message && fields === e.fields && error === e.error) return e
    const out = { ...e, message, fields }
    if (error !== undefined) out.error = error
    return out
  }

  private recordOnce(r: LogRecord): void {
    this.reset()
    const m = r.message
    const text = typeof m === "string" ? m : messageText(m)
    const message = this.message(text)
    const fields = this.source(r.fields)
    const annotations = this.source(r.annotations)
    const extra = this.source(r.extra)
    const callSite = this.source(r.callSite)
    const bindings = this.bindings(r.bindings)
    const context = this.bindings(r.context)
    const enrichment = this.bindings(r.enrichment)
    let error = r.error
    if (error !== undefined) {
      const info = error instanceof CapturedError ? error.info : toErrorInfo(error)
      const next = this.rootError(info)
      if (next !== info) error = CapturedError.of(next)
    }
    if (
      message === text &&
      fields === r.fields &&
      annotations === r.annotations &&
      extra === r.extra &&
      callSite === r.callSite &&
      bindings === r.bindings &&
      context === r.context &&
      enrichment === r.enrichment &&
      error === r.error
    )
      return
    if (message !== text) r.message = message
    r.fields = fields
    r.annotations = annotations
    r.extra = extra
    r.callSite = callSite
    r.bindings = bindings
    r.context = context
    r.enrichment = enrichment
    r.error = error
    // a structured event built before, or a line kept, is out of date
    r.event = undefined
    r.kept = undefined
  }

  private reset(): void {
    this.budget = MAX_VALUES
    this.root = "fields"
    // the walk pops what it pushes, even when it throws
  }

  /**
   * The rewrite of one string. What it throws fails the whole walk (the processor's
   * `onError` decides), unlike a value that throws when it is read, which is unscannable.
   */
  private apply(s: string): string | typeof removed {
    // called as a plain function: the walk is not its `this`
    const rewrite = this.rewrite
    try {
      return rewrite(s)
    } catch (e) {
      throw new RewriteThrew(e)
    }
  }

  /** The event's own error. */
  private rootError(info: ErrorInfo): ErrorInfo {
    this.root = "error"
    try {
      return this.errorInfo(info, 0, "")
    } finally {
      this.root = "fields"
    }
  }

  /** A record's message, rewritten once per distinct short text (see {@link messages}). */
  private message(text: string): string {
    // a run of events from one call site: the same text as the last one
    if (text === this.lastMessage) return this.lastRewritten
    if (text.length > MAX_REMEMBERED_MESSAGE) return this.text(text)
    let out = this.messages.get(text)
    if (out === undefined) {
      out = this.text(text)
      if (this.messages.size >= MAX_REMEMBERED_MESSAGES) this.messages.clear()
      this.messages.set(text, out)
    }
    this.lastMessage = text
    this.lastRewritten = out
    return out
  }

  /** A message or an error's text: a removed one is empty. */
  private text(s: string): string {
    const r = this.apply(s)
    return r === removed ? "" : r
  }

  private top(fields: Fields): Fields {
    let out: unknown
    try {
      // plain fields, the usual case (capture's copies), are walked without the checks of
      // nested values: at the top a cycle is found one level down, and there is no depth to
      // speak of. (`constructor` is read from the shape; Object.getPrototypeOf costs more.)
      out =
        (fields as { readonly constructor?: unknown }).constructor === Object
          ? this.object(fields as Record<string, unknown>, 0, "")
          : this.value(fields, 0, "")
    } catch (e) {
      if (e instanceof Unscannable || e instanceof RewriteThrew) throw e
      out = this.cannot("", `reading it threw: ${describe(e)}`)
    }
    // `removed` is for strings, and an unscannable top level becomes an empty object
    return typeof out === "object" && out !== null ? (out as Fields) : {}
  }

  private source(fields: Fields | undefined): Fields | undefined {
    return fields === undefined ? undefined : this.top(fields)
  }

  /** Shared bindings rewritten once: the same snapshot when nothing in it changed. */
  private bindings(b: Bindings | undefined): Bindings | undefined {
    if (b === undefined) return undefined
    if (b === this.lastShared) return this.lastCopy
    let next = this.shared.get(b)
    if (next === undefined) {
      const fields = this.top(b.fields)
      next = fields === b.fields ? b : Bindings.of(fields)
      this.shared.set(b, next)
    }
    this.lastShared = b
    this.lastCopy = next
    return next
  }

  /**
   * A nested value rewritten: the same value when nothing changed, `removed` to leave it out.
   * `field` is the top-level field it is under ("" for the fields themselves): unscannable
   * values name it (building the whole path would cost every event).
   */
  private value(v: unknown, depth: number, field: string): unknown {
    if (typeof v === "string") return this.apply(v)
    if (typeof v !== "object" || v === null) return v
    if (depth >= this.maxDepth) return this.cannot(field, `nested deeper than ${this.maxDepth} levels`)
    if (--this.budget < 0) return this.cannot(field, `more than ${MAX_VALUES} nested values`)
    if (this.ancestors.includes(v)) return this.cannot(field, "holds a cycle")
    this.ancestors.push(v)
    try {
      const proto: unknown = Object.getPrototypeOf(v)
      if (proto === Object.prototype || proto === null)
        return this.object(v as Record<string, unknown>, depth, field)
      if (Array.isArray(v)) return this.array(v, depth, field)
      if (v instanceof Error) return this.error(v, depth, field)
      if (v instanceof Map) return this.map(v, depth, field)
      // no text of the user's: dates, bytes, and the markers capture leaves
      if (
        v instanceof Date ||
        ArrayBuffer.isView(v) ||
        v instanceof Elided ||
        v instanceof KeyText ||
        v instanceof ThrewWhileReading
      )
        return v
      return this.object(v as Record<string, unknown>, depth, field)
    } catch (e) {
      if (e instanceof Unscannable || e instanceof RewriteThrew) throw e
      return this.cannot(field, `reading it threw: ${describe(e)}`)
    } finally {
      this.ancestors.pop()
    }
  }

  private cannot(field: string, reason: string): unknown {
    return this.unscannable(new Unscannable(field === "" ? this.root : `${this.root}.${field}`, reason))
  }

  private array(a: ReadonlyArray<unknown>, depth: number, field: string): unknown {
    let copy: Array<unknown> | undefined
    for (let i = 0; i < a.length; i++) {
      const item = a[i]
      const next = this.item(item, depth, field)
      if (next !== item && copy === undefined) copy = a.slice(0, i)
      if (copy !== undefined && next !== removed) copy.push(next)
    }
    return copy ?? a
  }

  /**
   * An object's own enumerable string keys, rewritten. Most objects hold nothing to rewrite:
   * they are read with `for...in` (which V8 serves from the shape's own key cache, faster
   * than a key array), and copied from the first changed value on (see {@link objectFrom}).
   */
  private object(o: Record<string, unknown>, depth: number, field: string): unknown {
    for (const k in o) {
      if (!ownKey(o, k)) continue
      const item = o[k]
      const next = this.item(item, depth, depth === 0 ? k : field)
      if (next !== item) return this.objectFrom(o, k, next, depth, field)
    }
    return o
  }

  /** A value inside an object or array at `depth`: the same value when nothing changed. */
  private item(item: unknown, depth: number, field: string): unknown {
    return typeof item === "string"
      ? this.apply(item)
      : typeof item === "object" && item !== null
        ? this.value(item, depth + 1, field)
        : item
  }

  /** The copy of `o` whose first changed value is `first` (what the key `changed` now holds). */
  private objectFrom(
    o: Record<string, unknown>,
    changed: string,
    first: unknown,
    depth: number,
    field: string
  ): unknown {
    const copy: Record<string, unknown> = Object.getPrototypeOf(o) === null ? Object.create(null) : {}
    const keys = Object.keys(o)
    let i = 0
    // the keys before it are kept as they are (`for...in` and Object.keys list own keys alike)
    for (; i < keys.length && keys[i] !== changed; i++)
      defineField(copy, keys[i] as string, o[keys[i] as string])
    if (first !== removed) defineField(copy, changed, first)
    for (i++; i < keys.length; i++) {
      const k = keys[i] as string
      const item = o[k]
      const next = this.item(item, depth, depth === 0 ? k : field)
      if (next !== removed) defineField(copy, k, next)
    }
    return copy
  }

  private map(m: ReadonlyMap<unknown, unknown>, depth: number, field: string): unknown {
    let copy: Map<unknown, unknown> | undefined
    let i = 0
    for (const [k, item] of m) {
      const next = this.value(item, depth + 1, field)
      if (next !== item && copy === undefined) copy = new Map([...m].slice(0, i))
      if (copy !== undefined && next !== removed) copy.set(k, next)
      i++
    }
    return copy ?? m
  }

  /**
   * An error among the fields, read as fapilog serialises it (type, message, code, stack,
   * cause, errors, details): itself when nothing in it changed, else a captured error
   * holding the rewritten texts.
   */
  private error(e: Error, depth: number, field: string): unknown {
    const info = e instanceof CapturedError ? e.info : toErrorInfo(e)
    const next = this.errorInfo(info, depth, field)
    return next === info ? e : CapturedError.of(next)
  }

  /** An ErrorInfo rewritten; the same object when unchanged. `field` as for {@link value}. */
  private errorInfo(info: ErrorInfo, depth: number, field: string): ErrorInfo {
    if (depth >= this.maxDepth || --this.budget < 0) {
      const replaced = this.cannot(field, `nested deeper than ${this.maxDepth} levels`)
      return { type: info.type, message: typeof replaced === "string" ? replaced : "" }
    }
    const text = (s: string | undefined): string | undefined => (s === undefined ? undefined : this.text(s))
    const message = text(info.message) as string
    const stack = text(info.stack)
    const code = text(info.code)
    const cause = info.cause === undefined ? undefined : this.errorInfo(info.cause, depth + 1, field)
    let errors = info.errors
    if (errors !== undefined) {
      const next = errors.map((x) => this.errorInfo(x, depth + 1, field))
      if (next.some((x, i) => x !== errors?.[i])) errors = next
    }
    const details =
      info.details === undefined
        ? undefined
        : (this.value(info.details, depth + 1, field) as ErrorInfo["details"])
    if (
      message === info.message &&
      stack === info.stack &&
      code === info.code &&
      cause === info.cause &&
      errors === info.errors &&
      details === info.details
    )
      return info
    const out: { -readonly [K in keyof ErrorInfo]: ErrorInfo[K] } = { type: info.type, message }
    if (code !== undefined) out.code = code
    if (stack !== undefined) out.stack = stack
    if (cause !== undefined) out.cause = cause
    if (errors !== undefined) out.errors = errors
    if (typeof details === "object" && details !== null) out.details = details
    return out
  }
}

const describe = (e: unknown): string => {
  try {
    return e instanceof Error ? e.message : String(e)
  } catch {
    return "an unprintable value"
  }
}
