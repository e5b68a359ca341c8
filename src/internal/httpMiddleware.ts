/**
 * The @effect/platform middleware: correlation id in and out, one bound context per request
 * (a FiberRef every forked fiber inherits), the access line, the error line and the live
 * log-level endpoint. Per request it does one context switch and a handful of header reads;
 * the lines themselves go through the same pipeline as every other event.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as EffectCause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import * as Fapilog from "../Fapilog.js"
import { toEffectLevel, withBindings } from "./effectLogger.js"
import {
  accessFields,
  bearerOf,
  bodyField,
  byteCount,
  clientAddress,
  correlationIdOf,
  type HttpConfig,
  type HttpOptions,
  isTextual,
  levelEndpointHelp,
  parseTraceparent,
  pathOf,
  redactHeaders,
  requestedLevel,
  resolveOptions,
  tokenMatches,
  wantsAccessLine
} from "./http.js"
import type { LevelName } from "./level.js"
import type { Fields } from "./record.js"

/** The logger of one request: its ids, and the `Fapilog.*` functions (which carry them). */
export interface RequestLogger {
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

const byLevel: Readonly<Record<LevelName, typeof Fapilog.info>> = {
  trace: Fapilog.trace,
  debug: Fapilog.debug,
  info: Fapilog.info,
  warn: Fapilog.warn,
  error: Fapilog.error,
  fatal: Fapilog.fatal,
  audit: Fapilog.audit,
  security: Fapilog.security
}

const makeRequestLogger = (
  correlationId: string | undefined,
  traceId: string | undefined
): RequestLogger => ({
  correlationId,
  traceId,
  ...byLevel
})

export const outsideRequest: RequestLogger = makeRequestLogger(undefined, undefined)

/** Inside handlers: the logger of the request being served (a `Context.Reference`, so no requirement). */
export class CurrentRequestLogger extends Context.Reference<CurrentRequestLogger>()(
  "fapilog/http/RequestLogger",
  {
    defaultValue: (): RequestLogger => outsideRequest
  }
) {}

const header = (request: HttpServerRequest.HttpServerRequest, name: string): string | undefined =>
  request.headers[name]

/** The route the platform router matched, which it records on the server span. */
const routeOf = (context: Context.Context<never>): string | undefined => {
  const span = Context.getOption(context, Tracer.ParentSpan)
  if (span._tag !== "Some" || span.value._tag !== "Span") return undefined
  const route = span.value.attributes.get("http.route")
  return typeof route === "string" ? route : undefined
}

const responseBytes = (response: HttpServerResponse.HttpServerResponse): number | undefined => {
  const body = response.body
  switch (body._tag) {
    case "Empty":
      return 0
    case "Uint8Array":
      return body.contentLength
    default:
      return body.contentLength ?? byteCount(response.headers["content-length"])
  }
}

/** The request body for the access line, read through the platform's cached `text`. */
const readBody = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<unknown | undefined> => {
  if (request.method === "GET" || request.method === "HEAD") return Effect.succeed(undefined)
  const contentType = header(request, "content-type")
  const length = byteCount(header(request, "content-length"))
  if (length === 0) return Effect.succeed(undefined)
  if (!isTextual(contentType)) return Effect.succeed(`[${contentType} body not logged]`)
  if (length === undefined || length > 1_048_576)
    return Effect.succeed("[body of unknown or large size not logged]")
  return request.text.pipe(
    Effect.map((text) => bodyField(text, contentType, maxBytes)),
    Effect.orElseSucceed(() => "[unreadable body]")
  )
}

const levelEndpoint = (
  endpoint: NonNullable<HttpConfig["levelEndpoint"]>,
  request: HttpServerRequest.HttpServerRequest,
  clientIp: string | undefined
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const service = yield* Effect.serviceOption(Fapilog.Fapilog)
    if (service._tag === "None")
      return HttpServerResponse.unsafeJson({ error: "no fapilog layer is running" }, { status: 503 })
    if (!tokenMatches(endpoint.digest, bearerOf(header(request, "authorization")))) {
      yield* Fapilog.security("log level change refused", {
        http: { clientIp, reason: "bad or missing token" }
      })
      return HttpServerResponse.unsafeJson({ error: "unauthorized" }, { status: 401 })
    }
    const current = yield* service.value.level
    if (request.method === "GET") return HttpServerResponse.unsafeJson({ level: current })
    if (request.method !== "POST" && request.method !== "PUT")
      return HttpServerResponse.unsafeJson({ error: levelEndpointHelp }, { status: 405 })
    const url = request.url
    const q = url.indexOf("?")
    const body = yield* Effect.orElseSucceed(request.text, () => "")
    const level = requestedLevel(body, q < 0 ? undefined : url.slice(q + 1))
    if (level === undefined)
      return HttpServerResponse.unsafeJson({ error: levelEndpointHelp }, { status: 400 })
    yield* service.value.setLevel(level)
    yield* Fapilog.audit("log level changed", { from: current, to: level, http: { clientIp } })
    return HttpServerResponse.unsafeJson({ level, previous: current })
  })

