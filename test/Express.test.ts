import { once } from "node:events"
import { IncomingMessage } from "node:http"
import { Socket } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import express from "express"
import { createLogger, type Logger, Sink } from "fapilog"
import { fapilogExpress, requestLogger } from "fapilog/express"
import { withServer } from "./support/expressApp.js"
import { accessLines, adapterSuite, assertOneIdPerRequest, byMessage } from "./support/httpAdapterSuite.js"
import { portOf, runConcurrently, send, settle, sleep } from "./support/httpClient.js"

describe("fapilogExpress", () => {
  it("2,000 requests, 200 at a time: every response echoes its id, every line carries exactly its request's id", async () => {
    await withServer(undefined, async (running) => {
      const count = 2000
      const ids = Array.from({ length: count }, (_, i) => `req-${i}-${Math.random().toString(36).slice(2)}`)
      const replies = await runConcurrently(count, 200, (i) =>
        send(running.port, { path: `/work/${i}`, headers: { "x-request-id": ids[i] } })
      )
      await assertOneIdPerRequest(running, ids, replies, 5)
    })
  })

  it("a failure reported after the response is done is still logged, once", async () => {
    await withServer(undefined, async (running) => {
      const r = await send(running.port, { path: "/late-failure", headers: { "x-request-id": "late-1" } })
      assert.strictEqual(r.status, 200)
      await settle(running.log, () => byMessage(running.events(), "request failed").length === 1)
      await sleep(50)
      await running.log.flush()
      const failed = byMessage(running.events(), "request failed")
      assert.strictEqual(failed.length, 1)
      assert.strictEqual(failed[0]?.correlationId, "late-1")
      assert.strictEqual(failed[0]?.level, "error")
      assert.strictEqual(failed[0]?.error?.message, "after the answer")
    })
  })

  it("replaces a custom generateId result that is not a safe token with a new id", async () => {
    await withServer({ generateId: () => "bad\nid" }, async (running) => {
      const r = await send(running.port, { path: "/api/users/1" })
      assert.strictEqual(r.status, 200)
      const id = r.headers["x-request-id"]
      assert.match(String(id), /^[0-9a-f]{32}$/)
      assert.strictEqual(JSON.parse(r.body).correlationId, id)
      await settle(running.log, () => accessLines(running).length === 1)
      assert.deepStrictEqual(
        running.events().map((e) => e.correlationId),
        [id, id]
      )
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
})

adapterSuite({
  name: "fapilogExpress",
  withServer,
  make: fapilogExpress,
  textContentType: /text\/html/,
  refuseUnknown: () => requestLogger(new IncomingMessage(new Socket()))
})
