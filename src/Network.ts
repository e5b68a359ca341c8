/**
 * The foundation of every network sink (Loki, OTLP, webhook, syslog, PostgreSQL...): events
 * are moved into the sink's own bounded queue, a sender fiber groups them into requests by
 * count, bytes and time, encodes each request once with the plugin's `encode`, and delivers
 * it through a transport (an HTTP POST to `url`, or the plugin's own `transport`: a socket, a
 * database pool) with retries (honouring a `Retry-After`, a capped jittered exponential
 * `Schedule` otherwise), a per-sink circuit breaker and an optional durable spool on disk. A
 * request is resent whole, with the same body, and forgotten only once acknowledged. See
 * docs/network.md.
 *
 * @example
 * ```ts
 * import { createLogger, Network } from "fapilog"
 *
 * const log = await createLogger({
 *   sinks: [
 *     Network.make({
 *       name: "collector",
 *       url: "http://127.0.0.1:8080/logs",
 *       encode: (events) => ({ body: JSON.stringify(events), contentType: "application/json" }),
 *       spool: { directory: ".spool" }
 *     })
 *   ]
 * })
 * ```
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { SinkError } from "./Errors.js"
import * as internal from "./internal/network.js"
import * as config from "./internal/networkConfig.js"
import * as platform from "./internal/platform.js"
import type { LogEvent } from "./LogEvent.js"
import type { Sink } from "./Sink.js"

/**
 * One HTTP request body produced by a plugin's encoder from the events of one request.
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const request: Network.Request = { body: "[]", contentType: "application/json" }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly body: Uint8Array | string
  readonly contentType: string
  /** Extra headers for this body (e.g. `Content-Encoding`). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * Options of a network sink.
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const options: Network.Options = {
 *   name: "collector",
 *   url: "http://127.0.0.1:8080/logs",
 *   encode: (events) => ({ body: events.map((e) => JSON.stringify(e)).join("\n"), contentType: "application/x-ndjson" }),
 *   batch: { maxEvents: 500, maxWaitMs: 1000 },
 *   retry: { maxAttempts: 8 },
 *   spool: { directory: "/var/spool/myapp" }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Used in diagnostics and errors, e.g. `loki:http://host:3100`. */
  readonly name: string
  /** The full endpoint URL, for delivery by HTTP POST; give either `url` or `transport`. */
  readonly url?: string | undefined
  /**
   * Delivers each request some other way than HTTP (a socket, a database pool): give either
   * `url` or `transport`. Batching, retries, the breaker, the spool and the drain apply the same.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import type { Network } from "fapilog"
   * import * as fs from "node:fs"
   *
   * const toFile: Network.Transport = {
   *   send: (request) =>
   *     Effect.try({
   *       try: () => fs.appendFileSync("/var/log/app.ndjson", request.body),
   *       catch: (cause): Network.TransportFailure => ({ _tag: "Retryable", detail: String(cause), cause })
   *     })
   * }
   * const options: Network.Options = {
   *   name: "file-transport",
   *   transport: toFile,
   *   encode: (events) => ({ body: events.map((e) => `${JSON.stringify(e)}\n`).join(""), contentType: "application/x-ndjson" })
   * }
   * ```
   */
  readonly transport?: Transport | undefined
  /** Turns the events of one request into its body; called once per request. */
  readonly encode: (events: ReadonlyArray<LogEvent>) => Request
  /** Static headers (authorization, tenant); HTTP only. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Headers computed for each attempt from the exact body sent (e.g. an HMAC signature); HTTP only. */
  readonly sign?: ((body: Uint8Array, attempt: number) => Readonly<Record<string, string>>) | undefined
  /**
   * Sends each request with fetch's `keepalive`, so that it completes after the page that
   * sent it is gone (browsers cap the bodies of such requests in flight near 64 KiB: keep
   * `batch.maxBytes` under that); HTTP only, default false.
   */
  readonly keepalive?: boolean | undefined
  /** Request size: events (default 1000), approximate bytes (default 1 MiB), wait (default 1000 ms). */
  readonly batch?:
    | {
        readonly maxEvents?: number | undefined
        readonly maxBytes?: number | undefined
        readonly maxWaitMs?: number | undefined
      }
    | undefined
  /** Attempts per request (default 6) and the exponential delays between them (default 100 ms to 30 s). */
  readonly retry?:
    | {
        readonly maxAttempts?: number | undefined
        readonly initialDelayMs?: number | undefined
        readonly maxDelayMs?: number | undefined
      }
    | undefined
  /** Time limit of one delivery attempt, an HTTP request or a `transport.send` (default 10 000 ms). */
  readonly timeoutMs?: number | undefined
  /** Events held by the sink before `write` waits (default 10 000). */
  readonly capacity?: number | undefined
  /** Consecutive failed requests that open the breaker (default 5) and how long it stays open (default 30 s). */
  readonly circuitBreaker?:
    | { readonly failureThreshold?: number | undefined; readonly resetMs?: number | undefined }
    | undefined
  /** Durable spool: undeliverable requests are appended under `directory` and replayed later. */
  readonly spool?: { readonly directory: string; readonly maxBytes?: number | undefined } | undefined
  /** Longest the sink keeps delivering when its scope closes (default 5000 ms). */
  readonly drainTimeoutMs?: number | undefined
  /** Diagnostics (a plugin passes `Plugin.Context.report`). */
  readonly report?: ((message: string, error?: unknown) => void) | undefined
}

