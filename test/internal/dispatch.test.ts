import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SinkError } from "../../src/Errors.js"
import { BatchImpl } from "../../src/internal/batch.js"
import { Diagnostics } from "../../src/internal/diagnostics.js"
import { Dispatch } from "../../src/internal/dispatch.js"
import * as L from "../../src/internal/level.js"
import { recordOf } from "../../src/internal/record.js"
import { retentionRecord } from "../../src/internal/retentionReport.js"
import * as Sink from "../../src/Sink.js"

const quiet = () => new Diagnostics("dispatch", () => {}, 0)
const batchOf = (n: number, level: L.LevelInfo = L.INFO) =>
  new BatchImpl(Array.from({ length: n }, (_, i) => recordOf(level, `m${i}`)))
const messages = (b: Sink.Batch) => b.events.map((e) => e.message)

/** A sink that takes `room` events in all, then fails saying how many of the batch it wrote. */
const fillingUp = (room: number) => {
  const got: Array<string> = []
  const writeSync = (batch: Sink.Batch) => {
    const fit = Math.max(0, Math.min(batch.size, room - got.length))
    got.push(...messages(batch).slice(0, fit))
    if (fit < batch.size) throw new SinkError({ sink: "filling", reason: "full", written: fit })
  }
  return { sink: Sink.makeSync("filling", writeSync), got }
}

