/**
 * Throughput, one case per process: `node --import tsx bench/cases.ts <case> <events> <file>`.
 * The timed span covers the whole logging loop and the close/flush that puts every byte in
 * the file. Reports { ms, eventsPerSecond }; the runner checks the file holds <events> lines.
 */
import * as fs from "node:fs"
import { Effect, Layer, Logger } from "effect"
import pino from "pino"
import winston from "winston"
import { adversarial } from "../plugins/pii/test/adversarial.js"
import {
  type CaseResult,
  caseArgs,
  childBindings,
  endStream,
  fapilog,
  MESSAGE,
  redactPaths,
  runCase,
  USER
} from "./common.js"

const { createLogger, Fapilog, Sink } = fapilog
const { name, n: N, file } = caseArgs("cases.ts")

/** pino's asynchronous file destination on the case's file, once it is open (every pino case). */
const pinoFile = async (): Promise<ReturnType<typeof pino.destination>> => {
  const dest = pino.destination({ dest: file, minLength: 4096, sync: false })
  await new Promise<void>((resolve) => dest.once("ready", () => resolve()))
  return dest
}

const result = (ms: number): CaseResult => ({
  case: name,
  expectedLines: N,
  metrics: { ms, eventsPerSecond: (N / ms) * 1000 }
})

const pinoCase = async (sameFields: boolean, child = false): Promise<CaseResult> => {
  const dest = await pinoFile()
  const options: pino.LoggerOptions = sameFields
    ? {
        base: null,
        messageKey: "message",
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) }
      }
    : {}
  const root = pino(options, dest)
  const log = child ? root.child(childBindings) : root
  const start = performance.now()
  for (let i = 0; i < N; i++) log.info({ i, user: USER, ok: true }, MESSAGE)
  await endStream(dest)
  return result(performance.now() - start)
}

/** Google Cloud's severity names, as fapilog's `keys: "gcp"` writes them. */
const GCP_SEVERITY: Readonly<Record<string, string>> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warn: "WARNING",
  error: "ERROR",
  fatal: "CRITICAL"
}

/**
 * pino writing the keys of fapilog's `keys: "gcp"` sink: `time` (ISO), `severity` with
 * Google's names (`formatters.level`), `message` (`messageKey`), no pid/hostname.
 */
const pinoRenamedCase = async (): Promise<CaseResult> => {
  const dest = await pinoFile()
  const log = pino(
    {
      base: null,
      messageKey: "message",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ severity: GCP_SEVERITY[label] ?? "DEFAULT" }) }
    },
    dest
  )
  const start = performance.now()
  for (let i = 0; i < N; i++) log.info({ i, user: USER, ok: true }, MESSAGE)
  await endStream(dest)
  return result(performance.now() - start)
}

/** pino's `log.info(message)`: the message alone, the peer of `Effect.logInfo(message)`. */
const pinoMessageCase = async (sameFields: boolean): Promise<CaseResult> => {
  const dest = await pinoFile()
  const log = pino(
    sameFields
      ? {
          base: null,
          messageKey: "message",
          timestamp: pino.stdTimeFunctions.isoTime,
          formatters: { level: (label) => ({ level: label }) }
        }
      : {},
    dest
  )
  const start = performance.now()
  for (let i = 0; i < N; i++) log.info(MESSAGE)
  await endStream(dest)
  return result(performance.now() - start)
}

/**
 * The ceiling of any Effect logger: `Effect.logInfo(message)` into Effect's own no-op
 * logger (`Logger.none` replacing the default), so the time is Effect's alone. It writes no
 * lines; one marker line at the end satisfies the runner's line count.
 */
const effectNoopCase = (): Promise<CaseResult> => {
  const loop = Effect.gen(function* () {
    const start = performance.now()
    for (let i = 0; i < N; i++) yield* Effect.logInfo(MESSAGE)
    return start
  })
  return Effect.runPromise(loop.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, Logger.none)))).then(
    (start) => {
      const ms = performance.now() - start
      fs.writeFileSync(file, "marker\n")
      return { ...result(ms), expectedLines: 1 }
    }
  )
}

