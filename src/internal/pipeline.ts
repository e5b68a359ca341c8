import { randomBytes } from "node:crypto"
import { setImmediate } from "node:timers"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { Sink } from "../Sink.js"
import { type BatchContext, BatchImpl } from "./batch.js"
import type { CircuitBreakerOptions } from "./circuitBreaker.js"
import { Diagnostics } from "./diagnostics.js"
import { Dispatch, type SinkHealth } from "./dispatch.js"
import {
  type CallSiteEnricher,
  type NamedEnricher,
  type RunningCallSiteEnricher,
  running
} from "./enrichers.js"
import * as exitHook from "./exitHook.js"
import { BACKLOG_BUFFERS, Intake, type OverflowPolicy } from "./intake.js"
import { defaultLimits, type JsonLimits } from "./json.js"
import { type LevelInfo, type LevelName, levels, WARN } from "./level.js"
import { Processing } from "./processing.js"
import { type StageProcessor, summaryRecord } from "./processor.js"
import { type Bindings, type LogRecord, recordOf } from "./record.js"
import type { CompiledRedaction } from "./redact.js"
import type { RetryOptions } from "./retry.js"
import { Waiters } from "./waiters.js"

export type { SinkHealth } from "./dispatch.js"
export type { OverflowPolicy } from "./intake.js"

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
  /** Enrichers run on the caller's side, at the call, in this order. */
  readonly callSiteEnrichers?: ReadonlyArray<CallSiteEnricher> | undefined
  /** The processor stage, in the order it runs (built-ins and the user's). */
  readonly processors?: ReadonlyArray<StageProcessor> | undefined
  /**
   * What a full buffer does: "block" (default: synchronous callers drain it inline, Effect
   * callers of Fapilog.* wait), "drop-newest" (refuse the incoming event), "drop-oldest"
   * (evict the oldest buffered one). Protected levels are never refused while a lower one can be.
   */
  readonly overflow?: OverflowPolicy | undefined
  /** Events at or above this level are protected from overflow refusal; default "error". */
  readonly protectedLevel?: LevelName | undefined
  /** Log an uncaught exception or unhandled rejection at fatal and flush before the process dies. */
  readonly logCrashes?: boolean | undefined
  /** Where a failing sink's batches go; default none. */
  readonly fallback?: Sink | undefined
  readonly retry?: RetryOptions | undefined
  readonly circuitBreaker?: CircuitBreakerOptions | undefined
  /** Serialization limits; capture applies them at the call. Default `defaultLimits`. */
  readonly limits?: JsonLimits | undefined
  /**
   * When the values of a call are read: "call" (default: captured by the caller, so the
   * line shows them as they were) or "late" (read when the batch is formatted; a value the
   * caller changes in between shows its later state).
   */
  readonly capture?: "call" | "late" | undefined
}

/** Counters of a pipeline: `accepted = settled + queued + lost`, always (see {@link Pipeline.stats}). */
export interface PipelineStats {
  /** Events taken in (the call returned and nothing refused them). */
  readonly accepted: number
  /** Events the pipeline is done with: handed to every sink (written, or a failure reported), or filtered. */
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
  /** Accepted events that a processor (sampling, throttling, deduplication, the size guard, yours) dropped. */
  readonly filtered: number
  /** `filtered` by processor name, e.g. { "sampling": 120, "drop-health-checks": 7 }. */
  readonly filteredBy: Readonly<Record<string, number>>
}

export interface PipelineHealth {
  readonly status: "ok" | "degraded" | "failing"
  readonly sinks: ReadonlyArray<SinkHealth>
  readonly stats: PipelineStats
}

/** A batch the synchronous sinks have written, waiting for the asynchronous ones. */
interface Pending {
  readonly batch: BatchImpl
  /** The drained count once this batch is settled. */
  readonly end: number
}

/**
 * caller → bounded buffer → one worker fiber → processors → batch → sinks.
 *
 * The stages live in their own modules: {@link Intake} (the buffer, overflow and
 * refusals), {@link Processing} (enrichers and processors), {@link Dispatch} (sinks,
 * breakers, fallback). This class wires them: `offer` is plain synchronous code that
 * pushes and either wakes the worker (once per turn of the event loop) or, when the buffer
 * is full under "block", drains it inline through the synchronous sinks. The worker drains
 * whatever is buffered as one batch, then serves the asynchronous sinks in order.
 */
