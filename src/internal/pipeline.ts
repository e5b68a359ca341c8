import { setImmediate } from "node:timers"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { Sink } from "../Sink.js"
import { type BatchContext, BatchImpl } from "./batch.js"
import { CircuitBreaker, type CircuitBreakerOptions, defaultCircuit } from "./circuitBreaker.js"
import { Diagnostics } from "./diagnostics.js"
import { type NamedEnricher, runEnrichers } from "./enrichers.js"
import * as exitHook from "./exitHook.js"
import { defaultLimits, type JsonLimits } from "./json.js"
import { type LevelInfo, type LevelName, levels, WARN } from "./level.js"
import { type Processor, summaryRecord } from "./processor.js"
import { type Bindings, type LogRecord, recordOf } from "./record.js"
import type { CompiledRedaction } from "./redact.js"
import type { NarrowingSink } from "./sink.js"

export type OverflowPolicy = "block" | "drop-newest" | "drop-oldest"

/** How many buffers' worth of events may wait for asynchronous sinks before calls are refused. */
const BACKLOG_BUFFERS = 4

export interface PipelineOptions {
  /** Name written in the `logger` key and in diagnostics. */
  readonly name: string
  readonly level: LevelName
  /** Events the buffer holds before a synchronous caller drains it inline. */
  readonly capacity: number
  /** Upper bound on the wait for asynchronous sinks when the pipeline closes. */
  readonly shutdownTimeout: Duration.DurationInput
  readonly sinks: ReadonlyArray<Sink>
  readonly diagnostics?: Diagnostics | undefined
  /** Field redaction applied to every sink's view of every event. */
  readonly redact?: CompiledRedaction | undefined
  /** Built-in enricher fields for the current batch (static fields, runtime snapshot). */
  readonly enrichment?: (() => Bindings | undefined) | undefined
  /** Custom enrichers, run per event in the worker, never on the caller's side. */
  readonly enrichers?: ReadonlyArray<NamedEnricher> | undefined
  /** Batch steps: sampling, throttling, deduplication, in order. */
  readonly processors?: ReadonlyArray<Processor> | undefined
  /**
   * What a full buffer does: "block" (default: synchronous callers drain it inline, Effect
   * callers of Fapilog.* wait), "drop-newest" (refuse the incoming event), "drop-oldest"
   * (evict the oldest buffered one). Protected levels are never refused while a lower one can be.
   */
  readonly overflow?: OverflowPolicy | undefined
  readonly protectedLevel?: LevelName | undefined
  /** Events at or above this level are protected from overflow refusal; default "error". */
  /** Log an uncaught exception or unhandled rejection at fatal and flush before the process dies. */
  readonly logCrashes?: boolean | undefined
  /** Where a failing sink's batches go; default none. */
  readonly fallback?: Sink | undefined
  readonly retry?: RetryOptions | undefined
  readonly circuitBreaker?: CircuitBreakerOptions | undefined
  /** Events whose line exceeds this many bytes are truncated (or dropped). */
  readonly maxEventBytes?: number | undefined
  readonly oversize?: "truncate" | "drop" | undefined
  /** Serialization limits; capture applies them at the call. Default `defaultLimits`. */
  readonly limits?: JsonLimits | undefined
  /**
   * When the values of a call are read: "call" (default: captured by the caller, so the
   * line shows them as they were) or "late" (read when the batch is formatted; a value the
   * caller changes in between shows its later state).
   */
  readonly capture?: "call" | "late" | undefined
}

/** Counters of a pipeline; `accepted = settled + queued` until close, then `+ lost`. */
export interface PipelineStats {
  /** Events taken in (the call returned and nothing refused them). */
  readonly accepted: number
  /** Events every sink has been handed (written, or a failure reported). */
  readonly settled: number
  /** Events waiting in the buffer or for asynchronous sinks. */
  readonly queued: number
  /** Calls refused: after close, or by the overflow policy (including evicted events). */
  readonly refused: number
  /** Refusals by reason ("closed", "overflow") and level, e.g. { "overflow": { "info": 3 } }. */
  readonly refusedBy: Readonly<Record<string, Readonly<Record<string, number>>>>
  /** Accepted events given up when the shutdown timeout expired or the process exited. */
  readonly lost: number
  /** Sink write failures reported. */
  readonly sinkErrors: number
  /** Accepted events that sampling, throttling or deduplication chose not to write. */
  readonly filtered: number
}

