import {
  HttpApp,
  HttpClient,
  HttpClientRequest,
  HttpMiddleware,
  HttpRouter,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { CapturedLogs, Errors, Fapilog, FapilogTest, type LogEvent, makeFapilogTest } from "fapilog"
import * as Http from "fapilog/http"
import { platformRequestKey } from "../src/internal/effectLogger.js"
import { parseExposition, promtoolCheck, sampleValue } from "./support/exposition.js"

class Boom extends Error {}

const app = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/hello",
    Effect.gen(function* () {
      const q = (yield* HttpServerRequest.ParsedSearchParams).q
      yield* Fapilog.info("in handler", { q })
      const child = yield* Effect.fork(Effect.zipRight(Effect.sleep(5), Effect.log("in forked fiber")))
      yield* Fiber.join(child)
      return HttpServerResponse.text("hello")
    })
  ),
  HttpRouter.get(
    "/users/:id",
    Effect.gen(function* () {
      const log = yield* Http.RequestLogger
      yield* log.info("user read")
      return yield* HttpServerResponse.json({ correlationId: log.correlationId ?? null })
    })
  ),
  HttpRouter.get("/fail", Effect.fail(new Boom("database down"))),
  HttpRouter.get("/die", Effect.die(new Error("bug"))),
  HttpRouter.get("/health", HttpServerResponse.text("ok")),
  HttpRouter.get("/own-id", HttpServerResponse.text("ok", { headers: { "x-request-id": "set-by-app" } })),
  HttpRouter.get("/debug", Effect.as(Effect.logDebug("debug line"), HttpServerResponse.text("ok"))),
  HttpRouter.get(
    "/debug-db",
    Effect.as(Effect.logDebug("db debug line").pipe(Fapilog.withLogger("db")), HttpServerResponse.text("ok"))
  ),
  HttpRouter.post(
    "/echo",
    Effect.map(
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) => r.text),
      (text) => HttpServerResponse.text(`got ${text.length}`)
    )
  ),
  HttpRouter.post(
    "/bytes",
    Effect.map(
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) => r.arrayBuffer),
      (buffer) => HttpServerResponse.text(`got ${buffer.byteLength}`)
    )
  ),
  HttpRouter.post("/ignore", HttpServerResponse.text("not read")),
  HttpRouter.post(
    "/parse",
    Effect.map(
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) => r.json),
      () => HttpServerResponse.text("parsed")
    )
  ),
  HttpRouter.mount(
    "/api",
    HttpRouter.empty.pipe(
      HttpRouter.post(
        "/echo",
        Effect.map(
          Effect.flatMap(HttpServerRequest.HttpServerRequest, (r) => r.text),
          (text) => HttpServerResponse.text(`got ${text.length}`)
        )
      )
    )
  )
)

const serverWith = (
  options?: Http.Options,
  fapilog: Layer.Layer<Fapilog.Fapilog | CapturedLogs> = FapilogTest
) =>
  HttpServer.serve(app, Http.middleware(options)).pipe(
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(fapilog)
  )

const get = (path: string, headers: Record<string, string> = {}) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client
      .pipe(HttpClient.withTracerPropagation(false))
      .execute(HttpClientRequest.get(path).pipe(HttpClientRequest.setHeaders(headers)))
  )

const events = Effect.flatMap(CapturedLogs, (l) => l.events)
const byMessage = (all: ReadonlyArray<LogEvent.LogEvent>, message: string) =>
  all.filter((e) => e.message === message)
const field = (e: LogEvent.LogEvent | undefined, key: string): unknown =>
  (e?.fields as Record<string, unknown>)?.[key]
const http = (e: LogEvent.LogEvent | undefined) => field(e, "http") as Record<string, unknown>