export class Pipeline implements exitHook.ExitDrainable, exitHook.CrashLogger {
  minRank: number
  readonly name: string
  /** The limits that capture applies at the call; undefined when values are read late. */
  readonly capturing: JsonLimits | undefined
  /** Enrichers the callers run at the call (empty: none). */
  readonly callSite: ReadonlyArray<RunningCallSiteEnricher>
  readonly diagnostics: Diagnostics
  private readonly intake: Intake
  private readonly processing: Processing
  private readonly dispatch: Dispatch
  private readonly batchContext: BatchContext
  /** Every event id of this pipeline starts with it: 16 random hex digits and a dash. */
  private readonly idPrefix = `${randomBytes(8).toString("hex")}-`
  private seq = 0
  private ticker: ReturnType<typeof setInterval> | undefined = undefined
  private readonly pending: Array<Pending> = []
  /** Events in `pending`: bounded, so that slow asynchronous sinks cannot grow memory. */
  private pendingEvents = 0
  /** `flush` callers, until what was accepted before their call is settled. */
  private readonly handoffs = new Waiters()
  /** Effect callers under "block", until the asynchronous backlog has room. */
  private readonly room = new Waiters()
  private wake: (() => void) | undefined = undefined
  private wakeScheduled = false
  private draining = false
  private closing = false
  private closed = false
  /** Events taken out of the buffer into batches. */
  private drained = 0
  private settled = 0
  private lost = 0
  private reportedRefused = 0
  private reportedLost = 0
  /** Sinks that deliver in the background: `flush` also waits for their deliveries. */
  private readonly sinkFlushes: ReadonlyArray<Effect.Effect<void>>
  private readonly flushTimeout: Duration.DurationInput

  constructor(options: PipelineOptions) {
    this.name = options.name
    this.capturing = options.capture === "late" ? undefined : (options.limits ?? defaultLimits)
    this.callSite = (options.callSiteEnrichers ?? []).map(running)
    this.minRank = levels[options.level].rank
    this.diagnostics = options.diagnostics ?? new Diagnostics(options.name)
    this.intake = new Intake(
      Math.max(1, options.capacity),
      options.overflow ?? "block",
      levels[options.protectedLevel ?? "error"].rank
    )
    this.processing = new Processing({
      diagnostics: this.diagnostics,
      enrichment: options.enrichment,
      enrichers: options.enrichers,
      processors: options.processors,
      stamp: (r) => this.stamp(r)
    })
    this.dispatch = new Dispatch({
      sinks: options.sinks,
      diagnostics: this.diagnostics,
      fallback: options.fallback,
      retry: options.retry,
      circuitBreaker: options.circuitBreaker
    })
    this.sinkFlushes = options.sinks.flatMap((s) => (s.flush === undefined ? [] : [s.flush]))
    this.flushTimeout = options.shutdownTimeout
    this.batchContext = {
      redact: options.redact,
      onFormatError: (name, e) => this.diagnostics.report(`formatter ${name}`, "failed for an event", e)
    }
    // a plain unref'd timer: processor windows close and refusals are summarised on time,
    // without holding the process open
    this.ticker = setInterval(() => this.tick(), 1000)
    this.ticker.unref()
  }

  /**
   * The counters, and the one place that states their rule: every accepted event is
   * settled (handed to every sink, or filtered), still queued, or lost; nothing else.
   */
  stats(): PipelineStats {
    const filteredBy = this.processing.filtered()
    return {
      accepted: this.intake.accepted,
      settled: this.settled,
      queued: this.intake.accepted - this.settled - this.lost,
      refused: this.intake.refused,
      refusedBy: this.intake.refusals(),
      lost: this.lost,
      sinkErrors: this.dispatch.sinkErrors,
      filtered: Object.values(filteredBy).reduce((a, b) => a + b, 0),
      filteredBy
    }
  }

