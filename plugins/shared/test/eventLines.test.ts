import { assert, describe, it } from "@effect/vitest"
import { Formatter } from "fapilog"
import { sampleEvent } from "../../../test/support/events.js"
import { bodyText, decodeEventLines, encodeEventLines } from "../src/eventLines.js"

describe("eventLines", () => {
  it("keeps each event's id, level and JSON line, whatever characters the id and the fields hold", () => {
    const events = [
      sampleEvent({ id: "0123456789abcdef-1", level: "info", message: "tab\there\nnewline" }),
      sampleEvent({ id: 'odd\t"id"\n\u2028', level: "audit", fields: { x: "\t\n\u0000" } }),
      sampleEvent({ id: "0123456789abcdef-3", level: "error" })
    ]
    const body = new TextEncoder().encode(encodeEventLines(events))
    const lines = decodeEventLines(bodyText(body))
    assert.deepStrictEqual(
      lines.map((l) => [l.id, l.level, l.json]),
      events.map((e) => [e.id, e.level, Formatter.json.format(e)])
    )
    for (const l of lines) assert.isObject(JSON.parse(l.json))
  })

  it("gives an event without an id one, kept in the body (every decode of it reads the same)", () => {
    const { id: _, ...withoutId } = sampleEvent()
    const text = encodeEventLines([withoutId])
    const [first] = decodeEventLines(text)
    assert.match(first!.id, /^[0-9a-f-]{36}$/)
    assert.strictEqual(decodeEventLines(text)[0]!.id, first!.id)
  })

  it("an empty body is no events; text that is not event lines is refused", () => {
    assert.deepStrictEqual(decodeEventLines(""), [])
    assert.throws(() => decodeEventLines('{"a":1}\n'), /not an event line at offset 0/)
    assert.throws(() => decodeEventLines('"a"\tinfo\t{}\n"b"info{}\n'), /not an event line at offset 12/)
    assert.throws(() => decodeEventLines("7\tinfo\t{}\n"), /not an event id at offset 0/)
  })
})
