/**
 * The `effect/http` middleware on Effect 4, through Effect 4's own web handlers
 * (`HttpEffect.toWebHandlerLayer` for an app, `HttpRouter.toWebHandler` for a router: a real
 * `Request` in, a real `Response` out) with the fapilog layer and a memory sink.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { HttpEffect, HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import { Errors, Fapilog, FapilogTest, Http, Sink } from "../../src/effect4/index.js"
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
  if (path === "/db") {
    yield* Effect.logDebug("db debug").pipe(Fapilog.withLogger("db"))
    yield* Effect.logWarning("db warn").pipe(Fapilog.withLogger("db"))
    return HttpServerResponse.text("ok")
  }
  if (path === "/boom") return yield* Effect.fail(new RangeError("bad range"))
  if (path === "/refused") return yield* Effect.fail("out of stock")
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
        // a failure that is no Error still takes the error slot, as on the Effect 3 line
        const refused = yield* serve([get("/refused", { "x-request-id": "r-1" })])
        assert.deepStrictEqual(
          [refused.events[0]?.message, refused.events[0]?.error?.type, refused.events[0]?.error?.message],
          ["request failed", "string", "out of stock"]
        )
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
          level: "warn",
          categories: {}
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

  it.live("the level endpoint changes one category's level when given a category", () =>
    Effect.gen(function* () {
      const endpoint = "http://localhost/-/log-level"
      const authorization = "Bearer s3cret-token-0123456789"
      const { events, responses } = yield* serve(
        [
          new Request(endpoint, {
            method: "POST",
            headers: { authorization },
            body: "level=warn&category=app."
          }),
          new Request(endpoint, {
            method: "POST",
            headers: { authorization },
            body: '{"level":"warn","category":"app.db"}'
          }),
          new Request(endpoint, { headers: { authorization } }),
          get("/db")
        ],
        { levelEndpoint: { token: "s3cret-token-0123456789" }, accessLog: false }
      )
      assert.deepStrictEqual(
        responses.map((r) => r.status),
        [400, 200, 200, 200]
      )
      assert.deepStrictEqual(yield* Effect.promise(() => responses[1]?.json() as Promise<unknown>), {
        level: "warn",
        previous: "debug",
        category: "app.db"
      })
      assert.deepStrictEqual(yield* Effect.promise(() => responses[2]?.json() as Promise<unknown>), {
        level: "debug",
        categories: { "app.db": "warn" }
      })
      assert.deepStrictEqual(
        events.map((e) => [e.logger, e.message]),
        [
          ["app", "log level changed"],
          ["app.db", "db warn"]
        ]
      )
      assert.deepStrictEqual(
        [events[0]?.fields.from, events[0]?.fields.to, events[0]?.fields.category],
        ["debug", "warn", "app.db"]
      )
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

  it.live(
    "a request served by two middlewares (the app's and the server's) keeps one id and has two access lines",
    () =>
      Effect.gen(function* () {
        const served = (requests: ReadonlyArray<Request>) =>
          Effect.promise(async () => {
            const memory = Sink.memory()
            const { handler, dispose } = HttpEffect.toWebHandlerLayer(
              Http.middleware()(app),
              Fapilog.layer({ sinks: [memory], level: "debug" }),
              { middleware: Http.middleware() }
            )
            const responses: Array<Response> = []
            for (const request of requests) responses.push(await handler(request))
            await dispose()
            return { events: memory.events(), responses }
          })
        const { events, responses } = yield* served([get("/ok"), get("/boom", { "x-request-id": "given" })])
        const made = responses[0]?.headers.get("x-request-id") ?? ""
        assert.match(made, /^[0-9a-f]{32}$/)
        assert.strictEqual(responses[1]?.headers.get("x-request-id"), "given")
        assert.deepStrictEqual(view(events), [
          ["info", "handling", made],
          ["warn", "in a forked fiber", made],
          ["info", "via the request logger", made],
          ["info", "bound inside", made],
          ["info", "request completed", made],
          ["info", "request completed", made],
          ["error", "request failed", "given"],
          ["error", "request completed", "given"],
          ["error", "request failed", "given"],
          ["error", "request completed", "given"]
        ])
        // the request's fields are bound once: the logger of the inner middleware has the same id
        assert.strictEqual(events[2]?.fields.seen, made)
      })
  )

  it.live("Http.capturedFor gives the lines of one request, by its id", () =>
    Effect.gen(function* () {
      const context = yield* Effect.context<never>()
      const handler = HttpEffect.toWebHandlerWith<never, HttpServerRequest.HttpServerRequest>(context)(
        app,
        Http.middleware()
      )
      yield* Effect.promise(() => handler(get("/ok", { "x-request-id": "one" })))
      yield* Effect.promise(() => handler(get("/boom", { "x-request-id": "two" })))
      const one = yield* Http.capturedFor("one")
      const two = yield* Http.capturedFor("two")
      assert.deepStrictEqual(
        one.map((e) => e.message),
        ["handling", "in a forked fiber", "via the request logger", "bound inside", "request completed"]
      )
      assert.deepStrictEqual(
        two.map((e) => e.message),
        ["request failed", "request completed"]
      )
      assert.deepStrictEqual(yield* Http.capturedFor("three"), [])
    }).pipe(Effect.provide(FapilogTest))
  )
})

/** Routes of a router, with a body read each way and an app mounted under a prefix. */
const echo = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.map(request.text, (text) => HttpServerResponse.text(`got ${text.length}`))

