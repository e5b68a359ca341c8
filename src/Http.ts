/**
 * HTTP integration for @effect/platform servers (`fapilog/http`): a middleware that gives
 * every request a correlation id (read from `x-request-id` or made, and echoed), binds it
 * to every line the request's fibers log, writes one access line per request and one error
 * line per failed handler (for an `HttpApi`, with {@link layerHttpApi}), and can serve a
 * guarded live log-level endpoint.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
 * import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { createServer } from "node:http"
 * import { FapilogLive } from "fapilog"
 * import * as Http from "fapilog/http"
 *
 * const app = HttpRouter.empty.pipe(
 *   HttpRouter.get("/hello", Effect.as(Effect.log("hello"), HttpServerResponse.text("hi")))
 * )
 * const Main = HttpServer.serve(app, Http.middleware({ accessLog: { skipPaths: ["/health"] } })).pipe(
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 })),
 *   Layer.provide(FapilogLive)
 * )
 * NodeRuntime.runMain(Layer.launch(Main))
 * ```
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { CapturedLogs } from "../layers/FapilogTest.js"
import type * as internal from "./internal/http.js"
import * as middlewareInternal from "./internal/httpMiddleware.js"
import * as testing from "./internal/httpTesting.js"
import type { LogEvent } from "./LogEvent.js"

/**
 * Options of every HTTP integration (this middleware, `fapilog/express`, `fapilog/fastify`).
 * Invalid options throw a `ConfigError` naming each field.
 *
 * @example
 * ```ts
 * import type * as Http from "fapilog/http"
 * const options: Http.Options = {
 *   correlationHeader: "x-correlation-id",
 *   trustProxy: 1,
 *   accessLog: { skipPaths: ["/health", "/static/**"], sampleRate: 0.1, headers: true },
 *   levelEndpoint: { token: process.env.LOG_LEVEL_TOKEN ?? "change-me-to-a-long-secret" }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Options = internal.HttpOptions

/**
 * Options of the access line.
 *
 * @example
 * ```ts
 * import type * as Http from "fapilog/http"
 * const access: Http.AccessLogOptions = { level: (status) => (status >= 500 ? "error" : "debug") }
 * ```
 * @since 0.1.0
 * @category models
 */
export type AccessLogOptions = internal.AccessLogOptions

/**
 * The live log-level endpoint: `POST <path>` with `Authorization: Bearer <token>` and
 * `{"level":"debug"}` changes the running logger's level (and logs it at `audit`);
 * `GET <path>` with the token reads it.
 *
 * @example
 * ```ts
 * import type * as Http from "fapilog/http"
 * const endpoint: Http.LevelEndpointOptions = { token: "a-secret-of-16-chars-or-more", path: "/-/log-level" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type LevelEndpointOptions = internal.LevelEndpointOptions

/**
 * The `metrics` option as an object: where the self-metrics of every logger of the process
 * with `metrics: true` are served as Prometheus text (default `/metrics`; docs/metrics.md).
 *
 * @example
 * ```ts
 * import type * as Http from "fapilog/http"
 * const metrics: Http.MetricsRouteOptions = { path: "/-/metrics" }
 * const options: Http.Options = { metrics }
 * ```
 * @since 0.1.0
 * @category models
 */
export type MetricsRouteOptions = internal.MetricsRouteOptions

/**
 * The logger of the request being served.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Http from "fapilog/http"
 *
 * const handler = Effect.gen(function* () {
 *   const log = yield* Http.RequestLogger
 *   yield* log.info("order placed", { orderId: "o-1" })
 *   return log.correlationId
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export type RequestLoggerService = middlewareInternal.RequestLogger

/**
 * What {@link middleware} returns: an @effect/platform middleware that keeps the app's
 * error and requirement types (it needs no service of its own).
 *
 * @example
 * ```ts
 * import * as Http from "fapilog/http"
 * const withLogging: Http.Middleware = Http.middleware()
 * ```
 * @since 0.1.0
 * @category models
 */
export type Middleware = middlewareInternal.Middleware

/**
 * The middleware. Put it on the server (`HttpServer.serve(app, Http.middleware())`) or on
 * an app (`app.pipe(Http.middleware())`). It needs no service: it logs through the fapilog
 * layer in scope (or Effect's logger when there is none).
 *
 * @example
 * ```ts
 * import { HttpServer } from "@effect/platform"
 * import * as Http from "fapilog/http"
 * declare const app: Parameters<typeof HttpServer.serve>[0]
 * const served = HttpServer.serve(app, Http.middleware({ correlationHeader: "x-request-id" }))
 * ```
 * @since 0.1.0
 * @category middleware
 */
export const middleware: (options?: Options) => Middleware = middlewareInternal.make

/**
 * For servers built with `HttpApiBuilder`: gives {@link middleware} the cause of every
 * failure the API answers itself. An `HttpApi` turns a typed error of its endpoints (with
 * the status of its `HttpApiSchema.annotations`) and a request that fails to decode (an
 * `HttpApiDecodeError`, 400) into a response before a server middleware sees the result;
 * with this layer the middleware still writes the error line, with the cause and the status
 * that was sent, as it does for an `HttpRouter` handler. Provide it to
 * `HttpApiBuilder.serve` (it is an `HttpApiBuilder.middleware` layer), with the middleware
 * on the server.
 *
 * @example
 * ```ts
 * import { HttpApi, HttpApiBuilder } from "@effect/platform"
 * import { Layer } from "effect"
 * import * as Http from "fapilog/http"
 *
 * declare const ApiLive: Layer.Layer<HttpApi.Api>
 * const Served = HttpApiBuilder.serve(Http.middleware()).pipe(
 *   Layer.provide(Http.layerHttpApi),
 *   Layer.provide(ApiLive)
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerHttpApi: Layer.Layer<never> = middlewareInternal.layerHttpApi

/**
 * The request-scoped logger: inside a request served through {@link middleware} it knows
 * the request's ids; elsewhere its ids are undefined. It needs no service, so it adds no
 * requirement. Every line it writes (like every `Effect.log` in the request) carries the
 * correlation id.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Http from "fapilog/http"
 * const handler = Effect.flatMap(Http.RequestLogger, (log) => log.warn("slow downstream", { ms: 900 }))
 * ```
 * @since 0.1.0
 * @category accessors
 */
export const RequestLogger: Effect.Effect<RequestLoggerService> = middlewareInternal.currentRequestLogger

/**
 * In tests with `FapilogTest`: the captured events of one request, by the correlation id
 * the test sent in `x-request-id` (or read back from the response).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Http from "fapilog/http"
 * const lines = Effect.map(Http.capturedFor("req-1"), (events) => events.map((e) => e.message))
 * ```
 * @since 0.1.0
 * @category testing
 */
export const capturedFor: (
  correlationId: string
) => Effect.Effect<ReadonlyArray<LogEvent>, never, CapturedLogs> = testing.capturedFor
