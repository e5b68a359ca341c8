/**
 * A storm of waiting fibers, one case per process:
 * `node --expose-gc --import tsx bench/storm.ts <case> <fibers> <file>`.
 *
 * `<fibers>` fibers are forked at once, each making one call, into a logger whose only sink
 * is asynchronous and slow: every batch takes BENCH_STORM_SINK_MS (default 20) ms before it
 * is appended to `<file>`. Under `overflow: "block"` (the default) the callers outrun the
 * sink by far, so most of them wait for room in the backlog; what is measured is what that
 * waiting costs over the sink's own time.
 *
 * - `storm-info`: each fiber calls `Fapilog.info(message, { i })`; they suspend while the
 *   backlog is full. Every call must be written: `refused` and `lost` must be 0.
 *
 * - `storm-floor`: no logger; the floor Effect sets for the same fibers (see {@link floor}).
 *
 * Reports the total time from the first fork to the end of the flush, the sink's own time
 * (its batches × BENCH_STORM_SINK_MS: the floor any logger pays), their ratio, the wall time
 * its writes took (longer than their own time when the event loop is kept busy), the peak heapUsed
 * (sampled every 10 ms), and the counts, checked: `calls = accepted + refused` and
 * `accepted = written + lost`, where `written` is what the sink appended of the calls (the
 * runner checks the file holds every line the sink wrote).
 */
import * as fs from "node:fs"
import { Effect } from "effect"
import { type CaseResult, caseArgs, fapilog, MESSAGE, runCase } from "./common.js"

const { Fapilog } = fapilog
const { name, n: N, file } = caseArgs("storm.ts")
const SINK_MS = Number(process.env.BENCH_STORM_SINK_MS ?? 20)
const MiB = 1024 * 1024

/** The slow asynchronous sink: each batch waits SINK_MS, then its lines are appended to `file`. */
const slowSink = () => {
  const fd = fs.openSync(file, "a")
  let written = 0
  let batches = 0
  let writeMs = 0
  const sink: import("../src/Sink.js").Sink = {
    name: "slow",
    write: (batch) =>
      Effect.promise(async () => {
        const start = performance.now()
        await new Promise((resolve) => setTimeout(resolve, SINK_MS))
        let text = ""
        for (const e of batch.events) text += `${JSON.stringify({ message: e.message, i: e.fields.i })}\n`
        fs.writeSync(fd, text)
        written += batch.events.length
        batches++
        writeMs += performance.now() - start
      })
  }
  return {
    sink,
    // the sink's own time: what its writes would take with nothing else running
    counts: () => ({ written, batches, sinkMs: batches * SINK_MS, writeMs }),
    close: () => fs.closeSync(fd)
  }
}

const storm = async (): Promise<CaseResult> => {
  const slow = slowSink()
  let peakHeap = process.memoryUsage().heapUsed
  const sampler = setInterval(() => {
    const heap = process.memoryUsage().heapUsed
    if (heap > peakHeap) peakHeap = heap
  }, 10)
  const program = Effect.gen(function* () {
    const start = performance.now()
    yield* Effect.forEach(
      Array.from({ length: N }, (_, i) => i),
      (i) => Fapilog.info(MESSAGE, { i }),
      {
        concurrency: "unbounded",
        discard: true
      }
    )
    yield* Fapilog.flush
    const ms = performance.now() - start
    return { ms, stats: yield* Fapilog.stats }
  })
  const { ms, stats } = await Effect.runPromise(
    program.pipe(Effect.provide(Fapilog.layer({ sinks: [slow.sink], level: "info" })))
  )
  clearInterval(sampler)
  slow.close()
  const { written, batches, sinkMs, writeMs } = slow.counts()
  // fapilog's own summary of refusals, if any, reaches the sink too: count the calls only
  const calls = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.includes(`"message":${JSON.stringify(MESSAGE)}`)).length
  if (stats.accepted + stats.refused !== N || stats.accepted !== calls + stats.lost)
    throw new Error(
      `counts do not add up: ${N} calls, accepted ${stats.accepted}, written ${calls}, refused ${stats.refused}, lost ${stats.lost}`
    )
  return {
    case: name,
    expectedLines: written,
    metrics: {
      fibers: N,
      ms,
      sinkMs,
      writeMs,
      vsSink: ms / sinkMs,
      batches,
      peakHeapMiB: peakHeap / MiB,
      accepted: stats.accepted,
      written: calls,
      refused: stats.refused,
      lost: stats.lost
    }
  }
}

/**
 * The floor Effect itself sets: the same fibers, each suspended once and resumed in groups of
 * the logger's capacity, one group per SINK_MS, with the same lines appended, and no logger.
 * What `storm-info` costs above this is fapilog's.
 */
const floor = async (): Promise<CaseResult> => {
  const fd = fs.openSync(file, "a")
  const GROUP = 1024
  const waiting: Array<() => void> = []
  let written = 0
  let batches = 0
  let peakHeap = process.memoryUsage().heapUsed
  const sampler = setInterval(() => {
    const heap = process.memoryUsage().heapUsed
    if (heap > peakHeap) peakHeap = heap
  }, 10)
  const gate = setInterval(() => {
    const group = waiting.splice(0, GROUP)
    if (group.length === 0) return
    let text = ""
    for (let k = 0; k < group.length; k++) text += `${JSON.stringify({ message: MESSAGE, i: written + k })}\n`
    fs.writeSync(fd, text)
    written += group.length
    batches++
    for (const resume of group) resume()
  }, SINK_MS)
  const start = performance.now()
  await Effect.runPromise(
    Effect.forEach(
      Array.from({ length: N }, (_, i) => i),
      () => Effect.async<void>((resume) => void waiting.push(() => resume(Effect.void))),
      { concurrency: "unbounded", discard: true }
    )
  )
  const ms = performance.now() - start
  clearInterval(gate)
  clearInterval(sampler)
  fs.closeSync(fd)
  return {
    case: name,
    expectedLines: written,
    metrics: {
      fibers: N,
      ms,
      sinkMs: batches * SINK_MS,
      vsSink: ms / (batches * SINK_MS),
      batches,
      peakHeapMiB: peakHeap / MiB
    }
  }
}

await runCase(name, { "storm-info": storm, "storm-floor": floor })
