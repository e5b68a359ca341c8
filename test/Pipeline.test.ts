import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, Scope } from "effect"
import { SinkError } from "../src/Errors.js"
import { Diagnostics } from "../src/internal/diagnostics.js"
import * as L from "../src/internal/level.js"
import * as Pipeline from "../src/internal/pipeline.js"
import { type StageProcessor, summaryRecord } from "../src/internal/processor.js"
import { Bindings, recordOf } from "../src/internal/record.js"
import * as Sink from "../src/Sink.js"

const event = (message: string, level: L.LevelInfo = L.INFO) =>
  recordOf(level, message, { time: Date.now(), logger: "test" })

/** A sync sink that records the size of every batch it was handed. */
const recording = () => {
  const batches: Array<Array<string>> = []
  const sink = Sink.makeSync("recording", (batch) => {
    batches.push(batch.events.map((e) => e.message))
  })
  return { sink, batches, messages: () => batches.flat() }
}

const quietDiagnostics = (lines: Array<string> = []) => new Diagnostics("test", (l) => lines.push(l), 0)

const options = (
  sinks: ReadonlyArray<Sink.Sink>,
  extra?: Partial<Pipeline.PipelineOptions>
): Pipeline.PipelineOptions => ({
  name: "test",
  level: "trace",
  capacity: 1000,
  shutdownTimeout: 1000,
  sinks,
  diagnostics: quietDiagnostics(),
  ...extra
})

