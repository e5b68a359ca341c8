import { IncomingMessage } from "node:http"
import { Socket } from "node:net"
import { describe, it } from "@effect/vitest"
import { createLogger, Sink } from "fapilog"
import { fapilogFastify, type RequestLogger, requestLogger } from "fapilog/fastify"
import Fastify, { type FastifyRequest } from "fastify"
import { type Adapter, adapterSuite, assertOneIdPerRequest, work } from "./support/httpAdapterSuite.js"
import { portOf, runConcurrently, send, sleep } from "./support/httpClient.js"

class Boom extends Error {}

/** A real Fastify app on 127.0.0.1, a logger with a memory sink; both closed afterwards. */
const withServer: Adapter["withServer"] = async (options, test, level = "debug") => {
  const memory = Sink.memory()
  const log = await createLogger({ level, sinks: [memory] })
  const saved: Array<RequestLogger> = []
  const app = Fastify()
  await app.register(fapilogFastify(log, options))
  app.addHook("preHandler", async (request) => {
    const n = (request.params as { readonly n?: string }).n
    if (n !== undefined) log.debug("in preHandler hook", { n: Number(n) })
  })
  const workRoute = (request: FastifyRequest<{ Params: { n: string } }>) =>
    work(log, Number(request.params.n))
  app.get("/work/:n", workRoute)
  app.post("/work/:n", workRoute)
  // a parser that answers from a queue drained by a timer made at startup: the handler then
  // starts on that timer's async context, not the request's
  const queued: Array<() => void> = []
  const drain = setInterval(() => {
    for (const parsed of queued.splice(0)) parsed()
  }, 1)
  app.addContentTypeParser("application/x-queued", { parseAs: "string" }, (_request, body, done) => {
    queued.push(() => done(null, body))
  })
  app.post("/queued/:n", workRoute)
  await app.register(
    async (api) => {
      api.get<{ Params: { id: string } }>("/users/:id", async (request) => {
        saved.push(request.fapilog)
        request.fapilog.info("user read", { id: request.params.id })
        return { correlationId: request.fapilog.correlationId, traceId: request.fapilog.traceId ?? null }
      })
      api.get("/broken/:id", async () => {
        await sleep(1)
        throw new Boom("database down")
      })
    },
    { prefix: "/api" }
  )
  app.get("/bad", async () => {
    throw Object.assign(new Error("bad input"), { statusCode: 400 })
  })
  app.get("/health", async () => "ok")
  app.get("/debug", async () => {
    log.debug("debug line")
    return "ok"
  })
  app.post("/echo", async () => "got it")
  app.post("/json", async () => "parsed")
  app.get("/slow", async () => {
    await sleep(200)
    log.info("slow handler done")
    return "late"
  })
  await app.listen({ port: 0, host: "127.0.0.1" })
  try {
    await test({ log, port: portOf(app.server), events: () => memory.events(), saved })
  } finally {
    clearInterval(drain)
    await app.close()
    await log.close()
  }
}

describe("fapilogFastify", () => {
  it("2,000 requests, 200 at a time (half with a body, some parsed on a foreign async context): every response echoes its id, every line carries exactly its request's id", async () => {
    await withServer(undefined, async (running) => {
      const count = 2000
      const ids = Array.from({ length: count }, (_, i) => `req-${i}-${Math.random().toString(36).slice(2)}`)
      const replies = await runConcurrently(count, 200, (i) =>
        send(
          running.port,
          i % 2 === 0
            ? { path: `/work/${i}`, headers: { "x-request-id": ids[i] } }
            : i % 4 === 1
              ? {
                  method: "POST",
                  path: `/work/${i}`,
                  headers: { "x-request-id": ids[i], "content-type": "application/json" },
                  body: JSON.stringify({ i }),
                  bodyDelayMs: 2 // the body arrives in its own packet
                }
              : {
                  method: "POST",
                  path: `/queued/${i}`,
                  headers: { "x-request-id": ids[i], "content-type": "application/x-queued" },
                  body: String(i)
                }
        )
      )
      await assertOneIdPerRequest(running, ids, replies, 6)
    })
  })
})

adapterSuite({
  name: "fapilogFastify",
  withServer,
  make: fapilogFastify,
  textContentType: /text\/plain/,
  refuseUnknown: () => requestLogger({ raw: new IncomingMessage(new Socket()) } as unknown as FastifyRequest)
})
