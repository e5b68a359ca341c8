import { assert, describe, it } from "@effect/vitest"
import { Formatter, type LogEvent } from "fapilog"
import * as Testing from "fapilog/testing"
import { decodeBatch, encodeBatch } from "../src/internal/rows.js"

const bytes = (s: string) => new TextEncoder().encode(s)

describe("request bodies of the PostgreSQL sink", () => {
  it("a header line with the batch's days, then the rows with their ids, columns and the event itself", () => {
    const events = [
      Testing.event({
        id: "e1",
        timestamp: "2026-01-02T23:59:59.999Z",
        message: "a",
        correlationId: "req-1"
      }),
      Testing.event({
        id: "e2",
        timestamp: "2026-01-03T00:00:00.000Z",
        message: "b",
        traceId: "t",
        spanId: "s",
        fields: { n: 1 }
      }),
      Testing.event({ id: "e3", timestamp: "2026-01-03T00:00:00.001Z", message: "c" })
    ]
    const batch = decodeBatch(bytes(encodeBatch(events)))
    assert.deepStrictEqual(batch.days, ["2026-01-02", "2026-01-03"])
    const rows = JSON.parse(batch.rows.toString("utf8")) as Array<Record<string, unknown>>
    assert.deepStrictEqual(
      rows.map((r) => [r.id, r.timestamp, r.message, r.correlationId, r.traceId, r.spanId]),
      [
        ["e1", "2026-01-02T23:59:59.999Z", "a", "req-1", undefined, undefined],
        ["e2", "2026-01-03T00:00:00.000Z", "b", undefined, "t", "s"],
        ["e3", "2026-01-03T00:00:00.001Z", "c", undefined, undefined, undefined]
      ]
    )
    assert.deepStrictEqual(rows[1]?.event, JSON.parse(Formatter.json.format(events[1] as LogEvent.LogEvent)))
  })

  it("an event without an id gets one in the body; an empty batch is an empty array", () => {
    const { id: _id, ...noId } = Testing.event({ message: "x" })
    const rows = JSON.parse(decodeBatch(bytes(encodeBatch([noId]))).rows.toString("utf8"))
    assert.match(rows[0].id, /^[0-9a-f-]{36}$/)
    const empty = decodeBatch(bytes(encodeBatch([])))
    assert.deepStrictEqual([empty.days, empty.rows.toString("utf8")], [[], "[]"])
  })

  it("NUL and lone surrogates anywhere leave the body as escapes PostgreSQL accepts (U+FFFD)", () => {
    const body = encodeBatch([
      Testing.event({ message: "nul\u0000here", logger: "x\ud800", fields: { v: "a\udc00b\u0000" } })
    ])
    assert.notMatch(body, /\\u0000|\\ud[89ab]|\\ud[c-f]/i)
    const [row] = JSON.parse(decodeBatch(bytes(body)).rows.toString("utf8"))
    assert.deepStrictEqual(
      [row.message, row.logger, row.event.v],
      ["nul\ufffdhere", "x\ufffd", "a\ufffdb\ufffd"]
    )
  })

  it("a body that is not a batch (another sink's spool, an older format) is refused", () => {
    for (const body of ["", '{"id":["a"]}', '{"days":["x"]}\n[]', '{"days":[]}\n{}', "[]\n[]"])
      assert.throws(() => decodeBatch(bytes(body)), /not a batch of rows/)
    assert.throws(() => decodeBatch(bytes("not json\n[]")))
  })
})
