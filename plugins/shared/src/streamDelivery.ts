/**
 * Delivery for the sinks whose destination is not an HTTP endpoint (syslog over a socket,
 * PostgreSQL through a connection pool), which fapilog's `Network.make` cannot carry: it
 * sends every request with `fetch`. The shape is the network sink's, without its spool:
 *
 * - `write` moves a batch's events into the sink's own bounded queue, all or nothing; while
 *   they do not fit it waits, so backpressure reaches the pipeline and its overflow policy.
 * - One sender fiber forms batches by count, approximate bytes and age, encodes each once
 *   with the transport's `encode` and hands the result to `send`.
 * - A batch is settled only when `send` resolves (the destination took it) or refuses it for
 *   good (`permanent`). Any other failure is retried with the same payload, on a capped,
 *   jittered exponential schedule, for as long as the sink is open: events are held in
 *   memory, never dropped, while the destination is away (the queue fills and `write` waits).
 * - Closing lets the sender deliver what is queued within `drainTimeoutMs`, then counts what
 *   is left as lost and reports it; the transport is closed last.
 *
 * Effect at the edges (the fiber, the waits, the scope); the queue is a plain array.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Errors, type LogEvent, type Sink } from "fapilog"

/** How a sink reaches its destination: the only part that differs between syslog and PostgreSQL. */
export interface Transport<P> {
  /** The payload of one batch, computed once and resent as is; a throw costs the batch's events. */
  readonly encode: (events: ReadonlyArray<LogEvent.LogEvent>) => P
  /** Resolves once the destination has taken the payload; rejects to be retried. */
  readonly send: (payload: P) => Promise<void>
  /** Failures that no retry can fix (the destination refuses this payload): the batch is lost, reported. */
  readonly permanent?: ((error: unknown) => boolean) | undefined
  /** Releases connections; called once, after the last send. */
  readonly close: () => Promise<void>
}

/** Limits and timings; every field has the default below. */
export interface Options {
  readonly name: string
  readonly capacity?: number | undefined
  readonly maxEvents?: number | undefined
  readonly maxBytes?: number | undefined
  readonly maxWaitMs?: number | undefined
  readonly initialDelayMs?: number | undefined
  readonly maxDelayMs?: number | undefined
  readonly drainTimeoutMs?: number | undefined
  /** Approximate size of an event, for `maxBytes`. */
  readonly sizeOf?: ((event: LogEvent.LogEvent) => number) | undefined
  readonly report: (message: string, error?: unknown) => void
}

export const defaults = Object.freeze({
  capacity: 10_000,
  maxEvents: 1000,
  maxBytes: 1024 * 1024,
  maxWaitMs: 1000,
  initialDelayMs: 100,
  maxDelayMs: 30_000,
  drainTimeoutMs: 5000
})

/** Counters, in events unless named otherwise. */
export interface Stats {
  /** Taken by `write`. */
  readonly accepted: number
  /** Taken by the destination. */
  readonly delivered: number
  /** In the queue or in the batch being sent. */
  readonly queued: number
  /** Given up: unencodable, refused for good, or still undelivered at close. */
  readonly lost: number
  /** Batches delivered. */
  readonly batches: number
  /** Attempts after the first, over all batches. */
  readonly retries: number
  /** Whether the last attempt failed (the batch is being held and retried). */
  readonly failing: boolean
}

/** A sink delivered by this module, with its counters. */
export interface StreamSink extends Sink.Sink {
  readonly stats: () => Stats
}

/** Rough size of a value's JSON, bounded in depth and breadth, never throwing. */
export const approximateBytes = (value: unknown, depth = 0): number => {
  try {
    switch (typeof value) {
      case "string":
        return value.length + 2
      case "object": {
        if (value === null) return 4
        if (depth > 4) return 16
        let n = 2
        let keys = 0
        for (const k in value) {
          if (keys++ >= 200) break
          n += k.length + 4 + approximateBytes((value as Record<string, unknown>)[k], depth + 1)
        }
        return n
      }
      default:
        return 8
    }
  } catch {
    return 64
  }
}

interface Waiter {
  readonly ready: () => boolean
  readonly resume: () => void
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e))

class StreamSinkImpl<P> {
  private readonly capacity: number
  private readonly maxEvents: number
  private readonly maxBytes: number
  private readonly maxWaitMs: number
  private readonly drainTimeoutMs: number
  private readonly sizeOf: (event: LogEvent.LogEvent) => number
  private readonly schedule: Schedule.Schedule<unknown, unknown>

