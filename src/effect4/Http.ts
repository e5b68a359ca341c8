/**
 * The HTTP middleware for Effect 4's `effect/http` (the Effect 3 line's is for
 * `@effect/platform`, src/internal/httpMiddleware.ts): correlation id in and out, the
 * request's fields on every line logged while serving it (in forked fibers too), the access
 * line, the error line and the live log-level endpoint. Its options, their validation and
 * the fields of its lines are the shared ones of src/internal/http.ts, so both lines log a
 * request the same way.
 *
 * An `HttpApi` answers its handlers' failures itself, inside the app: {@link layerHttpApi}
 * is an Effect 4 `ErrorReporter` (the API reports each failure before it encodes it) that
 * leaves the cause on the request's state, where the middleware finds it.
 *
 * @example
 * ```ts
 * import { HttpRouter } from "effect/http"
 * import { Http } from "fapilog-effect4"
 *
 * declare const Routes: Parameters<typeof HttpRouter.serve>[0]
 * const Served = HttpRouter.serve(Routes, { middleware: Http.middleware({ correlationHeader: "x-request-id" }) })
 * ```
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ErrorReporter from "effect/ErrorReporter"
import type * as Fiber from "effect/Fiber"
import * as HttpEffect from "effect/http/HttpEffect"
import * as HttpMiddleware from "effect/http/HttpMiddleware"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import type { CapturedLogs } from "../../layers/FapilogTest.js"
import * as Fapilog from "../Fapilog.js"
import {
  type AccessLogOptions as AccessLogOptionsOf,
  accessFields,
  byteCount,
  clientAddress,
  correlationIdOf,
  type HttpConfig,
  type HttpOptions,
  type LevelEndpointOptions as LevelEndpointOptionsOf,
  type MetricsRouteOptions as MetricsRouteOptionsOf,
  parseTraceparent,
  pathOf,
  redactHeaders,
  refusalLimiter,
  resolveOptions,
  safeError,
  wantsAccessLine
} from "../internal/http.js"
import { type BodyTap, bodyForLine, tapBody } from "../internal/httpBody.js"
import * as testing from "../internal/httpTesting.js"
import { type LevelName, levels } from "../internal/level.js"
import { answerLevelRequest } from "../internal/levelEndpoint.js"
import { answerScrape } from "../internal/metricsServer.js"
import { Bindings, type Fields } from "../internal/record.js"
import type { LogEvent } from "../LogEvent.js"
import { bindingsIn, CurrentBindings, logIn, pipelineIn } from "./logger.js"

/**
 * The middleware's options: the Effect 3 line's (`correlationHeader`, `access`,
 * `levelEndpoint`, `metrics`, `logErrors`, `trustProxy`...), checked the same way.
 *
 * @example
 * ```ts
 * import type { Http } from "fapilog-effect4"
 * const options: Http.Options = { access: { skip: ["/health"] } }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Options = HttpOptions

/**
 * Options of the access line (`accessLog`): the Effect 3 line's.
 *
 * @example
 * ```ts
 * import type { Http } from "fapilog-effect4"
 * const access: Http.AccessLogOptions = { body: { maxBytes: 2048 }, level: (status) => (status >= 500 ? "error" : "debug") }
 * ```
 * @since 0.1.0
 * @category models
 */
export type AccessLogOptions = AccessLogOptionsOf

/**
 * The live log-level endpoint (`levelEndpoint`): the Effect 3 line's.
 *
 * @example
 * ```ts
 * import type { Http } from "fapilog-effect4"
 * const endpoint: Http.LevelEndpointOptions = { token: "a-secret-of-16-chars-or-more", path: "/-/log-level" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type LevelEndpointOptions = LevelEndpointOptionsOf

/**
 * The `metrics` option as an object (the Effect 3 line's): where the self-metrics of every
 * logger of the process with `metrics: true` are served (default `/metrics`).
 *
 * @example
 * ```ts
 * import type { Http } from "fapilog-effect4"
 * const options: Http.Options = { metrics: { path: "/-/metrics" } satisfies Http.MetricsRouteOptions }
 * ```
 * @since 0.1.0
 * @category models
 */
export type MetricsRouteOptions = MetricsRouteOptionsOf

/**
 * The logger of one request: its ids, and the `Fapilog.*` functions (whose lines carry them).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Http } from "fapilog-effect4"
 * const handler = Effect.flatMap(Http.RequestLogger, (log) => log.info("charged", { id: log.correlationId }))
 * ```
 * @since 0.1.0
 * @category models
 */
