/**
 * The Promise side when `@opentelemetry/api` is not installed, on the line under test: the
 * test file makes importing it fail (`vi.mock`, hoisted there, as it fails for an app without
 * the package); fapilog loads and logs as before, and Express binds the `traceparent` ids
 * from the header itself. Run by test/internal/traceContextAbsent.test.ts (Effect 3) and
 * test/effect4/traceContextAbsent.test.ts (Effect 4).
 */
import { once } from "node:events"
import { assert, describe, it } from "@effect/vitest"
import express from "express"
import { createLogger, Sink } from "fapilog"
import { fapilogExpress } from "fapilog/express"
import { traceContext } from "../../src/internal/traceContext.js"
import { portOf, send, settle } from "./httpClient.js"

export const absentApiSuite = (line: string): void => {
  describe(`without @opentelemetry/api, on ${line}`, () => {
    it("there is no trace context, and loggers are created and write lines without ids", async () => {
      assert.isUndefined(await traceContext())
      const memory = Sink.memory()
      const log = await createLogger({ sinks: [memory] })
      log.info("no api", { traceId: "user-trace" })
      log.info("plain")
      await log.close()
      const [withUserId, plain] = memory.lines().map((l) => JSON.parse(l) as Record<string, unknown>)
      assert.strictEqual(withUserId?.traceId, "user-trace")
      assert.isUndefined(plain?.traceId)
      assert.isUndefined(plain?.spanId)
    })

    it("Express binds the traceparent's ids to the request's lines", async () => {
      const memory = Sink.memory()
      const log = await createLogger({ sinks: [memory] })
      const app = express()
      app.use(fapilogExpress(log))
      app.get("/x", (_req, res) => {
        log.info("handled")
        res.send("ok")
      })
      const server = app.listen(0, "127.0.0.1")
      await once(server, "listening")
      try {
        const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
        await send(portOf(server), {
          path: "/x",
          headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }
        })
        await settle(log, () => memory.lines().length === 2)
        for (const e of memory.events()) {
          assert.strictEqual(e.traceId, traceId, e.message)
          assert.strictEqual(e.spanId, "00f067aa0ba902b7", e.message)
        }
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await log.close()
      }
    })
  })
}