describe("Http.middleware", () => {
  it.scopedLive("echoes the incoming id and binds it to handler and forked-fiber lines", () =>
    Effect.gen(function* () {
      const res = yield* get("/hello?q=abc", { "x-request-id": "req-123", "user-agent": "test-agent" })
      assert.strictEqual(res.status, 200)
      assert.strictEqual(res.headers["x-request-id"], "req-123")
      const all = yield* events
      const mine = all.filter((e) => e.correlationId === "req-123").map((e) => e.message)
      assert.deepStrictEqual(mine.sort(), ["in forked fiber", "in handler", "request completed"])
      const access = byMessage(all, "request completed")[0]
      assert.strictEqual(access?.level, "info")
      const h = http(access)
      assert.strictEqual(h.method, "GET")
      assert.strictEqual(h.path, "/hello")
      assert.strictEqual(h.route, "/hello")
      assert.strictEqual(h.status, 200)
      assert.strictEqual(h.userAgent, "test-agent")
      assert.strictEqual(h.responseBytes, 5)
      assert.isTrue(typeof h.durationMs === "number" && (h.durationMs as number) >= 0)
      assert.include(["127.0.0.1", "::1"], h.clientIp)
    }).pipe(Effect.provide(serverWith()))
  )

  it.scopedLive("generates an id when there is none or the incoming one is unsafe", () =>
    Effect.gen(function* () {
      const a = yield* get("/users/1")
      const b = yield* get("/users/2", { "x-request-id": "bad id with spaces" })
      const c = yield* get("/users/3", { "x-request-id": "x".repeat(500) })
      const ids = [a, b, c].map((r) => r.headers["x-request-id"] ?? "")
      for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/)
      assert.strictEqual(new Set(ids).size, 3)
      const body = (yield* a.json) as { correlationId: string }
      assert.strictEqual(body.correlationId, ids[0])
      const access = byMessage(yield* events, "request completed").find((e) => e.correlationId === ids[0])
      assert.strictEqual(http(access).route, "/users/:id")
      assert.strictEqual(http(access).path, "/users/1")
    }).pipe(Effect.provide(serverWith()))
  )

  it.scopedLive("uses a configured header and id generator", () =>
    Effect.gen(function* () {
      const res = yield* get("/users/9")
      assert.strictEqual(res.headers["x-correlation-id"], "fixed-1")
      const lines = (yield* events).filter((e) => e.correlationId === "fixed-1")
      assert.strictEqual(lines.length, 2)
    }).pipe(
      Effect.provide(serverWith({ correlationHeader: "X-Correlation-Id", generateId: () => "fixed-1" }))
    )
  )

  it.scopedLive(
    "with the platform tracer, lines carry the traceparent's trace id and the server span's id",
    () =>
      Effect.gen(function* () {
        const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
        yield* get("/users/1", { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, "x-request-id": "t-1" })
        const line = byMessage(yield* events, "user read")[0]
        assert.strictEqual(line?.traceId, traceId)
        assert.match(line?.spanId ?? "", /^[0-9a-f]{16}$/)
        assert.notStrictEqual(line?.spanId, "00f067aa0ba902b7")
        assert.isUndefined(line?.fields?.fields, "no second copy of the ids")
      }).pipe(Effect.provide(serverWith()))
  )

  it.scopedLive("without the platform tracer, the traceparent's ids fill the slots", () =>
    Effect.gen(function* () {
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
      yield* get("/users/1", { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, "x-request-id": "t-2" })
      const line = byMessage(yield* events, "user read")[0]
      assert.strictEqual(line?.traceId, traceId)
      assert.strictEqual(line?.spanId, "00f067aa0ba902b7")
      const untraced = byMessage(yield* events, "user read")
      assert.strictEqual(untraced.length, 1)
    }).pipe(Effect.provide(HttpMiddleware.withTracerDisabledWhen(serverWith(), () => true)))
  )

  it.scopedLive("logs a failed handler once at error, with the cause, and still answers 500", () =>
    Effect.gen(function* () {
      const res = yield* get("/fail", { "x-request-id": "f-1" })
      assert.strictEqual(res.status, 500)
      assert.strictEqual(res.headers["x-request-id"], "f-1")
      const died = yield* get("/die", { "x-request-id": "d-1" })
      assert.strictEqual(died.status, 500)
      const all = yield* events
      const failed = byMessage(all, "request failed")
      assert.strictEqual(failed.length, 2)
      const fail = failed.find((e) => e.correlationId === "f-1")
      assert.strictEqual(fail?.level, "error")
      assert.strictEqual(fail?.error?.message, "database down")
      assert.deepStrictEqual(http(fail), { method: "GET", path: "/fail", status: 500 })
      assert.strictEqual(failed.find((e) => e.correlationId === "d-1")?.error?.message, "bug")
      const access = byMessage(all, "request completed").find((e) => e.correlationId === "f-1")
      assert.strictEqual(access?.level, "error")
      assert.deepStrictEqual(
        all.filter((e) => e.correlationId === "f-1").map((e) => e.message),
        ["request failed", "request completed"]
      )
      assert.strictEqual(http(access).status, 500)
    }).pipe(Effect.provide(serverWith()))
  )

  it.scopedLive("a 404 is an access line at warn, not a failure; no header of it reaches a line", () =>
    Effect.gen(function* () {
      const res = yield* get("/nowhere", {
        "x-request-id": "n-1",
        authorization: "Bearer BEARER-SECRET",
        cookie: "sid=COOKIE-SECRET"
      })
      assert.strictEqual(res.status, 404)
      const all = (yield* events).filter((e) => e.correlationId === "n-1")
      assert.deepStrictEqual(
        all.map((e) => [e.message, e.level]),
        [["request completed", "warn"]]
      )
      const lines = (yield* Effect.flatMap(CapturedLogs, (l) => l.lines)).join("\n")
      assert.notInclude(lines, "SECRET")
    }).pipe(Effect.provide(serverWith()))
  )

  it.scopedLive("a platform error in a handler is logged at error without the request it carries", () =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const res = yield* client.execute(
        HttpClientRequest.post("/parse").pipe(
          HttpClientRequest.bodyText('{"password":"hunter2", broken', "application/json"),
          HttpClientRequest.setHeaders({ authorization: "Bearer BEARER-SECRET", "x-request-id": "p-1" })
        )
      )
      assert.strictEqual(res.status, 400)
      const failed = byMessage(yield* events, "request failed")
      assert.strictEqual(failed.length, 1)
      assert.strictEqual(failed[0]?.level, "error")
      assert.strictEqual(failed[0]?.correlationId, "p-1")
      assert.include(JSON.stringify(failed[0]?.error), "RequestError")
      const lines = (yield* Effect.flatMap(CapturedLogs, (l) => l.lines)).join("\n")
      assert.notInclude(lines, "BEARER-SECRET")
      assert.notInclude(lines, "hunter2")
    }).pipe(Effect.provide(serverWith()))
  )

  it.scopedLive("on the app (not the server), failures carry the status the client gets, not 500", () =>
    Effect.gen(function* () {
      const notFound = yield* get("/nowhere", { "x-request-id": "a-404" })
      assert.strictEqual(notFound.status, 404)
      const client = yield* HttpClient.HttpClient
      const badBody = yield* client.execute(
        HttpClientRequest.post("/parse").pipe(
          HttpClientRequest.bodyText("{broken", "application/json"),
          HttpClientRequest.setHeaders({ "x-request-id": "a-400" })
        )
      )
      assert.strictEqual(badBody.status, 400)
      const failed = yield* get("/fail", { "x-request-id": "a-500" })
      assert.strictEqual(failed.status, 500)
      const all = yield* events
      const access = (id: string) => byMessage(all, "request completed").find((e) => e.correlationId === id)
      assert.strictEqual(http(access("a-404")).status, 404)
      assert.strictEqual(http(access("a-400")).status, 400)
      assert.strictEqual(http(access("a-500")).status, 500)
      const error = byMessage(all, "request failed").find((e) => e.correlationId === "a-400")
      assert.strictEqual(http(error).status, 400)
    }).pipe(
      Effect.provide(
        HttpServer.serve(Http.middleware()(app)).pipe(
          Layer.provideMerge(NodeHttpServer.layerTest),
          Layer.provideMerge(FapilogTest)
        )
      )
    )
  )

  it.scopedLive("skips paths, samples successes, and lets a function choose the level", () =>
    Effect.gen(function* () {
      yield* get("/health")
      yield* get("/users/1")
      yield* get("/nowhere")
      const access = byMessage(yield* events, "request completed")
      assert.deepStrictEqual(
        access.map((e) => [http(e).path, e.level]),
        [["/nowhere", "fatal"]]
      )
    }).pipe(
      Effect.provide(
        serverWith({
          accessLog: { skipPaths: ["/health"], sampleRate: 0, level: (s) => (s >= 400 ? "fatal" : "debug") },
          logErrors: false
        })
      )
    )
  )

  it.scopedLive("logs headers only when asked, with sensitive ones redacted", () =>
    Effect.gen(function* () {
      yield* get("/users/1", {
        authorization: "Bearer secret-token",
        cookie: "sid=abc",
        "x-api-key": "k",
        "x-tenant": "acme",
        "x-custom-secret": "s"
      })
      const h = http(byMessage(yield* events, "request completed")[0])
      const req = h.requestHeaders as Record<string, string>
      assert.strictEqual(req.authorization, "[REDACTED]")
      assert.strictEqual(req.cookie, "[REDACTED]")
      assert.strictEqual(req["x-api-key"], "[REDACTED]")
      assert.strictEqual(req["x-custom-secret"], "[REDACTED]")
      assert.strictEqual(req["x-tenant"], "acme")
      assert.isString((h.responseHeaders as Record<string, string>)["content-type"])
      assert.notInclude(JSON.stringify(yield* Effect.flatMap(CapturedLogs, (l) => l.lines)), "secret-token")
    }).pipe(Effect.provide(serverWith({ accessLog: { headers: true, redactHeaders: ["x-custom-secret"] } })))
  )

  it.scopedLive("logs a request body when asked: JSON parsed, capped", () =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      yield* client.execute(HttpClientRequest.post("/echo").pipe(HttpClientRequest.bodyUnsafeJson({ a: 1 })))
      yield* client.execute(HttpClientRequest.post("/echo").pipe(HttpClientRequest.bodyText("y".repeat(100))))
      const bytes = yield* client.execute(
        HttpClientRequest.post("/bytes").pipe(HttpClientRequest.bodyText("abc"))
      )
      assert.strictEqual(yield* bytes.text, "got 3")
      const mounted = yield* client.execute(
        HttpClientRequest.post("/api/echo").pipe(HttpClientRequest.bodyText("mounted"))
      )
      assert.strictEqual(yield* mounted.text, "got 7")
      yield* client.execute(HttpClientRequest.post("/ignore").pipe(HttpClientRequest.bodyText("unread")))
      yield* client.execute(HttpClientRequest.post("/echo").pipe(HttpClientRequest.bodyText("ééééééééé")))
      const bodies = byMessage(yield* events, "request completed").map((e) => http(e).body)
      assert.deepStrictEqual(bodies, [
        { a: 1 },
        `${"y".repeat(16)}…[truncated]`,
        "abc",
        "mounted",
        "[body not read as a whole by the handler; not logged]",
        "éééééééé…[truncated]"
      ])
    }).pipe(Effect.provide(serverWith({ accessLog: { body: { maxBytes: 16 } } })))
  )

  it.scopedLive("the logger's redaction applies to logged bodies and to the access line", () =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      yield* client.execute(
        HttpClientRequest.post("/echo?token=abc").pipe(
          HttpClientRequest.bodyUnsafeJson({ user: "ann", password: "hunter2", card: { number: "4111" } })
        )
      )
      const lines = yield* Effect.flatMap(CapturedLogs, (l) => l.lines)
      const access = lines.find((l) => l.includes("request completed")) ?? ""
      assert.include(access, '"user":"ann"')
      assert.notInclude(access, "hunter2")
      assert.notInclude(access, "4111")
    }).pipe(
      Effect.provide(
        serverWith(
          { accessLog: { body: true } },
          makeFapilogTest("trace", { redact: { keys: ["password"], paths: ["http.body.card"] } })
        )
      )
    )
  )

  it.scopedLive("no access line at all when accessLog is false", () =>
    Effect.gen(function* () {
      yield* get("/users/1")
      assert.deepStrictEqual(
        (yield* events).map((e) => e.message),
        ["user read"]
      )
    }).pipe(Effect.provide(serverWith({ accessLog: false })))
  )

  describe("level endpoint", () => {
    const token = "0123456789abcdef-token"
    const post = (body: string, auth?: string) =>
      Effect.flatMap(HttpClient.HttpClient, (client) =>
        client.execute(
          HttpClientRequest.post("/-/log-level").pipe(
            HttpClientRequest.bodyText(body, "application/json"),
            HttpClientRequest.setHeaders(auth === undefined ? {} : { authorization: `Bearer ${auth}` })
          )
        )
      )

    it.scopedLive("refuses a missing or wrong token, and logs the refusal at security", () =>
      Effect.gen(function* () {
        assert.strictEqual((yield* post('{"level":"debug"}')).status, 401)
        assert.strictEqual((yield* post('{"level":"debug"}', "wrong")).status, 401)
        const refused = byMessage(yield* events, "log level change refused")
        assert.strictEqual(refused.length, 2)
        assert.strictEqual(refused[0]?.level, "security")
        assert.strictEqual(yield* Effect.flatMap(Fapilog.Fapilog, (s) => s.level), "info")
      }).pipe(Effect.provide(serverWith({ levelEndpoint: { token } }, makeFapilogTest("info"))))
    )

    it.scopedLive("changes the running level at once, logged at audit", () =>
      Effect.gen(function* () {
        yield* get("/debug")
        assert.strictEqual(byMessage(yield* events, "debug line").length, 0)
        assert.strictEqual((yield* post('{"level":"nope"}', token)).status, 400)
        const ok = yield* post('{"level":"debug"}', token)
        assert.strictEqual(ok.status, 200)
        assert.deepStrictEqual(yield* ok.json, { level: "debug", previous: "info" })
        yield* get("/debug")
        const all = yield* events
        assert.strictEqual(byMessage(all, "debug line").length, 1)
        const audit = byMessage(all, "log level changed")[0]
        assert.strictEqual(audit?.level, "audit")
        assert.strictEqual(field(audit, "from"), "info")
        assert.strictEqual(field(audit, "to"), "debug")
        const read = yield* get("/-/log-level", { authorization: `Bearer ${token}` })
        assert.deepStrictEqual(yield* read.json, { level: "debug", categories: {} })
      }).pipe(Effect.provide(serverWith({ levelEndpoint: { token } }, makeFapilogTest("info"))))
    )

    it.scopedLive("changes one category's level when given a category; reads show every category", () =>
      Effect.gen(function* () {
        assert.strictEqual((yield* post('{"level":"debug","category":"test..db"}', token)).status, 400)
        const ok = yield* post('{"level":"debug","category":["test","db"]}', token)
        assert.strictEqual(ok.status, 200)
        assert.deepStrictEqual(yield* ok.json, { level: "debug", previous: "info", category: "test.db" })
        yield* get("/debug-db")
        yield* get("/debug")
        const all = yield* events
        assert.deepStrictEqual(
          byMessage(all, "db debug line").map((e) => e.logger),
          ["test.db"]
        )
        assert.strictEqual(byMessage(all, "debug line").length, 0)
        const audit = byMessage(all, "log level changed")[0]
        assert.strictEqual(field(audit, "category"), "test.db")
        assert.strictEqual(field(audit, "from"), "info")
        const read = yield* get("/-/log-level", { authorization: `Bearer ${token}` })
        assert.deepStrictEqual(yield* read.json, { level: "info", categories: { "test.db": "debug" } })
      }).pipe(Effect.provide(serverWith({ levelEndpoint: { token } }, makeFapilogTest("info"))))
    )

    it.scopedLive("refuses audit and security as targets: they would hide the audit trail", () =>
      Effect.gen(function* () {
        assert.strictEqual((yield* post('{"level":"security"}', token)).status, 400)
        assert.strictEqual((yield* post('{"level":"audit"}', token)).status, 400)
        assert.strictEqual(yield* Effect.flatMap(Fapilog.Fapilog, (s) => s.level), "info")
        assert.strictEqual((yield* post('{"level":"fatal"}', token)).status, 200)
        // the change to fatal is itself recorded (audit ranks above fatal)
        assert.strictEqual(byMessage(yield* events, "log level changed").length, 1)
      }).pipe(Effect.provide(serverWith({ levelEndpoint: { token } }, makeFapilogTest("info"))))
    )

    it.scopedLive("refusals are rate-limited: ten lines a minute, then a count", () =>
      Effect.gen(function* () {
        for (let i = 0; i < 15; i++)
          assert.strictEqual((yield* post('{"level":"debug"}', "nope")).status, 401)
        const refused = byMessage(yield* events, "log level change refused")
        assert.strictEqual(refused.length, 10)
      }).pipe(Effect.provide(serverWith({ levelEndpoint: { token } }, makeFapilogTest("info"))))
    )

    it.scopedLive("is off without a token: the path is an ordinary 404", () =>
      Effect.gen(function* () {
        assert.strictEqual((yield* post('{"level":"debug"}', token)).status, 404)
      }).pipe(Effect.provide(serverWith()))
    )
  })

  describe("metrics route", () => {
    const metricsLogger = makeFapilogTest("info", { name: "http-metrics", metrics: true })

    it.scopedLive("serves the self-metrics on GET /metrics, with no access line for the scrape", () =>
      Effect.gen(function* () {
        yield* get("/hello?q=1")
        yield* get("/fail")
        yield* Fapilog.flush
        const res = yield* get("/metrics")
        assert.strictEqual(res.status, 200)
        assert.strictEqual(res.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        assert.isString(res.headers["x-request-id"])
        const text = yield* res.text
        const check = promtoolCheck(text)
        assert.strictEqual(check.status, 0, check.output)
        const m = parseExposition(text)
        const all = yield* events
        const count = (level: string) => all.filter((e) => e.level === level).length
        // "in handler", the forked fiber's line and the access line of /hello
        assert.strictEqual(count("info"), 3)
        assert.strictEqual(
          sampleValue(m, "fapilog_events_total", { pipeline: "http-metrics", level: "info" }),
          3
        )
        // the error line and the access line of /fail
        assert.strictEqual(
          sampleValue(m, "fapilog_events_total", { pipeline: "http-metrics", level: "error" }),
          2
        )
        assert.deepStrictEqual(
          byMessage(yield* events, "request completed").map((e) => http(e).path),
          ["/hello", "/fail"]
        )
        const head = yield* Effect.flatMap(HttpClient.HttpClient, (client) =>
          client.execute(HttpClientRequest.head("/metrics"))
        )
        assert.strictEqual(head.status, 200)
        const post = yield* Effect.flatMap(HttpClient.HttpClient, (client) =>
          client.execute(HttpClientRequest.post("/metrics"))
        )
        assert.strictEqual(post.status, 405)
        assert.strictEqual(post.headers.allow, "GET, HEAD")
      }).pipe(Effect.provide(serverWith({ metrics: true }, metricsLogger)))
    )

    it.scopedLive("serves another path when asked", () =>
      Effect.gen(function* () {
        assert.strictEqual((yield* get("/-/prometheus")).status, 200)
        assert.strictEqual((yield* get("/metrics")).status, 404)
      }).pipe(Effect.provide(serverWith({ metrics: { path: "/-/prometheus" } }, metricsLogger)))
    )

    it("rejects a metrics option that is not true, false or { path }, and a path taken by the level endpoint", () => {
      const issues = (options: Http.Options) => {
        try {
          Http.middleware(options)
        } catch (e) {
          return (e as Errors.ConfigError).issues.map((i) => `${i.path}: ${i.message}`)
        }
        return []
      }
      assert.deepStrictEqual(issues({ metrics: "yes" as never }), [
        'Http.middleware.metrics: "yes" is not one of: true, false, { path }'
      ])
      assert.deepStrictEqual(issues({ metrics: { path: "/a b" } }), [
        'Http.middleware.metrics.path: "/a b" is not a path starting with / (no query, no spaces)'
      ])
      assert.deepStrictEqual(
        issues({ metrics: { path: "/-/log-level" }, levelEndpoint: { token: "0123456789abcdef-token" } }),
        ['Http.middleware.metrics.path: "/-/log-level" is already the levelEndpoint\'s path']
      )
    })
  })

  it("rejects invalid options with every field named", () => {
    const error = (() => {
      try {
        Http.middleware({
          correlationHeader: "bad header",
          trustProxy: -1,
          accessLog: { sampleRate: 2, level: "loud" as never, skipPaths: ["health"] },
          levelEndpoint: { token: "a long secret with spaces" }
        })
      } catch (e) {
        return e
      }
      return undefined
    })()
    assert.instanceOf(error, Errors.ConfigError)
    const paths = (error as Errors.ConfigError).issues.map((i) => i.path)
    assert.deepStrictEqual(paths.sort(), [
      "Http.middleware.accessLog.level",
      "Http.middleware.accessLog.sampleRate",
      "Http.middleware.accessLog.skipPaths",
      "Http.middleware.correlationHeader",
      "Http.middleware.levelEndpoint.token",
      "Http.middleware.trustProxy"
    ])
  })

  it.scopedLive("capturedFor returns one request's lines; RequestLogger outside a request has no id", () =>
    Effect.gen(function* () {
      yield* get("/users/1", { "x-request-id": "one" })
      yield* get("/users/2", { "x-request-id": "two" })
      const mine = yield* Http.capturedFor("one")
      assert.deepStrictEqual(
        mine.map((e) => e.message),
        ["user read", "request completed"]
      )
      const outside = yield* Http.RequestLogger
      assert.isUndefined(outside.correlationId)
    }).pipe(Effect.provide(serverWith()))
  )

  it.scopedLive("a correlation header the handler sets itself wins over the echo", () =>
    Effect.gen(function* () {
      const res = yield* get("/own-id", { "x-request-id": "incoming" })
      assert.strictEqual(res.headers["x-request-id"], "set-by-app")
      const line = byMessage(yield* events, "request completed")[0]
      assert.strictEqual(line?.correlationId, "incoming")
      assert.strictEqual(
        (http(line).responseHeaders as Record<string, unknown>)["x-request-id"],
        "set-by-app"
      )
    }).pipe(Effect.provide(serverWith({ accessLog: { headers: true } })))
  )

  it.live("two servers in one process keep separate loggers and contexts", () =>
    Effect.gen(function* () {
      const run = (id: string) =>
        Effect.gen(function* () {
          yield* get("/users/1", { "x-request-id": id })
          return (yield* events).map((e) => e.correlationId)
        }).pipe(Effect.provide(serverWith()), Effect.scoped)
      const [a, b] = yield* Effect.all([run("server-a"), run("server-b")], { concurrency: 2 })
      assert.deepStrictEqual(a, ["server-a", "server-a"])
      assert.deepStrictEqual(b, ["server-b", "server-b"])
    })
  )
})