export interface RequestLoggerService {
  /** The request's correlation id; undefined outside a request. */
  readonly correlationId: string | undefined
  /** The trace id of the incoming `traceparent`, when it had one. */
  readonly traceId: string | undefined
  readonly trace: typeof Fapilog.trace
  readonly debug: typeof Fapilog.debug
  readonly info: typeof Fapilog.info
  readonly warn: typeof Fapilog.warn
  readonly error: typeof Fapilog.error
  readonly fatal: typeof Fapilog.fatal
  readonly audit: typeof Fapilog.audit
  readonly security: typeof Fapilog.security
}

const requestLogger = (
  correlationId: string | undefined,
  traceId: string | undefined
): RequestLoggerService => ({
  correlationId,
  traceId,
  trace: Fapilog.trace,
  debug: Fapilog.debug,
  info: Fapilog.info,
  warn: Fapilog.warn,
  error: Fapilog.error,
  fatal: Fapilog.fatal,
  audit: Fapilog.audit,
  security: Fapilog.security
})

const outsideRequest = requestLogger(undefined, undefined)

/**
 * One request as the middleware tracks it: its ids, what the handler read of the body, and a
 * failure the app answered itself (left by {@link layerHttpApi}). Each middleware serving the
 * request has its own (a request served by two has one id, and each writes its lines).
 */
class RequestState {
  readonly tap: BodyTap = { text: undefined }
  finished = false
  answeredFailure: Cause.Cause<unknown> | undefined = undefined
  private logger: RequestLoggerService | undefined = undefined

  constructor(
    readonly correlationId: string,
    readonly traceId: string | undefined
  ) {}

  get requestLogger(): RequestLoggerService {
    return (this.logger ??= requestLogger(this.correlationId, this.traceId))
  }

  /** Answered: a fiber the request forked and left running reports nothing to it any more. */
  finish(): void {
    this.finished = true
    this.tap.text = undefined
    this.answeredFailure = undefined
  }
}

/**
 * The request being served: on Effect 4 a fiber's Context is cheap to extend, so the
 * middleware provides it (and the request's fields, as bound fields) to the app, and every
 * fiber the app forks inherits both.
 */
const CurrentRequest = Context.Reference<RequestState | undefined>("fapilog/effect4/currentRequest", {
  defaultValue: () => undefined
})

/**
 * The request-scoped logger: inside a request served through {@link middleware} it knows the
 * request's ids; elsewhere they are undefined. It adds no requirement.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Http } from "fapilog-effect4"
 * const handler = Effect.flatMap(Http.RequestLogger, (log) => log.warn("slow downstream", { ms: 900 }))
 * ```
 * @since 0.1.0
 * @category accessors
 */
export const RequestLogger: Effect.Effect<RequestLoggerService> = Effect.map(
  Effect.service(CurrentRequest),
  (current) => current?.requestLogger ?? outsideRequest
)

type Headers = Readonly<Record<string, string | undefined>>

const json = (body: unknown, status = 200) =>
  HttpServerResponse.jsonUnsafe(body, { status, headers: { "cache-control": "no-store" } })