interface SinkGuard {
  readonly sink: Sink
  readonly breaker: CircuitBreaker
  failures: number
  /** Events this sink could not write that the fallback sink took. */
  toFallback: number
  /** Events neither this sink nor the fallback could write. */
  undelivered: number
}

export interface SinkHealth {
  readonly name: string
  readonly status: "ok" | "degraded" | "circuit-open"
  readonly failures: number
  readonly toFallback: number
  readonly undelivered: number
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

export interface PipelineHealth {
  readonly status: "ok" | "degraded" | "failing"
  readonly sinks: ReadonlyArray<SinkHealth>
  readonly stats: PipelineStats
}

export interface RetryOptions {
  readonly attempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const defaultRetry: RetryOptions = Object.freeze({ attempts: 3, baseDelayMs: 100, maxDelayMs: 5000 })

/** Exponential from `baseDelayMs`, jittered, each delay capped at `maxDelayMs`, `attempts` retries. */
export const retrySchedule = (o: RetryOptions): Schedule.Schedule<unknown> =>
  Schedule.exponential(Duration.millis(o.baseDelayMs)).pipe(
    Schedule.jittered,
    Schedule.union(Schedule.spaced(Duration.millis(o.maxDelayMs))),
    Schedule.intersect(Schedule.recurs(o.attempts))
  )

interface Pending {
  readonly batch: BatchImpl
  readonly end: number
}

interface Waiter {
  readonly target: number
  readonly resume: () => void
}

/**
 * caller → bounded buffer → one worker fiber → batch → sinks.
 *
 * `offer` is plain synchronous code: push, and either wake the worker (once per batch) or,
 * when the buffer is full, drain it inline through the synchronous sinks. The worker drains
 * whatever is buffered as one batch, then runs the asynchronous sinks in parallel.
 */
export class Pipeline implements exitHook.ExitDrainable, exitHook.CrashLogger {
  minRank: number
  readonly name: string
  /** The limits that capture applies at the call; undefined when values are read late. */
  readonly capturing: JsonLimits | undefined
  private readonly capacity: number
  private readonly syncSinks: ReadonlyArray<Sink>
  private readonly asyncSinks: ReadonlyArray<Sink>
  private readonly diagnostics: Diagnostics
  private readonly batchContext: BatchContext
  private readonly enrichment: (() => Bindings | undefined) | undefined
  private readonly enrichers: ReadonlyArray<NamedEnricher>
  private readonly processors: ReadonlyArray<Processor>
  private ticker: ReturnType<typeof setInterval> | undefined = undefined
  private emitted: Array<LogRecord> = []
  private filtered = 0
  private oversized = 0
  private oversizedUnreported = 0
  private readonly maxEventBytes: number | undefined
  private buffer: Array<LogRecord> = []
  private readonly pending: Array<Pending> = []
  private readonly waiters: Array<Waiter> = []
  private wake: (() => void) | undefined = undefined
  private wakeScheduled = false
  private draining = false
  private closing = false
  private closed = false
  private accepted = 0
  private drained = 0
  private settled = 0
  private refused = 0
  private readonly refusedBy = new Map<string, Record<string, number>>()
  private reportedRefused = 0
  private reportedLost = 0
  private readonly overflow: OverflowPolicy
  private readonly protectedRank: number
  private pendingEvents = 0
  private readonly guards = new Map<Sink, SinkGuard>()
  private readonly fallback: Sink | undefined
  private readonly retry: Schedule.Schedule<unknown>
  private readonly circuit: CircuitBreakerOptions
  private readonly roomWaiters: Array<() => void> = []
  private lost = 0
  private sinkErrors = 0
  /** Sinks that deliver in the background: `flush` also waits for their deliveries. */
  private readonly sinkFlushes: ReadonlyArray<Effect.Effect<void>>
  private readonly flushTimeout: Duration.DurationInput

