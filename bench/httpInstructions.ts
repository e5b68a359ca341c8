/**
 * `npm run bench:http-instructions`: machine instructions per request of
 * examples/http-server.ts with fapilog's middleware and without it (FAPILOG_HTTP=off),
 * counted by valgrind's callgrind. Wall-clock requests/s on this machine drift by tens of
 * percent between runs; an instruction count does not depend on what else the machine is
 * doing, so it shows what the middleware costs, and whether a change made it cheaper,
 * within a fraction of a percent.
 *
 * Each server runs under callgrind with counting off; autocannon warms it up (so that the
 * JIT has compiled the hot code and the count is the steady state), counting is switched
 * on for a fixed number of requests, then the counters are dumped. Both variants run at
 * once (one core each). Instructions are not time (a cache miss costs more than an add),
 * so this complements `npm run bench:http`; it does not replace it.
 *
 * Env: BENCH_HTTP_WARM (default 6000 requests), BENCH_HTTP_COUNTED (default 6000).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const warm = Number(process.env.BENCH_HTTP_WARM ?? 6000)
const counted = Number(process.env.BENCH_HTTP_COUNTED ?? 6000)

if (spawnSync("callgrind_control", ["--version"]).status !== 0) {
  console.error("valgrind (callgrind_control) is not installed: apt-get install valgrind")
  process.exit(1)
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

const healthy = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/health" }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on("error", () => resolve(false))
  })

const control = (args: ReadonlyArray<string>): void => {
  const r = spawnSync("callgrind_control", args, { encoding: "utf8" })
  if (r.status !== 0) throw new Error(`callgrind_control ${args.join(" ")}: ${r.stderr}`)
}

const load = (port: number, amount: number) =>
  autocannon({ url: `http://127.0.0.1:${port}/hello?q=bench`, connections: 10, amount })

/** Instructions per request of one variant. */
const measure = async (middleware: boolean, dir: string): Promise<number> => {
  const port = await freePort()
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FAPILOG_")))
  const proc: ChildProcess = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      "--instr-atstart=no",
      `--callgrind-out-file=${path.join(dir, "callgrind.%p")}`,
      process.execPath,
      "--import",
      "tsx",
      "examples/http-server.ts"
    ],
    {
      cwd: root,
      env: {
        ...env,
        TSX_TSCONFIG_PATH: path.join(root, "bench", "tsconfig.dist.json"),
        PORT: String(port),
        FAPILOG_HTTP: middleware ? "on" : "off"
      },
      stdio: ["ignore", "ignore", "ignore"]
    }
  )
  const pid = String(proc.pid)
  const deadline = Date.now() + 10 * 60_000
  while (!(await healthy(port))) {
    if (Date.now() > deadline || proc.exitCode !== null)
      throw new Error("server under valgrind did not start")
    await new Promise((r) => setTimeout(r, 1000))
  }
  await load(port, warm)
  control(["-i", "on", pid])
  const result = await load(port, counted)
  control(["-d", pid])
  await new Promise<void>((resolve) => {
    proc.once("exit", () => resolve())
    proc.kill("SIGTERM")
  })
  const dump = fs.readFileSync(path.join(dir, `callgrind.${pid}.1`), "utf8")
  const summary = /^summary:\s+(\d+)/m.exec(dump)
  if (summary === null) throw new Error("no summary line in the callgrind dump")
  const requests = result.requests.total
  if (result.non2xx + result.errors > 0) throw new Error(`${result.non2xx + result.errors} failed requests`)
  return Number(summary[1]) / requests
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-callgrind-"))
const [without, withMw] = await Promise.all([measure(false, dir), measure(true, dir)])
fs.rmSync(dir, { recursive: true, force: true })
const kept = without / withMw
const k = (x: number) => `${Math.round(x / 1000).toLocaleString("en-US")}K`
console.log(`instructions per request, after ${warm} warm-up requests, over ${counted} requests:`)
console.log(`  without middleware       ${k(without)}`)
console.log(`  with Http.middleware()   ${k(withMw)}  (+${k(withMw - without)})`)
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
