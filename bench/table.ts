/**
 * Prints bench/results.json (or the file given) as Markdown: the machine line and the table
 * for docs/performance.md, and with `--readme` the short table of the README.
 * `npx tsx bench/table.ts [--readme] [results.json]`
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

interface Row {
  readonly section: string
  readonly case: string
  readonly description: string
  readonly display: string
  readonly vsPino?: number
  /** The pino case the row is compared with (like for like); `pino` when absent. */
  readonly peer?: string
  readonly vsBase?: { readonly base: string; readonly ratio: number }
  readonly target?: string
  readonly met?: boolean
}

interface Results {
  readonly date: string
  readonly durationSeconds: number
  readonly machine: {
    readonly node: string
    readonly platform: string
    readonly cpus: number
    readonly cpu?: string
    readonly memoryGiB: number
    readonly loadavgAtStart: ReadonlyArray<number>
    readonly loadavgAtEnd: ReadonlyArray<number>
  }
  readonly config: Readonly<Record<string, number | boolean>>
  readonly rows: ReadonlyArray<Row>
}

const args = process.argv.slice(2)
const readme = args.includes("--readme")
const file =
  args.find((a) => !a.startsWith("--")) ??
  path.join(path.dirname(fileURLToPath(import.meta.url)), "results.json")
const results = JSON.parse(fs.readFileSync(file, "utf8")) as Results
const m = results.machine
const x = (r: number | undefined) => (r === undefined ? "" : `${r.toFixed(2)}x`)
const vs = (r: Row) => (r.vsPino === undefined ? "" : `${x(r.vsPino)} ${r.peer ?? "pino"}`)
const target = (r: Row) => (r.target === undefined ? "" : `${r.target} ${r.met === true ? "✓" : "✗"}`)

console.log(
  `${results.date.slice(0, 10)}, Node ${m.node}, ${m.cpus} × ${m.cpu ?? "cpu"}, ${m.memoryGiB} GiB, ${m.platform}; ` +
    `load average ${m.loadavgAtStart[0]} at start, ${m.loadavgAtEnd[0]} at end; ` +
    `${results.config.rounds} throughput rounds of ${Number(results.config.throughputEvents).toLocaleString("en-US")} events, ` +
    `soak ${results.config.soakSeconds} s; the run took ${Math.round(results.durationSeconds / 60)} min.\n`
)
if (readme) {
  const pick: ReadonlyArray<readonly [string, string, string]> = [
    ["throughput", "pino", "pino, `log.info(fields, message)` (3 fields)"],
    ["throughput", "pino-message", "pino, `log.info(message)` (no fields)"],
    ["throughput", "winston", "winston (reference)"],
    ["throughput", "fapilog-facade", "fapilog Promise facade, `log.info(message, fields)`"],
    ["throughput", "fapilog-child-10", "fapilog child logger, 10 bound fields"],
    ["throughput", "fapilog-redact-10", "fapilog with 10 redaction paths"],
    ["throughput", "fapilog-redact-10-secrets", "fapilog with 10 redaction paths, events holding secrets"],
    ["throughput", "fapilog-effect-info", "fapilog `Fapilog.info(message, fields)` in Effect"],
    ["throughput", "effect-noop", "Effect's own `Effect.logInfo(message)` into a no-op logger (the ceiling)"],
    ["throughput", "fapilog-effect", "fapilog `Effect.logInfo(message)`"],
    [
      "throughput",
      "fapilog-effect-sink-layer",
      "fapilog `Effect.logInfo(message)`, file sink as a `Sink.layer`"
    ],
    ["disabled", "fapilog-facade", "disabled level, `log.debug` at info"],
    ["disabled", "effect-native", "disabled `Effect.logDebug`, Effect alone"],
    ["disabled", "fapilog-effect", "disabled `Effect.logDebug` through `Fapilog.layer`"],
    ["caller", "fapilog-facade", "caller-side cost per `log.info`"],
    ["caller", "fapilog-mixin", "caller-side cost with a `mixin`"],
    ["e2e", "fapilog-facade", "call → bytes handed to the OS at 50K events/s"],
    ["burst", "fapilog-facade", "RSS growth over a 10M-event burst"],
    ["soak", "fapilog-facade", "heap growth over the soak"],
    ["storm", "effect-floor", "100K fibers waiting for a slow sink: Effect alone (the floor)"],
    ["storm", "fapilog-effect-info", "100K `Fapilog.info` fibers into a sink taking 20 ms a batch"]
  ]
  console.log("| case | result | vs the pino case | vs base | target |\n| --- | ---: | ---: | ---: | --- |")
  for (const [section, name, label] of pick) {
    const r = results.rows.find((row) => row.section === section && row.case === name)
    if (r !== undefined)
      console.log(
        `| ${label} | ${r.display} | ${vs(r)} | ${r.vsBase === undefined ? "" : `${x(r.vsBase.ratio)} ${r.vsBase.base}`} | ${target(r)} |`
      )
  }
} else {
  console.log(
    "| section | case | result | vs the pino case | vs base | target |\n| --- | --- | ---: | ---: | ---: | --- |"
  )
  for (const r of results.rows) {
    console.log(
      `| ${r.section} | ${r.case} | ${r.display} | ${vs(r)} | ${r.vsBase === undefined ? "" : `${x(r.vsBase.ratio)} ${r.vsBase.base}`} | ${target(r)} |`
    )
  }
}
