import type * as FiberRefs from "effect/FiberRefs"
import { captureFields } from "./capture.js"
import { type JsonLimits, safeRead } from "./json.js"
import type { LevelName } from "./level.js"
import { type Fields, type LogRecord, messageText } from "./record.js"

// ---------------------------------------------------------------------------------------
// Custom enrichers: plain functions run by the worker over each batch.
// ---------------------------------------------------------------------------------------

/** What a custom enricher sees of an event: the core values, cheap to build. */
export interface EnricherInput {
  readonly level: LevelName
  readonly message: string
  readonly logger: string
  /** Epoch milliseconds. */
  readonly time: number
}

/**
 * A custom enricher: returns fields to add to the event, or undefined to add none. Its
 * fields rank above the built-in enrichers and below everything the caller bound or passed.
 */
export type Enricher = (event: EnricherInput) => Record<string, unknown> | undefined

export interface NamedEnricher {
  /** Used in diagnostics when the enricher throws. */
  readonly name: string
  readonly enrich: Enricher
}

/** A message whose conversion throws (a hostile `toString`) must not stop the batch. */
const safeMessage = (m: unknown): string => {
  try {
    return messageText(m)
  } catch {
    return ""
  }
}

const isFieldsObject = (u: unknown): u is object => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Copies the own enumerable keys of an enricher's result. A key whose value is undefined is
 * kept as undefined: it hides the same key from a lower source, as it does in bindings.
 * `Object.keys` can throw (a Proxy); the caller reports that as the enricher's failure.
 */
const copyInto = (target: Record<string, unknown>, source: object): void => {
  for (const k of Object.keys(source)) target[k] = safeRead(source, k)
}

/**
 * Sets `record.extra` of every record to the merged output of `enrichers`, later ones
 * winning. Fail-open: an enricher that throws is skipped for that event and reported through
 * `onError` (the event is kept), and one that returns something other than a plain object is
 * ignored. Results are never mutated, since an enricher may return one shared object: a
 * single result is used as is, and a new object is made only when two or more must merge.
 */
export const runEnrichers = (
  records: ReadonlyArray<LogRecord>,
  enrichers: ReadonlyArray<NamedEnricher>,
  onError: (name: string, error: unknown) => void
): void => {
  if (enrichers.length === 0) return
  for (const record of records) {
    const input: EnricherInput = {
      level: record.level.name,
      message: safeMessage(record.message),
      logger: record.logger,
      time: record.time
    }
    let single: object | undefined
    let singleName = ""
    let merged: Record<string, unknown> | undefined
    for (const { name, enrich } of enrichers) {
      let out: unknown
      try {
        out = enrich(input)
      } catch (e) {
        onError(name, e)
        continue
      }
      if (!isFieldsObject(out)) continue
      if (single === undefined && merged === undefined) {
        single = out
        singleName = name
        continue
      }
      if (merged === undefined) {
        // Null prototype: a `__proto__` key from an enricher stays an ordinary field.
        merged = Object.create(null) as Record<string, unknown>
        try {
          copyInto(merged, single as object)
        } catch (e) {
          onError(singleName, e)
        }
        single = undefined
      }
      try {
        copyInto(merged, out)
      } catch (e) {
        onError(name, e)
      }
    }
    record.extra = (merged ?? single) as Fields | undefined
  }
}

// ---------------------------------------------------------------------------------------
// Call-site enrichers: plain functions run by the caller, at the call.
// ---------------------------------------------------------------------------------------

/** What a call-site enricher sees: the call, where it was made. */
export interface CallSite {
  readonly level: LevelName
  readonly message: string
  readonly logger: string
  /** Epoch milliseconds. */
  readonly time: number
  /**
   * The fields bound where the call was made: `withContext` (Promise or Effect), the HTTP
   * request being served. Empty when none are.
   */
  readonly context: Readonly<Record<string, unknown>>
  /**
   * The calling fiber's FiberRefs, for calls made from Effect (`Effect.log*`, `Fapilog.*`):
   * read one with `FiberRefs.getOrDefault(call.fiberRefs, ref)`. Undefined for Promise calls,
   * which run in the caller's own async context (an AsyncLocalStorage is readable directly).
   */
  readonly fiberRefs: FiberRefs.FiberRefs | undefined
}

export interface CallSiteEnricher {
  /** Used in diagnostics when the enricher throws. */
  readonly name: string
  readonly enrich: (call: CallSite) => Record<string, unknown> | undefined
}

/**
 * A call-site enricher as a pipeline runs it: with the last result found immutable (a
 * frozen object of data properties holding strings, numbers, booleans...), which an enricher
 * returning one constant object returns every time, so that it is shared instead of copied.
 */
export interface RunningCallSiteEnricher extends CallSiteEnricher {
  immutable: object | undefined
}

export const running = (e: CallSiteEnricher): RunningCallSiteEnricher => ({
  name: e.name,
  enrich: e.enrich,
  immutable: undefined
})

/** Whether `o` can never change: frozen, and every own property a data property holding a primitive. */
const isImmutable = (o: object): boolean => {
  if (!Object.isFrozen(o)) return false
  try {
    for (const d of Object.values(Object.getOwnPropertyDescriptors(o))) {
      if (!("value" in d)) return false
      const v: unknown = d.value
      if ((typeof v === "object" && v !== null) || typeof v === "function") return false
    }
    return true
  } catch {
    return false
  }
}

/** The enricher's result, captured unless it is its known immutable result (or values are read late). */
const resultOf = (
  e: RunningCallSiteEnricher,
  out: object,
  limits: JsonLimits | undefined
): Readonly<Record<string, unknown>> => {
  if (out === e.immutable || limits === undefined) return out as Fields
  if (isImmutable(out)) {
    e.immutable = out
    return out as Fields
  }
  return captureFields(out, limits)
}

const noContext: Readonly<Record<string, unknown>> = Object.freeze({})

/**
 * Runs the call-site enrichers for `record`, on the caller's stack: their merged result
 * (later ones win) becomes `record.callSite`, captured with `limits` (as is when the logger
 * reads late). An enricher that throws or returns something other than an object is skipped
 * and reported; the call goes on.
 */
export const runCallSiteEnrichers = (
  record: LogRecord,
  enrichers: ReadonlyArray<RunningCallSiteEnricher>,
  fiberRefs: FiberRefs.FiberRefs | undefined,
  limits: JsonLimits | undefined,
  onError: (name: string, error: unknown) => void
): void => {
  const call: CallSite = {
    level: record.level.name,
    message: typeof record.message === "string" ? record.message : safeMessage(record.message),
    logger: record.logger,
    time: record.time,
    context: record.context?.fields ?? noContext,
    fiberRefs
  }
  let single: Readonly<Record<string, unknown>> | undefined
  let merged: Record<string, unknown> | undefined
  for (let i = 0; i < enrichers.length; i++) {
    const e = enrichers[i] as RunningCallSiteEnricher
    let out: unknown
    try {
      out = e.enrich(call)
    } catch (error) {
      onError(e.name, error)
      continue
    }
    if (!isFieldsObject(out)) continue
    const fields = resultOf(e, out, limits)
    if (single === undefined && merged === undefined) {
      single = fields
      continue
    }
    if (merged === undefined) {
      // null prototype: a `__proto__` key stays an ordinary field
      merged = Object.create(null) as Record<string, unknown>
      Object.assign(merged, single)
      single = undefined
    }
    Object.assign(merged, fields)
  }
  record.callSite = merged ?? single
}
