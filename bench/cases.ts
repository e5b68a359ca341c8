/**
 * One benchmark case, run in its own process: `tsx bench/cases.ts <case> <events> <file>`.
 * Prints one JSON object: { case, events, ms }. The timed span covers the whole logging loop
 * and the close/flush that puts every byte in the file.
 */
import * as fs from "node:fs"
import { Effect } from "effect"
import pino from "pino"

// The built package, as users run it (`npm run bench` builds first); types come from src.
const dist = new URL("../dist/index.js", import.meta.url).href
const { createLogger, Fapilog }: typeof import("../src/index.js") = await import(dist)

const [name, eventsArg, file] = process.argv.slice(2)
if (name === undefined || eventsArg === undefined || file === undefined) {
  throw new Error("usage: cases.ts <case> <events> <file>")
}
const N = Number(eventsArg)
const MESSAGE = "request handled"
const USER = "alice"

const pinoCase = async (sameFields: boolean): Promise<number> => {
  const dest = pino.destination({ dest: file, minLength: 4096, sync: false })
  await new Promise<void>((resolve) => dest.once("ready", () => resolve()))
  const options: pino.LoggerOptions = sameFields
    ? {
        base: null,
        messageKey: "message",
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) }
      }
    : {}
  const log = pino(options, dest)
  const start = performance.now()
  for (let i = 0; i < N; i++) log.info({ i, user: USER, ok: true }, MESSAGE)
  await new Promise<void>((resolve, reject) => {
    dest.once("close", () => resolve())
    dest.once("error", reject)
    dest.end()
  })
  return performance.now() - start
}

const facadeCase = async (): Promise<number> => {
  const log = await createLogger({ sinks: [{ type: "file", path: file }] })
  const start = performance.now()
  for (let i = 0; i < N; i++) log.info(MESSAGE, { i, user: USER, ok: true })
  await log.close()
  return performance.now() - start
}

const effectCase = (withFields: boolean): Promise<number> => {
  const loop = Effect.gen(function* () {
    const start = performance.now()
    for (let i = 0; i < N; i++) {
      if (withFields) yield* Effect.annotateLogs(Effect.logInfo(MESSAGE), { i, user: USER, ok: true })
      else yield* Effect.logInfo(MESSAGE)
    }
    return start
  })
  return Effect.runPromise(
    loop.pipe(Effect.provide(Fapilog.layer({ sinks: [{ type: "file", path: file }] })))
  ).then((start) => performance.now() - start)
}

const fapilogInfoCase = (): Promise<number> => {
  const loop = Effect.gen(function* () {
    const start = performance.now()
    for (let i = 0; i < N; i++) yield* Fapilog.info(MESSAGE, { i, user: USER, ok: true })
    return start
  })
  return Effect.runPromise(
    loop.pipe(Effect.provide(Fapilog.layer({ sinks: [{ type: "file", path: file }] })))
  ).then((start) => performance.now() - start)
}

/** The facade with extra settings: formatters, redaction, child bindings. */
const facadeWith = async (settings: Record<string, unknown>, child = false): Promise<number> => {
  const root = await createLogger({ sinks: [{ type: "file", path: file, ...settings }] } as never)
  const log = child ? root.child({ requestId: "r-1", tenant: "acme", route: "/orders" }) : root
  const start = performance.now()
  for (let i = 0; i < N; i++) log.info(MESSAGE, { i, user: USER, ok: true })
  await root.close()
  return performance.now() - start
}

const redactPaths = [
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

const cases: Record<string, () => Promise<number>> = {
  pino: () => pinoCase(false),
  "pino-same-fields": () => pinoCase(true),
  "fapilog-facade": facadeCase,
  "fapilog-logfmt": () => facadeWith({ format: "logfmt" }),
  "fapilog-pretty": () => facadeWith({ format: "pretty" }),
  "fapilog-minimal": () => facadeWith({ format: "minimal" }),
  "fapilog-ecs": () => facadeWith({ layout: "ecs" }),
  "fapilog-otel": () => facadeWith({ layout: "otel" }),
  "fapilog-pino-layout": () => facadeWith({ layout: "pino" }),
  "fapilog-child": () => facadeWith({}, true),
  "fapilog-redact-10": async () => {
    const log = await createLogger({ sinks: [{ type: "file", path: file }], redact: { paths: redactPaths } })
    const start = performance.now()
    for (let i = 0; i < N; i++) log.info(MESSAGE, { i, user: USER, ok: true })
    await log.close()
    return performance.now() - start
  },
  "fapilog-effect-fields": () => effectCase(true),
  "fapilog-effect-info": fapilogInfoCase,
  "fapilog-effect": () => effectCase(false)
}

const run = cases[name]
if (run === undefined) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(", ")}`)
fs.rmSync(file, { force: true })
const ms = await run()
process.stdout.write(`${JSON.stringify({ case: name, events: N, ms })}\n`)
