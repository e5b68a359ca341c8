import { assert, describe, it } from "@effect/vitest"
import { type FingersCrossedOptions, makeFingersCrossed } from "../../src/internal/fingersCrossed.js"
import type { LevelName } from "../../src/internal/level.js"
import * as L from "../../src/internal/level.js"
import { type LogRecord, type RecordParts, recordOf } from "../../src/internal/record.js"
import { collector } from "../support/events.js"

const messages = (rs: ReadonlyArray<LogRecord>): Array<unknown> => rs.map((r) => r.message)

/** Runs batches through one processor at time `now` each, returning what each batch passed on. */
const runner = (options: FingersCrossedOptions = {}) => {
  const p = makeFingersCrossed(options)
  const { emit, emitted } = collector()
  return {
    p,
    emitted,
    run: (records: ReadonlyArray<LogRecord>, now = 0) => messages(p.process(records, now, emit)),
    held: () => p.holding?.held(),
    discarded: () => p.holding?.discarded()
  }
}

/** A record at `level`; `cid` is its correlation id, given as a call field. */
const ev = (level: LevelName, message: string, parts: RecordParts & { readonly cid?: string } = {}) =>
  recordOf(L.levels[level], message, {
    time: 0,
    ...parts,
    fields: parts.cid === undefined ? parts.fields : { ...parts.fields, correlationId: parts.cid }
  })

