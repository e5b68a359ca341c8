/**
 * What the Promise-facade adapters (Express, Fastify) share, over node's own request and
 * response objects: one tracked state per request, the AsyncLocalStorage context its work
 * runs in, the request logger, the lines written when the response is done (error line,
 * access line) and the answers of the level endpoint. Each adapter only says how its
 * framework names the matched route and where it keeps a parsed body.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Diagnostics } from "./diagnostics.js"
import { type Logger, traceContextOf, withContext } from "./facade.js"
import {
  accessFields,
  announcesBody,
  bearerOf,
  byteCount,
  clientAddress,
  correlationIdOf,
  type HttpConfig,
  levelChangeReply,
  levelEndpointHelp,
  levelsReply,
  parsedBodyField,
  parseTraceparent,
  pathOf,
  redactHeaders,
  refusalLimiter,
  requestedLevel,
  safeError,
  type TraceParent,
  tokenMatches,
  wantsAccessLine
} from "./http.js"
import type { Fields } from "./record.js"
import type { TraceContext } from "./traceContext.js"

/** The logger of one request: every line it writes carries the request's ids, even outside its context. */
export interface RequestLogger extends Logger {
  /** The request's correlation id (incoming or generated), as echoed on the response. */
  readonly correlationId: string
  /** The trace id of the incoming W3C `traceparent`, when it had a valid one. */
  readonly traceId: string | undefined
  /** The parent span id of the incoming `traceparent`, when it had a valid one. */
  readonly spanId: string | undefined
}

/** How an adapter reads what only its framework knows; asked once, when the response is done. */
export interface FrameworkView<Source> {
  readonly route: (source: Source) => string | undefined
  readonly body: (source: Source) => unknown
}

/** A status for requests whose client went away before the response was complete (nginx's convention). */
export const clientClosedStatus = 499

/** One request as an adapter tracks it. */
export class RequestState<Source> {
  readonly started = performance.now()
  /** The route to report when the framework's own answer should not be used (the level endpoint). */
  route: string | undefined = undefined
  /** The first failure the framework reported for this request. */
  failure: { readonly error: unknown } | undefined = undefined
  done = false
  /** Runs a function in the request's context; set when the request enters it. */
  runInContext: <R>(fn: () => R) => R = (fn) => fn()
  private logger: RequestLogger | undefined = undefined

  constructor(
    readonly adapter: FacadeHttp<Source>,
    readonly source: Source,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly id: string,
    readonly trace: TraceParent | undefined,
    readonly clientIp: string | undefined,
    readonly path: string,
    /** The fields bound to the request's lines (narrowed once the request runs in a span). */
    public bound: Fields,
    /** OpenTelemetry's context, to enter with the incoming `traceparent` as the parent span. */
    private readonly remote: TraceContext | undefined
  ) {}

  /**
   * Runs `fn` (the rest of the request's handling) with the request's fields bound, and, with
   * OpenTelemetry and no span of its own for the request (its HTTP instrumentation makes one),
   * with the incoming `traceparent` as the active span: spans the handler starts continue the
   * caller's trace, and lines take their `spanId` from the span active when they are logged.
   */
  enter(fn: () => void): void {
    const trace = this.trace
    if (this.remote === undefined || trace === undefined) {
      this.run(fn)
      return
    }
    this.remote.withRemoteParent(trace, (inEffect) => {
      // the active span, not the caller's, is the span of a line: only the trace id stays bound
      if (inEffect) this.bound = { correlationId: this.id, traceId: trace.traceId }
      this.run(fn)
    })
  }

  private run(fn: () => void): void {
    withContext(this.bound, () => {
      this.runInContext = AsyncLocalStorage.snapshot()
      fn()
    })
  }

  /** The request logger, made on first use. */
  requestLogger(): RequestLogger {
    this.logger ??= Object.assign(this.adapter.logger.child(this.bound), {
      correlationId: this.id,
      traceId: this.trace?.traceId,
      spanId: this.trace?.spanId
    })
    return this.logger
  }
}

