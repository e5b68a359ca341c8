/**
 * OpenTelemetry correlation for the Promise side, on the line under test (`fapilog` names it:
 * test/internal/traceContext.test.ts on Effect 3, test/effect4/traceContext.test.ts on Effect 4):
 * with OpenTelemetry's Node SDK registered, facade lines carry the ids of the span active when
 * they are logged, the very ids the SDK exports for that span; Express and Fastify enter the
 * incoming `traceparent` as the parent of the spans a handler starts. With the API installed
 * but no SDK, the `traceparent` ids fill the slots as before.
 */
import { once } from "node:events"
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { context, propagation, type Span, trace } from "@opentelemetry/api"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node"
import express from "express"
import { createLogger, type LogEvent, type Logger, Sink } from "fapilog"
import { fapilogExpress, requestLogger } from "fapilog/express"
import { fapilogFastify } from "fapilog/fastify"
import Fastify from "fastify"
import { portOf, send, settle, sleep } from "./httpClient.js"

const tracer = () => trace.getTracer("fapilog-test")

const incomingTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
const incomingSpan = "00f067aa0ba902b7"
const traceparent = `00-${incomingTrace}-${incomingSpan}-01`

/** A line of the memory sink, parsed: what a log file holds. */
const linesOf = (memory: Sink.MemorySink): Array<Record<string, unknown>> =>
  memory.lines().map((l) => JSON.parse(l) as Record<string, unknown>)

const lineWith = (memory: Sink.MemorySink, message: string): Record<string, unknown> => {
  const line = linesOf(memory).find((l) => l.message === message)
  assert.isDefined(line, `a line "${message}"`)
  return line as Record<string, unknown>
}

const exported = (exporter: InMemorySpanExporter, name: string): ReadableSpan => {
  const span = exporter.getFinishedSpans().find((s) => s.name === name)
  assert.isDefined(span, `an exported span "${name}"`)
  return span as ReadableSpan
}

/**
 * What a handler does in every app below: a line, a span of its own with a line in it (after
 * an await, so the span's context must follow the async work), and a line after it.
 */
const handle = async (log: Logger.Logger, name: string): Promise<void> => {
  log.info(`${name}: before span`)
  await tracer().startActiveSpan(`${name}-db`, async (span: Span) => {
    await sleep(1)
    log.info(`${name}: in span`)
    span.end()
  })
  log.info(`${name}: after span`)
}

/** An app of one framework on a real server: `/work` runs {@link handle}, `/server-span` too, under a span made before fapilog's adapter (as OpenTelemetry's HTTP instrumentation makes one). */
interface App {
  readonly port: number
  readonly close: () => Promise<void>
}

type Framework = (log: Logger.Logger) => Promise<App>

/** Starts a span for the request and makes it active, as an HTTP instrumentation does. */
const withServerSpan = (end: (fn: () => void) => void, next: () => void): void => {
  const span = tracer().startSpan("server")
  end(() => span.end())
  context.with(trace.setSpan(context.active(), span), next)
}

