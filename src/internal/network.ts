import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { SinkError } from "../Errors.js"
import type { LogEvent } from "../LogEvent.js"
import type {
  Encoded,
  NetworkSink,
  Options,
  Refused,
  Request,
  Transport,
  TransportFailure
} from "../Network.js"
import type { Batch } from "../Sink.js"
import { type EventSource, eventSource } from "./batch.js"
import { CircuitBreaker, type CircuitState } from "./circuitBreaker.js"
import { Diagnostics } from "./diagnostics.js"
import { approximateBytes } from "./json.js"
import type { Config } from "./networkConfig.js"
import { checkHeaders, httpPost, openSpool, utf8Bytes } from "./platform.js"
import { retrySchedule } from "./retry.js"
import type { Spool, SpoolEntry } from "./spool.js"
import { Waiters } from "./waiters.js"

/**
 * The network sink: `write` moves events into the sink's own bounded queue (waiting while it
 * is full, so backpressure reaches the pipeline and its overflow policy); a daemon sender
 * fiber forms requests by count, bytes and time, encodes each once and delivers it through
 * its transport (an HTTP POST, or the plugin's own: a socket, a database pool):
 * retried whole with the same body on a capped jittered exponential Schedule (a Retry-After
 * honoured), behind a circuit breaker; what cannot be delivered goes to the optional spool, is
 * held in memory until the endpoint answers again, or at close is counted as lost.
 */

export const defaults = Object.freeze({
  maxEvents: 1000,
  maxBytes: 1024 * 1024,
  maxWaitMs: 1000,
  maxAttempts: 6,
  initialDelayMs: 100,
  maxDelayMs: 30_000,
  timeoutMs: 10_000,
  capacity: 10_000,
  failureThreshold: 5,
  resetMs: 30_000,
  drainTimeoutMs: 5000
})

/** The longest wait a Retry-After may impose (a server asking for more is waited this long). */
export const maxRetryAfterMs = 300_000

/** Counters of a network sink, in events unless named otherwise. */
export interface NetworkStats {
  /** Events taken by `write`. */
  readonly accepted: number
  /** Events acknowledged by the server (2xx), replayed ones included. */
  readonly delivered: number
  /** Events waiting in the sink's queue or in a request not yet acknowledged. */
  readonly queued: number
  /** Events written to the spool. */
  readonly spooled: number
  /** Spooled events acknowledged on replay (part of `delivered`). */
  readonly replayed: number
  /**
   * Events given up: refused by the server (4xx), unencodable, spool full, still undelivered
   * at close, or found lost in the spool when it was opened (`spoolDamaged`, `spoolTorn`).
   */
  readonly lost: number
  /** Requests acknowledged. */
  readonly requests: number
  /** Attempts after the first, over all requests. */
  readonly retries: number
  /** Events in requests the server refused permanently (4xx other than 408 and 429). */
  readonly rejected: number
  /** Events whose request could not be encoded (the encoder threw). */
  readonly encodeFailures: number
  /** Requests waiting in the spool file, and its size. */
  readonly spoolPending: number
  readonly spoolBytes: number
  /**
   * Events found lost to damage in the spool when it was opened (a flipped bit, a bad
   * sector), counted from the frame headers; the damaged file is kept beside it. Part of `lost`.
   */
  readonly spoolDamaged: number
  /** Events of an append to the spool that a crash interrupted, found when it was opened. Part of `lost`. */
  readonly spoolTorn: number
  /** Events the pipeline spilled straight to the spool past its full backlog (part of `spooled`). */
  readonly spilled: number
  readonly circuit: CircuitState
}

/** Decoded config fields to options; unset fields are left out so the defaults apply. */
export const optionsFromConfig = (config: Config): Partial<Options> => {
  const out: { -readonly [K in keyof Options]?: Options[K] } = {}
  if (config.headers !== undefined) out.headers = config.headers
  if (config.batch !== undefined) out.batch = config.batch
  if (config.retry !== undefined) out.retry = config.retry
  if (config.timeoutMs !== undefined) out.timeoutMs = config.timeoutMs
  if (config.capacity !== undefined) out.capacity = config.capacity
  if (config.drainTimeoutMs !== undefined) out.drainTimeoutMs = config.drainTimeoutMs
  if (config.circuitBreaker !== undefined) out.circuitBreaker = config.circuitBreaker
  if (config.spool !== undefined) out.spool = config.spool
  return out
}

