/**
 * The `effect/http` middleware on Effect 4, through Effect 4's own web handler
 * (`HttpEffect.toWebHandlerLayer`: a real `Request` in, a real `Response` out) with the
 * fapilog layer and a memory sink.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { HttpEffect, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import { Errors, Fapilog, Http, Sink } from "../../src/effect4/index.js"
import type { LogEvent } from "../../src/LogEvent.js"

const app = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const path = new URL(request.url, "http://x").pathname
  if (path === "/ok") {
    yield* Effect.log("handling").pipe(Effect.annotateLogs({ step: 1 }))
    const forked = yield* Effect.forkChild(Effect.logWarning("in a forked fiber"))
    yield* Fiber.join(forked)
    const log = yield* Http.RequestLogger
    yield* log.info("via the request logger", { seen: log.correlationId })
    yield* Fapilog.withContext(Effect.log("bound inside"), { job: "j-1" })
    return HttpServerResponse.text("ok")
  }
  if (path === "/boom") return yield* Effect.fail(new RangeError("bad range"))
  if (path === "/own-id")
    return HttpServerResponse.text("mine", { headers: { "x-request-id": "set-by-app" } })
  return yield* Effect.fail(
    new HttpServerError.HttpServerError({ reason: new HttpServerError.RouteNotFound({ request }) })
  )
})

/** Serves `requests` one after the other; the events the memory sink got, and the responses. */
const serve = (requests: ReadonlyArray<Request>, options?: Http.Options) =>
  Effect.promise(async () => {
    const memory = Sink.memory()
    const { handler, dispose } = HttpEffect.toWebHandlerLayer(
      app,
      Fapilog.layer({ sinks: [memory], level: "debug" }),
      { middleware: Http.middleware(options) }
    )
    const responses: Array<Response> = []
    for (const request of requests) responses.push(await handler(request))
    await dispose()
    return { events: memory.events(), responses }
  })

const get = (path: string, headers?: Record<string, string>) =>
  new Request(`http://localhost${path}`, headers === undefined ? {} : { headers })

const view = (events: ReadonlyArray<LogEvent>) => events.map((e) => [e.level, e.message, e.correlationId])

describe("Http.middleware on effect/http", () => {
  it.live(
    "the correlation id in and out, on every line of the request, forked fibers included, then the access line",
    () =>
      Effect.gen(function* () {
        const { events, responses } = yield* serve([
          get("/ok", { "x-request-id": "req-1", "user-agent": "t/1" })
        ])
        assert.strictEqual(responses[0]?.status, 200)
        assert.strictEqual(responses[0]?.headers.get("x-request-id"), "req-1")
        assert.deepStrictEqual(view(events), [
          ["info", "handling", "req-1"],
          ["warn", "in a forked fiber", "req-1"],
          ["info", "via the request logger", "req-1"],
          ["info", "bound inside", "req-1"],
          ["info", "request completed", "req-1"]
        ])
        assert.strictEqual(events[0]?.fields.step, 1)
        assert.strictEqual(events[2]?.fields.seen, "req-1")
        assert.strictEqual(events[3]?.fields.job, "j-1")
        const http = events[4]?.fields.http as Record<string, unknown>
        assert.deepStrictEqual(
          [http.method, http.path, http.status, http.userAgent, http.responseBytes],
          ["GET", "/ok", 200, "t/1", 2]
        )
        assert.isNumber(http.durationMs)
      })
  )

  it.live(
    "a failing handler: one error line with the cause, the access line at error, a fresh id echoed on the 500",
    () =>
      Effect.gen(function* () {
        const { events, responses } = yield* serve([get("/boom")])
        const id = responses[0]?.headers.get("x-request-id") ?? ""
        assert.strictEqual(responses[0]?.status, 500)
        assert.match(id, /^[0-9a-f]{32}$/)
        assert.deepStrictEqual(view(events), [
          ["error", "request failed", id],
          ["error", "request completed", id]
        ])
        assert.deepStrictEqual(
          [events[0]?.error?.type, events[0]?.error?.message],
          ["RangeError", "bad range"]
        )
        assert.deepStrictEqual(events[0]?.fields.http, { method: "GET", path: "/boom", status: 500 })
      })
  )

  it.live(
    "an unmatched route is no failure: a 404 access line at warn and no error line; the app's own id header wins",
    () =>
      Effect.gen(function* () {
        const { events, responses } = yield* serve([
          get("/nowhere", { "x-request-id": "r-404" }),
          get("/own-id", { "x-request-id": "r-own" })
        ])
        assert.deepStrictEqual(
          responses.map((r) => r.status),
          [404, 200]
        )
        assert.strictEqual(responses[1]?.headers.get("x-request-id"), "set-by-app")
        assert.deepStrictEqual(view(events), [
          ["warn", "request completed", "r-404"],
          ["info", "request completed", "r-own"]
        ])
        assert.deepInclude(events[0]?.fields.http, { status: 404, path: "/nowhere" })
      })
  )

  it.live(
    "the level endpoint: a bad token is refused (security line), a good one changes the level (audit line)",
    () =>
      Effect.gen(function* () {
        const endpoint = "http://localhost/-/log-level"
        const { events, responses } = yield* serve(
          [
            new Request(endpoint, { method: "POST", body: '{"level":"warn"}' }),
            new Request(endpoint, {
              method: "POST",
              headers: { authorization: "Bearer s3cret-token-0123456789" },
              body: '{"level":"warn"}'
            }),
            new Request(endpoint, { headers: { authorization: "Bearer s3cret-token-0123456789" } }),
            get("/ok", { "x-request-id": "after" })
          ],
          { levelEndpoint: { token: "s3cret-token-0123456789" }, accessLog: false }
        )
        assert.deepStrictEqual(
          responses.map((r) => r.status),
          [401, 200, 200, 200]
        )
        assert.deepStrictEqual(yield* Effect.promise(() => responses[2]?.json() as Promise<unknown>), {
          level: "warn"
        })
        const messages = events.map((e) => [e.level, e.message])
        assert.deepStrictEqual(messages, [
          ["security", "log level change refused"],
          ["audit", "log level changed"],
          // at warn now: only the forked fiber's warning of /ok is written
          ["warn", "in a forked fiber"]
        ])
        assert.deepStrictEqual([events[1]?.fields.from, events[1]?.fields.to], ["debug", "warn"])
      })
  )

  it.effect(
    "bad options are a ConfigError naming the option; outside a request the request logger has no ids",
    () =>
      Effect.gen(function* () {
        const thrown = (() => {
          try {
            Http.middleware({ correlationHeader: "bad header" })
            return undefined
          } catch (e) {
            return e
          }
        })()
        assert.instanceOf(thrown, Errors.ConfigError)
        assert.match((thrown as Errors.ConfigError).message, /Http\.middleware\.correlationHeader/)
        const log = yield* Http.RequestLogger
        assert.deepStrictEqual([log.correlationId, log.traceId], [undefined, undefined])
      })
  )
})
