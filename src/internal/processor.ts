import type { LogEvent } from "../LogEvent.js"
import type * as PublicProcessor from "../Processor.js"
import { captureFields } from "./capture.js"
import { show } from "./configSchema.js"
import { defaultLimits, safeRead } from "./json.js"
import type { LevelInfo } from "./level.js"
import { levels } from "./level.js"
import {
  type Fields,
  isCoreKey,
  type LogRecord,
  materialize,
  recordFromEvent,
  recordOf,
  userValue
} from "./record.js"
import { TextWalk } from "./textRewrite.js"

/** Adds a record (a summary of what a processor suppressed) after the current batch. */
export type Emit = (record: LogRecord) => void

/**
 * Told that processing one record threw: reports it and answers whether the record is kept
 * as it was (`true`) or dropped, as the processor's `onError` says.
 */
export type EventFailed = (record: LogRecord, error: unknown) => boolean

/**
 * A step of the processor stage, over the pipeline's own records: the built-in sampling,
 * throttling, deduplication and size guard, and every public processor through
 * {@link fromPublic}. Plain synchronous code over a whole batch: it returns the records to
 * keep, in order (the same ones, or new ones), and may `emit` summary records. The stage
 * guards it (see `processing.ts`).
 */
export interface StageProcessor {
  readonly name: string
  /** Where it runs among the processors (lower first); ties by name. */
  readonly order: number
  /** What the stage does with an event the processor throws on: keep it as it was (default) or drop it. */
  readonly onError?: "pass" | "drop" | undefined
  /**
   * `failed`: a processor that works event by event tells the stage about an event it threw
   * on, and goes on with the others; one that throws out of `process` is run again one event
   * at a time by the stage, so that the failure costs only the events it fails on.
   */
  readonly process: (
    records: ReadonlyArray<LogRecord>,
    now: number,
    emit: Emit,
    failed?: EventFailed
  ) => ReadonlyArray<LogRecord>
  /** Called about once a second, so that a window can close and report without new events. */
  readonly tick?: ((now: number, emit: Emit) => void) | undefined
  /** Called when the pipeline closes: report everything still pending, whatever the interval. */
  readonly flush?: ((now: number, emit: Emit) => void) | undefined
  /** Set by a processor that holds events across batches: it counts what it holds and discards. */
  readonly holding?: Holding | undefined
}

/**
 * A processor that holds counts between summaries. `flush` reports whatever is pending at
 * once, whatever the interval: the pipeline calls it before its final drain, so that
 * closing a logger never silently forgets what it suppressed.
 */
export interface SummarizingProcessor extends StageProcessor {
  readonly flush: (now: number, emit: Emit) => void
}

/**
 * A processor that holds events across batches (fingers-crossed) and counts them itself:
 * what it holds is settled for the pipeline (`flush` does not wait for it) but neither
 * written nor filtered yet. It is written once released (returned from a later `process`,
 * or from `release` when the pipeline closes), or counted in `discarded`, which the stage
 * reports as filtered under the processor's name. The stage does not count such a
 * processor's drops by the length of what it returns.
 */
export interface Holding {
  /** Events held now. */
  readonly held: () => number
  /** Events discarded since the start (never released). */
  readonly discarded: () => number
  /** The pipeline closes: what is still held and is to be written; the rest is discarded and counted. */
  readonly release: (now: number) => ReadonlyArray<LogRecord>
}

/** The built-ins run first, in this order (minimisation before anything holds or compares events), before processors of order 0 (the default). */
export const builtInOrder = {
  minimise: -500,
  dedupe: -400,
  sampling: -300,
  throttle: -200,
  "fingers-crossed": -150,
  "size-guard": -100
} as const

/** A record that fapilog itself writes (summaries of suppressed events), under the `fapilog` logger. */
export const summaryRecord = (time: number, level: LevelInfo, message: string, fields: Fields): LogRecord =>
  recordOf(level, message, { time, logger: "fapilog", fields })

/**
 * The value a record's merged user fields hold under `key` (call fields win, as in output).
 * A reserved name is read from the merged event, where a value that fills a core slot
 * (a string `correlationId`, an Error under `error`) is no longer a field.
 */
export const fieldValue = (record: LogRecord, key: string): unknown =>
  isCoreKey(key) ? materialize(record).fields[key] : userValue(record, key)

/** Our own summaries may pass through later processors; sampling them away would hide the losses. */
export const isSummary = (r: LogRecord): boolean =>
  r.logger === "fapilog" && r.fields !== undefined && typeof safeRead(r.fields, "processor") === "string"

/** A configured interval, or `fallback` when it is missing or not a usable number. */
export const intervalOf = (ms: number | undefined, fallback: number): number =>
  ms !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : fallback

const isFunction = (u: unknown): boolean => typeof u === "function"

