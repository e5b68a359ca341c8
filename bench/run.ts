/**
 * `npm run bench`: every case against pino (winston for reference) in one run, each case in a
 * fresh Node process, output files checked to hold exactly the lines each case wrote. Prints
 * one table with ratios and targets, and writes the same to bench/results.json.
 *
 * Sections: throughput (bench/cases.ts), the Effect rows on the Effect 4 line under Node 22
 * (bench/effect4.ts; needs `npm run setup:effect4`), disabled level, categories and lazy fields
 * (a call below its category's level, lazy fields disabled and enabled), caller-side and
 * end-to-end latency (bench/latency.ts), burst memory and soak (bench/memory.ts), a storm of waiting fibers
 * (bench/storm.ts), the network encoders of @fapilog/otlp and @fapilog/loki (bench/encode.ts), @fapilog/encryption on the facade (bench/cases.ts). A full run takes about 20 minutes, 10 of them the soak; BENCH_QUICK=1 is a
 * smoke run of about two minutes.
 *
 * Options (env): BENCH_QUICK=1, BENCH_ONLY=throughput,pii,effect4,disabled,categories,caller,e2e,burst,soak,storm,encode,encryption,
 * BENCH_CASES=<throughput cases> (pino and fapilog-facade always run),
 * BENCH_EVENTS (throughput events, default 300000), BENCH_ROUNDS (default 7),
 * BENCH_SOAK_SECONDS (default 600), BENCH_BURST_EVENTS (default 10000000), BENCH_ENCODE_EVENTS
 * (events per encode case, default 300000, in requests of 1,000), BENCH_RATE
 * (default 50000), BENCH_STORM_FIBERS (default 100000), BENCH_STORM_SINK_MS (default 20),
 * BENCH_RESULTS (output path, default bench/results.json).
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { countLines, median } from "./common.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.join(here, "..")
const QUICK = process.env.BENCH_QUICK === "1"
const env = (key: string, full: number, quick: number): number =>
  Number(process.env[key] ?? (QUICK ? quick : full))

const config = {
  quick: QUICK,
  throughputEvents: env("BENCH_EVENTS", 300_000, 30_000),
  rounds: env("BENCH_ROUNDS", 7, 1),
  latencyRounds: env("BENCH_LATENCY_ROUNDS", 3, 1),
  disabledCalls: env("BENCH_DISABLED_CALLS", 20_000_000, 2_000_000),
  callerEvents: env("BENCH_CALLER_EVENTS", 300_000, 30_000),
  rate: env("BENCH_RATE", 50_000, 50_000),
  e2eSeconds: env("BENCH_E2E_SECONDS", 10, 1),
  burstEvents: env("BENCH_BURST_EVENTS", 10_000_000, 300_000),
  soakSeconds: env("BENCH_SOAK_SECONDS", 600, 10),
  stormFibers: env("BENCH_STORM_FIBERS", 100_000, 20_000),
  stormSinkMs: env("BENCH_STORM_SINK_MS", 20, 20),
  encodeEvents: env("BENCH_ENCODE_EVENTS", 300_000, 30_000)
}
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim())
const enabled = (section: string): boolean => only === undefined || only.includes(section)
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-bench-"))

interface CaseOutput {
  readonly case: string
  readonly expectedLines: number
  readonly metrics: Record<string, number>
  readonly series?: ReadonlyArray<Record<string, number>>
}

/** Runs one case in a fresh process (of `node`, this Node unless said) and checks its output file. */
const runOne = (
  script: string,
  name: string,
  events: number,
  nodeFlags: ReadonlyArray<string> = [],
  node: string = process.execPath
) => {
  const file = path.join(outDir, `${name}.log`)
  const out = execFileSync(
    node,
    ["--import", "tsx", ...nodeFlags, path.join(here, script), name, String(events), file],
    {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        FAPILOG_LEVEL: "",
        FAPILOG_SINKS: "",
        BENCH_RATE: String(config.rate),
        BENCH_SOAK_SECONDS: String(config.soakSeconds),
        BENCH_STORM_SINK_MS: String(config.stormSinkMs)
      }
    }
  )
  const result = JSON.parse(out.trim().split("\n").pop() as string) as CaseOutput
  const lines = countLines(file)
  fs.rmSync(file, { force: true })
  if (lines !== result.expectedLines) {
    throw new Error(`${name} wrote ${lines} lines, expected ${result.expectedLines}`)
  }
  process.stderr.write(".")
  return result
}

/** Each case `rounds` times, interleaved (case A, B, C, A, B, C, ...), outputs by case. */
const rounds = (
  script: string,
  names: ReadonlyArray<string>,
  events: number,
  count: number
): Map<string, Array<CaseOutput>> =>
  interleaved(
    names.map((n) => [n, () => runOne(script, n, events)]),
    count
  )