/** winston 3, JSON format with a timestamp, to a file stream; for reference. */
const winstonCase = async (): Promise<CaseResult> => {
  const stream = fs.createWriteStream(file, { flags: "a" })
  await new Promise<void>((resolve) => stream.once("open", () => resolve()))
  const transport = new winston.transports.Stream({ stream })
  const log = winston.createLogger({
    level: "info",
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [transport]
  })
  const start = performance.now()
  for (let i = 0; i < N; i++) log.info(MESSAGE, { i, user: USER, ok: true })
  // the transport finishes once the logger has handed it every entry; then the file stream
  await new Promise<void>((resolve) => {
    transport.once("finish", () => resolve())
    log.end()
  })
  await new Promise<void>((resolve, reject) => {
    stream.once("close", () => resolve())
    stream.once("error", reject)
    stream.end()
  })
  return result(performance.now() - start)
}

/** The three fields of the workload, plus a password and request headers that redaction censors. */
const withSecrets = (i: number) => ({
  i,
  user: USER,
  ok: true,
  password: "hunter2",
  headers: { authorization: "Bearer abc.def", accept: "application/json" }
})

/** The facade with extra settings: formatters, redaction, child bindings, other fields. */
const facade = async (
  settings: Record<string, unknown> = {},
  child = false,
  fields: (i: number) => Readonly<Record<string, unknown>> = (i) => ({ i, user: USER, ok: true }),
  lazy = false
): Promise<CaseResult> => {
  const { sink, ...rest } = settings
  const root = await createLogger({
    sinks: [{ type: "file", path: file, ...(sink as object | undefined) }],
    ...rest
  } as never)
  const log = child ? root.child(childBindings) : root
  const start = performance.now()
  if (lazy) for (let i = 0; i < N; i++) log.info(MESSAGE, () => fields(i))
  else for (let i = 0; i < N; i++) log.info(MESSAGE, fields(i))
  await root.close()
  return result(performance.now() - start)
}

/**
 * The facade with `fingersCrossed` in its steady state: every info event is held and none
 * triggers, so the only line written is the summary of what was discarded, at close. The
 * timed span covers the calls, the holding and the close. `contexts` spreads the events over
 * that many correlation ids (given as a call field), else they share one context.
 */
const fingersCrossedCase = async (contexts: number): Promise<CaseResult> => {
  const ids = Array.from({ length: contexts }, (_, i) => `r-${i}`)
  const root = await createLogger({ sinks: [{ type: "file", path: file }], fingersCrossed: {} })
  const start = performance.now()
  if (contexts === 0) for (let i = 0; i < N; i++) root.info(MESSAGE, { i, user: USER, ok: true })
  else
    for (let i = 0; i < N; i++)
      root.info(MESSAGE, { i, user: USER, ok: true, correlationId: ids[i % contexts] })
  await root.close()
  const ms = performance.now() - start
  const stats = root.stats()
  if (stats.filtered !== N || stats.held !== 0)
    throw new Error(`fingersCrossed discarded ${stats.filtered} of ${N} events, holds ${stats.held}`)
  return { ...result(ms), expectedLines: 1 }
}

/**
 * OpenTelemetry's Node SDK registered (its AsyncLocalStorage context manager), as an app that
 * exports traces has it; the spans go nowhere (no processor), so only the context is measured.
 */
const registerOtel = async (): Promise<typeof import("@opentelemetry/api")> => {
  const { NodeTracerProvider } = await import("@opentelemetry/sdk-trace-node")
  new NodeTracerProvider().register()
  return import("@opentelemetry/api")
}

/** `run` inside an active span (every line of the loop is logged in it), or with no span active. */
const otelCase = async (inSpan: boolean, run: () => Promise<CaseResult>): Promise<CaseResult> => {
  const otel = await registerOtel()
  if (!inSpan) return run()
  return otel.trace.getTracer("bench").startActiveSpan("bench", (span) => run().finally(() => span.end()))
}

/**
 * pino writing the active span's ids as fapilog does (`traceId`, `spanId`), through a mixin
 * reading OpenTelemetry's context on each call, as pino's OpenTelemetry instrumentation does.
 */