  /** Each sink's circuit state and counters, with the pipeline's counters. */
  health(): PipelineHealth {
    const sinks = this.dispatch.health()
    const status = sinks.every((s) => s.status === "ok")
      ? "ok"
      : sinks.some((s) => s.status === "ok")
        ? "degraded"
        : "failing"
    return { status, sinks, stats: this.stats() }
  }

  setLevel(level: LevelName): void {
    this.minRank = levels[level].rank
  }

  /** Takes one event. Never throws, never waits on a network. */
  offer(record: LogRecord): void {
    if (this.closed) {
      if (!this.intake.hasRefused("closed"))
        this.diagnostics.report("pipeline", "event logged after close was refused")
      this.intake.refuse("closed", record)
      return
    }
    if (!this.intake.take(record, this.backlogFull())) return
    this.stamp(record)
    if (this.intake.full && this.intake.overflow === "block" && !this.draining) this.drainSync()
    else if (this.wake !== undefined) this.signalSoon()
  }

  /** Gives an event its stable id. */
  private stamp(record: LogRecord): void {
    if (record.seq !== 0 || record.givenId !== undefined) return
    record.idPrefix = this.idPrefix
    record.seq = ++this.seq
  }

  private backlogFull(): boolean {
    return this.pendingEvents >= this.intake.capacity * BACKLOG_BUFFERS
  }

  /** Whether an Effect caller logging at `level` must wait for room rather than be refused. */
  mustWait(level: LevelInfo): boolean {
    return this.intake.overflow === "block" && level.rank < this.intake.protectedRank && this.backlogFull()
  }

  /**
   * For Effect callers under "block": completes when the backlog of the asynchronous sinks
   * has room (at once when it has), so that the caller suspends instead of being refused.
   */
  readonly awaitRoom: Effect.Effect<void> = this.room.wait(
    () => this.intake.overflow !== "block" || !this.backlogFull() || this.closed
  )

  /** Lets windowed processors report; their summaries join the next batch. */
  tick(final = false): void {
    const now = Date.now()
    this.processing.tick(now, final)
    const refused = this.intake.refused
    if (refused > this.reportedRefused || this.lost > this.reportedLost) {
      this.processing.emit(
        summaryRecord(now, WARN, "events refused or lost", {
          processor: "pipeline",
          refused: refused - this.reportedRefused,
          lost: this.lost - this.reportedLost,
          refusedSinceStart: this.intake.refusals()
        })
      )
      this.reportedRefused = refused
      this.reportedLost = this.lost
    }
    if (this.processing.pending) this.signal()
  }

  private hasWork(): boolean {
    return this.intake.size > 0 || this.processing.pending
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
    const records = this.intake.drain()
    this.draining = true
    try {
      const batch = new BatchImpl(this.processing.run(records), this.batchContext)
      this.dispatch.writeSync(batch)
      this.drained += records.length
      if (this.dispatch.asyncSinks.length === 0) {
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

  private settle(end: number): void {
    this.settled = end
    this.handoffs.release()
  }

  /** The oldest pending batch, written through the asynchronous sinks. */
  private readonly writeNext: Effect.Effect<void> = Effect.suspend(() => {
    const next = this.pending[0] as Pending
    return Effect.map(this.dispatch.writeAsync(next.batch), () => {
      this.pending.shift()
      this.pendingEvents -= next.batch.size
      this.settle(next.end)
      if (!this.backlogFull()) this.room.release()
    })
  })

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
      // Interruptible on purpose: only a shutdown timeout interrupts the worker, and a batch
      // cut short stays in `pending`, where it is counted as lost.
      while (this.pending.length > 0) yield* this.writeNext
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
      body: () => this.writeNext,
      step: () => {}
    })
  })

  /** Completes once every event accepted before the call has been handed to every sink. */
  private readonly handedOver: Effect.Effect<void> = Effect.suspend(() => {
    this.drainSync()
    const target = this.intake.accepted
    return this.handoffs.wait(
      () => this.settled + this.lost >= target || this.closed,
      () => this.signal()
    )
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
    const lost = this.intake.accepted - this.settled - this.lost
    if (lost > 0) {
      this.lost += lost
      this.pending.length = 0
      this.diagnostics.report("pipeline", `${lost} accepted events were lost: ${reason}`, undefined, { lost })
    }
    this.handoffs.releaseAll()
    this.room.releaseAll()
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