/**
 * An encoded request as a {@link Transport} receives it (and as the spool keeps it): the
 * encoder's body as bytes, its content type and headers, and how many events it carries.
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const text = (request: Network.Encoded) => new TextDecoder().decode(request.body)
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Encoded {
  readonly body: Uint8Array
  readonly contentType: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Events in the body. */
  readonly events: number
}

/**
 * Why a {@link Transport} could not deliver a request. `Retryable` (the destination is away,
 * busy, a connection broke): the same request is sent again after the next backoff delay, or
 * after `retryAfterMs` when the destination said how long to wait (at most 5 minutes), and
 * counts towards opening the circuit breaker. `Permanent` (the destination refused this
 * request, and would again): its events are reported and counted as lost, never retried.
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 *
 * const fromCode = (code: string, cause: unknown): Network.TransportFailure =>
 *   code.startsWith("22")
 *     ? { _tag: "Permanent", detail: `refused: ${code}`, cause }
 *     : { _tag: "Retryable", detail: `failed: ${code}`, cause }
 * ```
 * @since 0.1.0
 * @category models
 */
export type TransportFailure =
  | {
      readonly _tag: "Retryable"
      readonly detail: string
      readonly retryAfterMs?: number | undefined
      readonly cause?: unknown
    }
  | { readonly _tag: "Permanent"; readonly detail: string; readonly cause?: unknown }