  constructor(options: PipelineOptions) {
    this.name = options.name
    this.capturing = options.capture === "late" ? undefined : (options.limits ?? defaultLimits)
    this.minRank = levels[options.level].rank
    this.capacity = Math.max(1, options.capacity)
    this.syncSinks = options.sinks.filter((s) => s.writeSync !== undefined)
    this.asyncSinks = options.sinks.filter((s) => s.writeSync === undefined)
    this.sinkFlushes = options.sinks.flatMap((s) => (s.flush === undefined ? [] : [s.flush]))
    this.flushTimeout = options.shutdownTimeout
    this.diagnostics = options.diagnostics ?? new Diagnostics(options.name)
    this.maxEventBytes = options.maxEventBytes
    this.overflow = options.overflow ?? "block"
    this.fallback = options.fallback
    this.retry = retrySchedule(options.retry ?? defaultRetry)
    this.circuit = options.circuitBreaker ?? defaultCircuit
    this.protectedRank = levels[options.protectedLevel ?? "error"].rank
    this.batchContext = {
      redact: options.redact,
      onFormatError: (name, e) => this.diagnostics.report(`formatter ${name}`, "failed for an event", e),
      guard:
        options.maxEventBytes === undefined
          ? undefined
          : {
              maxBytes: options.maxEventBytes,
              mode: options.oversize ?? "truncate",
              onDrop: () => {
                this.oversized++
                this.oversizedUnreported++
              }
            }
    }
    this.enrichment = options.enrichment
    this.enrichers = options.enrichers ?? []
    this.processors = options.processors ?? []
    // a plain unref'd timer: processor windows close and refusals are summarised on time,
    // without holding the process open
    this.ticker = setInterval(() => this.tick(), 1000)
    this.ticker.unref()
  }

  private readonly emit = (record: LogRecord): void => {
    this.emitted.push(record)
  }

  /** Lets windowed processors report; their summaries join the next batch. */
  tick(final = false): void {
    const now = Date.now()
    if (this.oversizedUnreported > 0) this.signal()
    for (const p of this.processors) {
      try {
        if (final) p.flush?.(now, this.emit)
        else p.tick?.(now, this.emit)
      } catch (e) {
        this.diagnostics.report(`processor ${p.name}`, "tick failed", e)
      }
    }
    if (this.refused > this.reportedRefused || this.lost > this.reportedLost) {
      this.emit(
        summaryRecord(now, WARN, "events refused or lost", {
          processor: "pipeline",
          refused: this.refused - this.reportedRefused,
          lost: this.lost - this.reportedLost,
          refusedSinceStart: this.stats().refusedBy
        })
      )
      this.reportedRefused = this.refused
      this.reportedLost = this.lost
    }
    if (this.emitted.length > 0) this.signal()
  }

  private hasWork(): boolean {
    return this.buffer.length > 0 || this.emitted.length > 0 || this.oversizedUnreported > 0
  }

  /**
   * The per-batch steps before the sinks: enrichment, custom enrichers, processors. Plain
   * synchronous code; a failing step is reported and skipped, the batch goes on.
   */
  private prepare(records: Array<LogRecord>): ReadonlyArray<LogRecord> {
    if (this.oversizedUnreported > 0) {
      // the size guard dropped events from the previous batch: say so in the log itself
      this.emit(
        summaryRecord(Date.now(), WARN, "size guard dropped events", {
          processor: "size-guard",
          dropped: this.oversizedUnreported,
          maxEventBytes: this.maxEventBytes
        })
      )
      this.oversizedUnreported = 0
    }
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
    for (const p of this.processors) {
      try {
        out = p.process(out, now, this.emit)
      } catch (e) {
        this.diagnostics.report(`processor ${p.name}`, "failed; batch passed on unchanged", e)
      }
    }
    this.filtered += records.length - out.length
    if (this.emitted.length === 0) return out
    const withSummaries = [...out, ...this.emitted]
    this.emitted = []
    return withSummaries
  }

  setLevel(level: LevelName): void {
    this.minRank = levels[level].rank
  }

  stats(): PipelineStats {
    return {
      accepted: this.accepted,
      settled: this.settled,
      queued: this.accepted - this.settled - this.lost,
      refused: this.refused,
      refusedBy: Object.fromEntries([...this.refusedBy].map(([reason, byLevel]) => [reason, { ...byLevel }])),
      lost: this.lost,
      sinkErrors: this.sinkErrors,
      filtered: this.filtered + this.oversized
    }
  }

