import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Errors, Sink } from "fapilog"
import * as Testing from "fapilog/testing"
import type { Received } from "../../../test/internal/networkServer.js"
import { fast, logThrough, refusedSettings } from "../../../test/support/networkPlugin.js"
import * as Loki from "../src/index.js"
import { makeEncoder } from "../src/internal/sink.js"
import { loki } from "./delivery.js"
import { type DecodedStream, decodeSnappyPush, nanosOf, parseLabels } from "./lokiProto.js"

const streamsOf = (requests: ReadonlyArray<Received>): Array<DecodedStream> =>
  requests.flatMap((r) => decodeSnappyPush(new Uint8Array(r.body)).streams)

const linesOf = (requests: ReadonlyArray<Received>): Array<Record<string, unknown>> =>
  streamsOf(requests).flatMap((s) => s.entries.map((e) => JSON.parse(e.line) as Record<string, unknown>))

describe("@fapilog/loki", () => {
  it('{ type: "loki" }: snappy protobuf to /loki/api/v1/push, every event once, lines equal to the JSON sink\'s', async () => {
    const memory = Sink.memory()
    const { server } = await logThrough(
      loki,
      (url) => [{ type: "loki", url, labelKeys: ["level"], ...fast }, memory],
      (log) => {
        for (let i = 0; i < 50; i++) log.info(`event ${i}`, { i })
        log.error("failed", { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" })
      },
      { settings: { enrich: { service: "checkout" } } }
    )
    assert.isAbove(server.requests.length, 0)
    for (const r of server.requests) {
      assert.strictEqual(r.url, "/loki/api/v1/push")
      assert.strictEqual(r.headers["content-type"], "application/x-protobuf")
      assert.isUndefined(r.headers["content-encoding"])
    }
    const streams = streamsOf(server.accepted())
    const byLevel = new Map(streams.map((s) => [parseLabels(s.labels).level, s]))
    assert.deepStrictEqual(
      streams
        .map((s) => parseLabels(s.labels))
        .sort((a, b) => String(a.level).localeCompare(String(b.level))),
      [
        { level: "error", service_name: "checkout" },
        { level: "info", service_name: "checkout" }
      ].filter((l) => byLevel.has(l.level))
    )
    const lines = streams.flatMap((s) => s.entries.map((e) => e.line))
    assert.deepStrictEqual([...lines].sort(), [...memory.lines()].sort())
    const info = streams.filter((s) => parseLabels(s.labels).level === "info").flatMap((s) => s.entries)
    assert.deepStrictEqual(
      info.map((e) => (JSON.parse(e.line) as { message: string }).message),
      Array.from({ length: 50 }, (_, i) => `event ${i}`)
    )
    // each entry's timestamp is its event's, in nanoseconds
    for (const e of info) {
      const ms = BigInt(Date.parse((JSON.parse(e.line) as { timestamp: string }).timestamp))
      assert.isTrue(nanosOf(e.timestamp) / 1_000_000n === ms)
    }
    const error = byLevel.get("error")?.entries[0]
    assert.deepStrictEqual(error?.structuredMetadata, [
      { name: "trace_id", value: "4bf92f3577b34da6a3ce929d0e0e4736" },
      { name: "span_id", value: "00f067aa0ba902b7" }
    ])
  })

  it("hostile fields through a real logger: the event still arrives, the bad value as a note", async () => {
    const nested = {
      get bad(): string {
        throw new Error("hostile")
      }
    }
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const { server, log } = await logThrough(
      loki,
      (url) => [Loki.sink({ url, ...fast })],
      (log) => {
        log.info("hostile", { nested, cycle, big: 10n })
        log.info("plain")
      }
    )
    const lines = linesOf(server.accepted())
    assert.deepStrictEqual(
      lines.map((l) => l.message),
      ["hostile", "plain"]
    )
    assert.deepStrictEqual(lines[0]?.nested, { bad: "[Threw: hostile]" })
    assert.strictEqual(log.health().stats.lost, 0)
  })

  it("Loki.sink in sinks: the explicit constructor, with tenant and basic auth", async () => {
    const { server } = await logThrough(
      loki,
      (url) => [
        Loki.sink({
          url: `${url}/`,
          tenantId: "team-a",
          auth: { username: "user", password: "pä:ss" },
          labels: { app: "shop", env: "test" },
          ...fast
        })
      ],
      (log) => log.warn("careful")
    )
    const [request] = server.accepted()
    assert.strictEqual(request?.url, "/loki/api/v1/push")
    assert.strictEqual(request?.headers["x-scope-orgid"], "team-a")
    assert.strictEqual(
      request?.headers.authorization,
      `Basic ${Buffer.from("user:pä:ss").toString("base64")}`
    )
    const [stream] = streamsOf(server.accepted())
    assert.deepStrictEqual(parseLabels(stream?.labels ?? ""), { app: "shop", env: "test" })
    assert.strictEqual(
      (JSON.parse(stream?.entries[0]?.line ?? "{}") as { message: string }).message,
      "careful"
    )
  })

  it("bearer auth, extra headers, and a URL that already names the push path", async () => {
    const { server } = await logThrough(
      loki,
      (url) => [
        {
          type: "loki",
          url: `${url}/loki/api/v1/push`,
          auth: { bearer: "t0ken" },
          headers: { "X-Extra": "yes" },
          ...fast
        }
      ],
      (log) => log.info("hi")
    )
    const [request] = server.accepted()
    assert.strictEqual(request?.url, "/loki/api/v1/push")
    assert.strictEqual(request?.headers.authorization, "Bearer t0ken")
    assert.strictEqual(request?.headers["x-extra"], "yes")
    assert.isUndefined(request?.headers["x-scope-orgid"])
  })

  it("JSON encoding: {streams:[{stream, values:[[ns, line, metadata]]}]}", async () => {
    const { server } = await logThrough(
      loki,
      (url) => [{ type: "loki", url, encoding: "json", ...fast }],
      (log) => {
        log.info("plain")
        log.info("traced", { correlationId: "req-1" })
      }
    )
    const [request] = server.accepted()
    assert.strictEqual(request?.headers["content-type"], "application/json")
    const body = JSON.parse(request?.body.toString("utf8") ?? "{}") as {
      streams: Array<{
        stream: Record<string, string>
        values: Array<[string, string, Record<string, string>?]>
      }>
    }
    assert.deepStrictEqual(
      body.streams.map((s) => s.stream),
      [{ service_name: "fapilog" }]
    )
    const values = body.streams[0]?.values ?? []
    assert.deepStrictEqual(
      values.map((v) => [(JSON.parse(v[1]) as { message: string }).message, v[2]]),
      [
        ["plain", undefined],
        ["traced", { correlation_id: "req-1" }]
      ]
    )
    for (const v of values) assert.match(v[0], /^\d{19}$/)
  })

  it("cardinality guard through a logger: bounded values per label key, the rest under __overflow__, reported", () => {
    const reports: Array<string> = []
    const encode = makeEncoder(
      { url: "http://loki:3100", labelKeys: ["user"], maxLabelValues: 3 },
      { service: "svc", report: (m) => reports.push(m) }
    )
    const event = (user: string) => Testing.event({ fields: { user } })
    const request = encode(Array.from({ length: 10 }, (_, i) => event(`u${i}`)))
    const streams = decodeSnappyPush(request.body as Uint8Array).streams
    assert.deepStrictEqual(
      streams.map((s) => [parseLabels(s.labels).user, s.entries.length]),
      [
        ["u0", 1],
        ["u1", 1],
        ["u2", 1],
        ["__overflow__", 7]
      ]
    )
    assert.strictEqual(reports.length, 1)
    assert.match(
      reports[0] ?? "",
      /7 event\(s\) carried a new value for label user past maxLabelValues \(3\)/
    )
  })

  it("invalid settings fail fast, each issue naming its field and what is accepted", async () => {
    const { issues, at } = await refusedSettings(loki, {
      url: "ftp://loki",
      encoding: "xml",
      labels: { "bad-name": "x" },
      labelKeys: ["__internal"],
      maxLabelValues: 0,
      auth: { token: "x" },
      tenantId: "a\nb",
      batch: { maxEvents: 0 }
    })
    assert.match(at("sinks[0].url"), /"ftp:\/\/loki" is not an http:\/\/ or https:\/\/ URL/)
    assert.match(at("sinks[0].encoding"), /"xml" is not one of protobuf, json/)
    assert.match(at("sinks[0].labels.bad-name"), /"bad-name" is not a Loki label name/)
    assert.match(at("sinks[0].labelKeys[0]"), /"__internal" is not an event key/)
    assert.match(
      at("sinks[0].maxLabelValues"),
      /0 is not a whole number of distinct values per label key between 1 and 100000/
    )
    assert.match(at("sinks[0].auth"), /\{"token":"x"\} is not \{ username, password \} .* or \{ bearer \}/)
    assert.match(at("sinks[0].tenantId"), /is not a non-empty string without control characters/)
    assert.match(at("sinks[0].batch.maxEvents"), /0 is not a whole number of events between 1 and 1000000/)
    for (const i of issues) assert.include(i.message, "@fapilog/loki")
    // one issue per bad value, nothing else
    assert.deepStrictEqual(
      issues.map((i) => i.path),
      [
        "sinks[0].url",
        "sinks[0].labels.bad-name",
        "sinks[0].labelKeys[0]",
        "sinks[0].maxLabelValues",
        "sinks[0].tenantId",
        "sinks[0].auth",
        "sinks[0].encoding",
        "sinks[0].batch.maxEvents"
      ]
    )
  })

  it("invalid settings through Loki.sink: a ConfigError too; credentials in the URL and label clashes refused", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.scoped(
        Loki.sink({ url: "http://user:pw@loki:3100", labels: { level: "x" }, labelKeys: ["level"] })
      )
    )
    assert.isTrue(exit._tag === "Failure")
    const error = await Effect.runPromise(
      Effect.flip(Effect.scoped(Loki.sink({ url: "http://user:pw@loki:3100" })))
    )
    assert.instanceOf(error, Errors.ConfigError)
    assert.match(error.message, /url: .*must not carry credentials/)
    const clash = await Effect.runPromise(
      Effect.flip(
        Effect.scoped(Loki.sink({ url: "http://loki:3100", labels: { level: "x" }, labelKeys: ["level"] }))
      )
    )
    assert.match(clash.message, /labelKeys: .*"level" gives label level, which labels.level already sets/)
    const missing = await Effect.runPromise(Effect.flip(Effect.scoped(Loki.sink({} as Loki.ConfigInput))))
    assert.match(missing.message, /url: .*is missing/)
    const empty = await Effect.runPromise(
      Effect.flip(Effect.scoped(Loki.sink({ url: "http://loki:3100", labels: {} })))
    )
    assert.match(empty.message, /labels: .*needs at least one label/)
  })
})