/** Each named run `count` times, interleaved, outputs by name. */
const interleaved = (
  runs: ReadonlyArray<readonly [string, () => CaseOutput]>,
  count: number
): Map<string, Array<CaseOutput>> => {
  const all = new Map<string, Array<CaseOutput>>(runs.map(([n]) => [n, []]))
  for (let r = 0; r < count; r++) for (const [n, run] of runs) all.get(n)?.push(run())
  return all
}

const metric = (outs: Map<string, Array<CaseOutput>>, name: string, key: string): number =>
  median((outs.get(name) ?? []).map((o) => o.metrics[key] as number))

/** Median over rounds of the per-round ratio a/b: steadier than a ratio of medians. */
const pairedRatio = (outs: Map<string, Array<CaseOutput>>, a: string, b: string, key: string): number => {
  const as = outs.get(a) ?? []
  const bs = outs.get(b) ?? []
  return median(as.map((o, i) => (o.metrics[key] as number) / (bs[i]?.metrics[key] as number)))
}

interface Row {
  readonly section: string
  readonly case: string
  readonly description: string
  /** The number compared and checked against the target. */
  readonly value: number
  readonly unit: string
  /** What the table shows in the value column. */
  readonly display: string
  /** The pino case `vsPino` is measured against (the same workload); "pino" when not said. */
  readonly peer?: string | undefined
  /** value relative to the peer pino case's (for costs: fapilog's cost / pino's cost). */
  readonly vsPino?: number | undefined
  /** value relative to `base`, the case it is a variant of. */
  readonly vsBase?: { readonly base: string; readonly ratio: number } | undefined
  readonly target?: string | undefined
  readonly met?: boolean | undefined
  readonly metrics?: Record<string, number> | undefined
  readonly series?: ReadonlyArray<Record<string, number>> | undefined
}

const rows: Array<Row> = []
const fmt = (x: number, digits = 0): string =>
  Number.isFinite(x)
    ? x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a"
const ratio = (x: number): number => Number(x.toFixed(2))
const started = { date: new Date().toISOString(), loadavg: os.loadavg() }
const startedAt = performance.now()

// ---- throughput ----------------------------------------------------------------------------

/**
 * One throughput case: what it runs, the pino case it is compared with (the same fields and
 * message, so like with like), the fapilog case it is a variant of, and its target.
 */
interface ThroughputCase {
  readonly name: string
  readonly description: string
  /** The pino case with the same workload; "vs pino" is this case over it. */
  readonly peer?: string | undefined
  /** The case this one is a variant of; "vs base" is this case over it. */
  readonly base?: string | undefined
  readonly target?: readonly [string, (vsPeer: number, vsBase: number) => boolean] | undefined
}

