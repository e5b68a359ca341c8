/**
 * Per-call costs and end-to-end latency, one case per process:
 * `node --import tsx bench/latency.ts <case> <events> <file>`.
 *
 * - `disabled-*`: `<events>` calls of debug while the level is info; ns per call. One info
 *   line at the end proves the logger works, so the file must hold exactly one line.
 *   `disabled-fapilog-category`: the level is debug but the logger's category's is info;
 *   `disabled-fapilog-lazy`: the fields given as a function.
 * - `caller-*`: `log.info(message, 3 fields)` timed one call at a time with
 *   process.hrtime.bigint(), the median cost of an empty timing pair subtracted; calls come
 *   in bursts of 1000 per event-loop turn, as a busy server would make them.
 * - `e2e-*`: a steady rate (BENCH_RATE, default 50,000 events/s) for `<events>` events; each
 *   call's time is recorded, and fs.write/fs.writeSync are wrapped so that every newline
 *   handed to the OS is stamped when the write returns (synchronous) or completes
 *   (asynchronous). Line k of the file is event k, so latency(k) = written(k) - called(k).
 *   The duration of each write call is reported too, to tell a disk stall from a wait.
 */
import fs from "node:fs"
import { syncBuiltinESMExports } from "node:module"
import { Effect, Logger } from "effect"
import pino from "pino"
import {
  type CaseResult,
  caseArgs,
  endStream,
  fapilog,
  MESSAGE,
  nextTurn,
  paced,
  quantile,
  runCase,
  USER
} from "./common.js"

const { name, n: N, file } = caseArgs("latency.ts")
const RATE = Number(process.env.BENCH_RATE ?? 50_000)
const BURST = 1000

// ---- write stamping (installed before any logger is loaded, for the e2e cases) --------------

const NEWLINE = 10
let written: Float64Array = new Float64Array(0)
let writtenCount = 0
/** How long each write to the output file took (call to return, or to callback), in ms. */
const writeCalls: Array<number> = []

const countNewlines = (data: unknown, offset: number, length: number, now: number): void => {
  if (typeof data === "string") {
    // a partial write of a string is not something either logger does; count it all
    for (let at = data.indexOf("\n"); at !== -1; at = data.indexOf("\n", at + 1)) stamp(now)
    return
  }
  if (!(data instanceof Uint8Array)) return
  const end = offset + length
  for (let at = data.indexOf(NEWLINE, offset); at !== -1 && at < end; at = data.indexOf(NEWLINE, at + 1))
    stamp(now)
}

const stamp = (now: number): void => {
  if (writtenCount < written.length) written[writtenCount] = now
  writtenCount++
}

/**
 * Wraps fs.writeSync and fs.write so that each newline written to the output file is
 * stamped. Both loggers call these through the module object (pino's CommonJS `fs`,
 * fapilog's namespace import, kept live by syncBuiltinESMExports), so the wrapping applies
 * to loggers opened afterwards.
 */
const installWriteStamps = (): void => {
  const watched = new Set<number>()
  const realOpen = fs.openSync
  const realOpenAsync = fs.open
  const target = file
  const fsObject = fs as unknown as { -readonly [K in keyof typeof fs]: (typeof fs)[K] }
  fsObject.openSync = ((path: fs.PathLike, ...rest: Array<unknown>) => {
    const fd = (realOpen as (...a: Array<unknown>) => number)(path, ...rest)
    if (String(path).endsWith(target)) watched.add(fd)
    return fd
  }) as typeof fs.openSync
  fsObject.open = ((path: fs.PathLike, ...rest: Array<unknown>) => {
    const cb = rest.pop() as (err: Error | null, fd: number) => void
    ;(realOpenAsync as (...a: Array<unknown>) => void)(path, ...rest, (err: Error | null, fd: number) => {
      if (err === null && String(path).endsWith(target)) watched.add(fd)
      cb(err, fd)
    })
  }) as typeof fs.open
  const realWriteSync = fs.writeSync
  fsObject.writeSync = ((fd: number, data: unknown, ...rest: Array<unknown>) => {
    const before = performance.now()
    const n = (realWriteSync as (...a: Array<unknown>) => number)(fd, data, ...rest)
    if (watched.has(fd)) {
      const now = performance.now()
      writeCalls.push(now - before)
      const offset = typeof rest[0] === "number" ? rest[0] : 0
      countNewlines(data, offset, n, now)
    }
    return n
  }) as typeof fs.writeSync
  const realWrite = fs.write
  fsObject.write = ((fd: number, data: unknown, ...rest: Array<unknown>) => {
    const cb = rest.pop() as (err: Error | null, n: number, ...more: Array<unknown>) => void
    const offset = typeof rest[0] === "number" ? rest[0] : 0
    const before = performance.now()
    ;(realWrite as (...a: Array<unknown>) => void)(
      fd,
      data,
      ...rest,
      (err: Error | null, n: number, ...more: Array<unknown>) => {
        if (err === null && watched.has(fd)) {
          const now = performance.now()
          writeCalls.push(now - before)
          countNewlines(data, offset, n, now)
        }
        cb(err, n, ...more)
      }
    )
  }) as typeof fs.write
  // ES module namespaces of node:fs (fapilog's build imports it so) see the wrapped functions
  syncBuiltinESMExports()
}