describe("Dispatch and partial writes", () => {
  it("counts what a synchronous sink wrote before failing, and hands only the rest to the fallback", () => {
    const { sink, got } = fillingUp(7)
    const fallback = Sink.memory()
    const d = new Dispatch({ sinks: [sink], diagnostics: quiet(), fallback })
    d.writeSync(batchOf(5))
    d.writeSync(batchOf(5))
    d.writeSync(batchOf(5))
    assert.deepStrictEqual(got, ["m0", "m1", "m2", "m3", "m4", "m0", "m1"])
    assert.deepStrictEqual(
      fallback.events().map((e) => e.message),
      ["m2", "m3", "m4", "m0", "m1", "m2", "m3", "m4"]
    )
    const [h] = d.health()
    assert.strictEqual(h?.written, 7)
    assert.strictEqual(h?.toFallback, 8)
    assert.strictEqual(h?.undelivered, 0)
    assert.strictEqual(h?.failures, 2)
  })

  it("without a fallback, only the rest is undelivered; a count out of range is clamped", () => {
    const liar = Sink.makeSync("liar", () => {
      throw new SinkError({ sink: "liar", reason: "says too much", written: 99 })
    })
    const { sink } = fillingUp(3)
    const d = new Dispatch({ sinks: [sink, liar], diagnostics: quiet() })
    d.writeSync(batchOf(5))
    const [filling, lying] = d.health()
    assert.deepStrictEqual([filling?.written, filling?.undelivered], [3, 2])
    // it claimed more than it was given: all of the batch, no more
    assert.deepStrictEqual([lying?.written, lying?.undelivered], [5, 0])
  })

  it("a retention report no sink nor the fallback could write goes to diagnostics; other events do not", () => {
    const lines: Array<Record<string, unknown>> = []
    const diagnostics = new Diagnostics("dispatch", (line) => lines.push(JSON.parse(line)), 60_000)
    const failing = Sink.makeSync("failing", () => {
      throw new Error("ENOSPC")
    })
    const brokenFallback = Sink.makeSync("fallback", () => {
      throw new Error("EPIPE")
    })
    const report = retentionRecord(
      {
        file: "/var/log/app.log.20261120T000000Z",
        bytes: 10,
        rotatedAt: Date.UTC(2026, 10, 20),
        ageMs: 1000,
        policy: "maxTotalBytes"
      },
      "file:/var/log/app.log",
      Date.UTC(2026, 10, 23)
    )
    const d = new Dispatch({ sinks: [failing], diagnostics, fallback: brokenFallback })
    d.writeSync(new BatchImpl([recordOf(L.INFO, "user"), report]))
    const records = lines.filter((l) => l.level === "audit")
    assert.deepStrictEqual(
      records.map((l) => [l.file, l.policy, l.sink]),
      [["/var/log/app.log.20261120T000000Z", "maxTotalBytes", "file:/var/log/app.log"]]
    )
    assert.isFalse(lines.some((l) => JSON.stringify(l).includes('"user"')))
    const [h] = d.health()
    assert.strictEqual(h?.undelivered, 2)
  })

  it("a failure without a count writes nothing of the batch", () => {
    const failing = Sink.makeSync("failing", () => {
      throw new Error("EIO")
    })
    const d = new Dispatch({ sinks: [failing], diagnostics: quiet() })
    d.writeSync(batchOf(4))
    const [h] = d.health()
    assert.deepStrictEqual([h?.written, h?.undelivered], [0, 4])
  })

  it("counts over the part a level-filtered sink takes, and its partial count is of that part", () => {
    const { sink, got } = fillingUp(1)
    const fallback = Sink.memory()
    const d = new Dispatch({ sinks: [Sink.withMinLevel(sink, "warn")], diagnostics: quiet(), fallback })
    const mixed = new BatchImpl([
      recordOf(L.INFO, "i0"),
      recordOf(L.WARN, "w1"),
      recordOf(L.INFO, "i2"),
      recordOf(L.ERROR, "e3"),
      recordOf(L.WARN, "w4")
    ])
    d.writeSync(mixed)
    assert.deepStrictEqual(got, ["w1"])
    assert.deepStrictEqual(
      fallback.events().map((e) => e.message),
      ["e3", "w4"]
    )
    const [h] = d.health()
    assert.deepStrictEqual([h?.written, h?.toFallback], [1, 2])
  })

  it("a route is guarded per routed sink: one sink's failure hands on only its own part", () => {
    const errors = Sink.memory()
    const handed: Array<string> = []
    const warnings = Sink.makeSync("warnings", (batch) => {
      handed.push(...messages(batch))
      throw new Error("disk")
    })
    const fallback = Sink.memory()
    const routed = Sink.route([
      { levels: ["error"], sinks: [errors] },
      { levels: ["warn"], sinks: [warnings] }
    ])
    const d = new Dispatch({ sinks: [routed], diagnostics: quiet(), fallback })
    d.writeSync(
      new BatchImpl([
        recordOf(L.ERROR, "e1"),
        recordOf(L.WARN, "w1"),
        recordOf(L.DEBUG, "d1"),
        recordOf(L.WARN, "w2")
      ])
    )
    assert.deepStrictEqual(
      errors.events().map((e) => e.message),
      ["e1"]
    )
    assert.deepStrictEqual(handed, ["w1", "w2"])
    // not e1 (written), not d1 (no route takes it): only the failing sink's part
    assert.deepStrictEqual(
      fallback.events().map((e) => e.message),
      ["w1", "w2"]
    )
    const [e, w] = d.health()
    assert.deepStrictEqual(
      [e?.name, e?.status, e?.written, e?.skipped, e?.toFallback],
      ["memory", "ok", 1, 3, 0]
    )
    assert.deepStrictEqual(
      [w?.name, w?.status, w?.written, w?.skipped, w?.toFallback, w?.failures],
      ["warnings", "degraded", 0, 2, 2, 1]
    )
  })

  it("a route taking only errors counts the other events as skipped, not written", () => {
    const d = new Dispatch({
      sinks: [Sink.route([{ levels: ["error"], sinks: [Sink.memory()] }])],
      diagnostics: quiet()
    })
    d.writeSync(batchOf(2, L.INFO))
    const [h] = d.health()
    assert.deepStrictEqual([h?.written, h?.skipped, h?.toFallback, h?.undelivered], [0, 2, 0, 0])
  })

  it("counts what a sink's categories and filter leave out as skipped, not written", () => {
    const memory = Sink.memory()
    const d = new Dispatch({
      sinks: [
        Sink.withFilter(Sink.withCategories(memory, { include: ["db"] }), (e) => e.message !== "m1"),
        Sink.route([{ levels: "*", sinks: [Sink.withCategories(Sink.memory(), { exclude: ["app"] })] }])
      ],
      diagnostics: quiet()
    })
    const b = new BatchImpl([
      recordOf(L.INFO, "m0", { logger: "db" }),
      recordOf(L.INFO, "m1", { logger: "db" }),
      recordOf(L.INFO, "m2", { logger: "app" })
    ])
    d.writeSync(b)
    assert.deepStrictEqual(
      memory.events().map((e) => e.message),
      ["m0"]
    )
    const [filtered, routed] = d.health()
    assert.deepStrictEqual([filtered?.written, filtered?.skipped, filtered?.filterErrors], [1, 2, 0])
    assert.deepStrictEqual([routed?.written, routed?.skipped], [2, 1])
  })

  it("a filter that throws keeps the event for its sink, counts it and reports it; the other sinks are untouched", () => {
    const reports: Array<Record<string, unknown>> = []
    const diagnostics = new Diagnostics("dispatch", (line) => reports.push(JSON.parse(line)), 0)
    const kept = Sink.memory()
    const other = Sink.memory()
    const d = new Dispatch({
      sinks: [
        Sink.withFilter(kept, (e) => {
          if (e.message === "m1") throw new Error("bad filter")
          return e.message !== "m2"
        }),
        other
      ],
      diagnostics
    })
    d.writeSync(batchOf(3))
    d.writeSync(batchOf(2))
    assert.deepStrictEqual(
      kept.events().map((e) => e.message),
      ["m0", "m1", "m0", "m1"]
    )
    assert.strictEqual(other.events().length, 5)
    const [h] = d.health()
    assert.deepStrictEqual([h?.written, h?.skipped, h?.filterErrors, h?.undelivered], [4, 1, 2, 0])
    assert.strictEqual(d.sinkErrors, 0, "a filter failure is not a write failure")
    assert.deepStrictEqual(
      reports.map((r) => [r.message, r.filterErrors, (r.error as { message?: string } | undefined)?.message]),
      [
        ["sink memory: filter threw for 1 event, kept for this sink", 1, "bad filter"],
        ["sink memory: filter threw for 1 event, kept for this sink", 2, "bad filter"]
      ]
    )
  })

  it("a routed sink's partial count is of its own part: only the rest goes to the fallback", () => {
    const { sink, got } = fillingUp(1)
    const other = Sink.memory()
    const fallback = Sink.memory()
    const routed = Sink.route([
      { levels: ["warn"], sinks: [sink] },
      { levels: "*", sinks: [other] }
    ])
    const d = new Dispatch({ sinks: [routed], diagnostics: quiet(), fallback })
    d.writeSync(
      new BatchImpl([
        recordOf(L.WARN, "w0"),
        recordOf(L.INFO, "i1"),
        recordOf(L.WARN, "w2"),
        recordOf(L.WARN, "w3")
      ])
    )
    assert.deepStrictEqual(got, ["w0"])
    assert.deepStrictEqual(
      fallback.events().map((e) => e.message),
      ["w2", "w3"]
    )
    const [f, o] = d.health()
    assert.deepStrictEqual([f?.written, f?.skipped, f?.toFallback], [1, 1, 2])
    assert.deepStrictEqual([o?.written, o?.skipped, o?.toFallback], [4, 0, 0])
  })

  it.live(
    "an asynchronous routed sink is retried and handed on alone; a route in a route narrows by both",
    () =>
      Effect.gen(function* () {
        const got: Array<string> = []
        const down: Sink.Sink = {
          name: "down",
          write: () => Effect.fail(new SinkError({ sink: "down", reason: "503" }))
        }
        const up: Sink.Sink = {
          name: "up",
          write: (batch) => Effect.sync(() => got.push(...messages(batch)))
        }
        const inner = Sink.route([{ levels: ["error", "warn"], sinks: [up] }])
        const fallback = Sink.memory()
        const d = new Dispatch({
          sinks: [
            Sink.route([
              { levels: ["error", "info"], sinks: [inner] },
              { levels: ["info"], sinks: [down] }
            ])
          ],
          diagnostics: quiet(),
          fallback,
          retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }
        })
        yield* d.writeAsync(
          new BatchImpl([recordOf(L.INFO, "i0"), recordOf(L.ERROR, "e1"), recordOf(L.WARN, "w2")])
        )
        // error is the only level both routes to `up` take
        assert.deepStrictEqual(got, ["e1"])
        assert.deepStrictEqual(
          fallback.events().map((e) => e.message),
          ["i0"]
        )
        const [u, dn] = d.health()
        assert.deepStrictEqual([u?.name, u?.written, u?.skipped, u?.toFallback], ["up", 1, 2, 0])
        assert.deepStrictEqual([dn?.name, dn?.written, dn?.skipped, dn?.toFallback], ["down", 0, 2, 1])
      })
  )

  it("a sink under a level or a route is one destination: its flush and health are there once", () => {
    const net: Sink.Sink = {
      name: "net",
      write: () => Effect.void,
      flush: Effect.void,
      health: () => ({ status: "degraded", lost: 7 })
    }
    const d = new Dispatch({
      sinks: [Sink.withMinLevel(net, "warn"), Sink.route([{ levels: ["error"], sinks: [net] }])],
      diagnostics: quiet()
    })
    assert.deepStrictEqual(d.destinations, [net])
    // the sink's own view of itself still reaches each of its rows
    assert.deepStrictEqual(
      d.health().map((h) => [h.name, h.status]),
      [
        ["net", "degraded"],
        ["net", "degraded"]
      ]
    )
  })

  it.live("retries only what an asynchronous sink has not written yet, and counts each event once", () =>
    Effect.gen(function* () {
      const got: Array<string> = []
      let calls = 0
      const flaky: Sink.Sink = {
        name: "flaky",
        write: (batch) =>
          Effect.suspend(() => {
            calls++
            // two events per call, then a failure that says so
            const taken = messages(batch).slice(0, 2)
            got.push(...taken)
            return taken.length < batch.size
              ? Effect.fail(new SinkError({ sink: "flaky", reason: "slow", written: taken.length }))
              : Effect.void
          })
      }
      const d = new Dispatch({
        sinks: [flaky],
        diagnostics: quiet(),
        retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 }
      })
      yield* d.writeAsync(batchOf(5))
      assert.deepStrictEqual(got, ["m0", "m1", "m2", "m3", "m4"])
      assert.strictEqual(calls, 3)
      const [h] = d.health()
      assert.deepStrictEqual([h?.written, h?.failures, h?.toFallback, h?.undelivered], [5, 0, 0, 0])
    })
  )

  it.live("when retries run out after partial writes, only the rest goes to the fallback", () =>
    Effect.gen(function* () {
      const got: Array<string> = []
      const stuck: Sink.Sink = {
        name: "stuck",
        write: (batch) =>
          Effect.suspend(() => {
            const taken = got.length < 3 ? messages(batch).slice(0, 1) : []
            got.push(...taken)
            return Effect.fail(new SinkError({ sink: "stuck", reason: "no", written: taken.length }))
          })
      }
      const fallback = Sink.memory()
      const d = new Dispatch({
        sinks: [stuck],
        diagnostics: quiet(),
        fallback,
        retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 }
      })
      yield* d.writeAsync(batchOf(6))
      assert.deepStrictEqual(got, ["m0", "m1", "m2"])
      assert.deepStrictEqual(
        fallback.events().map((e) => e.message),
        ["m3", "m4", "m5"]
      )
      const [h] = d.health()
      assert.deepStrictEqual([h?.written, h?.toFallback, h?.undelivered, h?.failures], [3, 3, 0, 1])
    })
  )

  it("an open circuit sends the sink's part to the fallback without calling it; written counts successes", () => {
    let calls = 0
    const failing = Sink.makeSync("failing", () => {
      calls++
      throw new Error("down")
    })
    const fallback = Sink.memory()
    const d = new Dispatch({
      sinks: [failing, Sink.memory()],
      diagnostics: quiet(),
      fallback,
      circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 60_000 }
    })
    d.writeSync(batchOf(2))
    d.writeSync(batchOf(3))
    assert.strictEqual(calls, 1)
    const [f, m] = d.health()
    assert.deepStrictEqual([f?.status, f?.written, f?.toFallback], ["circuit-open", 0, 5])
    assert.deepStrictEqual([m?.status, m?.written], ["ok", 5])
  })
})