const throughputCases: ReadonlyArray<ThroughputCase> = [
  {
    name: "pino",
    description: "pino 10 defaults, log.info({3 fields}, message), async destination minLength 4096"
  },
  {
    name: "pino-same-fields",
    description: "pino emitting fapilog's fields (ISO time, level label, message key, no pid/hostname)",
    peer: "pino"
  },
  { name: "pino-message", description: "pino 10 defaults, log.info(message): no fields" },
  {
    name: "pino-message-same-fields",
    description: "pino, log.info(message), fapilog's fields (ISO time, level label, message key)",
    peer: "pino-message"
  },
  { name: "pino-child-10", description: "pino through logger.child(10 bound fields), 3 fields per call" },
  {
    name: "pino-renamed-keys",
    description:
      "pino writing Google Cloud's keys: time (ISO), severity via formatters.level, messageKey message",
    peer: "pino"
  },
  {
    name: "winston",
    description: "winston 3, json + timestamp format, Stream transport to a file (reference)",
    peer: "pino"
  },
  {
    name: "effect-noop",
    description: "Effect.logInfo(message) into Effect's Logger.none: the ceiling of any Effect logger",
    peer: "pino-message"
  },
  {
    name: "fapilog-facade",
    description: "createLogger → log.info(message, 3 fields) → file, values captured at the call",
    peer: "pino",
    target: [">= 3.0x pino", (p) => p >= 3]
  },
  {
    name: "fapilog-facade-metrics",
    description: "facade with metrics: true (events by level and logger, batch and write histograms)",
    peer: "pino",
    base: "fapilog-facade",
    target: [">= 0.95x facade", (_, b) => b >= 0.95]
  },
  {
    name: "pino-otel-span",
    description:
      "pino, 3 fields and the active OpenTelemetry span's traceId and spanId (a mixin reading the context), in a span",
    peer: "pino"
  },
  {
    name: "fapilog-facade-otel-idle",
    description: "facade with OpenTelemetry's Node SDK registered and no span active (lines without ids)",
    peer: "pino",
    base: "fapilog-facade",
    target: [">= 0.95x facade", (_, b) => b >= 0.95]
  },
  {
    name: "fapilog-facade-otel-span",
    description: "facade in an active OpenTelemetry span: each line carries its traceId and spanId",
    peer: "pino-otel-span",
    base: "fapilog-facade"
  },
  {
    name: "fapilog-child-10",
    description: "facade through log.child(10 bound fields)",
    peer: "pino-child-10",
    base: "fapilog-facade"
  },
  {
    name: "fapilog-fingers-crossed",
    description:
      "facade with fingersCrossed: {} and no trigger: each info event held, none written (pino writes every line)",
    peer: "pino",
    base: "fapilog-facade"
  },
  {
    name: "fapilog-fingers-crossed-1000",
    description: "as fapilog-fingers-crossed, the events spread over 1,000 correlation ids (a call field)",
    peer: "pino",
    base: "fapilog-fingers-crossed"
  },
  {
    name: "fapilog-redact-10",
    description: "facade with redact: { paths: [10 paths] }",
    peer: "pino",
    base: "fapilog-facade",
    target: [">= 0.90x facade", (_, b) => b >= 0.9]
  },
  {
    name: "fapilog-secrets",
    description: "facade, 3 fields plus password and headers.authorization (not redacted)",
    peer: "pino",
    base: "fapilog-facade"
  },
  {
    name: "fapilog-redact-10-secrets",
    description: "facade with the 10 paths on events that hold password and headers.authorization",
    peer: "pino",
    base: "fapilog-secrets",
    target: [">= 0.90x fapilog-secrets", (_, b) => b >= 0.9]
  },
  { name: "fapilog-logfmt", description: "facade, format logfmt", peer: "pino", base: "fapilog-facade" },
  {
    name: "fapilog-pretty",
    description: "facade, format pretty (no colours)",
    peer: "pino",
    base: "fapilog-facade"
  },
  { name: "fapilog-minimal", description: "facade, format minimal", peer: "pino", base: "fapilog-facade" },
  { name: "fapilog-ecs", description: "facade, json layout ecs", peer: "pino", base: "fapilog-facade" },
  { name: "fapilog-otel", description: "facade, json layout otel", peer: "pino", base: "fapilog-facade" },
  {
    name: "fapilog-pino-layout",
    description: "facade, json layout pino",
    peer: "pino",
    base: "fapilog-facade"
  },
  {
    name: "fapilog-renamed-keys",
    description:
      'facade, a sink with keys: "gcp" (time, severity names, message); peer pino with the same keys',
    peer: "pino-renamed-keys",
    base: "fapilog-facade"
  },
  {
    name: "fapilog-effect",
    description: "Effect.logInfo(message) via Fapilog.layer → file; base: Effect's no-op ceiling",
    peer: "pino-message",
    base: "effect-noop",
    target: [">= 1.5x pino log.info(message)", (p) => p >= 1.5]
  },
  {
    name: "fapilog-effect-sink-layer",
    description: "as fapilog-effect, the file sink provided with Sink.layer instead of settings",
    peer: "pino-message",
    base: "fapilog-effect",
    target: [">= 0.95x fapilog-effect", (_, b) => b >= 0.95]
  },
  {
    name: "fapilog-effect-info",
    description: "Fapilog.info(message, 3 fields) in Effect.gen via Fapilog.layer",
    peer: "pino",
    target: [">= 2.0x pino (3 fields)", (p) => p >= 2]
  },
  {
    name: "fapilog-effect-fields",
    description: "Effect.logInfo + Effect.annotateLogs(3 fields) per call via Fapilog.layer",
    peer: "pino"
  }
]

/**
 * One events/s row of `section` from interleaved rounds `outs`: the case's rate, and its paired
 * ratios to the pino case it is compared with (`peer`) and to the case it varies (`base`).
 */
const eventsRow = (
  section: string,
  outs: Parameters<typeof metric>[0],
  name: string,
  description: string,
  relation: {
    readonly peer?: string | undefined
    readonly base?: string | undefined
    readonly target?:
      | readonly [string, (vsPeer: number, vsBase: number, eventsPerSecond: number) => boolean]
      | undefined
  },
  metrics?: Readonly<Record<string, number>> | undefined
): void => {
  const eps = metric(outs, name, "eventsPerSecond")
  const vsPeer =
    relation.peer === undefined ? undefined : pairedRatio(outs, name, relation.peer, "eventsPerSecond")
  const vsBase =
    relation.base === undefined ? undefined : pairedRatio(outs, name, relation.base, "eventsPerSecond")
  rows.push({
    section,
    case: name,
    description,
    value: Math.round(eps),
    unit: "events/s",
    display: `${fmt(eps)} events/s`,
    peer: relation.peer,
    vsPino: vsPeer === undefined ? undefined : ratio(vsPeer),
    vsBase:
      vsBase === undefined || relation.base === undefined
        ? undefined
        : { base: relation.base, ratio: ratio(vsBase) },
    target: relation.target?.[0],
    met: relation.target?.[1](vsPeer ?? Number.NaN, vsBase ?? Number.NaN, eps),
    metrics
  })
}