describe("Pipeline", () => {
  it.scoped("keeps order and batches what was buffered between two worker runs", () =>
    Effect.gen(function* () {
      const r = recording()
      const p = yield* Pipeline.make(options([r.sink]))
      for (let i = 0; i < 100; i++) p.offer(event(`m${i}`))
      assert.strictEqual(r.batches.length, 0, "the caller does not write while there is room")
      yield* p.flush
      assert.deepStrictEqual(
        r.messages(),
        Array.from({ length: 100 }, (_, i) => `m${i}`)
      )
      assert.strictEqual(r.batches.length, 1, "100 buffered events become one batch")
      assert.deepStrictEqual(p.stats(), {
        accepted: 100,
        settled: 100,
        held: 0,
        queued: 0,
        refused: 0,
        refusedBy: {},
        lost: 0,
        lostBy: {},
        sinkErrors: 0,
        filtered: 0,
        filteredBy: {}
      })
    })
  )

  it.live("the worker writes on its own, without flush", () =>
    Effect.gen(function* () {
      const r = recording()
      const p = yield* Pipeline.make(options([r.sink]))
      p.offer(event("alone"))
      yield* Effect.sleep(10)
      assert.deepStrictEqual(r.messages(), ["alone"])
    }).pipe(Effect.scoped)
  )

  it.scoped("a synchronous caller facing a full buffer drains it inline, losing nothing", () =>
    Effect.gen(function* () {
      const r = recording()
      const p = yield* Pipeline.make(options([r.sink], { capacity: 10 }))
      for (let i = 0; i < 95; i++) p.offer(event(`m${i}`))
      assert.strictEqual(r.batches.length, 9, "nine full buffers were written by the caller")
      assert.isTrue(r.batches.every((b) => b.length === 10))
      yield* p.flush
      assert.strictEqual(r.messages().length, 95)
      assert.deepStrictEqual(
        r.messages(),
        Array.from({ length: 95 }, (_, i) => `m${i}`)
      )
    })
  )

  it.live("closing the scope writes every queued event before the sinks are released", () =>
    Effect.gen(function* () {
      const r = recording()
      const scope = yield* Scope.make()
      let writtenWhenReleased = -1
      // acquired first, as build.ts does with real sinks: released last
      yield* Scope.addFinalizer(
        scope,
        Effect.sync(() => (writtenWhenReleased = r.messages().length))
      )
      const p = yield* Pipeline.make(options([r.sink])).pipe(Scope.extend(scope))
      for (let i = 0; i < 500; i++) p.offer(event(`m${i}`))
      assert.strictEqual(r.messages().length, 0)
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(writtenWhenReleased, 500)
      p.offer(event("late"))
      assert.strictEqual(p.stats().refused, 1)
      assert.strictEqual(r.messages().length, 500)
    })
  )

  it.live("asynchronous sinks run in parallel and flush waits for them", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const slow: Sink.Sink = {
        name: "slow",
        write: (batch) =>
          Effect.sleep(20).pipe(Effect.andThen(() => seen.push(...batch.events.map((e) => e.message))))
      }
      const r = recording()
      const p = yield* Pipeline.make(options([slow, r.sink], { capacity: 2 }))
      for (let i = 0; i < 5; i++) p.offer(event(`m${i}`))
      assert.strictEqual(r.messages().length, 4, "the sync sink got the inline drains at once")
      yield* p.flush
      assert.deepStrictEqual(seen, ["m0", "m1", "m2", "m3", "m4"])
      assert.strictEqual(p.stats().settled, 5)
    }).pipe(Effect.scoped)
  )

  it.live("a hanging asynchronous sink is bounded by the shutdown timeout and the loss is counted", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const hang: Sink.Sink = { name: "hang", write: () => Effect.never }
      const scope = yield* Scope.make()
      const p = yield* Pipeline.make(
        options([hang], { shutdownTimeout: 50, diagnostics: quietDiagnostics(lines) })
      ).pipe(Scope.extend(scope))
      for (let i = 0; i < 3; i++) p.offer(event(`m${i}`))
      const started = Date.now()
      yield* Scope.close(scope, Exit.void)
      assert.isBelow(Date.now() - started, 5000)
      assert.strictEqual(p.stats().lost, 3)
      assert.isTrue(lines.some((l) => l.includes("3 accepted events were lost")))
    })
  )

  it.live("a failing sink is reported and never affects the caller or the other sinks", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const throwing = Sink.makeSync("throwing", () => {
        throw new Error("EPIPE")
      })
      const rejecting: Sink.Sink = {
        name: "rejecting",
        write: () => Effect.fail(new SinkError({ sink: "rejecting", reason: "down" }))
      }
      const r = recording()
      const p = yield* Pipeline.make(
        options([throwing, rejecting, r.sink], {
          diagnostics: quietDiagnostics(lines),
          retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 }
        })
      )
      p.offer(event("survives"))
      yield* p.flush
      assert.deepStrictEqual(r.messages(), ["survives"])
      assert.strictEqual(p.stats().sinkErrors, 2)
      assert.isTrue(lines.some((l) => l.includes("sink throwing")))
      assert.isTrue(lines.some((l) => l.includes("sink rejecting")))
    }).pipe(Effect.scoped)
  )

  it.scoped("a sink that logs while writing does not re-enter the drain", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      let p: Pipeline.Pipeline | undefined
      const reentrant = Sink.makeSync("reentrant", (batch) => {
        for (const e of batch.events) {
          seen.push(e.message)
          if (e.message === "first") p?.offer(event("from inside the sink"))
        }
      })
      p = yield* Pipeline.make(options([reentrant], { capacity: 1 }))
      p.offer(event("first"))
      yield* p.flush
      assert.deepStrictEqual(seen, ["first", "from inside the sink"])
    })
  )

  it.scoped("the level threshold can change at run time", () =>
    Effect.gen(function* () {
      const p = yield* Pipeline.make(options([Sink.discard], { level: "warn" }))
      assert.strictEqual(p.minRank, L.WARN.rank)
      p.setLevel("debug")
      assert.strictEqual(p.minRank, L.DEBUG.rank)
    })
  )

  it.live("many independent pipelines in one process share nothing", () =>
    Effect.gen(function* () {
      const sinks = Array.from({ length: 20 }, () => recording())
      const pipelines = yield* Effect.forEach(sinks, (r) => Pipeline.make(options([r.sink])))
      yield* Effect.forEach(
        pipelines,
        (p, i) =>
          Effect.sync(() => {
            for (let n = 0; n <= i; n++) p.offer(event(`p${i}`))
          }),
        { concurrency: "unbounded" }
      )
      yield* Effect.forEach(pipelines, (p) => p.flush)
      sinks.forEach((r, i) => {
        assert.strictEqual(r.messages().length, i + 1)
        assert.isTrue(r.messages().every((m) => m === `p${i}`))
      })
    }).pipe(Effect.scoped)
  )

  it.live("drainOnExit writes what is buffered synchronously and counts async work as lost", () =>
    Effect.gen(function* () {
      const r = recording()
      const lines: Array<string> = []
      const never: Sink.Sink = { name: "never", write: () => Effect.never }
      const p = yield* Pipeline.make(options([r.sink, never], { diagnostics: quietDiagnostics(lines) }))
      p.offer(event("a"))
      p.offer(event("b"))
      p.drainOnExit()
      assert.deepStrictEqual(r.messages(), ["a", "b"])
      assert.strictEqual(p.stats().lost, 2)
    }).pipe(Effect.scoped)
  )
})

