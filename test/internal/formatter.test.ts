import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Formatter, type LogEvent } from "../../src/index.js"
import { formatEventJson, writeEventJson } from "../../src/internal/formatter.js"
import { defaultLimits, type JsonLimits } from "../../src/internal/json.js"
import { compileLineKeys } from "../../src/internal/lineKeys.js"

const decoder = new TextDecoder("utf-8", { fatal: true })

/** The line written into a buffer of `size` bytes from position 5, grown until it fits. */
const written = (e: LogEvent.LogEvent, size: number, write = Formatter.writeJson): string => {
  for (let room = size; ; room *= 2) {
    const buf = new Uint8Array(room)
    const end = write(e, buf, 5)
    if (end >= 0) return decoder.decode(buf.subarray(5, end))
    assert.isBelow(room, 1 << 26, "the line never fitted")
  }
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", "é", "\u2028", "\ud800", 'a"b\\c\n\u0000\u007f\u0085', "x".repeat(300))
)

const anyValue = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withTypedArray: true,
  maxDepth: 4,
  maxKeys: 6
})

const event = fc.record(
  {
    id: fc.constant("id"),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      text
    ),
    level: fc.oneof(
      fc.constantFrom("trace", "debug", "info", "warn", "error", "fatal", "audit", "security"),
      text
    ),
    logger: text,
    message: text,
    correlationId: text,
    traceId: text,
    spanId: text,
    fields: fc.dictionary(
      fc.oneof(text, fc.constantFrom("level", "message", "timestamp", "fields")),
      fc.oneof(anyValue, text, fc.double(), fc.integer())
    ),
    error: fc.record({ type: text, message: text })
  },
  { requiredKeys: ["id", "timestamp", "level", "logger", "message", "fields"] }
) as fc.Arbitrary<LogEvent.LogEvent>

describe("writeEventJson", () => {
  it("writes the bytes of the JSON line, whatever the event and the room", () => {
    fc.assert(
      fc.property(event, fc.integer({ min: 1, max: 400 }), (e, size) => {
        assert.strictEqual(written(e, size), Formatter.json.format(e))
      }),
      { numRuns: 400 }
    )
  })

  it("writes the line as a JSON string in one pass: JSON.stringify of the line, whatever the event and the room", () => {
    fc.assert(
      fc.property(event, fc.integer({ min: 1, max: 400 }), (e, size) => {
        const line = Formatter.json.format(e)
        const string = written(e, size, Formatter.writeJsonString)
        assert.strictEqual(string, JSON.stringify(line))
        assert.strictEqual(JSON.parse(string), line)
      }),
      { numRuns: 400 }
    )
    const keys = compileLineKeys({ messageKey: 'say "hi"\\', levelKey: "sev", timestampFormat: "epochMs" })
    const limits: JsonLimits = { ...defaultLimits, maxStringLength: 5 }
    fc.assert(
      fc.property(event, fc.date({ noInvalidDate: true }), (ev0, d) => {
        const e = { ...ev0, timestamp: d.toISOString() }
        const write = (ev: LogEvent.LogEvent, buf: Uint8Array, pos: number) =>
          writeEventJson(ev, buf, pos, limits, keys, "string")
        assert.strictEqual(written(e, 32, write), JSON.stringify(formatEventJson(e, limits, keys)))
      }),
      { numRuns: 200 }
    )
  })

  it("as a JSON string too: -1 when the room is short, nothing written before pos", () => {
    const e: LogEvent.LogEvent = {
      id: "1",
      timestamp: "2026-01-02T03:04:05.006Z",
      level: "info",
      logger: "app",
      message: 'say "hi" \\ é \ud83d\ude00',
      fields: { status: 200, note: "a\u0001b", ratio: 0.5 }
    }
    const string = JSON.stringify(Formatter.json.format(e))
    const bytes = new TextEncoder().encode(string).length
    for (let room = 0; room < bytes + 5; room++) {
      const buf = new Uint8Array(room).fill(7)
      const end = Formatter.writeJsonString(e, buf, 5 > room ? room : 5)
      if (end >= 0) assert.strictEqual(decoder.decode(buf.subarray(5, end)), string)
      if (room < bytes + 5) assert.strictEqual(end, -1)
      assert.isTrue(buf.subarray(0, Math.min(5, room)).every((b) => b === 7))
    }
    assert.strictEqual(written(e, 1024, Formatter.writeJsonString), string)
  })

  it("answers -1 when the room is short, and writes nothing before pos", () => {
    const e: LogEvent.LogEvent = {
      id: "1",
      timestamp: "2026-01-02T03:04:05.006Z",
      level: "info",
      logger: "app",
      message: "request handled",
      fields: { status: 200 }
    }
    const line = Formatter.json.format(e)
    for (let room = 0; room < line.length + 5; room++) {
      const buf = new Uint8Array(room).fill(7)
      const end = Formatter.writeJson(e, buf, 5 > room ? room : 5)
      if (end >= 0) assert.strictEqual(decoder.decode(buf.subarray(5, end)), line)
      if (room < line.length + 5) assert.strictEqual(end, -1)
      assert.isTrue(buf.subarray(0, Math.min(5, room)).every((b) => b === 7))
    }
  })

  it("follows the limits and the key names of a sink", () => {
    const limits: JsonLimits = { ...defaultLimits, maxStringLength: 4, maxDepth: 2 }
    const keys = compileLineKeys({
      messageKey: "msg",
      levelKey: "severity",
      timestampKey: "time",
      timestampFormat: "epochMs"
    })
    fc.assert(
      // a timestamp that does not parse is written as the time of writing: valid ones only here
      fc.property(event, fc.date({ noInvalidDate: true }), (ev0, d) => {
        const e = { ...ev0, timestamp: d.toISOString() }
        const write = (ev: LogEvent.LogEvent, buf: Uint8Array, pos: number) =>
          writeEventJson(ev, buf, pos, limits, keys)
        assert.strictEqual(written(e, 64, write), formatEventJson(e, limits, keys))
      }),
      { numRuns: 200 }
    )
  })

  it("a level that is not fapilog's is written quoted, even one named like an Object method", () => {
    for (const level of ["toString", "__proto__", "constructor", "notice"]) {
      const e = {
        id: "1",
        timestamp: "t",
        level,
        logger: "a",
        message: "m",
        fields: {}
      } as unknown as LogEvent.LogEvent
      assert.strictEqual(JSON.parse(Formatter.json.format(e)).level, level)
      assert.strictEqual(written(e, 16), Formatter.json.format(e))
    }
  })

  it("throws where the formatter throws (a field whose getter throws)", () => {
    const fields = Object.defineProperty({}, "boom", {
      enumerable: true,
      get() {
        throw new Error("getter")
      }
    })
    const e = {
      id: "1",
      timestamp: "t",
      level: "info",
      logger: "a",
      message: "m",
      fields
    } as LogEvent.LogEvent
    assert.throws(() => Formatter.json.format(e))
    assert.throws(() => Formatter.writeJson(e, new Uint8Array(256), 0))
  })
})