/**
 * `Retry-After` in milliseconds from now: delta-seconds or an HTTP-date (a date in the past
 * is 0); undefined when absent or unreadable.
 */
export const parseRetryAfter = (
  value: string | null | undefined,
  now: number = Date.now()
): number | undefined => {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, maxRetryAfterMs)
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.min(Math.max(0, at - now), maxRetryAfterMs)
}

/** Why an attempt failed: the transport's answer, or the breaker refusing to try. */
type Failure = TransportFailure | { readonly _tag: "CircuitOpen" }

type Outcome = "delivered" | "rejected" | "failed"

/** An encoded request, as sent and as spooled. */
type Outbound = Encoded

/**
 * The events of one batch waiting in the queue, from `next` on: one entry per batch, not per
 * event. Those of a pipeline's batch are built when their request is formed
 * (`source.eventAt(index)`), not when the batch arrives: a large batch is not held as events
 * all at once, and each event is built shortly before it is encoded.
 */
interface Run {
  /** The batch's events when they were given built (a batch from elsewhere than a pipeline). */
  readonly events: ReadonlyArray<LogEvent> | undefined
  readonly source: EventSource | undefined
  /** Each event's estimated size in bytes. */
  readonly bytes: Float64Array
  /** When the batch arrived. */
  readonly at: number
  /** The first event not yet taken. */
  next: number
}

const toBytes = (body: Uint8Array | string): Uint8Array => (typeof body === "string" ? utf8Bytes(body) : body)

const describe = (e: unknown): string => {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message
  }
  return String(e)
}

/** The plugin's report function, or fapilog's rate-limited diagnostics on stderr. */
const reporter = (options: Options): ((message: string, error?: unknown) => void) => {
  const report = options.report
  if (report === undefined) {
    const diagnostics = new Diagnostics(options.name)
    return (message, error) => diagnostics.report(`sink ${options.name}`, message, error)
  }
  return (message, error) => {
    try {
      report(message, error)
    } catch {
      // a throwing report function must not stop delivery
    }
  }
}

/**
 * The HTTP transport: a POST of the body to `url` (`httpPost`: Node's client, fetch in
 * browsers) with the static headers, the encoder's and `sign`'s; 2xx acknowledges, 429/503
 * retry after their Retry-After, 408 and 5xx retry, any other answer (4xx, a 3xx: redirects
 * are not followed) is permanent.
 */
export const httpTransport = (options: {
  readonly url: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly sign?: ((body: Uint8Array, attempt: number) => Readonly<Record<string, string>>) | undefined
  /** Lets a request outlive the page that sent it (browsers cap such bodies near 64 KiB). */
  readonly keepalive?: boolean | undefined
}): Transport => ({
  send: (request, attempt) =>
    Effect.suspend(() => {
      let headers: Record<string, string>
      try {
        headers = {
          ...options.headers,
          ...request.headers,
          "content-type": request.contentType,
          ...options.sign?.(request.body, attempt)
        }
        // a header the HTTP client would refuse (a line break in a value, a bad name) can never succeed
        checkHeaders(headers)
      } catch (e) {
        return Effect.fail<TransportFailure>({
          _tag: "Permanent",
          detail: `cannot form the request headers: ${describe(e)}`,
          cause: e
        })
      }
      return Effect.tryPromise({
        try: (signal) =>
          httpPost(options.url, { body: request.body, headers, signal, keepalive: options.keepalive }),
        catch: (cause): TransportFailure => ({
          _tag: "Retryable",
          detail: `request failed: ${describe(cause)}`,
          cause
        })
      }).pipe(
        Effect.flatMap(({ status, retryAfter, text }): Effect.Effect<void, TransportFailure> => {
          if (status >= 200 && status < 300) return Effect.void
          const detail = `HTTP ${status}${text === "" ? "" : `: ${text.slice(0, 200)}`}`
          if (status === 429 || status === 503)
            return Effect.fail({ _tag: "Retryable", detail, retryAfterMs: parseRetryAfter(retryAfter) })
          if (status === 408 || status >= 500) return Effect.fail({ _tag: "Retryable", detail })
          return Effect.fail({ _tag: "Permanent", detail })
        })
      )
    })
})

