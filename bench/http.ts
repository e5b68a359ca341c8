/**
 * `npm run bench:http`: requests per second of examples/http-server.ts with fapilog's
 * middleware and without it (FAPILOG_HTTP=off), on loopback, measured with autocannon.
 * Both variants log the handler's two lines to stdout (here /dev/null); the
 * difference is the middleware: correlation id, request context, access line.
 *
 * Both servers start once and stay up; after a warm-up of each, short rounds alternate
 * between them (A B, then B A, ...). This machine's speed drifts over seconds, so the figure
 * is the median over rounds of the ratio of two adjacent runs, which saw the same machine,
 * rather than a ratio of two medians taken minutes apart. With two or more cores the
 * servers run on core 1 and this process (autocannon) on core 0, so that neither variant
 * shares its core with the load generator more than the other does. The servers import
 * the built package (`dist/`, as users run it), not the sources: `npm run bench:http`
 * builds first.
 *
 * Env: BENCH_HTTP_SECONDS (default 3, per run), BENCH_HTTP_ROUNDS (default 15),
 * BENCH_HTTP_CONNECTIONS (default 100).
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type ExampleServer, loadHello, root, startExample, stopExample } from "./exampleServer.js"

const seconds = Number(process.env.BENCH_HTTP_SECONDS ?? 3)
const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 15)
const connections = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 100)

/** Whether `taskset` can pin processes to cores here (util-linux, two or more cores). */
const pinning = os.cpus().length >= 2 && spawnSync("taskset", ["-pc", "0", String(process.pid)]).status === 0

const startServer = (middleware: boolean): Promise<ExampleServer> =>
  startExample(pinning ? { middleware, prefix: ["taskset", "-c", "1"] } : { middleware })

interface Run {
  readonly rps: number
  readonly p99: number
  readonly errors: number
}

const load = async (server: ExampleServer, duration: number): Promise<Run> => {
  const result = await loadHello(server, { connections, duration })
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts
  }
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

const runsWithout: Array<Run> = []
const runsWith: Array<Run> = []
const ratios: Array<number> = []
const servers: Array<ExampleServer> = []
try {
  const without = await startServer(false)
  servers.push(without)
  const withMw = await startServer(true)
  servers.push(withMw)
  // warm-up: JIT and connection setup stay out of the measurement
  await load(without, 3)
  await load(withMw, 3)
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [without, withMw] : [withMw, without]
    const runs = new Map<ExampleServer, Run>()
    for (const server of order) runs.set(server, await load(server, seconds))
    const a = runs.get(without) as Run
    const b = runs.get(withMw) as Run
    runsWithout.push(a)
    runsWith.push(b)
    ratios.push(b.rps / a.rps)
    console.error(
      `round ${r + 1}: without ${Math.round(a.rps)} req/s, with ${Math.round(b.rps)} req/s, kept ${((b.rps / a.rps) * 100).toFixed(1)}%`
    )
  }
} finally {
  await Promise.all(servers.map(stopExample))
}

const kept = median(ratios)
const errors = [...runsWithout, ...runsWith].reduce((n, run) => n + run.errors, 0)
const table = [
  ["variant", "req/s (median)", "p99 latency ms (median)"],
  [
    "without middleware",
    Math.round(median(runsWithout.map((r) => r.rps))).toString(),
    median(runsWithout.map((r) => r.p99)).toString()
  ],
  [
    "with Http.middleware()",
    Math.round(median(runsWith.map((r) => r.rps))).toString(),
    median(runsWith.map((r) => r.p99)).toString()
  ]
]
for (const row of table) console.log(row.map((c, i) => (i === 0 ? c.padEnd(24) : c.padStart(24))).join(""))
const sorted = [...ratios].sort((x, y) => x - y)
console.log(
  `throughput kept with the middleware: ${(kept * 100).toFixed(1)}% (median of ${rounds} paired rounds; ` +
    `quartiles ${((sorted[Math.floor(rounds / 4)] ?? Number.NaN) * 100).toFixed(1)}%–${((sorted[Math.floor((3 * rounds) / 4)] ?? Number.NaN) * 100).toFixed(1)}%; target ≥ 90%)`
)
if (errors > 0) console.log(`errors, non-2xx or timeouts: ${errors}`)

const out = path.join(root, "bench", "http-results.json")
fs.writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      seconds,
      rounds,
      connections,
      pinned: pinning,
      withoutMiddleware: { rps: runsWithout.map((r) => r.rps), p99: runsWithout.map((r) => r.p99) },
      withMiddleware: { rps: runsWith.map((r) => r.rps), p99: runsWith.map((r) => r.p99) },
      ratios,
      kept,
      errors
    },
    null,
    2
  )}\n`
)
console.log(`written ${path.relative(root, out)}`)