const Routes = Layer.mergeAll(
  HttpRouter.add("GET", "/users/:id", (request) =>
    request.url.endsWith("/7")
      ? Effect.fail(new RangeError("no such user"))
      : Effect.succeed(HttpServerResponse.text("ann"))
  ),
  HttpRouter.add("POST", "/echo", echo),
  HttpRouter.add("POST", "/bytes", (request) =>
    Effect.map(request.arrayBuffer, (buffer) => HttpServerResponse.text(`got ${buffer.byteLength}`))
  ),
  HttpRouter.add("POST", "/parse", (request) => Effect.as(request.json, HttpServerResponse.text("parsed"))),
  HttpRouter.add("POST", "/form", (request) =>
    Effect.as(request.urlParamsBody, HttpServerResponse.text("form read"))
  ),
  HttpRouter.add("POST", "/ignore", HttpServerResponse.text("not read")),
  HttpRouter.add("POST", "/binary", echo),
  HttpRouter.addAll([HttpRouter.route("POST", "/echo", echo)], { prefix: "/api" })
)

/** Serves `requests` through a router with the middleware; the access lines' `http` fields, and the responses. */
const serveRoutes = (requests: ReadonlyArray<Request>, options?: Http.Options) =>
  Effect.promise(async () => {
    const memory = Sink.memory()
    const { handler, dispose } = HttpRouter.toWebHandler(
      Routes.pipe(Layer.provideMerge(Fapilog.layer({ sinks: [memory], level: "debug" }))),
      { middleware: Http.middleware(options), disableLogger: true }
    )
    const responses: Array<Response> = []
    for (const request of requests) responses.push(await handler(request))
    await dispose()
    const access = memory.events().filter((e) => e.message === "request completed")
    return { access: access.map((e) => e.fields.http as Record<string, unknown>), responses }
  })

/** A POST with its length announced, as a client sending it over the network does. */
const post = (path: string, body: string, contentType = "text/plain") =>
  new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { "content-type": contentType, "content-length": String(Buffer.byteLength(body)) },
    body
  })

describe("Http.middleware on an effect/http router", () => {
  it.live(
    "the access line names the route the router matched, with its mount prefix; none when none matched",
    () =>
      Effect.gen(function* () {
        const { access, responses } = yield* serveRoutes([
          get("/users/1"),
          get("/users/7"),
          post("/api/echo", "mounted"),
          get("/nowhere")
        ])
        assert.deepStrictEqual(
          responses.map((r) => r.status),
          [200, 500, 200, 404]
        )
        assert.deepStrictEqual(
          access.map((h) => [h.path, h.route, h.status]),
          [
            ["/users/1", "/users/:id", 200],
            ["/users/7", "/users/:id", 500],
            ["/api/echo", "/api/echo", 200],
            ["/nowhere", undefined, 404]
          ]
        )
      })
  )

  it.live("logs the body the handler read as a whole when asked: JSON parsed, capped, read any way", () =>
    Effect.gen(function* () {
      const { access, responses } = yield* serveRoutes(
        [
          post("/echo", JSON.stringify({ a: 1 }), "application/json"),
          post("/echo", "y".repeat(100)),
          post("/bytes", "abc"),
          post("/api/echo", "mounted"),
          post("/parse", '{"b":2}', "application/json"),
          post("/form", "c=3", "application/x-www-form-urlencoded"),
          post("/ignore", "unread"),
          post("/echo", "ééééééééé"),
          post("/binary", "raw", "application/octet-stream"),
          get("/users/1")
        ],
        { accessLog: { body: { maxBytes: 16 } } }
      )
      assert.deepStrictEqual(
        yield* Effect.promise(() => Promise.all(responses.slice(2, 4).map((r) => r.text()))),
        ["got 3", "got 7"]
      )
      assert.deepStrictEqual(
        access.map((h) => h.body),
        [
          { a: 1 },
          `${"y".repeat(16)}…[truncated]`,
          "abc",
          "mounted",
          { b: 2 },
          "c=3",
          "[body not read as a whole by the handler; not logged]",
          "éééééééé…[truncated]",
          "[application/octet-stream body not logged]",
          undefined
        ]
      )
    })
  )

  it.live("the logger's redaction applies to a logged body; without accessLog.body there is none", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const { handler, dispose } = HttpRouter.toWebHandler(
        Routes.pipe(
          Layer.provideMerge(
            Fapilog.layer({ sinks: [memory], redact: { keys: ["password"], paths: ["http.body.card"] } })
          )
        ),
        { middleware: Http.middleware({ accessLog: { body: true } }), disableLogger: true }
      )
      yield* Effect.promise(() =>
        handler(
          post(
            "/echo",
            JSON.stringify({ user: "ann", password: "hunter2", card: { number: "4111" } }),
            "application/json"
          )
        )
      )
      yield* Effect.promise(dispose)
      const line = JSON.stringify(memory.events()[0])
      assert.include(line, '"user":"ann"')
      assert.notInclude(line, "hunter2")
      assert.notInclude(line, "4111")
      const { access } = yield* serveRoutes([post("/echo", "not logged")])
      assert.notProperty(access[0], "body")
    })
  )
})