class NetworkSinkImpl {
  readonly name: string
  private readonly maxEvents: number
  private readonly maxBytes: number
  private readonly maxWaitMs: number
  private readonly maxAttempts: number
  private readonly maxDelayMs: number
  private readonly timeoutMs: number
  private readonly capacity: number
  private readonly resetMs: number
  private readonly breaker: CircuitBreaker
  private readonly schedule: Schedule.Schedule<unknown, Failure>
  private readonly report: (message: string, error?: unknown) => void

  private queue: Array<Run> = []
  /** The first run with events not yet taken. */
  private head = 0
  /** Events in the queue's runs, not yet taken. */
  private queuedEvents = 0
  private queuedBytes = 0
  /** The request being delivered (or held), and whether it came from the spool. */
  private inflight: { readonly request: Outbound; readonly entry: SpoolEntry | undefined } | undefined
  /**
   * Requests formed and encoded while the one before them was in flight (see `sendNext`),
   * sent next, in order: taken from the queue, not yet delivered.
   */
  private prepared: Array<Outbound> = []
  /** Writers waiting for room in the queue, admitted oldest first while their batches fit. */
  private readonly room = new Waiters()
  /** `flush` callers: resumed once the events taken before their call are settled. */
  private readonly flushes = new Waiters()
  private wake: (() => void) | undefined
  /**
   * A signal came while the sender was not paused (between its checks and its pause): its
   * next pause returns at once, so that no wake-up is lost.
   */
  private signalled = false
  private closing = false
  private closed = false
  /** Replay the spool before new requests (at start, after a success, after an idle reset period). */
  private replayWanted = true

  private accepted = 0
  private delivered = 0
  private spooled = 0
  private replayed = 0
  /** Events taken by `write` or `spill` in this run and given up before reaching the spool. */
  private lost = 0
  /**
   * Events given up out of the spool: found damaged or torn when it was opened (an earlier
   * run's), or refused by the server on replay. Part of `lost`, not of `settled`: those
   * events were never taken in this run, or were settled when they were spooled.
   */
  private spoolLost = 0
  private requests = 0
  private retries = 0
  private rejected = 0
  private encodeFailures = 0
  private spilled = 0

  constructor(
    private readonly options: Options,
    private readonly transport: Transport,
    private readonly spool: Spool | undefined
  ) {
    this.name = options.name
    this.maxEvents = options.batch?.maxEvents ?? defaults.maxEvents
    this.maxBytes = options.batch?.maxBytes ?? defaults.maxBytes
    this.maxWaitMs = options.batch?.maxWaitMs ?? defaults.maxWaitMs
    this.maxAttempts = Math.max(1, options.retry?.maxAttempts ?? defaults.maxAttempts)
    this.maxDelayMs = options.retry?.maxDelayMs ?? defaults.maxDelayMs
    this.timeoutMs = options.timeoutMs ?? defaults.timeoutMs
    this.capacity = Math.max(1, options.capacity ?? defaults.capacity)
    this.resetMs = options.circuitBreaker?.resetMs ?? defaults.resetMs
    this.breaker = new CircuitBreaker({
      failureThreshold: options.circuitBreaker?.failureThreshold ?? defaults.failureThreshold,
      resetTimeoutMs: this.resetMs
    })
    this.report = reporter(options)
    // what opening the spool found lost is this sink's loss, counted once
    this.spoolLost = (spool?.damagedEvents ?? 0) + (spool?.tornEvents ?? 0)
    // exponential from initialDelayMs, jittered, capped at maxDelayMs, maxAttempts - 1 retries;
    // only retryable failures retry, and a Retry-After replaces the computed delay
    this.schedule = retrySchedule({
      attempts: this.maxAttempts - 1,
      baseDelayMs: options.retry?.initialDelayMs ?? defaults.initialDelayMs,
      maxDelayMs: this.maxDelayMs
    }).pipe(
      Schedule.intersect(Schedule.identity<Failure>()),
      Schedule.whileInput((f: Failure) => f._tag === "Retryable"),
      Schedule.modifyDelay(([, failure], delay) =>
        failure._tag === "Retryable" && failure.retryAfterMs !== undefined
          ? Duration.millis(Math.min(Math.max(0, failure.retryAfterMs), maxRetryAfterMs))
          : delay
      )
    )
  }

