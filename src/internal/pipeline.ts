import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { Sink } from "../Sink.js"
import { type BatchContext, BatchImpl } from "./batch.js"
import { type CategoryLevelMap, CategoryLevels } from "./categories.js"
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
import * as metrics from "./metrics.js"
import type { MinimisedStats } from "./minimise.js"
import { clearImmediate, randomHex, setImmediate } from "./platform.js"
import { Processing } from "./processing.js"
import { type StageProcessor, summaryRecord } from "./processor.js"
import { type Bindings, type LogRecord, recordOf } from "./record.js"
import type { CompiledRedaction } from "./redact.js"
import type { RetentionStats } from "./retentionReport.js"
import type { RetryOptions } from "./retry.js"
import type { Serializers } from "./serializers.js"
import { Waiters } from "./waiters.js"

export type { SinkHealth } from "./dispatch.js"
export type { OverflowPolicy } from "./intake.js"

export interface PipelineOptions {
  /** Name written in the `logger` key and in diagnostics. */
  readonly name: string
  /** The default level: that of every category no `categoryLevels` prefix covers. */
  readonly level: LevelName
  /** The level of each category prefix (`"app.db"` covers `"app.db.pool"`); most specific wins. */
  readonly categoryLevels?: CategoryLevelMap | undefined
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
  /** Per-key serializers, which callers apply at the call (serializers.ts). */
  readonly serializers?: Serializers | undefined
  /**
   * Count the self-metrics (events by level and logger, batch and sink write durations) and
   * serve them with every other live pipeline's (`Metrics.text`, `/metrics`); default false.
   */
  readonly metrics?: boolean | undefined
  /** The deletions sinks' retention made (files, plugins' partitions), for `stats().retention` (retentionReport.ts). */
  readonly retention?: (() => RetentionStats | undefined) | undefined
}

/**
 * Counters of a pipeline: `accepted = settled + queued + lostBy.pipeline`, always (see
 * {@link Pipeline.stats}).
 */
export interface PipelineStats {
  /** Events taken in (the call returned and nothing refused them). */
  readonly accepted: number
  /**
   * Events the pipeline is done with: handed to every sink (written, or a failure reported),
   * filtered, or held by a processor (`held`).
   */
  readonly settled: number
  /**
   * Settled events a processor holds back for now (the fingers-crossed buffers): each is
   * written later, when its context triggers (or at close with `flushOnClose`), or counted
   * in `filtered` when it is discarded. `flush()` does not wait for them.
   */
  readonly held: number
  /** Events waiting in the buffer or for asynchronous sinks. */
  readonly queued: number
  /** Calls refused: after close, or by the overflow policy (including evicted events). */
  readonly refused: number
  /**
   * Refusals by reason ("closed", "overflow", "reentrant") and level, e.g.
   * { "overflow": { "info": 3 } }.
   */
  readonly refusedBy: Readonly<Record<string, Readonly<Record<string, number>>>>
  /**
   * Events given up: by the pipeline (accepted events still owed to a sink when the shutdown
   * timeout expired or the process exited), and by sinks that report what they gave up after
   * taking it (a network sink: refused by the server, unencodable, its spool full, or found
   * damaged in its spool, events of an earlier run included).
   */
  readonly lost: number
  /** `lost` by who gave the events up: "pipeline", or a sink's name. */
  readonly lostBy: Readonly<Record<string, number>>
  /** Sink write failures reported. */
  readonly sinkErrors: number
  /**
   * Accepted events that a processor (sampling, throttling, deduplication, fingers-crossed
   * discards, the size guard, yours) dropped.
   */
  readonly filtered: number
  /** `filtered` by processor name, e.g. { "sampling": 120, "drop-health-checks": 7 }. */
  readonly filteredBy: Readonly<Record<string, number>>
  /**
   * With the `minimise` setting: the fields off the allow-lists, by path (left out, or in
   * report mode seen and kept), and how many events had any, e.g.
   * `{ mode: "enforce", events: 12, fields: { "email": 9, "http.headers": 12 } }`.
   */
  readonly minimised?: MinimisedStats | undefined
  /**
   * When sinks' retention deleted rotated files (or, with `@fapilog/postgres`, dropped daily
   * partitions: `partitions`): how many, their bytes, and how many by policy, e.g.
   * `{ files: 4, bytes: 41943040, byPolicy: { maxAge: 3, maxFiles: 1 } }`.
   * Each deletion is also logged as an `audit` event (docs/sinks.md#retention).
   */
  readonly retention?: RetentionStats | undefined
}

