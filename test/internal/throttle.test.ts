import { assert, describe, it } from "@effect/vitest"
import * as L from "../../src/internal/level.js"
import { type Fields, type LogRecord, recordOf } from "../../src/internal/record.js"
import { makeThrottle } from "../../src/internal/throttle.js"
import { collector, numbered } from "../support/events.js"

const rec = (
  options: { level?: L.LevelInfo; fields?: Fields; message?: string; bindings?: Fields } = {}
): LogRecord =>
  recordOf(options.level ?? L.INFO, options.message ?? "msg", {
    time: 0,
    logger: "app",
    fields: options.fields,
    bindings: options.bindings
  })

const forUser = (userId: unknown, message = String(userId)): LogRecord => rec({ fields: { userId }, message })

const messages = (rs: ReadonlyArray<LogRecord>): Array<unknown> => rs.map((r) => r.message)

describe("throttle", () => {
  it("lets a burst through, then refills with elapsed time", () => {
    const { emit } = collector()
    const throttle = makeThrottle({ ratePerSecond: 2, burst: 3 })
    assert.deepStrictEqual(messages(throttle.process(numbered(5), 0, emit)), ["m0", "m1", "m2"])
    // 250 ms at 2 per second is half a token: not enough.
    assert.strictEqual(throttle.process(numbered(1), 250, emit).length, 0)
    // Another 250 ms completes the token.
    assert.strictEqual(throttle.process(numbered(2), 500, emit).length, 1)
    // A long pause refills only up to the burst.
    assert.strictEqual(throttle.process(numbered(10), 60_000, emit).length, 3)
  })

  it("holds one second's worth by default", () => {
    const { emit } = collector()
    assert.strictEqual(makeThrottle({ ratePerSecond: 5 }).process(numbered(12), 0, emit).length, 5)
    assert.strictEqual(makeThrottle({ ratePerSecond: 0.5 }).process(numbered(3), 0, emit).length, 1)
  })

  it("never refills when time goes backwards", () => {
    const { emit } = collector()
    const throttle = makeThrottle({ ratePerSecond: 1, burst: 1 })
    assert.strictEqual(throttle.process(numbered(1), 10_000, emit).length, 1)
    assert.strictEqual(throttle.process(numbered(1), 5_000, emit).length, 0)
    assert.strictEqual(throttle.process(numbered(1), 10_999, emit).length, 0)
    assert.strictEqual(throttle.process(numbered(1), 11_000, emit).length, 1)
  })

  it("gives each key its own bucket", () => {
    const { emit } = collector()
    const throttle = makeThrottle({ ratePerSecond: 1, burst: 2, key: "userId" })
    const batch = [
      forUser("a", "a1"),
      forUser("a", "a2"),
      forUser("a", "a3"),
      forUser("b", "b1"),
      forUser("a", "a4"),
      forUser("b", "b2"),
      forUser("b", "b3"),
      rec({ message: "none1" }),
      rec({ message: "none2" }),
      rec({ fields: { userId: null }, message: "none3" })
    ]
    assert.deepStrictEqual(messages(throttle.process(batch, 0, emit)), [
      "a1",
      "a2",
      "b1",
      "b2",
      "none1",
      "none2"
    ])
  })

  it("reads the key from merged fields (bindings too), with call fields winning", () => {
    const { emit } = collector()
    const throttle = makeThrottle({ ratePerSecond: 0, burst: 1, key: "userId" })
    const batch = [
      rec({ bindings: { userId: "a" }, message: "bound-a" }),
      rec({ bindings: { userId: "a" }, message: "bound-a-again" }),
      rec({ bindings: { userId: "a" }, fields: { userId: "b" }, message: "call-b" }),
      rec({ fields: { userId: 7 }, message: "seven" }),
      rec({ fields: { userId: "7" }, message: "seven-as-text" })
    ]
    assert.deepStrictEqual(messages(throttle.process(batch, 0, emit)), ["bound-a", "call-b", "seven"])
  })

  it("forgets the least recently used key beyond maxKeys", () => {
    const { emit } = collector()
    const throttle = makeThrottle({ ratePerSecond: 0, burst: 1, key: "userId", maxKeys: 2 })
    const batch = [
      forUser("a", "a1"),
      forUser("b", "b1"),
      forUser("a", "a2"), // a is now the most recently used
      forUser("c", "c1"), // evicts b, not a
      forUser("a", "a3"), // a kept its empty bucket
      forUser("b", "b2") // b starts over with a full bucket
    ]
    assert.deepStrictEqual(messages(throttle.process(batch, 0, emit)), ["a1", "b1", "c1", "b2"])
  })

  it("lets error and above through by default", () => {
    const { emit } = collector()
    const throttle = makeThrottle({ ratePerSecond: 0, burst: 1 })
    const batch = [
      rec({ level: L.TRACE, message: "t" }),
      rec({ level: L.DEBUG, message: "d" }),
      rec({ level: L.INFO, message: "i" }),
      rec({ level: L.WARN, message: "w" }),
      rec({ level: L.ERROR, message: "e" }),
      rec({ level: L.FATAL, message: "f" }),
      rec({ level: L.AUDIT, message: "a" }),
      rec({ level: L.SECURITY, message: "s" })
    ]
    assert.deepStrictEqual(messages(throttle.process(batch, 0, emit)), ["t", "e", "f", "a", "s"])
  })

  it("throttles only the levels it is given", () => {
    const { emit } = collector()
    const throttle = makeThrottle({ ratePerSecond: 0, burst: 1, levels: ["error"] })
    const batch = [...numbered(3, L.INFO), ...numbered(3, L.ERROR)]
    assert.strictEqual(throttle.process(batch, 0, emit).length, 4)
  })

  it("lets everything through when the rate is not usable", () => {
    const { emit } = collector()
    for (const ratePerSecond of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      const batch = numbered(50)
      assert.strictEqual(makeThrottle({ ratePerSecond }).process(batch, 0, emit), batch)
    }
  })

  describe("summary", () => {
    it("reports the total at warn at most once per interval", () => {
      const { emitted, emit } = collector()
      const throttle = makeThrottle({ ratePerSecond: 1, burst: 1 })
      throttle.process(numbered(4), 0, emit)
      throttle.tick?.(9_999, emit)
      assert.strictEqual(emitted.length, 0)
      throttle.tick?.(10_000, emit)
      assert.strictEqual(emitted.length, 1)
      const summary = emitted[0] as LogRecord
      assert.strictEqual(summary.level, L.WARN)
      assert.strictEqual(summary.logger, "fapilog")
      assert.strictEqual(summary.message, "throttle suppressed events")
      assert.strictEqual(summary.time, 10_000)
      assert.deepStrictEqual(summary.fields, { processor: "throttle", suppressed: 3, windowMs: 10_000 })

      throttle.tick?.(30_000, emit)
      assert.strictEqual(emitted.length, 1)
    })

    it("names the ten busiest keys with their counts", () => {
      const { emitted, emit } = collector()
      const throttle = makeThrottle({ ratePerSecond: 0, burst: 1, key: "userId", summaryIntervalMs: 1_000 })
      const batch: Array<LogRecord> = []
      // Key k<i> is logged i + 2 times, so it has i + 1 suppressed events.
      for (let i = 0; i < 12; i++) for (let n = 0; n < i + 2; n++) batch.push(forUser(`k${i}`))
      batch.push(forUser("__proto__"), forUser("__proto__"))
      throttle.process(batch, 500, emit)
      assert.strictEqual(emitted.length, 0)
      throttle.tick?.(1_500, emit)
      assert.strictEqual(emitted.length, 1)
      const fields = emitted[0]?.fields as Record<string, unknown>
      assert.strictEqual(fields.processor, "throttle")
      assert.strictEqual(fields.suppressed, 79)
      assert.strictEqual(fields.windowMs, 1_000)
      const keys = fields.keys as Record<string, number>
      assert.deepStrictEqual(Object.entries(keys), [
        ["k11", 12],
        ["k10", 11],
        ["k9", 10],
        ["k8", 9],
        ["k7", 8],
        ["k6", 7],
        ["k5", 6],
        ["k4", 5],
        ["k3", 4],
        ["k2", 3]
      ])
    })

    it("counts from the next suppression after a summary", () => {
      const { emitted, emit } = collector()
      const throttle = makeThrottle({ ratePerSecond: 0, burst: 1, key: "userId", summaryIntervalMs: 100 })
      throttle.process([forUser("a"), forUser("a")], 0, emit)
      throttle.tick?.(100, emit)
      throttle.process([forUser("a"), forUser("b"), forUser("b")], 150, emit)
      throttle.process([forUser("b")], 250, emit)
      assert.strictEqual(emitted.length, 2)
      assert.deepStrictEqual(emitted[0]?.fields, {
        processor: "throttle",
        suppressed: 1,
        keys: { a: 1 },
        windowMs: 100
      })
      assert.deepStrictEqual(emitted[1]?.fields, {
        processor: "throttle",
        suppressed: 3,
        keys: { b: 2, a: 1 },
        windowMs: 100
      })
    })

    it("writes any key as a plain own property, even __proto__", () => {
      const { emitted, emit } = collector()
      const throttle = makeThrottle({ ratePerSecond: 0, burst: 1, key: "userId", summaryIntervalMs: 0 })
      throttle.process([forUser("__proto__"), forUser("__proto__"), forUser("__proto__")], 0, emit)
      const keys = emitted[0]?.fields?.keys as Record<string, number>
      assert.strictEqual(Object.getPrototypeOf(keys), Object.prototype)
      assert.deepStrictEqual(Object.entries(keys), [["__proto__", 2]])
    })

    it("reports what is pending at once on flush", () => {
      const { emitted, emit } = collector()
      const throttle = makeThrottle({ ratePerSecond: 1, burst: 1, key: "userId" })
      throttle.process([forUser("a"), forUser("a"), forUser("a")], 100, emit)
      throttle.flush(400, emit)
      assert.deepStrictEqual(
        emitted.map((r) => r.fields),
        [{ processor: "throttle", suppressed: 2, keys: { a: 2 }, windowMs: 300 }]
      )
      throttle.flush(500, emit)
      assert.strictEqual(emitted.length, 1)
    })

    it("lets summaries of fapilog's processors through", () => {
      const { emitted, emit } = collector()
      const throttle = makeThrottle({ ratePerSecond: 0, burst: 1, summaryIntervalMs: 0 })
      throttle.process(numbered(3), 0, emit)
      const summary = emitted[0] as LogRecord
      assert.deepStrictEqual(throttle.process([summary, summary], 1, emit), [summary, summary])
    })
  })
})
