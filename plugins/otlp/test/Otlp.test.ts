import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Fapilog } from "fapilog"
import { listen, type Received } from "../../../test/internal/networkServer.js"
import { fast, logThrough, refusedSettings } from "../../../test/support/networkPlugin.js"
import * as Otlp from "../src/index.js"
import { otlp } from "./delivery.js"
import { attributesOf, decodeJsonRequest, decodeRequest, type LogRecord } from "./otlpProto.js"

const recordsOf = (requests: ReadonlyArray<Received>): Array<LogRecord> =>
  requests.flatMap((r) =>
    decodeRequest(new Uint8Array(r.body)).resourceLogs.flatMap((rl) =>
      rl.scopeLogs.flatMap((sl) => sl.logRecords)
    )
  )

const ok = { status: 200, headers: { "Content-Type": "application/x-protobuf" } }

describe("@fapilog/otlp", () => {
  it('{ type: "otlp" }: protobuf ExportLogsServiceRequest, resource and scope, every event once', async () => {
    const { server } = await logThrough(
      otlp,
      (url) => [{ type: "otlp", url, resource: { "deployment.environment.name": "test" }, ...fast }],
      (log) => {
        for (let i = 0; i < 30; i++) log.info(`event ${i}`, { i })
      },
      { settings: { enrich: { service: "checkout", version: "1.4.0" } } }
    )
    for (const r of server.requests) {
      assert.strictEqual(r.url, "/v1/logs")
      assert.strictEqual(r.headers["content-type"], "application/x-protobuf")
    }
    const requests = server.accepted().map((r) => decodeRequest(new Uint8Array(r.body)))
    for (const request of requests) {
      for (const rl of request.resourceLogs) {
        assert.deepStrictEqual(attributesOf(rl.resource?.attributes), {
          "service.name": { stringValue: "checkout" },
          "service.version": { stringValue: "1.4.0" },
          "deployment.environment.name": { stringValue: "test" }
        })
        for (const sl of rl.scopeLogs)
          assert.deepStrictEqual(sl.scope, { name: "fapilog", version: Otlp.plugin.version })
      }
    }
    const records = recordsOf(server.accepted())
    assert.deepStrictEqual(
      records.map((r) => [
        r.body?.stringValue,
        attributesOf(r.attributes).i,
        r.severityNumber,
        r.severityText
      ]),
      Array.from({ length: 30 }, (_, i) => [`event ${i}`, { intValue: String(i) }, 9, "info"])
    )
  })

  it("trace correlation: inside an Effect span, the span's ids become the record's traceId and spanId", async () => {
    const server = await listen({ answer: () => ok })
    try {
      const program = Effect.gen(function* () {
        const span = yield* Effect.currentSpan
        yield* Effect.log("in a request").pipe(Effect.annotateLogs("correlationId", "req-9"))
        return { traceId: span.traceId, spanId: span.spanId }
      }).pipe(Effect.withSpan("checkout"))
      const ids = await Effect.runPromise(
        Effect.zipLeft(program, Effect.log("outside")).pipe(
          Effect.provide(
            Fapilog.layer({ sinks: [Otlp.sink({ url: `http://127.0.0.1:${server.port}/v1/logs`, ...fast })] })
          )
        )
      )
      const [inside, outside] = recordsOf(server.accepted())
      assert.strictEqual(inside?.body?.stringValue, "in a request")
      assert.strictEqual(inside?.traceId, ids.traceId)
      assert.strictEqual(inside?.spanId, ids.spanId)
      assert.deepStrictEqual(attributesOf(inside?.attributes)["correlation.id"], { stringValue: "req-9" })
      assert.strictEqual(outside?.body?.stringValue, "outside")
      assert.isTrue(outside?.traceId === undefined || outside.traceId === "")
    } finally {
      await server.stop()
    }
  })

  it("JSON encoding: an OTLP/JSON body the official definition reads, with headers from the settings", async () => {
    const { server } = await logThrough(
      otlp,
      (url) => [{ type: "otlp", url, encoding: "json", headers: { Authorization: "Bearer t0ken" }, ...fast }],
      (log) =>
        log.error("failed", {
          traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
          spanId: "00f067aa0ba902b7",
          attempt: -2
        })
    )
    const [request] = server.accepted()
    assert.strictEqual(request?.headers["content-type"], "application/json")
    assert.strictEqual(request?.headers.authorization, "Bearer t0ken")
    const text = request?.body.toString("utf8") ?? ""
    const decoded = decodeJsonRequest(text)
    const record = decoded.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]
    assert.strictEqual(record?.severityNumber, 17)
    assert.strictEqual(record?.traceId, "4bf92f3577b34da6a3ce929d0e0e4736")
    assert.deepStrictEqual(attributesOf(record?.attributes).attempt, { intValue: "-2" })
    assert.deepStrictEqual(attributesOf(decoded.resourceLogs[0]?.resource?.attributes)["service.name"], {
      stringValue: "unknown_service:node"
    })
  })

  it("invalid settings fail fast, each issue naming its field and what is accepted", async () => {
    const { at, issues } = await refusedSettings(otlp, {
      url: "localhost:4318",
      encoding: "grpc",
      resource: { "": 1, ok: { no: 1 } },
      scope: ""
    })
    assert.match(at("sinks[0].url"), /"localhost:4318" is not an http:\/\/ or https:\/\/ URL/)
    assert.match(at("sinks[0].encoding"), /"grpc" is not one of protobuf, json/)
    assert.match(at("sinks[0].resource.ok"), /\{"no":1\} is not a string, finite number or boolean/)
    assert.match(at("sinks[0].scope"), /"" is not a non-empty instrumentation scope name/)
    for (const i of issues) assert.include(i.message, "@fapilog/otlp")
    const viaSink = await Effect.runPromise(Effect.flip(Effect.scoped(Otlp.sink({ resource: { "": "x" } }))))
    assert.match(viaSink.message, /Plugin\.open\.resource\.: .*an attribute name must not be empty/)
  })
})