/** A middleware that adds no requirement and no error of its own. */
export type Middleware = <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R>

/** Builds the middleware; options are validated here, once (a ConfigError is thrown). */
export const make = (options?: HttpOptions): Middleware => {
  const config = resolveOptions(options, "Http.middleware")
  const middleware: HttpMiddleware.HttpMiddleware = HttpMiddleware.make((app) =>
    Effect.withFiberRuntime((fiber) => {
      const started = performance.now()
      const context = fiber.currentContext
      const request = Context.unsafeGet(context, HttpServerRequest.HttpServerRequest)
      const id = correlationIdOf(config, header(request, config.header))
      const trace = parseTraceparent(header(request, "traceparent"))
      const peer = Option.getOrUndefined(request.remoteAddress)
      const clientIp = clientAddress(config, peer, header(request, "x-forwarded-for"))
      const path = pathOf(request.url)
      const bound: Fields =
        trace === undefined
          ? { correlationId: id }
          : { correlationId: id, traceId: trace.traceId, spanId: trace.spanId }
      let sent: HttpServerResponse.HttpServerResponse | undefined
      const echo = HttpApp.appendPreResponseHandler((_request, response) =>
        Effect.sync(() => {
          sent = HttpServerResponse.setHeader(response, config.header, id)
          return sent
        })
      )
      const endpoint = config.levelEndpoint
      const handled =
        endpoint !== undefined && path === endpoint.path ? levelEndpoint(endpoint, request, clientIp) : app
      const access = config.access
      const body =
        access !== undefined && access.bodyBytes > 0 ? readBody(request, access.bodyBytes) : undefined
      const served = Effect.gen(function* () {
        const service = yield* Effect.serviceOption(Fapilog.Fapilog)
        const bodyValue = body === undefined ? undefined : yield* body
        // a live level change reaches Effect.log* in handlers too, not only fapilog's own threshold
        const level = service._tag === "Some" ? yield* service.value.level : undefined
        const run =
          level === undefined
            ? handled
            : Effect.locally(handled, FiberRef.currentMinimumLogLevel, toEffectLevel(level))
        const exit = yield* Effect.exit(run)
        let status: number
        let failure: EffectCause.Cause<unknown> | undefined
        if (Exit.isSuccess(exit)) status = (sent ?? exit.value).status
        else {
          // the platform has already answered: it adds that response to the cause as a defect
          const [response, cause] = HttpServerError.causeResponseStripped(exit.cause)
          status = (sent ?? response).status
          if (
            cause._tag === "Some" &&
            !EffectCause.isEmpty(cause.value) &&
            !EffectCause.isInterruptedOnly(cause.value)
          )
            failure = cause.value
        }
        if (failure !== undefined && config.logErrors) {
          const fields = { http: { method: request.method, path, status }, error: failure }
          yield* status >= 500 || EffectCause.isDie(failure)
            ? Fapilog.error("request failed", fields)
            : Fapilog.warn("request failed", fields)
        }
        if (access !== undefined && wantsAccessLine(config, path, status)) {
          const response = sent
          const fields = accessFields({
            method: request.method,
            route: routeOf(context),
            path,
            status,
            durationMs: performance.now() - started,
            requestBytes: byteCount(header(request, "content-length")),
            responseBytes: response === undefined ? undefined : responseBytes(response),
            clientIp,
            userAgent: header(request, "user-agent"),
            requestHeaders: access.headers ? redactHeaders(access, request.headers) : undefined,
            responseHeaders:
              access.headers && response !== undefined ? redactHeaders(access, response.headers) : undefined,
            body: bodyValue
          })
          yield* byLevel[access.level(status)](access.message, fields)
        }
        return yield* exit
      })
      return echo.pipe(
        Effect.zipRight(served),
        Effect.provideService(CurrentRequestLogger, makeRequestLogger(id, trace?.traceId)),
        withBindings(bound)
      )
    })
  )
  return middleware as Middleware
}