export interface PipelineHealth {
  readonly status: "ok" | "degraded" | "failing"
  readonly sinks: ReadonlyArray<SinkHealth>
  readonly stats: PipelineStats
}

/**
 * A batch the synchronous sinks have written, waiting for the asynchronous ones; or, when
 * `batch` is undefined, one that was spilled to their durable stores and only waits for the
 * batches before it, so that events settle in the order they were taken.
 */
interface Pending {
  readonly batch: BatchImpl | undefined
  /** The drained count once this batch is settled. */
  readonly end: number
  /** With metrics on: when the batch was taken out of the buffer, and how many events it took. */
  readonly started?: number | undefined
  readonly taken?: number | undefined
}

/** Completes on the next turn of the event loop, after its I/O callbacks. */
const nextTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** What a sink says it gave up after taking it (`Sink.State.lost`), or 0. */
const lostIn = (sink: Sink): number => {
  try {
    const lost = sink.health?.().lost
    return typeof lost === "number" && Number.isFinite(lost) && lost > 0 ? lost : 0
  } catch {
    return 0
  }
}

/** What a sink says its durable store holds (`Sink.State.spoolBytes`), if it says. */
const spoolBytesIn = (sink: Sink): number | undefined => {
  try {
    const bytes = sink.health?.().spoolBytes
    return typeof bytes === "number" && Number.isFinite(bytes) && bytes >= 0 ? bytes : undefined
  } catch {
    return undefined
  }
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
 *
 * Re-entrant logging (a sink, enricher, processor or late `toJSON` that logs through this
 * same pipeline while a batch is being processed or written): such events go to the next
 * batch, never into the one being written, and the worker takes at most one batch per turn
 * of the event loop, so a sink that logs on every write makes a chain of batches, one per
 * turn, with timers and I/O running in between, never a loop that holds the thread. At most
 * `capacity` events may be logged during one batch; past that they are refused and counted
 * as "reentrant" (a sink that logs two events per event it writes would otherwise double
 * the work on every turn).
 *
 * Spilling: under "block", once the backlog of the asynchronous sinks is full, a batch is
 * handed to every asynchronous sink's `spill` (a network sink's durable spool) instead of
 * being queued, when every asynchronous sink has one; only when a spill fails (the disk
 * budget is spent) are unprotected events refused, until the backlog has room again.
 */
export class Pipeline implements exitHook.ExitDrainable, exitHook.CrashLogger, metrics.MetricsSource {
  /** The lowest rank any category writes (`levels.minRank`, kept here for the callers' early-out). */
  minRank: number
  /** The default level and the category levels; callers resolve their category's rank here. */
  readonly levels: CategoryLevels
  readonly name: string
  /** The limits that capture applies at the call; undefined when values are read late. */
  readonly capturing: JsonLimits | undefined
  /** Enrichers the callers run at the call (empty: none). */
  readonly callSite: ReadonlyArray<RunningCallSiteEnricher>
  /** Serializers the callers apply at the call; undefined when there are none. */
  readonly serializers: Serializers | undefined
  readonly diagnostics: Diagnostics
  private readonly intake: Intake
  private readonly processing: Processing
  private readonly dispatch: Dispatch
  private readonly retention: (() => RetentionStats | undefined) | undefined
  private readonly batchContext: BatchContext
  /** The self-metrics beyond `stats()`, when they are on. */
  private readonly metrics: metrics.PipelineMetrics | undefined
  /** Every event id of this pipeline starts with it: 16 random hex digits and a dash. */
  private readonly idPrefix = `${randomHex(8)}-`
  private seq = 0
  private ticker: ReturnType<typeof setInterval> | undefined = undefined
  private readonly pending: Array<Pending> = []
  /** Events in `pending`: bounded, so that slow asynchronous sinks cannot grow memory. */
  private pendingEvents = 0
  /** `flush` callers, until what was accepted before their call is settled. */
  private readonly handoffs = new Waiters()
  /** Effect callers under "block", admitted oldest first as the asynchronous backlog has room. */
  private readonly room = new Waiters()
  /** Every asynchronous sink can spill (under "block"); none can when there are none. */
  private readonly spillable: boolean
  /** A spill failed: refuse past the backlog again until it has room. */
  private spillFailed = false
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
  private readonly sinks: ReadonlyArray<Sink>
  private readonly flushTimeout: Duration.DurationInput