  /** Events taken by `write` or `spill` in this run that are delivered, spooled or lost. */
  private get settled(): number {
    return this.delivered - this.replayed + this.spooled + this.lost
  }

  private settleFlushes(): void {
    this.flushes.release()
  }

  /** Completes once every event taken before the call is delivered, spooled or lost (sent without waiting for a full batch). */
  readonly flush: Effect.Effect<void> = Effect.suspend(() => {
    const target = this.accepted
    return this.flushes.wait(
      () => this.settled >= target || this.closed,
      () => this.signal()
    )
  })

  /**
   * Open circuit, or a request held or retried: what the pipeline cannot see behind the
   * queue; and the events this sink gave up, which the pipeline adds to its `lost`.
   */
  health(): {
    readonly status: "ok" | "degraded" | "circuit-open"
    readonly detail?: string
    readonly lost: number
  } {
    const state = this.breaker.state
    const lost = this.lost + this.spoolLost
    if (state === "open") return { status: "circuit-open", detail: "endpoint failing; circuit open", lost }
    if (state === "half-open" || this.breaker.consecutiveFailures > 0)
      return { status: "degraded", detail: "recent delivery failures", lost }
    return { status: "ok", lost }
  }

  stats(): NetworkStats {
    return {
      accepted: this.accepted,
      delivered: this.delivered,
      queued:
        this.queuedEvents +
        this.preparedEvents +
        (this.inflight?.entry === undefined ? (this.inflight?.request.events ?? 0) : 0),
      spooled: this.spooled,
      replayed: this.replayed,
      lost: this.lost + this.spoolLost,
      requests: this.requests,
      retries: this.retries,
      rejected: this.rejected,
      encodeFailures: this.encodeFailures,
      spoolPending: this.spool?.pending ?? 0,
      spoolBytes: this.spool?.bytes ?? 0,
      spoolDamaged: this.spool?.damagedEvents ?? 0,
      spoolTorn: this.spool?.tornEvents ?? 0,
      spilled: this.spilled,
      circuit: this.breaker.state
    }
  }

  // ---- intake ----

  private get queued(): number {
    return this.queuedEvents
  }

  private get preparedEvents(): number {
    let n = 0
    for (const r of this.prepared) n += r.events
    return n
  }

  private signal(): void {
    const wake = this.wake
    if (wake !== undefined) {
      this.wake = undefined
      wake()
    } else {
      this.signalled = true
    }
  }

  /**
   * Takes the batch's events, all at once: waits while they do not fit (a batch larger than
   * the capacity goes into an empty queue). All or nothing, so a wait cut short (a write
   * timeout, an interruption) leaves nothing behind that a retry of the batch would repeat.
   */
  readonly write = (batch: Batch): Effect.Effect<void, SinkError> =>
    Effect.suspend(() => {
      if (this.closed)
        return Effect.fail(new SinkError({ sink: this.name, reason: "sink closed; events not taken" }))
      const source = (batch as { readonly [eventSource]?: EventSource })[eventSource]
      const events = source === undefined ? batch.events : undefined
      const size = events === undefined ? batch.size : events.length
      if (size === 0) return Effect.void
      // the capacity bounds the events waiting here: queued, or in a request encoded ahead
      const fits = () => {
        const waiting = this.queued + this.preparedEvents
        return this.closing || this.closed || waiting === 0 || waiting + size <= this.capacity
      }
      const push = () => {
        const bytes = new Float64Array(size)
        let total = 0
        for (let index = 0; index < size; index++) {
          const event = events?.[index]
          let b: number
          try {
            b = event === undefined ? source!.approximateBytesAt(index) : approximateBytes(event)
          } catch {
            // a field whose getter throws (the encoder's formatter renders it as a note): estimate, never fail the batch
            b = 1024
          }
          bytes[index] = b
          total += b
        }
        this.queue.push({ events, source, bytes, at: Date.now(), next: 0 })
        this.queuedEvents += size
        this.queuedBytes += total
        this.accepted += size
        this.signal()
      }
      return this.room.wait(() => {
        if (!fits()) return false
        push()
        return true
      })
    })