describe("Dispatch.spill", () => {
  const spilling = (answer: (batch: Sink.Batch) => boolean) => {
    const kept: Array<string> = []
    const sink: Sink.Sink = {
      name: "spooled",
      write: () => Effect.void,
      spill: (batch) => {
        const ok = answer(batch)
        if (ok) kept.push(...messages(batch))
        return ok
      }
    }
    return { sink, kept }
  }

  it("counts each sink's part as spilled, over the part its level takes", () => {
    const { sink, kept } = spilling(() => true)
    const d = new Dispatch({ sinks: [Sink.withMinLevel(sink, "warn")], diagnostics: quiet() })
    const failed = d.spill(
      new BatchImpl([recordOf(L.INFO, "i0"), recordOf(L.WARN, "w1"), recordOf(L.ERROR, "e2")])
    )
    assert.isUndefined(failed)
    assert.deepStrictEqual(kept, ["w1", "e2"])
    const [h] = d.health()
    assert.deepStrictEqual(
      [h?.written, h?.skipped, h?.spilled, h?.toFallback, h?.undelivered],
      [0, 1, 2, 0, 0]
    )
  })

  it("a spill that answers false names the sink; the sink counted what it gave up", () => {
    const { sink } = spilling(() => false)
    const d = new Dispatch({ sinks: [sink], diagnostics: quiet() })
    assert.strictEqual(d.spill(batchOf(3)), "spooled")
    const [h] = d.health()
    assert.deepStrictEqual([h?.spilled, h?.undelivered, h?.failures], [3, 0, 0])
  })

  it("a spill that throws is a failed write: its part goes to the fallback, or is undelivered", () => {
    const { sink } = spilling(() => {
      throw new Error("spill bug")
    })
    const fallback = Sink.memory()
    const d = new Dispatch({ sinks: [sink], diagnostics: quiet(), fallback })
    assert.strictEqual(d.spill(batchOf(3)), "spooled")
    assert.deepStrictEqual(
      fallback.events().map((e) => e.message),
      ["m0", "m1", "m2"]
    )
    const alone = new Dispatch({ sinks: [sink], diagnostics: quiet() })
    alone.spill(batchOf(2))
    const [h] = d.health()
    const [a] = alone.health()
    assert.deepStrictEqual([h?.spilled, h?.toFallback, h?.failures, d.sinkErrors], [0, 3, 1, 1])
    assert.deepStrictEqual([a?.spilled, a?.undelivered], [0, 2])
  })
})
