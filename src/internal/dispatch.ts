import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import { SinkError } from "../Errors.js"
import type { Sink } from "../Sink.js"
import type { BatchImpl } from "./batch.js"
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  defaultCircuit
} from "./circuitBreaker.js"
import type { Diagnostics } from "./diagnostics.js"
import { isRetentionReport, reportToDiagnostics } from "./retentionReport.js"
import { defaultRetry, type RetryOptions, retrySchedule } from "./retry.js"
import { baseOf, type NarrowingSink, partsOf } from "./sink.js"

/** One sink's state as `health()` reports it. */
export interface SinkHealth {
  readonly name: string
  readonly status: "ok" | "degraded" | "circuit-open"
  readonly failures: number
  /**
   * Events this sink wrote. With the counters below, every event of every batch the sink
   * was handed is counted once:
   * `written + skipped + spilled + toFallback + undelivered = accepted - filtered` once
   * nothing is queued and the pipeline lost nothing.
   */
  readonly written: number
  /**
   * Events not this sink's to write: below its own level, outside its route's levels, its
   * categories, or its filter.
   */
  readonly skipped: number
  /** Events this sink's filter threw for (each was kept for the sink, and the failure reported). */
  readonly filterErrors: number
  /**
   * Events handed to the sink's durable store (`Sink.spill`) past the pipeline's full
   * backlog instead of to its `write`: it delivers them later, or counts them in its `lost`.
   */
  readonly spilled: number
  /** Events this sink could not write that the fallback sink took. */
  readonly toFallback: number
  /** Events neither this sink nor the fallback could write. */
  readonly undelivered: number
}

interface SinkGuard {
  readonly sink: Sink
  readonly breaker: CircuitBreaker
  failures: number
  written: number
  skipped: number
  spilled: number
  toFallback: number
  undelivered: number
  /** Retries of failed asynchronous writes. */
  retries: number
}

/** One sink's counters and circuit state, for the metrics. */
export interface SinkCounters {
  readonly name: string
  readonly written: number
  readonly spilled: number
  readonly toFallback: number
  readonly undelivered: number
  readonly failures: number
  readonly retries: number
  readonly circuit: CircuitState
}

/** The part of `batch` a sink takes: all of it, or what its level or route selects. */
const partFor = (sink: Sink, batch: BatchImpl): BatchImpl =>
  (sink as Partial<NarrowingSink>).narrow?.(batch) ?? batch

/**
 * How many events at the start of a batch of `size` a failed write still wrote: the
 * `written` of a SinkError (a partial write), else none.
 */
const writtenBefore = (error: unknown, size: number): number => {
  if (!(error instanceof SinkError)) return 0
  const written = error.written
  return typeof written === "number" && Number.isInteger(written) && written > 0 ? Math.min(written, size) : 0
}

const severity = { ok: 0, degraded: 1, "circuit-open": 2 } as const

const worse = (a: SinkHealth["status"], b: SinkHealth["status"] | undefined): SinkHealth["status"] =>
  b !== undefined && severity[b] > severity[a] ? b : a

/** What a sink reports about itself: an unknown status counts as nothing, a throwing report as degraded. */
const ownStatus = (sink: Sink): SinkHealth["status"] | undefined => {
  if (sink.health === undefined) return undefined
  try {
    const status = sink.health().status
    return Object.hasOwn(severity, status) ? status : undefined
  } catch {
    return "degraded"
  }
}

export interface DispatchOptions {
  readonly sinks: ReadonlyArray<Sink>
  readonly diagnostics: Diagnostics
  /** Where a failing sink's batches go; default none. */
  readonly fallback?: Sink | undefined
  readonly retry?: RetryOptions | undefined
  readonly circuitBreaker?: CircuitBreakerOptions | undefined
  /** Told how long each attempted write of a batch to a sink took (retries included); metrics only. */
  readonly onWrite?: ((sink: string, seconds: number) => void) | undefined
}

/**
 * The back of the pipeline: hands each batch to every sink, guarded. A route is guarded as
 * its parts, each routed sink on its own (`partsOf`). Synchronous sinks are
 * written in place (on the worker, or on a caller draining a full buffer); asynchronous ones
 * in parallel on the worker, each write retried on a Schedule. Every sink has a circuit
 * breaker: while it is open, or once a write has failed for good, the sink's part of the
 * batch goes to the fallback sink, or is counted as undelivered. A write that failed part
 * way (a SinkError with `written`) counts its first events as written, and only the rest
 * is retried or handed on. Per sink, every event of every batch is counted exactly once:
 * written, skipped (not in its part), spilled, toFallback or undelivered. Nothing here throws.
 */
