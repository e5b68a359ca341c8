import { once } from "node:events"
import { IncomingMessage, type Server } from "node:http"
import { Socket } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import express from "express"
import { createLogger, Errors, type LogEvent, type Logger, Sink, withContext } from "fapilog"
import { fapilogExpress, type Options, type RequestLogger, requestLogger } from "fapilog/express"
import { portOf, runConcurrently, send, sendAndAbort, settle, sleep } from "./support/httpClient.js"

class Boom extends Error {}

interface Running {
  readonly log: Logger.Logger
  readonly port: number
  readonly events: () => ReadonlyArray<LogEvent.LogEvent>
  readonly saved: Array<RequestLogger>
}

/** A real Express app on 127.0.0.1, a logger with a memory sink; both closed afterwards. */
const withServer = async (
  options: Options | undefined,
  test: (running: Running) => Promise<void>,
  level: "debug" | "info" = "debug"
): Promise<void> => {
  const memory = Sink.memory()
  const log = await createLogger({ level, sinks: [memory] })
  const logging = fapilogExpress(log, options)
  const saved: Array<RequestLogger> = []
  const app = express()
  app.use(logging)
  app.use(express.json())
  app.use(express.text())
  app.get("/work/:n", async (req, res) => {
    const n = Number(req.params.n)
    log.info("before await", { n })
    await sleep(Math.random() * 5)
    log.info("after await", { n })
    await sleep(Math.random() * 3).then(() => log.info("in promise chain", { n }))
    setTimeout(() => {
      log.info("in timer", { n })
      res.json({ n })
    }, Math.random() * 3)
  })
  const api = express.Router()
  api.get("/users/:id", (req, res) => {
    const rl = requestLogger(req)
    saved.push(rl)
    rl.info("user read", { id: req.params.id })
    res.json({ correlationId: rl.correlationId, traceId: rl.traceId ?? null })
  })
  api.get("/broken/:id", async () => {
    await sleep(1)
    throw new Boom("database down")
  })
  app.use("/api", api)
  app.get("/bad", (_req, _res, next) => next(Object.assign(new Error("bad input"), { status: 400 })))
  app.get("/health", (_req, res) => {
    res.send("ok")
  })
  app.get("/debug", (_req, res) => {
    log.debug("debug line")
    res.send("ok")
  })
  app.post("/echo", (_req, res) => {
    res.send("got it")
  })
  app.get("/slow", async (_req, res) => {
    await sleep(200)
    log.info("slow handler done")
    if (!res.destroyed) res.send("late")
  })
  app.use(logging.errors)
  const server: Server = app.listen(0, "127.0.0.1")
  await once(server, "listening")
  try {
    await test({ log, port: portOf(server), events: () => memory.events(), saved })
  } finally {
    server.closeAllConnections()
    server.close()
    await log.close()
  }
}

const byMessage = (all: ReadonlyArray<LogEvent.LogEvent>, message: string) =>
  all.filter((e) => e.message === message)
const http = (e: LogEvent.LogEvent | undefined) => e?.fields.http as Record<string, unknown>
const accessLines = (running: Running) => byMessage(running.events(), "request completed")

