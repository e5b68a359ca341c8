import * as Cause from "effect/Cause"
import * as List from "effect/List"
import type { LogEvent } from "../LogEvent.js"
import { captureFields, captureValue, defineField, withheld } from "./capture.js"
import { CapturedError, type ErrorInfo, toErrorInfo } from "./errorInfo.js"
import {
  defaultLimits,
  Elided,
  isRememberable,
  type JsonLimits,
  KeyTable,
  ownKey,
  quote,
  redactText,
  safeRead,
  stringify
} from "./json.js"
import { type LevelInfo, levels } from "./level.js"
import { defaultLineKeys, fixedCoreKeys, type LineKeys } from "./lineKeys.js"
import { type CompiledRedaction, matches, type PathNode, redactValue } from "./redact.js"

/** User data attached to an event: call-site fields, child bindings, context, annotations. */
export type Fields = Readonly<Record<string, unknown>>

/**
 * A log span as a record keeps it: its label and when it started (the shape of Effect 3's
 * `LogSpan`; the Effect 4 bridge builds these from the fiber's label and start pairs).
 */
export interface LogSpan {
  readonly label: string
  readonly startTime: number
}

/**
 * Keys that belong to fapilog in the JSON line. A user key with one of these names never
 * overwrites the core value: `correlationId`, `traceId` and `spanId` holding a string fill
 * the core slot when it is empty (and are dropped when they repeat its value), an Error under `error` (or `err`) becomes the core
 * `error`, and everything else is kept under the `fields` object of the line.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["timestamp", "level", "message", ...fixedCoreKeys])

/** A user key the event's core may take: a reserved name, or `err` (taken when it holds an error). */
export const isCoreKey = (k: string): boolean => RESERVED_KEYS.has(k) || k === "err"

/**
 * The parts of a record that most events have none of (Effect annotations and spans, an
 * error, enricher results, what processors and the size guard add): held in one object made
 * when the first of them is set, so that a record without any holds 72 bytes less while it
 * waits for its batch (a tenth of a million waiting calls: 7 MB less for the collector).
 */
class RareParts {
  annotations: Fields | undefined = undefined
  error: unknown = undefined
  spans: List.List<LogSpan> | undefined = undefined
  extra: Fields | undefined = undefined
  callSite: Fields | undefined = undefined
  correlationId: string | undefined = undefined
  truncatedTo: JsonLimits | undefined = undefined
  givenId: string | undefined = undefined
  event: LogEvent | undefined = undefined
  kept: KeptLine | undefined = undefined
}

/**
 * One accepted event as the pipeline holds it: the core values, given to the constructor,
 * and the optional parts, set by the code that accepts the event (the facade, the Effect
 * logger) before it is offered, and never changed after that except for the two the
 * pipeline adds (`enrichment`, `extra`). Every part holds the values of the call: the
 * caller's own objects are captured (`capture.ts`) unless the logger reads late.
 * Merging, serialization and error conversion happen later, per batch.
 *
 * The parts most events have are fields of the record; the others are read and set through
 * accessors, in {@link RareParts}.
 */
export class LogRecord {
  /** Call-site fields (highest precedence). */
  fields: Fields | undefined = undefined
  /** Child-logger bindings (above enrichment, below context, annotations and call fields). */
  bindings: Bindings | undefined = undefined
  /** `withContext` fields. */
  context: Bindings | undefined = undefined
  traceId: string | undefined = undefined
  spanId: string | undefined = undefined
  /** Built-in enricher fields (hostname, service, runtime, ...), set by the pipeline; lowest precedence. */
  enrichment: Bindings | undefined = undefined
  /** The event's id is `idPrefix` and `seq`, given when it was accepted (see {@link eventId}). */
  idPrefix = ""
  seq = 0
  private rare: RareParts | undefined = undefined

  constructor(
    /** Epoch milliseconds. */
    readonly time: number,
    readonly level: LevelInfo,
    /** A string, or (Effect) any value, as text when captured; a text processor may replace it. */
    public message: unknown,
    readonly logger: string
  ) {}

  /** Sets a rare part: the object is made for the first value, never for undefined. */
  private setPart<K extends keyof RareParts>(key: K, value: RareParts[K]): void {
    if (value !== undefined) (this.rare ??= new RareParts())[key] = value
    else if (this.rare !== undefined) this.rare[key] = value
  }