if (enabled("throughput")) {
  // BENCH_CASES narrows the throughput cases; the peers and bases of those picked always run
  const picked = process.env.BENCH_CASES?.split(",").map((s) => s.trim())
  const wanted = new Set<string>()
  const want = (name: string | undefined): void => {
    if (name === undefined || wanted.has(name)) return
    wanted.add(name)
    const c = throughputCases.find((t) => t.name === name)
    want(c?.peer)
    want(c?.base)
  }
  for (const c of throughputCases) if (picked === undefined || picked.includes(c.name)) want(c.name)
  want("fapilog-facade")
  const names = throughputCases.map((c) => c.name).filter((n) => wanted.has(n))
  const outs = rounds("cases.ts", names, config.throughputEvents, config.rounds)
  for (const c of throughputCases.filter((t) => wanted.has(t.name)))
    eventsRow(
      "throughput",
      outs,
      c.name,
      c.description,
      c,
      c.name === "fapilog-facade" && wanted.has("pino-same-fields")
        ? { vsPinoSameFields: ratio(pairedRatio(outs, c.name, "pino-same-fields", "eventsPerSecond")) }
        : c.name === "fapilog-effect" && wanted.has("pino-message-same-fields")
          ? {
              vsPinoMessageSameFields: ratio(
                pairedRatio(outs, c.name, "pino-message-same-fields", "eventsPerSecond")
              )
            }
          : undefined
    )
}

// ---- the Effect 4 line ----------------------------------------------------------------------

/**
 * The Effect rows on `fapilog-effect4` (bench/effect4.ts: Effect 4, the built package), each
 * under the Node 22 of `effect4/`, with their pino peer run under that same Node: the ratios
 * compare like with like, as the throughput rows do on this Node.
 */
if (enabled("effect4")) {
  const node22 = path.join(root, "effect4", "node_modules", ".bin", "node")
  if (!fs.existsSync(node22))
    throw new Error(
      "the effect4 section runs under the Node 22 of effect4/: run `npm run setup:effect4` first"
    )
  execFileSync("npm", ["run", "build:effect4"], { cwd: root, stdio: "ignore" })
  const register = ["--import", "./effect4/register.mjs"]
  const outs = interleaved(
    [
      ["pino-message", () => runOne("cases.ts", "pino-message", config.throughputEvents, [], node22)],
      ["effect-noop", () => runOne("effect4.ts", "effect-noop", config.throughputEvents, register, node22)],
      [
        "fapilog-effect",
        () => runOne("effect4.ts", "fapilog-effect", config.throughputEvents, register, node22)
      ]
    ],
    config.rounds
  )
  const add = (name: string, description: string, relation: Parameters<typeof eventsRow>[4]) =>
    eventsRow("effect4", outs, name, description, relation)
  add("pino-message", "pino 10 defaults, log.info(message), under the Node 22 of effect4/", {})
  add("effect-noop", "Effect 4: Effect.logInfo(message) into a logger that does nothing (the ceiling)", {
    peer: "pino-message"
  })
  add("fapilog-effect", "Effect 4: Effect.logInfo(message) via fapilog-effect4's Fapilog.layer → file", {
    peer: "pino-message",
    base: "effect-noop",
    target: [">= 1.5x pino log.info(message)", (p) => p >= 1.5]
  })
}

// ---- disabled level ------------------------------------------------------------------------

if (enabled("disabled")) {
  const outs = rounds(
    "latency.ts",
    ["disabled-pino", "disabled-fapilog"],
    config.disabledCalls,
    config.latencyRounds
  )
  const effect = rounds(
    "latency.ts",
    ["disabled-effect", "disabled-effect-native"],
    config.disabledCalls / 10,
    config.latencyRounds
  )
  const pino = metric(outs, "disabled-pino", "nsPerCall")
  const add = (name: string, description: string, ns: number, target?: readonly [string, boolean]) =>
    rows.push({
      section: "disabled",
      case: name,
      description,
      value: Number(ns.toFixed(2)),
      unit: "ns/call",
      display: `${fmt(ns, 1)} ns/call`,
      vsPino: ratio(ns / pino),
      target: target?.[0],
      met: target?.[1]
    })
  add("pino", "log.debug({3 fields}, message) at level info", pino)
  const f = metric(outs, "disabled-fapilog", "nsPerCall")
  add("fapilog-facade", "log.debug(message, {3 fields}) at level info", f, [
    "<= 2x pino's cost",
    f / pino <= 2
  ])
  const native = metric(effect, "disabled-effect-native", "nsPerCall")
  add("effect-native", "yield* Effect.logDebug(message), Effect alone at its minimum level Info", native)
  const e = metric(effect, "disabled-effect", "nsPerCall")
  add(
    "fapilog-effect",
    "yield* Effect.logDebug(message) through Fapilog.layer({ level: info }): Effect's minimum level follows fapilog's",
    e,
    ["<= 1.5x Effect's own cost", e / native <= 1.5]
  )
}

