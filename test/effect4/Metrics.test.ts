/**
 * The self-metrics on the Effect 4 line: the `metrics` route of `effect/http`'s middleware on
 * a real Node server (`NodeHttpServer` of `@effect/platform-node` 4), `Metrics.serve` and
 * `Metrics.serveScoped` on their own port, both read with fetch and the exposition parsed
 * strictly (and by promtool); and `Metrics.layerEffectMetrics` publishing Effect 4 Metrics.
 */
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Metric } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { createLogger, Errors, Fapilog, Http, Metrics, Sink } from "../../src/effect4/index.js"
import { parseExposition, promtoolCheck, sampleValue } from "../support/exposition.js"

const Routes = HttpRouter.add(
  "GET",
  "/work",
  Effect.as(Fapilog.warn("worked"), HttpServerResponse.text("ok"))
)

describe("the metrics route of Http.middleware on Effect 4", () => {
  it.live("serves GET /metrics with every counted logger's events; scrapes get no access line", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const memory = Sink.memory()
        const services = yield* Layer.build(
          HttpRouter.serve(Routes, {
            disableLogger: true,
            middleware: Http.middleware({ metrics: true })
          }).pipe(
            Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
            Layer.provideMerge(Fapilog.layer({ name: "effect4-route", metrics: true, sinks: [memory] }))
          )
        )
        const address = Context.get(services, HttpServer.HttpServer).address
        const base = `http://127.0.0.1:${new URL(HttpServer.formatAddress(address)).port}`
        const call = (path: string, init?: RequestInit) =>
          Effect.promise(async () => {
            const response = await fetch(`${base}${path}`, init)
            return { response, body: await response.text() }
          })
        for (let i = 0; i < 3; i++) yield* call("/work")
        // the lines of the last request are written as its response goes: wait for the third
        const lines = () => Effect.as(Effect.provideContext(Fapilog.flush, services), memory.events())
        for (let tries = 0; tries < 100 && (yield* lines()).length < 3 + 3 + 1; tries++)
          yield* Effect.sleep("10 millis")
        const text = (yield* call("/metrics")).body
        const check = promtoolCheck(text)
        assert.strictEqual(check.status, 0, check.output)
        const m = parseExposition(text)
        const events = yield* lines()
        const count = (level: string) => events.filter((e) => e.level === level).length
        // three "worked" lines at warn; three access lines and the server's "Listening on" at info
        assert.deepStrictEqual([count("warn"), count("info")], [3, 4])
        assert.strictEqual(
          sampleValue(m, "fapilog_events_total", { pipeline: "effect4-route", level: "warn" }),
          3
        )
        // and none for the scrapes
        assert.strictEqual(
          sampleValue(m, "fapilog_events_total", { pipeline: "effect4-route", level: "info" }),
          4
        )
        const scrape = yield* call("/metrics")
        assert.strictEqual(
          scrape.response.headers.get("content-type"),
          "text/plain; version=0.0.4; charset=utf-8"
        )
        assert.match(scrape.response.headers.get("x-request-id") ?? "", /^[0-9a-f]{32}$/)
        assert.strictEqual((yield* call("/metrics", { method: "HEAD" })).response.status, 200)
        assert.strictEqual((yield* call("/metrics", { method: "POST" })).response.status, 405)
      })
    )
  )

  it("rejects a bad metrics path, naming it", () => {
    assert.throws(
      () => Http.middleware({ metrics: { path: "metrics" } }),
      Errors.ConfigError,
      /Http\.middleware\.metrics\.path/
    )
  })
})

describe("Metrics.serve on Effect 4", () => {
  it("serves the exposition of the process's counted loggers until closed", async () => {
    const log = await createLogger({ name: "effect4-serve", metrics: true, sinks: ["null"] })
    log.info("a")
    log.error("b")
    await log.flush()
    const server = await Metrics.serve({ port: 0, host: "127.0.0.1" })
    const response = await fetch(server.url)
    assert.strictEqual(response.status, 200)
    const m = parseExposition(await response.text())
    assert.strictEqual(
      sampleValue(m, "fapilog_events_total", { pipeline: "effect4-serve", level: "info" }),
      1
    )
    assert.strictEqual(
      sampleValue(m, "fapilog_events_total", { pipeline: "effect4-serve", level: "error" }),
      1
    )
    assert.strictEqual(
      sampleValue(m, "fapilog_events_written_total", { pipeline: "effect4-serve", sink: "null" }),
      2
    )
    await server.close()
    await log.close()
    assert.isFalse(parseExposition(Metrics.text()).samples.some((s) => s.labels.pipeline === "effect4-serve"))
  })

  it.live("serveScoped listens while its Scope is open", () =>
    Effect.gen(function* () {
      const url = yield* Effect.scoped(
        Effect.gen(function* () {
          const server = yield* Metrics.serveScoped({ port: 0, host: "127.0.0.1" })
          assert.strictEqual((yield* Effect.promise(() => fetch(server.url))).status, 200)
          return server.url
        })
      )
      const after = yield* Effect.promise(() =>
        fetch(url).then(
          () => "open",
          () => "closed"
        )
      )
      assert.strictEqual(after, "closed")
    })
  )
})

describe("Metrics.layerEffectMetrics on Effect 4", () => {
  it.live("publishes counters, gauges and histograms as Effect 4 Metrics, labels as attributes", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const fapilog = yield* Layer.build(
          Fapilog.layer({ name: "effect4-metrics", metrics: true, sinks: ["null"] })
        )
        yield* Layer.build(Metrics.layerEffectMetrics({ interval: "20 millis" }))
        yield* Effect.gen(function* () {
          yield* Effect.logInfo("a")
          yield* Effect.logInfo("b")
          yield* Effect.logError("c")
          yield* Fapilog.flush
        }).pipe(Effect.provideContext(fapilog))
        yield* Effect.sleep("100 millis")
        const snapshot = yield* Metric.snapshot
        /** The state of the series `id` with these attributes, as a record. */
        const stateOf = (id: string, type: string, attributes: Readonly<Record<string, string>>) => {
          const found = snapshot.find(
            (s) =>
              s.id === id &&
              Object.entries(attributes).every(
                ([k, v]) => (s.attributes as Record<string, string> | undefined)?.[k] === v
              )
          )
          assert.strictEqual(found?.type, type, id)
          return (found?.state ?? {}) as Record<string, unknown>
        }
        const pipeline = { pipeline: "effect4-metrics" }
        assert.strictEqual(
          Number(stateOf("fapilog_events_total", "Counter", { ...pipeline, level: "info" }).count),
          2
        )
        assert.strictEqual(
          Number(stateOf("fapilog_events_total", "Counter", { ...pipeline, level: "error" }).count),
          1
        )
        assert.strictEqual(Number(stateOf("fapilog_buffer_capacity_events", "Gauge", pipeline).value), 1024)
        assert.strictEqual(stateOf("fapilog_batch_size_events", "Histogram", pipeline).count, 1)
      })
    )
  )
})
