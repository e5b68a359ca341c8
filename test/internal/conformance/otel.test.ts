/**
 * The `otel` layout against the OpenTelemetry logs data model and the OTLP definitions. Each
 * rule names its source; the checks are written from the rules, not from the layout's code.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { makeOtel } from "../../../src/internal/layouts.js"
import * as L from "../../../src/internal/level.js"
import { materialize, recordOf } from "../../../src/internal/record.js"
import { sampleEvent as event } from "../../support/events.js"
import { parseStrict } from "../../support/strictJson.js"
import { isValidUtf8Text } from "../../support/text.js"

const otel = makeOtel().format

const parse = (line: string): Record<string, unknown> => {
  // map keys are unique (data model, "Type map<string, any>": "duplicate keys are not allowed")
  parseStrict(line)
  // OTLP strings are protobuf strings: valid UTF-8
  // (https://protobuf.dev/programming-guides/proto3/#scalar)
  assert.isTrue(isValidUtf8Text(line))
  return JSON.parse(line) as Record<string, unknown>
}
const attributesOf = (o: Record<string, unknown>) => o.Attributes as Record<string, unknown>

/**
 * A valid trace id: W3C Trace Context (https://www.w3.org/TR/trace-context/#trace-id)
 * "32HEXDIGLC", "All bytes as zero ... is considered an invalid value"; the data model's
 * TraceId is "Request trace id as defined in W3C Trace Context"
 * (opentelemetry-specification, specification/logs/data-model.md#field-traceid), and OTLP's
 * `trace_id` "is a 16-byte array. An ID with all zeroes OR of length other than 16 bytes is
 * considered invalid" (opentelemetry-proto, opentelemetry/proto/logs/v1/logs.proto; the copy
 * in plugins/otlp/test/fixtures).
 */
const validTraceId = (s: string): boolean => {
  if (!/^[0-9a-f]*$/.test(s) || s.length !== 32) return false
  return Buffer.from(s, "hex").some((b) => b !== 0)
}
/** The same for span ids: "16HEXDIGLC" (#parent-id), OTLP `span_id` "is an 8-byte array". */
const validSpanId = (s: string): boolean => {
  if (!/^[0-9a-f]*$/.test(s) || s.length !== 16) return false
  return Buffer.from(s, "hex").some((b) => b !== 0)
}

const goodTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
const goodSpan = "00f067aa0ba902b7"
const badTraces = [
  "",
  "0".repeat(32),
  goodTrace.toUpperCase(),
  goodTrace.slice(1),
  `${goodTrace}0`,
  `${goodTrace.slice(0, 31)}g`,
  "trace-1",
  `-${goodTrace.slice(1)}`
]
const badSpans = ["", "0".repeat(16), goodSpan.toUpperCase(), goodSpan.slice(1), `${goodSpan}0`, "span-1"]

describe("otel layout: trace context", () => {
  it("writes TraceId and SpanId when both are valid W3C ids", () => {
    assert.isTrue(validTraceId(goodTrace) && validSpanId(goodSpan))
    const o = parse(otel(event({ traceId: goodTrace, spanId: goodSpan })))
    assert.strictEqual(o.TraceId, goodTrace)
    assert.strictEqual(o.SpanId, goodSpan)
    assert.notProperty(attributesOf(o), "traceId")
    assert.notProperty(attributesOf(o), "spanId")
  })

  it("keeps any other id as an attribute, never as TraceId or SpanId", () => {
    for (const traceId of badTraces) {
      assert.isFalse(validTraceId(traceId), traceId)
      const o = parse(otel(event({ traceId, spanId: goodSpan })))
      assert.notProperty(o, "TraceId")
      // the data model: "If SpanId is present TraceId SHOULD be also present"; logs.proto:
      // "If the sender specifies a valid span_id then it SHOULD also specify a valid trace_id"
      assert.notProperty(o, "SpanId")
      assert.strictEqual(attributesOf(o).traceId, traceId)
      assert.strictEqual(attributesOf(o).spanId, goodSpan)
    }
    for (const spanId of badSpans) {
      assert.isFalse(validSpanId(spanId), spanId)
      const o = parse(otel(event({ traceId: goodTrace, spanId })))
      assert.strictEqual(o.TraceId, goodTrace)
      assert.notProperty(o, "SpanId")
      assert.strictEqual(attributesOf(o).spanId, spanId)
    }
  })

  it("any id string: TraceId and SpanId are valid whenever present, and no id is lost", () => {
    const hexish = fc.oneof(
      fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF-g"), minLength: 0, maxLength: 34 }),
      fc.constantFrom(goodTrace, goodSpan, "0".repeat(32), "0".repeat(16))
    )
    fc.assert(
      fc.property(
        fc.option(hexish, { nil: undefined }),
        fc.option(hexish, { nil: undefined }),
        (traceId, spanId) => {
          const o = parse(
            otel(
              event({
                ...(traceId === undefined ? {} : { traceId }),
                ...(spanId === undefined ? {} : { spanId })
              })
            )
          )
          if (o.TraceId !== undefined) assert.isTrue(validTraceId(o.TraceId as string))
          if (o.SpanId !== undefined)
            assert.isTrue(validSpanId(o.SpanId as string) && o.TraceId !== undefined)
          assert.strictEqual(o.TraceId ?? attributesOf(o).traceId, traceId)
          assert.strictEqual(o.SpanId ?? attributesOf(o).spanId, spanId)
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("otel layout: attributes", () => {
  // specification/common/README.md#attribute: "The attribute key MUST be a non-null and
  // non-empty string"; logs.proto: "Attribute keys MUST be unique".
  it("writes an empty key as _, and keeps every attribute key unique", () => {
    const o = parse(otel(event({ fields: { "": 1, _: 2, ok: 3 } })))
    const attributes = attributesOf(o)
    assert.notProperty(attributes, "")
    assert.deepInclude(attributes, { _: 2, "_~2": 1, ok: 3 })
  })

  it("no attribute key is empty, whatever the fields", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("", "_", "_~2", "a", " "), fc.integer(), { maxKeys: 5 }),
        (fields) => {
          const attributes = attributesOf(parse(otel(event({ fields }))))
          assert.notInclude(Object.keys(attributes), "")
          assert.sameMembers(
            Object.values(attributes).filter((v) => typeof v === "number"),
            Object.values(fields)
          )
        }
      ),
      { numRuns: 200 }
    )
  })
})

describe("otel layout: instrumentation scope", () => {
  // specification/logs/api.md, "Get a Logger": "For log sources which define a logger name
  // (e.g. Java Logger Name) the Logger Name should be recorded as the instrumentation scope
  // name"; common.proto InstrumentationScope.name: "An empty instrumentation scope name means
  // the name is unknown".
  it("writes the logger name as InstrumentationScope.Name, and leaves the scope out when unnamed", () => {
    const r = recordOf(L.INFO, "m", { logger: "checkout.payments" })
    const o = parse(otel(materialize(r)))
    assert.deepStrictEqual(o.InstrumentationScope, { Name: "checkout.payments" })
    assert.notProperty(attributesOf(o), "logger.name")
    assert.notProperty(parse(otel(event({ logger: "" }))), "InstrumentationScope")
  })
})
