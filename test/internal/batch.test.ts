import { assert, describe, it } from "@effect/vitest"
import * as Formatter from "../../src/Formatter.js"
import { BatchImpl } from "../../src/internal/batch.js"
import * as L from "../../src/internal/level.js"
import { type LogRecord, recordOf } from "../../src/internal/record.js"
import { compile } from "../../src/internal/redact.js"
import { allFormatters } from "../support/events.js"

const decode = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8")

/** Records with multi-byte text, long strings and fields, enough to span many chunks. */
const records = (n: number): Array<LogRecord> =>
  Array.from({ length: n }, (_, i) =>
    recordOf(i % 7 === 0 ? L.WARN : L.INFO, `msg ${i} ünïcödé 🚀 \u2028`, {
      time: Date.UTC(2026, 0, 1) + i,
      fields: { i, text: "x".repeat(i % 300), url: "https://user:pw@example.com/", nested: { a: [i, "é"] } }
    })
  )

describe("BatchImpl.bytes", () => {
  it("holds exactly the UTF-8 of text() for every built-in formatter", () => {
    const rs = records(700)
    for (const formatter of allFormatters()) {
      const viaBytes = decode(new BatchImpl(rs).bytes(formatter))
      const viaText = new BatchImpl(rs).text(formatter)
      assert.strictEqual(viaBytes, viaText, formatter.name)
      assert.strictEqual(viaText.split("\n").length, 701, formatter.name)
    }
  })

  it("applies redaction like text()", () => {
    const rs = records(200)
    const context = { redact: compile({ paths: ["nested.a"] }) }
    const bytes = decode(new BatchImpl(rs, context).bytes(Formatter.json))
    const text = new BatchImpl(rs, context).text(Formatter.json)
    assert.strictEqual(bytes, text)
    assert.notInclude(bytes, "user:pw@")
    assert.notInclude(bytes, '"a":[')
  })

  it("renders a batch once, whichever of text() and bytes() comes first", () => {
    let calls = 0
    const counting = Formatter.make("counting", (e) => {
      calls++
      return e.message
    })
    const rs = records(50)
    const a = new BatchImpl(rs)
    const text = a.text(counting)
    assert.strictEqual(decode(a.bytes(counting)), text)
    const b = new BatchImpl(rs)
    const bytes = b.bytes(counting)
    assert.strictEqual(b.text(counting), decode(bytes))
    assert.strictEqual(calls, 100)
  })

  it("is empty for an empty batch", () => {
    assert.strictEqual(new BatchImpl([]).bytes(Formatter.json).length, 0)
  })
})

describe("BatchImpl.from and byteEnds", () => {
  it("from(i) is the rest of the batch after its first i events", () => {
    const b = new BatchImpl(records(5))
    assert.strictEqual(b.from(0), b)
    assert.deepStrictEqual(
      b.from(3).events.map((e) => e.message),
      b.events.slice(3).map((e) => e.message)
    )
    assert.strictEqual(b.from(9).size, 0)
  })

  it("gives the byte offset where each event's text ends, multi-byte text and multi-line events included", () => {
    const withStack = Array.from({ length: 6 }, (_, i) =>
      recordOf(L.ERROR, `failed ${i} é🚀`, { time: Date.UTC(2026, 0, 1), error: new Error(`boom ${i}`) })
    )
    const multiline = Formatter.pretty({ colors: false, multiline: true })
    for (const [formatter, rs] of [
      [Formatter.json, records(50)],
      [multiline, withStack]
    ] as const) {
      const b = new BatchImpl(rs)
      const bytes = b.bytes(formatter)
      const ends = b.byteEnds(formatter)
      assert.isDefined(ends)
      assert.strictEqual(ends?.length, rs.length)
      assert.strictEqual(ends?.at(-1), bytes.length)
      // each slice between two ends is exactly one event's text
      let start = 0
      ends?.forEach((end, i) => {
        const one = decode(bytes.subarray(start, end))
        assert.strictEqual(one, new BatchImpl([rs[i] as LogRecord]).text(formatter))
        start = end
      })
    }
    // the multi-line formatter really made events of several lines
    assert.isAbove(new BatchImpl(withStack).text(multiline).split("\n").length, 7)
  })

  it("has no ends for a formatter that has not rendered the batch", () => {
    assert.isUndefined(new BatchImpl(records(2)).byteEnds(Formatter.json))
  })
})

describe("BatchImpl as an event source", () => {
  it("builds one event at a time, the same event the batch's events hold, and estimates sizes without building", () => {
    const rs = records(20)
    const context = { redact: compile({ paths: ["nested.a"] }) }
    const lazy = new BatchImpl(rs, context)
    const source = (lazy as unknown as Record<symbol, unknown>)[Symbol.for("fapilog/Batch/eventSource")]
    assert.strictEqual(source, lazy, "found under its Symbol.for key")
    const whole = new BatchImpl(rs, context).events
    for (let i = 0; i < rs.length; i++) {
      assert.deepStrictEqual(lazy.eventAt(i), whole[i])
      assert.deepStrictEqual(
        lazy.eventAt(i).fields.nested,
        { a: "[REDACTED]" },
        "redacted as the batch's events are"
      )
      const estimate = lazy.approximateBytesAt(i)
      const line = Buffer.byteLength(Formatter.json.format(whole[i]!))
      assert.isAbove(estimate, line / 3, `event ${i}: ${estimate} against ${line}`)
      assert.isBelow(estimate, line * 3, `event ${i}: ${estimate} against ${line}`)
    }
    assert.isUndefined((lazy as unknown as { materialized?: unknown }).materialized, "never built whole")
    // once the batch's events are built (another sink asked), they are the ones handed out
    const built = lazy.events
    assert.strictEqual(lazy.eventAt(3), built[3])
  })
})