describe("fapilogExpress", () => {
  it("2,000 requests, 200 at a time: every response echoes its id, every line carries exactly its request's id", async () => {
    await withServer(undefined, async (running) => {
      const count = 2000
      const ids = Array.from({ length: count }, (_, i) => `req-${i}-${Math.random().toString(36).slice(2)}`)
      const replies = await runConcurrently(count, 200, (i) =>
        send(running.port, { path: `/work/${i}`, headers: { "x-request-id": ids[i] } })
      )
      replies.forEach((r, i) => {
        assert.strictEqual(r.status, 200)
        assert.strictEqual(r.headers["x-request-id"], ids[i])
        assert.deepStrictEqual(JSON.parse(r.body), { n: i })
      })
      await settle(running.log, () => accessLines(running).length === count, 15_000)
      const all = running.events()
      assert.strictEqual(all.length, count * 5)
      const perId = new Map<string | undefined, number>()
      for (const e of all) {
        perId.set(e.correlationId, (perId.get(e.correlationId) ?? 0) + 1)
        const n = e.message === "request completed" ? Number(String(http(e).path).slice(6)) : e.fields.n
        assert.strictEqual(e.correlationId, ids[n as number], `${e.message} of request ${String(n)}`)
      }
      assert.strictEqual(perId.size, count)
      for (const id of ids) assert.strictEqual(perId.get(id), 5)
    })
  })

  it("generates an id when there is none or the incoming one is unsafe", async () => {
    await withServer(undefined, async (running) => {
      const replies = [
        await send(running.port, { path: "/api/users/1" }),
        await send(running.port, { path: "/api/users/2", headers: { "x-request-id": "bad id with spaces" } }),
        await send(running.port, { path: "/api/users/3", headers: { "x-request-id": "x".repeat(500) } })
      ]
      const ids = replies.map((r) => String(r.headers["x-request-id"]))
      for (const id of ids) assert.match(id, /^[0-9a-f-]{36}$/)
      assert.strictEqual(new Set(ids).size, 3)
      replies.forEach((r, i) => {
        assert.strictEqual(JSON.parse(r.body).correlationId, ids[i])
      })
      await settle(running.log, () => accessLines(running).length === 3)
      for (const id of ids)
        assert.deepStrictEqual(
          running
            .events()
            .filter((e) => e.correlationId === id)
            .map((e) => e.message),
          ["user read", "request completed"]
        )
    })
  })

  it("uses a configured header and generator, and binds W3C trace ids", async () => {
    await withServer(
      { correlationHeader: "X-Correlation-Id", generateId: () => "fixed-1" },
      async (running) => {
        const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
        const r = await send(running.port, {
          path: "/api/users/9",
          headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }
        })
        assert.strictEqual(r.headers["x-correlation-id"], "fixed-1")
        assert.deepStrictEqual(JSON.parse(r.body), { correlationId: "fixed-1", traceId })
        await settle(running.log, () => accessLines(running).length === 1)
        for (const e of running.events()) {
          assert.strictEqual(e.correlationId, "fixed-1")
          assert.strictEqual(e.traceId, traceId)
          assert.strictEqual(e.spanId, "00f067aa0ba902b7")
        }
      }
    )
  })

  it("serves the request when a custom generateId makes an id node refuses as a header value", async () => {
    await withServer({ generateId: () => "bad\nid" }, async (running) => {
      const r = await send(running.port, { path: "/api/users/1" })
      assert.strictEqual(r.status, 200)
      assert.isUndefined(r.headers["x-request-id"])
      assert.strictEqual(JSON.parse(r.body).correlationId, "bad\nid")
      await settle(running.log, () => accessLines(running).length === 1)
      assert.deepStrictEqual(
        running.events().map((e) => e.correlationId),
        ["bad\nid", "bad\nid"]
      )
    })
  })

  it("writes the access fields: method, route with the router's mount path, sizes, client ip, user agent", async () => {
    await withServer(undefined, async (running) => {
      await send(running.port, {
        path: "/api/users/42?x=1",
        headers: { "user-agent": "test-agent", "x-forwarded-for": "203.0.113.7" }
      })
      await send(running.port, { method: "POST", path: "/echo", body: "hello body" })
      await settle(running.log, () => accessLines(running).length === 2)
      const [get, post] = accessLines(running).map(http)
      assert.strictEqual(get?.method, "GET")
      assert.strictEqual(get?.route, "/api/users/:id")
      assert.strictEqual(get?.path, "/api/users/42")
      assert.strictEqual(get?.status, 200)
      assert.strictEqual(get?.userAgent, "test-agent")
      assert.strictEqual(get?.clientIp, "127.0.0.1") // x-forwarded-for is not believed by default
      assert.isTrue(typeof get?.durationMs === "number" && get.durationMs >= 0)
      assert.isTrue(typeof get?.responseBytes === "number" && get.responseBytes > 0)
      assert.strictEqual(post?.route, "/echo")
      assert.strictEqual(post?.requestBytes, 10)
      assert.strictEqual(post?.responseBytes, 6)
      assert.strictEqual(accessLines(running)[0]?.level, "info")
    })
  })

  it("believes x-forwarded-for only as far as trustProxy says", async () => {
    for (const [trustProxy, expected] of [
      [true, "203.0.113.7"],
      [1, "10.0.0.1"],
      [["127.0.0.1", "10.0.0.1"], "203.0.113.7"],
      [["10.9.9.9"], "127.0.0.1"]
    ] as const) {
      await withServer({ trustProxy }, async (running) => {
        await send(running.port, { path: "/health", headers: { "x-forwarded-for": "203.0.113.7, 10.0.0.1" } })
        await settle(running.log, () => accessLines(running).length === 1)
        assert.strictEqual(http(accessLines(running)[0]).clientIp, expected, JSON.stringify(trustProxy))
      })
    }
  })

  it("skips paths, samples successes, and lets a function choose the level by status", async () => {
    await withServer(
      {
        accessLog: {
          skipPaths: ["/health", "/api/**"],
          sampleRate: 0,
          level: (status) => (status >= 400 ? "fatal" : "debug")
        },
        logErrors: false
      },
      async (running) => {
        await send(running.port, { path: "/health" })
        await send(running.port, { path: "/api/users/1" })
        await send(running.port, { path: "/debug" })
        await send(running.port, { path: "/nowhere" })
        await settle(running.log, () => accessLines(running).length === 1)
        await sleep(50)
        await running.log.flush()
        assert.deepStrictEqual(
          accessLines(running).map((e) => [http(e).path, e.level]),
          [["/nowhere", "fatal"]]
        )
      }
    )
  })

  it("a 404 without a route gets an access line at warn, no error line, and the id echoed", async () => {
    await withServer(undefined, async (running) => {
      const r = await send(running.port, { path: "/nowhere", headers: { "x-request-id": "n-1" } })
      assert.strictEqual(r.status, 404)
      assert.strictEqual(r.headers["x-request-id"], "n-1")
      await settle(running.log, () => accessLines(running).length === 1)
      const lines = running.events()
      assert.deepStrictEqual(
        lines.map((e) => [e.message, e.level, e.correlationId]),
        [["request completed", "warn", "n-1"]]
      )
      assert.isUndefined(http(lines[0]).route)
      assert.strictEqual(http(lines[0]).status, 404)
    })
  })

  it("logs a failed request once at error with the request line, passes the error on, and 500 is still sent", async () => {
    await withServer(undefined, async (running) => {
      const r = await send(running.port, { path: "/api/broken/7", headers: { "x-request-id": "f-1" } })
      assert.strictEqual(r.status, 500)
      assert.strictEqual(r.headers["x-request-id"], "f-1")
      const bad = await send(running.port, { path: "/bad", headers: { "x-request-id": "b-1" } })
      assert.strictEqual(bad.status, 400)
      await settle(running.log, () => accessLines(running).length === 2)
      const failed = byMessage(running.events(), "request failed")
      assert.strictEqual(failed.length, 2)
      const fail = failed.find((e) => e.correlationId === "f-1")
      assert.strictEqual(fail?.level, "error")
      assert.strictEqual(fail?.error?.message, "database down")
      assert.deepStrictEqual(http(fail), { method: "GET", path: "/api/broken/7", status: 500 })
      const warned = failed.find((e) => e.correlationId === "b-1")
      assert.strictEqual(warned?.level, "warn")
      assert.strictEqual(http(warned).status, 400)
      const access = accessLines(running).find((e) => e.correlationId === "f-1")
      assert.strictEqual(access?.level, "error")
      // the route is the one matched inside the router, though the error left it
      assert.strictEqual(http(access).route, "/api/broken/:id")
      assert.strictEqual(http(access).status, 500)
    })
  })

  it("writes a 499 access line when the client goes away first; the handler's later lines keep the id", async () => {
    await withServer(undefined, async (running) => {
      await sendAndAbort(running.port, "/slow", { "x-request-id": "gone-1" }, 30)
      await settle(running.log, () => byMessage(running.events(), "slow handler done").length === 1)
      const mine = running.events().filter((e) => e.correlationId === "gone-1")
      assert.deepStrictEqual(
        mine.map((e) => [e.message, e.level]),
        [
          ["request completed", "warn"],
          ["slow handler done", "info"]
        ]
      )
      assert.strictEqual(http(mine[0]).status, 499)
    })
  })

  it("logs headers only when asked, sensitive ones redacted, and a parsed body capped", async () => {
    await withServer(
      { accessLog: { headers: true, redactHeaders: ["x-custom-secret"], body: { maxBytes: 16 } } },
      async (running) => {
        await send(running.port, {
          path: "/health",
          headers: {
            authorization: "Bearer secret-token",
            cookie: "sid=abc",
            "x-api-key": "k",
            "x-custom-secret": "s",
            "x-tenant": "acme"
          }
        })
        await send(running.port, {
          method: "POST",
          path: "/echo",
          headers: { "content-type": "application/json" },
          body: '{"a":1}'
        })
        await send(running.port, { method: "POST", path: "/echo", body: "y".repeat(100) })
        await settle(running.log, () => accessLines(running).length === 3)
        const [first, json, text] = accessLines(running).map(http)
        const req = first?.requestHeaders as Record<string, string>
        assert.strictEqual(req.authorization, "[REDACTED]")
        assert.strictEqual(req.cookie, "[REDACTED]")
        assert.strictEqual(req["x-api-key"], "[REDACTED]")
        assert.strictEqual(req["x-custom-secret"], "[REDACTED]")
        assert.strictEqual(req["x-tenant"], "acme")
        assert.isUndefined(first?.body)
        const res = first?.responseHeaders as Record<string, string>
        assert.match(res["content-type"] ?? "", /text\/html/)
        assert.strictEqual(res["x-request-id"], accessLines(running)[0]?.correlationId)
        assert.deepStrictEqual(json?.body, { a: 1 })
        assert.strictEqual(text?.body, `${"y".repeat(16)}…[truncated]`)
        assert.notInclude(JSON.stringify(running.events()), "secret-token")
      }
    )
  })

  it("writes no access line when accessLog is false", async () => {
    await withServer({ accessLog: false }, async (running) => {
      await send(running.port, { path: "/api/users/1" })
      await sleep(50)
      await running.log.flush()
      assert.deepStrictEqual(
        running.events().map((e) => e.message),
        ["user read"]
      )
    })
  })

  it("the request logger carries the ids outside the request's context; it refuses unknown requests", async () => {
    await withServer(undefined, async (running) => {
      await send(running.port, { path: "/api/users/5", headers: { "x-request-id": "kept-1" } })
      const rl = running.saved[0]
      assert.strictEqual(rl?.correlationId, "kept-1")
      withContext({ elsewhere: true }, () => rl?.info("written later"))
      await settle(running.log, () => byMessage(running.events(), "written later").length === 1)
      const later = byMessage(running.events(), "written later")[0]
      assert.strictEqual(later?.correlationId, "kept-1")
      assert.strictEqual(later?.fields.elsewhere, true)
      assert.throws(() => requestLogger(new IncomingMessage(new Socket())), /fapilogExpress/)
    })
  })

  describe("level endpoint", () => {
    const token = "0123456789abcdef-token"
    const change = (port: number, body: string, auth?: string, contentType = "application/json") =>
      send(port, {
        method: "POST",
        path: "/-/log-level",
        headers: {
          "content-type": contentType,
          ...(auth === undefined ? {} : { authorization: `Bearer ${auth}` })
        },
        body
      })

    it("refuses a missing or wrong token with 401, logged at security; the level stays", async () => {
      await withServer(
        { levelEndpoint: { token } },
        async (running) => {
          assert.strictEqual((await change(running.port, '{"level":"debug"}')).status, 401)
          const wrong = await change(running.port, '{"level":"debug"}', "wrong-token")
          assert.strictEqual(wrong.status, 401)
          assert.deepStrictEqual(JSON.parse(wrong.body), { error: "unauthorized" })
          await settle(running.log, () => accessLines(running).length === 2)
          const refused = byMessage(running.events(), "log level change refused")
          assert.strictEqual(refused.length, 2)
          assert.strictEqual(refused[0]?.level, "security")
          assert.strictEqual(refused[1]?.correlationId, wrong.headers["x-request-id"])
          assert.strictEqual(http(refused[0]).clientIp, "127.0.0.1")
          assert.isFalse(running.log.isLevelEnabled("debug"))
          assert.strictEqual(http(accessLines(running)[0]).route, "/-/log-level")
        },
        "info"
      )
    })

    it("changes the running level at once (audit line), answers 400 to a bad level, reads it with GET", async () => {
      await withServer(
        { levelEndpoint: { token } },
        async (running) => {
          await send(running.port, { path: "/debug" })
          const bad = await change(running.port, '{"level":"loud"}', token)
          assert.strictEqual(bad.status, 400)
          assert.match(JSON.parse(bad.body).error, /expected POST/)
          const ok = await change(running.port, '{"level":"debug"}', token)
          assert.strictEqual(ok.status, 200)
          assert.deepStrictEqual(JSON.parse(ok.body), { level: "debug", previous: "info" })
          assert.isTrue(running.log.isLevelEnabled("debug"))
          await send(running.port, { path: "/debug" })
          const read = await send(running.port, {
            path: "/-/log-level",
            headers: { authorization: `Bearer ${token}` }
          })
          assert.deepStrictEqual(JSON.parse(read.body), { level: "debug" })
          // form-encoded bodies and the query work too
          const form = await change(running.port, "level=warn", token, "application/x-www-form-urlencoded")
          assert.deepStrictEqual(JSON.parse(form.body), { level: "warn", previous: "debug" })
          await settle(running.log, () => byMessage(running.events(), "log level changed").length === 2)
          const all = running.events()
          assert.strictEqual(byMessage(all, "debug line").length, 1)
          const audit = byMessage(all, "log level changed")[0]
          assert.strictEqual(audit?.level, "audit")
          assert.strictEqual(audit?.fields.from, "info")
          assert.strictEqual(audit?.fields.to, "debug")
          assert.strictEqual(audit?.correlationId, ok.headers["x-request-id"])
          assert.isFalse(running.log.isLevelEnabled("info"))
        },
        "info"
      )
    })

    it("is off without a token: the path is an ordinary 404", async () => {
      await withServer(undefined, async (running) => {
        assert.strictEqual((await change(running.port, '{"level":"debug"}', token)).status, 404)
      })
    })
  })

  it("with a body parser before it and mounted twice: one state per request, the endpoint uses the parsed body", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ level: "info", sinks: [memory] })
    const token = "0123456789abcdef-token"
    const logging = fapilogExpress(log, { levelEndpoint: { token } })
    const app = express()
    app.use(express.json())
    app.use(express.text())
    app.use(logging)
    app.use(logging)
    app.get("/plain", (_req, res) => {
      log.info("plain handled")
      res.send("ok")
    })
    const server = app.listen(0, "127.0.0.1")
    await once(server, "listening")
    try {
      const auth = { authorization: `Bearer ${token}` }
      const json = await send(portOf(server), {
        method: "POST",
        path: "/-/log-level",
        headers: { ...auth, "content-type": "application/json" },
        body: '{"level":"debug"}'
      })
      assert.deepStrictEqual(JSON.parse(json.body), { level: "debug", previous: "info" })
      const text = await send(portOf(server), {
        method: "PUT",
        path: "/-/log-level",
        headers: auth,
        body: "trace"
      })
      assert.deepStrictEqual(JSON.parse(text.body), { level: "trace", previous: "debug" })
      const other = await send(portOf(server), { method: "DELETE", path: "/-/log-level", headers: auth })
      assert.strictEqual(other.status, 405)
      const plain = await send(portOf(server), { path: "/plain", headers: { "x-request-id": "p-1" } })
      assert.strictEqual(plain.headers["x-request-id"], "p-1")
      await settle(log, () => byMessage(memory.events(), "request completed").length === 4)
      assert.deepStrictEqual(
        byMessage(memory.events(), "request completed").map((e) => e.correlationId),
        [json.headers["x-request-id"], text.headers["x-request-id"], other.headers["x-request-id"], "p-1"]
      )
      assert.deepStrictEqual(
        memory
          .events()
          .filter((e) => e.correlationId === "p-1")
          .map((e) => e.message),
        ["plain handled", "request completed"]
      )
    } finally {
      server.closeAllConnections()
      server.close()
      await log.close()
    }
  })

  it("a logger that throws while the access line is written cannot crash the server", async () => {
    const real = await createLogger({ sinks: [Sink.memory()] })
    const hostile = Object.assign(Object.create(real) as Logger.Logger, {
      info: () => {
        throw new Error("logger exploded")
      }
    })
    const app = express()
    app.use(fapilogExpress(hostile))
    app.get("/", (_req, res) => {
      res.send("ok")
    })
    const server = app.listen(0, "127.0.0.1")
    await once(server, "listening")
    try {
      for (let i = 0; i < 3; i++) assert.strictEqual((await send(portOf(server), { path: "/" })).status, 200)
    } finally {
      server.closeAllConnections()
      server.close()
      await real.close()
    }
  })

  it("rejects invalid options at setup with every field named", () => {
    const log = {} as Logger.Logger
    let error: unknown
    try {
      fapilogExpress(log, {
        correlationHeader: "bad header",
        maxIdLength: 2,
        trustProxy: -1,
        accessLog: { sampleRate: 2, level: "loud" as never, skipPaths: ["health"], body: { maxBytes: -1 } },
        levelEndpoint: { token: "short", path: "nope" }
      })
    } catch (e) {
      error = e
    }
    assert.instanceOf(error, Errors.ConfigError)
    assert.deepStrictEqual((error as Errors.ConfigError).issues.map((i) => i.path).sort(), [
      "fapilogExpress.accessLog.body.maxBytes",
      "fapilogExpress.accessLog.level",
      "fapilogExpress.accessLog.sampleRate",
      "fapilogExpress.accessLog.skipPaths",
      "fapilogExpress.correlationHeader",
      "fapilogExpress.levelEndpoint.path",
      "fapilogExpress.levelEndpoint.token",
      "fapilogExpress.maxIdLength",
      "fapilogExpress.trustProxy"
    ])
  })
})
