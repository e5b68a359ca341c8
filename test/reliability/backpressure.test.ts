import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Scope } from "effect"
import { createLogger, Fapilog, Sink } from "../../src/index.js"
import { Diagnostics } from "../../src/internal/diagnostics.js"
import * as L from "../../src/internal/level.js"
import * as Pipeline from "../../src/internal/pipeline.js"
import { recordOf } from "../../src/internal/record.js"

const quiet = () => new Diagnostics("bp", () => {}, 0)

const memoryPipeline = (overflow: Pipeline.OverflowPolicy, extra: Partial<Pipeline.PipelineOptions> = {}) => {
  const memory = Sink.memory()
  return Effect.map(
    Pipeline.make({
      name: "bp",
      level: "trace",
      capacity: 4,
      shutdownTimeout: 1000,
      sinks: [memory],
      diagnostics: quiet(),
      overflow,
      ...extra
    }),
    (p) => ({ p, memory })
  )
}

/**
 * A network-style sink that holds every write until `gate` opens; `delivered()` counts the
 * events with `message` it received (fapilog's own summaries reach it too).
 */
const stalledSink = (message: string) =>
  Effect.map(Deferred.make<void>(), (gate) => {
    let count = 0
    const stalled: Sink.Sink = {
      name: "stalled",
      write: (batch) =>
        Effect.zipRight(
          Deferred.await(gate),
          Effect.sync(() => (count += batch.events.filter((e) => e.message === message).length))
        )
    }
    return { gate, stalled, delivered: () => count }
  })

const messages = (m: Sink.MemorySink) => m.events().map((e) => e.message)

describe("overflow policies", () => {
  it.scoped("drop-newest refuses new unprotected events; protected ones evict the newest unprotected", () =>
    Effect.gen(function* () {
      const { p, memory } = yield* memoryPipeline("drop-newest")
      for (let i = 0; i < 6; i++) p.offer(recordOf(L.INFO, `i${i}`))
      p.offer(recordOf(L.ERROR, "e"))
      yield* p.flush
      assert.deepStrictEqual(messages(memory), ["i0", "i1", "i2", "e"])
      const s = p.stats()
      assert.deepStrictEqual(s.refusedBy, { overflow: { info: 3 } })
      assert.strictEqual(s.accepted + s.refused, 7, "every call is accepted or refused")
      assert.strictEqual(s.settled, s.accepted)
    })
  )

  it.scoped("drop-oldest evicts the oldest unprotected events and keeps order", () =>
    Effect.gen(function* () {
      const { p, memory } = yield* memoryPipeline("drop-oldest")
      p.offer(recordOf(L.ERROR, "e0"))
      for (let i = 0; i < 6; i++) p.offer(recordOf(L.INFO, `i${i}`))
      p.offer(recordOf(L.FATAL, "f"))
      yield* p.flush
      assert.deepStrictEqual(messages(memory), ["e0", "i4", "i5", "f"])
      assert.deepStrictEqual(p.stats().refusedBy, { overflow: { info: 4 } })
    })
  )

  it.scoped(
    "when every buffered event is protected, protected events still go in and lower ones are refused",
    () =>
      Effect.gen(function* () {
        const { p, memory } = yield* memoryPipeline("drop-oldest", { protectedLevel: "warn" })
        for (let i = 0; i < 5; i++) p.offer(recordOf(L.WARN, `w${i}`))
        p.offer(recordOf(L.DEBUG, "d"))
        p.offer(recordOf(L.AUDIT, "a"))
        yield* p.flush
        assert.deepStrictEqual(messages(memory), ["w0", "w1", "w2", "w3", "w4", "a"])
        assert.deepStrictEqual(p.stats().refusedBy, { overflow: { debug: 1 } })
      })
  )

  it.scoped("block never refuses with synchronous sinks: the caller drains inline", () =>
    Effect.gen(function* () {
      const { p, memory } = yield* memoryPipeline("block")
      for (let i = 0; i < 100; i++) p.offer(recordOf(L.INFO, `i${i}`))
      yield* p.flush
      assert.strictEqual(memory.events().length, 100)
      assert.strictEqual(p.stats().refused, 0)
    })
  )

  it.live("a summary event says what was refused", () =>
    Effect.gen(function* () {
      const { p, memory } = yield* memoryPipeline("drop-newest")
      for (let i = 0; i < 10; i++) p.offer(recordOf(L.INFO, `i${i}`))
      p.tick()
      yield* p.flush
      yield* Effect.sleep(5)
      const summary = memory.events().find((e) => e.message === "events refused or lost")
      assert.deepStrictEqual(summary?.fields, {
        processor: "pipeline",
        refused: 6,
        lost: 0,
        refusedSinceStart: { overflow: { info: 6 } }
      })
      assert.strictEqual(summary?.logger, "fapilog")
    }).pipe(Effect.scoped)
  )
})

