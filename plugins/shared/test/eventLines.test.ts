import { assert, describe, it } from "@effect/vitest"
import { Formatter } from "fapilog"
import { sampleEvent } from "../../../test/support/events.js"
import { decodeEventLines, encodeEventLines } from "../src/eventLines.js"

const text = (s: string): Buffer => Buffer.from(s, "utf8")

describe("eventLines", () => {
  it("keeps each event's id, level and JSON line, whatever characters the id and the fields hold", () => {
    const events = [
      sampleEvent({ id: "0123456789abcdef-1", level: "info", message: "tab\there\nnewline ünïcödé 🚀" }),
      sampleEvent({
        id: 'odd\t"id"\n\u2028é',
        level: "audit",
        fields: { x: "\t\n\u0000", y: "€".repeat(400) }
      }),
      sampleEvent({ id: "0123456789abcdef-3", level: "error" })
    ]
    const body = encodeEventLines(events)
    const lines = decodeEventLines(new Uint8Array(body))
    assert.deepStrictEqual(
      lines.map((l) => [l.id, l.level, l.json.toString("utf8")]),
      events.map((e) => [e.id, e.level, Formatter.json.format(e)])
    )
    for (const l of lines) assert.isObject(JSON.parse(l.json.toString("utf8")))
    // the same text a line-by-line reader sees: one line per event, the newline its end
    assert.strictEqual(body.toString("utf8").split("\n").length, events.length + 1)
  })

  it("a body larger than the writer's first buffer is written whole", () => {
    const events = Array.from({ length: 3000 }, (_, i) =>
      sampleEvent({ id: `big-${i}`, message: "x".repeat(1000), fields: { i } })
    )
    const lines = decodeEventLines(encodeEventLines(events))
    assert.strictEqual(lines.length, 3000)
    assert.deepStrictEqual(JSON.parse(lines[2999]!.json.toString("utf8")).i, 2999)
    assert.strictEqual(lines[2999]!.id, "big-2999")
  })

  it("gives an event without an id one, kept in the body (every decode of it reads the same)", () => {
    const { id: _, ...withoutId } = sampleEvent()
    const body = encodeEventLines([withoutId])
    const [first] = decodeEventLines(body)
    assert.match(first!.id, /^[0-9a-f-]{36}$/)
    assert.strictEqual(decodeEventLines(body)[0]!.id, first!.id)
  })

  it("an empty body is no events; bytes that are not event lines are refused", () => {
    assert.deepStrictEqual(decodeEventLines(text("")), [])
    assert.throws(() => decodeEventLines(text('{"a":1}\n')), /not an event line at offset 0/)
    assert.throws(
      () => decodeEventLines(text('"a"\tinfo\t{}\n"b"info{}\n')),
      /not an event line at offset 12/
    )
    assert.throws(() => decodeEventLines(text("7\tinfo\t{}\n")), /not an event id at offset 0/)
    assert.throws(() => decodeEventLines(text("{\tinfo\t{}\n")), /not an event id at offset 0/)
  })
})