  /** Effect log annotations. */
  get annotations(): Fields | undefined {
    return this.rare?.annotations
  }
  set annotations(v: Fields | undefined) {
    this.setPart("annotations", v)
  }
  /** An Error, an Effect Cause or any thrown value (captured: a CapturedError); undefined when there is none. */
  get error(): unknown {
    return this.rare?.error
  }
  set error(v: unknown) {
    this.setPart("error", v)
  }
  get spans(): List.List<LogSpan> | undefined {
    return this.rare?.spans
  }
  set spans(v: List.List<LogSpan> | undefined) {
    this.setPart("spans", v)
  }
  /** Fields returned by custom enrichers, set by the pipeline; above `enrichment`, below call-site enrichers. */
  get extra(): Fields | undefined {
    return this.rare?.extra
  }
  set extra(v: Fields | undefined) {
    this.setPart("extra", v)
  }
  /** Fields returned by call-site enrichers, captured at the call; above `extra`, below bindings. */
  get callSite(): Fields | undefined {
    return this.rare?.callSite
  }
  set callSite(v: Fields | undefined) {
    this.setPart("callSite", v)
  }
  /** The correlation id, when the caller's code gave it outside the fields (a processor's new event). */
  get correlationId(): string | undefined {
    return this.rare?.correlationId
  }
  set correlationId(v: string | undefined) {
    this.setPart("correlationId", v)
  }
  /** Set by the size guard: the event is written within these tight limits and marked truncated. */
  get truncatedTo(): JsonLimits | undefined {
    return this.rare?.truncatedTo
  }
  set truncatedTo(v: JsonLimits | undefined) {
    this.setPart("truncatedTo", v)
  }
  /** An id carried over from elsewhere (an event a processor made to replace this one). */
  get givenId(): string | undefined {
    return this.rare?.givenId
  }
  set givenId(v: string | undefined) {
    this.setPart("givenId", v)
  }
  /** The unredacted structured event, built once for the processors that read events. */
  get event(): LogEvent | undefined {
    return this.rare?.event
  }
  set event(v: LogEvent | undefined) {
    this.setPart("event", v)
  }
  /** Its JSON line, kept by the size guard that measured it, for the sinks that write it (see {@link keepJsonLine}). */
  get kept(): KeptLine | undefined {
    return this.rare?.kept
  }
  set kept(v: KeptLine | undefined) {
    this.setPart("kept", v)
  }
}

/** The stable id of a record's event: assigned when it was accepted, kept through processors, spool and replay. */
export const eventId = (r: LogRecord): string | undefined =>
  r.givenId ?? (r.seq === 0 ? undefined : `${r.idPrefix}${r.seq}`)

/** The optional parts of a record, by name, for {@link recordOf}. */
export interface RecordParts {
  readonly time?: number | undefined
  readonly logger?: string | undefined
  readonly fields?: Fields | undefined
  /** Child bindings as a plain object (snapshotted into Bindings). */
  readonly bindings?: Fields | undefined
  /** `withContext` fields as a plain object. */
  readonly context?: Fields | undefined
  /** Effect annotations as a plain object. */
  readonly annotations?: Fields | undefined
  readonly error?: unknown
  readonly traceId?: string | undefined
  readonly spanId?: string | undefined
  readonly spans?: List.List<LogSpan> | undefined
}

/**
 * A record from named parts, held as given (not captured): for fapilog's own summary
 * events, which build fresh objects, and for tests and plugin test kits.
 */
export const recordOf = (level: LevelInfo, message: unknown, parts: RecordParts = {}): LogRecord => {
  const r = new LogRecord(parts.time ?? Date.now(), level, message, parts.logger ?? "app")
  r.fields = parts.fields
  if (parts.bindings !== undefined) r.bindings = Bindings.extend(undefined, parts.bindings)
  if (parts.context !== undefined) r.context = Bindings.extend(undefined, parts.context)
  r.annotations = parts.annotations
  r.error = parts.error
  r.traceId = parts.traceId
  r.spanId = parts.spanId
  r.spans = parts.spans
  return r
}

const ownKeys = (o: object): ReadonlyArray<string> => {
  try {
    return Object.keys(o)
  } catch {
    return []
  }
}

/** What one source of fields contributes to a JSON line. */
interface Written {
  /** `,"key":value` for every ordinary key, in order. */
  readonly fragment: string
  /** Reserved-name entries, resolved against the event's core slots. */
  readonly specials: ReadonlyArray<readonly [string, unknown]> | undefined
}

/**
 * An immutable snapshot of bound fields (a child logger's bindings or a `withContext`
 * scope), serialized once when it is created so that each event pays only a string
 * concatenation for it.
 */
export class Bindings {
  private jsonLimits: JsonLimits
  private jsonRedact: CompiledRedaction | undefined = undefined
  private json: Written
  private overlapWith: Bindings | undefined = undefined
  private overlap: ReadonlySet<string> | undefined = undefined

  private constructor(
    /** Own, non-undefined values; a null-prototype object so no key is special. */
    readonly fields: Readonly<Record<string, unknown>>,
    /** The keys of `fields`, in order. */
    readonly keys: ReadonlyArray<string>
  ) {
    this.jsonLimits = defaultLimits
    this.json = written(fields, keys, undefined, defaultLimits, undefined)
  }