  /** Takes one event. Never throws, never waits on a network. */
  offer(record: LogRecord): void {
    if (this.closed) {
      if (this.refusedBy.get("closed") === undefined)
        this.diagnostics.report("pipeline", "event logged after close was refused")
      this.refuse("closed", record)
      return
    }
    const buffer = this.buffer
    if (buffer.length >= this.capacity && !this.makeRoom(record)) return
    if (this.backlogFull() && record.level.rank < this.protectedRank) {
      // asynchronous sinks are this far behind: memory stays bounded, the refusal is counted
      this.refuse("overflow", record)
      return
    }
    this.accepted++
    buffer.push(record)
    if (buffer.length >= this.capacity && this.overflow === "block" && !this.draining) this.drainSync()
    else if (this.wake !== undefined) this.signalSoon()
  }

  private refuse(reason: string, record: LogRecord): void {
    this.refused++
    let byLevel = this.refusedBy.get(reason)
    if (byLevel === undefined) this.refusedBy.set(reason, (byLevel = {}))
    byLevel[record.level.name] = (byLevel[record.level.name] ?? 0) + 1
  }

  /**
   * The buffer is full. Under "block" there is always room (the caller drains it next).
   * Under the drop policies, an unprotected event is refused (drop-newest) or the oldest
   * unprotected buffered event is evicted (drop-oldest); a protected event evicts the
   * newest (drop-newest) or oldest (drop-oldest) unprotected one, and goes over capacity
   * only when every buffered event is protected. Returns whether `record` may be added.
   */
  private makeRoom(record: LogRecord): boolean {
    if (this.overflow === "block") return true
    const isProtected = record.level.rank >= this.protectedRank
    if (this.overflow === "drop-newest" && !isProtected) {
      this.refuse("overflow", record)
      return false
    }
    const buffer = this.buffer
    const at =
      this.overflow === "drop-oldest"
        ? buffer.findIndex((r) => r.level.rank < this.protectedRank)
        : buffer.findLastIndex((r) => r.level.rank < this.protectedRank)
    if (at >= 0) {
      const [evicted] = buffer.splice(at, 1)
      this.accepted--
      this.refuse("overflow", evicted as LogRecord)
      return true
    }
    if (isProtected) return true
    this.refuse("overflow", record)
    return false
  }

  private backlogFull(): boolean {
    return this.pendingEvents >= this.capacity * BACKLOG_BUFFERS
  }

  /**
   * For Effect callers under "block": completes when the backlog of the asynchronous sinks
   * has room (at once when it has), so that the caller suspends instead of being refused.
   */
  readonly awaitRoom: Effect.Effect<void> = Effect.suspend(() =>
    this.overflow !== "block" || !this.backlogFull() || this.closed
      ? Effect.void
      : Effect.async<void>((resume) => {
          this.roomWaiters.push(() => resume(Effect.void))
        })
  )

  mustWait(level: LevelInfo): boolean {
    return this.overflow === "block" && level.rank < this.protectedRank && this.backlogFull()
  }

  /**
   * Wakes the worker when the event loop's current turn is done (`setImmediate`), not in the
   * next microtask: the lines logged by all the callbacks of one turn (a server's many
   * requests) then share one batch and one write, instead of a batch and a system call
   * each. The wait is a fraction of a millisecond. It is Node's own `setImmediate` (from
   * `node:timers`), which test frameworks' fake timers do not replace.
   */
  private signalSoon(): void {
    if (this.wakeScheduled) return
    this.wakeScheduled = true
    setImmediate(this.wakeAfterTurn)
  }

  private readonly wakeAfterTurn = (): void => {
    this.signal()
  }

  private signal(): void {
    // any wake-up serves the one scheduled after the turn: a stale or lost immediate is harmless
    this.wakeScheduled = false
    const wake = this.wake
    if (wake !== undefined) {
      this.wake = undefined
      wake()
    }
  }

