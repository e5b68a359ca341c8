import { assert, describe, it } from "@effect/vitest"
import type { LogEvent } from "fapilog"
import { LIMITS } from "../src/internal/config.js"
import { datadogId, EntryEncoder, encodeEntries, STATUS } from "../src/internal/entries.js"

const event = (over: Partial<LogEvent.LogEvent> = {}): LogEvent.LogEvent => ({
  timestamp: "2026-12-06T10:00:00.000Z",
  level: "info",
  message: "hello",
  logger: "app",
  fields: {},
  ...over
})

const encoder = new EntryEncoder({
  ddsource: "nodejs",
  ddtags: "env:test,team:api",
  hostname: "web-1",
  service: "checkout"
})
const parse = (s: string) => JSON.parse(s) as Record<string, unknown>

describe("datadogId", () => {
  it("is the lower 64 bits of the W3C id as unsigned decimal", () => {
    // the lower 16 hex digits a3ce929d0e0e4736, as Datadog's tracers convert them
    assert.strictEqual(datadogId("4bf92f3577b34da6a3ce929d0e0e4736"), "11803532876627986230")
    assert.strictEqual(datadogId("00f067aa0ba902b7"), "67667974448284343")
    assert.strictEqual(datadogId("0000000000000000ffffffffffffffff"), "18446744073709551615")
    assert.strictEqual(datadogId("00000000000000000000000000000001"), "1")
  })

  it("is undefined for ids that are not W3C ids", () => {
    for (const id of [
      "",
      "xyz",
      "4bf92f3577b34da6",
      "4bf92f3577b34da6a3ce929d0e0e473",
      "0000000000000000",
      "g".repeat(32)
    ])
      assert.strictEqual(datadogId(id), id === "4bf92f3577b34da6" ? "5474458728733560230" : undefined, id)
  })
})

describe("EntryEncoder", () => {
  it("writes the reserved attributes in front of the JSON line's keys", () => {
    const e = parse(encoder.entry(event({ fields: { orderId: 7 } })))
    assert.deepStrictEqual(e, {
      ddsource: "nodejs",
      ddtags: "env:test,team:api",
      hostname: "web-1",
      service: "checkout",
      status: "info",
      timestamp: "2026-12-06T10:00:00.000Z",
      level: "info",
      logger: "app",
      message: "hello",
      orderId: 7
    })
  })

  it("maps every level to a Datadog status", () => {
    for (const level of Object.keys(STATUS) as Array<LogEvent.LogEvent["level"]>)
      assert.strictEqual(parse(encoder.entry(event({ level }))).status, STATUS[level])
    assert.strictEqual(STATUS.fatal, "critical")
    assert.strictEqual(STATUS.warn, "warning")
  })

  it("writes dd.trace_id and dd.span_id in decimal, beside the W3C ids", () => {
    const e = parse(
      encoder.entry(event({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" }))
    )
    assert.deepStrictEqual(e.dd, { trace_id: "11803532876627986230", span_id: "67667974448284343" })
    assert.strictEqual(e.traceId, "4bf92f3577b34da6a3ce929d0e0e4736")
    assert.strictEqual(e.spanId, "00f067aa0ba902b7")
    // an id that is not W3C: no dd attribute, the id still in the line
    const other = parse(encoder.entry(event({ traceId: "not-a-trace" })))
    assert.isUndefined(other.dd)
    assert.strictEqual(other.traceId, "not-a-trace")
  })

  it("takes the event's own service and hostname, and renames other user fields named like attributes", () => {
    const e = parse(
      encoder.entry(
        event({
          fields: {
            service: "billing",
            hostname: "web-9",
            status: 500,
            dd: { x: 1 },
            ddsource: 3,
            ddtags: "t"
          }
        })
      )
    )
    assert.strictEqual(e.service, "billing")
    assert.strictEqual(e.hostname, "web-9")
    assert.strictEqual(e.status, "info")
    assert.strictEqual(e.ddsource, "nodejs")
    assert.strictEqual(e.ddtags, "env:test,team:api")
    assert.strictEqual(e["field.status"], 500)
    assert.deepStrictEqual(e["field.dd"], { x: 1 })
    assert.strictEqual(e["field.ddsource"], 3)
    assert.strictEqual(e["field.ddtags"], "t")
    // a service that is not a string stays data
    const n = parse(encoder.entry(event({ fields: { service: 42 } })))
    assert.strictEqual(n.service, "checkout")
    assert.strictEqual(n["field.service"], 42)
  })

  it("leaves out the attributes that are not configured", () => {
    const bare = new EntryEncoder({})
    assert.deepStrictEqual(Object.keys(parse(bare.entry(event()))), [
      "status",
      "timestamp",
      "level",
      "logger",
      "message"
    ])
  })

  it("cuts an entry over 1 MB and marks it with the size it had", () => {
    const big = "x".repeat(3_000_000)
    const entry = encoder.entry(event({ message: big, fields: { a: "y".repeat(500_000) } }))
    assert.isAtMost(Buffer.byteLength(entry), LIMITS.maxEntryBytes)
    const e = parse(entry)
    // the JSON line itself keeps 1,000,000 characters of a string: the size is of that line
    assert.isAbove(e.fapilog_truncated_bytes as number, 1_500_000)
    assert.include(e.message as string, "…[truncated")
    assert.strictEqual(e.service, "checkout")
    assert.strictEqual(e.status, "info")
  })

  it("keeps hostile values valid JSON (cycles, BigInt, throwing getters, control characters)", () => {
    const cycle: Record<string, unknown> = { name: "c" }
    cycle.self = cycle
    const throwing = {
      get boom(): never {
        throw new Error("getter")
      }
    }
    const e = parse(
      encoder.entry(
        event({ message: "a\u0000b\u2028\ud800", fields: { cycle, n: 10n, throwing, status: throwing } })
      )
    )
    assert.strictEqual(e.status, "info")
    assert.strictEqual(e.message, "a\u0000b\u2028\ufffd")
    assert.property(e, "cycle")
    assert.property(e, "field.status")
  })

  it("encodes a request as one JSON array", () => {
    const body = encodeEntries(encoder, [event({ message: "a" }), event({ message: "b" })])
    assert.deepStrictEqual(
      (JSON.parse(body) as Array<{ message: string }>).map((e) => e.message),
      ["a", "b"]
    )
    assert.strictEqual(encodeEntries(encoder, []), "[]")
  })
})
