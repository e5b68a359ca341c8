/**
 * The @effect/platform middleware: correlation id in and out, the request's context for
 * every line logged while serving it (in forked fibers too), the access line, the error line
 * and the live log-level endpoint. Per request it reads a handful of headers and writes no
 * FiberRef (see `RequestScope`); the lines go through the same pipeline as every other event.
 * An `HttpApi` answers its handlers' failures itself, inside the app: `layerHttpApi` leaves
 * the cause of such a failure on the request's state, where the middleware finds it.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as EffectCause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import * as Fapilog from "../Fapilog.js"
import {
  bindingsBesideRequests,
  bindingsIn,
  CurrentRequestScope,
  logIn,
  pipelineIn,
  type RequestScope,
  requestScopeIn,
  requestSource,
  setRequestScope
} from "./effectLogger.js"
import {
  accessFields,
  byteCount,
  clientAddress,
  correlationIdOf,
  type HttpConfig,
  type HttpOptions,
  parseTraceparent,
  pathOf,
  redactHeaders,
  refusalLimiter,
  resolveOptions,
  safeError,
  wantsAccessLine
} from "./http.js"
import { type BodyTap, bodyForLine, tapBody } from "./httpBody.js"
import { type LevelName, levels } from "./level.js"
import { answerLevelRequest } from "./levelEndpoint.js"
import { answerScrape } from "./metricsServer.js"
import { Bindings, type Fields } from "./record.js"

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

/** Inside handlers: the logger of the request being served; outside one, a logger without ids. */
export const currentRequestLogger: Effect.Effect<RequestLogger> = Effect.contextWith((context) => {
  // duck-typed: the ES module and CommonJS builds each have their own RequestState class
  const scope = requestScopeIn(context) as Partial<RequestState> | undefined
  return scope?.requestLogger ?? outsideRequest
})

type Headers = Readonly<Record<string, string | undefined>>

/** The server span the platform's tracer opened for the request, if there is one. */
const serverSpanOf = (context: Context.Context<never>): Tracer.AnySpan | undefined =>
  context.unsafeMap.get(Tracer.ParentSpan.key) as Tracer.AnySpan | undefined