  /**
   * A new snapshot holding `parent`'s fields overridden by `add`'s own enumerable ones, each
   * value captured as it is now (bounded by `limits`).
   */
  static extend(parent: Bindings | undefined, add: unknown, limits: JsonLimits = defaultLimits): Bindings {
    const fields: Record<string, unknown> = Object.create(null)
    if (parent !== undefined) for (const k of parent.keys) fields[k] = parent.fields[k]
    if (typeof add === "object" && add !== null) {
      let keys: ReadonlyArray<string>
      try {
        keys = Object.keys(add)
      } catch (e) {
        // bindings that cannot be listed (a revoked proxy): the line says they were withheld
        keys = []
        fields[Elided.key] = withheld(e)
      }
      for (const k of keys) {
        const v = safeRead(add, k)
        if (v === undefined) delete fields[k]
        else fields[k] = captureValue(v, limits)
      }
    }
    return new Bindings(fields, Object.keys(fields))
  }

  /**
   * A snapshot of fields already captured (a text processor's rewritten copy of another
   * snapshot's): taken as they are, not captured again.
   */
  static of(fields: Readonly<Record<string, unknown>>): Bindings {
    const own: Record<string, unknown> = Object.create(null)
    for (const k of Object.keys(fields)) own[k] = fields[k]
    return new Bindings(own, Object.keys(own))
  }

  /** Whether this snapshot holds `key`. */
  has(key: string): boolean {
    return key in this.fields
  }

  written(limits: JsonLimits, redact: CompiledRedaction | undefined): Written {
    if (limits !== this.jsonLimits || redact !== this.jsonRedact) {
      this.jsonLimits = limits
      this.jsonRedact = redact
      this.json = written(this.fields, this.keys, undefined, limits, redact)
    }
    return this.json
  }

  /** Keys of `lower` shadowed by this snapshot, remembered for the last pair seen. */
  shadowsIn(lower: Bindings): ReadonlySet<string> | undefined {
    if (this.overlapWith !== lower) {
      let found: Set<string> | undefined
      for (const k of this.keys) if (lower.has(k)) (found ??= new Set()).add(k)
      this.overlapWith = lower
      this.overlap = found
    }
    return this.overlap
  }
}

/**
 * What writing a top-level key involves: its `,"key":` prefix, whether the name is reserved,
 * and what redaction says of it (remembered per key name in a {@link KeyTable}).
 */
interface KeyPlan {
  /** `,"key":` */
  readonly prefix: string
  /** {@link prefix} as UTF-8 bytes, for the byte-writing formatter. */
  readonly prefixBytes: Uint8Array
  /** {@link prefix} escaped as within a JSON string, as UTF-8 bytes (a line written as a string value). */
  readonly prefixStringBytes: Uint8Array
  /** One of the reserved names, or `err` (reserved when it holds an error). */
  readonly special: boolean
  /** The redaction trie below this key. */
  readonly node: PathNode | undefined
  /** Redaction matches the key itself: its value is censored or the key removed. */
  readonly matched: boolean
}

const makePlan = (k: string, redact: CompiledRedaction | undefined, maxLength: number): KeyPlan => {
  const node = redact?.root?.next(k)
  const prefix = `,${quote(k, maxLength)}:`
  return {
    prefix,
    prefixBytes: utf8.encode(prefix),
    prefixStringBytes: utf8.encode(JSON.stringify(prefix).slice(1, -1)),
    special: isCoreKey(k),
    node,
    matched: redact !== undefined && matches(redact, node, k)
  }
}

const utf8 = new TextEncoder()

const plans = new KeyTable<KeyPlan>((k, redact) => makePlan(k, redact, defaultLimits.maxStringLength))

/** The plan of `k`: remembered unless a limit could cut the key. */
export const planOf = (k: string, limits: JsonLimits, redact: CompiledRedaction | undefined): KeyPlan =>
  isRememberable(k, limits) ? plans.get(k, redact) : makePlan(k, redact, limits.maxStringLength)

/**
 * Writes the ordinary keys of one source as `,"key":value` and routes reserved-name keys:
 * claimed into `core` when writing an event, or collected into `specials` when a Bindings
 * snapshot is serialized ahead of time.
 */
const writeSource = (
  o: object,
  keys: ReadonlyArray<string> | undefined,
  skip: ReadonlySet<string> | undefined,
  limits: JsonLimits,
  redact: CompiledRedaction | undefined,
  core: Core | undefined,
  specials: Array<readonly [string, unknown]> | undefined
): string => {
  let fragment = ""
  if (keys !== undefined) {
    for (const k of keys) fragment += writeKey(o, k, skip, limits, redact, core, specials)
    return fragment
  }
  // own enumerable keys without copying them into an array (see writePlain in json.ts)
  try {
    for (const k in o) if (ownKey(o, k)) fragment += writeKey(o, k, skip, limits, redact, core, specials)
  } catch {
    // a proxy that cannot list its keys: what was written stands
  }
  return fragment
}