  constructor(options: PipelineOptions) {
    this.name = options.name
    this.capturing = options.capture === "late" ? undefined : (options.limits ?? defaultLimits)
    this.callSite = (options.callSiteEnrichers ?? []).map(running)
    this.serializers = options.serializers
    this.levels = new CategoryLevels(options.name, options.level, options.categoryLevels)
    this.minRank = this.levels.minRank
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
      stamp: (r) => this.stamp(r),
      late: this.capturing === undefined ? (options.limits ?? defaultLimits) : undefined
    })
    const counted = options.metrics === true ? new metrics.PipelineMetrics(options.name) : undefined
    this.metrics = counted
    this.dispatch = new Dispatch({
      sinks: options.sinks,
      diagnostics: this.diagnostics,
      fallback: options.fallback,
      retry: options.retry,
      circuitBreaker: options.circuitBreaker,
      onWrite: counted === undefined ? undefined : (sink, seconds) => counted.sinkWrite(sink, seconds)
    })
    // a sink under a level or a route still flushes and reports its losses, once
    this.sinks = this.dispatch.destinations
    this.sinkFlushes = this.sinks.flatMap((s) => (s.flush === undefined ? [] : [s.flush]))
    this.spillable =
      this.intake.overflow === "block" &&
      this.dispatch.asyncSinks.length > 0 &&
      this.dispatch.asyncSinks.every((s) => typeof s.spill === "function")
    this.flushTimeout = options.shutdownTimeout
    this.retention = options.retention
    this.batchContext = {
      redact: options.redact,
      fieldsCaptured: this.capturing !== undefined,
      onFormatError: (name, e) => this.diagnostics.report(`formatter ${name}`, "failed for an event", e)
    }
    // a plain unref'd timer: processor windows close and refusals are summarised on time,
    // without holding the process open
    this.ticker = setInterval(() => this.tick(), 1000)
    // Node: the ticker does not keep the process alive (a browser's timers have no unref)
    ;(this.ticker as { unref?: () => void }).unref?.()
  }

  /**
   * The counters, and the one place that states their rule: every accepted event is
   * settled (handed to every sink, or filtered), still queued, or given up by the pipeline
   * (`lostBy.pipeline`); nothing else. What sinks give up after taking events is added to
   * `lost` under their names.
   */
  stats(): PipelineStats {
    const filteredBy = this.processing.filtered()
    const minimised = this.processing.minimised()
    let retention: RetentionStats | undefined
    try {
      retention = this.retention?.()
    } catch {
      retention = undefined
    }
    const lostBy: Record<string, number> = {}
    if (this.lost > 0) lostBy.pipeline = this.lost
    let lost = this.lost
    for (const sink of this.sinks) {
      const n = lostIn(sink)
      if (n === 0) continue
      lost += n
      lostBy[sink.name] = (lostBy[sink.name] ?? 0) + n
    }
    return {
      accepted: this.intake.accepted,
      settled: this.settled,
      held: this.processing.held(),
      queued: this.intake.accepted - this.settled - this.lost,
      refused: this.intake.refused,
      refusedBy: this.intake.refusals(),
      lost,
      lostBy,
      sinkErrors: this.dispatch.sinkErrors,
      filtered: Object.values(filteredBy).reduce((a, b) => a + b, 0),
      filteredBy,
      ...(minimised === undefined ? {} : { minimised }),
      ...(retention === undefined ? {} : { retention })
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

  /** The self-metrics: the counters of `stats()` and `health()`, and what only metrics count. */
  metricsSnapshot(): metrics.PipelineSnapshot {
    const stats = this.stats()
    const m = this.metrics
    const spool = new Map<string, number>()
    for (const sink of this.sinks) {
      const bytes = spoolBytesIn(sink)
      if (bytes !== undefined) spool.set(sink.name, bytes)
    }
    return {
      name: this.name,
      events: m?.events() ?? [],
      accepted: stats.accepted,
      queued: stats.queued,
      buffered: this.intake.size,
      capacity: this.intake.capacity,
      refusedBy: stats.refusedBy,
      lostBy: stats.lostBy,
      filteredBy: stats.filteredBy,
      batchSize: (m?.batchSize ?? new metrics.Histogram(metrics.batchSizeBounds)).state(),
      batchSeconds: (m?.batchSeconds ?? new metrics.Histogram(metrics.secondsBounds)).state(),
      sinks: this.dispatch.counters().map((s) => ({
        ...s,
        spoolBytes: spool.get(s.name),
        writeSeconds: m?.sinkSeconds.get(s.name)?.state()
      }))
    }
  }

  /** Sets the default level, or the level of the category prefix `category`. */
  setLevel(level: LevelName, category?: string | undefined): void {
    this.levels.set(level, category)
    this.minRank = this.levels.minRank
  }

  /** Takes one event. Never throws, never waits on a network. */
  offer(record: LogRecord): void {
    if (this.closed) {
      if (!this.intake.hasRefused("closed"))
        this.diagnostics.report("pipeline", "event logged after close was refused")
      this.intake.refuse("closed", record)
      return
    }
    if (this.draining && this.intake.full) {
      // logged from inside the batch being processed or written, beyond what one batch may log
      if (!this.intake.hasRefused("reentrant"))
        this.diagnostics.report(
          "pipeline",
          "events logged by a sink, enricher or processor while a batch was written went past capacity and were refused"
        )
      this.intake.refuse("reentrant", record)
      return
    }
    if (!this.intake.take(record, this.backlogFull() && !this.canSpill())) return
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

  /** Whether a full backlog spills to the asynchronous sinks' durable stores rather than refusing. */
  private canSpill(): boolean {
    return this.spillable && !this.spillFailed
  }

  /** Whether an Effect caller logging at `level` must wait for room rather than be refused. */
  mustWait(level: LevelInfo): boolean {
    return this.intake.overflow === "block" && level.rank < this.intake.protectedRank && this.backlogFull()
  }

  /**
   * For Effect callers under "block" (`Fapilog.*`): offers `record` once the backlog of the
   * asynchronous sinks has room (at once when it has), so that the caller suspends instead
   * of being refused. Waiting callers are admitted oldest first, as many as the room takes,
   * by the release that makes room: none is woken only to find the backlog full again. A
   * caller still waiting when the pipeline closes is refused ("closed"); one interrupted
   * while it waits made no call.
   */
  offerWhenRoom(record: LogRecord): Effect.Effect<void> {
    return Effect.suspend(() => {
      let offered = false
      const admit = (): boolean => {
        if (!this.closed && this.mustWait(record.level)) return false
        offered = true
        this.offer(record)
        return true
      }
      return Effect.zipRight(
        this.room.wait(admit),
        Effect.sync(() => {
          if (!offered) this.offer(record)
        })
      )
    })
  }

  /**
   * Logs a record of fapilog's own (an alert sink's firing, a retention report) after the
   * batch being written, past the processors, as the pipeline's summaries are. False once
   * the pipeline is closed: the record was not taken.
   */
  announce(record: LogRecord): boolean {
    if (this.closed) return false
    this.processing.emit(record)
    this.signalSoon()
    return true
  }

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
   * each. The wait is a fraction of a millisecond. On Node it is its own `setImmediate`
   * (from `node:timers`), which test frameworks' fake timers do not replace (platform.ts).
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
    const m = this.metrics
    const started = m === undefined ? 0 : performance.now()
    this.draining = true
    try {
      m?.count(records)
      const batch = new BatchImpl(this.processing.run(records), this.batchContext)
      this.dispatch.writeSync(batch)
      this.drained += records.length
      if (this.dispatch.asyncSinks.length === 0 || !this.dispatch.takesAsync(batch)) {
        // written everywhere it goes: settled now, or in turn after the batches queued before it
        if (this.pending.length === 0) this.settle(this.drained)
        else this.pending.push({ batch: undefined, end: this.drained })
        if (m !== undefined && records.length > 0)
          m.batchDone(records.length, (performance.now() - started) / 1000)
      } else if (this.backlogFull() && this.canSpill()) {
        this.spill(batch)
        if (m !== undefined && records.length > 0)
          m.batchDone(records.length, (performance.now() - started) / 1000)
        // settled in turn, after the batches queued before it
        if (this.pending.length === 0) this.settle(this.drained)
        else this.pending.push({ batch: undefined, end: this.drained })
      } else {
        this.pending.push({ batch, end: this.drained, started, taken: records.length })
        this.pendingEvents += batch.size
        this.signal()
      }
    } finally {
      this.draining = false
    }
  }

  /**
   * Hands `batch` to every asynchronous sink's durable store, now (counted per sink as
   * spilled; see `Dispatch.spill`). Once a sink cannot keep its part (its disk budget is
   * spent, or its spill threw), events past the backlog are refused again until it has room.
   */
  private spill(batch: BatchImpl): void {
    const failed = this.dispatch.spill(batch)
    if (failed !== undefined && !this.spillFailed) {
      this.spillFailed = true
      this.diagnostics.report(
        `sink ${failed}`,
        "could not spill a batch past the full backlog; events past the backlog are refused until it has room"
      )
    }
  }

  private settle(end: number): void {
    this.settled = end
    this.handoffs.release()
  }

  /** The oldest pending batch, written through the asynchronous sinks (a spilled one is only settled). */
  private readonly writeNext: Effect.Effect<void> = Effect.suspend(() => {
    const next = this.pending[0] as Pending
    const done = () => {
      this.pending.shift()
      if (next.batch !== undefined) this.pendingEvents -= next.batch.size
      if (this.metrics !== undefined && next.taken !== undefined && next.taken > 0)
        this.metrics.batchDone(next.taken, (performance.now() - (next.started as number)) / 1000)
      this.settle(next.end)
      if (!this.backlogFull()) {
        this.spillFailed = false
        this.room.release()
      }
    }
    return next.batch === undefined
      ? Effect.sync(done)
      : Effect.map(this.dispatch.writeAsync(next.batch), done)
  })

  private readonly waitForWork: Effect.Effect<void> = Effect.async<void>((resume) => {
    this.wake = () => resume(Effect.void)
    return Effect.sync(() => {
      this.wake = undefined
    })
  })

  /**
   * The worker: drain, serve the asynchronous sinks one batch at a time, sleep until woken;
   * ends on close. It takes at most one batch per turn of the event loop: whatever was
   * logged while a batch was written (by a sink that logs, say) waits for the next turn, so
   * timers and I/O always run between two batches.
   */
  readonly run: Effect.Effect<void> = Effect.gen(this, function* () {
    while (true) {
      this.drainSync()
      // Interruptible on purpose: only a shutdown timeout interrupts the worker, and a batch
      // cut short stays in `pending`, where it is counted as lost.
      if (this.pending.length > 0) yield* this.writeNext
      if (this.pending.length > 0 || this.hasWork()) yield* nextTurn
      else if (this.closing) return
      else yield* this.waitForWork
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
      metrics.unregister(this)
    })
  }

  /** Counts what is still owed as lost and lets every waiter go (waiting callers are refused: closed). */
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
    this.closed = true
    this.giveUpPending("process exited before asynchronous sinks finished")
    metrics.unregister(this)
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
    if (options.metrics === true) metrics.register(pipeline)
    if (options.logCrashes === true) {
      exitHook.registerCrash(pipeline)
      yield* Effect.addFinalizer(() => Effect.sync(() => exitHook.unregisterCrash(pipeline)))
    }
    return pipeline
  })
