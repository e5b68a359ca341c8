/**
 * The HTTP middleware for Effect 4's `effect/http` (the Effect 3 line's is for
 * `@effect/platform`, src/internal/httpMiddleware.ts): correlation id in and out, the
 * request's fields on every line logged while serving it (in forked fibers too), the access
 * line, the error line and the live log-level endpoint. Its options, their validation and
 * the fields of its lines are the shared ones of src/internal/http.ts, so both lines log a
 * request the same way.
 *
 * Not yet on Effect 4 (docs/effect4-design.md): the request body on the access line
 * (`access.bodyBytes`), the `HttpApi` companion layer (`layerHttpApi`) and the route on the
 * access line.
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
import type * as Fiber from "effect/Fiber"
import * as HttpEffect from "effect/http/HttpEffect"
import * as HttpMiddleware from "effect/http/HttpMiddleware"
import * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import {
  accessFields,
  bearerOf,
  byteCount,
  clientAddress,
  correlationIdOf,
  type HttpConfig,
  type HttpOptions,
  levelEndpointHelp,
  parseTraceparent,
  pathOf,
  redactHeaders,
  refusalLimiter,
  requestedLevel,
  resolveOptions,
  safeError,
  tokenMatches,
  wantsAccessLine
} from "../internal/http.js"
import { type LevelName, levels } from "../internal/level.js"
import { Bindings, type Fields } from "../internal/record.js"
import * as Fapilog from "./Fapilog.js"
import { bindingsIn, CurrentBindings, logIn, pipelineIn } from "./logger.js"

/**
 * The middleware's options: the Effect 3 line's (`correlationHeader`, `access`,
 * `levelEndpoint`, `logErrors`, `trustProxy`...), checked the same way.
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
 * The request being served: on Effect 4 a fiber's Context is cheap to extend, so the
 * middleware provides it (and the request's fields, as bound fields) to the app, and every
 * fiber the app forks inherits both.
 */
const CurrentRequest = Context.Reference<RequestLoggerService | undefined>("fapilog/effect4/currentRequest", {
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
  (current) => current ?? outsideRequest
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
  Effect.gen(function* () {
    const service = yield* Effect.serviceOption(Fapilog.Fapilog)
    if (Option.isNone(service)) return json({ error: "no fapilog layer is running" }, 503)
    if (!tokenMatches(endpoint.digest, bearerOf(headers.authorization))) {
      const { log, suppressed } = refusal()
      if (log)
        yield* Fapilog.security("log level change refused", {
          http: { clientIp, reason: "bad or missing token" },
          ...(suppressed > 0 ? { suppressed } : {})
        })
      return json({ error: "unauthorized" }, 401)
    }
    const current = yield* service.value.level
    if (request.method === "GET" || request.method === "HEAD") return json({ level: current })
    if (request.method !== "POST" && request.method !== "PUT") return json({ error: levelEndpointHelp }, 405)
    const url = request.url
    const q = url.indexOf("?")
    const body = yield* Effect.orElseSucceed(request.text, () => "")
    const level = requestedLevel(body, q < 0 ? undefined : url.slice(q + 1))
    if (level === undefined) return json({ error: levelEndpointHelp }, 400)
    // written before the change, so that no new threshold can hide it
    yield* Fapilog.audit("log level changed", { from: current, to: level, http: { clientIp } })
    yield* service.value.setLevel(level)
    return json({ level, previous: current })
  })

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

/** The error of the error line: the cause's first failure or defect, its platform fields kept out. */
const errorOf = (cause: Cause.Cause<unknown>): unknown => {
  const reason = cause.reasons.find((r) => Cause.isFailReason(r) || Cause.isDieReason(r))
  if (reason === undefined) return undefined
  return safeError(
    Cause.isFailReason(reason) ? reason.error : Cause.isDieReason(reason) ? reason.defect : undefined
  )
}

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
  const logged: HttpMiddleware.HttpMiddleware = HttpMiddleware.make((app) =>
    Effect.withFiber((fiber) => {
      const started = performance.now()
      const context = fiber.context as Context.Context<HttpServerRequest.HttpServerRequest>
      const request = Context.get(context, HttpServerRequest.HttpServerRequest)
      const headers = request.headers as Headers
      // a request served by two of these middlewares has one id
      const enclosing = Context.get(context as Context.Context<never>, CurrentRequest)
      const id = enclosing?.correlationId ?? correlationIdOf(config, headers[config.header])
      const trace = parseTraceparent(headers.traceparent)
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
              route: undefined,
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
              body: undefined
            })
            // built here, fresh, never changed after: nothing to capture
            const wait = logLine(serving, access.level(status), access.message, line, true)
            if (wait !== undefined) waits.push(wait)
          }
          return waits.length === 0 ? result : Effect.andThen(Effect.all(waits, { discard: true }), result)
        })
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
            return finish(response, failure, Effect.failCause(cause))
          }
          // otherwise make the response as the platform will, so that the lines carry the
          // status the client gets (404 for an unmatched route, 400 for a bad request)
          return Effect.flatMap(HttpServerError.causeResponse(cause), ([made]) =>
            finish(made, failureOf(cause), Effect.failCause(cause))
          )
        },
        onSuccess: (response) => finish(response, undefined, Effect.succeed(response))
      })
      // the id goes onto the response the client gets, error responses included; a value
      // the app set itself wins
      const served = Effect.andThen(
        HttpEffect.appendPreResponseHandler((_request, response) =>
          Effect.succeed(
            config.header in response.headers
              ? response
              : HttpServerResponse.setHeader(response, config.header, id)
          )
        ),
        handled
      )
      if (enclosing !== undefined) return served
      const outer = bindingsIn(context as Context.Context<never>)
      // adds references: the services the app needs are the ones it had
      return Effect.updateContext(
        served,
        (inner: Context.Context<unknown>) =>
          Context.add(
            Context.add(inner as Context.Context<never>, CurrentRequest, requestLogger(id, trace?.traceId)),
            CurrentBindings,
            Bindings.extend(outer, fields)
          ) as Context.Context<unknown>
      )
    })
  )
  // the failures that pass through are the app's own and the added services are references
  return logged as Middleware
}
