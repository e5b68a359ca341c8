/**
 * Throughput on the Effect 4 line, one case per process, under the Node 22 of `effect4/`:
 * `effect4/node_modules/.bin/node --import tsx --import ./effect4/register.mjs bench/effect4.ts
 * <case> <events> <file>` (bench/run.ts's `effect4` section, which builds `fapilog-effect4`
 * first). `effect` is Effect 4 and `fapilog-effect4` the built package. The pino peer of these
 * rows is cases.ts's `pino-message`, run by the same section under the same Node.
 */
import * as fs from "node:fs"
import { Effect, Logger } from "effect"
import { Fapilog } from "fapilog-effect4"
import { type CaseResult, caseArgs, MESSAGE, runCase } from "./common.js"

const { name, n: N, file } = caseArgs("effect4.ts")

const result = (ms: number): CaseResult => ({
  case: name,
  expectedLines: N,
  metrics: { ms, eventsPerSecond: (N / ms) * 1000 }
})

const loop = Effect.gen(function* () {
  const start = performance.now()
  for (let i = 0; i < N; i++) yield* Effect.logInfo(MESSAGE)
  return start
})

/**
 * The ceiling of any Effect 4 logger: `Effect.logInfo(message)` into one logger that does
 * nothing (Effect 4 has no `Logger.none`; with no logger at all Effect skips the call, which no
 * logger can match). It writes no lines; one marker line satisfies the runner's line count.
 */
const effectNoopCase = (): Promise<CaseResult> =>
  Effect.runPromise(loop.pipe(Effect.provide(Logger.layer([Logger.make(() => undefined)])))).then((start) => {
    const ms = performance.now() - start
    fs.writeFileSync(file, "marker\n")
    return { ...result(ms), expectedLines: 1 }
  })

/** `Effect.logInfo(message)` through `Fapilog.layer` into a file; the layer drains before runPromise settles. */
const fapilogEffectCase = (): Promise<CaseResult> =>
  Effect.runPromise(loop.pipe(Effect.provide(Fapilog.layer({ sinks: [{ type: "file", path: file }] })))).then(
    (start) => result(performance.now() - start)
  )

await runCase(name, {
  "effect-noop": effectNoopCase,
  "fapilog-effect": fapilogEffectCase
})
