import { assert, describe, it } from "@effect/vitest"
import { Formatter, type LogEvent } from "fapilog"
import * as Testing from "fapilog/testing"
import { labelNameOf, OVERFLOW, StreamBuilder, type StreamOptions } from "../src/internal/streams.js"
import { decodeSnappyPush, nanosOf } from "./lokiProto.js"

const event = Testing.event

const builder = (over: Partial<StreamOptions> = {}) => {
  const overflows: Array<[ReadonlyArray<string>, number]> = []
  const b = new StreamBuilder({
    labels: { service_name: "svc" },
    labelKeys: [],
    maxLabelValues: 100,
    structuredMetadata: true,
    onOverflow: (keys, events) => overflows.push([keys, events]),
    ...over
  })
  return { b, overflows }
}

const MS = 1_767_323_045_006n * 1_000_000n

describe("StreamBuilder", () => {
  it("one stream per label set; each entry is the core JSON line of its event", () => {
    const { b } = builder({ labelKeys: ["level", "logger"] })
    const events = [
      event({ message: "a" }),
      event({ level: "error", message: "b", fields: { orderId: 7 } }),
      event({ message: "c", logger: "db" }),
      event({ message: "d" })
    ]
    const streams = b.build(events)
    assert.deepStrictEqual(
      streams.map((s) => [s.labels, s.entries.map((e) => e.line)]),
      [
        [
          [
            ["level", "info"],
            ["logger", "app"],
            ["service_name", "svc"]
          ],
          [
            Formatter.json.format(events[0] as LogEvent.LogEvent),
            Formatter.json.format(events[3] as LogEvent.LogEvent)
          ]
        ],
        [
          [
            ["level", "error"],
            ["logger", "app"],
            ["service_name", "svc"]
          ],
          [Formatter.json.format(events[1] as LogEvent.LogEvent)]
        ],
        [
          [
            ["level", "info"],
            ["logger", "db"],
            ["service_name", "svc"]
          ],
          [Formatter.json.format(events[2] as LogEvent.LogEvent)]
        ]
      ]
    )
  })

  it("labels from fields: scalars only, names made valid, long values cut", () => {
    const { b } = builder({ labelKeys: ["http.method", "9lives", "nested", "empty", "absent", "long"] })
    const [stream] = b.build([
      event({
        fields: { "http.method": "GET", "9lives": true, nested: { a: 1 }, empty: "", long: "x".repeat(5000) }
      })
    ])
    assert.deepStrictEqual(stream?.labels, [
      ["_9lives", "true"],
      ["http_method", "GET"],
      ["long", "x".repeat(1024)],
      ["service_name", "svc"]
    ])
    assert.strictEqual(labelNameOf("a-b c"), "a_b_c")
  })

  it("a field getter that throws costs only that label", () => {
    const { b } = builder({ labelKeys: ["bad", "level"] })
    const fields = {}
    Object.defineProperty(fields, "bad", {
      enumerable: true,
      get() {
        throw new Error("boom")
      }
    })
    const [stream] = b.build([event({ fields })])
    assert.deepStrictEqual(stream?.labels, [
      ["level", "info"],
      ["service_name", "svc"]
    ])
    assert.strictEqual(stream?.entries.length, 1)
  })

  it("an event the formatter cannot read is still sent, with its core keys and without its fields", () => {
    const { b } = builder()
    const fields = {}
    Object.defineProperty(fields, "bad", {
      enumerable: true,
      get() {
        throw new Error("boom")
      }
    })
    const [stream] = b.build([event({ fields, correlationId: "req-1" })])
    assert.deepStrictEqual(JSON.parse(stream?.entries[0]?.line ?? "{}"), {
      timestamp: "2026-01-02T03:04:05.006Z",
      level: "info",
      logger: "app",
      message: "hello",
      correlationId: "req-1"
    })
  })

  it("protobuf: lines written as bytes are the JSON lines; an unreadable event falls back to its core keys", () => {
    const { b } = builder()
    const fields = {}
    Object.defineProperty(fields, "bad", {
      enumerable: true,
      get() {
        throw new Error("boom")
      }
    })
    const events = [
      event({ message: "before", fields: { long: "é".repeat(20_000), n: 1.5 } }),
      event({ message: "hostile", fields }),
      event({ message: "after \u2028 \ud800", fields: { ok: true } })
    ]
    const [stream] = decodeSnappyPush(b.protobuf(events)).streams
    const lines = stream?.entries.map((e) => e.line) ?? []
    assert.deepStrictEqual(lines, [
      Formatter.json.format(events[0] as LogEvent.LogEvent),
      Formatter.json.format({ ...(events[1] as LogEvent.LogEvent), fields: {} }),
      Formatter.json.format(events[2] as LogEvent.LogEvent)
    ])
  })

  it("cardinality guard: values past the bound become the placeholder, reported once per batch", () => {
    const { b, overflows } = builder({ labelKeys: ["user"], maxLabelValues: 2 })
    const batch1 = b.build(["u1", "u2", "u3", "u1", "u4"].map((user) => event({ fields: { user } })))
    assert.deepStrictEqual(
      batch1.map((s) => [s.labels[1]?.[1], s.entries.length]),
      [
        ["u1", 2],
        ["u2", 1],
        [OVERFLOW, 2]
      ]
    )
    assert.deepStrictEqual(overflows, [[["user"], 2]])
    // the bound holds across batches: known values pass, new ones still overflow
    const batch2 = b.build([event({ fields: { user: "u2" } }), event({ fields: { user: "u9" } })])
    assert.deepStrictEqual(
      batch2.map((s) => s.labels.find(([n]) => n === "user")?.[1]),
      ["u2", OVERFLOW]
    )
    assert.strictEqual(overflows.length, 2)
  })

  it("timestamps in nanoseconds; same-millisecond entries of a stream strictly increase, across batches too", () => {
    const { b } = builder()
    const first = b.build([event(), event(), event({ timestamp: "2026-01-02T03:04:05.007Z" })])
    assert.deepStrictEqual(first[0]?.entries.map(nanosOf), [MS, MS + 1n, MS + 1_000_000n])
    const second = b.build([event({ timestamp: "2026-01-02T03:04:05.007Z" })])
    assert.deepStrictEqual(second[0]?.entries.map(nanosOf), [MS + 1_000_001n])
    // an unparseable timestamp gets the current time
    const before = BigInt(Date.now()) * 1_000_000n
    const [odd] = b.build([event({ timestamp: "not a time" })])
    assert.isTrue(nanosOf(odd?.entries[0] ?? { seconds: 0, nanos: 0 }) >= before)
  })

  it("structured metadata: trace, span and correlation ids when present, none when disabled", () => {
    const ids = {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      correlationId: "req-1"
    }
    const [withIds] = builder().b.build([event(ids), event()])
    assert.deepStrictEqual(
      withIds?.entries.map((e) => e.metadata),
      [
        [
          ["trace_id", ids.traceId],
          ["span_id", ids.spanId],
          ["correlation_id", "req-1"]
        ],
        []
      ]
    )
    const [without] = builder({ structuredMetadata: false }).b.build([event(ids)])
    assert.deepStrictEqual(without?.entries[0]?.metadata, [])
  })
})