// ---- categories and lazy fields --------------------------------------------------------------

if (enabled("categories")) {
  const outs = rounds(
    "latency.ts",
    ["disabled-pino", "disabled-fapilog", "disabled-fapilog-category", "disabled-fapilog-lazy"],
    config.disabledCalls,
    config.latencyRounds
  )
  const pino = metric(outs, "disabled-pino", "nsPerCall")
  const add = (
    name: string,
    description: string,
    key: string,
    base?: string,
    target?: readonly [string, (vsBase: number) => boolean]
  ) => {
    const ns = metric(outs, key, "nsPerCall")
    const vsBase = base === undefined ? undefined : pairedRatio(outs, key, base, "nsPerCall")
    rows.push({
      section: "categories",
      case: name,
      description,
      value: Number(ns.toFixed(2)),
      unit: "ns/call",
      display: `${fmt(ns, 1)} ns/call`,
      peer: "pino disabled",
      vsPino: ratio(pairedRatio(outs, key, "disabled-pino", "nsPerCall")),
      vsBase: vsBase === undefined || base === undefined ? undefined : { base, ratio: ratio(vsBase) },
      target: target?.[0],
      met: target === undefined ? undefined : target[1](vsBase ?? Number.NaN)
    })
  }
  rows.push({
    section: "categories",
    case: "pino disabled",
    description: "pino log.debug({3 fields}, message) at level info",
    value: Number(pino.toFixed(2)),
    unit: "ns/call",
    display: `${fmt(pino, 1)} ns/call`
  })
  add("fapilog-disabled", "log.debug(message, {3 fields}) at level info", "disabled-fapilog")
  add(
    "fapilog-category-below",
    'log.child("quiet").debug(message, {3 fields}): level debug, categoryLevels { "app.quiet": "info" }',
    "disabled-fapilog-category",
    "disabled-fapilog",
    ["<= 1.25x fapilog-disabled", (b) => b <= 1.25]
  )
  add(
    "fapilog-lazy-disabled",
    "log.debug(message, () => ({3 fields})) at level info",
    "disabled-fapilog-lazy",
    "disabled-fapilog",
    ["<= 1.25x fapilog-disabled", (b) => b <= 1.25]
  )
  const thr = rounds(
    "cases.ts",
    ["pino", "fapilog-facade", "fapilog-lazy"],
    config.throughputEvents,
    config.rounds
  )
  eventsRow("categories", thr, "pino", "pino 10 defaults, log.info({3 fields}, message) → file", {})
  eventsRow("categories", thr, "fapilog-facade", "log.info(message, {3 fields}) → file", { peer: "pino" })
  eventsRow(
    "categories",
    thr,
    "fapilog-lazy",
    "log.info(message, () => ({3 fields})) → file: the function called at the call",
    { peer: "pino", base: "fapilog-facade", target: [">= 0.90x fapilog-facade", (_, b) => b >= 0.9] }
  )
}

// ---- caller-side latency -------------------------------------------------------------------

const latencyDisplay = (m: Record<string, number>, prefix: string, last: "P999" | "Max"): string =>
  `p50 ${fmt(m[`${prefix}P50`] as number, 2)} · p99 ${fmt(m[`${prefix}P99`] as number, 2)} · ${last.toLowerCase()} ${fmt(m[`${prefix}${last}`] as number, 2)} µs`

/** The round whose p99 is the median p99, reported whole. */
const medianRound = (outs: Map<string, Array<CaseOutput>>, name: string, key: string): CaseOutput => {
  const list = [...(outs.get(name) ?? [])].sort(
    (a, b) => (a.metrics[key] as number) - (b.metrics[key] as number)
  )
  return list[Math.floor(list.length / 2)] as CaseOutput
}

if (enabled("caller")) {
  const outs = rounds(
    "latency.ts",
    ["caller-pino", "caller-fapilog"],
    config.callerEvents,
    config.latencyRounds
  )
  const pino = medianRound(outs, "caller-pino", "usP99")
  for (const [name, c, description] of [
    ["pino", pino, "log.info({3 fields}, message), one call timed, 1000 calls per event-loop turn"],
    [
      "fapilog-facade",
      medianRound(outs, "caller-fapilog", "usP99"),
      "log.info(message, {3 fields}), one call timed, 1000 calls per event-loop turn"
    ]
  ] as const) {
    const p99 = c.metrics.usP99 as number
    rows.push({
      section: "caller",
      case: name,
      description,
      value: Number(p99.toFixed(3)),
      unit: "µs p99",
      display: latencyDisplay(c.metrics, "us", "P999"),
      vsPino: ratio(p99 / (pino.metrics.usP99 as number)),
      target: name === "pino" ? undefined : "p99 < 2 µs",
      met: name === "pino" ? undefined : p99 < 2,
      metrics: c.metrics
    })
  }
}