/** `,"key":value` for one key of a source, or "" when it is skipped, empty or claimed. */
const writeKey = (
  o: object,
  k: string,
  skip: ReadonlySet<string> | undefined,
  limits: JsonLimits,
  redact: CompiledRedaction | undefined,
  core: Core | undefined,
  specials: Array<readonly [string, unknown]> | undefined
): string => {
  if (skip?.has(k)) return ""
  let v = safeRead(o, k)
  if (v === undefined) return ""
  const plan = planOf(k, limits, redact)
  if (plan.matched) {
    if ((redact as CompiledRedaction).remove) return ""
    v = (redact as CompiledRedaction).censor
  }
  if (plan.special && (k !== "err" || isErrorValue(v))) {
    if (core === undefined) specials?.push([k, v])
    else if (!claim(core, k, v)) collide(core, k, v)
    return ""
  }
  // a name this sink writes a core value under (`severity`): the user's value goes under `fields`
  if (core?.reserved?.has(k) === true) {
    collide(core, k, v)
    return ""
  }
  const json = stringify(v, limits, redact, plan.node)
  return json === undefined ? "" : plan.prefix + json
}

const written = (
  o: object,
  keys: ReadonlyArray<string>,
  skip: ReadonlySet<string> | undefined,
  limits: JsonLimits,
  redact: CompiledRedaction | undefined
): Written => {
  const specials: Array<readonly [string, unknown]> = []
  const fragment = writeSource(o, keys, skip, limits, redact, undefined, specials)
  return { fragment, specials: specials.length > 0 ? specials : undefined }
}

/** The core slots of one event while its sources are merged. */
interface Core {
  correlationId: string | undefined
  traceId: string | undefined
  spanId: string | undefined
  error: unknown
  collisions: Record<string, unknown> | undefined
  /** The sink's own core key names beyond fapilog's ({@link LineKeys.reserved}). */
  reserved: ReadonlySet<string> | undefined
}

const isErrorValue = (v: unknown): boolean => v instanceof Error || Cause.isCause(v)

/** Resolves a reserved-name user entry against the core slots; identical for JSON and the model. */
const claim = (core: Core, key: string, value: unknown): boolean => {
  switch (key) {
    case "correlationId":
    case "traceId":
    case "spanId":
      // the same id twice (a request's bound trace id beside its active span's) is one fact
      if (typeof value === "string" && (core[key] === undefined || core[key] === value)) {
        core[key] = value
        return true
      }
      return false
    case "error":
    case "err":
      if (core.error === undefined && isErrorValue(value)) {
        core.error = value
        return true
      }
      return false
    default:
      return false
  }
}

const collide = (core: Core, key: string, value: unknown): void => {
  defineField((core.collisions ??= {}), key, value)
}

/**
 * One source of user fields: a pre-serialized Bindings snapshot or a plain object, with the
 * keys that a higher-precedence source overrides.
 */
interface Source {
  readonly bindings: Bindings | undefined
  readonly fields: Fields | undefined
  skip: Set<string> | undefined
}

const sourceHas = (src: Source, k: string): boolean =>
  src.bindings !== undefined ? src.bindings.has(k) : has(src.fields, k)

const has = (o: Fields | undefined, k: string): boolean => o !== undefined && Object.hasOwn(o, k)

const pushBindings = (list: Array<Source>, b: Bindings | undefined) => {
  if (b !== undefined && b.keys.length > 0) list.push({ bindings: b, fields: undefined, skip: undefined })
}
const pushFields = (list: Array<Source>, o: Fields | undefined) => {
  if (o !== undefined) list.push({ bindings: undefined, fields: o, skip: undefined })
}

/** A record's sources of user fields, lowest precedence first, without the keys they shadow. */
const sourceList = (r: LogRecord): Array<Source> => {
  const list: Array<Source> = []
  pushBindings(list, r.enrichment)
  pushFields(list, r.extra)
  pushFields(list, r.callSite)
  pushBindings(list, r.bindings)
  pushBindings(list, r.context)
  pushFields(list, r.annotations)
  pushFields(list, r.fields)
  return list
}

/**
 * The value the merged user fields of `r` hold under `key` (the highest source that holds
 * it wins, as in output), without merging them; undefined when none does. For a processor
 * that reads one key of every event (fingers-crossed's context), where `materialize` would
 * build the whole event.
 */
export const userValue = (r: LogRecord, key: string): unknown => {
  const list = sourceList(r)
  for (let i = list.length - 1; i >= 0; i--) {
    const src = list[i] as Source
    if (src.bindings !== undefined) {
      if (src.bindings.has(key)) return src.bindings.fields[key]
    } else if (has(src.fields, key)) return safeRead(src.fields as Fields, key)
  }
  return undefined
}

/**
 * The sources of a record's user fields, lowest precedence first: built-in enrichment,
 * custom enrichers, call-site enrichers, child bindings, `withContext`, Effect annotations,
 * call-site fields.
 * Each key is kept only in the highest source that holds it.
 */
