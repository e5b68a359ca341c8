/**
 * The tests every Promise-facade HTTP adapter must pass, against a real server the adapter's
 * test file starts with the same routes (see test/Express.test.ts and test/Fastify.test.ts):
 * `/api/users/:id` (logs "user read" through the request logger and answers its ids),
 * `/api/broken/:id` (fails with "database down"), `/bad` (fails with status 400), `/health`,
 * `/debug` (logs at debug), `POST /echo`, `POST /json` (behind a JSON body parser), and `/slow`
 * (answers after 200 ms).
 */
import { assert, describe, it } from "@effect/vitest"
import { createLogger, Errors, type LogEvent, type Logger, withContext } from "fapilog"
import type { RequestLogger } from "fapilog/express"
import type { Options } from "fapilog/http"
import { parseExposition, sampleValue } from "./exposition.js"
import { type Reply, send, sendAndAbort, settle, sleep } from "./httpClient.js"

export interface Running {
  readonly log: Logger.Logger
  readonly port: number
  readonly events: () => ReadonlyArray<LogEvent.LogEvent>
  /** The request loggers `/api/users/:id` handed out, in order. */
  readonly saved: Array<RequestLogger>
}

export interface Adapter {
  /** The adapter's function name, which prefixes the paths of its option errors. */
  readonly name: string
  /** Starts the app with these options and a logger at `level` (default debug), runs the test, closes both. */
  readonly withServer: (
    options: Options | undefined,
    test: (running: Running) => Promise<void>,
    level?: "debug" | "info"
  ) => Promise<void>
  readonly make: (log: Logger.Logger, options: Options) => unknown
  /** Content type of the `/health` response. */
  readonly textContentType: RegExp
  /** Asks for the request logger of a request the adapter never saw. */
  readonly refuseUnknown: () => unknown
}

/**
 * The body of the `/work/:n` route both adapters serve: logs before and after an await, in a
 * promise chain and in a timer (each line with the field `n`), then answers `{ n }`.
 */
export const work = async (log: Logger.Logger, n: number): Promise<{ readonly n: number }> => {
  log.info("before await", { n })
  await sleep(Math.random() * 5)
  log.info("after await", { n })
  await sleep(Math.random() * 3).then(() => log.info("in promise chain", { n }))
  return new Promise((resolve) =>
    setTimeout(() => {
      log.info("in timer", { n })
      resolve({ n })
    }, Math.random() * 3)
  )
}

export const byMessage = (all: ReadonlyArray<LogEvent.LogEvent>, message: string) =>
  all.filter((e) => e.message === message)
export const http = (e: LogEvent.LogEvent | undefined) => e?.fields.http as Record<string, unknown>
export const accessLines = (running: Running) => byMessage(running.events(), "request completed")

/**
 * After `count` requests to `/<route>/<n>` carrying `ids[n]`, each answered `{ n }`: every
 * response echoed its id and every line (handler lines carry the field `n`; access lines
 * have the path) carries exactly its request's id, `linesPerRequest` lines per request.
 */
export const assertOneIdPerRequest = async (
  running: Running,
  ids: ReadonlyArray<string>,
  replies: ReadonlyArray<Reply>,
  linesPerRequest: number
): Promise<void> => {
  const count = ids.length
  replies.forEach((r, i) => {
    assert.strictEqual(r.status, 200)
    assert.strictEqual(r.headers["x-request-id"], ids[i])
    assert.deepStrictEqual(JSON.parse(r.body), { n: i })
  })
  await settle(running.log, () => accessLines(running).length === count, 15_000)
  const all = running.events()
  assert.strictEqual(all.length, count * linesPerRequest)
  const perId = new Map<string | undefined, number>()
  for (const e of all) {
    perId.set(e.correlationId, (perId.get(e.correlationId) ?? 0) + 1)
    const n = e.message === "request completed" ? Number(String(http(e).path).split("/")[2]) : e.fields.n
    assert.strictEqual(e.correlationId, ids[n as number], `${e.message} of request ${String(n)}`)
  }
  assert.strictEqual(perId.size, count)
  for (const id of ids) assert.strictEqual(perId.get(id), linesPerRequest)
}