  /**
   * Writes everything buffered through the synchronous sinks now, as one batch. The batch
   * is queued for the asynchronous sinks, if any, which the worker serves in order.
   */
  drainSync(): void {
    if (!this.hasWork() || this.draining) return
    const records = this.buffer
    this.buffer = []
    this.draining = true
    try {
      const batch = new BatchImpl(this.prepare(records), this.batchContext)
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
          this.sinkFailed(guard, e, batch)
        }
      }
      this.drained += records.length
      if (this.asyncSinks.length === 0) {
        this.settle(this.drained)
      } else {
        this.pending.push({ batch, end: this.drained })
        this.pendingEvents += batch.size
        this.signal()
      }
    } finally {
      this.draining = false
    }
  }

  private afterAsyncBatch(done: Pending): void {
    this.pendingEvents -= done.batch.size
    this.settle(done.end)
    if (this.roomWaiters.length > 0 && !this.backlogFull())
      for (const resume of this.roomWaiters.splice(0)) resume()
  }

  private sinkFailed(guard: SinkGuard, error: unknown, batch: BatchImpl): void {
    this.sinkErrors++
    guard.failures++
    guard.breaker.failure()
    this.diagnostics.report(`sink ${guard.sink.name}`, "write failed", error, {
      circuit: guard.breaker.state
    })
    this.toFallback(guard, batch)
  }

  private settle(end: number): void {
    this.settled = end
    if (this.waiters.length === 0) return
    let i = 0
    while (i < this.waiters.length) {
      const w = this.waiters[i]!
      if (w.target <= end) {
        this.waiters.splice(i, 1)
        w.resume()
      } else {
        i++
      }
    }
  }

  /**
   * Every asynchronous sink in parallel. A write is retried on the pipeline's Schedule; when
   * retries are spent, or the sink's circuit is open, the batch goes to the fallback sink.
   */
  private writeAsync(batch: BatchImpl): Effect.Effect<void> {
    return Effect.forEach(
      this.asyncSinks,
      (sink) => {
        const guard = this.guardOf(sink)
        if (!guard.breaker.allow()) return Effect.sync(() => this.toFallback(guard, batch))
        return Effect.suspend(() => sink.write(batch)).pipe(
          Effect.retry(this.retry),
          Effect.matchCause({
            onSuccess: () => guard.breaker.success(),
            onFailure: (cause) => this.sinkFailed(guard, Cause.squash(cause), batch)
          })
        )
      },
      { concurrency: "unbounded", discard: true }
    )
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

  /** Each sink's circuit state and counters, with the pipeline's counters. */
  health(): PipelineHealth {
    const sinks = [...this.syncSinks, ...this.asyncSinks].map((sink) => {
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
    const status = sinks.every((s) => s.status === "ok")
      ? "ok"
      : sinks.some((s) => s.status === "ok")
        ? "degraded"
        : "failing"
    return { status, sinks, stats: this.stats() }
  }

  private readonly waitForWork: Effect.Effect<void> = Effect.async<void>((resume) => {
    this.wake = () => resume(Effect.void)
    return Effect.sync(() => {
      this.wake = undefined
    })
  })

  /** The worker: drain, serve the asynchronous sinks, sleep until woken; ends on close. */
  readonly run: Effect.Effect<void> = Effect.gen(this, function* () {
    while (true) {
      this.drainSync()
      while (this.pending.length > 0) {
        const next = this.pending[0]!
        // Interruptible on purpose: only a shutdown timeout interrupts the worker, and a batch
        // cut short stays in `pending`, where it is counted as lost.
        yield* this.writeAsync(next.batch)
        this.pending.shift()
        this.afterAsyncBatch(next)
      }
      if (!this.hasWork()) {
        if (this.closing) return
        yield* this.waitForWork
      }
    }
  })

  private readonly writeStragglers: Effect.Effect<void> = Effect.suspend(() => {
    this.drainSync()
    return Effect.whileLoop({
      while: () => this.pending.length > 0,
      body: () => {
        const next = this.pending[0]!
        return Effect.map(this.writeAsync(next.batch), () => {
          this.pending.shift()
          this.afterAsyncBatch(next)
        })
      },
      step: () => {}
    })
  })

  private readonly handedOver: Effect.Effect<void> = Effect.suspend(() => {
    this.drainSync()
    const target = this.accepted
    if (this.settled + this.lost >= target || this.closed) return Effect.void
    return Effect.async<void>((resume) => {
      this.waiters.push({ target, resume: () => resume(Effect.void) })
      this.signal()
    })
  })

  /**
   * Completes once every event accepted before the call has been handed to every sink and,
   * for sinks that deliver in the background, delivered, spooled or given up (each such
   * wait bounded by the shutdown timeout).
   */
  readonly flush: Effect.Effect<void> = Effect.suspend(() =>
    this.sinkFlushes.length === 0
      ? this.handedOver
      : Effect.zipRight(
          this.handedOver,
          Effect.forEach(
            this.sinkFlushes,
            (f) =>
              f.pipe(
                Effect.timeoutOption(this.flushTimeout),
                Effect.catchAllCause(() => Effect.void)
              ),
            { concurrency: "unbounded", discard: true }
          )
        )
  )

  /**
   * Stops intake after draining: lets the worker write everything accepted, bounded by the
   * shutdown timeout, then counts and reports what could not be written.
   */
  close(worker: Fiber.RuntimeFiber<void>, timeout: Duration.DurationInput): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (this.closing) return
      this.closing = true
      if (this.ticker !== undefined) clearInterval(this.ticker)
      // processors see every buffered event before they report what they held back
      this.drainSync()
      this.tick(true)
      this.signal()
      // Finalizers run uninterruptibly; the wait itself must be interruptible or the
      // timeout could never cut it short.
      const deadline = Date.now() + Duration.toMillis(Duration.decode(timeout))
      const joined = yield* Fiber.join(worker).pipe(Effect.interruptible, Effect.timeoutOption(timeout))
      // From here on, calls are refused; what was accepted while the worker was finishing
      // (a finalizer logging, say) is still written, within the same deadline.
      this.closed = true
      exitHook.unregister(this)
      const finished = Option.isSome(joined)
        ? yield* this.writeStragglers.pipe(
            Effect.interruptible,
            Effect.timeoutOption(Math.max(0, deadline - Date.now())),
            Effect.map(Option.isSome)
          )
        : false
      if (Option.isNone(joined)) yield* Fiber.interruptFork(worker)
      this.giveUpPending(finished ? "pipeline closed" : "shutdown timeout expired")
    })
  }