/**
 * How a network sink delivers one encoded request when it is not an HTTP POST: `send`
 * succeeds once the destination has taken the request, or fails with a
 * {@link TransportFailure}. Each attempt is cut short after `timeoutMs` (the effect is
 * interrupted: leave the connection in a state the next attempt can use), and a defect
 * (a throw) counts as a retryable failure. The transport's resources (connections, a pool)
 * belong to the sink's scope: acquire them with `Effect.acquireRelease` in the scope before
 * `Network.make`, and they are released after the sink has drained.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Network } from "fapilog"
 * import * as net from "node:net"
 *
 * const sink = Effect.gen(function* () {
 *   const socket = yield* Effect.acquireRelease(
 *     Effect.sync(() => net.connect({ host: "127.0.0.1", port: 5170 })),
 *     (s) => Effect.sync(() => s.end())
 *   )
 *   const transport: Network.Transport = {
 *     send: (request) =>
 *       Effect.async<void, Network.TransportFailure>((resume) => {
 *         socket.write(request.body, (e) =>
 *           resume(e ? Effect.fail({ _tag: "Retryable", detail: e.message, cause: e }) : Effect.void)
 *         )
 *       })
 *   }
 *   return yield* Network.make({
 *     name: "tcp:127.0.0.1:5170",
 *     transport,
 *     encode: (events) => ({ body: events.map((e) => `${JSON.stringify(e)}\n`).join(""), contentType: "application/x-ndjson" })
 *   })
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Transport {
  /**
   * Delivers one request; `attempt` is 1 for the first try of it, 2 for the first retry...
   * It succeeds with nothing when the destination took every event, or with a {@link Refused}
   * when it took the request but refused some of its events for good (a bulk API's per-item
   * errors).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a transport that took every event succeeds with nothing (`Effect.void`)
  readonly send: (request: Encoded, attempt: number) => Effect.Effect<void | Refused, TransportFailure>
}

/**
 * What a {@link Transport} succeeds with when the destination took a request but refused
 * `events` of its events for good (Elasticsearch's per-item errors in a bulk answer, say):
 * those are counted as `rejected` and lost (reported with `detail`), the rest as delivered.
 * The plugin has already done what it does with them (dead-lettered them, for instance).
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const refused: Network.Refused = { _tag: "Refused", events: 2, detail: "mapper_parsing_exception" }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Refused {
  readonly _tag: "Refused"
  /** Events of the request the destination refused for good (at most the request's count). */
  readonly events: number
  /** Why, in diagnostics. */
  readonly detail: string
}

/**
 * Counters of a network sink (events unless named otherwise): accepted, delivered, queued,
 * spooled, replayed, lost, and why.
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const healthy = (s: Network.Stats) => s.lost === 0 && s.circuit === "closed"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Stats = internal.NetworkStats

/**
 * A network sink: a {@link Sink} with its {@link Stats}.
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const pending = (sink: Network.NetworkSink) => sink.stats().queued + sink.stats().spoolPending
 * ```
 * @since 0.1.0
 * @category models
 */
export interface NetworkSink extends Sink {
  readonly stats: () => Stats
}

/**
 * Opens a network sink in the enclosing scope: its sender fiber runs until the scope
 * closes, then it drains (within `drainTimeoutMs`), spools or reports what is left.
 *
 * @example
 * ```ts
 * import { Fapilog, Network } from "fapilog"
 *
 * const layer = Fapilog.layer({
 *   sinks: [
 *     Network.make({
 *       name: "collector",
 *       url: "http://127.0.0.1:8080/logs",
 *       encode: (events) => ({ body: JSON.stringify(events), contentType: "application/json" })
 *     })
 *   ]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<NetworkSink, SinkError, Scope.Scope> = internal.make

/**
 * Schema fields shared by every HTTP network plugin's config (`headers`, `batch`, `retry`,
 * `timeoutMs`, `capacity`, `drainTimeoutMs`, `circuitBreaker`, `spool`), to spread into
 * the plugin's own `Schema.Struct` (a sink with its own transport spreads
 * {@link deliveryFields}). Each is optional and exact (absent, or a valid value;
 * `undefined` is refused), so a bad value is one issue naming its path and the accepted
 * values, e.g. `batch.maxEvents: 0 is not a whole number of events between 1 and 1000000`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Network } from "fapilog"
 *
 * const MyConfig = Schema.Struct({ url: Schema.String, ...Network.configFields })
 * ```
 * @since 0.1.0
 * @category config
 */
export const configFields: typeof config.configFields = config.configFields

/**
 * The delivery settings of {@link configFields} without `headers`, for a sink whose
 * {@link Transport} is not HTTP (a socket, a database): `batch`, `retry`, `timeoutMs`,
 * `capacity`, `drainTimeoutMs`, `circuitBreaker`, `spool`, to spread into its Schema so its
 * settings read like every other network sink's. {@link optionsFromConfig} takes their values.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Network } from "fapilog"
 *
 * const SocketConfig = Schema.Struct({ host: Schema.String, port: Schema.Number, ...Network.deliveryFields })
 * ```
 * @since 0.1.0
 * @category config
 */
export const deliveryFields: typeof config.deliveryFields = config.deliveryFields

