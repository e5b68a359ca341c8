/**
 * What every bench case shares: the workload, the fapilog build under test, the result line
 * a case prints for bench/run.ts, and small statistics helpers.
 */
import * as fs from "node:fs"

// The built package, as users run it (`npm run bench` builds first; BENCH_DIST points
// elsewhere during development); types come from src.
const dist = process.env.BENCH_DIST ?? new URL("../dist/index.js", import.meta.url).href
export const fapilog: typeof import("../src/index.js") = await import(dist)

/** The workload: one message and three fields, the same for every contender. */
export const MESSAGE = "request handled"
export const USER = "alice"

/** Ten bound fields, as a request-scoped child logger might carry. */
export const childBindings = {
  requestId: "r-1",
  tenant: "acme",
  route: "/orders",
  method: "GET",
  userId: 4711,
  region: "eu-west-1",
  version: "1.4.2",
  sampled: true,
  attempt: 1,
  client: "mobile"
}

/** Ten redaction paths of the usual kinds: plain keys, nested, wildcard, array items. */
export const redactPaths = [
  "password",
  "token",
  "secret",
  "card.number",
  "card.cvv",
  "headers.authorization",
  "headers.cookie",
  "*.apiKey",
  "users[*].email",
  "session.id"
]

/**
 * What a case reports, as the last line of its stdout: the lines its output file must hold
 * (checked by the runner) and its measurements.
 */
export interface CaseResult {
  readonly case: string
  readonly expectedLines: number
  readonly metrics: Readonly<Record<string, number>>
  readonly series?: ReadonlyArray<Readonly<Record<string, number>>> | undefined
}

export const report = (result: CaseResult): void => {
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

/** `usage: <script> <case> <events> <file>`, with the case table it runs. */
export const caseArgs = (script: string): { name: string; n: number; file: string } => {
  const [name, eventsArg, file] = process.argv.slice(2)
  if (name === undefined || eventsArg === undefined || file === undefined) {
    throw new Error(`usage: ${script} <case> <events> <file>`)
  }
  fs.rmSync(file, { force: true })
  return { name, n: Number(eventsArg), file }
}

export const runCase = async (
  name: string,
  cases: Record<string, () => Promise<CaseResult>>
): Promise<void> => {
  const run = cases[name]
  if (run === undefined) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(", ")}`)
  report(await run())
  // a logger's unref'd timers or a stream left open must not keep a case alive
  process.exit(0)
}

/** The value at quantile `q` (0..1) of sorted samples. */
export const quantile = (sorted: ArrayLike<number>, q: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number)

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return quantile(s, 0.5)
}

/** Waits for the next turn of the event loop, after I/O callbacks. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** What a paced run measured besides its events: how often the event loop itself stalled. */
export interface Paced {
  readonly elapsedMs: number
  /** Longest gap between two turns of the pacing loop, in ms: GC, a slow write or the OS. */
  readonly maxTurnGapMs: number
  /** Milliseconds spent in turn gaps longer than 1 ms. */
  readonly stalledMs: number
}

/**
 * Calls `send(i)` for i = 0 … total-1 at `rate` per second: on every event-loop turn it
 * sends the events due by now (a turn is a few microseconds when idle, so the stream is
 * steady, not bursts per timer tick).
 */
export const paced = async (rate: number, total: number, send: (i: number) => void): Promise<Paced> => {
  const start = performance.now()
  let sent = 0
  let last = start
  let maxTurnGapMs = 0
  let stalledMs = 0
  while (sent < total) {
    const now = performance.now()
    const gap = now - last
    last = now
    if (gap > maxTurnGapMs) maxTurnGapMs = gap
    if (gap > 1) stalledMs += gap
    const due = Math.min(total, Math.floor(((now - start) * rate) / 1000))
    for (; sent < due; sent++) send(sent)
    await nextTurn()
  }
  return { elapsedMs: performance.now() - start, maxTurnGapMs, stalledMs }
}

/** A pino destination (sonic-boom) flushed and closed. */
export const endStream = (stream: NodeJS.EventEmitter & { end: () => void }): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    stream.once("close", () => resolve())
    stream.once("error", reject)
    stream.end()
  })

/** Number of "\n" bytes in a file, read in chunks (output files can exceed a string's size). */
export const countLines = (file: string): number => {
  const fd = fs.openSync(file, "r")
  try {
    const buf = Buffer.allocUnsafe(1 << 20)
    let n = 0
    for (let read = fs.readSync(fd, buf); read > 0; read = fs.readSync(fd, buf)) {
      for (let at = buf.indexOf(10, 0); at !== -1 && at < read; at = buf.indexOf(10, at + 1)) n++
    }
    return n
  } finally {
    fs.closeSync(fd)
  }
}
