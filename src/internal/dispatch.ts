import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type { Sink } from "../Sink.js"
import type { BatchImpl } from "./batch.js"
import { CircuitBreaker, type CircuitBreakerOptions, defaultCircuit } from "./circuitBreaker.js"
import type { Diagnostics } from "./diagnostics.js"
import { defaultRetry, type RetryOptions, retrySchedule } from "./retry.js"
import type { NarrowingSink } from "./sink.js"

/** One sink's state as `health()` reports it. */
export interface SinkHealth {
  readonly name: string
  readonly status: "ok" | "degraded" | "circuit-open"
  readonly failures: number
  /** Events this sink could not write that the fallback sink took. */
  readonly toFallback: number
  /** Events neither this sink nor the fallback could write. */
  readonly undelivered: number
}

interface SinkGuard {
  readonly sink: Sink
  readonly breaker: CircuitBreaker
  failures: number
  toFallback: number
  undelivered: number
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
}

/**
 * The back of the pipeline: hands each batch to every sink, guarded. Synchronous sinks are
 * written in place (on the worker, or on a caller draining a full buffer); asynchronous ones
 * in parallel on the worker, each write retried on a Schedule. Every sink has a circuit
 * breaker: while it is open, or once a write has failed for good, the sink's part of the
 * batch goes to the fallback sink, or is counted as undelivered. Nothing here throws.
 */
export class Dispatch {
  readonly syncSinks: ReadonlyArray<Sink>
  readonly asyncSinks: ReadonlyArray<Sink>
  /** Sink write failures reported. */
  sinkErrors = 0
  private readonly guards = new Map<Sink, SinkGuard>()
  private readonly diagnostics: Diagnostics
  private readonly fallback: Sink | undefined
  private readonly retry: Schedule.Schedule<unknown>
  private readonly circuit: CircuitBreakerOptions

  constructor(options: DispatchOptions) {
    this.syncSinks = options.sinks.filter((s) => s.writeSync !== undefined)
    this.asyncSinks = options.sinks.filter((s) => s.writeSync === undefined)
    this.diagnostics = options.diagnostics
    this.fallback = options.fallback
    this.retry = retrySchedule(options.retry ?? defaultRetry)
    this.circuit = options.circuitBreaker ?? defaultCircuit
  }

  /** Writes `batch` through every synchronous sink, now. */
  writeSync(batch: BatchImpl): void {
    for (const sink of this.syncSinks) {
      const guard = this.guardOf(sink)
      if (!guard.breaker.allow()) {
        this.toFallback(guard, batch)
        continue
      }
      try {
        sink.writeSync!(batch)
        guard.breaker.success()
      } catch (e) {
        this.failed(guard, e, batch)
      }
    }
  }

  /**
   * Every asynchronous sink in parallel. A write is retried on the pipeline's Schedule, the
   * whole batch each time; when retries are spent, or the sink's circuit is open, the batch
   * goes to the fallback sink.
   */
  writeAsync(batch: BatchImpl): Effect.Effect<void> {
    return Effect.forEach(
      this.asyncSinks,
      (sink) => {
        const guard = this.guardOf(sink)
        if (!guard.breaker.allow()) return Effect.sync(() => this.toFallback(guard, batch))
        return Effect.suspend(() => sink.write(batch)).pipe(
          Effect.retry(this.retry),
          Effect.matchCause({
            onSuccess: () => guard.breaker.success(),
            onFailure: (cause) => this.failed(guard, Cause.squash(cause), batch)
          })
        )
      },
      { concurrency: "unbounded", discard: true }
    )
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
        toFallback: g.toFallback,
        undelivered: g.undelivered
      }
    })
  }

  private failed(guard: SinkGuard, error: unknown, batch: BatchImpl): void {
    this.sinkErrors++
    guard.failures++
    guard.breaker.failure()
    this.diagnostics.report(`sink ${guard.sink.name}`, "write failed", error, {
      circuit: guard.breaker.state
    })
    this.toFallback(guard, batch)
  }

  private guardOf(sink: Sink): SinkGuard {
    let guard = this.guards.get(sink)
    if (guard === undefined) {
      guard = { sink, breaker: new CircuitBreaker(this.circuit), failures: 0, toFallback: 0, undelivered: 0 }
      this.guards.set(sink, guard)
    }
    return guard
  }

  /** What a failing sink could not write goes to the fallback sink, or is counted as undelivered. */
  private toFallback(guard: SinkGuard, whole: BatchImpl): void {
    // a sink that takes only part of each batch (a level filter, a route) hands over only that part
    const batch = (guard.sink as NarrowingSink).narrow?.(whole) ?? whole
    if (batch.size === 0) return
    const fallback = this.fallback
    if (fallback?.writeSync !== undefined && fallback !== guard.sink) {
      try {
        fallback.writeSync(batch)
        guard.toFallback += batch.size
        return
      } catch (e) {
        this.diagnostics.report(`sink ${fallback.name}`, "fallback write failed", e)
      }
    }
    guard.undelivered += batch.size
  }
}