/**
 * A Schema for a plugin's endpoint: an http:// or https:// URL without credentials in it;
 * its message names the bad value (and, for credentials, where they go instead).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Network } from "fapilog"
 *
 * const MyConfig = Schema.Struct({
 *   url: Network.url({ identifier: "MyUrl", credentials: "auth: { bearer }" }),
 *   ...Network.configFields
 * })
 * ```
 * @since 0.1.0
 * @category config
 */
export const url: (options?: UrlOptions) => Schema.Schema<string> = config.url

/**
 * Options of {@link url}: the Schema's identifier and description, and where credentials
 * go instead of the URL (named in the message).
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const options: Network.UrlOptions = { identifier: "LokiUrl", credentials: "auth: { username, password }" }
 * ```
 * @since 0.1.0
 * @category config
 */
export type UrlOptions = config.UrlOptions

/**
 * The decoded values of {@link configFields}.
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const c: Network.Config = { batch: { maxEvents: 100 }, spool: { directory: ".spool" } }
 * ```
 * @since 0.1.0
 * @category config
 */
export type Config = config.Config

/**
 * Turns decoded {@link configFields} values into the matching {@link Options}, leaving out
 * what was not set (the defaults then apply).
 *
 * @example
 * ```ts
 * import { Network } from "fapilog"
 *
 * const options = {
 *   name: "collector",
 *   url: "http://127.0.0.1:8080/logs",
 *   encode: () => ({ body: "", contentType: "text/plain" }),
 *   ...Network.optionsFromConfig({ retry: { maxAttempts: 3 } })
 * }
 * ```
 * @since 0.1.0
 * @category config
 */
export const optionsFromConfig: (config: Config) => Partial<Options> = internal.optionsFromConfig

/**
 * A `Retry-After` header in milliseconds from now: delta-seconds or an HTTP-date (a date in
 * the past is 0), at most 5 minutes; undefined when absent or unreadable. For a plugin's own
 * transport, to put in a `Retryable` failure's `retryAfterMs`.
 *
 * @example
 * ```ts
 * import { Network } from "fapilog"
 *
 * Network.parseRetryAfter("3") // 3000
 * Network.parseRetryAfter(null) // undefined
 * ```
 * @since 0.1.0
 * @category transports
 */
export const parseRetryAfter: (value: string | null | undefined, now?: number) => number | undefined =
  internal.parseRetryAfter

/**
 * One HTTP POST for {@link post}: its body, its headers, and the signal that abandons it.
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const request: Network.Post = { body: "[]", headers: { "content-type": "application/json" } }
 * ```
 * @since 0.1.0
 * @category transports
 */
export type Post = platform.HttpPost

/**
 * The answer to a {@link post}: its status, its `Retry-After` header (or null) and its body
 * as text.
 *
 * @example
 * ```ts
 * import type { Network } from "fapilog"
 * const ok = (answer: Network.Answer) => answer.status >= 200 && answer.status < 300
 * ```
 * @since 0.1.0
 * @category transports
 */
export type Answer = platform.HttpAnswer

/**
 * The HTTP POST under fapilog's own transports, for a plugin's `transport` that needs the
 * answer (a bulk API's items, a collector's acknowledgement ids). On Node it is Node's own
 * client (`http`/`https` and their global agents, which keep connections alive); in browsers
 * it is `fetch` (with `keepalive` on request). A redirect is not followed (its 3xx is the
 * answer), the answer is read whole, and the promise rejects only when no answer came (the
 * connection failed, the signal aborted, a header was refused).
 *
 * @example
 * ```ts
 * import { Network } from "fapilog"
 *
 * const answer = await Network.post("http://127.0.0.1:8080/logs", {
 *   body: '{"message":"hello"}\n',
 *   headers: { "content-type": "application/x-ndjson" },
 *   signal: AbortSignal.timeout(10_000)
 * })
 * if (answer.status === 429) console.log("retry after", Network.parseRetryAfter(answer.retryAfter))
 * ```
 * @since 0.1.0
 * @category transports
 */
export const post: (url: string, request: Post) => Promise<Answer> = platform.httpPost
