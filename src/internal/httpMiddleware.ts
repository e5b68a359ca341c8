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
import * as Chunk from "effect/Chunk"
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
  announcesBody,
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
  refusalLimiter,
  requestedLevel,
  resolveOptions,
  safeError,
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

type Headers = Readonly<Record<string, string | undefined>>

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

/** What the handler read of the request body, for the access line. */
interface BodyTap {
  text: string | undefined
}

/**
 * The request as the handler sees it when body logging is on: the same request, except that
 * reading the body as a whole (`text`, `json`, `urlParamsBody`, `arrayBuffer`) also keeps
 * the text for the access line. Nothing is read ahead: a body the handler does not read, or
 * reads as a stream, is not logged.
 */
const tapBody = (
  request: HttpServerRequest.HttpServerRequest,
  tap: BodyTap
): HttpServerRequest.HttpServerRequest =>
  new Proxy(request, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target)
      switch (prop) {
        case "text":
        case "json":
        case "urlParamsBody":
          // json and urlParamsBody parse the cached text: read it back once they succeed
          return Effect.tap(value as Effect.Effect<unknown, unknown>, () =>
            Effect.map(
              Effect.orElseSucceed(target.text, () => undefined),
              (text) => {
                tap.text ??= text
              }
            )
          )
        case "arrayBuffer":
          return Effect.tap(value as Effect.Effect<ArrayBuffer, unknown>, (buffer) =>
            Effect.sync(() => {
              tap.text ??= Buffer.from(buffer).toString("utf8")
            })
          )
        case "modify":
          // a router mount slices the URL with `modify`: the copy is tapped too
          return (...args: Parameters<HttpServerRequest.HttpServerRequest["modify"]>) =>
            tapBody(target.modify(...args), tap)
        default:
          return typeof value === "function" ? value.bind(target) : value
      }
    }
  })

const bodyForLine = (tap: BodyTap, headers: Headers, maxBytes: number): unknown => {
  const contentType = headers["content-type"]
  if (tap.text === undefined)
    return announcesBody(headers) ? "[body not read as a whole by the handler; not logged]" : undefined
  if (!isTextual(contentType)) return `[${contentType} body not logged]`
  return bodyField(tap.text, contentType, maxBytes)
}

const json = (body: unknown, status = 200) =>
  HttpServerResponse.unsafeJson(body, { status, headers: { "cache-control": "no-store" } })

const levelEndpoint = (
  endpoint: NonNullable<HttpConfig["levelEndpoint"]>,
  request: HttpServerRequest.HttpServerRequest,
  headers: Headers,
  clientIp: string | undefined,
  refusal: ReturnType<typeof refusalLimiter>
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const service = yield* Effect.serviceOption(Fapilog.Fapilog)
    if (service._tag === "None") return json({ error: "no fapilog layer is running" }, 503)
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

/** A platform error that says no route matched: the access line reports it, it is no handler failure. */
const onlyRouteNotFound = (cause: EffectCause.Cause<unknown>): boolean => {
  const failures = EffectCause.failures(cause)
  return (
    Chunk.size(failures) > 0 &&
    EffectCause.defects(cause).length === 0 &&
    Chunk.every(failures, (e) => HttpServerError.isServerError(e) && e._tag === "RouteNotFound")
  )
}

/** A middleware that adds no requirement and no error of its own. */
export type Middleware = <E, R>(app: HttpApp.Default<E, R>) => HttpApp.Default<E, R>

/** Builds the middleware; options are validated here, once (a ConfigError is thrown). */
export const make = (options?: HttpOptions): Middleware => {
  const config = resolveOptions(options, "Http.middleware")
  const refusal = refusalLimiter()
  const access = config.access
  const tapBodies = access !== undefined && access.bodyBytes > 0
  const middleware: HttpMiddleware.HttpMiddleware = HttpMiddleware.make((app) =>
    Effect.withFiberRuntime((fiber) => {
      const started = performance.now()
      const context = fiber.currentContext
      const request = Context.unsafeGet(context, HttpServerRequest.HttpServerRequest)
      // the platform builds this object on each access: read it once
      const headers: Headers = request.headers
      const id = correlationIdOf(config, headers[config.header])
      const trace = parseTraceparent(headers.traceparent)
      const clientIp = clientAddress(
        config,
        Option.getOrUndefined(request.remoteAddress),
        headers["x-forwarded-for"]
      )
      const path = pathOf(request.url)
      // With the platform's tracer (the default) the server span already carries the incoming
      // trace id and its own span id; only without it do the traceparent's ids fill the slots.
      const traced = Context.getOption(context, Tracer.ParentSpan)._tag === "Some"
      const bound: Fields =
        trace === undefined || traced
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
      const tap: BodyTap = { text: undefined }
      const handled =
        endpoint !== undefined && path === endpoint.path
          ? levelEndpoint(endpoint, request, headers, clientIp, refusal)
          : tapBodies
            ? Effect.updateService(app, HttpServerRequest.HttpServerRequest, (r) => tapBody(r, tap))
            : app
      const served = Effect.gen(function* () {
        const service = yield* Effect.serviceOption(Fapilog.Fapilog)
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
            !EffectCause.isInterruptedOnly(cause.value) &&
            !onlyRouteNotFound(cause.value)
          )
            failure = cause.value
        }
        if (failure !== undefined && config.logErrors) {
          // platform errors carry the whole request (every header): the line keeps the rest
          const error = EffectCause.map(failure, safeError)
          yield* Fapilog.error("request failed", { http: { method: request.method, path, status }, error })
        }
        if (access !== undefined && wantsAccessLine(config, path, status)) {
          const response = sent
          const fields = accessFields({
            method: request.method,
            route: routeOf(context),
            path,
            status,
            durationMs: performance.now() - started,
            requestBytes: byteCount(headers["content-length"]),
            responseBytes: response === undefined ? undefined : responseBytes(response),
            clientIp,
            userAgent: headers["user-agent"],
            requestHeaders: access.headers ? redactHeaders(access, headers) : undefined,
            responseHeaders:
              access.headers && response !== undefined ? redactHeaders(access, response.headers) : undefined,
            body: tapBodies ? bodyForLine(tap, headers, access.bodyBytes) : undefined
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
