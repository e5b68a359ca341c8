/**
 * Express integration (`fapilog/express`, Express 4 and 5) for the Promise facade: every
 * request gets a correlation id (read from `x-request-id` or made, and echoed), every
 * `log.*` call made while handling it carries that id (AsyncLocalStorage, across awaits,
 * timers and promise chains), one access line is written per request and one error line
 * per failed request, and an optional guarded endpoint changes the log level live. A W3C
 * `traceparent` puts its trace id on the request's lines, and, with an OpenTelemetry SDK,
 * becomes the parent of the spans the handlers start.
 *
 * @example
 * ```ts
 * import express from "express"
 * import { createLogger } from "fapilog"
 * import { fapilogExpress, requestLogger } from "fapilog/express"
 *
 * const log = await createLogger()
 * const logging = fapilogExpress(log, { accessLog: { skipPaths: ["/health"] } })
 * const app = express()
 * app.use(logging) // first, before body parsers and routes
 * app.get("/orders/:id", async (req, res) => {
 *   log.info("reading order") // carries the request's correlationId
 *   res.json({ id: req.params.id, correlationId: requestLogger(req).correlationId })
 * })
 * app.use(logging.errors) // after the routes: logs failures, then passes them on
 * app.listen(3000)
 * ```
 * @since 0.1.0
 */
import type { IncomingMessage } from "node:http"
import * as internal from "./internal/express.js"
import type * as http from "./internal/http.js"
import type * as facade from "./internal/httpFacade.js"
import type { Logger } from "./Logger.js"

/**
 * Options of the adapter: the same as every HTTP integration's (`fapilog/http`,
 * `fapilog/fastify`). Invalid options throw a `ConfigError` naming each field.
 *
 * @example
 * ```ts
 * import type { Options } from "fapilog/express"
 * const options: Options = {
 *   trustProxy: 1,
 *   accessLog: { skipPaths: ["/health", "/static/**"], headers: true },
 *   levelEndpoint: { token: process.env.LOG_LEVEL_TOKEN ?? "change-me-to-a-long-secret" }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Options = http.HttpOptions

/**
 * The logger of one request: a child of your logger whose lines carry the request's ids
 * even when written outside the request's context (an event listener registered earlier,
 * a queue callback), plus the ids themselves.
 *
 * @example
 * ```ts
 * import type { RequestLogger } from "fapilog/express"
 * const tag = (log: RequestLogger) => log.info("audit trail", { id: log.correlationId })
 * ```
 * @since 0.1.0
 * @category models
 */
export type RequestLogger = facade.RequestLogger

/**
 * What {@link fapilogExpress} returns: the middleware to mount first, and `errors`, the
 * error middleware (four parameters) to mount after the routes.
 *
 * @example
 * ```ts
 * import type { ExpressLogging } from "fapilog/express"
 * declare const logging: ExpressLogging
 * const afterRoutes = logging.errors
 * ```
 * @since 0.1.0
 * @category models
 */
export type ExpressLogging = internal.ExpressLogging

/**
 * Builds the middleware for a logger; options are validated here (a `ConfigError` is
 * thrown). Mount it first with `app.use`, and its `errors` after your routes.
 *
 * - The correlation id comes from `correlationHeader` (default `x-request-id`) when it is a
 *   safe token, else `generateId()`; it is set on the response before anything is sent.
 * - The access line is written when the response finishes (or at status 499 when the client
 *   goes away first); `route` is the matched route with its router's mount path.
 * - `errors` records the error and calls `next(err)`, so Express (or your own error
 *   handler) still answers; the error line is written with the status actually sent.
 * - Request bodies appear in the access line (`accessLog.body`) only when a body parser
 *   ran (`req.body`); the middleware itself never reads a body, except for the level endpoint.
 *
 * @example
 * ```ts
 * import express from "express"
 * import { createLogger } from "fapilog"
 * import { fapilogExpress } from "fapilog/express"
 *
 * const log = await createLogger()
 * const logging = fapilogExpress(log, {
 *   levelEndpoint: { token: process.env.LOG_LEVEL_TOKEN ?? "change-me-to-a-long-secret" }
 * })
 * const app = express()
 * app.use(logging)
 * app.use(express.json())
 * app.post("/orders", (req, res) => res.status(201).json(req.body))
 * app.use(logging.errors)
 * ```
 * @since 0.1.0
 * @category middleware
 */
export const fapilogExpress: (logger: Logger, options?: Options) => ExpressLogging = internal.make

/**
 * The request logger of a request the middleware has seen (throws if the middleware was
 * not mounted before the handler: a wiring mistake, reported at once).
 *
 * @example
 * ```ts
 * import type { Request, Response } from "express"
 * import { requestLogger } from "fapilog/express"
 *
 * const handler = (req: Request, res: Response) => {
 *   const log = requestLogger(req)
 *   log.info("handled")
 *   res.json({ correlationId: log.correlationId })
 * }
 * ```
 * @since 0.1.0
 * @category accessors
 */
export const requestLogger: (req: IncomingMessage) => RequestLogger = internal.requestLogger