const levelEndpoint = (
  endpoint: NonNullable<HttpConfig["levelEndpoint"]>,
  request: HttpServerRequest.HttpServerRequest,
  headers: Headers,
  clientIp: string | undefined,
  refusal: ReturnType<typeof refusalLimiter>
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.map(
    answerLevelRequest(
      endpoint.digest,
      {
        method: request.method,
        url: request.url,
        authorization: headers.authorization,
        text: Effect.orElseSucceed(request.text, () => "")
      },
      clientIp,
      refusal
    ),
    ({ body, status }) => json(body, status)
  )

/** The self-metrics, for a scraper (`metrics` option). */
const scrape = (request: HttpServerRequest.HttpServerRequest): HttpServerResponse.HttpServerResponse => {
  const { status, headers, body } = answerScrape(request.method)
  const { "content-type": contentType, "content-length": _, ...rest } = headers
  return HttpServerResponse.text(body, { status, contentType, headers: rest })
}

/** A request no route matched: the access line reports it, it is no handler failure. */
const isRouteNotFound = (e: unknown): boolean =>
  HttpServerError.isHttpServerError(e) && e.reason._tag === "RouteNotFound"

/** The failure worth an error line: none for an interruption or an unmatched route. */
const failureOf = (cause: Cause.Cause<unknown>): Cause.Cause<unknown> | undefined => {
  const reasons = cause.reasons
  if (reasons.length === 0 || Cause.hasInterruptsOnly(cause)) return undefined
  const onlyNotFound =
    !Cause.hasDies(cause) && reasons.every((r) => !Cause.isFailReason(r) || isRouteNotFound(r.error))
  return onlyNotFound && reasons.some(Cause.isFailReason) ? undefined : cause
}

/**
 * The error of the error line: the cause's first failure or defect, its platform fields kept
 * out. An object that is no Error (such as the `HttpApiSchemaError` of a request an `HttpApi`
 * cannot decode) becomes the Error Effect renders of it, which keeps its name, its fields and
 * the error it was caused by; any other value (a string) goes as the one-reason cause, as the
 * Effect 3 line logs it. Either way it takes the line's error slot.
 */
const errorOf = (cause: Cause.Cause<unknown>): unknown => {
  const reason = cause.reasons.find((r) => Cause.isFailReason(r) || Cause.isDieReason(r))
  if (reason === undefined) return undefined
  const value = Cause.isFailReason(reason)
    ? reason.error
    : Cause.isDieReason(reason)
      ? reason.defect
      : undefined
  if (value instanceof Error) return safeError(value)
  const single = Cause.fromReasons([reason])
  return typeof value === "object" && value !== null ? safeError(Cause.prettyErrors(single)[0]) : single
}

/** The route the router matched (it leaves it in the serving fiber's Context), with its mount prefix. */
const routeOf = (context: Context.Context<never>): string | undefined =>
  Context.getOrUndefined(context, HttpRouter.RouteContext)?.route.path

/** A response the platform made of a failure: it rides in the cause as a defect. */
const isResponse = (reason: Cause.Reason<unknown>): boolean =>
  Cause.isDieReason(reason) && HttpServerResponse.isHttpServerResponse(reason.defect)

/** A cause without the response the platform made of it. */
const withoutResponse = (cause: Cause.Cause<unknown>): Cause.Cause<unknown> =>
  cause.reasons.some(isResponse) ? Cause.fromReasons(cause.reasons.filter((r) => !isResponse(r))) : cause

const responseBytes = (response: HttpServerResponse.HttpServerResponse): number | undefined => {
  const body = response.body as { readonly _tag: string; readonly contentLength?: number | undefined }
  return body._tag === "Empty" ? 0 : (body.contentLength ?? byteCount(response.headers["content-length"]))
}

/** Logs one line through `fiber` now; what is returned must be waited for (room in the pipeline). */
const logLine = (
  fiber: Fiber.Fiber<unknown, unknown>,
  level: LevelName,
  message: string,
  fields: Fields,
  fresh: boolean
): Effect.Effect<void> | undefined => logIn(fiber, levels[level], pipelineIn, message, fields, fresh)

/**
 * The middleware's type: what it wraps keeps its errors and requirements (it adds none; it
 * reads the fapilog layer when one is in scope). Effect's own `HttpMiddleware` type widens
 * both to `any`, which would leave a served app's requirements unchecked.
 *
 * @example
 * ```ts
 * import { Http } from "fapilog-effect4"
 * const logged: Http.Middleware = Http.middleware()
 * ```
 * @since 0.1.0
 * @category models
 */
export type Middleware = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>
) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>

/**
 * The middleware. Give it to the server (`HttpRouter.serve(routes, { middleware })`) or to an
 * app (`HttpEffect.toWebHandler(app, Http.middleware())`). It needs no service: it logs
 * through the fapilog layer in scope (or Effect's logger when there is none). Options are
 * checked once, here: a ConfigError is thrown.
 *
 * @example
 * ```ts
 * import { HttpEffect, HttpServerResponse } from "effect/http"
 * import { Http } from "fapilog-effect4"
 *
 * const handler = HttpEffect.toWebHandler(Effect.succeed(HttpServerResponse.text("ok")), Http.middleware())
 * ```
 * @since 0.1.0
 * @category middleware
 */