export class Dispatch {
  readonly syncSinks: ReadonlyArray<Sink>
  readonly asyncSinks: ReadonlyArray<Sink>
  /**
   * The sinks that do the writing, each once (a sink in two routes is one destination):
   * whose `flush` the pipeline waits for and whose `lost` it adds up.
   */
  readonly destinations: ReadonlyArray<Sink>
  /** Sink write failures reported. */
  sinkErrors = 0
  private readonly guards = new Map<Sink, SinkGuard>()
  private readonly diagnostics: Diagnostics
  private readonly fallback: Sink | undefined
  private readonly retry: Schedule.Schedule<unknown>
  private readonly circuit: CircuitBreakerOptions
  private readonly onWrite: ((sink: string, seconds: number) => void) | undefined

  constructor(options: DispatchOptions) {
    const sinks = options.sinks.flatMap(partsOf)
    this.syncSinks = sinks.filter((s) => s.writeSync !== undefined)
    this.asyncSinks = sinks.filter((s) => s.writeSync === undefined)
    this.destinations = [...new Set(sinks.map(baseOf))]
    this.diagnostics = options.diagnostics
    this.fallback = options.fallback
    this.retry = retrySchedule(options.retry ?? defaultRetry)
    this.circuit = options.circuitBreaker ?? defaultCircuit
    this.onWrite = options.onWrite
  }

  /** Writes `batch` through every synchronous sink, now. */
  writeSync(batch: BatchImpl): void {
    for (const sink of this.syncSinks) {
      const guard = this.guardOf(sink)
      const part = this.partOf(guard, batch)
      if (!guard.breaker.allow()) {
        this.toFallback(guard, part)
        continue
      }
      const started = this.onWrite === undefined ? 0 : performance.now()
      try {
        sink.writeSync!(batch)
        guard.written += part.size
        guard.breaker.success()
      } catch (e) {
        const written = writtenBefore(e, part.size)
        guard.written += written
        this.failed(guard, e, part.from(written))
      }
      this.onWrite?.(sink.name, (performance.now() - started) / 1000)
    }
  }

  /**
   * Whether an asynchronous sink takes any of `batch`. When none does (their levels or routes
   * leave all of it out: an audit trail's part of a burst of info events), their parts are
   * counted now and the batch needs no asynchronous write, so it waits behind none.
   */
  takesAsync(batch: BatchImpl): boolean {
    for (const sink of this.asyncSinks) if (partFor(sink, batch).size > 0) return true
    for (const sink of this.asyncSinks) this.partOf(this.guardOf(sink), batch)
    return false
  }

  /**
   * Every asynchronous sink in parallel. A write is retried on the pipeline's Schedule:
   * the whole batch, or after a partial write only the events not written yet. When
   * retries are spent, or the sink's circuit is open, what is left goes to the fallback.
   */
  writeAsync(batch: BatchImpl): Effect.Effect<void> {
    return Effect.forEach(
      this.asyncSinks,
      (sink) => {
        const guard = this.guardOf(sink)
        const part = this.partOf(guard, batch)
        if (!guard.breaker.allow()) return Effect.sync(() => this.toFallback(guard, part))
        // the events of the sink's part written so far; a retry hands the sink the rest
        let done = 0
        let attempts = 0
        let started = 0
        const rest = (): BatchImpl => part.from(done)
        const timed = (): void => {
          this.onWrite?.(sink.name, (performance.now() - started) / 1000)
        }
        return Effect.suspend(() => {
          if (attempts++ > 0) guard.retries++
          else if (this.onWrite !== undefined) started = performance.now()
          if (done === 0) return sink.write(batch)
          const left = rest()
          // a narrowing sink is handed the rest of its own part, which it narrows to itself
          return left.size === 0 ? Effect.void : sink.write(left)
        }).pipe(
          Effect.tapError((e) =>
            Effect.sync(() => {
              done += writtenBefore(e, rest().size)
            })
          ),
          Effect.retry(this.retry),
          Effect.matchCause({
            onSuccess: () => {
              guard.written += part.size
              guard.breaker.success()
              timed()
            },
            onFailure: (cause) => {
              guard.written += done
              this.failed(guard, Cause.squash(cause), rest())
              timed()
            }
          })
        )
      },
      { concurrency: "unbounded", discard: true }
    )
  }