describe("Pipeline close", () => {
  it.live("events accepted while the worker finishes are written to asynchronous sinks, not lost", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      let p: Pipeline.Pipeline | undefined
      const async: Sink.Sink = {
        name: "async",
        write: (batch) =>
          Effect.sync(() => {
            for (const e of batch.events) {
              seen.push(e.message)
              // a sink (or a finalizer) that logs while the pipeline is closing
              if (e.message === "last") p?.offer(event("straggler"))
            }
          })
      }
      const scope = yield* Scope.make()
      p = yield* Pipeline.make(options([async])).pipe(Scope.extend(scope))
      p.offer(event("last"))
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(seen, ["last", "straggler"])
      assert.strictEqual(p.stats().lost, 0)
    })
  )
})

describe("Pipeline stages", () => {
  it.scoped("built-in enrichment and custom enrichers add fields below the caller's", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const lines: Array<string> = []
      const enrichment = Bindings.extend(undefined, { service: "api", hostname: "h1" })
      const p = yield* Pipeline.make(
        options([memory], {
          diagnostics: quietDiagnostics(lines),
          enrichment: () => enrichment,
          enrichers: [
            { name: "region", enrich: () => ({ region: "eu-1", service: "from-enricher" }) },
            {
              name: "broken",
              enrich: () => {
                throw new Error("enricher bug")
              }
            }
          ]
        })
      )
      p.offer(recordOf(L.INFO, "m", { time: Date.now(), logger: "t", fields: { hostname: "caller" } }))
      yield* p.flush
      assert.deepStrictEqual(memory.events()[0]?.fields, {
        service: "from-enricher",
        hostname: "caller",
        region: "eu-1"
      })
      assert.isTrue(lines.some((l) => l.includes("enricher broken")))
    })
  )

  it.scoped("processors drop events, emit summaries on tick and are counted", () =>
    Effect.gen(function* () {
      const r = recording()
      let dropped = 0
      const everyOther: StageProcessor = {
        name: "every-other",
        order: 0,
        process: (records) => {
          const kept = records.filter((_, i) => i % 2 === 0)
          dropped += records.length - kept.length
          return kept
        },
        tick: (now, emit) => {
          if (dropped > 0) emit(summaryRecord(now, L.INFO, `dropped ${dropped}`, { dropped }))
          dropped = 0
        }
      }
      const failing: StageProcessor = {
        name: "failing",
        order: 1,
        process: () => {
          throw new Error("processor bug")
        }
      }
      const p = yield* Pipeline.make(options([r.sink], { processors: [everyOther, failing] }))
      for (let i = 0; i < 10; i++) p.offer(event(`m${i}`))
      yield* p.flush
      assert.deepStrictEqual(r.messages(), ["m0", "m2", "m4", "m6", "m8"])
      p.tick()
      yield* p.flush
      yield* Effect.yieldNow()
      assert.strictEqual(r.messages().at(-1), "dropped 5")
      assert.deepStrictEqual(
        { ...p.stats(), sinkErrors: 0 },
        {
          accepted: 10,
          settled: 10,
          held: 0,
          queued: 0,
          refused: 0,
          refusedBy: {},
          lost: 0,
          lostBy: {},
          sinkErrors: 0,
          filtered: 5,
          filteredBy: { "every-other": 5 }
        }
      )
    })
  )
})