const pinoOtelCase = async (): Promise<CaseResult> => {
  const otel = await registerOtel()
  const dest = await pinoFile()
  const log = pino(
    {
      mixin: () => {
        const span = otel.trace.getActiveSpan()
        if (span === undefined) return {}
        const sc = span.spanContext()
        return otel.trace.isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId } : {}
      }
    },
    dest
  )
  return otel.trace.getTracer("bench").startActiveSpan("bench", async (span) => {
    const start = performance.now()
    for (let i = 0; i < N; i++) log.info({ i, user: USER, ok: true }, MESSAGE)
    await endStream(dest)
    span.end()
    return result(performance.now() - start)
  })
}

/** The workload's three fields plus a card number and an e-mail address: what encryption hides. */
const withCard = (i: number) => ({
  i,
  user: USER,
  ok: true,
  card: "4111 1111 1111 1111",
  contact: { email: "alice@example.com" }
})

/** pino writing the same events (fapilog's keys), the peer of the encryption rows. */
const pinoCardCase = async (): Promise<CaseResult> => {
  const dest = await pinoFile()
  const log = pino(
    {
      base: null,
      messageKey: "message",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) }
    },
    dest
  )
  const start = performance.now()
  for (let i = 0; i < N; i++) log.info(withCard(i), MESSAGE)
  await endStream(dest)
  return result(performance.now() - start)
}

/**
 * The facade with @fapilog/encryption (from its source, registered with `plugins.use`): the
 * two fields `card` and `contact.email`, or without `fields` the whole event. A fixed bench
 * key; the ring comes from a variable, as in production.
 */
const encryptionCase = async (fields: ReadonlyArray<string> | undefined): Promise<CaseResult> => {
  const { plugin } = await import("../plugins/encryption/src/index.js")
  process.env.FAPILOG_BENCH_KEYS = `bench:${"5a".repeat(32)}`
  return facade(
    {
      processors: [
        { type: "encryption", keys: "env:FAPILOG_BENCH_KEYS", ...(fields === undefined ? {} : { fields }) }
      ],
      plugins: { use: [plugin] }
    },
    false,
    withCard
  )
}

const layer = () => Fapilog.layer({ sinks: [{ type: "file", path: file }] })

/** The same file sink, provided as a layer (Sink.layer) instead of given in settings. */
const sinkLayer = () =>
  Fapilog.layer({ sinks: [] }).pipe(Layer.provide(Sink.layer(Sink.file({ path: file }))))

const effectCase = (withFields: boolean, live: typeof layer = layer): Promise<CaseResult> => {
  const loop = Effect.gen(function* () {
    const start = performance.now()
    for (let i = 0; i < N; i++) {
      if (withFields) yield* Effect.annotateLogs(Effect.logInfo(MESSAGE), { i, user: USER, ok: true })
      else yield* Effect.logInfo(MESSAGE)
    }
    return start
  })
  // the layer's scope closes (and drains) before runPromise settles
  return Effect.runPromise(loop.pipe(Effect.provide(live()))).then((start) =>
    result(performance.now() - start)
  )
}

const fapilogInfoCase = (): Promise<CaseResult> => {
  const loop = Effect.gen(function* () {
    const start = performance.now()
    for (let i = 0; i < N; i++) yield* Fapilog.info(MESSAGE, { i, user: USER, ok: true })
    return start
  })
  return Effect.runPromise(loop.pipe(Effect.provide(layer()))).then((start) =>
    result(performance.now() - start)
  )
}

/** The facade with @fapilog/pii (every default detector) on the same events, none holding personal data. */
const piiCase = async (): Promise<CaseResult> => {
  const { plugin } = await import("../plugins/pii/src/index.js")
  return facade({ processors: [{ type: "pii" }], plugins: { use: [plugin] } })
}

/**
 * The facade under a compliance profile, `compliance: ["pci-dss"]`, on the same events (none
 * holding personal data): the profile's fail-closed pii processor and redaction of secret
 * keys run on every event; its audit trail, which takes audit and security events only, is
 * open beside the file and writes none of these info events. (A preset on top costs what it
 * costs without the profile: the production preset's hostname and pid fields, for one.)
 */