  /**
   * Hands `batch` to every asynchronous sink's durable store (`Sink.spill`), now, instead
   * of its `write`: what a sink takes counts as spilled (one that answers false has counted
   * what it gave up in its own `lost`). A spill that throws is a failed write: the sink's
   * part goes to the fallback, or is undelivered; so does its part while its circuit is
   * open. Returns the name of the first sink that could not keep its part, if any.
   */
  spill(batch: BatchImpl): string | undefined {
    let failed: string | undefined
    for (const sink of this.asyncSinks) {
      const guard = this.guardOf(sink)
      const part = this.partOf(guard, batch)
      if (!guard.breaker.allow()) {
        this.toFallback(guard, part)
        continue
      }
      try {
        const kept = sink.spill?.(batch)
        if (typeof kept !== "boolean") throw new TypeError("the sink's spill did not answer true or false")
        guard.spilled += part.size
        if (!kept) failed ??= sink.name
      } catch (e) {
        failed ??= sink.name
        this.failed(guard, e, part, "spill failed")
      }
    }
    return failed
  }

  /** Each sink's circuit state and counters. */
  health(): ReadonlyArray<SinkHealth> {
    return [...this.syncSinks, ...this.asyncSinks].map((sink) => {
      const g = this.guardOf(sink)
      const state = g.breaker.state
      const seen: SinkHealth["status"] =
        state === "open"
          ? "circuit-open"
          : state === "half-open" || g.breaker.consecutiveFailures > 0
            ? "degraded"
            : "ok"
      return {
        name: sink.name,
        // a sink that delivers in the background knows about failures fapilog never sees
        status: worse(seen, ownStatus(sink)),
        failures: g.failures,
        written: g.written,
        skipped: g.skipped,
        spilled: g.spilled,
        toFallback: g.toFallback,
        undelivered: g.undelivered,
        filterErrors: (sink as Partial<NarrowingSink>).filterFailures?.count ?? 0
      }
    })
  }

  /**
   * The part of `batch` the guarded sink takes; the rest is counted as skipped, and what its
   * filter threw for since the last report is reported (the events were kept for the sink).
   */
  private partOf(guard: SinkGuard, batch: BatchImpl): BatchImpl {
    const part = partFor(guard.sink, batch)
    guard.skipped += batch.size - part.size
    const failures = (guard.sink as Partial<NarrowingSink>).filterFailures
    if (failures !== undefined && failures.count > failures.reported) {
      const n = failures.count - failures.reported
      failures.reported = failures.count
      this.diagnostics.report(
        `sink ${guard.sink.name}`,
        `filter threw for ${n} ${n === 1 ? "event" : "events"}, kept for this sink`,
        failures.last,
        { filterErrors: failures.count }
      )
    }
    return part
  }

  /** Each sink's counters and circuit state. */
  counters(): ReadonlyArray<SinkCounters> {
    return [...this.syncSinks, ...this.asyncSinks].map((sink) => {
      const g = this.guardOf(sink)
      return {
        name: sink.name,
        written: g.written,
        spilled: g.spilled,
        toFallback: g.toFallback,
        undelivered: g.undelivered,
        failures: g.failures,
        retries: g.retries,
        circuit: g.breaker.state
      }
    })
  }

  /** A write failed for good; `rest` is what of the sink's part it did not write. */
  private failed(guard: SinkGuard, error: unknown, rest: BatchImpl, what = "write failed"): void {
    this.sinkErrors++
    guard.failures++
    guard.breaker.failure()
    this.diagnostics.report(`sink ${guard.sink.name}`, what, error, {
      circuit: guard.breaker.state
    })
    this.toFallback(guard, rest)
  }

  private guardOf(sink: Sink): SinkGuard {
    let guard = this.guards.get(sink)
    if (guard === undefined) {
      guard = {
        sink,
        breaker: new CircuitBreaker(this.circuit),
        failures: 0,
        written: 0,
        skipped: 0,
        spilled: 0,
        toFallback: 0,
        undelivered: 0,
        retries: 0
      }
      this.guards.set(sink, guard)
    }
    return guard
  }

  /**
   * What a failing sink could not write (already narrowed to the sink's part: a level
   * filter or a route hands over only what it takes) goes to the fallback sink, or is
   * counted as undelivered.
   */
  private toFallback(guard: SinkGuard, batch: BatchImpl): void {
    if (batch.size === 0) return
    const fallback = this.fallback
    if (fallback?.writeSync !== undefined && fallback !== baseOf(guard.sink)) {
      try {
        fallback.writeSync(batch)
        guard.toFallback += batch.size
        return
      } catch (e) {
        this.diagnostics.report(`sink ${fallback.name}`, "fallback write failed", e)
      }
    }
    guard.undelivered += batch.size
    // the report of a deleted log file is the only trace of that deletion: never lost
    for (const r of batch.records) if (isRetentionReport(r)) reportToDiagnostics(this.diagnostics, r)
  }
}