if (name.startsWith("e2e-")) installWriteStamps()

const { createLogger, Fapilog } = fapilog

// ---- loggers under test, with the same three fields -----------------------------------------

interface Under {
  readonly info: (i: number) => void
  readonly debug: (i: number) => void
  readonly close: () => Promise<void>
}

const openPino = async (): Promise<Under> => {
  const dest = pino.destination({ dest: file, minLength: 4096, sync: false })
  await new Promise<void>((resolve) => dest.once("ready", () => resolve()))
  const log = pino({ level: "info" }, dest)
  return {
    info: (i) => log.info({ i, user: USER, ok: true }, MESSAGE),
    debug: (i) => log.debug({ i, user: USER, ok: true }, MESSAGE),
    close: () => endStream(dest)
  }
}

/** A call-site enricher returning a constant, as cheap as one can be: what running one costs. */
const CONSTANT = Object.freeze({ region: "eu-1" })

const openFapilog = async (mixin = false): Promise<Under> => {
  const log = await createLogger({
    level: "info",
    sinks: [{ type: "file", path: file }],
    ...(mixin ? { mixin: () => CONSTANT } : {})
  })
  return {
    info: (i) => log.info(MESSAGE, { i, user: USER, ok: true }),
    debug: (i) => log.debug(MESSAGE, { i, user: USER, ok: true }),
    close: () => log.close()
  }
}

/**
 * The facade in a category whose level is info while the default level is debug, so that the
 * pipeline's early-out lets debug through and the category's own level must stop it.
 */
const openFapilogCategory = async (): Promise<Under> => {
  const root = await createLogger({
    level: "debug",
    categoryLevels: { "app.quiet": "info" },
    sinks: [{ type: "file", path: file }]
  })
  const log = root.child("quiet")
  return {
    info: (i) => log.info(MESSAGE, { i, user: USER, ok: true }),
    debug: (i) => log.debug(MESSAGE, { i, user: USER, ok: true }),
    close: () => root.close()
  }
}

/** The facade with the three fields given as a function (lazy fields). */
const openFapilogLazy = async (): Promise<Under> => {
  const log = await createLogger({ level: "info", sinks: [{ type: "file", path: file }] })
  return {
    info: (i) => log.info(MESSAGE, () => ({ i, user: USER, ok: true })),
    debug: (i) => log.debug(MESSAGE, () => ({ i, user: USER, ok: true })),
    close: () => log.close()
  }
}

const open = (logger: string): Promise<Under> =>
  logger === "pino"
    ? openPino()
    : logger === "fapilog-category"
      ? openFapilogCategory()
      : logger === "fapilog-lazy"
        ? openFapilogLazy()
        : openFapilog(logger === "fapilog-mixin")

// ---- disabled level --------------------------------------------------------------------------

const disabled = async (logger: string): Promise<CaseResult> => {
  const log = await open(logger)
  // warm up the call site, then time it
  for (let i = 0; i < Math.min(N, 1_000_000); i++) log.debug(i)
  const start = process.hrtime.bigint()
  for (let i = 0; i < N; i++) log.debug(i)
  const ns = Number(process.hrtime.bigint() - start) / N
  log.info(N)
  await log.close()
  return { case: name, expectedLines: 1, metrics: { nsPerCall: ns } }
}

/** ns per `yield* Effect.logDebug(message)` at level info, then one info line. */
const disabledEffectLoop = Effect.gen(function* () {
  const loop = (n: number) =>
    Effect.gen(function* () {
      for (let i = 0; i < n; i++) yield* Effect.logDebug(MESSAGE)
    })
  yield* loop(Math.min(N, 100_000))
  const start = process.hrtime.bigint()
  yield* loop(N)
  const ns = Number(process.hrtime.bigint() - start) / N
  yield* Effect.logInfo(MESSAGE)
  return ns
})

/** Through fapilog: Effect's minimum level follows fapilog's threshold (one switch). */
const disabledEffect = (): Promise<CaseResult> =>
  Effect.runPromise(
    disabledEffectLoop.pipe(
      Effect.provide(Fapilog.layer({ level: "info", sinks: [{ type: "file", path: file }] }))
    )
  ).then((ns) => ({ case: name, expectedLines: 1, metrics: { nsPerCall: ns } }))

/** Effect alone, its minimum level at Info, the info line into Logger.none: the reference. */
const disabledEffectNative = (): Promise<CaseResult> =>
  Effect.runPromise(
    disabledEffectLoop.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, Logger.none)))
  ).then((ns) => {
    fs.writeFileSync(file, "marker\n")
    return { case: name, expectedLines: 1, metrics: { nsPerCall: ns } }
  })

