/**
 * `npm run bench`: every contender on the same workload in one run, each in a fresh
 * process, several rounds, median reported. Each run's output file must hold exactly N
 * lines, or the bench fails. Prints a table of events/s and ratios to pino, and writes the
 * same as JSON to bench/results.json.
 *
 * Options (env): BENCH_EVENTS (default 300000), BENCH_ROUNDS (default 5).
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const N = Number(process.env.BENCH_EVENTS ?? 300_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-bench-"))

interface Case {
  readonly name: string
  readonly description: string
  readonly baseline: string
}

const cases: ReadonlyArray<Case> = [
  { name: "pino", description: "pino defaults, async destination minLength 4096", baseline: "pino" },
  {
    name: "pino-same-fields",
    description: "pino emitting fapilog's fields (ISO time, level label, message key, no pid/hostname)",
    baseline: "pino"
  },
  {
    name: "fapilog-facade",
    description: "createLogger → log.info(message, 3 fields) → file",
    baseline: "pino"
  },
  { name: "fapilog-logfmt", description: "facade, format logfmt", baseline: "fapilog-facade" },
  { name: "fapilog-pretty", description: "facade, format pretty (no colours)", baseline: "fapilog-facade" },
  { name: "fapilog-minimal", description: "facade, format minimal", baseline: "fapilog-facade" },
  { name: "fapilog-ecs", description: "facade, json layout ecs", baseline: "fapilog-facade" },
  { name: "fapilog-otel", description: "facade, json layout otel", baseline: "fapilog-facade" },
  { name: "fapilog-pino-layout", description: "facade, json layout pino", baseline: "fapilog-facade" },
  { name: "fapilog-child", description: "facade, child logger with 3 bindings", baseline: "fapilog-facade" },
  { name: "fapilog-redact-10", description: "facade, redaction with 10 paths", baseline: "fapilog-facade" },
  {
    name: "fapilog-effect-fields",
    description: "Effect.logInfo + Effect.annotateLogs(3 fields) via Fapilog.layer → file",
    baseline: "pino"
  },
  {
    name: "fapilog-effect-info",
    description: "Fapilog.info(message, 3 fields) in Effect.gen via Fapilog.layer → file",
    baseline: "pino"
  },
  {
    name: "fapilog-effect",
    description: "Effect.logInfo(message) via Fapilog.layer → file",
    baseline: "pino"
  }
]

const countLines = (file: string): number => {
  const buf = fs.readFileSync(file)
  let n = 0
  for (let i = 0; i < buf.length; i++) if (buf[i] === 10) n++
  return n
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

const tsx = path.join(here, "..", "node_modules", ".bin", "tsx")
const samples = new Map<string, Array<number>>()
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    const file = path.join(outDir, `${c.name}.log`)
    const out = execFileSync(tsx, [path.join(here, "cases.ts"), c.name, String(N), file], {
      encoding: "utf8",
      env: { ...process.env, FAPILOG_LEVEL: "", FAPILOG_SINKS: "" }
    })
    const result = JSON.parse(out.trim().split("\n").pop() as string) as { ms: number }
    const lines = countLines(file)
    if (lines !== N) throw new Error(`${c.name} wrote ${lines} lines, expected ${N}`)
    const list = samples.get(c.name) ?? []
    list.push((N / result.ms) * 1000)
    samples.set(c.name, list)
  }
}

const rate = (name: string): number => median(samples.get(name) ?? [0])
const rows = cases.map((c) => ({
  case: c.name,
  description: c.description,
  eventsPerSecond: Math.round(rate(c.name)),
  vsPino: Number((rate(c.name) / rate("pino")).toFixed(2)),
  vsPinoSameFields: Number((rate(c.name) / rate("pino-same-fields")).toFixed(2)),
  vsFacade: Number((rate(c.name) / rate("fapilog-facade")).toFixed(2))
}))

const pad = (s: string, n: number) => s.padEnd(n)
console.log(
  `\n${N} events × ${ROUNDS} rounds (median), Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}\n`
)
console.log(
  `${pad("case", 24)}${pad("events/s", 12)}${pad("vs pino", 10)}${pad("vs pino same fields", 22)}vs facade`
)
for (const r of rows) {
  const cells = [r.eventsPerSecond.toLocaleString("en-US"), `${r.vsPino}x`, `${r.vsPinoSameFields}x`]
  console.log(
    `${pad(r.case, 24)}${pad(cells[0] ?? "", 12)}${pad(cells[1] ?? "", 10)}${pad(cells[2] ?? "", 22)}${r.vsFacade}x`
  )
}
const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  events: N,
  rounds: ROUNDS,
  rows
}
fs.writeFileSync(path.join(here, "results.json"), `${JSON.stringify(results, null, 2)}\n`)
fs.rmSync(outDir, { recursive: true, force: true })
console.log("\nwritten to bench/results.json")