describe("bounded memory with a stalled network-style sink", () => {
  it.live("a 10x-capacity burst keeps the backlog bounded and the counts add up", () =>
    Effect.gen(function* () {
      const { gate, stalled, delivered } = yield* stalledSink("burst")
      const capacity = 1000
      const scope = yield* Scope.make()
      const p = yield* Pipeline.make({
        name: "burst",
        level: "trace",
        capacity,
        shutdownTimeout: 5000,
        sinks: [stalled],
        diagnostics: quiet()
      }).pipe(Scope.extend(scope))
      const before = process.memoryUsage().heapUsed
      const calls = 10 * capacity * 10
      for (let i = 0; i < calls; i++)
        p.offer(recordOf(i % 100 === 0 ? L.ERROR : L.INFO, "burst", { fields: { i } }))
      const s = p.stats()
      // the backlog of the asynchronous sink, the buffer, and protected events (never refused)
      assert.isAtMost(s.queued, capacity * 4 + capacity + calls / 100, "bounded")
      assert.strictEqual(s.accepted + s.refused, calls)
      assert.isUndefined(s.refusedBy.overflow?.error, "protected events are never refused")
      assert.isBelow(process.memoryUsage().heapUsed - before, 200 * 1024 * 1024)
      yield* Deferred.succeed(gate, undefined)
      yield* Scope.close(scope, Exit.void)
      const end = p.stats()
      assert.strictEqual(delivered(), end.accepted, "every accepted event reached the sink")
      assert.strictEqual(end.settled + end.lost, end.accepted)
      assert.strictEqual(end.lost, 0)
    })
  )

  it.live("Effect callers of Fapilog.* wait for room under block instead of being refused", () =>
    Effect.gen(function* () {
      const { gate, stalled, delivered } = yield* stalledSink("e")
      const program = Effect.gen(function* () {
        const fiber = yield* Effect.fork(
          Effect.forEach(
            Array.from({ length: 50 }, (_, i) => i),
            (i) => Fapilog.info("e", { i })
          )
        )
        yield* Effect.sleep(50)
        const mid = yield* Fapilog.stats
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(fiber)
        yield* Fapilog.flush
        return { mid, end: yield* Fapilog.stats }
      })
      const { mid, end } = yield* program.pipe(
        Effect.provide(Fapilog.layer({ sinks: [stalled], capacity: 2 }))
      )
      assert.isBelow(mid.accepted, 50, "the caller was suspended")
      assert.strictEqual(end.refused, 0)
      assert.strictEqual(delivered(), 50)
    })
  )
})

describe("overflow settings", () => {
  it("createLogger takes overflow and protectedLevel", async () => {
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      capacity: 2,
      overflow: "drop-newest",
      protectedLevel: "warn"
    })
    for (let i = 0; i < 5; i++) log.info("i")
    log.warn("kept")
    await log.close()
    // the protected warn took the place of the newest buffered info
    assert.deepStrictEqual(
      memory.events().map((e) => e.message),
      ["i", "kept", "events refused or lost"]
    )
    assert.strictEqual(log.stats().refused, 4)
  })
})

describe("review fixes", () => {
  it.live("many Fapilog.* fibers waiting under block are all admitted, none refused", () =>
    Effect.gen(function* () {
      const { gate, stalled, delivered } = yield* stalledSink("e")
      const program = Effect.gen(function* () {
        const fibers = yield* Effect.forkAll(Array.from({ length: 200 }, (_, i) => Fapilog.info("e", { i })))
        yield* Effect.sleep(20)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(fibers)
        yield* Fapilog.flush
        return yield* Fapilog.stats
      })
      const end = yield* program.pipe(Effect.provide(Fapilog.layer({ sinks: [stalled], capacity: 2 })))
      assert.strictEqual(end.refused, 0)
      assert.strictEqual(delivered(), 200)
    })
  )

  it.live(
    "a storm of Fapilog.* fibers into a slow asynchronous sink: all written in call order, counts add up",
    () =>
      Effect.gen(function* () {
        const fibers = 5000
        const seen: Array<number> = []
        let batches = 0
        const slow: Sink.Sink = {
          name: "slow",
          write: (batch) =>
            Effect.sleep(1).pipe(
              Effect.zipRight(
                Effect.sync(() => {
                  batches++
                  for (const e of batch.events) if (e.message === "storm") seen.push(e.fields.i as number)
                })
              )
            )
        }
        const program = Effect.gen(function* () {
          yield* Effect.forEach(
            Array.from({ length: fibers }, (_, i) => i),
            (i) => Fapilog.info("storm", { i }),
            { concurrency: "unbounded", discard: true }
          )
          yield* Fapilog.flush
          return yield* Fapilog.stats
        })
        const end = yield* program.pipe(Effect.provide(Fapilog.layer({ sinks: [slow], capacity: 8 })))
        assert.isAbove(batches, fibers / (8 * 5), "the backlog (4 x capacity) kept callers waiting")
        assert.strictEqual(end.refused, 0)
        assert.strictEqual(end.lost, 0)
        assert.strictEqual(end.accepted, fibers)
        assert.strictEqual(end.settled, end.accepted)
        assert.deepStrictEqual(
          seen,
          Array.from({ length: fibers }, (_, i) => i),
          "waiting callers were admitted oldest first"
        )
      })
  )

  it.scoped("the fallback receives only what a level-filtered sink was meant to get", () =>
    Effect.gen(function* () {
      const fallback = Sink.memory()
      const broken = Sink.withMinLevel(
        Sink.makeSync("broken", () => {
          throw new Error("EIO")
        }),
        "error"
      )
      const p = yield* Pipeline.make({
        name: "fb",
        level: "trace",
        capacity: 100,
        shutdownTimeout: 1000,
        sinks: [broken],
        diagnostics: quiet(),
        fallback
      })
      p.offer(recordOf(L.INFO, "info"))
      p.offer(recordOf(L.ERROR, "error"))
      yield* p.flush
      assert.deepStrictEqual(
        fallback.events().map((e) => e.message),
        ["error"]
      )
    })
  )
})