/** An asynchronous sink stalled until `open`, that can spill (when `spillOk` says so). */
const stalledSpilling = (spillOk: () => boolean) =>
  Effect.map(Deferred.make<void>(), (gate) => {
    const written: Array<string> = []
    const spilled: Array<string> = []
    const sink: Sink.Sink = {
      name: "spilling",
      write: (batch) =>
        Effect.zipRight(
          Deferred.await(gate),
          Effect.sync(() => written.push(...batch.events.map((e) => e.message)))
        ),
      spill: (batch) => {
        if (!spillOk()) return false
        spilled.push(...batch.events.map((e) => e.message))
        return true
      }
    }
    return { sink, written, spilled, open: Deferred.succeed(gate, undefined) }
  })

describe("Pipeline: asynchronous sinks that take none of a batch", () => {
  it.live("an asynchronous sink under a level holds nothing back: a burst below it is never refused", () =>
    Effect.gen(function* () {
      const s = yield* stalledSpilling(() => false)
      const r = recording()
      // the stalled sink takes errors only; capacity 2 means a backlog of 8 events at most
      const p = yield* Pipeline.make(options([r.sink, Sink.withMinLevel(s.sink, "error")], { capacity: 2 }))
      for (let i = 0; i < 50; i++) p.offer(event(`m${i}`))
      const burst = p.stats()
      assert.strictEqual(burst.refused, 0, "no batch waits behind a sink that takes none of it")
      assert.strictEqual(burst.settled, 50)
      // an error after the burst still waits for its sink, and settles in order
      p.offer(event("failed", L.ERROR))
      for (let i = 0; i < 3; i++) p.offer(event(`after${i}`))
      p.drainSync()
      assert.isBelow(p.stats().settled, 54, "the error's batch waits for the stalled sink")
      yield* s.open
      yield* p.flush
      assert.strictEqual(p.stats().settled, 54)
      assert.deepStrictEqual(s.written, ["failed"])
      assert.strictEqual(r.messages().length, 54)
    }).pipe(Effect.scoped)
  )
})