  /**
   * Past the pipeline's full backlog (`Sink.spill`): encodes `batch` now and appends it to
   * the spool, to be replayed like any spooled request, without waiting for room in the
   * queue. False when there is no spool, the sink is closed, or the spool could not keep it
   * all (full, or failing): what it could not keep is counted as lost.
   */
  readonly spill = (batch: Batch): boolean => {
    if (this.spool === undefined) return false
    const events = batch.events
    if (events.length === 0) return true
    this.accepted += events.length
    if (this.closed) {
      this.lose(events.length, "spilled after the sink closed")
      return false
    }
    let kept = true
    for (const request of this.encode(events)) {
      if (kept && this.toSpool(request)) {
        this.spilled += request.events
        continue
      }
      if (kept) {
        // toSpool reported why
        kept = false
        this.lost += request.events
      } else {
        this.lose(request.events, "spilled past the pipeline's backlog, but the spool could not keep them")
      }
    }
    // the sender replays what is spooled, once it is free
    this.replayWanted = true
    this.signal()
    this.settleFlushes()
    return kept
  }

  /** Lets waiting writers in, oldest first, while their batches fit. */
  private freeRoom(): void {
    this.room.release()
  }

  /** Removes up to maxEvents / maxBytes from the head of the queue. */
  private take(): Array<LogEvent> {
    const out: Array<LogEvent> = []
    let bytes = 0
    let full = false
    while (!full && this.head < this.queue.length) {
      const run = this.queue[this.head]!
      const size = run.bytes.length
      let i = run.next
      for (; i < size; i++) {
        const b = run.bytes[i]!
        if (out.length === this.maxEvents || (out.length > 0 && bytes + b > this.maxBytes)) {
          full = true
          break
        }
        out.push(run.events?.[i] ?? run.source!.eventAt(i))
        bytes += b
      }
      this.queuedEvents -= i - run.next
      run.next = i
      if (i < size) break
      this.queue[this.head] = undefined as unknown as Run
      this.head++
    }
    this.queuedBytes -= bytes
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    } else if (this.head === this.queue.length) {
      this.queue = []
      this.head = 0
    }
    this.freeRoom()
    return out
  }

  private readyToSend(): boolean {
    if (this.queued === 0) return false
    if (this.flushes.size > 0) return true
    if (this.closing || this.queued >= this.maxEvents || this.queuedBytes >= this.maxBytes) return true
    return Date.now() - this.queue[this.head]!.at >= this.maxWaitMs
  }

  /** Sleeps until `signal` (new events, close) or `ms` pass. */
  private pause(ms: number | undefined): Effect.Effect<void> {
    const waiting = Effect.async<void>((resume) => {
      if (this.signalled) {
        this.signalled = false
        resume(Effect.void)
        return
      }
      this.wake = () => resume(Effect.void)
      return Effect.sync(() => {
        this.wake = undefined
      })
    })
    return ms === undefined ? waiting : Effect.asVoid(Effect.timeoutOption(waiting, Math.max(0, ms)))
  }

  // ---- encoding ----

  /**
   * The requests for `events`: encoded once; a body over maxBytes is split in halves (a
   * single event over it goes alone). A throwing encoder costs its events, never the sender.
   */
  private encode(events: ReadonlyArray<LogEvent>): Array<Outbound> {
    let out: Outbound
    try {
      out = this.checked(this.options.encode(events), events.length)
    } catch (e) {
      if (events.length > 1) {
        // find the culprit: the rest of the batch still goes
        const half = Math.ceil(events.length / 2)
        return [...this.encode(events.slice(0, half)), ...this.encode(events.slice(half))]
      }
      this.encodeFailures += events.length
      this.lost += events.length
      this.report(`encoder failed; ${events.length} event(s) lost`, e)
      return []
    }
    if (out.body.byteLength > this.maxBytes && events.length > 1) {
      const half = Math.ceil(events.length / 2)
      return [...this.encode(events.slice(0, half)), ...this.encode(events.slice(half))]
    }
    return [out]
  }

  /** The encoder's result, read once and checked (it is the plugin's: trust nothing). */
  private checked(request: Request, events: number): Outbound {
    const { body, contentType, headers } = request
    if (typeof body !== "string" && !(body instanceof Uint8Array))
      throw new TypeError(`the body is ${typeof body}, not a string or Uint8Array`)
    if (typeof contentType !== "string") throw new TypeError("the content type is not a string")
    let copied: Record<string, string> | undefined
    if (headers !== undefined) {
      copied = {}
      for (const [k, v] of Object.entries(headers)) {
        if (typeof v !== "string") throw new TypeError(`header ${k} is not a string`)
        copied[k] = v
      }
    }
    return { body: toBytes(body), contentType, headers: copied, events }
  }

  // ---- delivery ----

  /** One attempt through the transport, within `timeoutMs`; a transport that throws fails retryably. */
  private attempt(request: Outbound, attempt: number): Effect.Effect<unknown, Failure> {
    return Effect.suspend(() => this.transport.send(request, attempt)).pipe(
      Effect.timeoutFail({
        duration: this.timeoutMs,
        onTimeout: (): Failure => ({ _tag: "Retryable", detail: `no answer within ${this.timeoutMs} ms` })
      }),
      Effect.catchAllDefect(
        (defect): Effect.Effect<unknown, Failure> =>
          Effect.fail({
            _tag: "Retryable",
            detail: `the transport failed: ${describe(defect)}`,
            cause: defect
          })
      )
    )
  }

  /** The request with retries; never fails. */
  private deliver(request: Outbound): Effect.Effect<{
    readonly outcome: Outcome
    readonly detail: string
    /** Events the destination refused for good out of a request it took (a partial refusal). */
    readonly refused: number
  }> {
    let attempts = 0
    let last: Failure | undefined
    return Effect.suspend(() => {
      if (attempts > 0) this.retries++
      attempts++
      if (!this.breaker.allow()) return Effect.fail<Failure>({ _tag: "CircuitOpen" })
      return this.attempt(request, attempts).pipe(
        Effect.tapError((f) =>
          Effect.sync(() => {
            last = f
            // a refusal is the endpoint answering: it says nothing about its health
            if (f._tag === "Retryable") this.breaker.failure()
            else if (f._tag === "Permanent") this.breaker.success()
          })
        )
      )
    }).pipe(
      Effect.retry(this.schedule),
      Effect.match({
        onSuccess: (taken) => {
          this.breaker.success()
          // a transport's count is trusted only within the request's own
          const partial =
            typeof taken === "object" && taken !== null && (taken as Refused)._tag === "Refused"
              ? (taken as Refused)
              : undefined
          const refused =
            partial === undefined
              ? 0
              : Math.min(request.events, Math.max(0, Math.floor(Number(partial.events) || 0)))
          return {
            outcome: "delivered" as const,
            detail: refused > 0 ? String(partial?.detail) : "",
            refused
          }
        },
        onFailure: (f) => {
          if (f._tag === "Permanent") return { outcome: "rejected" as const, detail: f.detail, refused: 0 }
          const why = f._tag === "CircuitOpen" ? "circuit open" : f.detail
          const lastDetail =
            last !== undefined && last._tag !== "CircuitOpen" && f._tag === "CircuitOpen"
              ? ` (last: ${last.detail})`
              : ""
          return {
            outcome: "failed" as const,
            detail: `${why}${lastDetail} after ${attempts} attempt(s)`,
            refused: 0
          }
        }
      })
    )
  }

  /** Spools `request` (when there is a spool); false when it could not be kept. */
  private toSpool(request: Outbound): boolean {
    if (this.spool === undefined) return false
    try {
      if (this.spool.append(request)) {
        this.spooled += request.events
        return true
      }
      this.report(
        `spool full (${this.spool.bytes} bytes, maxBytes reached); request of ${request.events} event(s) refused`
      )
    } catch (e) {
      this.report(`cannot write the spool; request of ${request.events} event(s) not kept`, e)
    }
    return false
  }

  private lose(events: number, why: string, error?: unknown): void {
    this.lost += events
    this.report(`${events} event(s) lost: ${why}`, error)
  }

  /**
   * Delivers a request formed from the queue until it is acknowledged, refused, spooled or
   * (closing, no spool) lost. Without a spool a failed request is held and retried after the
   * breaker's reset period: the queue fills and `write` waits, so the pipeline applies its
   * overflow policy (counted) instead of this sink dropping events.
   */
  private send(request: Outbound): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      this.inflight = { request, entry: undefined }
      let held = false
      while (true) {
        const { outcome, detail, refused } = yield* this.deliver(request)
        if (outcome === "delivered") {
          this.inflight = undefined
          this.delivered += request.events - refused
          this.requests++
          if (refused > 0) {
            this.rejected += refused
            this.lose(refused, `the server refused part of the request (${detail})`)
          }
          this.replayWanted = true
          return
        }
        if (outcome === "rejected") {
          this.inflight = undefined
          this.rejected += request.events
          this.lose(request.events, `the server refused the request (${detail})`)
          return
        }
        if (this.toSpool(request)) {
          this.inflight = undefined
          this.report(`request of ${request.events} event(s) spooled: ${detail}`)
          return
        }
        if (this.closing || this.spool !== undefined) {
          this.inflight = undefined
          this.lose(request.events, detail)
          return
        }
        if (!held)
          this.report(`request of ${request.events} event(s) held until the endpoint answers: ${detail}`)
        held = true
        yield* this.pause(this.breaker.state === "open" ? this.resetMs : this.maxDelayMs)
        // woken by close: one last round of attempts, then lost
      }
    })
  }

  /** Delivers the oldest spooled request; false when it could not be delivered now. */
  private replayOne(entry: SpoolEntry): Effect.Effect<boolean> {
    return Effect.gen(this, function* () {
      this.inflight = { request: entry.request, entry }
      const { outcome, detail, refused } = yield* this.deliver(entry.request)
      this.inflight = undefined
      if (outcome === "failed") {
        this.report(`replay of the spool paused: ${detail}`)
        return false
      }
      if (outcome === "delivered") {
        this.delivered += entry.request.events - refused
        this.replayed += entry.request.events - refused
        this.requests++
        if (refused > 0) {
          this.rejected += refused
          this.spoolLost += refused
          this.report(`${refused} event(s) lost: the server refused part of a spooled request (${detail})`)
        }
      } else {
        this.rejected += entry.request.events
        this.spoolLost += entry.request.events
        this.report(`${entry.request.events} event(s) lost: the server refused a spooled request (${detail})`)
      }
      try {
        this.spool!.ack(entry)
      } catch (e) {
        this.report("cannot record spool progress; the request may be replayed again after a restart", e)
      }
      return true
    })
  }

  /** The sender: replay the spool when wanted, then form, encode and deliver requests; ends once closing and empty. */
  readonly run: Effect.Effect<void> = Effect.gen(this, function* () {
    // after a restart (see `supervised`), the request that was being sent goes first
    const interrupted = this.inflight
    if (interrupted !== undefined && interrupted.entry === undefined) yield* this.send(interrupted.request)
    this.inflight = undefined
    while (true) {
      this.settleFlushes()
      const entry = this.spool?.peek()
      if (entry !== undefined && this.replayWanted && !this.closing) {
        if (!(yield* this.replayOne(entry))) this.replayWanted = false
        continue
      }
      if (this.prepared.length === 0) {
        if (this.queued === 0) {
          if (this.closing) return
          if (entry !== undefined) {
            // idle with a spool to replay: try again once the breaker would let a probe through
            yield* this.pause(this.resetMs)
            if (this.queued === 0) this.replayWanted = true
          } else {
            yield* this.pause(undefined)
          }
          continue
        }
        if (!this.readyToSend()) {
          yield* this.pause(this.queue[this.head]!.at + this.maxWaitMs - Date.now())
          continue
        }
        this.prepared = this.encode(this.take())
        continue
      }
      yield* this.sendNext()
    }
  })

  /**
   * Sends the first prepared request; while it is in flight, forms and encodes the next one
   * when a request is due (so that encoding overlaps the destination's work instead of
   * following it). One request in flight at a time, in order: retries, the breaker and the
   * spool see the same sequence as without this.
   *
   * The next request is encoded once the current one has been in flight for a millisecond: a
   * transport's own preparation runs in microtasks and its socket write by the end of this
   * turn of the event loop, which a timer does not fire before, so the request goes out first.
   */
  private sendNext(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const request = this.prepared.shift()!
      // its events no longer wait here: room for writers
      this.freeRoom()
      const sending = yield* Effect.fork(this.send(request))
      const done = yield* Effect.timeoutOption(Fiber.await(sending), 1)
      if (Option.isNone(done) && this.prepared.length === 0 && this.readyToSend())
        this.prepared = this.encode(this.take())
      yield* Fiber.join(sending)
    })
  }

  /** The sender, restarted (its request kept) should a defect ever end it: intake must not stall. */
  readonly supervised: Effect.Effect<void> = this.run.pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.failCause(cause)
        : Effect.sync(() => this.report("sender failed; restarting it", Cause.squash(cause))).pipe(
            Effect.zipRight(Effect.sleep(100)),
            Effect.zipRight(Effect.suspend(() => this.supervised))
          )
    )
  )

  /**
   * Close: lets the sender deliver everything queued within `drainTimeoutMs`, then spools
   * (or counts as lost) what is left, and reports it.
   */
  close(sender: Fiber.RuntimeFiber<void>, timeoutMs: number): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      this.closing = true
      this.freeRoom()
      this.signal()
      const joined = yield* Fiber.join(sender).pipe(Effect.interruptible, Effect.timeoutOption(timeoutMs))
      if (Option.isNone(joined)) yield* Fiber.interrupt(sender).pipe(Effect.timeoutOption(1000))
      this.closed = true
      this.freeRoom()
      const left: Array<Outbound> = []
      const inflight = this.inflight
      this.inflight = undefined
      // a spooled request being replayed is still in the spool: nothing to do for it
      if (inflight !== undefined && inflight.entry === undefined) left.push(inflight.request)
      left.push(...this.prepared)
      this.prepared = []
      if (this.queued > 0) for (const r of this.encode(this.take())) left.push(r)
      while (this.queued > 0) for (const r of this.encode(this.take())) left.push(r)
      let spooled = 0
      let lost = 0
      for (const r of left) {
        if (this.toSpool(r)) spooled += r.events
        else {
          lost += r.events
          this.lost += r.events
        }
      }
      if (spooled > 0)
        this.report(
          `closed before ${spooled} event(s) could be delivered; they are in the spool for the next start`
        )
      if (lost > 0)
        this.report(
          `${lost} event(s) lost: ${Option.isNone(joined) ? `not delivered within the drain timeout (${timeoutMs} ms)` : "not delivered before close"}`
        )
      this.spool?.close()
      this.settleFlushes()
    })
  }
}

