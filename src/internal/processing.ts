import { listableFields } from "./capture.js"
import type { Diagnostics } from "./diagnostics.js"
import { type NamedEnricher, runEnrichers } from "./enrichers.js"
import type { JsonLimits } from "./json.js"
import type { MinimiseCounters, MinimisedStats } from "./minimise.js"
import type { Emit, EventFailed, StageProcessor } from "./processor.js"
import type { Bindings, LogRecord } from "./record.js"

export interface ProcessingOptions {
  readonly diagnostics: Diagnostics
  /** Built-in enricher fields for the current batch (static fields, runtime snapshot). */
  readonly enrichment?: (() => Bindings | undefined) | undefined
  /** Custom enrichers, run per event in the worker, in this order. */
  readonly enrichers?: ReadonlyArray<NamedEnricher> | undefined
  /** In the order they run. */
  readonly processors?: ReadonlyArray<StageProcessor> | undefined
  /** Gives a record the pipeline did not take through `offer` (a summary) its id. */
  readonly stamp: (record: LogRecord) => void
  /**
   * Set when values are read late (capture "late"), with the limits capture applies: fields
   * that cannot be listed are captured here (see `listableFields`).
   */
  readonly late?: JsonLimits | undefined
}

const isMinimise = (p: StageProcessor): p is StageProcessor & MinimiseCounters =>
  typeof (p as Partial<MinimiseCounters>).minimised === "function"

/**
 * The processor stage, between the buffer and the sinks: built-in enrichment, custom
 * enrichers, then every processor in order (the built-in dedupe, sampling, throttle and size
 * guard, and the user's). Plain synchronous code over a batch.
 *
 * Isolation: an enricher that throws is skipped for that event; a processor that throws
 * costs only the events it throws on (run again one event at a time to find them), which it
 * keeps as they were or drops, as its `onError` says; every failure is reported. What a
 * processor drops is counted by its name; summaries processors emit join the next batch.
 */
export class Processing {
  private emitted: Array<LogRecord> = []
  private readonly filteredBy = new Map<string, number>()
  private readonly diagnostics: Diagnostics
  private readonly enrichment: (() => Bindings | undefined) | undefined
  private readonly enrichers: ReadonlyArray<NamedEnricher>
  private readonly processors: ReadonlyArray<StageProcessor>
  private readonly stamp: (record: LogRecord) => void
  private readonly late: JsonLimits | undefined

  constructor(options: ProcessingOptions) {
    this.late = options.late
    this.diagnostics = options.diagnostics
    this.enrichment = options.enrichment
    this.enrichers = options.enrichers ?? []
    this.processors = options.processors ?? []
    this.stamp = options.stamp
  }

  /** Adds a record after the current batch (a processor's summary, the pipeline's own). */
  readonly emit: Emit = (record) => {
    this.stamp(record)
    this.emitted.push(record)
  }

  /** Summaries wait to be written. */
  get pending(): boolean {
    return this.emitted.length > 0
  }

  /** Events dropped by processors, by processor name (a holding processor's discards included). */
  filtered(): Readonly<Record<string, number>> {
    const out = Object.fromEntries(this.filteredBy)
    for (const p of this.processors) {
      const n = p.holding?.discarded() ?? 0
      if (n > 0) out[p.name] = (out[p.name] ?? 0) + n
    }
    return out
  }

  /** The counters of the minimisation processor, when there is one. */
  minimised(): MinimisedStats | undefined {
    for (const p of this.processors) if (isMinimise(p)) return p.minimised()
    return undefined
  }

  /** Events processors hold across batches now (fingers-crossed buffers). */
  held(): number {
    let n = 0
    for (const p of this.processors) n += p.holding?.held() ?? 0
    return n
  }

  /** The batch to hand to the sinks: `records` enriched and processed, then the pending summaries. */
  run(records: Array<LogRecord>): ReadonlyArray<LogRecord> {
    const late = this.late
    if (late !== undefined)
      for (const r of records) if (r.fields !== undefined) r.fields = listableFields(r.fields, late)
    const enrichment = this.enrichment?.()
    if (enrichment !== undefined) for (const r of records) r.enrichment = enrichment
    if (this.enrichers.length > 0) {
      runEnrichers(records, this.enrichers, (name, e) =>
        this.diagnostics.report(`enricher ${name}`, "failed", e)
      )
    }
    if (this.processors.length === 0 && this.emitted.length === 0) return records
    let out: ReadonlyArray<LogRecord> = records
    const now = Date.now()
    out = this.runFrom(0, out, now)
    if (this.emitted.length === 0) return out
    const withSummaries = [...out, ...this.emitted]
    this.emitted = []
    return withSummaries
  }

  /**
   * The processors from `first` on, in order, over `records`. A processor that holds events
   * counts its own discards (see `Holding`): the length of what it returns says nothing.
   */
  private runFrom(first: number, records: ReadonlyArray<LogRecord>, now: number): ReadonlyArray<LogRecord> {
    let out = records
    for (let i = first; i < this.processors.length; i++) {
      const p = this.processors[i] as StageProcessor
      const before = out.length
      out = this.runOne(p, out, now)
      if (out.length < before && p.holding === undefined) this.count(p.name, before - out.length)
    }
    return out
  }

  /**
   * Lets windowed processors report (`final`: everything they still hold); summaries join the
   * next batch. On the final tick a holding processor first releases what it still holds
   * (or discards it): the released events go through the processors after it and join the
   * next batch too.
   */
  tick(now: number, final: boolean): void {
    this.processors.forEach((p, i) => {
      try {
        if (final && p.holding !== undefined) {
          for (const r of this.runFrom(i + 1, p.holding.release(now), now)) this.emitted.push(r)
        }
        if (final) p.flush?.(now, this.emit)
        else p.tick?.(now, this.emit)
      } catch (e) {
        this.diagnostics.report(`processor ${p.name}`, final ? "flush failed" : "tick failed", e)
      }
    })
  }

  private count(name: string, n: number): void {
    this.filteredBy.set(name, (this.filteredBy.get(name) ?? 0) + n)
  }

  private runOne(
    p: StageProcessor,
    records: ReadonlyArray<LogRecord>,
    now: number
  ): ReadonlyArray<LogRecord> {
    const failed: EventFailed = (_record, error) => {
      this.diagnostics.report(`processor ${p.name}`, "failed for an event", error, {
        onError: p.onError ?? "pass"
      })
      return p.onError !== "drop"
    }
    try {
      return p.process(records, now, this.emit, failed)
    } catch (e) {
      if (records.length === 1) return failed(records[0] as LogRecord, e) ? records : []
      // find the events it fails on: the others go through as it processes them
      const out: Array<LogRecord> = []
      for (const r of records) {
        try {
          for (const kept of p.process([r], now, this.emit, failed)) out.push(kept)
        } catch (error) {
          if (failed(r, error)) out.push(r)
        }
      }
      return out
    }
  }
}
