import { assert, describe, it } from "@effect/vitest"
import * as L from "../../src/internal/level.js"
import { type Fields, type LogRecord, recordOf } from "../../src/internal/record.js"
import { makeSampler, traceHash } from "../../src/internal/sampling.js"
import { collector, numbered } from "../support/events.js"

const rec = (
  options: { level?: L.LevelInfo; fields?: Fields; traceId?: string; message?: string; time?: number } = {}
): LogRecord =>
  recordOf(options.level ?? L.INFO, options.message ?? "msg", {
    time: options.time ?? 0,
    logger: "app",
    fields: options.fields,
    traceId: options.traceId
  })

const messages = (rs: ReadonlyArray<LogRecord>): Array<unknown> => rs.map((r) => r.message)

/** A seeded generator, so that the "random" trace ids are the same in every run. */
const xorshift = (seed: number) => {
  let s = seed >>> 0 || 1
  return (): number => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s
  }
}

const hexIds = (count: number, seed: number): Array<string> => {
  const next = xorshift(seed)
  return Array.from({ length: count }, () =>
    Array.from({ length: 4 }, () => next().toString(16).padStart(8, "0")).join("")
  )
}

/** Injects a fixed sequence of "random" numbers. */
const sequence = (values: ReadonlyArray<number>) => {
  let i = 0
  let calls = 0
  const random = (): number => {
    calls++
    return values[i++ % values.length] as number
  }
  return { random, calls: () => calls }
}