if (enabled("caller")) {
  const outs = rounds(
    "latency.ts",
    ["burst-caller-fapilog", "burst-caller-fapilog-mixin"],
    config.callerEvents,
    config.latencyRounds
  )
  const plain = metric(outs, "burst-caller-fapilog", "nsPerCall")
  const mixin = metric(outs, "burst-caller-fapilog-mixin", "nsPerCall")
  const added = median(
    (outs.get("burst-caller-fapilog-mixin") ?? []).map(
      (o, i) =>
        (o.metrics.nsPerCall as number) -
        ((outs.get("burst-caller-fapilog")?.[i]?.metrics.nsPerCall as number) ?? Number.NaN)
    )
  )
  rows.push({
    section: "caller",
    case: "fapilog-facade-bursts",
    description: "log.info(message, {3 fields}), bursts of 1000 calls timed, the worker between them",
    value: Number(plain.toFixed(1)),
    unit: "ns/call",
    display: `${fmt(plain, 1)} ns/call`
  })
  rows.push({
    section: "caller",
    case: "fapilog-mixin",
    description: "the same with a call-site enricher (mixin) returning a constant object",
    value: Number(added.toFixed(1)),
    unit: "ns/call added",
    display: `${fmt(mixin, 1)} ns/call (+${fmt(added, 1)} ns)`,
    target: "<= 100 ns added",
    met: added <= 100
  })
}

// ---- end to end at a steady rate -----------------------------------------------------------

if (enabled("e2e")) {
  const events = config.rate * config.e2eSeconds
  const outs = rounds("latency.ts", ["e2e-pino", "e2e-fapilog"], events, 1)
  const pino = outs.get("e2e-pino")?.[0] as CaseOutput
  for (const [name, c] of [
    ["pino", pino],
    ["fapilog-facade", outs.get("e2e-fapilog")?.[0] as CaseOutput]
  ] as const) {
    const p99 = c.metrics.usP99 as number
    rows.push({
      section: "e2e",
      case: name,
      description: `call → bytes handed to the OS, ${fmt(config.rate)} events/s for ${config.e2eSeconds} s`,
      value: Number(p99.toFixed(1)),
      unit: "µs p99",
      display: `${latencyDisplay(c.metrics, "us", "Max")} (loop stalled ${fmt(c.metrics.stalledMs as number)} ms)`,
      vsPino: ratio(p99 / (pino.metrics.usP99 as number)),
      target: name === "pino" ? undefined : "p99 < 1000 µs",
      met: name === "pino" ? undefined : p99 < 1000,
      metrics: c.metrics
    })
  }
}

// ---- memory --------------------------------------------------------------------------------

if (enabled("burst")) {
  const outs = new Map<string, CaseOutput>()
  for (const name of ["burst-pino", "burst-fapilog"])
    outs.set(name, runOne("memory.ts", name, config.burstEvents, ["--expose-gc"]))
  const pino = outs.get("burst-pino") as CaseOutput
  for (const [name, key] of [
    ["pino", "burst-pino"],
    ["fapilog-facade", "burst-fapilog"]
  ] as const) {
    const c = outs.get(key) as CaseOutput
    const growth = c.metrics.rssGrowthMiB as number
    rows.push({
      section: "burst",
      case: name,
      description: `${fmt(config.burstEvents)} events as fast as taken, 10,000 per event-loop turn; peak RSS over start`,
      value: Number(growth.toFixed(1)),
      unit: "MiB",
      display: `+${fmt(growth, 1)} MiB (${fmt(c.metrics.rssBeforeMiB as number)} → ${fmt(c.metrics.rssPeakMiB as number)} MiB)`,
      vsPino: ratio(growth / (pino.metrics.rssGrowthMiB as number)),
      target: name === "pino" ? undefined : "< 64 MiB (bounded by capacity)",
      met: name === "pino" ? undefined : growth < 64,
      metrics: c.metrics,
      series: c.series
    })
  }
}

