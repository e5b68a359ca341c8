/**
 * `npm run bench:http-instructions`: machine instructions per request of
 * examples/http-server.ts with fapilog's middleware and without it (FAPILOG_HTTP=off),
 * counted by valgrind's callgrind. Wall-clock requests/s on this machine drift by tens of
 * percent between runs; an instruction count does not depend on what else the machine is
 * doing (it varies from run to run far less than a wall-clock rate here), so it shows
 * what the middleware costs, and whether a change made it cheaper.
 *
 * Each server runs under callgrind with counting off; autocannon warms it up (so that the
 * JIT has compiled the hot code and the count is the steady state), counting is switched
 * on for a fixed number of requests, then the counters are dumped. Both variants run at
 * once (one core each). Instructions are not time (a cache miss costs more than an add),
 * so this complements `npm run bench:http`; it does not replace it.
 *
 * Env: BENCH_HTTP_WARM (default 6000 requests), BENCH_HTTP_COUNTED (default 6000).
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { loadHello, root, startExample, stopExample } from "./exampleServer.js"

const warm = Number(process.env.BENCH_HTTP_WARM ?? 6000)
const counted = Number(process.env.BENCH_HTTP_COUNTED ?? 6000)

if (spawnSync("callgrind_control", ["--version"]).status !== 0) {
  console.error("valgrind (callgrind_control) is not installed: apt-get install valgrind")
  process.exit(1)
}

const control = (args: ReadonlyArray<string>): void => {
  const r = spawnSync("callgrind_control", args, { encoding: "utf8" })
  if (r.status !== 0) throw new Error(`callgrind_control ${args.join(" ")}: ${r.stderr}`)
}

/** Instructions per request of one variant. */
const measure = async (middleware: boolean, dir: string): Promise<number> => {
  const server = await startExample({
    middleware,
    prefix: [
      "valgrind",
      "--tool=callgrind",
      "--instr-atstart=no",
      `--callgrind-out-file=${path.join(dir, "callgrind.%p")}`
    ],
    stderr: "ignore",
    // the server starts some fifty times slower under valgrind
    timeoutMs: 10 * 60_000
  })
  try {
    const pid = String(server.proc.pid)
    await loadHello(server, { connections: 10, amount: warm })
    control(["-i", "on", pid])
    const result = await loadHello(server, { connections: 10, amount: counted })
    control(["-d", pid])
    if (result.non2xx + result.errors > 0) throw new Error(`${result.non2xx + result.errors} failed requests`)
    const dump = fs.readFileSync(path.join(dir, `callgrind.${pid}.1`), "utf8")
    const summary = /^summary:\s+(\d+)/m.exec(dump)
    if (summary === null) throw new Error("no summary line in the callgrind dump")
    return Number(summary[1]) / result.requests.total
  } finally {
    await stopExample(server)
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-callgrind-"))
// both at once, one core each; allSettled lets a failing variant's partner stop cleanly
const settled = await Promise.allSettled([measure(false, dir), measure(true, dir)])
fs.rmSync(dir, { recursive: true, force: true })
const [without, withMw] = settled.map((s) => {
  if (s.status === "rejected") throw s.reason
  return s.value
}) as [number, number]
const kept = without / withMw
const k = (x: number) => `${Math.round(x / 1000).toLocaleString("en-US")}K`
console.log(`instructions per request, after ${warm} warm-up requests, over ${counted} requests:`)
console.log(`  without middleware       ${k(without)}`)
const diff = withMw - without
console.log(`  with Http.middleware()   ${k(withMw)}  (${diff < 0 ? "−" : "+"}${k(Math.abs(diff))})`)
console.log(`work kept with the middleware: ${(kept * 100).toFixed(1)}% (without ÷ with; target ≥ 90%)`)
const out = path.join(root, "bench", "http-instructions.json")
fs.writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      warm,
      counted,
      withoutMiddleware: Math.round(without),
      withMiddleware: Math.round(withMw),
      kept
    },
    null,
    2
  )}\n`
)
console.log(`written ${path.relative(root, out)}`)