const stateKey: unique symbol = Symbol("fapilog.http.request")

/** The property adapters keep a request's state under (Fastify declares it as a decorator). */
export const requestStateKey: symbol = stateKey

/** The state attached to a framework request object, if the adapter has seen it. */
export const stateOf = <Source>(target: object): RequestState<Source> | undefined =>
  (target as { [stateKey]?: RequestState<Source> | null })[stateKey] ?? undefined

export const attachState = <Source>(target: object, state: RequestState<Source>): void => {
  ;(target as { [stateKey]?: RequestState<Source> | null })[stateKey] = state
}

/** A reply of the level endpoint, sent by the adapter as JSON. */
export interface LevelAnswer {
  readonly status: number
  readonly payload: Readonly<Record<string, unknown>>
}

export const unauthorized: LevelAnswer = { status: 401, payload: { error: "unauthorized" } }

/** One adapter instance: a logger, validated options, and how to read the framework's request. */
export class FacadeHttp<Source> {
  private readonly diagnostics: Diagnostics
  private readonly refusal = refusalLimiter()

  constructor(
    readonly logger: Logger,
    readonly config: HttpConfig,
    where: string,
    private readonly view: FrameworkView<Source>
  ) {
    this.diagnostics = new Diagnostics(where)
  }

  /**
   * Starts tracking a request: its correlation id (read or made, and set on the response
   * before anything is sent), trace ids, client address, and the listeners that write its
   * lines when the response finishes or the connection closes first.
   */
  start(source: Source, req: IncomingMessage, res: ServerResponse, url: string): RequestState<Source> {
    const config = this.config
    const headers = req.headers
    const id = correlationIdOf(config, headers[config.header])
    const trace = parseTraceparent(headers.traceparent)
    const clientIp = clientAddress(config, req.socket?.remoteAddress, headers["x-forwarded-for"])
    const otel = traceContextOf(this.logger)
    // OpenTelemetry's HTTP instrumentation has made the request's span (continuing the
    // traceparent): its ids fill the slots of every line, as the platform tracer's do for
    // fapilog/http; the trace id stays bound for the request logger's lines after the request
    const span = otel?.activeIds()
    const bound: Fields =
      span !== undefined
        ? { correlationId: id, traceId: span.traceId }
        : trace === undefined
          ? { correlationId: id }
          : { correlationId: id, traceId: trace.traceId, spanId: trace.spanId }
    const state = new RequestState(
      this,
      source,
      req,
      res,
      id,
      trace,
      clientIp,
      pathOf(url),
      bound,
      span === undefined ? otel : undefined
    )
    try {
      if (!res.headersSent) res.setHeader(config.header, id)
    } catch (error) {
      // ids are safe tokens (correlationIdOf); this only guards that setting a header never fails a request
      this.diagnostics.report("correlation header", "the correlation id is not a valid header value", error)
    }
    const end = () => this.end(state)
    res.once("finish", end)
    res.once("close", end)
    return state
  }

  /**
   * Records a failure of the request's handling (the first one counts); it is logged when the
   * response is done, with the status sent, or at once when the response is already done
   * (a handler that fails after answering, or after the client went away).
   */
  fail(state: RequestState<Source>, error: unknown): void {
    if (!this.config.logErrors || state.failure !== undefined) return
    state.failure = { error }
    if (state.done) this.afterResponse(state, "error log", (status) => this.writeFailure(state, status))
  }

  /**
   * Runs `write` with the status sent (499 when the client left first) in the request's
   * context. It runs in 'finish' and 'close' listeners, which must never throw: that would
   * crash the process.
   */
  private afterResponse(state: RequestState<Source>, what: string, write: (status: number) => void): void {
    const status = state.res.writableFinished ? state.res.statusCode : clientClosedStatus
    try {
      state.runInContext(() => write(status))
    } catch (error) {
      this.diagnostics.report(what, "could not write the lines of a finished request", error)
    }
  }

