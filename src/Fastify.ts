/**
 * Fastify integration (`fapilog/fastify`, Fastify 5) for the Promise facade: a plugin that
 * gives every request a correlation id (read from `x-request-id` or made, and echoed),
 * makes every `log.*` call made while handling it carry that id (AsyncLocalStorage, from
 * `onRequest` to the end of the handler, across awaits), writes one access line per request
 * and one error line per failed request, and can serve a guarded live log-level route. A
 * W3C `traceparent` puts its trace id on the request's lines, and, with an OpenTelemetry
 * SDK, becomes the parent of the spans the handlers start.
 * Its hooks apply to the whole app (it does not create an encapsulation context), so
 * register it before your routes.
 *
 * @example
 * ```ts
 * import Fastify from "fastify"
 * import { createLogger } from "fapilog"
 * import { fapilogFastify } from "fapilog/fastify"
 *
 * const log = await createLogger()
 * const app = Fastify()
 * await app.register(fapilogFastify(log, { accessLog: { skipPaths: ["/health"] } }))
 * app.get("/orders/:id", async (request) => {
 *   log.info("reading order") // carries the request's correlationId
 *   return { correlationId: request.fapilog.correlationId }
 * })
 * await app.listen({ port: 3000 })
 * ```
 * @since 0.1.0
 */
import type { FastifyPluginCallback, FastifyRequest } from "fastify"
import * as internal from "./internal/fastify.js"
import type * as http from "./internal/http.js"
import type * as facade from "./internal/httpFacade.js"
import type { Logger } from "./Logger.js"

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The fapilog logger of this request (set by `fapilogFastify`): its lines carry the
     * request's ids even outside the request's context. Fastify's own `request.log` is
     * left alone.
     */
    readonly fapilog: facade.RequestLogger
  }
}

/**
 * Options of the plugin: the same as every HTTP integration's (`fapilog/http`,
 * `fapilog/express`). Invalid options throw a `ConfigError` naming each field.
 *
 * @example
 * ```ts
 * import type { Options } from "fapilog/fastify"
 * const options: Options = { correlationHeader: "x-correlation-id", accessLog: { sampleRate: 0.1 } }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Options = http.HttpOptions

/**
 * The logger of one request (`request.fapilog`): a child of your logger whose lines carry
 * the request's ids, plus the ids themselves.
 *
 * @example
 * ```ts
 * import type { RequestLogger } from "fapilog/fastify"
 * const tag = (log: RequestLogger) => log.info("audit trail", { traceId: log.traceId })
 * ```
 * @since 0.1.0
 * @category models
 */
export type RequestLogger = facade.RequestLogger

/**
 * Builds the plugin for a logger; options are validated here (a `ConfigError` is thrown).
 *
 * - `onRequest` reads or makes the correlation id, sets it on the response, and runs the
 *   rest of the lifecycle (later hooks, body parsing, the handler and everything it awaits)
 *   in the request's context.
 * - The access line is written when the response finishes (status 499 when the client goes
 *   away first); `route` is `request.routeOptions.url`, absent for a 404.
 * - `onError` records the failure; the error line is written with the status actually sent
 *   (`error` for 5xx, `warn` below).
 * - `request.fapilog` is the request logger.
 *
 * @example
 * ```ts
 * import Fastify from "fastify"
 * import { createLogger } from "fapilog"
 * import { fapilogFastify } from "fapilog/fastify"
 *
 * const log = await createLogger()
 * const app = Fastify()
 * await app.register(
 *   fapilogFastify(log, { levelEndpoint: { token: process.env.LOG_LEVEL_TOKEN ?? "change-me-to-a-long-secret" } })
 * )
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const fapilogFastify: (logger: Logger, options?: Options) => FastifyPluginCallback = internal.make

/**
 * The request logger of a request the plugin has seen (the same as `request.fapilog`).
 *
 * @example
 * ```ts
 * import type { FastifyRequest } from "fastify"
 * import { requestLogger } from "fapilog/fastify"
 * const correlationOf = (request: FastifyRequest) => requestLogger(request).correlationId
 * ```
 * @since 0.1.0
 * @category accessors
 */
export const requestLogger: (request: FastifyRequest) => RequestLogger = internal.requestLogger