if (enabled("soak")) {
  const c = runOne("memory.ts", "soak-fapilog", 0, ["--expose-gc"])
  const growth = c.metrics.heapGrowthMiB as number
  rows.push({
    section: "soak",
    case: "fapilog-facade",
    description: `${fmt(config.rate)} events/s for ${config.soakSeconds} s; heapUsed after full GC, start → end`,
    value: Number(growth.toFixed(2)),
    unit: "MiB",
    display: `${growth >= 0 ? "+" : ""}${fmt(growth, 2)} MiB (${fmt(c.metrics.heapStartMiB as number, 1)} → ${fmt(c.metrics.heapEndMiB as number, 1)} MiB)`,
    target: "< 1 MiB growth",
    met: growth < 1,
    metrics: c.metrics,
    series: c.series
  })
}

// ---- a storm of waiting fibers -------------------------------------------------------------

if (enabled("storm")) {
  const floor = runOne("storm.ts", "storm-floor", config.stormFibers)
  const info = runOne("storm.ts", "storm-info", config.stormFibers)
  const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`
  const f = floor.metrics
  const m = info.metrics
  const vsSink = (m.ms as number) / (m.sinkMs as number)
  rows.push({
    section: "storm",
    case: "effect-floor",
    description: `${fmt(config.stormFibers)} fibers each suspended once and resumed 1024 per ${config.stormSinkMs} ms, no logger: what Effect itself costs`,
    value: Number(((f.ms as number) / (f.sinkMs as number)).toFixed(2)),
    unit: "x sink time",
    display: `${seconds(f.ms as number)} (${((f.ms as number) / (f.sinkMs as number)).toFixed(2)}x the ${seconds(f.sinkMs as number)} of the gate) · heap ${fmt(f.peakHeapMiB as number)} MiB`,
    metrics: f
  })
  rows.push({
    section: "storm",
    case: "fapilog-effect-info",
    description: `${fmt(config.stormFibers)} fibers, one Fapilog.info each, into an async sink taking ${config.stormSinkMs} ms per batch (overflow block)`,
    value: Number(vsSink.toFixed(2)),
    unit: "x sink time",
    display: `${seconds(m.ms as number)} (${vsSink.toFixed(2)}x the sink's ${seconds(m.sinkMs as number)}; ${((m.ms as number) / (f.ms as number)).toFixed(2)}x the floor) · heap ${fmt(m.peakHeapMiB as number)} MiB · accepted ${fmt(m.accepted as number)} = written ${fmt(m.written as number)} + lost ${fmt(m.lost as number)}, refused ${fmt(m.refused as number)}`,
    target: "< 2x the sink's own time",
    met: vsSink < 2,
    metrics: { ...m, vsFloor: ratio((m.ms as number) / (f.ms as number)) }
  })
}

// ---- encryption -------------------------------------------------------------------------------

/**
 * @fapilog/encryption (AES-256-GCM): the facade on events carrying a card number and an
 * e-mail address, without encryption, with those two fields encrypted, and encrypted whole;
 * pino writing the same events is the peer, the facade without encryption the base.
 */
if (enabled("encryption")) {
  const peer = "pino-card"
  const base = "fapilog-card"
  const cases: ReadonlyArray<readonly [string, string]> = [
    [peer, "pino, 3 fields plus card and contact.email, fapilog's keys (the peer)"],
    [base, "facade, the same events, no encryption (the base)"],
    [
      "fapilog-encrypt-fields",
      "facade + @fapilog/encryption, fields card and contact.email (two envelopes per event)"
    ],
    ["fapilog-encrypt-event", "facade + @fapilog/encryption without fields: the whole event in one envelope"]
  ]
  const outs = rounds(
    "cases.ts",
    cases.map(([name]) => name),
    config.throughputEvents,
    config.rounds
  )
  for (const [name, description] of cases)
    eventsRow("encryption", outs, name, description, {
      peer: name === peer ? undefined : peer,
      base: name === peer || name === base ? undefined : base
    })
}

// ---- network encoding ------------------------------------------------------------------------

/**
 * The encoders of the network plugins (bench/encode.ts): requests of 1,000 events of about
 * 210 bytes (as JSON lines) to the HTTP body each sink sends, per second of CPU time. The peer
 * is `JSON.stringify` of the same events, the least any encoder of them could do (no mapping,
 * no bounds, no redaction); it is not a pino case.
 */
if (enabled("encode")) {
  const peer = "json-stringify"
  const cases: ReadonlyArray<readonly [string, string, boolean]> = [
    [peer, "JSON.stringify(events) to UTF-8: the same events, no mapping or bounds (the peer)", false],
    ["otlp-protobuf", "@fapilog/otlp: ExportLogsServiceRequest in protobuf", true],
    ["otlp-json", "@fapilog/otlp: ExportLogsServiceRequest in OTLP/JSON", false],
    ["loki-protobuf", "@fapilog/loki: PushRequest in protobuf, snappy-compressed", true],
    ["loki-json", "@fapilog/loki: the JSON push body", false]
  ]
  const outs = rounds(
    "encode.ts",
    cases.map(([name]) => name),
    config.encodeEvents,
    config.rounds
  )
  for (const [name, description, targeted] of cases)
    eventsRow(
      "encode",
      outs,
      name,
      `${description}; 1,000-event requests, events/s per CPU second`,
      {
        peer: name === peer ? undefined : peer,
        target: targeted ? [">= 250,000 events/s on one core", (_p, _b, eps) => eps >= 250_000] : undefined
      },
      {
        bytesPerEvent: Number(metric(outs, name, "bytesPerEvent").toFixed(1)),
        wallEventsPerSecond: Math.round(metric(outs, name, "wallEventsPerSecond"))
      }
    )
}