  private writeFailure(state: RequestState<Source>, status: number): void {
    if (state.failure === undefined) return
    // errors of body parsers and frameworks may hold the raw body or the request: left out
    this.logger.error("request failed", {
      http: { method: state.req.method, path: state.path, status },
      error: safeError(state.failure.error)
    })
  }

  private end(state: RequestState<Source>): void {
    if (state.done) return
    state.done = true
    this.afterResponse(state, "access log", (status) => this.writeLines(state, status))
  }

  private writeLines(state: RequestState<Source>, status: number): void {
    const { logger, config } = this
    const req = state.req
    this.writeFailure(state, status)
    const access = config.access
    if (access === undefined || !wantsAccessLine(config, state.path, status)) return
    const headers = req.headers
    const fields = accessFields({
      method: req.method ?? "GET",
      route: state.route ?? this.view.route(state.source),
      path: state.path,
      status,
      durationMs: performance.now() - state.started,
      requestBytes: byteCount(headers["content-length"]),
      responseBytes: byteCount(state.res.getHeader("content-length")),
      clientIp: state.clientIp,
      userAgent: headers["user-agent"],
      requestHeaders: access.headers ? redactHeaders(access, headers) : undefined,
      responseHeaders: access.headers ? redactHeaders(access, state.res.getHeaders()) : undefined,
      body:
        access.bodyBytes > 0 && announcesBody(headers)
          ? parsedBodyField(this.view.body(state.source), headers["content-type"], access.bodyBytes)
          : undefined
    })
    logger[access.level(status)](access.message, fields)
  }

  /** Whether a request to the level endpoint presents the token; a refusal is logged at security. */
  authorizeLevelRequest(state: RequestState<Source>, authorization: string | undefined): boolean {
    const endpoint = this.config.levelEndpoint
    state.route = endpoint?.path
    if (endpoint !== undefined && tokenMatches(endpoint.digest, bearerOf(authorization))) return true
    const { log, suppressed } = this.refusal()
    if (log)
      this.logger.security("log level change refused", {
        http: { clientIp: state.clientIp, reason: "bad or missing token" },
        ...(suppressed > 0 ? { suppressed } : {})
      })
    return false
  }

  /** The level endpoint's answer to an authorized request: read the level, or change it (logged at audit). */
  answerLevelRequest(
    state: RequestState<Source>,
    method: string | undefined,
    body: string,
    query: string | undefined
  ): LevelAnswer {
    const logger = this.logger
    const levels = logger.levels()
    if (method === "GET" || method === "HEAD") return { status: 200, payload: levelsReply(levels) }
    if (method !== "POST" && method !== "PUT") return { status: 405, payload: { error: levelEndpointHelp } }
    const change = requestedLevel(body, query)
    if (change === undefined) return { status: 400, payload: { error: levelEndpointHelp } }
    const { reply, audit } = levelChangeReply(levels, change)
    // written before the change, so that no new threshold can hide it
    logger.audit("log level changed", { ...audit, http: { clientIp: state.clientIp } })
    logger.setLevel(change.level, change.category)
    return { status: 200, payload: reply }
  }
}

/** The query string of a request target, without the `?`. */
export const queryOf = (url: string): string | undefined => {
  const q = url.indexOf("?")
  return q < 0 ? undefined : url.slice(q + 1)
}

/** Sends a level-endpoint answer with node's own response API (no framework serializer involved). */
export const sendJson = (res: ServerResponse, answer: LevelAnswer): void => {
  const text = JSON.stringify(answer.payload)
  res.statusCode = answer.status
  res.setHeader("content-type", "application/json; charset=utf-8")
  res.setHeader("content-length", Buffer.byteLength(text))
  res.setHeader("cache-control", "no-store")
  res.end(text)
}