const sourcesOf = (r: LogRecord): ReadonlyArray<Source> => {
  const list = sourceList(r)
  for (let i = list.length - 1; i > 0; i--) {
    const upper = list[i] as Source
    for (let j = 0; j < i; j++) {
      const lower = list[j] as Source
      if (upper.bindings !== undefined && lower.bindings !== undefined) {
        const overlap = upper.bindings.shadowsIn(lower.bindings)
        if (overlap !== undefined) for (const k of overlap) (lower.skip ??= new Set()).add(k)
        continue
      }
      const keys = upper.bindings !== undefined ? upper.bindings.keys : ownKeys(upper.fields as Fields)
      for (const k of keys) if (sourceHas(lower, k)) (lower.skip ??= new Set()).add(k)
    }
  }
  return list
}

const coreOf = (r: LogRecord, reserved?: ReadonlySet<string> | undefined): Core => ({
  correlationId: r.correlationId,
  traceId: r.traceId,
  spanId: r.spanId,
  error: r.error,
  collisions: undefined,
  reserved
})

/** Whether a Bindings snapshot holds a key the sink reserves: its ready fragment cannot be used. */
const holdsReserved = (b: Bindings, core: Core): boolean => {
  if (core.reserved === undefined) return false
  for (const k of core.reserved) if (b.has(k)) return true
  return false
}

/** Text of a log message of any type (Effect passes arrays for several arguments). */
export const messageText = (m: unknown): string => {
  if (typeof m === "string") return m
  if (Array.isArray(m)) {
    // Effect passes even a single message as an array of one
    if (m.length === 1 && typeof m[0] === "string") return m[0]
    return m.map(messageText).join(" ")
  }
  return stringify(m) ?? String(m)
}

const spansObject = (r: LogRecord): Record<string, number> | undefined => {
  if (r.spans === undefined) return undefined
  const out: Record<string, number> = {}
  for (const span of r.spans) defineField(out, span.label, r.time - span.startTime)
  return out
}