/**
 * @fapilog/pii: the facade with `processors: [{ type: "pii" }]` (every default detector) and
 * without, on the same events (none holds personal data), pino on the same events as the peer;
 * the target is at most 10% below the facade. The facade under the pci-dss compliance profile
 * on the same events, at most 20% below. Then the worst time per event on the 100 KB
 * adversarial inputs of plugins/pii/test/adversarial.ts.
 */
if (enabled("pii")) {
  const outs = rounds(
    "cases.ts",
    ["fapilog-facade", "fapilog-facade-pii", "fapilog-facade-pci-dss", "pino-same-fields"],
    config.throughputEvents,
    config.rounds
  )
  eventsRow("pii", outs, "fapilog-facade", "the facade, 3 fields, file sink (the base)", {
    peer: "pino-same-fields"
  })
  eventsRow(
    "pii",
    outs,
    "fapilog-facade-pii",
    "the facade with @fapilog/pii, every default detector, on the same events",
    {
      peer: "pino-same-fields",
      base: "fapilog-facade",
      target: [">= 0.90x the facade", (_p, vsBase) => vsBase >= 0.9]
    }
  )
  eventsRow(
    "pii",
    outs,
    "fapilog-facade-pci-dss",
    'the facade under compliance: ["pci-dss"] (fail-closed pii, secret keys redacted, an audit trail open beside the file), on the same events',
    {
      peer: "pino-same-fields",
      base: "fapilog-facade",
      target: [">= 0.80x the facade", (_p, vsBase) => vsBase >= 0.8]
    }
  )
  const worst = interleaved([["pii-adversarial", () => runOne("cases.ts", "pii-adversarial", 3000)]], 1)
  const ms = metric(worst, "pii-adversarial", "worstMs")
  rows.push({
    section: "pii",
    case: "pii-adversarial",
    description:
      "@fapilog/pii, every detector: worst time for one event holding a 100 KB adversarial string (message and a nested field)",
    value: Number(ms.toFixed(2)),
    unit: "ms",
    display: `${ms.toFixed(2)} ms worst per event`
  })
}

// ---- report --------------------------------------------------------------------------------

const version = (pkg: string): string | undefined => {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8"))
    return (json as { version?: string }).version
  } catch {
    return undefined
  }
}

const machine = {
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
  loadavgAtStart: started.loadavg.map((x) => Number(x.toFixed(2))),
  loadavgAtEnd: os.loadavg().map((x) => Number(x.toFixed(2)))
}
const results = {
  date: started.date,
  durationSeconds: Math.round((performance.now() - startedAt) / 1000),
  machine,
  versions: {
    fapilog: version("../"),
    pino: version("pino"),
    winston: version("winston"),
    effect: version("effect"),
    // the effect4 section's Effect (its Node is named in its rows' descriptions)
    effect4: version("../effect4/node_modules/effect")
  },
  config,
  rows
}

const table: Array<Array<string>> = [
  ["section", "case", "result", "vs pino", "pino case", "vs base", "target"]
]
for (const r of rows) {
  table.push([
    r.section,
    r.case,
    r.display,
    r.vsPino === undefined ? "" : `${r.vsPino.toFixed(2)}x`,
    r.vsPino === undefined ? "" : (r.peer ?? "pino"),
    r.vsBase === undefined ? "" : `${r.vsBase.ratio.toFixed(2)}x ${r.vsBase.base}`,
    r.target === undefined ? "" : `${r.target} ${r.met === true ? "✓" : "✗"}`
  ])
}
const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length))) ?? []
console.log(
  `\n\nfapilog bench${QUICK ? " (BENCH_QUICK)" : ""}: Node ${process.version}, ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, load ${machine.loadavgAtStart.join(" ")} → ${machine.loadavgAtEnd.join(" ")}, ${results.durationSeconds} s\n`
)
for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "))
console.log(
  "\nvs pino: the value over the named pino case's, same workload (events/s: higher is better; ns, µs, MiB: lower is better). vs base: over the case it varies."
)
const resultsFile = process.env.BENCH_RESULTS ?? path.join(here, "results.json")
fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`)
fs.rmSync(outDir, { recursive: true, force: true })
console.log(`written to ${path.relative(process.cwd(), resultsFile)}`)