/**
 * What is wrong with a value given as a processor (in settings, or made by a processor
 * plugin), or undefined when it is one: a name, exactly one of `process` and
 * `processBatch`, and the optional rest. A value whose reading throws is a problem too.
 */
export const processorIssue = (p: unknown): string | undefined => {
  try {
    if (typeof p !== "object" || p === null || Array.isArray(p))
      return "is not a processor { name, process } or { name, processBatch }"
    const o = p as Record<string, unknown>
    if (typeof o.name !== "string" || o.name === "") return "needs a name (a non-empty string)"
    const each = isFunction(o.process)
    const batch = isFunction(o.processBatch)
    if (each === batch)
      return "needs exactly one of process (per event) and processBatch (per batch), as functions"
    if (o.order !== undefined && !(typeof o.order === "number" && Number.isFinite(o.order)))
      return `order: ${show(o.order)} is not a finite number`
    if (o.onError !== undefined && o.onError !== "pass" && o.onError !== "drop")
      return `onError: ${show(o.onError)} is not one of pass, drop`
    if (o.text !== undefined) {
      const t = o.text as Record<string, unknown> | null
      if (typeof t !== "object" || t === null || !isFunction(t.rewrite))
        return `text: ${show(o.text)} is not { rewrite } (make text processors with Processor.text)`
    }
    for (const k of ["tick", "flush"] as const)
      if (o[k] !== undefined && !isFunction(o[k])) return `${k}: ${show(o[k])} is not a function`
    return undefined
  } catch (e) {
    return `cannot be read: reading it threw ${e instanceof Error ? `${e.name}: ${e.message}` : show(e)}`
  }
}

/** The structured event a public processor sees: unredacted, frozen (return a new one to change it). */
export const eventOf = (r: LogRecord): LogEvent => {
  if (r.event === undefined) {
    const e = materialize(r)
    Object.freeze(e.fields)
    r.event = Object.freeze(e)
  }
  return r.event
}

/** What a public processor is given besides its events: the time and `emit`, which checks what it adds. */
export const contextOf = (now: number, emit: Emit): PublicProcessor.Context => ({
  now,
  emit: (event: PublicProcessor.Emitted) => {
    const level = levels[event.level]
    if (level === undefined) throw new TypeError(`emit: "${String(event.level)}" is not a level`)
    emit(
      recordOf(level, String(event.message), {
        time: now,
        logger: event.logger ?? "fapilog",
        fields: event.fields === undefined ? undefined : captureFields(event.fields, defaultLimits)
      })
    )
  }
})

/**
 * A public processor (over structured events) as a stage processor. Each record is shown as
 * its event (built once, unredacted, frozen); an event handed back unchanged keeps its
 * record, a new one becomes a new record (its fields captured, its id kept).
 */
/**
 * A text processor's stage: each record rewritten in place, without building its event; a
 * record the rewrite fails on is kept as it was or dropped, as the processor's `onError` says.
 */
const textStage = (text: PublicProcessor.Text): StageProcessor["process"] => {
  const walk = new TextWalk(text.rewrite, text)
  return (records, _now, _emit, failed) => {
    let out: Array<LogRecord> | undefined
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as LogRecord
      try {
        walk.record(r)
        out?.push(r)
      } catch (error) {
        if (failed === undefined) throw error
        const keep = failed(r, error)
        if (out === undefined) {
          out = records.slice(0, i)
          if (keep) out.push(r)
        } else if (keep) out.push(r)
      }
    }
    return out ?? records
  }
}

export const fromPublic = (p: PublicProcessor.Processor): StageProcessor => {
  const each = p.process
  const batch = p.processBatch
  return {
    name: p.name,
    order: p.order ?? 0,
    onError: p.onError,
    process:
      p.text !== undefined
        ? textStage(p.text)
        : each !== undefined
          ? (records, _now, _emit, failed) => {
              const out: Array<LogRecord> = []
              for (const r of records) {
                try {
                  const e = eventOf(r)
                  const kept = each(e)
                  if (kept !== undefined) out.push(kept === e ? r : recordFromEvent(kept, r))
                } catch (error) {
                  if (failed === undefined) throw error
                  if (failed(r, error)) out.push(r)
                }
              }
              return out
            }
          : (records, now, emit) => {
              const events = records.map(eventOf)
              const out: unknown = batch?.(events, contextOf(now, emit))
              if (!Array.isArray(out)) throw new TypeError(`returned ${typeof out}, not an array of events`)
              const byEvent = new Map(events.map((event, i) => [event, records[i] as LogRecord]))
              return out.map((e: LogEvent) => byEvent.get(e) ?? recordFromEvent(e, undefined))
            },
    tick: p.tick === undefined ? undefined : (now, emit) => p.tick?.(contextOf(now, emit)),
    flush: p.flush === undefined ? undefined : (now, emit) => p.flush?.(contextOf(now, emit))
  }
}
