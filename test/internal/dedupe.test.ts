import { assert, describe, it } from "@effect/vitest"
import { makeDedupe } from "../../src/internal/dedupe.js"
import * as L from "../../src/internal/level.js"
import { type Fields, type LogRecord, recordOf } from "../../src/internal/record.js"
import { collector } from "../support/events.js"

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 0)

const rec = (
  options: {
    level?: L.LevelInfo
    fields?: Fields
    message?: unknown
    logger?: string
    time?: number
    error?: unknown
    traceId?: string
    bindings?: Fields
  } = {}
): LogRecord =>
  recordOf(options.level ?? L.INFO, options.message ?? "msg", {
    time: options.time ?? T0,
    logger: options.logger ?? "app",
    fields: options.fields,
    bindings: options.bindings,
    error: options.error,
    traceId: options.traceId
  })

const iso = (t: number) => new Date(t).toISOString()

describe("dedupe", () => {
  it("writes the first of identical events and summarises the repeats when the window closes", () => {
    const { emitted, emit } = collector()
    const dedupe = makeDedupe({ windowMs: 1_000 })
    const batch = Array.from({ length: 5 }, (_, i) =>
      rec({ time: T0 + i, fields: { userId: 7 }, traceId: `trace-${i}` })
    )
    const kept = dedupe.process(batch, 100, emit)
    assert.deepStrictEqual(kept, batch.slice(0, 1))
    assert.strictEqual(
      dedupe.process([rec({ time: T0 + 900, fields: { userId: 7 } })], 1_099, emit).length,
      0
    )
    assert.strictEqual(emitted.length, 0)

    dedupe.tick?.(1_099, emit)
    assert.strictEqual(emitted.length, 0)
    dedupe.tick?.(1_100, emit)
    assert.strictEqual(emitted.length, 1)
    const summary = emitted[0] as LogRecord
    assert.strictEqual(summary.level, L.INFO)
    assert.strictEqual(summary.logger, "fapilog")
    assert.strictEqual(summary.message, "msg (repeated 5 times)")
    assert.strictEqual(summary.time, 1_100)
    assert.deepStrictEqual(summary.fields, {
      processor: "dedupe",
      repeated: 5,
      firstAt: iso(T0),
      lastAt: iso(T0 + 900)
    })

    // The window is gone: the next identical event is written again, and nothing more is reported.
    assert.strictEqual(dedupe.process([rec({ fields: { userId: 7 } })], 1_200, emit).length, 1)
    dedupe.tick?.(5_000, emit)
    assert.strictEqual(emitted.length, 1)
  })

  it("keeps the original level in the summary", () => {
    const { emitted, emit } = collector()
    const dedupe = makeDedupe({ windowMs: 10 })
    dedupe.process(
      [rec({ level: L.ERROR, message: "db down" }), rec({ level: L.ERROR, message: "db down" })],
      0,
      emit
    )
    dedupe.tick?.(10, emit)
    assert.strictEqual(emitted[0]?.level, L.ERROR)
    assert.strictEqual(emitted[0]?.message, "db down (repeated 1 times)")
  })

  it("does not collapse events that differ in fields, level, logger, message or error", () => {
    const { emitted, emit } = collector()
    const dedupe = makeDedupe({ windowMs: 1_000 })
    const err = new Error("boom")
    const batch = [
      rec(),
      rec({ fields: { userId: 1 } }),
      rec({ fields: { userId: 2 } }),
      rec({ fields: { userId: 1, extra: true } }),
      rec({ level: L.WARN }),
      rec({ logger: "other" }),
      rec({ message: "other" }),
      rec({ message: ["msg", 1] }),
      rec({ error: err }),
      rec({ error: new Error("bang") })
    ]
    assert.strictEqual(dedupe.process(batch, 0, emit).length, batch.length)
    // The same error logged again is a repeat; bindings and call fields with equal values merge equally.
    const again = [
      rec({ error: err }),
      rec({ fields: { userId: 1 } }),
      rec({ bindings: { userId: 1 } }),
      rec({ message: ["msg", 1] })
    ]
    assert.strictEqual(dedupe.process(again, 1, emit).length, 0)
    dedupe.tick?.(1_000, emit)
    // Summaries come out in the order the windows opened.
    assert.deepStrictEqual(
      emitted.map((r) => [r.message, r.fields?.repeated]),
      [
        ["msg (repeated 2 times)", 2],
        ["msg 1 (repeated 1 times)", 1],
        ["msg (repeated 1 times)", 1]
      ]
    )
  })

  it("closes an expired window when the next batch arrives, then starts a new one", () => {
    const { emitted, emit } = collector()
    const dedupe = makeDedupe({ windowMs: 500 })
    dedupe.process([rec(), rec(), rec()], 0, emit)
    const next = [rec({ time: T0 + 600 }), rec({ time: T0 + 601 })]
    assert.deepStrictEqual(dedupe.process(next, 500, emit), next.slice(0, 1))
    assert.strictEqual(emitted.length, 1)
    assert.deepStrictEqual(emitted[0]?.fields, {
      processor: "dedupe",
      repeated: 2,
      firstAt: iso(T0),
      lastAt: iso(T0)
    })
    dedupe.tick?.(1_000, emit)
    assert.strictEqual(emitted.length, 2)
    assert.deepStrictEqual(emitted[1]?.fields, {
      processor: "dedupe",
      repeated: 1,
      firstAt: iso(T0 + 600),
      lastAt: iso(T0 + 601)
    })
  })

  it("says nothing about events that were not repeated", () => {
    const { emitted, emit } = collector()
    const dedupe = makeDedupe({ windowMs: 100 })
    dedupe.process([rec({ message: "a" }), rec({ message: "b" })], 0, emit)
    dedupe.tick?.(1_000, emit)
    assert.strictEqual(emitted.length, 0)
  })

  it("closes the oldest window beyond maxEntries, reporting its repeats", () => {
    const { emitted, emit } = collector()
    const dedupe = makeDedupe({ windowMs: 60_000, maxEntries: 2 })
    const a = () => rec({ message: "a" })
    const b = () => rec({ message: "b" })
    const c = () => rec({ message: "c" })
    const kept = dedupe.process([a(), a(), a(), b(), b(), c(), a()], 10, emit)
    // c evicts a (its summary comes out at once); the next a opens a new window; that evicts b.
    assert.deepStrictEqual(
      kept.map((r) => r.message),
      ["a", "b", "c", "a"]
    )
    assert.deepStrictEqual(
      emitted.map((r) => [r.message, r.fields?.repeated, r.time]),
      [
        ["a (repeated 2 times)", 2, 10],
        ["b (repeated 1 times)", 1, 10]
      ]
    )
    dedupe.tick?.(60_010, emit)
    assert.strictEqual(emitted.length, 2)
  })

  it("leaves audit and security events alone by default", () => {
    const { emit } = collector()
    const dedupe = makeDedupe({ windowMs: 1_000 })
    const batch = [
      rec({ level: L.AUDIT }),
      rec({ level: L.AUDIT }),
      rec({ level: L.SECURITY }),
      rec({ level: L.SECURITY }),
      rec({ level: L.FATAL }),
      rec({ level: L.FATAL })
    ]
    assert.strictEqual(dedupe.process(batch, 0, emit).length, 5)
  })

  it("deduplicates only the levels it is given", () => {
    const { emit } = collector()
    const dedupe = makeDedupe({ windowMs: 1_000, levels: ["debug"] })
    const batch = [rec(), rec(), rec({ level: L.DEBUG }), rec({ level: L.DEBUG })]
    assert.strictEqual(dedupe.process(batch, 0, emit).length, 3)
  })

  it("collapses long identical events too (stored as a digest)", () => {
    const { emitted, emit } = collector()
    const dedupe = makeDedupe({ windowMs: 1_000 })
    const big = "x".repeat(10_000)
    const batch = [rec({ fields: { big } }), rec({ fields: { big } }), rec({ fields: { big: `${big}y` } })]
    assert.strictEqual(dedupe.process(batch, 0, emit).length, 2)
    dedupe.tick?.(1_000, emit)
    assert.strictEqual(emitted[0]?.fields?.repeated, 1)
  })

  it("closes every open window on flush", () => {
    const { emitted, emit } = collector()
    const dedupe = makeDedupe({ windowMs: 60_000 })
    dedupe.process([rec({ message: "a" }), rec({ message: "a" }), rec({ message: "b" })], 0, emit)
    dedupe.process([rec({ message: "c" }), rec({ message: "c" }), rec({ message: "c" })], 5, emit)
    dedupe.flush(10, emit)
    assert.deepStrictEqual(
      emitted.map((r) => [r.message, r.time]),
      [
        ["a (repeated 1 times)", 10],
        ["c (repeated 2 times)", 10]
      ]
    )
    // Afterwards nothing is pending, and the same events open new windows.
    assert.strictEqual(dedupe.process([rec({ message: "a" })], 20, emit).length, 1)
    dedupe.flush(30, emit)
    assert.strictEqual(emitted.length, 2)
  })

  it("lets summaries of fapilog's processors through, and passes everything with no window", () => {
    const { emitted, emit } = collector()
    const dedupe = makeDedupe({ windowMs: 10 })
    dedupe.process([rec(), rec()], 0, emit)
    dedupe.tick?.(10, emit)
    const summary = emitted[0] as LogRecord
    assert.deepStrictEqual(dedupe.process([summary, summary], 20, emit), [summary, summary])

    const off = makeDedupe({ windowMs: 0 })
    const batch = [rec(), rec(), rec()]
    assert.strictEqual(off.process(batch, 0, emit), batch)
  })
})
