import { assert, describe, it } from "@effect/vitest"
import { BatchImpl } from "../../src/internal/batch.js"
import { defaultLimits } from "../../src/internal/json.js"
import { materialize } from "../../src/internal/record.js"
import { compile } from "../../src/internal/redact.js"
import { makeSizeGuard, TIGHT } from "../../src/internal/sizeGuard.js"
import { recordsOf } from "../../src/internal/testingEvents.js"
import { allFormatters, collector } from "../support/events.js"

const guard = (mode: "truncate" | "drop", maxBytes = 1024) =>
  makeSizeGuard({ maxBytes, mode, limits: defaultLimits, redact: compile({ keys: ["password"] }) })

describe("the size guard", () => {
  it("leaves events that fit alone, and hands back the same batch", () => {
    const records = recordsOf([{ message: "small", fields: { a: 1 } }])
    const { emit, emitted } = collector()
    assert.strictEqual(guard("truncate").process(records, 0, emit), records)
    assert.strictEqual(emitted.length, 0)
  })

  it("truncate: an oversized event is written within tight limits and marked, by every formatter", () => {
    const records = recordsOf([
      {
        message: "big",
        fields: { blob: "x".repeat(5000), list: Array.from({ length: 100 }, (_, i) => i), ok: true }
      }
    ])
    const [r] = guard("truncate").process(records, 0, collector().emit)
    assert.strictEqual(r?.truncatedTo, TIGHT)
    const batch = new BatchImpl([r as never])
    const line = JSON.parse(batch.text(allFormatters()[0] as never))
    assert.strictEqual(line.truncated, true)
    assert.strictEqual(line.ok, true)
    assert.isAtMost(line.blob.length, 300)
    assert.deepStrictEqual(line.list.slice(-1), ["[…80 more]"])
    for (const formatter of allFormatters())
      assert.isAtMost(Buffer.byteLength(batch.text(formatter)), 1024, formatter.name)
    const event = materialize(r as never)
    assert.strictEqual(event.truncated, true)
    assert.isAtMost((event.fields.blob as string).length, 300)
  })

  it("truncate: an event too big even within tight limits keeps only its core keys and its id", () => {
    const fields = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`key${i}`, "v".repeat(200)]))
    const [original] = recordsOf([{ message: "wide", fields }])
    original!.idPrefix = "p-"
    original!.seq = 7
    const [r] = guard("truncate").process([original!], 0, collector().emit)
    assert.notStrictEqual(r, original)
    const line = JSON.parse(new BatchImpl([r!]).text(allFormatters()[0] as never))
    assert.deepStrictEqual(Object.keys(line), ["timestamp", "level", "logger", "message", "truncated"])
    assert.strictEqual(line.message, "[fapilog: event over maxEventBytes, fields omitted]")
    assert.strictEqual(materialize(r!).id, "p-7")
  })

  it("drop: oversized events are left out, and a summary says how many", () => {
    const records = recordsOf([
      { message: "a" },
      { message: "b", fields: { blob: "y".repeat(4000) } },
      { message: "c", fields: { blob: "z".repeat(4000) } },
      { message: "d" }
    ])
    const { emit, emitted } = collector()
    const kept = guard("drop").process(records, 5, emit)
    assert.deepStrictEqual(
      kept.map((r) => r.message),
      ["a", "d"]
    )
    assert.strictEqual(emitted.length, 1)
    assert.strictEqual(emitted[0]?.message, "size guard dropped events")
    assert.deepStrictEqual(emitted[0]?.fields, { processor: "size-guard", dropped: 2, maxEventBytes: 1024 })
  })

  it("measures the line as written: redacted values count as their censor", () => {
    const records = recordsOf([{ message: "secret", fields: { password: "p".repeat(5000) } }])
    assert.strictEqual(guard("drop").process(records, 0, collector().emit), records)
  })
})