describe("fingersCrossed", () => {
  it("holds debug and info until an error, then writes them in order before it", () => {
    const fc = runner()
    assert.deepStrictEqual(fc.run([ev("debug", "d1"), ev("info", "i1"), ev("debug", "d2")]), [])
    assert.strictEqual(fc.held(), 3)
    assert.deepStrictEqual(fc.run([ev("info", "i2"), ev("error", "boom"), ev("info", "after")]), [
      "d1",
      "i1",
      "d2",
      "i2",
      "boom"
    ])
    // "after" is held again: the buffer starts over after the trigger
    assert.strictEqual(fc.held(), 1)
    assert.strictEqual(fc.discarded(), 0)
  })

  it("lets levels between the held ones and the trigger pass without releasing anything", () => {
    const fc = runner()
    assert.deepStrictEqual(fc.run([ev("debug", "d"), ev("warn", "w"), ev("trace", "t")]), ["w"])
    assert.strictEqual(fc.held(), 2)
  })

  it("triggers at every level at or above triggerLevel, and holds only the levels listed", () => {
    const fc = runner({ triggerLevel: "warn", levels: ["debug"] })
    assert.deepStrictEqual(fc.run([ev("debug", "d"), ev("info", "i"), ev("warn", "w")]), ["i", "d", "w"])
    assert.deepStrictEqual(fc.run([ev("debug", "d2"), ev("fatal", "f")]), ["d2", "f"])
    assert.deepStrictEqual(fc.run([ev("debug", "d3"), ev("audit", "a")]), ["d3", "a"])
    assert.strictEqual(fc.held(), 0)
  })

  it("keeps one buffer per correlation id: a trigger releases only its own", () => {
    const fc = runner()
    assert.deepStrictEqual(
      fc.run([
        ev("info", "a1", { cid: "a" }),
        ev("info", "b1", { cid: "b" }),
        ev("info", "a2", { cid: "a" }),
        ev("info", "none1"),
        ev("error", "b failed", { cid: "b" })
      ]),
      ["b1", "b failed"]
    )
    assert.strictEqual(fc.held(), 3)
    // events without a correlation id share one context
    assert.deepStrictEqual(fc.run([ev("error", "no id failed")]), ["none1", "no id failed"])
    assert.deepStrictEqual(fc.run([ev("error", "a failed", { cid: "a" })]), ["a1", "a2", "a failed"])
  })

  it("reads the correlation id from context or bindings, as the line writes it", () => {
    const fc = runner()
    const inContext = ev("info", "in context", { context: { correlationId: "r1" } })
    const inBindings = ev("info", "in bindings", { bindings: { correlationId: "r1" } })
    const notAString = ev("info", "number id", { fields: { correlationId: 7 } })
    assert.deepStrictEqual(fc.run([inContext, inBindings, notAString]), [])
    assert.deepStrictEqual(fc.run([ev("error", "r1 failed", { cid: "r1" })]), [
      "in context",
      "in bindings",
      "r1 failed"
    ])
    // a correlationId that is not a string is a field, not the id: that event has no context id
    assert.deepStrictEqual(fc.run([ev("error", "none failed")]), ["number id", "none failed"])
  })

  it("groups by logger (category) or by a field", () => {
    const byLogger = runner({ by: "logger" })
    assert.deepStrictEqual(
      byLogger.run([
        ev("debug", "pool", { logger: "app.db.pool" }),
        ev("debug", "db", { logger: "app.db" }),
        ev("error", "db failed", { logger: "app.db" })
      ]),
      ["db", "db failed"]
    )
    const byTenant = runner({ by: { field: "tenant" } })
    assert.deepStrictEqual(
      byTenant.run([
        ev("info", "t1", { fields: { tenant: "t1" } }),
        ev("info", "t2", { fields: { tenant: "t2" } }),
        ev("error", "t2 failed", { fields: { tenant: "t2" } })
      ]),
      ["t2", "t2 failed"]
    )
    const byTrace = runner({ by: "traceId" })
    const traced = (m: string, level: LevelName, traceId: string) => {
      const r = ev(level, m)
      r.traceId = traceId
      return r
    }
    assert.deepStrictEqual(
      byTrace.run([
        traced("x", "info", "t-1"),
        traced("y", "info", "t-2"),
        traced("t-1 failed", "error", "t-1")
      ]),
      ["x", "t-1 failed"]
    )
  })

  it("keeps at most bufferSize events per context, discarding and counting the oldest", () => {
    const fc = runner({ bufferSize: 3 })
    fc.run(Array.from({ length: 10 }, (_, i) => ev("debug", `d${i}`, { cid: "a" })))
    assert.strictEqual(fc.held(), 3)
    assert.strictEqual(fc.discarded(), 7)
    assert.deepStrictEqual(fc.run([ev("error", "boom", { cid: "a" })]), ["d7", "d8", "d9", "boom"])
    assert.strictEqual(fc.held(), 0)
    assert.strictEqual(fc.discarded(), 7)
  })

  it("keeps at most maxContexts contexts, discarding the least recently used one's events", () => {
    const fc = runner({ maxContexts: 2 })
    fc.run([
      ev("info", "a1", { cid: "a" }),
      ev("info", "a2", { cid: "a" }),
      ev("info", "b1", { cid: "b" }),
      // a is used again: b is now the least recently used
      ev("info", "a3", { cid: "a" }),
      ev("info", "c1", { cid: "c" })
    ])
    assert.strictEqual(fc.held(), 4)
    assert.strictEqual(fc.discarded(), 1)
    assert.deepStrictEqual(fc.run([ev("error", "b failed", { cid: "b" })]), ["b failed"])
    // a trigger in a context that holds nothing takes no slot: a and c still hold theirs
    assert.deepStrictEqual(fc.run([ev("error", "a failed", { cid: "a" })]), ["a1", "a2", "a3", "a failed"])
    assert.deepStrictEqual(fc.run([ev("error", "c failed", { cid: "c" })]), ["c1", "c failed"])
    assert.strictEqual(fc.discarded(), 1)
  })

  it("lets a context's held levels pass for passThroughMs after a trigger", () => {
    const fc = runner({ passThroughMs: 1_000 })
    assert.deepStrictEqual(
      fc.run([ev("info", "before", { cid: "a" }), ev("error", "boom", { cid: "a" })], 0),
      ["before", "boom"]
    )
    assert.deepStrictEqual(
      fc.run([ev("info", "soon", { cid: "a" }), ev("info", "other", { cid: "b" })], 999),
      ["soon"]
    )
    assert.deepStrictEqual(fc.run([ev("info", "late", { cid: "a" })], 1_000), [])
    assert.strictEqual(fc.held(), 2)
  })

  it("discards what it holds when the logger closes, counted, and says so", () => {
    const fc = runner({ bufferSize: 2 })
    fc.run(
      [ev("info", "a1", { cid: "a" }), ev("info", "a2", { cid: "a" }), ev("info", "a3", { cid: "a" })],
      0
    )
    fc.run([ev("info", "b1", { cid: "b" })], 0)
    assert.deepStrictEqual(fc.p.holding?.release(5_000), [])
    assert.strictEqual(fc.held(), 0)
    assert.strictEqual(fc.discarded(), 4)
    fc.p.flush?.(5_000, (r) => fc.emitted.push(r))
    // logged while the logger finishes closing: nothing could release it later, so it passes
    assert.deepStrictEqual(fc.run([ev("info", "from a finalizer", { cid: "a" })], 5_000), [
      "from a finalizer"
    ])
    assert.strictEqual(fc.held(), 0)
    const summary = fc.emitted.at(-1)
    assert.strictEqual(summary?.message, "fingers-crossed discarded events")
    assert.deepStrictEqual(summary?.fields, {
      processor: "fingers-crossed",
      discarded: 4,
      held: 0,
      windowMs: 5_000
    })
  })

  it("writes what it holds when the logger closes with flushOnClose, context by context, in order", () => {
    const fc = runner({ flushOnClose: true })
    fc.run([ev("info", "a1", { cid: "a" }), ev("info", "b1", { cid: "b" }), ev("info", "a2", { cid: "a" })])
    assert.deepStrictEqual(messages(fc.p.holding?.release(0) ?? []), ["b1", "a1", "a2"])
    assert.strictEqual(fc.held(), 0)
    assert.strictEqual(fc.discarded(), 0)
    fc.p.flush?.(0, (r) => fc.emitted.push(r))
    assert.strictEqual(fc.emitted.length, 0, "nothing was discarded: no summary")
  })

  it("reports discards at most once per summaryIntervalMs, on a tick too", () => {
    const fc = runner({ bufferSize: 1, summaryIntervalMs: 1_000 })
    fc.run([ev("info", "x"), ev("info", "y")], 0)
    assert.strictEqual(fc.emitted.length, 0)
    fc.p.tick?.(999, (r) => fc.emitted.push(r))
    assert.strictEqual(fc.emitted.length, 0)
    fc.p.tick?.(1_000, (r) => fc.emitted.push(r))
    assert.strictEqual(fc.emitted.length, 1)
    assert.strictEqual(fc.emitted[0]?.fields?.discarded, 1)
    assert.strictEqual(fc.emitted[0]?.fields?.held, 1)
  })

  it("never holds fapilog's own summaries", () => {
    const fc = runner()
    const summary = ev("info", "sampling dropped events", {
      logger: "fapilog",
      fields: { processor: "sampling", dropped: 1 }
    })
    assert.deepStrictEqual(fc.run([summary]), ["sampling dropped events"])
  })

  it("reads a hostile field value without throwing", () => {
    const fc = runner({ by: { field: "tenant" } })
    const hostile = {
      get tenant(): string {
        throw new Error("no")
      }
    }
    assert.deepStrictEqual(fc.run([ev("info", "hostile", { fields: hostile })]), [])
    assert.strictEqual(fc.held(), 1)
  })
})
