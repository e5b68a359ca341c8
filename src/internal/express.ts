/**
 * The Express adapter (4 and 5): a middleware that tracks each request through
 * {@link FacadeHttp} and runs the rest of the app in the request's context, an error
 * middleware that records failures, and the level endpoint served in place.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Logger } from "./facade.js"
import { type HttpOptions, levelEndpointHelp, pathOf, resolveOptions } from "./http.js"
import {
  attachState,
  FacadeHttp,
  queryOf,
  type RequestLogger,
  type RequestState,
  sendJson,
  stateOf,
  unauthorized
} from "./httpFacade.js"
import { answerScrape } from "./metricsServer.js"

/** What the adapter needs of Express's request: node's, plus what Express adds. */
interface ExpressRequest extends IncomingMessage {
  originalUrl?: string | undefined
  baseUrl?: string | undefined
  route?: unknown
  body?: unknown
}

type Next = (error?: unknown) => void

/** The middleware, with the error middleware to mount after the routes. */
export interface ExpressLogging {
  (req: IncomingMessage, res: ServerResponse, next: Next): void
  readonly errors: (error: unknown, req: IncomingMessage, res: ServerResponse, next: Next) => void
}

/** `baseUrl` + the route's own path, the way the app declared it. */
export const routeName = (baseUrl: string | undefined, route: unknown): string | undefined => {
  if (typeof route !== "object" || route === null) return undefined
  const path = (route as { readonly path?: unknown }).path
  if (path === undefined) return undefined
  const own =
    typeof path === "string" ? path : Array.isArray(path) ? path.map(String).join(",") : String(path)
  const base = baseUrl ?? ""
  if (base === "") return own
  return own === "/" ? base : `${base}${own}`
}

/**
 * Records the route when the router matches it: `baseUrl` is right at that moment and may
 * be restored before the response is done (an error leaving a nested router).
 */
const trackRoute = (req: ExpressRequest, state: RequestState<ExpressRequest>): void => {
  let route: unknown = req.route
  Object.defineProperty(req, "route", {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value
      state.route = routeName(req.baseUrl, value)
    }
  })
}

const bodyLimit = 16_384

/** The body as text: the parsed one when a body parser ran first, else read here (capped). */
const bodyText = (req: ExpressRequest): Promise<string | undefined> => {
  const parsed = req.body
  if (typeof parsed === "string") return Promise.resolve(parsed)
  if (parsed instanceof Uint8Array) return Promise.resolve(Buffer.from(parsed).toString("utf8"))
  if (parsed !== undefined && parsed !== null) {
    try {
      return Promise.resolve(JSON.stringify(parsed))
    } catch {
      return Promise.resolve(undefined)
    }
  }
  if (req.readableEnded || req.method === "GET" || req.method === "HEAD") return Promise.resolve("")
  return new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= bodyLimit) chunks.push(chunk)
    })
    req.on("end", () => resolve(size > bodyLimit ? undefined : Buffer.concat(chunks).toString("utf8")))
    req.on("error", () => resolve(undefined))
    req.on("close", () => resolve(undefined))
  })
}

const serveLevelEndpoint = (
  core: FacadeHttp<ExpressRequest>,
  state: RequestState<ExpressRequest>,
  req: ExpressRequest,
  res: ServerResponse,
  url: string
): void => {
  if (!core.authorizeLevelRequest(state, req.headers.authorization)) {
    sendJson(res, unauthorized)
    return
  }
  void bodyText(req).then((body) => {
    if (res.writableEnded || res.destroyed) return
    sendJson(
      res,
      body === undefined
        ? { status: 400, payload: { error: levelEndpointHelp } }
        : core.answerLevelRequest(state, req.method, body, queryOf(url))
    )
  })
}

export const make = (logger: Logger, options?: HttpOptions): ExpressLogging => {
  const config = resolveOptions(options, "fapilogExpress")
  const core = new FacadeHttp<ExpressRequest>(logger, config, "fapilogExpress", {
    route: (req) => routeName(req.baseUrl, req.route),
    body: (req) => req.body
  })
  const endpoint = config.levelEndpoint
  const middleware = (request: IncomingMessage, res: ServerResponse, next: Next): void => {
    const req = request as ExpressRequest
    // mounted twice (or on a sub-app too): the first one owns the request
    if (stateOf(req) !== undefined) {
      next()
      return
    }
    const url = req.originalUrl ?? req.url ?? "/"
    if (config.metricsPath !== undefined && pathOf(url) === config.metricsPath) {
      // a scrape is answered here, untracked: it gets no access line
      const answer = answerScrape(req.method)
      res.writeHead(answer.status, answer.headers)
      res.end(answer.body)
      return
    }
    const state = core.start(req, req, res, url)
    attachState(req, state)
    trackRoute(req, state)
    if (endpoint !== undefined && state.path === endpoint.path)
      state.enter(() => serveLevelEndpoint(core, state, req, res, url))
    else state.enter(next)
  }
  // four parameters: that is how Express tells an error middleware apart
  const errors = (error: unknown, req: IncomingMessage, _res: ServerResponse, next: Next): void => {
    const state = stateOf<ExpressRequest>(req)
    if (state !== undefined) core.fail(state, error)
    next(error)
  }
  return Object.assign(middleware, { errors })
}

/** The request logger of a request the middleware has seen. */
export const requestLogger = (req: IncomingMessage): RequestLogger => {
  const state = stateOf<ExpressRequest>(req)
  if (state === undefined)
    throw new Error(
      "fapilog: this request did not go through fapilogExpress(); add app.use(fapilogExpress(log)) before your routes"
    )
  return state.requestLogger()
}
