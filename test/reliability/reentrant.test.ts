import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Diagnostics } from "../../src/internal/diagnostics.js"
import * as L from "../../src/internal/level.js"
import * as Pipeline from "../../src/internal/pipeline.js"
import { recordOf } from "../../src/internal/record.js"
import * as Sink from "../../src/Sink.js"
import { runScript } from "../support/script.js"

/**
 * Each scenario runs in a child process: a logger that livelocks holds the thread, so no
 * timer (not even the test's own timeout) could stop it in this process. The child is killed
 * after `timeoutMs`; a scenario that returns proves that its timers fired.
 *
 * In every scenario something logs through the same logger on every batch, an endless chain,
 * until five ticks of a real 10 ms interval have fired; then the chain stops and the logger
 * closes. The result says how many ticks fired, how many batches the chain made, and the
 * logger's counters.
 */
const chain = (setup: string, timeoutMs = 30_000) => {
  const r = runScript(
    `
    import { Effect, Runtime } from "effect"
    import { createLogger, Fapilog, Processor, Sink } from "$FAPILOG"
    let chain = true
    let batches = 0
    let largest = 0
    const counted = Sink.makeSync("counted", (batch) => {
      batches++
      largest = Math.max(largest, batch.size)
    })
    const ticks = () =>
      new Promise<number>((resolve) => {
        let n = 0
        const t = setInterval(() => {
          if (++n === 5) {
            clearInterval(t)
            resolve(n)
          }
        }, 10)
      })
    ${setup}
    console.log(JSON.stringify({ ...result, batches, largest }))
    `,
    {},
    timeoutMs
  )
  assert.strictEqual(r.status, 0, `the child was killed or failed (a livelock holds the thread): ${r.stderr}`)
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as {
    readonly ticks: number
    readonly batches: number
    readonly largest: number
    readonly accepted: number
    readonly settled: number
    readonly refused: number
    readonly lost: number
  }
}

/** The timers fired, the chain ran over many batches of a few events each, and nothing went missing. */
const checkChain = (result: ReturnType<typeof chain>) => {
  assert.strictEqual(result.ticks, 5, "a 10 ms timer fired five times while the chain ran")
  assert.isAbove(result.batches, 5, "the chain went on in later batches")
  assert.isAtMost(result.largest, 2, "each batch took only what was logged before it")
  assert.strictEqual(result.refused, 0)
  assert.strictEqual(result.lost, 0)
  assert.strictEqual(result.settled, result.accepted, "every event of the chain was written")
}

describe("logging from inside the pipeline never livelocks", () => {
  it("a sink that logs through the Promise facade on every write", { timeout: 60_000 }, () => {
    checkChain(
      chain(`
        let log: Awaited<ReturnType<typeof createLogger>>
        const echo = Sink.makeSync("echo", () => {
          if (chain) log.info("again")
        })
        log = await createLogger({ sinks: [echo, counted] })
        log.info("start")
        const fired = await ticks()
        chain = false
        await log.close()
        const result = { ticks: fired, ...log.stats() }
      `)
    )
  })

  it("a sink that logs with Effect.log on every write", { timeout: 60_000 }, () => {
    checkChain(
      chain(`
        let runtime: Runtime.Runtime<never> | undefined
        const echo = Sink.makeSync("echo", () => {
          if (chain && runtime !== undefined) Runtime.runSync(runtime)(Effect.logInfo("again"))
        })
        const result = await Effect.runPromise(
          Effect.gen(function* () {
            runtime = yield* Effect.runtime<never>()
            yield* Effect.logInfo("start")
            const fired = yield* Effect.promise(ticks)
            chain = false
            yield* Fapilog.flush
            return { ticks: fired, ...(yield* Fapilog.stats) }
          }).pipe(Effect.provide(Fapilog.layer({ sinks: [echo, counted] })))
        )
      `)
    )
  })

  it("an enricher and a processor that log for every event they see", { timeout: 60_000 }, () => {
    checkChain(
      chain(`
        let log: Awaited<ReturnType<typeof createLogger>>
        log = await createLogger({
          sinks: [counted],
          // one event begets one: the enricher answers the processor's, and the other way round
          enrichers: [
            {
              name: "loud",
              enrich: (e) => {
                if (chain && e.message !== "from the enricher") log.info("from the enricher")
                return undefined
              }
            }
          ],
          processors: [
            Processor.make("loud", (e) => {
              if (chain && e.message === "from the enricher") log.warn("from the processor")
              return e
            })
          ]
        })
        log.info("start")
        const fired = await ticks()
        chain = false
        await log.close()
        const result = { ticks: fired, ...log.stats() }
      `)
    )
  })

  it("a toJSON, read late by the formatter, that logs itself again", { timeout: 60_000 }, () => {
    checkChain(
      chain(`
        let log: Awaited<ReturnType<typeof createLogger>>
        const value = {
          toJSON() {
            if (chain) log.info("again", { value })
            return "value"
          }
        }
        log = await createLogger({ sinks: [{ type: "file", path: "$DIR/out.log" }, counted], capture: "late" })
        log.info("start", { value })
        const fired = await ticks()
        chain = false
        await log.close()
        const result = { ticks: fired, ...log.stats() }
      `)
    )
  })
})

describe("events logged while a batch is written", () => {
  it.scoped("go to the next batch; past capacity in one batch they are refused as reentrant", () =>
    Effect.gen(function* () {
      const capacity = 16
      let logged = 0
      let largestBuffer = 0
      let p: Pipeline.Pipeline | undefined
      // every event written logs two more: without a bound, the work doubles on every batch
      const fanOut = Sink.makeSync("fan-out", (batch) => {
        for (let i = 0; i < batch.size * 2 && logged < 5000; i++) {
          logged++
          p?.offer(recordOf(L.INFO, "again"))
          // queued: the batch being written and the buffer behind it
          largestBuffer = Math.max(largestBuffer, (p?.stats().queued ?? 0) - batch.size)
        }
      })
      p = yield* Pipeline.make({
        name: "fan-out",
        level: "trace",
        capacity,
        shutdownTimeout: 1000,
        sinks: [fanOut],
        diagnostics: new Diagnostics("fan-out", () => {}, 0)
      })
      p.offer(recordOf(L.INFO, "start"))
      while (logged < 5000) yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      yield* p.flush
      const s = p.stats()
      assert.isAtMost(largestBuffer, capacity, "what one batch logs is bounded by capacity")
      assert.isAbove(s.refusedBy.reentrant?.info ?? 0, 0, "the rest was refused and counted")
      assert.strictEqual(s.accepted + s.refused, 5001, "every call accepted or refused")
      assert.strictEqual(s.settled, s.accepted, "everything accepted was written")
    })
  )
})
