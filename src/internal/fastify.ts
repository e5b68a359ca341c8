/**
 * The Fastify adapter (5): a plugin that skips encapsulation so its hooks cover the whole
 * app. `onRequest` starts tracking the request and runs the rest of the lifecycle in its
 * context (Fastify 5 carries the async context across body parsing itself, through an
 * AsyncResource, even for parsers that answer from elsewhere); `onError` records the
 * failure; the level endpoint is a route in its own scope (with a text body parser).
 */
import type { FastifyPluginCallback, FastifyRequest } from "fastify"
import type { Logger } from "./facade.js"
import { type HttpOptions, resolveOptions } from "./http.js"
import {
  attachState,
  FacadeHttp,
  type LevelAnswer,
  queryOf,
  type RequestLogger,
  requestStateKey,
  stateOf,
  unauthorized
} from "./httpFacade.js"
import { answerScrape } from "./metricsServer.js"

const levelMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

const missing =
  "fapilog: this request was not seen by fapilogFastify(); register the plugin before your routes and hooks"

/** The request logger of a request the plugin has seen. */
export const requestLogger = (request: FastifyRequest): RequestLogger => {
  const state = stateOf<FastifyRequest>(request)
  if (state === undefined) throw new Error(missing)
  return state.requestLogger()
}

export const make = (logger: Logger, options?: HttpOptions): FastifyPluginCallback => {
  const config = resolveOptions(options, "fapilogFastify")
  const core = new FacadeHttp<FastifyRequest>(logger, config, "fapilogFastify", {
    route: (request) => request.routeOptions.url,
    body: (request) => request.body
  })
  const endpoint = config.levelEndpoint
  const plugin: FastifyPluginCallback = (fastify, _options, done) => {
    fastify.decorateRequest(requestStateKey, null)
    fastify.decorateRequest("fapilog", {
      getter(this: FastifyRequest): RequestLogger {
        return requestLogger(this)
      }
    })
    fastify.addHook("onRequest", (request, reply, next) => {
      const state = core.start(request, request.raw, reply.raw, request.raw.url ?? request.url)
      attachState(request, state)
      state.enter(() => next())
    })
    fastify.addHook("onError", (request, _reply, error, next) => {
      const state = stateOf<FastifyRequest>(request)
      if (state !== undefined) core.fail(state, error)
      next()
    })
    const metricsPath = config.metricsPath
    if (metricsPath !== undefined)
      // GET, and the HEAD route Fastify adds for it; the access line skips this path
      fastify.get(metricsPath, (request, reply) => {
        const answer = answerScrape(request.method)
        return reply.code(answer.status).headers(answer.headers).send(answer.body)
      })
    if (endpoint !== undefined)
      fastify.register(
        (scope, _opts, registered) => {
          // the endpoint takes JSON, form or bare text alike: read every body as text here only
          scope.removeAllContentTypeParsers()
          scope.addContentTypeParser(
            "*",
            { parseAs: "string", bodyLimit: 16_384 },
            (_request, body, parsed) => parsed(null, body)
          )
          scope.route({
            method: levelMethods,
            url: endpoint.path,
            handler: (request, reply) => {
              const state = stateOf<FastifyRequest>(request)
              let answer: LevelAnswer = unauthorized
              if (state !== undefined && core.authorizeLevelRequest(state, request.headers.authorization)) {
                const body = typeof request.body === "string" ? request.body : ""
                answer = core.answerLevelRequest(state, request.method, body, queryOf(request.url))
              }
              return reply.code(answer.status).header("cache-control", "no-store").send(answer.payload)
            }
          })
          registered()
        },
        { prefix: "" }
      )
    done()
  }
  return Object.assign(plugin, {
    [Symbol.for("skip-override")]: true,
    [Symbol.for("fastify.display-name")]: "fapilog"
  })
}
