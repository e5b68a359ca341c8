/**
 * `npm run bench:http-cost`: what `Http.middleware()` costs per request, in process, without
 * sockets (`HttpApp.toWebHandlerRuntime`), next to middlewares that each do one of the things
 * it does (a pre-response hook, observing the exit, a FiberRef scope, a service lookup, one
 * more log line). Logs go to the discard sink. Best of five rounds of 4,000 requests each,
 * in µs per request; the differences to "none" are what each piece adds.
 */
import { HttpApp, HttpMiddleware, HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect, FiberRef, LogLevel, ManagedRuntime } from "effect"
import { Fapilog, Sink } from "fapilog"
import * as Http from "fapilog/http"

const app = HttpRouter.empty.pipe(
  HttpRouter.get("/hello", Effect.as(Fapilog.info("hello", { q: "x" }), HttpServerResponse.text("hi")))
)

const variants: Record<string, HttpMiddleware.HttpMiddleware | undefined> = {
  none: undefined,
  "identity middleware": HttpMiddleware.make((a) => a),
  "pre-response hook": HttpMiddleware.make((a) =>
    Effect.zipRight(
      HttpApp.appendPreResponseHandler((_request, response) => Effect.succeed(response)),
      a
    )
  ),
  "observe the exit": HttpMiddleware.make((a) => Effect.flatMap(Effect.exit(a), (exit) => exit)),
  "one FiberRef scope": HttpMiddleware.make((a) =>
    Effect.locally(a, FiberRef.currentMinimumLogLevel, LogLevel.Info)
  ),
  "service lookup": HttpMiddleware.make((a) =>
    Effect.flatMap(Effect.serviceOption(Fapilog.Fapilog), () => a)
  ),
  "one more log line": HttpMiddleware.make((a) =>
    Effect.tap(a, () => Fapilog.info("done", { http: { a: 1 } }))
  ),
  "Http.middleware()": Http.middleware() as HttpMiddleware.HttpMiddleware,
  "Http.middleware({ accessLog: false })": Http.middleware({
    accessLog: false
  }) as HttpMiddleware.HttpMiddleware
}

const runtime = ManagedRuntime.make(Fapilog.layer({ name: "bench", sinks: [Sink.discard] }))
const rt = await runtime.runtime()
const httpApp = await Effect.runPromise(HttpRouter.toHttpApp(app))
const best: Record<string, number> = {}
const N = 4_000
for (let round = 0; round < 5; round++)
  for (const [label, middleware] of Object.entries(variants)) {
    const handler = HttpApp.toWebHandlerRuntime(rt)(middleware === undefined ? httpApp : middleware(httpApp))
    for (let i = 0; i < 500; i++) await handler(new Request("http://bench/hello?q=1"))
    const start = performance.now()
    for (let i = 0; i < N; i++) await handler(new Request("http://bench/hello?q=1"))
    const us = ((performance.now() - start) * 1000) / N
    best[label] = Math.min(best[label] ?? Number.POSITIVE_INFINITY, us)
  }
const base = best.none ?? Number.NaN
for (const [label, us] of Object.entries(best))
  console.log(`${label.padEnd(40)} ${us.toFixed(1).padStart(7)} µs/request  (+${(us - base).toFixed(1)})`)
await runtime.dispose()
