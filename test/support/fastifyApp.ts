/**
 * The Fastify app the adapter's tests serve (test/Fastify.test.ts on the Effect 3 line,
 * test/effect4/Fastify.test.ts on the Effect 4 line, where `fapilog` names the line under test):
 * routes for the shared adapter suite on a real server.
 */
import { createLogger, Sink } from "fapilog"
import { fapilogFastify, type RequestLogger } from "fapilog/fastify"
import Fastify, { type FastifyRequest } from "fastify"
import { type Adapter, work } from "./httpAdapterSuite.js"
import { portOf, sleep } from "./httpClient.js"

class Boom extends Error {}

/** A real Fastify app on 127.0.0.1, a logger with a memory sink; both closed afterwards. */
export const withServer: Adapter["withServer"] = async (options, test, level = "debug") => {
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