export const middleware = (options?: Options): Middleware => {
  const config = resolveOptions(options, "Http.middleware")
  const refusal = refusalLimiter()
  const access = config.access
  const tapBodies = access !== undefined && access.bodyBytes > 0
  const logged: HttpMiddleware.HttpMiddleware = HttpMiddleware.make((app) =>
    Effect.withFiber((fiber) => {
      const started = performance.now()
      const context = fiber.context as Context.Context<HttpServerRequest.HttpServerRequest>
      const request = Context.get(context, HttpServerRequest.HttpServerRequest)
      const headers = request.headers as Headers
      // a request served by two of these middlewares has one id
      const carried = Context.get(context as Context.Context<never>, CurrentRequest)
      const enclosing = carried?.finished === false ? carried : undefined
      const id = enclosing?.correlationId ?? correlationIdOf(config, headers[config.header])
      const trace = parseTraceparent(headers.traceparent)
      const state = new RequestState(id, trace?.traceId)
      const path = pathOf(request.url)
      // with a tracer the server span carries the incoming trace id; without one the
      // traceparent's ids fill the slots
      const span = Context.getOrUndefined(context as Context.Context<never>, Tracer.ParentSpan)
      const fields: Fields =
        trace === undefined || span !== undefined
          ? { correlationId: id }
          : { correlationId: id, traceId: trace.traceId, spanId: trace.spanId }
      const clientIp = clientAddress(
        config,
        Option.getOrUndefined(request.remoteAddress),
        headers["x-forwarded-for"]
      )
      const endpoint = config.levelEndpoint
      const run: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, unknown> =
        endpoint !== undefined && path === endpoint.path
          ? // its response is made here: the id goes on it now, for a server (HttpRouter.serve
            // on Node) that runs the pre-response handlers below only around the app
            Effect.map(levelEndpoint(endpoint, request, headers, clientIp, refusal), (response) =>
              HttpServerResponse.setHeader(response, config.header, id)
            )
          : path === config.metricsPath
            ? Effect.sync(() => HttpServerResponse.setHeader(scrape(request), config.header, id))
            : app
      // the lines are logged through the serving fiber, with the request's fields, in order
      const finish = (
        response: HttpServerResponse.HttpServerResponse,
        failure: Cause.Cause<unknown> | undefined,
        result: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown>
      ): Effect.Effect<HttpServerResponse.HttpServerResponse, unknown> =>
        Effect.withFiber((serving) => {
          const status = response.status
          const waits: Array<Effect.Effect<void>> = []
          if (failure !== undefined && config.logErrors) {
            const wait = logLine(
              serving,
              "error",
              "request failed",
              { http: { method: request.method, path, status }, error: errorOf(failure) },
              false
            )
            if (wait !== undefined) waits.push(wait)
          }
          if (access !== undefined && wantsAccessLine(config, path, status)) {
            const line = accessFields({
              method: request.method,
              route: routeOf(serving.context as Context.Context<never>),
              path,
              status,
              durationMs: performance.now() - started,
              requestBytes: byteCount(headers["content-length"]),
              responseBytes: responseBytes(response),
              clientIp,
              userAgent: headers["user-agent"],
              requestHeaders: access.headers ? redactHeaders(access, headers) : undefined,
              responseHeaders: access.headers
                ? redactHeaders(access, { [config.header]: id, ...response.headers })
                : undefined,
              body: tapBodies ? bodyForLine(state.tap, headers, access.bodyBytes) : undefined
            })
            // built here, fresh, never changed after: nothing to capture
            const wait = logLine(serving, access.level(status), access.message, line, true)
            if (wait !== undefined) waits.push(wait)
          }
          state.finish()
          return waits.length === 0 ? result : Effect.andThen(Effect.all(waits, { discard: true }), result)
        })
      // The failure an HttpApi reported before it answered or gave up (layerHttpApi left it on
      // the state): the handler's own, which the API may have turned into a response (a typed
      // error with its status) or into a defect of its own (an error it cannot encode)
      const reported = (): Cause.Cause<unknown> | undefined =>
        state.answeredFailure === undefined ? undefined : failureOf(withoutResponse(state.answeredFailure))
      const handled = Effect.matchCauseEffect(run, {
        onFailure: (cause) => {
          // a response the platform already made of the failure rides in the cause as a defect
          if (
            cause.reasons.some(
              (r) => Cause.isDieReason(r) && HttpServerResponse.isHttpServerResponse(r.defect)
            )
          ) {
            const [response, rest] = HttpServerError.causeResponseStripped(cause)
            const failure = Option.isSome(rest) ? failureOf(rest.value) : undefined
            return finish(response, failure && (reported() ?? failure), Effect.failCause(cause))
          }
          // otherwise make the response as the platform will, so that the lines carry the
          // status the client gets (404 for an unmatched route, 400 for a bad request)
          const failure = failureOf(cause)
          return Effect.flatMap(HttpServerError.causeResponse(cause), ([made]) =>
            finish(made, failure && (reported() ?? failure), Effect.failCause(cause))
          )
        },
        // a failure the app answered itself is one only if the answer says so: a handler that
        // reported an error and recovered from it served its request
        onSuccess: (response) =>
          finish(response, response.status >= 400 ? reported() : undefined, Effect.succeed(response))
      })
      // the id goes onto the response the client gets, error responses included (an enclosing
      // middleware has put it there already); a value the app set itself wins
      const served =
        enclosing !== undefined
          ? handled
          : Effect.andThen(
              HttpEffect.appendPreResponseHandler((_request, response) =>
                Effect.succeed(
                  config.header in response.headers
                    ? response
                    : HttpServerResponse.setHeader(response, config.header, id)
                )
              ),
              handled
            )
      const outer = enclosing === undefined ? bindingsIn(context as Context.Context<never>) : undefined
      // Adds references (and, to log the body, the same request tapped): the services the app
      // needs are the ones it had. The lines are written inside, where the router's Context
      // (the matched route) is still the fiber's.
      return Effect.updateContext(served, (inner: Context.Context<unknown>) => {
        let next = Context.add(inner as Context.Context<never>, CurrentRequest, state)
        if (enclosing === undefined) next = Context.add(next, CurrentBindings, Bindings.extend(outer, fields))
        if (tapBodies)
          next = Context.add(
            next,
            HttpServerRequest.HttpServerRequest,
            tapBody(
              Context.get(
                next as Context.Context<HttpServerRequest.HttpServerRequest>,
                HttpServerRequest.HttpServerRequest
              ),
              state.tap
            )
          )
        return next as Context.Context<unknown>
      })
    })
  )
  // the failures that pass through are the app's own and the added services are references
  return logged as Middleware
}