export const adapterSuite = (adapter: Adapter): void => {
  describe(`${adapter.name} (shared adapter suite)`, () => {
    it("generates an id when there is none or the incoming one is unsafe; the request logger knows it", async () => {
      await adapter.withServer(undefined, async (running) => {
        const replies = [
          await send(running.port, { path: "/api/users/1" }),
          await send(running.port, {
            path: "/api/users/2",
            headers: { "x-request-id": "bad id with spaces" }
          }),
          await send(running.port, { path: "/api/users/3", headers: { "x-request-id": "x".repeat(500) } })
        ]
        const ids = replies.map((r) => String(r.headers["x-request-id"]))
        for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/)
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
      await adapter.withServer(
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

    it("writes the access fields: method, route with its mount prefix, sizes, client ip, user agent", async () => {
      await adapter.withServer(undefined, async (running) => {
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
        await adapter.withServer({ trustProxy }, async (running) => {
          await send(running.port, {
            path: "/health",
            headers: { "x-forwarded-for": "203.0.113.7, 10.0.0.1" }
          })
          await settle(running.log, () => accessLines(running).length === 1)
          assert.strictEqual(http(accessLines(running)[0]).clientIp, expected, JSON.stringify(trustProxy))
        })
      }
    })

    it("skips paths, samples successes, and lets a function choose the level by status", async () => {
      await adapter.withServer(
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
      await adapter.withServer(undefined, async (running) => {
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

    it("logs a failed request once, at error, with the request line and the status actually sent", async () => {
      await adapter.withServer(undefined, async (running) => {
        const r = await send(running.port, { path: "/api/broken/7", headers: { "x-request-id": "f-1" } })
        assert.strictEqual(r.status, 500)
        assert.strictEqual(r.headers["x-request-id"], "f-1")
        const bad = await send(running.port, { path: "/bad", headers: { "x-request-id": "b-1" } })
        assert.strictEqual(bad.status, 400)
        assert.strictEqual(bad.headers["x-request-id"], "b-1")
        await settle(running.log, () => accessLines(running).length === 2)
        const failed = byMessage(running.events(), "request failed")
        assert.strictEqual(failed.length, 2)
        const fail = failed.find((e) => e.correlationId === "f-1")
        assert.strictEqual(fail?.level, "error")
        assert.strictEqual(fail?.error?.message, "database down")
        assert.deepStrictEqual(http(fail), { method: "GET", path: "/api/broken/7", status: 500 })
        const client = failed.find((e) => e.correlationId === "b-1")
        assert.strictEqual(client?.level, "error")
        assert.strictEqual(http(client).status, 400)
        const access = accessLines(running).find((e) => e.correlationId === "f-1")
        assert.strictEqual(access?.level, "error")
        assert.strictEqual(http(access).route, "/api/broken/:id")
        assert.strictEqual(http(access).status, 500)
      })
    })

    it("the error line leaves out a parser's raw body and the request", async () => {
      await adapter.withServer(undefined, async (running) => {
        const r = await send(running.port, {
          path: "/json",
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer BEARER-SECRET" },
          body: '{"password":"hunter2", broken'
        })
        assert.strictEqual(r.status, 400)
        await settle(running.log, () => accessLines(running).length === 1)
        const text = JSON.stringify(running.events())
        assert.include(text, "request failed")
        assert.notInclude(text, "hunter2")
        assert.notInclude(text, "BEARER-SECRET")
      })
    })

    it("writes a 499 access line when the client goes away first; the handler's later lines keep the id", async () => {
      await adapter.withServer(undefined, async (running) => {
        await sendAndAbort(running.port, "/slow", { "x-request-id": "gone-1" }, 30)
        await settle(running.log, () => byMessage(running.events(), "slow handler done").length === 1)
        await sleep(50)
        await running.log.flush()
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

    it("logs headers only when asked, sensitive ones redacted, and the parsed body capped", async () => {
      await adapter.withServer(
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
          assert.match(res["content-type"] ?? "", adapter.textContentType)
          assert.strictEqual(res["x-request-id"], accessLines(running)[0]?.correlationId)
          assert.deepStrictEqual(json?.body, { a: 1 })
          assert.strictEqual(text?.body, `${"y".repeat(16)}…[truncated]`)
          assert.notInclude(JSON.stringify(running.events()), "secret-token")
        }
      )
    })

    it("writes no access line when accessLog is false", async () => {
      await adapter.withServer({ accessLog: false }, async (running) => {
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
      await adapter.withServer(undefined, async (running) => {
        await send(running.port, { path: "/api/users/5", headers: { "x-request-id": "kept-1" } })
        const rl = running.saved[0]
        assert.strictEqual(rl?.correlationId, "kept-1")
        withContext({ elsewhere: true }, () => rl?.info("written later"))
        await settle(running.log, () => byMessage(running.events(), "written later").length === 1)
        const later = byMessage(running.events(), "written later")[0]
        assert.strictEqual(later?.correlationId, "kept-1")
        assert.strictEqual(later?.fields.elsewhere, true)
        assert.throws(adapter.refuseUnknown, new RegExp(adapter.name))
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
        await adapter.withServer(
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
        await adapter.withServer(
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
            assert.deepStrictEqual(JSON.parse(read.body), { level: "debug", categories: {} })
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

      it("changes one category's level when given a category, in JSON or a form; GET shows every category", async () => {
        await adapter.withServer(
          { levelEndpoint: { token } },
          async (running) => {
            const bad = await change(running.port, '{"level":"debug","category":"app..db"}', token)
            assert.strictEqual(bad.status, 400)
            assert.match(JSON.parse(bad.body).error, /"category"\?: a category/)
            const ok = await change(running.port, '{"level":"debug","category":["app","db"]}', token)
            assert.deepStrictEqual(JSON.parse(ok.body), {
              level: "debug",
              previous: "info",
              category: "app.db"
            })
            const form = await change(
              running.port,
              "level=error&category=app.db.pool",
              token,
              "application/x-www-form-urlencoded"
            )
            assert.deepStrictEqual(JSON.parse(form.body), {
              level: "error",
              previous: "debug",
              category: "app.db.pool"
            })
            assert.isTrue(running.log.child("db").isLevelEnabled("debug"))
            assert.isFalse(running.log.child(["db", "pool"]).isLevelEnabled("warn"))
            assert.isFalse(running.log.isLevelEnabled("debug"))
            const read = await send(running.port, {
              path: "/-/log-level",
              headers: { authorization: `Bearer ${token}` }
            })
            assert.deepStrictEqual(JSON.parse(read.body), {
              level: "info",
              categories: { "app.db": "debug", "app.db.pool": "error" }
            })
            await settle(running.log, () => byMessage(running.events(), "log level changed").length === 2)
            const audit = byMessage(running.events(), "log level changed")[1]
            assert.deepInclude(audit?.fields, { from: "debug", to: "error", category: "app.db.pool" })
          },
          "info"
        )
      })

      it("is off without a token: the path is an ordinary 404", async () => {
        await adapter.withServer(undefined, async (running) => {
          assert.strictEqual((await change(running.port, '{"level":"debug"}', token)).status, 404)
        })
      })
    })

    describe("metrics route", () => {
      it("serves every logger's self-metrics on GET and HEAD /metrics, with no access line for the scrape", async () => {
        const name = `${adapter.name}-metrics`
        const counted = await createLogger({ name, metrics: true, sinks: ["null"] })
        for (let i = 0; i < 4; i++) counted.info("counted")
        counted.error("counted")
        await counted.flush()
        try {
          await adapter.withServer({ metrics: true }, async (running) => {
            const r = await send(running.port, { path: "/metrics" })
            assert.strictEqual(r.status, 200)
            assert.strictEqual(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
            const m = parseExposition(r.body)
            assert.strictEqual(sampleValue(m, "fapilog_events_total", { pipeline: name, level: "info" }), 4)
            assert.strictEqual(sampleValue(m, "fapilog_events_total", { pipeline: name, level: "error" }), 1)
            const head = await send(running.port, { method: "HEAD", path: "/metrics" })
            assert.strictEqual(head.status, 200)
            assert.strictEqual(head.body, "")
            await send(running.port, { path: "/api/users/1" })
            await settle(running.log, () => accessLines(running).length === 1)
            assert.deepStrictEqual(
              accessLines(running).map((e) => http(e).path),
              ["/api/users/1"]
            )
          })
        } finally {
          await counted.close()
        }
      })

      it("serves another path when asked; off by default", async () => {
        await adapter.withServer({ metrics: { path: "/-/prometheus" } }, async (running) => {
          assert.strictEqual((await send(running.port, { path: "/-/prometheus" })).status, 200)
          assert.strictEqual((await send(running.port, { path: "/metrics" })).status, 404)
        })
        await adapter.withServer(undefined, async (running) => {
          assert.strictEqual((await send(running.port, { path: "/metrics" })).status, 404)
        })
      })
    })

    it("rejects invalid options at setup with every field named", () => {
      const log = {} as Logger.Logger
      let error: unknown
      try {
        adapter.make(log, {
          correlationHeader: "bad header",
          maxIdLength: 2,
          trustProxy: -1,
          accessLog: { sampleRate: 2, level: "loud" as never, skipPaths: ["health"], body: { maxBytes: -1 } },
          levelEndpoint: { token: "short", path: "nope" },
          metrics: { path: "metrics" }
        })
      } catch (e) {
        error = e
      }
      assert.instanceOf(error, Errors.ConfigError)
      assert.deepStrictEqual((error as Errors.ConfigError).issues.map((i) => i.path).sort(), [
        `${adapter.name}.accessLog.body.maxBytes`,
        `${adapter.name}.accessLog.level`,
        `${adapter.name}.accessLog.sampleRate`,
        `${adapter.name}.accessLog.skipPaths`,
        `${adapter.name}.correlationHeader`,
        `${adapter.name}.levelEndpoint.path`,
        `${adapter.name}.levelEndpoint.token`,
        `${adapter.name}.maxIdLength`,
        `${adapter.name}.metrics.path`,
        `${adapter.name}.trustProxy`
      ])
    })
  })
}