  private queue: Array<{ readonly event: LogEvent.LogEvent; readonly at: number }> = []
  private head = 0
  private inflight = 0
  private waiters: Array<Waiter> = []
  private wake: (() => void) | undefined
  private signalled = false
  private flushWanted = false
  private closing = false
  private closed = false

  private accepted = 0
  private delivered = 0
  private lost = 0
  private batches = 0
  private retries = 0
  private failing = false

  constructor(
    private readonly transport: Transport<P>,
    private readonly options: Options
  ) {
    this.capacity = Math.max(1, options.capacity ?? defaults.capacity)
    this.maxEvents = Math.max(1, options.maxEvents ?? defaults.maxEvents)
    this.maxBytes = options.maxBytes ?? defaults.maxBytes
    this.maxWaitMs = options.maxWaitMs ?? defaults.maxWaitMs
    this.drainTimeoutMs = options.drainTimeoutMs ?? defaults.drainTimeoutMs
    this.sizeOf = options.sizeOf ?? approximateBytes
    const maxDelay = Duration.millis(options.maxDelayMs ?? defaults.maxDelayMs)
    // exponential from initialDelayMs, jittered, each delay capped at maxDelayMs, for ever:
    // a batch is held until the destination takes it (or the sink closes)
    this.schedule = Schedule.exponential(
      Duration.millis(options.initialDelayMs ?? defaults.initialDelayMs)
    ).pipe(
      Schedule.jittered,
      Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay))
    )
  }

  private get queued(): number {
    return this.queue.length - this.head
  }

  private get settled(): number {
    return this.delivered + this.lost
  }

  stats(): Stats {
    return {
      accepted: this.accepted,
      delivered: this.delivered,
      queued: this.queued + this.inflight,
      lost: this.lost,
      batches: this.batches,
      retries: this.retries,
      failing: this.failing
    }
  }

  health(): Sink.State {
    return this.failing
      ? {
          status: "degraded",
          detail: `${this.options.name}: destination failing; events held`,
          lost: this.lost
        }
      : { status: "ok", lost: this.lost }
  }

  // ---- waiting ----

  private signal(): void {
    const wake = this.wake
    if (wake === undefined) this.signalled = true
    else {
      this.wake = undefined
      wake()
    }
  }

  private release(): void {
    if (this.waiters.length === 0) return
    const still: Array<Waiter> = []
    for (const w of this.waiters) if (!w.ready()) still.push(w)
    const done = this.waiters.filter((w) => !still.includes(w))
    this.waiters = still
    for (const w of done) w.resume()
  }

  /** Resumes once `ready()` holds; forgets the waiter when interrupted. */
  private until(ready: () => boolean): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (ready()) return resume(Effect.void)
      const waiter: Waiter = { ready, resume: () => resume(Effect.void) }
      this.waiters.push(waiter)
      return Effect.sync(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
      })
    })
  }

  /** The sender's pause: until signalled, or `ms` elapsed. */
  private pause(ms: number | undefined): Effect.Effect<void> {
    const waiting = Effect.async<void>((resume) => {
      if (this.signalled) {
        this.signalled = false
        return resume(Effect.void)
      }
      this.wake = () => resume(Effect.void)
      return Effect.sync(() => {
        this.wake = undefined
      })
    })
    return ms === undefined ? waiting : Effect.asVoid(Effect.timeoutOption(waiting, Math.max(0, ms)))
  }

  // ---- intake ----

  readonly write = (batch: Sink.Batch): Effect.Effect<void, Errors.SinkError> =>
    Effect.suspend(() => {
      if (this.closed)
        return Effect.fail(
          new Errors.SinkError({ sink: this.options.name, reason: "sink closed; events not taken" })
        )
      const events = batch.events
      if (events.length === 0) return Effect.void
      const fits = () =>
        this.closing || this.closed || this.queued === 0 || this.queued + events.length <= this.capacity
      return this.until(fits).pipe(
        Effect.zipRight(
          Effect.suspend(() => {
            if (this.closed)
              return Effect.fail(
                new Errors.SinkError({ sink: this.options.name, reason: "sink closed; events not taken" })
              )
            const at = Date.now()
            for (const event of events) this.queue.push({ event, at })
            this.accepted += events.length
            this.signal()
            return Effect.void
          })
        )
      )
    })

  /** Completes once the events taken before the call are delivered or given up. */
  readonly flush: Effect.Effect<void> = Effect.suspend(() => {
    const target = this.accepted
    this.flushWanted = true
    this.signal()
    return this.until(() => this.settled >= target || this.closed)
  })

  /** The next batch: up to maxEvents and about maxBytes (at least one event). */
  private take(): Array<LogEvent.LogEvent> {
    const out: Array<LogEvent.LogEvent> = []
    let bytes = 0
    while (this.head < this.queue.length && out.length < this.maxEvents) {
      const event = this.queue[this.head]!.event
      const size = this.sizeOf(event)
      if (out.length > 0 && bytes + size > this.maxBytes) break
      bytes += size
      out.push(event)
      this.head++
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    return out
  }

  private readyToSend(): boolean {
    if (this.closing || this.flushWanted || this.queued >= this.maxEvents) return true
    return Date.now() - this.queue[this.head]!.at >= this.maxWaitMs
  }

  /** The payloads of `events`: one, or (an encoder that throws) one per encodable event. */
  private encode(events: ReadonlyArray<LogEvent.LogEvent>): Array<{ payload: P; events: number }> {
    try {
      return [{ payload: this.transport.encode(events), events: events.length }]
    } catch (e) {
      if (events.length === 1) {
        this.lost++
        this.options.report(`cannot encode an event; 1 event lost`, e)
        return []
      }
      return events.flatMap((event) => this.encode([event]))
    }
  }

  /** Sends one payload until the destination takes it or refuses it for good. */
  private deliver(payload: P, events: number): Effect.Effect<void> {
    let attempts = 0
    return Effect.suspend(() => {
      if (attempts++ > 0) this.retries++
      return Effect.tryPromise({ try: () => this.transport.send(payload), catch: (e) => e })
    }).pipe(
      Effect.tapError((e) =>
        Effect.sync(() => {
          if (!this.failing && !this.transport.permanent?.(e))
            this.options.report(`delivery failing, ${events} event(s) held and retried: ${describe(e)}`, e)
          this.failing = true
        })
      ),
      Effect.retry({ schedule: this.schedule, while: (e) => !(this.transport.permanent?.(e) ?? false) }),
      Effect.matchEffect({
        onSuccess: () =>
          Effect.sync(() => {
            if (this.failing) this.options.report(`delivery resumed after ${attempts} attempt(s)`)
            this.failing = false
            this.delivered += events
            this.batches++
          }),
        onFailure: (e) =>
          Effect.sync(() => {
            this.failing = false
            this.lost += events
            this.options.report(`${events} event(s) lost: the destination refused them: ${describe(e)}`, e)
          })
      })
    )
  }

  /** The sender: forms, encodes and delivers batches; ends once closing and empty. */
  readonly run: Effect.Effect<void> = Effect.gen(this, function* () {
    while (true) {
      this.release()
      if (this.queued === 0) {
        this.flushWanted = false
        if (this.closing) return
        yield* this.pause(undefined)
        continue
      }
      if (!this.readyToSend()) {
        yield* this.pause(this.queue[this.head]!.at + this.maxWaitMs - Date.now())
        continue
      }
      const events = this.take()
      const payloads = this.encode(events)
      this.inflight = payloads.reduce((n, p) => n + p.events, 0)
      for (const { payload, events: n } of payloads) {
        yield* this.deliver(payload, n)
        this.inflight -= n
      }
    }
  })

  close(sender: Fiber.RuntimeFiber<void>): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      this.closing = true
      this.release()
      this.signal()
      // finalizers run uninterruptibly: the join must be made interruptible for the timeout to end it
      const joined = yield* Fiber.join(sender).pipe(
        Effect.interruptible,
        Effect.timeoutOption(this.drainTimeoutMs)
      )
      if (Option.isNone(joined)) yield* Fiber.interrupt(sender).pipe(Effect.timeoutOption(1000))
      this.closed = true
      const left = this.queued + this.inflight
      this.queue = []
      this.head = 0
      this.inflight = 0
      if (left > 0) {
        this.lost += left
        this.options.report(
          `${left} event(s) lost: not delivered within the drain timeout (${this.drainTimeoutMs} ms)`
        )
      }
      yield* Effect.tryPromise(() => this.transport.close()).pipe(
        Effect.interruptible,
        Effect.timeoutOption(1000),
        Effect.catchAll((e) => Effect.sync(() => this.options.report("close failed", e)))
      )
      this.release()
    })
  }
}

/**
 * Opens a sink delivering through `transport` in the enclosing scope; closing the scope
 * drains it (see the module comment).
 */
export const make = <P>(
  transport: Transport<P>,
  options: Options
): Effect.Effect<StreamSink, never, Scope.Scope> =>
  Effect.gen(function* () {
    const impl = new StreamSinkImpl(transport, options)
    const sender = yield* Effect.forkDaemon(impl.run)
    yield* Effect.addFinalizer(() => impl.close(sender))
    return {
      name: options.name,
      write: impl.write,
      flush: impl.flush,
      health: () => impl.health(),
      stats: () => impl.stats()
    }
  })
