/**
 * An @effect/platform HTTP server with fapilog's middleware, logging JSON lines to stdout.
 *
 * `GET /hello?q=...` logs a line with the field `q` in the handler, forks a fiber that logs
 * another line with `q` after a short random delay, joins it, and answers 200. Every line
 * (the two above, the access line, any error line) carries the request's correlation id,
 * taken from `x-request-id` or generated, and echoed on the response.
 *
 * Run: `npm run example:http` (PORT defaults to 3000), then
 * `curl -H 'x-request-id: abc' 'http://localhost:3000/hello?q=hi'`.
 * With FAPILOG_HTTP=off the middleware is left out (the benchmark's baseline).
 */
import { createServer } from "node:http"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Fiber, Layer, Random } from "effect"
import { Fapilog } from "fapilog"
import * as Http from "fapilog/http"

const hello = Effect.gen(function* () {
  const { q } = yield* HttpServerRequest.ParsedSearchParams
  yield* Fapilog.info("hello requested", { q })
  const later = yield* Effect.fork(
    Effect.gen(function* () {
      yield* Effect.sleep(yield* Random.nextIntBetween(1, 10))
      yield* Fapilog.info("hello answered later", { q })
    })
  )
  yield* Fiber.join(later)
  return HttpServerResponse.text(`hello ${String(q ?? "world")}\n`)
})

const app = HttpRouter.empty.pipe(
  HttpRouter.get("/hello", hello),
  HttpRouter.get("/health", HttpServerResponse.text("ok\n"))
)

const port = Number(process.env.PORT ?? 3000)
const withMiddleware = process.env.FAPILOG_HTTP !== "off"

const Server = (
  withMiddleware
    ? HttpServer.serve(app, Http.middleware({ accessLog: { skipPaths: ["/health"] } }))
    : HttpServer.serve(app)
).pipe(
  HttpServer.withLogAddress,
  Layer.provide(NodeHttpServer.layer(createServer, { port })),
  // built with the server, drained after it stops (SIGINT/SIGTERM through runMain)
  Layer.provide(Fapilog.layer({ name: "http-example", sinks: ["stdout"], format: "json" }))
)

NodeRuntime.runMain(Layer.launch(Server))