/** The route the platform router matched, which it records on the server span. */
const routeOf = (span: Tracer.AnySpan | undefined): string | undefined => {
  if (span?._tag !== "Span") return undefined
  const route = span.attributes.get("http.route")
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

/**
 * One request as the middleware tracks it: its ids, the fields its lines carry (made when
 * the first line needs them) and what the handler read of the body.
 */
class RequestState implements RequestScope {
  readonly tap: BodyTap = { text: undefined }
  finished = false
  /**
   * A failure the app answered itself (an `HttpApi` turns its handlers' failures into
   * responses before the middleware sees the result): left here by `layerHttpApi`.
   */
  answeredFailure: EffectCause.Cause<unknown> | undefined = undefined
  private bound: Bindings | undefined = undefined
  private logger: RequestLogger | undefined = undefined

  constructor(
    readonly correlationId: string,
    readonly traceId: string | undefined,
    readonly outer: Bindings | undefined,
    private readonly fields: Fields
  ) {}

  get bindings(): Bindings {
    return (this.bound ??= Bindings.extend(this.outer, this.fields))
  }

  get requestLogger(): RequestLogger {
    return (this.logger ??= makeRequestLogger(this.correlationId, this.traceId))
  }

  /** Answered: nothing nests in it any more, and the body it kept for the access line goes. */
  finish(): void {
    this.finished = true
    this.tap.text = undefined
    this.answeredFailure = undefined
  }
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

/**
 * The failure worth an error line, of a request whose app failed: none for an interruption
 * or an unmatched route. `cause` is the failure without the response the platform made of it.
 */
const failureOf = (cause: EffectCause.Cause<unknown> | undefined): EffectCause.Cause<unknown> | undefined =>
  cause !== undefined &&
  !EffectCause.isEmpty(cause) &&
  !EffectCause.isInterruptedOnly(cause) &&
  !onlyRouteNotFound(cause)
    ? cause
    : undefined

/**
 * Logs one line through `fiber`, now. Returns what remains to wait for: undefined while
 * nothing does; once a line must wait for room in the pipeline, the lines after it wait too.
 */
const logLine = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  waits: Array<Effect.Effect<void>> | undefined,
  level: LevelName,
  message: string,
  fields: Fields,
  fresh: boolean
): Array<Effect.Effect<void>> | undefined => {
  if (waits !== undefined) {
    waits.push(
      Effect.suspend(() => logIn(fiber, levels[level], pipelineIn, message, fields, fresh) ?? Effect.void)
    )
    return waits
  }
  const wait = logIn(fiber, levels[level], pipelineIn, message, fields, fresh)
  return wait === undefined ? undefined : [wait]
}

const clientIpOf = (
  config: HttpConfig,
  request: HttpServerRequest.HttpServerRequest,
  headers: Headers
): string | undefined =>
  clientAddress(config, Option.getOrUndefined(request.remoteAddress), headers["x-forwarded-for"])

/** What the id is echoed onto when the platform gives access to Node's response. */
interface NodeResponse {
  readonly headersSent: boolean
  setHeader(name: string, value: string): unknown
}

/**
 * Node's ServerResponse of a request served by @effect/platform-node, while its headers
 * can still be set. The platform keeps it in the request's `response` field (that is what
 * its `toServerResponse` reads): a header set there now is merged into the head the platform
 * writes, on error responses too. Anything else (another platform, a field renamed by a
 * future release) gives undefined, and the middleware uses a pre-response hook instead.
 */
const nodeResponseOf = (request: HttpServerRequest.HttpServerRequest): NodeResponse | undefined => {
  const response: unknown = (request as { readonly response?: unknown }).response
  if (typeof response !== "object" || response === null) return undefined
  const candidate = response as Partial<NodeResponse>
  return typeof candidate.setHeader === "function" && candidate.headersSent === false
    ? (candidate as NodeResponse)
    : undefined
}

/** Sets the id on Node's response directly; false when that is not possible here. */
const echoDirectly = (request: HttpServerRequest.HttpServerRequest, header: string, id: string): boolean => {
  const response = nodeResponseOf(request)
  if (response === undefined) return false
  try {
    response.setHeader(header, id)
    return true
  } catch {
    return false
  }
}

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
      const source = requestSource(context)
      // a request served by two of these middlewares has one id (a finished scope on the same
      // object is an earlier request, not an enclosing one)
      const carried = requestScopeIn(context)
      const enclosing = carried?.finished === false ? carried : undefined
      const id = enclosing?.correlationId ?? correlationIdOf(config, headers[config.header])
      const trace = parseTraceparent(headers.traceparent)
      const path = pathOf(request.url)
      // With the platform's tracer (the default) the server span already carries the incoming
      // trace id and its own span id; only without it do the traceparent's ids fill the slots.
      const span = serverSpanOf(context)
      const state = new RequestState(
        id,
        trace?.traceId,
        // an earlier request's fields stay with it
        enclosing === undefined ? bindingsBesideRequests(context) : bindingsIn(context),
        trace === undefined || span !== undefined
          ? { correlationId: id }
          : { correlationId: id, traceId: trace.traceId, spanId: trace.spanId }
      )
      const endpoint = config.levelEndpoint
      const run =
        endpoint !== undefined && path === endpoint.path
          ? levelEndpoint(endpoint, request, headers, clientIpOf(config, request, headers), refusal)
          : path === config.metricsPath
            ? Effect.sync(() => scrape(request))
            : tapBodies
              ? Effect.updateService(app, HttpServerRequest.HttpServerRequest, (r) => tapBody(r, state.tap))
              : app
      // The platform has answered by now (it answers inside the app it gives a middleware):
      // `response` is what it sent, without the id it echoes. The lines are logged through
      // the fiber already at hand, in order, with no Effect of their own unless the pipeline
      // asks the caller to wait for room.
      const finish = (
        response: HttpServerResponse.HttpServerResponse,
        failure: EffectCause.Cause<unknown> | undefined,
        result: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown>
      ): Effect.Effect<HttpServerResponse.HttpServerResponse, unknown> => {
        const status = response.status
        let waits: Array<Effect.Effect<void>> | undefined
        if (failure !== undefined && config.logErrors) {
          // platform errors carry the whole request (every header): the line keeps the rest
          const error = EffectCause.map(failure, safeError)
          waits = logLine(
            fiber,
            waits,
            "error",
            "request failed",
            {
              http: { method: request.method, path, status },
              error
            },
            false
          )
        }
        if (access !== undefined && wantsAccessLine(config, path, status)) {
          const fields = accessFields({
            method: request.method,
            route: routeOf(span),
            path,
            status,
            durationMs: performance.now() - started,
            requestBytes: byteCount(headers["content-length"]),
            responseBytes: responseBytes(response),
            clientIp: clientIpOf(config, request, headers),
            userAgent: headers["user-agent"],
            requestHeaders: access.headers ? redactHeaders(access, headers) : undefined,
            responseHeaders: access.headers
              ? redactHeaders(access, { [config.header]: id, ...response.headers })
              : undefined,
            body: tapBodies ? bodyForLine(state.tap, headers, access.bodyBytes) : undefined
          })
          // built here, fresh, never changed after: nothing to capture
          waits = logLine(fiber, waits, access.level(status), access.message, fields, true)
        }
        state.finish()
        return waits === undefined ? result : Effect.zipRight(Effect.all(waits, { discard: true }), result)
      }
      const handled = Effect.matchCauseEffect(run, {
        onFailure: (cause) => {
          // the platform adds the response it made of the failure to the cause, as a defect
          const [response, rest] = HttpServerError.causeResponseStripped(cause)
          const failure = failureOf(Option.getOrUndefined(rest))
          if (Chunk.some(EffectCause.defects(cause), HttpServerResponse.isServerResponse))
            return finish(response, failure, Effect.failCause(cause))
          // On the app rather than the server, the middleware sees the failure before the
          // platform made its response: make it as the platform will (a RouteNotFound is a
          // 404, a decode error a 400), so that the lines carry the status the client gets.
          return Effect.flatMap(HttpServerError.causeResponse(cause), ([made]) =>
            finish(made, failure, Effect.failCause(cause))
          )
        },
        // an answered failure: an HttpApi handler's, whose cause layerHttpApi left on the state
        onSuccess: (response) =>
          finish(
            response,
            state.answeredFailure === undefined ? undefined : failureOf(state.answeredFailure),
            Effect.succeed(response)
          )
      })
      // The id goes straight onto Node's response when the platform gives access to it;
      // otherwise a pre-response hook adds it (a FiberRef write, the costlier way).
      const served = echoDirectly(request, config.header, id)
        ? handled
        : Effect.zipRight(
            HttpApp.appendPreResponseHandler((_request, response) =>
              // as with Node's response above, a value the app set itself wins
              Effect.sync(() =>
                config.header in response.headers
                  ? response
                  : HttpServerResponse.setHeader(response, config.header, id)
              )
            ),
            handled
          )
      if (source !== undefined) {
        // the platform keeps the request in the Context of every fiber serving it: lines
        // find this scope through it, and the fiber's Context stays as it is
        setRequestScope(source, state)
        return enclosing === undefined
          ? served
          : Effect.ensuring(
              served,
              Effect.sync(() => setRequestScope(source, enclosing))
            )
      }
      return Effect.locallyWith(served, FiberRef.currentContext, (outer) =>
        Context.add(outer, CurrentRequestScope, state)
      )
    })
  )
  return middleware as Middleware
}

