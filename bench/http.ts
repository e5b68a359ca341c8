/**
 * `npm run bench:http`: requests per second of examples/http-server.ts with fapilog's
 * middleware and without it (FAPILOG_HTTP=off), on loopback, measured with autocannon.
 * Both variants log the handler's two lines to stdout (here /dev/null); the
 * difference is the middleware: correlation id, request context, access line.
 * Rounds alternate between the variants; the median of each is reported.
 *
 * Env: BENCH_HTTP_SECONDS (default 10), BENCH_HTTP_ROUNDS (default 3), BENCH_HTTP_CONNECTIONS (default 100).
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const seconds = Number(process.env.BENCH_HTTP_SECONDS ?? 10)
const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 3)
const connections = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 100)

interface Server {
  readonly port: number
  readonly proc: ChildProcess
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

const ready = async (port: number, deadline: number): Promise<void> => {
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host: "127.0.0.1", port, path: "/health" }, (res) => {
        res.resume()
        resolve(res.statusCode === 200)
      })
      req.on("error", () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server on port ${port} not ready`)
}

/** The log lines go to /dev/null: this process must not spend the CPU the server needs reading them. */
const startServer = async (middleware: boolean): Promise<Server> => {
  const port = await freePort()
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FAPILOG_")))
  const proc = spawn(process.execPath, ["--import", "tsx", "examples/http-server.ts"], {
    cwd: root,
    env: { ...env, PORT: String(port), FAPILOG_HTTP: middleware ? "on" : "off" },
    stdio: ["ignore", "ignore", "inherit"]
  })
  await ready(port, Date.now() + 30_000)
  return { port, proc }
}

const stop = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.proc.on("exit", () => resolve())
    server.proc.kill("SIGTERM")
  })

const measure = async (middleware: boolean): Promise<{ rps: number; p99: number; errors: number }> => {
  const server = await startServer(middleware)
  const url = `http://127.0.0.1:${server.port}/hello?q=bench`
  // warm-up: JIT and connection setup stay out of the measurement
  await autocannon({ url, connections, duration: 2 })
  const result = await autocannon({ url, connections, duration: seconds })
  await stop(server)
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

const without: Array<number> = []
const withMw: Array<number> = []
const p99Without: Array<number> = []
const p99With: Array<number> = []
let errors = 0
for (let r = 0; r < rounds; r++) {
  for (const mw of r % 2 === 0 ? [false, true] : [true, false]) {
    const m = await measure(mw)
    errors += m.errors
    ;(mw ? withMw : without).push(m.rps)
    ;(mw ? p99With : p99Without).push(m.p99)
    console.error(
      `round ${r + 1}: ${mw ? "with" : "without"} middleware ${Math.round(m.rps)} req/s, p99 ${m.p99} ms`
    )
  }
}

const kept = median(withMw) / median(without)
const table = [
  ["variant", "req/s (median)", "p99 latency ms (median)"],
  ["without middleware", Math.round(median(without)).toString(), median(p99Without).toString()],
  ["with Http.middleware()", Math.round(median(withMw)).toString(), median(p99With).toString()]
]
for (const row of table) console.log(row.map((c, i) => (i === 0 ? c.padEnd(24) : c.padStart(24))).join(""))
console.log(`throughput kept with the middleware: ${(kept * 100).toFixed(1)}% (target ≥ 90%)`)
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
      withoutMiddleware: { rps: without, p99: p99Without },
      withMiddleware: { rps: withMw, p99: p99With },
      kept,
      errors
    },
    null,
    2
  )}\n`
)
console.log(`written ${path.relative(root, out)}`)
