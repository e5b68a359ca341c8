import { assert, describe, it } from "@effect/vitest"
import { Formatter, Level, type LogEvent } from "fapilog"
import * as Testing from "fapilog/testing"
import { makeEncoder, UNKNOWN_SERVICE, VERSION } from "../src/internal/sink.js"
import { attributesOf, decodeJsonRequest, decodeRequest, type Request } from "./otlpProto.js"

const event = Testing.event

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
const SPAN = "00f067aa0ba902b7"

const rich = event({
  level: "error",
  message: "payment failed",
  correlationId: "req-7",
  traceId: TRACE.toUpperCase(),
  spanId: SPAN,
  error: {
    type: "PaymentError",
    message: "card declined",
    stack: "PaymentError: card declined\n    at pay",
    code: "E42",
    cause: { type: "Error", message: "timeout" }
  },
  fields: {
    service: "checkout",
    version: "1.2.3",
    env: "prod",
    hostname: "web-1",
    pid: 4242,
    orderId: 7,
    delta: -5,
    big: 2 ** 60,
    ratio: 0.25,
    ok: false,
    none: null,
    tags: ["a", 1],
    user: { id: "u1", roles: ["admin"] },
    "logger.extra": "moved",
    message: "user message key"
  }
})

const encodeWith = (
  encoding: "protobuf" | "json",
  events: ReadonlyArray<LogEvent.LogEvent>,
  service?: string
) =>
  makeEncoder(
    { encoding, resource: { "deployment.region": "eu-1", "service.version": "9.9.9" } },
    { service }
  )(events)

const textOf = (body: Uint8Array | string): string =>
  typeof body === "string" ? body : new TextDecoder().decode(body)

const decodeAs = (
  encoding: "protobuf" | "json",
  events: ReadonlyArray<LogEvent.LogEvent>,
  service?: string
): Request => {
  const request = encodeWith(encoding, events, service)
  return encoding === "protobuf"
    ? decodeRequest(request.body as Uint8Array)
    : decodeJsonRequest(textOf(request.body))
}

