import { assert, describe, it } from "@effect/vitest"
import { Formatter, type LogEvent } from "fapilog"
import { boundedLine, cutUtf8 } from "../src/boundedLine.js"

const event = (over: Partial<LogEvent.LogEvent> = {}): LogEvent.LogEvent => ({
  timestamp: "2026-12-06T10:00:00.000Z",
  level: "info",
  message: "hello",
  logger: "app",
  fields: {},
  ...over
})

const parse = (s: string) => JSON.parse(s) as Record<string, unknown>

describe("boundedLine", () => {
  it("is the JSON line, with the prefix in front of its keys, when it fits", () => {
    const e = event({ fields: { a: 1 } })
    assert.strictEqual(boundedLine(e, 1000), Formatter.json.format(e))
    assert.deepStrictEqual(Object.keys(parse(boundedLine(e, 1000, '"x":1,"y":"z",'))), [
      "x",
      "y",
      "timestamp",
      "level",
      "logger",
      "message",
      "a"
    ])
  })

  it("cuts a longer line, marks it with the size it had and keeps the prefix", () => {
    const e = event({ message: "m".repeat(50_000), fields: { big: "b".repeat(100_000), n: 1 } })
    const line = boundedLine(e, 64_000, '"service":"s",')
    assert.isAtMost(Buffer.byteLength(line), 64_000)
    const got = parse(line)
    assert.strictEqual(got.service, "s")
    assert.strictEqual(
      got.fapilog_truncated_bytes,
      Buffer.byteLength(`{"service":"s",${Formatter.json.format(e).slice(1)}`)
    )
    assert.include(got.message as string, "…[truncated")
    assert.strictEqual(got.n, 1)
  })

  it("in the last resort keeps time, level, logger and the start of the message", () => {
    const fields: Record<string, unknown> = {}
    for (let i = 0; i < 1000; i++) fields[`k${i}`] = "é".repeat(2000)
    const line = boundedLine(
      event({ message: "\u0001".repeat(100_000), logger: "l".repeat(5000), fields }),
      20_000
    )
    assert.isAtMost(Buffer.byteLength(line), 20_000)
    const got = parse(line)
    assert.deepStrictEqual(Object.keys(got), [
      "fapilog_truncated_bytes",
      "timestamp",
      "level",
      "logger",
      "message"
    ])
    assert.isTrue((got.message as string).startsWith("\u0001\u0001"))
    assert.include(got.message as string, "…[truncated")
  })

  it("counts bytes, not characters", () => {
    const line = boundedLine(event({ message: "€".repeat(10_000) }), 20_000)
    assert.isAtMost(Buffer.byteLength(line), 20_000)
    assert.isAbove(parse(line).fapilog_truncated_bytes as number, 30_000)
  })
})

describe("cutUtf8", () => {
  it("cuts on a character boundary", () => {
    assert.strictEqual(cutUtf8("ab€", 4), "ab")
    assert.strictEqual(cutUtf8("ab€", 5), "ab€")
    assert.strictEqual(cutUtf8("😀x", 3), "")
    assert.strictEqual(cutUtf8("abc", 0), "")
  })
})