describe("Http.middleware request context", () => {
  const contextApp = HttpRouter.empty.pipe(
    HttpRouter.get(
      "/ctx",
      Effect.gen(function* () {
        const log = yield* Http.RequestLogger
        yield* Fapilog.withContext(Fapilog.info("with tenant"), { tenant: "acme" })
        const child = yield* Effect.fork(Effect.log("forked"))
        yield* Fiber.join(child)
        return yield* HttpServerResponse.json({ correlationId: log.correlationId ?? null })
      })
    )
  )

  const serve = <E>(
    app: HttpRouter.HttpRouter<E, never>,
    middleware: HttpMiddleware.HttpMiddleware | undefined
  ) =>
    (middleware === undefined ? HttpServer.serve(app) : HttpServer.serve(app, middleware)).pipe(
      Layer.provideMerge(NodeHttpServer.layerTest),
      Layer.provideMerge(FapilogTest)
    )

  it.scopedLive(
    "withContext in a handler adds to the request's fields; forks and the request logger see the id",
    () =>
      Effect.gen(function* () {
        const res = yield* get("/ctx", { "x-request-id": "c-1" })
        assert.deepStrictEqual(yield* res.json, { correlationId: "c-1" })
        const all = yield* events
        const tenant = byMessage(all, "with tenant")[0]
        assert.strictEqual(tenant?.correlationId, "c-1")
        assert.strictEqual(field(tenant, "tenant"), "acme")
        assert.strictEqual(byMessage(all, "forked")[0]?.correlationId, "c-1")
        assert.isUndefined(field(byMessage(all, "request completed")[0], "tenant"))
      }).pipe(Effect.provide(serve(contextApp, Http.middleware() as HttpMiddleware.HttpMiddleware)))
  )

  it.scopedLive("a request served by the middleware twice (app and server) has one id", () =>
    Effect.gen(function* () {
      yield* get("/ctx")
      const all = yield* events
      const ids = new Set(all.map((e) => e.correlationId))
      assert.strictEqual(ids.size, 1)
      assert.strictEqual(byMessage(all, "request completed").length, 2)
    }).pipe(
      Effect.provide(
        serve(
          Http.middleware()(contextApp) as unknown as typeof contextApp,
          Http.middleware() as HttpMiddleware.HttpMiddleware
        )
      )
    )
  )

  // outermost: hides the request's source, as a platform without one would
  const hidingSource = (inner: HttpMiddleware.HttpMiddleware) =>
    HttpMiddleware.make((app) =>
      Effect.updateService(
        inner(app),
        HttpServerRequest.HttpServerRequest,
        (request) =>
          new Proxy(request, {
            get: (target, prop) => {
              if (prop === "source") return undefined
              const value: unknown = Reflect.get(target, prop, target)
              return typeof value === "function" ? value.bind(target) : value
            }
          })
      )
    )

  it("finds the platform's request by the key its tag has", () => {
    assert.strictEqual(HttpServerRequest.HttpServerRequest.key, platformRequestKey)
  })

  it.scopedLive("a server run inside Fapilog.withContext keeps those fields and each request's id", () =>
    Effect.gen(function* () {
      yield* Fapilog.withContext(
        HttpServer.serveEffect(contextApp, Http.middleware() as HttpMiddleware.HttpMiddleware),
        { service: "api" }
      )
      yield* get("/ctx", { "x-request-id": "w-1" })
      yield* get("/ctx", { "x-request-id": "w-2" })
      const all = yield* events
      assert.deepStrictEqual(
        all.map((e) => [e.message, e.correlationId, field(e, "service"), field(e, "tenant")]),
        [
          ["with tenant", "w-1", "api", "acme"],
          ["forked", "w-1", "api", undefined],
          ["request completed", "w-1", "api", undefined],
          ["with tenant", "w-2", "api", "acme"],
          ["forked", "w-2", "api", undefined],
          ["request completed", "w-2", "api", undefined]
        ]
      )
    }).pipe(Effect.provide(Layer.provideMerge(NodeHttpServer.layerTest, FapilogTest)))
  )

  it.scopedLive("nested middlewares without a source object and without an incoming id make one id", () =>
    Effect.gen(function* () {
      const res = yield* get("/ctx")
      const { correlationId } = (yield* res.json) as { correlationId: string }
      const all = yield* events
      assert.deepStrictEqual(
        all.map((e) => e.correlationId),
        [correlationId, correlationId, correlationId, correlationId]
      )
      assert.strictEqual(res.headers["x-request-id"], correlationId)
    }).pipe(
      Effect.provide(
        serve(
          Http.middleware()(contextApp) as unknown as typeof contextApp,
          hidingSource(Http.middleware() as HttpMiddleware.HttpMiddleware)
        )
      )
    )
  )

  it.scopedLive("a request without an underlying source object still carries its context", () =>
    Effect.gen(function* () {
      const res = yield* get("/ctx", { "x-request-id": "no-source" })
      assert.deepStrictEqual(yield* res.json, { correlationId: "no-source" })
      const all = yield* events
      assert.deepStrictEqual(
        all.map((e) => e.correlationId),
        ["no-source", "no-source", "no-source"]
      )
    }).pipe(
      Effect.provide(serve(contextApp, hidingSource(Http.middleware() as HttpMiddleware.HttpMiddleware)))
    )
  )

  it.scopedLive(
    "without Node's response (a web handler) a pre-response hook echoes the id, on failures too",
    () =>
      Effect.gen(function* () {
        const runtime = yield* Effect.runtime<Fapilog.Fapilog | CapturedLogs>()
        const handler = HttpApp.toWebHandlerRuntime(runtime)(
          Http.middleware()(yield* HttpRouter.toHttpApp(app))
        )
        const call = (path: string, id: string) =>
          Effect.promise(() => handler(new Request(`http://web${path}`, { headers: { "x-request-id": id } })))
        const ok = yield* call("/users/1", "web-1")
        assert.strictEqual(ok.headers.get("x-request-id"), "web-1")
        const failed = yield* call("/fail", "web-2")
        assert.strictEqual(failed.status, 500)
        assert.strictEqual(failed.headers.get("x-request-id"), "web-2")
        yield* Fapilog.flush
        const all = yield* events
        assert.deepStrictEqual(
          byMessage(all, "request completed").map((e) => [
            e.correlationId,
            http(e).status,
            http(e).responseBytes
          ]),
          [
            ["web-1", 200, 25],
            ["web-2", 500, 0]
          ]
        )
        assert.strictEqual(byMessage(all, "user read")[0]?.correlationId, "web-1")
        const own = yield* call("/own-id", "web-3")
        assert.strictEqual(own.headers.get("x-request-id"), "set-by-app")
      }).pipe(Effect.provide(FapilogTest))
  )

  it.scopedLive(
    "a request object handled twice gets a new id each time, with none of the first one's fields",
    () =>
      Effect.gen(function* () {
        const runtime = yield* Effect.runtime<Fapilog.Fapilog | CapturedLogs>()
        const handler = HttpApp.toWebHandlerRuntime(runtime)(
          Http.middleware()(yield* HttpRouter.toHttpApp(contextApp))
        )
        const request = new Request("http://web/ctx")
        const first = yield* Effect.promise(() => handler(request))
        const second = yield* Effect.promise(() => handler(request))
        const ids: Array<string | undefined> = [first, second].map(
          (r) => r.headers.get("x-request-id") ?? undefined
        )
        assert.isString(ids[0])
        assert.notStrictEqual(ids[0], ids[1])
        const bodies: Array<unknown> = [
          yield* Effect.promise(() => first.json()),
          yield* Effect.promise(() => second.json())
        ]
        assert.deepStrictEqual(
          bodies,
          ids.map((correlationId) => ({ correlationId }))
        )
        yield* Fapilog.flush
        const all = yield* events
        assert.deepStrictEqual(
          byMessage(all, "request completed").map((e) => e.correlationId),
          ids
        )
        assert.deepStrictEqual(
          byMessage(all, "with tenant").map((e) => e.correlationId),
          ids
        )
      }).pipe(Effect.provide(FapilogTest))
  )
})