let lastTime = Number.NaN
let lastIso = ""
let lastSecond = Number.NaN
let secondPrefix = ""
/** The largest distance from 1970 in milliseconds that a Date holds. */
const MAX_DATE = 8.64e15
const MS_DIGITS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, "0")}Z`)

/**
 * RFC 3339 UTC with milliseconds. `Date.prototype.toISOString` costs thousands of
 * instructions (V8 formats it through printf), which at one call per line was a large part
 * of a line's cost: it runs once per second here, and each line adds its milliseconds to the
 * second's text. Runs of events in the same millisecond reuse the whole string.
 *
 * Never throws: a time no Date can hold (not finite, or beyond ±8.64e15, where
 * `toISOString` throws) is written as the current time, so the line stays valid.
 */
export const isoTime = (t: number): string => {
  if (t === lastTime) return lastIso
  // not remembered: the same bad value later gets the time of that later call
  if (!Number.isFinite(t) || Math.abs(t) > MAX_DATE) return new Date().toISOString()
  // Date keeps whole milliseconds, cut toward zero; before 1970 the second starts below t
  const whole = Math.trunc(t)
  const ms = ((whole % 1000) + 1000) % 1000
  const second = whole - ms
  if (second !== lastSecond) {
    // "…T10:15:30." of "…T10:15:30.000Z"
    secondPrefix = new Date(second).toISOString().slice(0, -4)
    lastSecond = second
  }
  lastTime = t
  lastIso = secondPrefix + (MS_DIGITS[ms] as string)
  return lastIso
}

/**
 * The time of an event as a sink writes it: RFC 3339 text, or whole epoch milliseconds (a
 * time no Date can hold is written as the current time, as {@link isoTime} does).
 */
export const timeJson = (t: number, keys: LineKeys): string => {
  if (keys.timestampFormat === "iso") return `"${isoTime(t)}"`
  return Number.isFinite(t) && Math.abs(t) <= MAX_DATE ? `${Math.trunc(t)}` : `${Date.now()}`
}

const appendSpecials = (core: Core, w: Written): void => {
  if (w.specials === undefined) return
  for (const [k, v] of w.specials) if (!claim(core, k, v)) collide(core, k, v)
}

const writeSourceOf = (
  src: Source,
  core: Core,
  limits: JsonLimits,
  redact: CompiledRedaction | undefined
): string => {
  const b = src.bindings
  if (b !== undefined) {
    if (src.skip !== undefined || holdsReserved(b, core))
      return writeSource(b.fields, b.keys, src.skip, limits, redact, core, undefined)
    const w = b.written(limits, redact)
    appendSpecials(core, w)
    return w.fragment
  }
  const o = src.fields as Fields
  return writeSource(o, undefined, src.skip, limits, redact, core, undefined)
}

/**
 * The user fields of a record made of at most two pre-serialized snapshots (the built-in
 * enrichment below, a child's bindings or a bound context above) and the call's fields, when
 * no key of one is in another: the snapshots' ready fragments, then the fields. Undefined when
 * keys overlap or a snapshot holds a reserved name: the general merge handles those.
 */
const snapshotsAndFields = (
  lower: Bindings | undefined,
  upper: Bindings | undefined,
  fields: Fields | undefined,
  core: Core,
  limits: JsonLimits,
  redact: CompiledRedaction | undefined
): string | undefined => {
  if (fields !== undefined) {
    try {
      for (const k in fields)
        if (ownKey(fields, k) && (lower?.has(k) === true || upper?.has(k) === true)) return undefined
    } catch {
      // a proxy that cannot list its keys: the general merge copes with it
      return undefined
    }
  }
  if (lower !== undefined && upper !== undefined && upper.shadowsIn(lower) !== undefined) return undefined
  if (
    (lower !== undefined && holdsReserved(lower, core)) ||
    (upper !== undefined && holdsReserved(upper, core))
  )
    return undefined
  let out = ""
  // lowest first, as the general merge writes them (an id claimed twice: the first stays)
  if (lower !== undefined) {
    const w = lower.written(limits, redact)
    appendSpecials(core, w)
    out += w.fragment
  }
  if (upper !== undefined) {
    const w = upper.written(limits, redact)
    appendSpecials(core, w)
    out += w.fragment
  }
  if (fields !== undefined) out += writeSource(fields, undefined, undefined, limits, redact, core, undefined)
  return out
}

/** The logger name for a fallback line, which must not throw. */
export const loggerName = (r: LogRecord): string => {
  try {
    return String(r.logger)
  } catch {
    return "unknown"
  }
}

/** The message of an event that failed to process: kept unless redaction is fail-closed. */
export const fallbackMessage = (
  r: LogRecord,
  redact: CompiledRedaction | undefined,
  marker: string
): string => {
  if (redact?.failClosed === true) return marker
  try {
    return `${marker} ${redactText(messageText(r.message), redact)}`
  } catch {
    return marker
  }
}

let lastLogger = ""
let lastLoggerJson = '""'
let lastMessage = ""
let lastMessageRedact: CompiledRedaction | undefined
let lastMessageMax = 0
let lastMessageJson = '""'

/** The message as JSON; a string message equal to the previous one reuses its quoted text. */
const messageJson = (m: unknown, redact: CompiledRedaction | undefined, max: number): string => {
  if (typeof m !== "string") return quote(redactText(messageText(m), redact), max)
  if (m !== lastMessage || redact !== lastMessageRedact || max !== lastMessageMax) {
    lastMessageJson = quote(redactText(m, redact), max)
    lastMessage = m
    lastMessageRedact = redact
    lastMessageMax = max
  }
  return lastMessageJson
}

/**
 * One event as one line of JSON (without the newline). Never throws: if an unexpected
 * failure happens the line still carries the core keys and an `error` saying why.
 */
/** A record's JSON line and what it was written with. */
export interface KeptLine {
  readonly text: string
  readonly limits: JsonLimits
  readonly redact: CompiledRedaction | undefined
  readonly keys: LineKeys
}

/**
 * Whether a record's only user fields (if any) are the call's: no enrichment, bindings,
 * context, annotations or enricher fields. The usual event, whose fields need no merging.
 */
const callFieldsOnly = (r: LogRecord): boolean =>
  r.enrichment === undefined &&
  r.extra === undefined &&
  r.callSite === undefined &&
  r.bindings === undefined &&
  r.context === undefined &&
  r.annotations === undefined

/**
 * The JSON line of `r`, kept on the record: a sink formatting it the same way (the same
 * limits, redaction and keys) takes it instead of writing it again. The size guard measures
 * every line this way, so that its check costs no second formatting. A record changed after
 * (a text processor's rewrite) drops what it kept.
 */
export const keepJsonLine = (
  r: LogRecord,
  limits: JsonLimits,
  redact: CompiledRedaction | undefined,
  keys: LineKeys = defaultLineKeys
): string => {
  const text = formatJsonLine(r, limits, redact, keys)
  if (r.truncatedTo === undefined) r.kept = { text, limits, redact, keys }
  return text
}

export const formatJsonLine = (
  r: LogRecord,
  limits: JsonLimits = defaultLimits,
  redact?: CompiledRedaction | undefined,
  keys: LineKeys = defaultLineKeys
): string => {
  const kept = r.kept
  if (kept !== undefined && kept.limits === limits && kept.redact === redact && kept.keys === keys)
    return kept.text
  // an event the size guard cut is written within its tight limits
  if (r.truncatedTo !== undefined) limits = r.truncatedTo
  try {
    const core = coreOf(r, keys.reserved)
    let user: string
    if (callFieldsOnly(r)) {
      user =
        r.fields === undefined
          ? ""
          : writeSource(r.fields, undefined, undefined, limits, redact, core, undefined)
    } else {
      // the enrichment, one more pre-serialized snapshot (a child's bindings, or a bound
      // context such as an HTTP request's) and the call's fields: the common case, without
      // the general merge
      const simple =
        r.annotations === undefined &&
        r.extra === undefined &&
        r.callSite === undefined &&
        (r.context === undefined || r.bindings === undefined)
      const fast = simple
        ? snapshotsAndFields(r.enrichment, r.context ?? r.bindings, r.fields, core, limits, redact)
        : undefined
      if (fast !== undefined) user = fast
      else {
        user = ""
        for (const src of sourcesOf(r)) user += writeSourceOf(src, core, limits, redact)
      }
    }
    if (r.logger !== lastLogger) {
      lastLogger = r.logger
      lastLoggerJson = quote(r.logger, limits.maxStringLength)
    }
    let out =
      keys === defaultLineKeys
        ? `{"timestamp":"${isoTime(r.time)}","level":"${r.level.name}","logger":${lastLoggerJson},"message":${messageJson(r.message, redact, limits.maxStringLength)}`
        : `${keys.open}${timeJson(r.time, keys)}${keys.level}${keys.levels[r.level.name]}${keys.logger}${lastLoggerJson}${keys.message}${messageJson(r.message, redact, limits.maxStringLength)}`
    if (core.correlationId !== undefined) out += `,"correlationId":${quote(core.correlationId, 256)}`
    if (core.traceId !== undefined) out += `,"traceId":${quote(core.traceId, 256)}`
    if (core.spanId !== undefined) out += `,"spanId":${quote(core.spanId, 256)}`
    out += user
    if (r.spans !== undefined) out += `,"spans":${stringify(spansObject(r), limits)}`
    if (core.error !== undefined) out += `,"error":${stringify(toErrorInfo(core.error), limits, redact)}`
    if (core.collisions !== undefined)
      out += `,"fields":${stringify(core.collisions, limits, redact, redact?.root)}`
    if (r.truncatedTo !== undefined) out += `,"truncated":true`
    return `${out}}`
  } catch (e) {
    const info = toErrorInfo(e)
    // The fields are never written here. The message is, URL-stripped, unless redaction is
    // fail-closed: then nothing of the user's data leaves with an event that failed.
    const message = fallbackMessage(r, redact, "[fapilog: event could not be formatted]")
    return `${keys.open}${timeJson(r.time, keys)}${keys.level}${keys.levels[r.level.name] ?? '"info"'}${keys.logger}${quote(loggerName(r))}${keys.message}${quote(message)},"error":${stringify(info)}}`
  }
}

/** The materialized event: what the memory sink stores and plugins receive. */
export interface MaterializedEvent {
  /** The event's stable id (see {@link eventId}). */
  readonly id?: string
  readonly timestamp: string
  readonly level: LevelInfo["name"]
  readonly message: string
  readonly logger: string
  readonly correlationId?: string
  readonly traceId?: string
  readonly spanId?: string
  readonly spans?: Readonly<Record<string, number>>
  readonly error?: ErrorInfo
  readonly truncated?: boolean
  readonly fields: Fields
}

const assignFrom = (
  target: Record<string, unknown>,
  o: object | undefined,
  keys: Iterable<string>,
  skip: ReadonlySet<string> | undefined
) => {
  if (o === undefined) return
  for (const k of keys) {
    if (skip?.has(k)) continue
    const v = safeRead(o, k)
    if (v !== undefined) defineField(target, k, v)
  }
}

/** A reserved-name key the event's core takes (`correlationId`, an `error`...), unless redaction covers it. */
const claimed = (core: Core, k: string, v: unknown, redact: CompiledRedaction | undefined): boolean =>
  isCoreKey(k) && !(redact !== undefined && matches(redact, redact.root?.next(k), k)) && claim(core, k, v)

/** The event's fields from the call's alone: as {@link mergedFields} makes them, without a list of sources. */
const fieldsOf = (o: Fields, core: Core, redact: CompiledRedaction | undefined): Record<string, unknown> => {
  const fields: Record<string, unknown> = {}
  for (const k of ownKeys(o)) {
    const v = safeRead(o, k)
    if (v !== undefined && !claimed(core, k, v, redact)) defineField(fields, k, v)
  }
  return fields
}

/** The event's fields: every source merged, the highest winning, reserved names claimed by `core`. */
const mergedFields = (
  r: LogRecord,
  core: Core,
  redact: CompiledRedaction | undefined
): Record<string, unknown> => {
  const fields: Record<string, unknown> = {}
  for (const src of sourcesOf(r)) {
    if (src.bindings !== undefined) assignFrom(fields, src.bindings.fields, src.bindings.keys, src.skip)
    else assignFrom(fields, src.fields, ownKeys(src.fields as Fields), src.skip)
  }
  for (const k of Object.keys(fields)) if (claimed(core, k, fields[k], redact)) delete fields[k]
  return fields
}

/**
 * Whether the call's fields can be the event's fields as they are: no key the core claims
 * (or might, `err`) and no undefined value (which the event leaves out).
 */
const asTheyAre = (o: Fields): boolean => {
  for (const k in o) if (isCoreKey(k) || o[k] === undefined) return false
  return true
}

/**
 * Builds the structured event from a record with the same merge rules as the JSON line:
 * call fields > annotations > context > bindings > custom enrichers > built-in enrichment,
 * and the same reserved-key handling,
 * except that reserved-name user keys stay in `fields` (the model has no collisions).
 *
 * With `fieldsCaptured` (the record's fields are fapilog's own plain data, not a caller's
 * object: see `capture.ts`), a record whose only fields are the call's and need no change
 * shares them with the event instead of copying them: the usual event, built for a network
 * sink's request, costs no second object. Both are read-only from then on.
 */
export const materialize = (
  r: LogRecord,
  redact?: CompiledRedaction | undefined,
  fieldsCaptured = false
): MaterializedEvent => {
  const call = r.fields
  const onlyCall = call !== undefined && callFieldsOnly(r)
  // fields taken as they are claim no core slot: the record's own core, no object made for it
  const claims = onlyCall && fieldsCaptured && asTheyAre(call) ? undefined : coreOf(r)
  const core: Pick<Core, "correlationId" | "traceId" | "spanId" | "error"> = claims ?? r
  const fields =
    claims === undefined
      ? (call as Record<string, unknown>)
      : onlyCall
        ? fieldsOf(call, claims, redact)
        : mergedFields(r, claims, redact)
  let visible =
    redact === undefined
      ? fields
      : (redactValue(redact, fields, redact.root, 0, defaultLimits.maxDepth) as Fields)
  let message = redactText(messageText(r.message), redact)
  const tight = r.truncatedTo
  if (tight !== undefined) {
    // cut by the size guard: the structured event holds what its JSON line holds, and a
    // reserved `truncated` field, which every formatter writes in its place for such names
    visible = { ...(JSON.parse(stringify(visible, tight) ?? "{}") as Fields), truncated: true }
    if (message.length > tight.maxStringLength) message = JSON.parse(quote(message, tight.maxStringLength))
  }
  const id = eventId(r)
  // one literal per case, so that the usual event (with its id) is made in its final shape
  const event: {
    -readonly [K in keyof MaterializedEvent]: MaterializedEvent[K]
  } =
    id === undefined
      ? { timestamp: isoTime(r.time), level: r.level.name, message, logger: r.logger, fields: visible }
      : { timestamp: isoTime(r.time), level: r.level.name, message, logger: r.logger, fields: visible, id }
  if (core.correlationId !== undefined) event.correlationId = core.correlationId
  if (core.traceId !== undefined) event.traceId = core.traceId
  if (core.spanId !== undefined) event.spanId = core.spanId
  const spans = spansObject(r)
  if (spans !== undefined) event.spans = spans
  if (core.error !== undefined) {
    const info = toErrorInfo(core.error)
    event.error =
      redact === undefined
        ? info
        : (redactValue(redact, info, undefined, 0, defaultLimits.maxDepth) as ErrorInfo)
  }
  if (tight !== undefined) event.truncated = true
  return event
}

const isErrorInfo = (u: unknown): u is ErrorInfo =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as ErrorInfo).type === "string" &&
  typeof (u as ErrorInfo).message === "string"

/**
 * The record of a structured event that a processor made (the inverse of
 * {@link materialize}): its fields captured (bounded, and safe from the processor changing
 * them later), its error, ids and spans kept. `original` is the record it replaces, whose
 * id it keeps. Throws a TypeError when `e` is not an event (unknown level, no message).
 */
export const recordFromEvent = (e: LogEvent, original: LogRecord | undefined): LogRecord => {
  if (typeof e !== "object" || e === null) throw new TypeError(`not an event: ${typeof e}`)
  const level = levels[e.level]
  if (level === undefined) throw new TypeError(`"${String(e.level)}" is not a level`)
  if (typeof e.message !== "string") throw new TypeError("the event's message is not a string")
  const parsed = typeof e.timestamp === "string" ? Date.parse(e.timestamp) : Number.NaN
  const time = Number.isFinite(parsed) ? parsed : (original?.time ?? Date.now())
  const r = new LogRecord(time, level, e.message, typeof e.logger === "string" ? e.logger : "app")
  if (typeof e.fields === "object" && e.fields !== null) r.fields = captureFields(e.fields, defaultLimits)
  r.correlationId = e.correlationId
  r.traceId = e.traceId
  r.spanId = e.spanId
  if (isErrorInfo(e.error)) r.error = CapturedError.of(e.error)
  if (e.spans !== undefined) {
    const spans: Array<LogSpan> = []
    for (const [label, ms] of Object.entries(e.spans)) spans.push({ label, startTime: time - ms })
    if (spans.length > 0) r.spans = List.fromIterable(spans)
  }
  r.givenId = e.id ?? (original === undefined ? undefined : eventId(original))
  if (original !== undefined) {
    r.idPrefix = original.idPrefix
    r.seq = original.seq
  }
  return r
}
