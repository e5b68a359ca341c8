/**
 * An Effect 4 HTTP server (`effect/http` on `@effect/platform-node` 4) with fapilog-effect4's
 * middleware, logging JSON lines to stdout.
 *
 * - `GET /hello?q=...` logs a line with the field `q`, forks a fiber that logs another one,
 *   joins it, and answers 200.
 * - `GET /boom` fails: one error line with the cause, the access line at `error`, a 500.
 * - `GET /health` answers 200 without an access line.
 * - `POST /-/log-level` with `Authorization: Bearer $LOG_LEVEL_TOKEN` and `{"level":"debug"}`
 *   changes the level of the running server (an audit line says so); it is served only when
 *   `LOG_LEVEL_TOKEN` is set (16 printable characters or more).
 *
 * Every line about a request carries its correlation id, taken from `x-request-id` or
 * generated, and echoed on the response.
 *
 * Run: `npm run example:effect4-http` (PORT defaults to 3000; it builds `fapilog-effect4` and
 * runs this file under the Node 22 of `effect4/`), then
 * `curl -H 'x-request-id: abc' 'http://localhost:3000/hello?q=hi'`.
 */
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Fiber, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { Fapilog, Http } from "fapilog-effect4"

const hello = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const q = new URL(request.url, "http://localhost").searchParams.get("q") ?? "world"
  yield* Fapilog.info("hello requested", { q })
  const later = yield* Effect.forkChild(
    Effect.logInfo("hello answered later").pipe(Effect.annotateLogs({ q }))
  )
  yield* Fiber.join(later)
  return HttpServerResponse.text(`hello ${q}\n`)
})

/** The routes of the example. */
export const Routes = Layer.mergeAll(
  HttpRouter.add("GET", "/hello", hello),
  HttpRouter.add("GET", "/health", HttpServerResponse.text("ok\n")),
  HttpRouter.add("GET", "/boom", Effect.fail(new RangeError("the example's failing route")))
)

/**
 * The routes served with fapilog's middleware on the current `HttpServer` (which logs the
 * address it listens on); the level endpoint when `levelToken` is given.
 */
export const serve = (levelToken?: string | undefined) =>
  HttpRouter.serve(Routes, {
    // fapilog's access and error lines stand in for the router's own request logging
    disableLogger: true,
    middleware: Http.middleware({
      accessLog: { skipPaths: ["/health"] },
      ...(levelToken === undefined ? {} : { levelEndpoint: { token: levelToken } })
    })
  })

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const Server = serve(process.env.LOG_LEVEL_TOKEN).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port: Number(process.env.PORT ?? 3000) })),
    // built with the server, drained after it stops (SIGINT/SIGTERM through runMain)
    Layer.provide(Fapilog.layer({ name: "http-example", sinks: ["stdout"], format: "json" }))
  )
  NodeRuntime.runMain(Layer.launch(Server))
}