describe("Pipeline spill", () => {
  it.live("past the full backlog under block, batches go to the sinks' spill; they settle in order", () =>
    Effect.gen(function* () {
      const s = yield* stalledSpilling(() => true)
      const p = yield* Pipeline.make(options([s.sink], { capacity: 2 }))
      for (let i = 0; i < 30; i++) p.offer(event(`m${i}`))
      const mid = p.stats()
      assert.strictEqual(mid.refused, 0)
      assert.isAbove(s.spilled.length, 0)
      assert.isBelow(mid.settled, mid.accepted, "spilled batches wait for the ones queued before them")
      yield* s.open
      yield* p.flush
      assert.strictEqual(p.stats().settled, 30)
      assert.deepStrictEqual(
        [...s.written, ...s.spilled].sort(),
        Array.from({ length: 30 }, (_, i) => `m${i}`).sort(),
        "each event once, written or spilled"
      )
    }).pipe(Effect.scoped)
  )

  it.live("a spill that fails makes calls past the backlog refused again, until it has room", () =>
    Effect.gen(function* () {
      let budget = 4
      const s = yield* stalledSpilling(() => budget-- > 0)
      const p = yield* Pipeline.make(options([s.sink], { capacity: 2 }))
      for (let i = 0; i < 60; i++) p.offer(event(`m${i}`))
      const mid = p.stats()
      assert.isAbove(mid.refusedBy.overflow?.info ?? 0, 0)
      assert.strictEqual(mid.accepted + mid.refused, 60)
      yield* s.open
      yield* p.flush
      budget = 100
      for (let i = 0; i < 10; i++) p.offer(event(`n${i}`))
      yield* p.flush
      assert.strictEqual(p.stats().refused, mid.refused, "room again: accepted")
    }).pipe(Effect.scoped)
  )

  it.live("without a spill on every asynchronous sink, calls past the backlog are refused as before", () =>
    Effect.gen(function* () {
      const s = yield* stalledSpilling(() => true)
      const plain: Sink.Sink = { name: "plain", write: () => Effect.void }
      const p = yield* Pipeline.make(options([s.sink, plain], { capacity: 2 }))
      for (let i = 0; i < 30; i++) p.offer(event(`m${i}`))
      assert.isAbove(p.stats().refused, 0)
      assert.strictEqual(s.spilled.length, 0)
      yield* s.open
    }).pipe(Effect.scoped)
  )
  it.live(
    "a spill that throws costs no event: its batches go to the fallback, and every event is counted once",
    () =>
      Effect.gen(function* () {
        const s = yield* stalledSpilling(() => {
          throw new Error("spill bug")
        })
        const fallback = Sink.memory()
        const p = yield* Pipeline.make(options([s.sink], { capacity: 2, fallback }))
        for (let i = 0; i < 30; i++) p.offer(event(`m${i}`))
        yield* s.open
        yield* p.flush
        const { stats, sinks } = p.health()
        const h = sinks[0]!
        // the pipeline's own summary of refusals, if its timer fired, is written too: not a call
        const summaries = [...s.written, ...fallback.events().map((e) => e.message)].filter(
          (m) => !m.startsWith("m")
        ).length
        assert.isAbove(h.toFallback, 0, "the spilled-past-the-backlog batch went to the fallback")
        assert.strictEqual(h.spilled, 0)
        assert.strictEqual(h.written + h.spilled + h.toFallback + h.undelivered, stats.accepted + summaries)
        assert.deepStrictEqual(
          [...s.written, ...fallback.events().map((e) => e.message)].filter((m) => m.startsWith("m")).sort(),
          Array.from({ length: stats.accepted }, (_, i) => `m${i}`).sort()
        )
      }).pipe(Effect.scoped)
  )

  it.live("spilled events are counted per sink: written + spilled = accepted", () =>
    Effect.gen(function* () {
      const s = yield* stalledSpilling(() => true)
      const p = yield* Pipeline.make(options([s.sink], { capacity: 2 }))
      for (let i = 0; i < 30; i++) p.offer(event(`m${i}`))
      yield* s.open
      yield* p.flush
      const h = p.health().sinks[0]!
      assert.deepStrictEqual([h.written, h.spilled], [s.written.length, s.spilled.length])
      assert.strictEqual(h.written + h.spilled, 30)
    }).pipe(Effect.scoped)
  )
})

describe("Pipeline and sinks under a level or a route", () => {
  /** An asynchronous sink that delivers in the background until `open`, and says it lost 7 events. */
  const background = Effect.map(Deferred.make<void>(), (gate) => {
    const sink: Sink.Sink = {
      name: "net",
      write: () => Effect.void,
      flush: Deferred.await(gate),
      health: () => ({ status: "circuit-open", lost: 7 })
    }
    return { sink, open: Deferred.succeed(gate, undefined) }
  })

  for (const [what, wrap] of [
    ["a level", (s: Sink.Sink) => Sink.withMinLevel(s, "warn")],
    ["a route", (s: Sink.Sink) => Sink.route([{ levels: ["warn", "error"], sinks: [s] }])]
  ] as const)
    it.live(`a sink under ${what} keeps its flush, health and losses`, () =>
      Effect.gen(function* () {
        const net = yield* background
        const p = yield* Pipeline.make(options([wrap(net.sink)]))
        p.offer(event("w", L.WARN))
        const flushing = yield* Effect.fork(p.flush)
        yield* Effect.sleep(20)
        assert.isTrue(Option.isNone(yield* Fiber.poll(flushing)), "flush waits for the sink's deliveries")
        yield* net.open
        yield* Fiber.join(flushing)
        const h = p.health()
        assert.deepStrictEqual(h.stats.lostBy, { net: 7 })
        assert.strictEqual(h.stats.lost, 7)
        assert.strictEqual(h.sinks[0]?.status, "circuit-open")
      }).pipe(Effect.scoped)
    )

  it.live("a spilling sink under a level spills only its part", () =>
    Effect.gen(function* () {
      const s = yield* stalledSpilling(() => true)
      const p = yield* Pipeline.make(options([Sink.withMinLevel(s.sink, "warn")], { capacity: 2 }))
      for (let i = 0; i < 30; i++) p.offer(event(`m${i}`, i % 2 === 0 ? L.WARN : L.INFO))
      assert.strictEqual(p.stats().refused, 0, "the backlog is full, and the sink under its level spills")
      yield* s.open
      yield* p.flush
      const h = p.health().sinks[0]!
      assert.isAbove(h.spilled, 0)
      assert.isTrue([...s.written, ...s.spilled].every((m) => Number(m.slice(1)) % 2 === 0))
      assert.deepStrictEqual([h.written + h.spilled, h.skipped], [15, 15])
    }).pipe(Effect.scoped)
  )
})

