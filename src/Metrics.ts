/**
 * fapilog's self-metrics: events by level and logger, refusals, losses, filtering, buffer
 * depth, batch sizes and durations, each sink's write duration, errors, retries, circuit
 * state and spool bytes, for every logger of the process created with `metrics: true`
 * (docs/metrics.md lists each metric). Read them as Prometheus text ({@link text}), serve them
 * on a port of their own ({@link serve}, {@link layer}) or on your server's `/metrics` (the
 * `metrics` option of `fapilog/http`, `fapilog/express` and `fapilog/fastify`), or publish
 * them as Effect Metrics for `@effect/opentelemetry` ({@link layerEffectMetrics}).
 *
 * @example
 * ```ts
 * import { createLogger, Metrics } from "fapilog"
 *
 * const log = await createLogger({ metrics: true })
 * const server = await Metrics.serve({ port: 9464 })
 * log.info("ready", { metrics: server.url })
 * ```
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { ConfigError, ServeError } from "./Errors.js"
import * as effectMetrics from "./internal/metricsEffect.js"
import * as server from "./internal/metricsServer.js"
import * as exposition from "./internal/metricsText.js"

/**
 * Options of {@link serve}: the port (0 picks a free one), the host (default: every address)
 * and the path (default `/metrics`).
 *
 * @example
 * ```ts
 * import type { Metrics } from "fapilog"
 * const options: Metrics.ServeOptions = { port: 9464, host: "127.0.0.1", path: "/metrics" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ServeOptions = server.ServeOptions

/**
 * A running metrics server: its port, the URL to scrape, and `close` (also
 * `Symbol.asyncDispose`, for `await using`).
 *
 * @example
 * ```ts
 * import { Metrics } from "fapilog"
 * await using server = await Metrics.serve({ port: 0 })
 * console.log(server.url) // http://127.0.0.1:40123/metrics
 * ```
 * @since 0.1.0
 * @category models
 */
export type Server = server.MetricsServer

/**
 * Options of {@link layerEffectMetrics}: how often counters and gauges are brought up to date
 * (default 1 second).
 *
 * @example
 * ```ts
 * import type { Metrics } from "fapilog"
 * const options: Metrics.EffectMetricsOptions = { interval: "5 seconds" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type EffectMetricsOptions = effectMetrics.EffectMetricsOptions

/**
 * The self-metrics of every live logger of the process with `metrics: true`, in the
 * Prometheus text exposition format (version 0.0.4). Loggers with the same name are added
 * up; a closed logger's series are gone.
 *
 * @example
 * ```ts
 * import { createLogger, Metrics } from "fapilog"
 *
 * const log = await createLogger({ metrics: true, sinks: ["null"] })
 * log.warn("disk almost full")
 * await log.flush()
 * Metrics.text() // ...fapilog_events_total{pipeline="app",logger="app",level="warn"} 1...
 * ```
 * @since 0.1.0
 * @category exposition
 */
export const text: () => string = () => exposition.render()

/**
 * The `Content-Type` of {@link text}: `text/plain; version=0.0.4; charset=utf-8`.
 *
 * @example
 * ```ts
 * import { Metrics } from "fapilog"
 * const headers = { "content-type": Metrics.contentType }
 * ```
 * @since 0.1.0
 * @category exposition
 */
export const contentType: string = exposition.contentType

/**
 * Serves {@link text} on a port of its own (GET or HEAD on `path`), for apps without an HTTP
 * server. Rejects with a `ConfigError` naming a bad option, with a `ServeError` when it cannot
 * listen. Close it when done (`close()` or `await using`).
 *
 * @example
 * ```ts
 * import { createLogger, Metrics } from "fapilog"
 *
 * const log = await createLogger({ metrics: true })
 * const server = await Metrics.serve({ port: 9464 })
 * process.on("SIGTERM", () => void server.close().then(() => log.close()))
 * ```
 * @since 0.1.0
 * @category serving
 */
export const serve: (options: ServeOptions) => Promise<Server> = server.serve

/**
 * {@link serve} in a Scope: listening when the Effect completes, closed when the Scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Metrics } from "fapilog"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const server = yield* Metrics.serveScoped({ port: 9464 })
 *     yield* Effect.log(`metrics at ${server.url}`)
 *     yield* Effect.never
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category serving
 */
export const serveScoped = (
  options: ServeOptions
): Effect.Effect<Server, ConfigError | ServeError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => server.serve(options),
      catch: (e) => e as ConfigError | ServeError
    }),
    (s) => Effect.promise(() => s.close())
  )

/**
 * {@link serve} as a Layer: the server runs while the layer does.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FapilogLive, Metrics } from "fapilog"
 *
 * const Observed = Layer.merge(FapilogLive, Metrics.layer({ port: 9464 }))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ServeOptions): Layer.Layer<never, ConfigError | ServeError> =>
  Layer.scopedDiscard(serveScoped(options))

/**
 * Publishes the self-metrics as Effect Metrics (counters, gauges and histograms with the
 * same names and labels as {@link text}) while the layer lives, for apps that export Effect's
 * metrics, through `@effect/opentelemetry` say. Counters and gauges are brought up to date
 * every `interval` (default 1 second) and when the layer is released; the histograms count
 * the batches written while it lives.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FapilogLive, Metrics } from "fapilog"
 *
 * const Observed = Layer.merge(FapilogLive, Metrics.layerEffectMetrics({ interval: "5 seconds" }))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerEffectMetrics: (options?: EffectMetricsOptions) => Layer.Layer<never> = effectMetrics.layer