describe("sampling", () => {
  describe("rate", () => {
    it("keeps the first event and then exactly every Nth", () => {
      const { emit } = collector()
      const sampler = makeSampler({ kind: "rate", every: 3 })
      const kept = sampler.process(numbered(10), 0, emit)
      assert.deepStrictEqual(messages(kept), ["m0", "m3", "m6", "m9"])
    })

    it("counts across batches", () => {
      const { emit } = collector()
      const sampler = makeSampler({ kind: "rate", every: 4 })
      const all = numbered(10)
      const kept = [
        ...sampler.process(all.slice(0, 3), 0, emit),
        ...sampler.process(all.slice(3, 7), 1, emit),
        ...sampler.process(all.slice(7), 2, emit)
      ]
      assert.deepStrictEqual(messages(kept), ["m0", "m4", "m8"])
    })

    it("never drops warn and above by default, and does not count them", () => {
      const { emit } = collector()
      const sampler = makeSampler({ kind: "rate", every: 2 })
      const batch = [
        rec({ message: "i0" }),
        rec({ level: L.WARN, message: "w" }),
        rec({ level: L.ERROR, message: "e" }),
        rec({ message: "i1" }),
        rec({ level: L.FATAL, message: "f" }),
        rec({ level: L.AUDIT, message: "a" }),
        rec({ level: L.SECURITY, message: "s" }),
        rec({ level: L.DEBUG, message: "d2" }),
        rec({ level: L.TRACE, message: "t3" })
      ]
      assert.deepStrictEqual(messages(sampler.process(batch, 0, emit)), ["i0", "w", "e", "f", "a", "s", "d2"])
    })

    it("samples only the levels it is given", () => {
      const { emit } = collector()
      const sampler = makeSampler({ kind: "rate", every: 10, levels: ["debug"] })
      const batch = [...numbered(3, L.INFO), ...numbered(3, L.DEBUG)]
      assert.strictEqual(sampler.process(batch, 0, emit).length, 4)
    })

    it("returns the batch itself when it drops nothing", () => {
      const { emit } = collector()
      const batch = numbered(5)
      assert.strictEqual(makeSampler({ kind: "rate", every: 1 }).process(batch, 0, emit), batch)
    })

    it("keeps everything when `every` is not a usable number", () => {
      const { emit } = collector()
      for (const every of [0, -3, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.strictEqual(makeSampler({ kind: "rate", every }).process(numbered(7), 0, emit).length, 7)
      }
    })
  })

  describe("probabilistic", () => {
    it("keeps exactly the events whose random number is below the probability", () => {
      const { emit } = collector()
      const { random } = sequence([0.05, 0.5, 0.09, 0.1, 0.99, 0])
      const sampler = makeSampler({ kind: "probabilistic", probability: 0.1, random })
      assert.deepStrictEqual(messages(sampler.process(numbered(6), 0, emit)), ["m0", "m2", "m5"])
    })

    it("drops every eligible event at 0 and never draws at 1", () => {
      const { emit } = collector()
      const zero = sequence([0])
      const batch = [...numbered(4), rec({ level: L.WARN, message: "w" })]
      assert.deepStrictEqual(
        messages(
          makeSampler({ kind: "probabilistic", probability: 0, random: zero.random }).process(batch, 0, emit)
        ),
        ["w"]
      )
      const one = sequence([0.999])
      const sampler = makeSampler({ kind: "probabilistic", probability: 1, random: one.random })
      assert.strictEqual(sampler.process(batch, 0, emit).length, 5)
      assert.strictEqual(one.calls(), 0)
    })
  })

  describe("trace", () => {
    it("keeps or drops all events of a trace together, across batches", () => {
      const { emit } = collector()
      const sampler = makeSampler({ kind: "trace", probability: 0.3 })
      const ids = hexIds(200, 7)
      const keptPerTrace = new Map<string, number>()
      for (let batch = 0; batch < 5; batch++) {
        const records = ids.map((traceId) => rec({ traceId }))
        for (const r of sampler.process(records, batch * 100, emit)) {
          const id = r.traceId as string
          keptPerTrace.set(id, (keptPerTrace.get(id) ?? 0) + 1)
        }
      }
      const expected = ids.filter((id) => traceHash(id) < 0.3)
      assert.deepStrictEqual([...keptPerTrace.keys()], expected)
      for (const n of keptPerTrace.values()) assert.strictEqual(n, 5)
      assert.isAbove(expected.length, 0)
      assert.isBelow(expected.length, 200)
    })

    it("keeps a fraction of 10,000 random trace ids close to the probability", () => {
      const { emit } = collector()
      for (const probability of [0.01, 0.1, 0.5]) {
        const sampler = makeSampler({ kind: "trace", probability })
        const kept = sampler.process(
          hexIds(10_000, 42).map((traceId) => rec({ traceId })),
          0,
          emit
        ).length
        // Five standard deviations of a binomial(10,000, p): never reached by a fair hash.
        const tolerance = 5 * Math.sqrt((probability * (1 - probability)) / 10_000)
        assert.approximately(kept / 10_000, probability, tolerance)
      }
    })

    it("spreads sequential ids as evenly as random ones", () => {
      const { emit } = collector()
      const sampler = makeSampler({ kind: "trace", probability: 0.1 })
      const records = Array.from({ length: 10_000 }, (_, i) => rec({ traceId: `req-${i}` }))
      assert.approximately(sampler.process(records, 0, emit).length / 10_000, 0.1, 0.015)
    })

    it("keeps every trace kept at a lower probability", () => {
      const ids = hexIds(2000, 3)
      const at = (p: number) => new Set(ids.filter((id) => traceHash(id) < p))
      const low = at(0.05)
      const high = at(0.2)
      for (const id of low) assert.isTrue(high.has(id))
      assert.isTrue(traceHash("abc") >= 0 && traceHash("abc") < 1)
      assert.strictEqual(traceHash("abc"), traceHash("abc"))
    })

    it("uses a traceId or correlationId field when the record has no trace id", () => {
      const { emit } = collector()
      const { random, calls } = sequence([0])
      const sampler = makeSampler({ kind: "trace", probability: 0.5, random })
      const ids = hexIds(40, 11)
      const records = ids.flatMap((id, i) => [
        rec({ fields: i % 2 === 0 ? { correlationId: id } : { traceId: id }, message: id }),
        rec({ fields: i % 2 === 0 ? { correlationId: id } : { traceId: id }, message: id })
      ])
      const kept = messages(sampler.process(records, 0, emit))
      const expected = ids.filter((id) => traceHash(id) < 0.5).flatMap((id) => [id, id])
      assert.deepStrictEqual(kept, expected)
      assert.strictEqual(calls(), 0)
    })

    it("falls back to the random draw for events without any id", () => {
      const { emit } = collector()
      const { random, calls } = sequence([0.2, 0.8, 0.1])
      const sampler = makeSampler({ kind: "trace", probability: 0.25, random })
      assert.deepStrictEqual(messages(sampler.process(numbered(3), 0, emit)), ["m0", "m2"])
      assert.strictEqual(calls(), 3)
    })
  })

  describe("summary", () => {
    it("reports drops at most once per interval, on tick or after a batch", () => {
      const { emitted, emit } = collector()
      const sampler = makeSampler({ kind: "rate", every: 4 })
      sampler.process(numbered(8), 1_000, emit)
      sampler.tick?.(10_999, emit)
      assert.strictEqual(emitted.length, 0)
      sampler.tick?.(11_000, emit)
      assert.strictEqual(emitted.length, 1)
      const summary = emitted[0] as LogRecord
      assert.strictEqual(summary.level, L.INFO)
      assert.strictEqual(summary.logger, "fapilog")
      assert.strictEqual(summary.message, "sampling dropped events")
      assert.strictEqual(summary.time, 11_000)
      assert.deepStrictEqual(summary.fields, { processor: "sampling", dropped: 6, kept: 2, windowMs: 10_000 })

      // Nothing dropped since: no summary, however long it waits.
      sampler.tick?.(30_000, emit)
      assert.strictEqual(emitted.length, 1)

      // A new window opens with the next event; a batch past its end reports at once.
      sampler.process(numbered(4), 31_000, emit)
      sampler.process(numbered(4), 41_000, emit)
      assert.strictEqual(emitted.length, 2)
      assert.deepStrictEqual(emitted[1]?.fields, {
        processor: "sampling",
        dropped: 6,
        kept: 2,
        windowMs: 10_000
      })
    })

    it("honours summaryIntervalMs and stays quiet when nothing was dropped", () => {
      const { emitted, emit } = collector()
      const keepAll = makeSampler({ kind: "rate", every: 1, summaryIntervalMs: 100 })
      keepAll.process(numbered(10), 0, emit)
      keepAll.tick?.(1_000, emit)
      assert.strictEqual(emitted.length, 0)

      const sampler = makeSampler({ kind: "probabilistic", probability: 0, summaryIntervalMs: 100 })
      sampler.process(numbered(3), 0, emit)
      sampler.tick?.(99, emit)
      sampler.tick?.(100, emit)
      sampler.tick?.(250, emit)
      assert.strictEqual(emitted.length, 1)
      assert.deepStrictEqual(emitted[0]?.fields, {
        processor: "sampling",
        dropped: 3,
        kept: 0,
        windowMs: 100
      })
    })

    it("reports what is pending at once on flush", () => {
      const { emitted, emit } = collector()
      const sampler = makeSampler({ kind: "rate", every: 2 })
      sampler.process(numbered(5), 1_000, emit)
      sampler.flush(1_250, emit)
      assert.deepStrictEqual(
        emitted.map((r) => r.fields),
        [{ processor: "sampling", dropped: 2, kept: 3, windowMs: 250 }]
      )
      sampler.flush(1_300, emit)
      assert.strictEqual(emitted.length, 1)
    })

    it("lets summaries of fapilog's processors through", () => {
      const { emitted, emit } = collector()
      const sampler = makeSampler({ kind: "probabilistic", probability: 0, summaryIntervalMs: 0 })
      sampler.process(numbered(2), 0, emit)
      const summary = emitted[0] as LogRecord
      assert.deepStrictEqual(sampler.process([summary], 5, emit), [summary])
    })
  })
})
