/**
 * The Express app the adapter's tests serve (test/Express.test.ts on the Effect 3 line,
 * test/effect4/Express.test.ts on the Effect 4 line, where `fapilog` names the line under test):
 * routes for the shared adapter suite on a real server.
 */
import { once } from "node:events"
import type { Server } from "node:http"
import express from "express"
import { createLogger, Sink } from "fapilog"
import { fapilogExpress, type RequestLogger, requestLogger } from "fapilog/express"
import { type Adapter, work } from "./httpAdapterSuite.js"
import { portOf, sleep } from "./httpClient.js"

class Boom extends Error {}

/** A real Express app on 127.0.0.1, a logger with a memory sink; both closed afterwards. */
export const withServer: Adapter["withServer"] = async (options, test, level = "debug") => {
  const memory = Sink.memory()
  const log = await createLogger({ level, sinks: [memory] })
  const logging = fapilogExpress(log, options)
  const saved: Array<RequestLogger> = []
  const app = express()
  app.use(logging)
  app.use(express.json())
  app.use(express.text())
  app.get("/work/:n", async (req, res) => {
    res.json(await work(log, Number(req.params.n)))
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
  app.post("/json", (_req, res) => {
    res.send("parsed")
  })
  app.get("/late-failure", async (_req, res, next) => {
    res.send("ok")
    await sleep(10)
    next(new Error("after the answer"))
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