/**
 * The reporter behind {@link layerHttpApi}: the first failure reported while a request is
 * served goes onto that request's state (the innermost middleware's), unless the request is
 * answered already. The first, because it is the handler's own: a server that has the
 * reporter in scope reports again what reaches it, after the API has made it a response or a
 * defect of its own.
 */
const answeredFailures: ErrorReporter.ErrorReporter = {
  [ErrorReporter.TypeId]: ErrorReporter.TypeId,
  report: ({ cause, fiber }) => {
    const state = Context.get(fiber.context as Context.Context<never>, CurrentRequest)
    if (state !== undefined && !state.finished) state.answeredFailure ??= cause
  }
}

/**
 * For servers built with `effect/http-api` (`HttpApiBuilder.layer`): gives {@link middleware}
 * the cause of every failure the API answers itself. An `HttpApi` turns a typed error of its
 * endpoints (with the status its schema declares), a failing `HttpApiMiddleware` (a 401 from a
 * security middleware) and a request that fails to decode into a response before a server
 * middleware sees the result; with this layer the middleware still writes the error line, with
 * the cause and the status that was sent, as it does for an `HttpRouter` handler. It adds an
 * Effect 4 `ErrorReporter` (the API reports each failure to the reporters in scope before it
 * answers) beside those already there. Provide it to the layer that serves the API.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { HttpRouter } from "effect/http"
 * import { HttpApiBuilder } from "effect/http-api"
 * import { Http } from "fapilog-effect4"
 *
 * declare const ApiRoutes: ReturnType<typeof HttpApiBuilder.layer>
 * const Served = HttpRouter.serve(ApiRoutes, { middleware: Http.middleware() }).pipe(
 *   Layer.provide(Http.layerHttpApi)
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerHttpApi: Layer.Layer<never> = ErrorReporter.layer([answeredFailures], {
  mergeWithExisting: true
})

/**
 * In tests with `FapilogTest`: the captured events of one request, by the correlation id the
 * test sent in `x-request-id` (or read back from the response).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Http } from "fapilog-effect4"
 * const lines = Effect.map(Http.capturedFor("req-1"), (events) => events.map((e) => e.message))
 * ```
 * @since 0.1.0
 * @category testing
 */
export const capturedFor: (
  correlationId: string
) => Effect.Effect<ReadonlyArray<LogEvent>, never, CapturedLogs> = testing.capturedFor