describe("OTLP logs mapping", () => {
  for (const encoding of ["protobuf", "json"] as const) {
    describe(encoding, () => {
      it("content type of the serializer", () => {
        assert.strictEqual(
          encodeWith(encoding, [event()]).contentType,
          encoding === "protobuf" ? "application/x-protobuf" : "application/json"
        )
      })

      it("an event read back through the official definition: record, attributes, resource, scope", () => {
        const decoded = decodeAs(encoding, [rich], "ignored-when-events-name-one")
        assert.strictEqual(decoded.resourceLogs.length, 1)
        const [rl] = decoded.resourceLogs
        assert.deepStrictEqual(attributesOf(rl?.resource?.attributes), {
          "service.name": { stringValue: "checkout" },
          "service.version": { stringValue: "9.9.9" },
          "deployment.environment.name": { stringValue: "prod" },
          "host.name": { stringValue: "web-1" },
          "process.pid": { intValue: "4242" },
          "deployment.region": { stringValue: "eu-1" }
        })
        assert.deepStrictEqual(rl?.scopeLogs[0]?.scope, { name: "fapilog", version: VERSION })
        const record = rl?.scopeLogs[0]?.logRecords[0]
        assert.strictEqual(record?.timeUnixNano, "1767323045006000000")
        assert.match(record?.observedTimeUnixNano ?? "", /^\d{19}$/)
        assert.strictEqual(record?.severityNumber, 17)
        assert.strictEqual(record?.severityText, "error")
        assert.deepStrictEqual(record?.body, { stringValue: "payment failed" })
        assert.strictEqual(record?.traceId, TRACE)
        assert.strictEqual(record?.spanId, SPAN)
        assert.deepStrictEqual(attributesOf(record?.attributes), {
          "logger.name": { stringValue: "app" },
          "correlation.id": { stringValue: "req-7" },
          orderId: { intValue: "7" },
          delta: { intValue: "-5" },
          big: { intValue: "1152921504606846976" },
          ratio: { doubleValue: 0.25 },
          ok: { boolValue: false },
          none: {},
          tags: { arrayValue: { values: [{ stringValue: "a" }, { intValue: "1" }] } },
          user: {
            kvlistValue: {
              values: [
                { key: "id", value: { stringValue: "u1" } },
                { key: "roles", value: { arrayValue: { values: [{ stringValue: "admin" }] } } }
              ]
            }
          },
          "exception.type": { stringValue: "PaymentError" },
          "exception.message": { stringValue: "card declined" },
          "exception.stacktrace": { stringValue: "PaymentError: card declined\n    at pay" },
          "exception.code": { stringValue: "E42" },
          "exception.cause": {
            kvlistValue: {
              values: [
                { key: "type", value: { stringValue: "Error" } },
                { key: "message", value: { stringValue: "timeout" } }
              ]
            }
          },
          fields: {
            kvlistValue: {
              values: [
                { key: "message", value: { stringValue: "user message key" } },
                { key: "logger.extra", value: { stringValue: "moved" } }
              ]
            }
          }
        })
      })

      it("ids that are not W3C ids stay as string attributes; no record id then", () => {
        const decoded = decodeAs(encoding, [event({ traceId: "not-hex", spanId: "0000000000000000" })])
        const record = decoded.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]
        assert.isTrue(record?.traceId === undefined || record.traceId === "")
        assert.isTrue(record?.spanId === undefined || record.spanId === "")
        const attrs = attributesOf(record?.attributes)
        assert.deepStrictEqual(attrs.traceId, { stringValue: "not-hex" })
        assert.deepStrictEqual(attrs.spanId, { stringValue: "0000000000000000" })
      })

      it("the event's stable id is the log.record.uid attribute (the same on a retry or a replay)", () => {
        const decoded = decodeAs(encoding, [{ ...event({ message: "with id" }), id: "9f3a6c1e2b7d4058-42" }])
        const attrs = attributesOf(decoded.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.attributes)
        assert.deepStrictEqual(attrs["log.record.uid"], { stringValue: "9f3a6c1e2b7d4058-42" })
      })

      it("service.name from the logger's service, else OpenTelemetry's unknown_service; one ResourceLogs per resource", () => {
        const decoded = decodeAs(
          encoding,
          [event(), event({ fields: { service: "other" } }), event()],
          "from-settings"
        )
        assert.deepStrictEqual(
          decoded.resourceLogs.map((rl) => [
            attributesOf(rl.resource?.attributes)["service.name"],
            rl.scopeLogs[0]?.logRecords.length
          ]),
          [
            [{ stringValue: "from-settings" }, 2],
            [{ stringValue: "other" }, 1]
          ]
        )
        const unnamed = decodeAs(encoding, [event()])
        assert.deepStrictEqual(attributesOf(unnamed.resourceLogs[0]?.resource?.attributes)["service.name"], {
          stringValue: UNKNOWN_SERVICE
        })
      })

      it("every level maps to its severity number and keeps its name", () => {
        const decoded = decodeAs(
          encoding,
          Level.all.map((level) => event({ level }))
        )
        assert.deepStrictEqual(
          decoded.resourceLogs[0]?.scopeLogs[0]?.logRecords.map((r) => [r.severityText, r.severityNumber]),
          // trace 1, debug 5, info 9, warn 13, error 17, fatal 21; audit INFO4, security ERROR4
          [
            ["trace", 1],
            ["debug", 5],
            ["info", 9],
            ["warn", 13],
            ["error", 17],
            ["fatal", 21],
            ["audit", 12],
            ["security", 20]
          ]
        )
      })

      it("nesting and cycles are bounded the way the JSON line bounds them", () => {
        const fields: Record<string, unknown> = { fine: 1 }
        fields.self = fields
        const decoded = decodeAs(encoding, [event({ fields })])
        const attrs = attributesOf(decoded.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.attributes)
        assert.deepStrictEqual(attrs.fine, { intValue: "1" })
        assert.deepStrictEqual(attrs.self, {
          kvlistValue: {
            values: [
              { key: "fine", value: { intValue: "1" } },
              { key: "self", value: { stringValue: "[Circular]" } }
            ]
          }
        })
      })

      it("an event the formatter cannot read still goes, with its core keys and without its fields", () => {
        const fields = { fine: 1 }
        Object.defineProperty(fields, "bad", {
          enumerable: true,
          get() {
            throw new Error("boom")
          }
        })
        const decoded = decodeAs(encoding, [event({ fields, traceId: TRACE })])
        const record = decoded.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]
        assert.deepStrictEqual(record?.body, { stringValue: "hello" })
        assert.strictEqual(record?.traceId, TRACE)
        assert.isUndefined(attributesOf(record?.attributes).fine)
      })
    })
  }

  for (const encoding of ["protobuf", "json"] as const) {
    describe(`${encoding}: hostile values, decoded by the official definition`, () => {
      const attrsOf = (fields: Record<string, unknown>, over: Partial<LogEvent.LogEvent> = {}) =>
        attributesOf(
          decodeAs(encoding, [event({ fields, ...over })]).resourceLogs[0]?.scopeLogs[0]?.logRecords[0]
            ?.attributes
        )

      it("every value of the hostile catalogue gives a request the definition reads", () => {
        for (const h of Testing.hostileValues) {
          const decoded = decodeAs(encoding, [
            event({ message: h.name, fields: { value: h.make(), [h.name]: [h.make()] } })
          ])
          assert.strictEqual(decoded.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.body?.stringValue, h.name)
        }
      })

      it("int64 boundaries: whole numbers in [-2^63, 2^63) are intValue, exactly; beyond, doubleValue", () => {
        const attrs = attrsOf({
          zero: 0,
          negZero: -0,
          maxSafe: Number.MAX_SAFE_INTEGER,
          minSafe: Number.MIN_SAFE_INTEGER,
          below: 2 ** 63 - 1024,
          min: -(2 ** 63),
          at: 2 ** 63,
          under: -(2 ** 63) - 4096,
          half: 0.5
        })
        assert.deepStrictEqual(attrs.zero, { intValue: "0" })
        assert.deepStrictEqual(attrs.negZero, { intValue: "0" })
        assert.deepStrictEqual(attrs.maxSafe, { intValue: "9007199254740991" })
        assert.deepStrictEqual(attrs.minSafe, { intValue: "-9007199254740991" })
        assert.deepStrictEqual(attrs.below, { intValue: "9223372036854774784" })
        assert.deepStrictEqual(attrs.min, { intValue: "-9223372036854775808" })
        assert.deepStrictEqual(attrs.at, { doubleValue: 2 ** 63 })
        assert.deepStrictEqual(attrs.under, { doubleValue: -(2 ** 63) - 4096 })
        assert.deepStrictEqual(attrs.half, { doubleValue: 0.5 })
      })

      it("BigInt, non-finite numbers and symbols as the JSON line writes them: strings", () => {
        const attrs = attrsOf({
          big: 12345678901234567890123n,
          nan: Number.NaN,
          inf: -Infinity,
          sym: Symbol("s")
        })
        assert.deepStrictEqual(attrs.big, { stringValue: "12345678901234567890123" })
        assert.deepStrictEqual(attrs.nan, { stringValue: "NaN" })
        assert.deepStrictEqual(attrs.inf, { stringValue: "-Infinity" })
        assert.deepStrictEqual(attrs.sym, { stringValue: "Symbol(s)" })
      })

      it("control characters kept, lone surrogates as U+FFFD, huge strings cut as the line cuts them", () => {
        const huge = "h".repeat(1024 * 1024)
        const attrs = attrsOf(
          { ctl: "nul\u0000 esc\u001b del\u007f ls\u2028", lone: "a\ud800b", huge, "k\udc00": 1 },
          { message: "m\u0000\r\n" }
        )
        assert.deepStrictEqual(attrs.ctl, { stringValue: "nul\u0000 esc\u001b del\u007f ls\u2028" })
        assert.deepStrictEqual(attrs.lone, { stringValue: "a\ufffdb" })
        assert.deepStrictEqual(attrs["k\ufffd"], { intValue: "1" })
        const cut = attrs.huge?.stringValue ?? ""
        assert.strictEqual(cut, `${"h".repeat(1_000_000)}…[truncated ${1024 * 1024 - 1_000_000} chars]`)
      })

      it("nested arrays and maps keep their structure; a cycle stops at [Circular]", () => {
        const cyclic: Record<string, unknown> = { name: "a" }
        cyclic.self = cyclic
        const attrs = attrsOf({
          grid: [[1, [2, []]], {}],
          map: new Map<unknown, unknown>([
            ["k", new Set([1, "two"])],
            [true, null]
          ]),
          cyclic
        })
        assert.deepStrictEqual(attrs.grid, {
          arrayValue: {
            values: [
              {
                arrayValue: {
                  values: [
                    { intValue: "1" },
                    { arrayValue: { values: [{ intValue: "2" }, { arrayValue: {} }] } }
                  ]
                }
              },
              { kvlistValue: {} }
            ]
          }
        })
        assert.deepStrictEqual(attrs.map, {
          kvlistValue: {
            values: [
              { key: "k", value: { arrayValue: { values: [{ intValue: "1" }, { stringValue: "two" }] } } },
              { key: "true", value: {} }
            ]
          }
        })
        assert.deepStrictEqual(attrs.cyclic, {
          kvlistValue: {
            values: [
              { key: "name", value: { stringValue: "a" } },
              { key: "self", value: { stringValue: "[Circular]" } }
            ]
          }
        })
      })

      it("an empty configuration: the resource is service.name alone; an empty request is an empty body", () => {
        const request = makeEncoder({ encoding }, { service: undefined })([event()])
        const decoded =
          encoding === "protobuf"
            ? decodeRequest(request.body as Uint8Array)
            : decodeJsonRequest(textOf(request.body))
        assert.deepStrictEqual(attributesOf(decoded.resourceLogs[0]?.resource?.attributes), {
          "service.name": { stringValue: UNKNOWN_SERVICE }
        })
        const empty = makeEncoder({ encoding }, { service: undefined })([])
        const none =
          encoding === "protobuf"
            ? decodeRequest(empty.body as Uint8Array)
            : decodeJsonRequest(textOf(empty.body))
        assert.deepStrictEqual(none.resourceLogs ?? [], [])
      })

      it("times beyond what fixed64 nanoseconds hold are left out (0: unknown); unparseable ones are the encoding time", () => {
        const records = decodeAs(encoding, [
          event({ timestamp: "1969-12-31T23:59:59.000Z" }),
          event({ timestamp: "not a time" })
        ]).resourceLogs[0]?.scopeLogs[0]?.logRecords
        assert.isTrue(records?.[0]?.timeUnixNano === undefined || records[0].timeUnixNano === "0")
        assert.match(records?.[1]?.timeUnixNano ?? "", /^\d{19}$/)
      })
    })
  }

  it("JSON follows the OTLP/JSON rules: hex ids, 64-bit integers as strings, enums as numbers", () => {
    const text = textOf(encodeWith("json", [rich]).body)
    const json = JSON.parse(text)
    const record = json.resourceLogs[0].scopeLogs[0].logRecords[0]
    assert.strictEqual(record.traceId, TRACE)
    assert.strictEqual(record.spanId, SPAN)
    assert.strictEqual(record.timeUnixNano, "1767323045006000000")
    assert.strictEqual(record.severityNumber, 17)
    const delta = record.attributes.find((a: { key: string }) => a.key === "delta")
    assert.deepStrictEqual(delta.value, { intValue: "-5" })
  })

  it("severity numbers agree with fapilog's otel layout", () => {
    const otel = Formatter.otel()
    const records = decodeAs(
      "protobuf",
      Level.all.map((level) => event({ level }))
    ).resourceLogs[0]?.scopeLogs[0]?.logRecords
    assert.deepStrictEqual(
      records?.map((r) => r.severityNumber),
      Level.all.map((level) => JSON.parse(otel.format(event({ level }))).SeverityNumber)
    )
  })
})