const pciDssCase = async (): Promise<CaseResult> => {
  const [{ plugin: pii }, { plugin: audit }] = await Promise.all([
    import("../plugins/pii/src/index.js"),
    import("../plugins/audit/src/index.js")
  ])
  const trail = `${file}.trail`
  fs.rmSync(trail, { recursive: true, force: true })
  try {
    return await facade({
      compliance: ["pci-dss"],
      sinks: [
        { type: "file", path: file },
        { type: "audit", path: trail, key: "ab".repeat(32) }
      ],
      plugins: { use: [pii, audit] }
    })
  } finally {
    fs.rmSync(trail, { recursive: true, force: true })
  }
}

/**
 * The worst time of the pii processor (every detector, IP addresses included) for one event
 * holding one of the 100 KB adversarial strings (plugins/pii/test/adversarial.ts) as its
 * message and as a nested field; each input runs N / 1000 times (at least 3), the worst kept.
 */
const piiAdversarialCase = async (): Promise<CaseResult> => {
  const { Schema } = await import("effect")
  const { Config, make } = await import("../plugins/pii/src/index.js")
  const processor = make(Schema.decodeUnknownSync(Config)({ detectors: { ipv4: "censor", ipv6: "censor" } }))
  const repeat = Math.max(3, Math.floor(N / 1000))
  let worst = 0
  let events = 0
  for (const inputs of Object.values(adversarial))
    for (const message of inputs)
      for (let r = 0; r < repeat; r++) {
        const start = performance.now()
        processor.process?.({
          timestamp: "2026-12-06T12:00:00.000Z",
          level: "info",
          logger: "bench",
          message,
          fields: { body: { text: message } }
        })
        worst = Math.max(worst, performance.now() - start)
        events++
      }
  fs.writeFileSync(file, "")
  return { case: name, expectedLines: 0, metrics: { ms: worst, worstMs: worst, events } }
}

await runCase(name, {
  "fapilog-facade-pii": piiCase,
  "fapilog-facade-pci-dss": pciDssCase,
  "pii-adversarial": piiAdversarialCase,
  pino: () => pinoCase(false),
  "pino-same-fields": () => pinoCase(true),
  "pino-child-10": () => pinoCase(false, true),
  "pino-renamed-keys": pinoRenamedCase,
  "pino-message": () => pinoMessageCase(false),
  "pino-message-same-fields": () => pinoMessageCase(true),
  "effect-noop": effectNoopCase,
  winston: winstonCase,
  "fapilog-facade": () => facade(),
  "fapilog-facade-metrics": () => facade({ metrics: true }),
  "pino-otel-span": pinoOtelCase,
  "fapilog-facade-otel-idle": () => otelCase(false, () => facade()),
  "fapilog-facade-otel-span": () => otelCase(true, () => facade()),
  "fapilog-lazy": () => facade({}, false, undefined, true),
  "fapilog-logfmt": () => facade({ sink: { format: "logfmt" } }),
  "fapilog-pretty": () => facade({ sink: { format: "pretty" } }),
  "fapilog-minimal": () => facade({ sink: { format: "minimal" } }),
  "fapilog-ecs": () => facade({ sink: { layout: "ecs" } }),
  "fapilog-otel": () => facade({ sink: { layout: "otel" } }),
  "fapilog-pino-layout": () => facade({ sink: { layout: "pino" } }),
  "fapilog-renamed-keys": () => facade({ sink: { keys: "gcp" } }),
  "fapilog-child-10": () => facade({}, true),
  "fapilog-fingers-crossed": () => fingersCrossedCase(0),
  "fapilog-fingers-crossed-1000": () => fingersCrossedCase(1000),
  "fapilog-redact-10": () => facade({ redact: { paths: redactPaths } }),
  "fapilog-secrets": () => facade({}, false, withSecrets),
  "fapilog-redact-10-secrets": () => facade({ redact: { paths: redactPaths } }, false, withSecrets),
  "pino-card": pinoCardCase,
  "fapilog-card": () => facade({}, false, withCard),
  "fapilog-encrypt-fields": () => encryptionCase(["card", "contact.email"]),
  "fapilog-encrypt-event": () => encryptionCase(undefined),
  "fapilog-effect-fields": () => effectCase(true),
  "fapilog-effect-info": fapilogInfoCase,
  "fapilog-effect": () => effectCase(false),
  "fapilog-effect-sink-layer": () => effectCase(false, sinkLayer)
})