/** The transport of `options`: its own, or an HTTP POST to its checked `url`; a SinkError naming what is wrong. */
const transportOf = (options: Options): Transport | SinkError => {
  const fail = (reason: string, cause?: unknown) => new SinkError({ sink: options.name, reason, cause })
  if (options.transport !== undefined) {
    if (options.url !== undefined) return fail("give either url or transport, not both")
    if (typeof options.transport.send !== "function") return fail("transport.send must be a function")
    return options.transport
  }
  if (options.url === undefined) return fail("url is missing (give a url or a transport)")
  let url: URL
  try {
    url = new URL(options.url)
  } catch (cause) {
    return fail(`invalid url ${JSON.stringify(options.url)}`, cause)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return fail(`url must be http: or https:, not ${url.protocol}`)
  try {
    checkHeaders(options.headers ?? {})
  } catch (cause) {
    return fail("invalid headers", cause)
  }
  return httpTransport({
    url: options.url,
    headers: options.headers,
    sign: options.sign,
    keepalive: options.keepalive
  })
}

export const make = (options: Options): Effect.Effect<NetworkSink, SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const transport = transportOf(options)
    if (transport instanceof SinkError) return yield* Effect.fail(transport)
    const report = reporter(options)
    const spoolOptions = options.spool
    const spool =
      spoolOptions === undefined
        ? undefined
        : yield* Effect.try({
            try: () =>
              openSpool({
                directory: spoolOptions.directory,
                name: options.name,
                maxBytes: spoolOptions.maxBytes,
                report
              }),
            catch: (cause) =>
              new SinkError({
                sink: options.name,
                reason: `cannot open the spool in ${spoolOptions.directory}`,
                cause
              })
          })
    const impl = new NetworkSinkImpl({ ...options, report }, transport, spool)
    const sender = yield* Effect.forkDaemon(impl.supervised)
    yield* Effect.addFinalizer(() =>
      impl
        .close(sender, options.drainTimeoutMs ?? defaults.drainTimeoutMs)
        .pipe(Effect.catchAllCause((cause) => Effect.sync(() => report("close failed", Cause.squash(cause)))))
    )
    return {
      name: impl.name,
      write: impl.write,
      flush: impl.flush,
      spill: spool === undefined ? undefined : impl.spill,
      health: () => impl.health(),
      stats: () => impl.stats()
    }
  })