// ---- caller-side latency ---------------------------------------------------------------------

/** Median cost of an empty hrtime.bigint() pair, in ns. */
const timerOverhead = (): number => {
  const samples = new Float64Array(200_000)
  for (let i = 0; i < samples.length; i++) {
    const t0 = process.hrtime.bigint()
    samples[i] = Number(process.hrtime.bigint() - t0)
  }
  samples.sort()
  return quantile(samples, 0.5)
}

const percentiles = (prefix: string, samples: Float64Array, scale: number): Record<string, number> => {
  samples.sort()
  return {
    [`${prefix}P50`]: quantile(samples, 0.5) * scale,
    [`${prefix}P99`]: quantile(samples, 0.99) * scale,
    [`${prefix}P999`]: quantile(samples, 0.999) * scale,
    [`${prefix}Max`]: (samples[samples.length - 1] ?? Number.NaN) * scale
  }
}

const caller = async (logger: string): Promise<CaseResult> => {
  const log = await open(logger)
  const overhead = timerOverhead()
  // warm-up, not recorded
  for (let i = 0; i < 20_000; i++) {
    log.info(i)
    if (i % BURST === BURST - 1) await nextTurn()
  }
  const samples = new Float64Array(N)
  for (let i = 0; i < N; i++) {
    const t0 = process.hrtime.bigint()
    log.info(i)
    samples[i] = Math.max(0, Number(process.hrtime.bigint() - t0) - overhead)
    if (i % BURST === BURST - 1) await nextTurn()
  }
  await log.close()
  // nanoseconds → microseconds
  return {
    case: name,
    expectedLines: N + 20_000,
    metrics: { ...percentiles("us", samples, 1e-3), timerOverheadNs: overhead }
  }
}

/**
 * The caller's side alone: N calls in bursts of 1000 per event-loop turn, only the bursts
 * timed (the worker runs between them), in ns per call. Run with and without a call-site
 * enricher, the difference is what the enricher costs a call.
 */
const callerBurst = async (logger: string): Promise<CaseResult> => {
  const log = await open(logger)
  const burst = async (count: number): Promise<number> => {
    let ns = 0
    for (let i = 0; i < count; i += BURST) {
      const t0 = process.hrtime.bigint()
      for (let j = i; j < i + BURST && j < count; j++) log.info(j)
      ns += Number(process.hrtime.bigint() - t0)
      await nextTurn()
    }
    return ns / count
  }
  await burst(100_000)
  const nsPerCall = await burst(N)
  await log.close()
  return { case: name, expectedLines: N + 100_000, metrics: { nsPerCall } }
}

// ---- end to end at a steady rate -------------------------------------------------------------

/** Events sent at the same rate before the measured ones, so that JIT warm-up is not measured. */
const WARM_UP = Math.round(RATE / 2)

const e2e = async (logger: string): Promise<CaseResult> => {
  const log = await open(logger)
  const total = WARM_UP + N
  written = new Float64Array(total)
  const called = new Float64Array(total)
  const callCost = new Float64Array(total)
  const run = await paced(RATE, total, (i) => {
    const t = performance.now()
    called[i] = t
    log.info(i)
    callCost[i] = performance.now() - t
  })
  await log.close()
  if (writtenCount !== total) throw new Error(`${name}: ${writtenCount} newlines stamped, expected ${total}`)
  const latency = new Float64Array(N)
  for (let i = 0; i < N; i++) latency[i] = (written[WARM_UP + i] as number) - (called[WARM_UP + i] as number)
  // milliseconds → microseconds
  return {
    case: name,
    expectedLines: total,
    metrics: {
      ...percentiles("us", latency, 1e3),
      ...percentiles("callerUs", callCost.subarray(WARM_UP), 1e3),
      // how long the writes themselves took: a disk stall shows here, not in the logger
      ...percentiles("writeCallUs", Float64Array.from(writeCalls), 1e3),
      writeCalls: writeCalls.length,
      rate: (total / run.elapsedMs) * 1000,
      maxTurnGapMs: run.maxTurnGapMs,
      stalledMs: run.stalledMs
    }
  }
}

await runCase(name, {
  "disabled-pino": () => disabled("pino"),
  "disabled-fapilog": () => disabled("fapilog"),
  "disabled-fapilog-category": () => disabled("fapilog-category"),
  "disabled-fapilog-lazy": () => disabled("fapilog-lazy"),
  "disabled-effect": disabledEffect,
  "disabled-effect-native": disabledEffectNative,
  "caller-pino": () => caller("pino"),
  "caller-fapilog": () => caller("fapilog"),
  "burst-caller-fapilog": () => callerBurst("fapilog"),
  "burst-caller-fapilog-mixin": () => callerBurst("fapilog-mixin"),
  "e2e-pino": () => e2e("pino"),
  "e2e-fapilog": () => e2e("fapilog")
})
