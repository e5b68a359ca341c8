/**
 * The foundation of every network sink (Loki, OTLP, webhook...): events are moved into the
 * sink's own bounded queue, a sender fiber groups them into requests by count, bytes and
 * time, encodes each request once with the plugin's `encode`, and delivers it with retries
 * (honouring `Retry-After` on 429/503, a capped jittered exponential `Schedule` otherwise),
 * a per-sink circuit breaker and an optional durable spool on disk. A request is resent
 * whole, with the same body, and forgotten only once acknowledged (2xx). See
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
  /** The full endpoint URL. */
  readonly url: string
  /** Turns the events of one request into its body; called once per request. */
  readonly encode: (events: ReadonlyArray<LogEvent>) => Request
  /** Static headers (authorization, tenant). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Headers computed for each attempt from the exact body sent (e.g. an HMAC signature). */
  readonly sign?: ((body: Uint8Array, attempt: number) => Readonly<Record<string, string>>) | undefined
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
  /** Time limit of one HTTP request (default 10 000 ms). */
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
 * Schema fields shared by every network plugin's config (`headers`, `batch`, `retry`,
 * `timeoutMs`, `capacity`, `drainTimeoutMs`, `circuitBreaker`, `spool`), to spread into
 * the plugin's own `Schema.Struct`. Each is optional and exact (absent, or a valid value;
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