  private giveUpPending(reason: string): void {
    const lost = this.accepted - this.settled - this.lost
    if (lost > 0) {
      this.lost += lost
      this.pending.length = 0
      this.diagnostics.report("pipeline", `${lost} accepted events were lost: ${reason}`, undefined, { lost })
    }
    for (const w of this.waiters.splice(0)) w.resume()
    for (const resume of this.roomWaiters.splice(0)) resume()
  }

  /** The process is about to die of `error`: record it at fatal and write everything now. */
  logCrash(error: unknown, origin: string): void {
    if (this.closed) return
    this.offer(
      recordOf(
        levels.fatal,
        origin === "unhandledRejection" ? "unhandled promise rejection" : "uncaught exception",
        {
          logger: this.name,
          error,
          fields: { origin }
        }
      )
    )
    // write now, synchronously, but stay open: the app may have its own handler and live on
    this.drainSync()
  }

  /** The process is exiting: write what the synchronous sinks can, count the rest. */
  drainOnExit(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker)
    this.drainSync()
    this.tick(true)
    this.drainSync()
    this.giveUpPending("process exited before asynchronous sinks finished")
    this.closed = true
  }
}

/**
 * Builds a pipeline in the current scope. The worker is a daemon fiber owned by the drain
 * finalizer: closing the scope lets it finish (bounded by the shutdown timeout, after which
 * it is interrupted without waiting), and sinks acquired earlier in the scope are released
 * only after that.
 */
export const make = (options: PipelineOptions): Effect.Effect<Pipeline, never, Scope.Scope> =>
  Effect.gen(function* () {
    const pipeline = new Pipeline(options)
    const worker = yield* Effect.forkDaemon(pipeline.run)
    yield* Effect.addFinalizer(() => pipeline.close(worker, options.shutdownTimeout))
    exitHook.register(pipeline)
    if (options.logCrashes === true) {
      exitHook.registerCrash(pipeline)
      yield* Effect.addFinalizer(() => Effect.sync(() => exitHook.unregisterCrash(pipeline)))
    }
    return pipeline
  })