const expressApp: Framework = async (log) => {
  const app = express()
  app.use((req, res, next) => {
    if (req.url.startsWith("/server-span")) withServerSpan((end) => res.once("finish", end), next)
    else next()
  })
  app.use(fapilogExpress(log))
  app.get("/work", async (_req, res) => {
    await handle(log, "work")
    res.send("ok")
  })
  app.get("/server-span", async (req, res) => {
    await handle(requestLogger(req), "server-span")
    res.send("ok")
  })
  const server = app.listen(0, "127.0.0.1")
  await once(server, "listening")
  return {
    port: portOf(server),
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}

const fastifyApp: Framework = async (log) => {
  const app = Fastify()
  app.addHook("onRequest", (request, reply, next) => {
    if (request.url.startsWith("/server-span")) withServerSpan((end) => reply.raw.once("finish", end), next)
    else next()
  })
  await app.register(fapilogFastify(log))
  app.get("/work", async () => {
    await handle(log, "work")
    return "ok"
  })
  app.get("/server-span", async (request) => {
    await handle(request.fapilog, "server-span")
    return "ok"
  })
  await app.listen({ port: 0, host: "127.0.0.1" })
  return { port: portOf(app.server), close: () => app.close() }
}

const frameworks: ReadonlyArray<readonly [string, Framework]> = [
  ["Express", expressApp],
  ["Fastify", fastifyApp]
]

const withApp = async (
  framework: Framework,
  test: (app: App, log: Logger.Logger, memory: Sink.MemorySink) => Promise<void>
): Promise<void> => {
  const memory = Sink.memory()
  const log = await createLogger({ sinks: [memory] })
  const app = await framework(log)
  try {
    await test(app, log, memory)
  } finally {
    await app.close()
    await log.close()
  }
}

const accessLine = (memory: Sink.MemorySink) => lineWith(memory, "request completed")

/** No line carries a second trace or span id under `fields`: the ids are the core keys' alone. */
const assertNoStrayIds = (memory: Sink.MemorySink): void => {
  for (const line of linesOf(memory)) {
    const fields = line.fields as Record<string, unknown> | undefined
    assert.isUndefined(fields?.traceId, String(line.message))
    assert.isUndefined(fields?.spanId, String(line.message))
  }
}

export const traceCorrelationSuite = (line: string): void => {
  describe(`OpenTelemetry correlation on ${line}: the API without an SDK`, () => {
    it("facade lines carry no ids, even in a span of the API's no-op tracer", async () => {
      const memory = Sink.memory()
      const log = await createLogger({ sinks: [memory] })
      tracer().startActiveSpan("noop", (span) => {
        log.info("in a no-op span")
        span.end()
      })
      await log.close()
      const l = lineWith(memory, "in a no-op span")
      assert.isUndefined(l.traceId)
      assert.isUndefined(l.spanId)
    })

    for (const [name, framework] of frameworks)
      it(`${name}: the traceparent's ids fill the slots of every line of the request`, async () => {
        await withApp(framework, async (app, log, memory) => {
          const r = await send(app.port, { path: "/work", headers: { traceparent } })
          assert.strictEqual(r.status, 200)
          await settle(log, () => linesOf(memory).some((l) => l.message === "request completed"))
          for (const l of linesOf(memory)) {
            assert.strictEqual(l.traceId, incomingTrace, String(l.message))
            assert.strictEqual(l.spanId, incomingSpan, String(l.message))
          }
          assertNoStrayIds(memory)
        })
      })
  })

  describe(`OpenTelemetry correlation on ${line}: with the Node SDK`, () => {
    const exporter = new InMemorySpanExporter()
    beforeAll(() => {
      const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
      provider.register()
    })
    afterAll(() => {
      trace.disable()
      context.disable()
      propagation.disable()
    })
    beforeEach(() => exporter.reset())

    it("a facade line carries the traceId and spanId the SDK exports for the active span", async () => {
      const memory = Sink.memory()
      const log = await createLogger({ sinks: [memory] })
      log.info("before any span")
      await tracer().startActiveSpan("outer", async (outer) => {
        log.info("in outer")
        await sleep(1)
        tracer().startActiveSpan("inner", (inner) => {
          log.child({ part: "db" }).warn("in inner, through a child")
          inner.end()
        })
        log.info("in outer again, after an await")
        outer.end()
      })
      log.info("after the spans")
      await log.close()
      const outer = exported(exporter, "outer")
      const inner = exported(exporter, "inner")
      assert.strictEqual(inner.spanContext().traceId, outer.spanContext().traceId)
      for (const [message, span] of [
        ["in outer", outer],
        ["in inner, through a child", inner],
        ["in outer again, after an await", outer]
      ] as const) {
        const l = lineWith(memory, message)
        assert.strictEqual(l.traceId, span.spanContext().traceId, message)
        assert.strictEqual(l.spanId, span.spanContext().spanId, message)
      }
      for (const message of ["before any span", "after the spans"]) {
        assert.isUndefined(lineWith(memory, message).traceId, message)
        assert.isUndefined(lineWith(memory, message).spanId, message)
      }
      // the structured events (processors, the memory sink's events) say the same
      const event = memory.events().find((e: LogEvent.LogEvent) => e.message === "in outer")
      assert.strictEqual(event?.traceId, outer.spanContext().traceId)
      assert.strictEqual(event?.spanId, outer.spanContext().spanId)
    })

    it("a user's traceId or spanId never replaces the span's: a different one is kept under fields, the same one written once", async () => {
      const memory = Sink.memory()
      const log = await createLogger({ sinks: [memory] })
      tracer().startActiveSpan("with fields", (span) => {
        const ids = span.spanContext()
        log.info("different ids", { traceId: "user-trace", spanId: "user-span", n: 1 })
        log.child({ traceId: ids.traceId }).info("the same trace id", { spanId: ids.spanId })
        log.info("a number", { traceId: 7 })
        span.end()
      })
      log.info("outside, a user id fills the slot", { traceId: "user-trace" })
      await log.close()
      const ids = exported(exporter, "with fields").spanContext()
      const different = lineWith(memory, "different ids")
      assert.strictEqual(different.traceId, ids.traceId)
      assert.strictEqual(different.spanId, ids.spanId)
      assert.deepStrictEqual(different.fields, { traceId: "user-trace", spanId: "user-span" })
      assert.strictEqual(different.n, 1)
      const same = lineWith(memory, "the same trace id")
      assert.strictEqual(same.traceId, ids.traceId)
      assert.strictEqual(same.spanId, ids.spanId)
      assert.isUndefined(same.fields)
      assert.deepStrictEqual(lineWith(memory, "a number").fields, { traceId: 7 })
      assert.strictEqual(lineWith(memory, "outside, a user id fills the slot").traceId, "user-trace")
    })

    it("a span with invalid ids (a non-recording span of the invalid context) adds nothing", async () => {
      const memory = Sink.memory()
      const log = await createLogger({ sinks: [memory] })
      const invalid = { traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 }
      context.with(trace.setSpanContext(context.active(), invalid), () => log.info("invalid span"))
      await log.close()
      assert.isUndefined(lineWith(memory, "invalid span").traceId)
    })

    for (const [name, framework] of frameworks) {
      it(`${name}: spans of the handler continue the incoming traceparent; each line carries the span active when it was logged`, async () => {
        await withApp(framework, async (app, log, memory) => {
          const r = await send(app.port, { path: "/work", headers: { traceparent, "x-request-id": "r-1" } })
          assert.strictEqual(r.status, 200)
          // what fapilog/http sends back: the correlation id, and no trace header
          assert.strictEqual(r.headers["x-request-id"], "r-1")
          assert.isUndefined(r.headers.traceparent)
          await settle(log, () => linesOf(memory).some((l) => l.message === "request completed"))
          const db = exported(exporter, "work-db")
          assert.strictEqual(db.spanContext().traceId, incomingTrace)
          assert.strictEqual(db.parentSpanContext?.spanId, incomingSpan)
          assert.strictEqual(db.parentSpanContext?.isRemote, true)
          const inSpan = lineWith(memory, "work: in span")
          assert.strictEqual(inSpan.traceId, incomingTrace)
          assert.strictEqual(inSpan.spanId, db.spanContext().spanId)
          for (const message of ["work: before span", "work: after span", "request completed"]) {
            const l = lineWith(memory, message)
            assert.strictEqual(l.traceId, incomingTrace, message)
            assert.strictEqual(l.spanId, incomingSpan, message)
          }
          for (const l of linesOf(memory)) assert.strictEqual(l.correlationId, "r-1")
          assertNoStrayIds(memory)
        })
      })

      it(`${name}: without a traceparent, a span of the handler starts a trace and its lines carry it`, async () => {
        await withApp(framework, async (app, log, memory) => {
          await send(app.port, { path: "/work" })
          await settle(log, () => linesOf(memory).some((l) => l.message === "request completed"))
          const db = exported(exporter, "work-db").spanContext()
          const inSpan = lineWith(memory, "work: in span")
          assert.strictEqual(inSpan.traceId, db.traceId)
          assert.strictEqual(inSpan.spanId, db.spanId)
          assert.isUndefined(lineWith(memory, "work: before span").traceId)
          assert.isUndefined(accessLine(memory).traceId)
          assertNoStrayIds(memory)
        })
      })

      it(`${name}: under a server span made before the adapter (an HTTP instrumentation's), lines carry that span, not the header's`, async () => {
        await withApp(framework, async (app, log, memory) => {
          await send(app.port, { path: "/server-span", headers: { traceparent } })
          await settle(log, () => linesOf(memory).some((l) => l.message === "request completed"))
          await settle(log, () => exporter.getFinishedSpans().some((s) => s.name === "server"))
          const server = exported(exporter, "server").spanContext()
          const db = exported(exporter, "server-span-db").spanContext()
          assert.strictEqual(db.traceId, server.traceId)
          for (const message of [
            "server-span: before span",
            "server-span: after span",
            "request completed"
          ]) {
            const l = lineWith(memory, message)
            assert.strictEqual(l.traceId, server.traceId, message)
            assert.strictEqual(l.spanId, server.spanId, message)
          }
          const inSpan = lineWith(memory, "server-span: in span")
          assert.strictEqual(inSpan.spanId, db.spanId)
          assertNoStrayIds(memory)
        })
      })
    }

    it("Express: the request logger keeps the request's trace id after the request", async () => {
      const memory = Sink.memory()
      const log = await createLogger({ sinks: [memory] })
      const app = express()
      app.use(fapilogExpress(log, { accessLog: false }))
      let saved: Logger.Logger | undefined
      app.get("/keep", (req, res) => {
        saved = requestLogger(req)
        res.send("ok")
      })
      const server = app.listen(0, "127.0.0.1")
      await once(server, "listening")
      try {
        await send(portOf(server), { path: "/keep", headers: { traceparent } })
        saved?.info("later, outside the request")
        await log.flush()
        const l = lineWith(memory, "later, outside the request")
        assert.strictEqual(l.traceId, incomingTrace)
        assert.isUndefined(l.spanId)
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await log.close()
      }
    })
  })
}