describe("Pipeline fault isolation", () => {
  it.live("an asynchronous sink is retried on its Schedule and succeeds without loss", () =>
    Effect.gen(function* () {
      let attempts = 0
      const seen: Array<string> = []
      const flaky: Sink.Sink = {
        name: "flaky",
        write: (batch) =>
          Effect.suspend(() =>
            ++attempts < 3
              ? Effect.fail(new SinkError({ sink: "flaky", reason: "503" }))
              : Effect.sync(() => seen.push(...batch.events.map((e) => e.message)))
          )
      }
      const p = yield* Pipeline.make(
        options([flaky], { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } })
      )
      p.offer(event("once"))
      yield* p.flush
      assert.deepStrictEqual(seen, ["once"], "delivered once, after two failures")
      assert.strictEqual(p.health().sinks[0]?.status, "ok")
      assert.strictEqual(p.stats().sinkErrors, 0)
    }).pipe(Effect.scoped)
  )

  it.live("a failing sink's batches go to the fallback; the circuit opens and later probes", () =>
    Effect.gen(function* () {
      let healthy = false
      let calls = 0
      const fallback = Sink.memory()
      const broken = Sink.makeSync("broken", () => {
        calls++
        if (!healthy) throw new Error("EACCES")
      })
      const p = yield* Pipeline.make(
        options([broken], {
          fallback,
          capacity: 1,
          circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 30 }
        })
      )
      for (let i = 0; i < 5; i++) p.offer(event(`m${i}`))
      yield* p.flush
      assert.deepStrictEqual(
        fallback.events().map((e) => e.message),
        ["m0", "m1", "m2", "m3", "m4"],
        "nothing the broken sink refused is lost"
      )
      assert.strictEqual(calls, 2, "after two failures the circuit is open and the sink is not called")
      const h = p.health()
      assert.strictEqual(h.sinks[0]?.status, "circuit-open")
      assert.strictEqual(h.sinks[0]?.toFallback, 5)
      assert.strictEqual(h.status, "failing")
      healthy = true
      yield* Effect.sleep(40)
      p.offer(event("probe"))
      yield* p.flush
      assert.strictEqual(calls, 3)
      assert.strictEqual(p.health().sinks[0]?.status, "ok")
      assert.strictEqual(p.health().status, "ok")
    }).pipe(Effect.scoped)
  )

  it.scoped("without a fallback, what a failing sink could not write is counted as undelivered", () =>
    Effect.gen(function* () {
      const broken = Sink.makeSync("broken", () => {
        throw new Error("ENOSPC")
      })
      const p = yield* Pipeline.make(options([broken]))
      p.offer(event("a"))
      p.offer(event("b"))
      yield* p.flush
      assert.strictEqual(p.health().sinks[0]?.undelivered, 2)
      assert.strictEqual(p.health().sinks[0]?.status, "degraded")
    })
  )
})