/**
 * Inside an `HttpApi` (added with `HttpApiBuilder.middleware`, so it runs before the API
 * encodes a failure into a response): leaves the cause of a failure on the state of the
 * request the middleware is serving. Typed errors, decode errors (`HttpApiDecodeError`),
 * security and `HttpApiMiddleware` failures, defects and unmatched routes all pass here; the
 * middleware keeps the cause only when the app then answered with a response (a failure the
 * API does not encode still reaches it as a failure, as from an `HttpRouter`). On success it
 * costs one continuation frame.
 */
const keepAnsweredFailure = (app: HttpApp.Default): HttpApp.Default =>
  Effect.catchAllCause(app, (cause) =>
    Effect.withFiberRuntime<HttpServerResponse.HttpServerResponse>((fiber) => {
      // duck-typed, as in currentRequestLogger
      const scope = requestScopeIn(fiber.currentContext) as Partial<RequestState> | undefined
      if (scope !== undefined && scope.finished === false && "answeredFailure" in scope)
        scope.answeredFailure = cause
      return Effect.failCause(cause)
    })
  )

/** `keepAnsweredFailure` as the `HttpApiBuilder` middleware layer every HttpApi server provides. */
export const layerHttpApi: Layer.Layer<never> = /* @__PURE__ */ HttpApiBuilder.middleware(keepAnsweredFailure)
