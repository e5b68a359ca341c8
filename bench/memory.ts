/**
 * Memory, one case per process (run with --expose-gc):
 * `node --expose-gc --import tsx bench/memory.ts <case> <events> <file>`.
 *
 * - `burst-*`: `<events>` events as fast as the logger takes them, in bursts of 10,000 per
 *   event-loop turn (so that asynchronous writes can progress at all); RSS sampled after
 *   every burst. Reports RSS before, peak and after, and the peak's growth over the start.
 * - `soak-fapilog`: 50,000 events/s (BENCH_RATE) for BENCH_SOAK_SECONDS (default 600);
 *   heapUsed after a full GC at the start (after a warm-up of a tenth of the run, at most 30
 *   s), every tenth of the run, and at the end. BENCH_HEAP_SNAPSHOTS=1 also writes V8 heap
 *   snapshots at start and end next to the output file and reports their sizes.
 */
import * as fs from "node:fs"
import * as v8 from "node:v8"
import pino from "pino"
import {
  type CaseResult,
  caseArgs,
  endStream,
  fapilog,
  MESSAGE,
  nextTurn,
  paced,
  runCase,
  USER
} from "./common.js"

const { name, n: N, file } = caseArgs("memory.ts")
const BURST = 10_000
const RATE = Number(process.env.BENCH_RATE ?? 50_000)
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600)
const MiB = 1024 * 1024

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error("run with --expose-gc")
  collect()
  collect()
}

interface Under {
  readonly info: (i: number) => void
  readonly close: () => Promise<void>
}

const open = async (logger: string): Promise<Under> => {
  if (logger === "pino") {
    const dest = pino.destination({ dest: file, minLength: 4096, sync: false })
    await new Promise<void>((resolve) => dest.once("ready", () => resolve()))
    const log = pino(dest)
    return { info: (i) => log.info({ i, user: USER, ok: true }, MESSAGE), close: () => endStream(dest) }
  }
  const log = await fapilog.createLogger({ sinks: [{ type: "file", path: file }] })
  return { info: (i) => log.info(MESSAGE, { i, user: USER, ok: true }), close: () => log.close() }
}

const burst = async (logger: string): Promise<CaseResult> => {
  const log = await open(logger)
  gc()
  const before = process.memoryUsage.rss()
  let peak = before
  const series: Array<Record<string, number>> = []
  const every = Math.max(1, Math.floor(N / BURST / 50))
  const start = performance.now()
  for (let i = 0; i < N; ) {
    const end = Math.min(N, i + BURST)
    for (; i < end; i++) log.info(i)
    const rss = process.memoryUsage.rss()
    if (rss > peak) peak = rss
    if ((i / BURST) % every === 0) series.push({ events: i, rssMiB: rss / MiB })
    await nextTurn()
  }
  await log.close()
  const ms = performance.now() - start
  const after = process.memoryUsage.rss()
  return {
    case: name,
    expectedLines: N,
    metrics: {
      rssBeforeMiB: before / MiB,
      rssPeakMiB: peak / MiB,
      rssGrowthMiB: (peak - before) / MiB,
      rssAfterMiB: after / MiB,
      eventsPerSecond: (N / ms) * 1000
    },
    series
  }
}

const heap = (): number => {
  gc()
  return process.memoryUsage().heapUsed
}

const snapshot = (label: string): number => {
  if (process.env.BENCH_HEAP_SNAPSHOTS !== "1") return 0
  gc()
  return fs.statSync(v8.writeHeapSnapshot(`${file}.${label}.heapsnapshot`)).size / MiB
}

const soak = async (): Promise<CaseResult> => {
  const log = await open("fapilog")
  const total = Math.round(RATE * SOAK_SECONDS)
  const warmUp = Math.round(Math.min(total / 10, RATE * 30))
  const checkpoints = new Set(
    Array.from({ length: 10 }, (_, k) => warmUp + Math.floor(((total - warmUp) * k) / 10))
  )
  const series: Array<Record<string, number>> = []
  let start = { heap: 0, rss: 0, snapshot: 0 }
  const run = await paced(RATE, total, (i) => {
    if (checkpoints.has(i)) {
      const h = heap()
      if (i === warmUp) start = { heap: h, rss: process.memoryUsage.rss(), snapshot: snapshot("start") }
      series.push({ events: i, heapUsedMiB: h / MiB, rssMiB: process.memoryUsage.rss() / MiB })
    }
    log.info(i)
  })
  const endHeap = heap()
  const endRss = process.memoryUsage.rss()
  const endSnapshot = snapshot("end")
  series.push({ events: total, heapUsedMiB: endHeap / MiB, rssMiB: endRss / MiB })
  await log.close()
  return {
    case: name,
    expectedLines: total,
    metrics: {
      seconds: run.elapsedMs / 1000,
      rate: (total / run.elapsedMs) * 1000,
      heapStartMiB: start.heap / MiB,
      heapEndMiB: endHeap / MiB,
      heapGrowthMiB: (endHeap - start.heap) / MiB,
      rssStartMiB: start.rss / MiB,
      rssEndMiB: endRss / MiB,
      snapshotStartMiB: start.snapshot,
      snapshotEndMiB: endSnapshot
    },
    series
  }
}

// the soak's length comes from BENCH_SOAK_SECONDS and BENCH_RATE, not <events>
await runCase(name, {
  "burst-pino": () => burst("pino"),
  "burst-fapilog": () => burst("fapilog"),
  "soak-fapilog": soak
})
