import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type { Formatter } from "../Formatter.js"
import type { LogEvent } from "../LogEvent.js"
import type { Processor } from "../Processor.js"
import type { Batch, Sink } from "../Sink.js"
import { BatchImpl } from "./batch.js"
import { Diagnostics } from "./diagnostics.js"
import { effectMajor, packageName } from "./effectLine.js"
import type { NamedEnricher } from "./enrichers.js"
import { runEnrichers } from "./enrichers.js"
import { json } from "./formatter.js"
import { stringify } from "./json.js"
import { levelNames } from "./level.js"
import {
  candidatesFor,
  incompatibility,
  lineRefusal,
  type Manifest,
  packageSuffix,
  readPlugin
} from "./plugin.js"
import { Processing } from "./processing.js"
import { contextOf, eventOf, fromPublic, processorIssue } from "./processor.js"
import { eventId, type LogRecord } from "./record.js"
import { batchOf, type EventInput, hostileInputs, recordsOf, tokenOf } from "./testingEvents.js"

/** The first conformance rule a sink, enricher or plugin broke, and how. */
export class ConformanceError extends Data.TaggedError("ConformanceError")<{
  readonly rule: string
  readonly detail: string
}> {
  override get message(): string {
    return `conformance rule "${this.rule}" violated: ${this.detail}`
  }
}

/** Which rules held and which were skipped. */
export interface ConformanceReport {
  readonly passed: ReadonlyArray<string>
  readonly skipped: ReadonlyArray<string>
}

export const sinkRules = [
  "shape",
  "write",
  "empty-batch",
  "delivers-once",
  "order",
  "drain-on-close",
  "close",
  "write-sync",
  "hostile-events",
  "failure-is-sink-error"
] as const
export type SinkRule = (typeof sinkRules)[number]

export interface SinkConformanceOptions {
  /** Opens a sink writing to the destination under test; run once per scenario, each in its own scope. */
  readonly make: Effect.Effect<Sink, unknown, Scope.Scope>
  /**
   * What the destination has received so far, in arrival order: lines, decoded records,
   * request bodies... anything whose text (strings as they are, bytes as UTF-8, objects as
   * JSON) contains each event's message. May include unrelated items; read after each scope closes.
   */
  readonly received: Effect.Effect<ReadonlyArray<unknown>, unknown>
  /** Opens a sink whose destination refuses every write (a server answering 500, a read-only file). */
  readonly failing?: Effect.Effect<Sink, unknown, Scope.Scope> | undefined
  readonly skip?: ReadonlyArray<SinkRule> | undefined
  /** Longest any one step (open, write, close, read) may take; default 30000 ms. */
  readonly timeoutMs?: number | undefined
}

const describe = (e: unknown): string => {
  if (e instanceof Error) return `${e.name}: ${e.message}`
  try {
    return stringify(e) ?? String(e)
  } catch {
    return "an unprintable value"
  }
}

const causeText = (cause: Cause.Cause<unknown>): string =>
  Cause.isDie(cause)
    ? `died with ${describe(Cause.squash(cause))}`
    : `failed with ${describe(Cause.squash(cause))}`

const fail = (rule: string, detail: string) => Effect.fail(new ConformanceError({ rule, detail }))

const bounded = <A, E>(
  rule: string,
  what: string,
  timeoutMs: number,
  effect: Effect.Effect<A, E>
): Effect.Effect<Exit.Exit<A, E>, ConformanceError> =>
  effect.pipe(
    Effect.exit,
    Effect.disconnect,
    Effect.interruptible,
    Effect.timeoutOption(timeoutMs),
    Effect.flatMap((o) =>
      Option.isSome(o)
        ? Effect.succeed(o.value)
        : fail(rule, `${what} did not complete within ${timeoutMs} ms`)
    )
  )

const textOf = (item: unknown): string => {
  if (typeof item === "string") return item
  if (item instanceof Uint8Array)
    return Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString("utf8")
  return stringify(item) ?? String(item)
}

/** The indices of this scenario's events, in the order the destination received them. */
const sequenceOf = (items: ReadonlyArray<unknown>, run: string, scenario: string): Array<number> => {
  const pattern = new RegExp(`fapilog-conformance-${run}-${scenario}-(\\d{5})`, "g")
  const out: Array<number> = []
  for (const item of items) for (const m of textOf(item).matchAll(pattern)) out.push(Number(m[1]))
  return out
}

/**
 * Opens a sink in a scope of its own, runs `use`, closes the scope (bounded, must not die)
 * and returns what the destination received by then.
 */
const session = (
  options: SinkConformanceOptions,
  make: Effect.Effect<Sink, unknown, Scope.Scope>,
  timeoutMs: number,
  use: (sink: Sink) => Effect.Effect<void, ConformanceError>
): Effect.Effect<ReadonlyArray<unknown>, ConformanceError> =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const opened = yield* bounded("shape", "opening the sink", timeoutMs, Scope.extend(make, scope))
    if (Exit.isFailure(opened)) {
      yield* Scope.close(scope, opened)
      return yield* fail("shape", `opening the sink ${causeText(opened.cause)}`)
    }
    const used = yield* Effect.exit(use(opened.value))
    const closed = yield* bounded(
      "close",
      "closing the sink's scope",
      timeoutMs,
      Scope.close(scope, Exit.void)
    )
    if (Exit.isFailure(used)) return yield* Effect.failCause(used.cause)
    if (Exit.isFailure(closed))
      return yield* fail("close", `closing the sink's scope ${causeText(closed.cause)}`)
    const received = yield* bounded(
      "received",
      "reading what the destination received",
      timeoutMs,
      options.received
    )
    if (Exit.isFailure(received))
      return yield* fail("received", `reading what the destination received ${causeText(received.cause)}`)
    return received.value
  })

/** Calls `write` and insists on an Effect that succeeds. */
const writeOk = (rule: string, sink: Sink, batch: Batch, timeoutMs: number, what: string) =>
  Effect.gen(function* () {
    let effect: Effect.Effect<void, unknown>
    try {
      effect = sink.write(batch)
    } catch (e) {
      return yield* fail(rule, `write threw ${describe(e)} instead of returning an Effect (${what})`)
    }
    if (!Effect.isEffect(effect))
      return yield* fail(rule, `write returned ${describe(effect)}, not an Effect`)
    const exit = yield* bounded(rule, `write of ${what}`, timeoutMs, effect)
    if (Exit.isFailure(exit)) return yield* fail(rule, `write of ${what} ${causeText(exit.cause)}`)
  })

interface Written {
  /** Number of events written in this scenario, tokens 0..count-1 in writing order. */
  readonly count: number
  /** The batch each event was in, by index. */
  readonly batchOf: ReadonlyArray<number>
}

const checkDelivery = (
  received: ReadonlyArray<unknown>,
  run: string,
  scenario: string,
  written: Written,
  skip: ReadonlySet<string>,
  missingRule: string
): Effect.Effect<ReadonlyArray<string>, ConformanceError> =>
  Effect.gen(function* () {
    const sequence = sequenceOf(received, run, scenario)
    const counts = new Array<number>(written.count).fill(0)
    for (const i of sequence) {
      if (i >= written.count)
        return yield* fail(
          "delivers-once",
          `an event that was never written arrived: ${tokenOf(run, scenario, i)}`
        )
      counts[i] = (counts[i] ?? 0) + 1
    }
    const missing = counts.flatMap((c, i) => (c === 0 ? [i] : []))
    if (missing.length > 0 && !skip.has(missingRule)) {
      const first = missing[0] as number
      return yield* fail(
        missingRule,
        `${missing.length} of ${written.count} events written before the scope closed had not been delivered when it closed; first missing: event ${first} of batch ${written.batchOf[first]} (${tokenOf(run, scenario, first)})`
      )
    }
    const repeated = counts.findIndex((c) => c > 1)
    if (repeated >= 0 && !skip.has("delivers-once"))
      return yield* fail(
        "delivers-once",
        `event ${repeated} (${tokenOf(run, scenario, repeated)}) was delivered ${counts[repeated]} times`
      )
    if (!skip.has("order")) {
      const seen = new Set<number>()
      let last = -1
      for (const i of sequence) {
        if (seen.has(i)) continue
        seen.add(i)
        if (i < last)
          return yield* fail(
            "order",
            `event ${i} (batch ${written.batchOf[i]}) arrived after event ${last} (batch ${written.batchOf[last]}), which was written after it`
          )
        last = i
      }
    }
    return [missingRule, "delivers-once", "order"].filter((r) => !skip.has(r))
  })

/** Batches of the given sizes with consecutive tokens, and which batch each event is in. */
const tokenBatches = (run: string, scenario: string, sizes: ReadonlyArray<number>) => {
  const batchIndex: Array<number> = []
  let next = 0
  const batches = sizes.map((size, b) => {
    const inputs: Array<EventInput> = []
    for (let i = 0; i < size; i++) {
      inputs.push({
        level: levelNames[(next + i) % levelNames.length],
        message: `${tokenOf(run, scenario, next + i)} batch ${b} event ${i}`,
        fields: { batch: b, index: i, nested: { ok: true, list: [1, "two", null] } }
      })
      batchIndex.push(b)
    }
    next += size
    return batchOf(inputs)
  })
  return { batches, written: { count: next, batchOf: batchIndex } }
}

/**
 * Runs every scenario against a sink and fails with the first rule it breaks:
 * - shape: `name` is a non-empty string, `write` a function, `writeSync` absent or a function;
 * - write, empty-batch: writes (an empty batch too) return an Effect that succeeds;
 * - delivers-once, order, drain-on-close: every event of every batch written before the
 *   scope closes has been delivered exactly once, in the order written, by the time it closes;
 * - close: closing the scope completes in time and does not die;
 * - write-sync: when present, `writeSync` delivers the same way;
 * - hostile-events: a batch of hostile values (cycles, BigInt, throwing getters, proxies,
 *   huge and deep values, control characters...) is written without failing, and every
 *   event arrives;
 * - failure-is-sink-error (with `failing`): a write to a refusing destination succeeds
 *   (buffered) or fails with a SinkError, never a defect or a thrown exception.
 */
export const sinkConformance = (
  options: SinkConformanceOptions
): Effect.Effect<ConformanceReport, ConformanceError> =>
  Effect.gen(function* () {
    const timeoutMs = options.timeoutMs ?? 30_000
    const skip = new Set<string>(options.skip ?? [])
    const passed = new Set<string>()
    const run = Math.random().toString(36).slice(2, 10)

    // batches of several sizes through write, an empty one among them
    const a = tokenBatches(run, "a", [1, 200, 0, 20])
    const receivedA = yield* session(options, options.make, timeoutMs, (sink) =>
      Effect.gen(function* () {
        if (!skip.has("shape")) {
          let problem: string | undefined
          try {
            if (typeof sink.name !== "string" || sink.name === "")
              problem = `its name ${describe(sink.name)} is not a non-empty string`
            else if (typeof sink.write !== "function") problem = "it has no write function"
            else if (sink.writeSync !== undefined && typeof sink.writeSync !== "function")
              problem = "its writeSync is neither undefined nor a function"
          } catch (e) {
            problem = `reading it threw ${describe(e)}`
          }
          if (problem !== undefined) return yield* fail("shape", `the sink is not a Sink: ${problem}`)
          passed.add("shape")
        }
        for (const [b, batch] of a.batches.entries()) {
          const rule = batch.size === 0 ? "empty-batch" : "write"
          if (skip.has(rule)) continue
          yield* writeOk(rule, sink, batch, timeoutMs, `batch ${b} (${batch.size} events)`)
          passed.add(rule)
        }
      })
    )
    const delivered = yield* checkDelivery(receivedA, run, "a", a.written, skip, "drain-on-close")
    for (const r of delivered) passed.add(r)
    if (!skip.has("close")) passed.add("close")

    // the same through writeSync, when the sink has it
    if (!skip.has("write-sync")) {
      const b = tokenBatches(run, "b", [3, 100])
      let hadSync = false
      const receivedB = yield* session(options, options.make, timeoutMs, (sink) =>
        Effect.gen(function* () {
          const writeSync = sink.writeSync
          if (writeSync === undefined) return
          hadSync = true
          for (const [i, batch] of b.batches.entries()) {
            try {
              writeSync.call(sink, batch)
            } catch (e) {
              return yield* fail("write-sync", `writeSync of batch ${i} threw ${describe(e)}`)
            }
          }
        })
      )
      if (hadSync) {
        yield* checkDelivery(receivedB, run, "b", b.written, skip, "write-sync")
        passed.add("write-sync")
      }
    }

    // hostile values
    if (!skip.has("hostile-events")) {
      const inputs = hostileInputs((i) => tokenOf(run, "c", i))
      const batch = batchOf(inputs)
      const receivedC = yield* session(options, options.make, timeoutMs, (sink) =>
        writeOk("hostile-events", sink, batch, timeoutMs, "a batch of hostile events")
      )
      const sequence = new Set(sequenceOf(receivedC, run, "c"))
      const lost = inputs.findIndex((_, i) => !sequence.has(i))
      if (lost >= 0)
        return yield* fail(
          "hostile-events",
          `the event carrying ${describe(inputs[lost]?.message).slice(0, 120)} was written without error but never arrived`
        )
      passed.add("hostile-events")
    }

    // a destination that refuses writes
    if (options.failing !== undefined && !skip.has("failure-is-sink-error")) {
      const batch = batchOf(3)
      yield* session(options, options.failing, timeoutMs, (sink) =>
        Effect.gen(function* () {
          let effect: Effect.Effect<void, unknown>
          try {
            effect = sink.write(batch)
          } catch (e) {
            return yield* fail(
              "failure-is-sink-error",
              `write threw ${describe(e)} instead of failing with a SinkError`
            )
          }
          const exit = yield* bounded(
            "failure-is-sink-error",
            "a write to a refusing destination",
            timeoutMs,
            effect
          )
          if (Exit.isFailure(exit)) {
            if (Cause.isDie(exit.cause))
              return yield* fail(
                "failure-is-sink-error",
                `write died with ${describe(Cause.squash(exit.cause))} instead of failing with a SinkError`
              )
            const error = Cause.squash(exit.cause) as { _tag?: unknown }
            if (error?._tag !== "SinkError")
              return yield* fail(
                "failure-is-sink-error",
                `write failed with ${describe(error)}, not a SinkError`
              )
          }
        })
      )
      passed.add("failure-is-sink-error")
    } else if (options.failing === undefined) skip.add("failure-is-sink-error")

    return {
      passed: sinkRules.filter((r) => passed.has(r)),
      skipped: sinkRules.filter((r) => !passed.has(r))
    }
  })

export const enricherRules = ["shape", "never-throws", "returns-fields", "serializable"] as const
export type EnricherRule = (typeof enricherRules)[number]

export interface EnricherConformanceOptions {
  /** The enricher, or a scoped Effect that opens it (an enricher plugin's `make`). */
  readonly make: NamedEnricher | Effect.Effect<NamedEnricher, unknown, Scope.Scope>
  readonly skip?: ReadonlyArray<EnricherRule> | undefined
  readonly timeoutMs?: number | undefined
}

const enricherInputs = () => {
  const messages = ["hello", "", "x".repeat(100_000), "ctl\u0000\u001b[31m\r\n", "lone \ud800", "emoji 🎉"]
  const out: Array<{ level: (typeof levelNames)[number]; message: string; logger: string; time: number }> = []
  for (const level of levelNames)
    for (const message of messages)
      for (const logger of ["app", ""]) out.push(Object.freeze({ level, message, logger, time: Date.now() }))
  return out
}

/**
 * Checks an enricher: a name and an `enrich` function (shape); it never throws, whatever the
 * event (every level, empty, huge and control-character messages; inputs are frozen, so
 * mutating them throws too); it returns undefined or a plain object of fields; and what it
 * returns goes through fapilog's own enrichment and JSON output as valid JSON lines.
 */
export const enricherConformance = (
  options: EnricherConformanceOptions
): Effect.Effect<ConformanceReport, ConformanceError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const timeoutMs = options.timeoutMs ?? 30_000
      const skip = new Set<string>(options.skip ?? [])
      const passed: Array<string> = []
      const scope = yield* Effect.scope
      const made = Effect.isEffect(options.make)
        ? yield* bounded("shape", "opening the enricher", timeoutMs, Scope.extend(options.make, scope))
        : Exit.succeed(options.make)
      if (Exit.isFailure(made)) return yield* fail("shape", `opening the enricher ${causeText(made.cause)}`)
      const enricher = made.value as NamedEnricher
      let name: unknown
      let enrich: unknown
      try {
        name = enricher.name
        enrich = enricher.enrich
      } catch (e) {
        return yield* fail("shape", `reading the enricher threw ${describe(e)}`)
      }
      if (typeof name !== "string" || name === "" || typeof enrich !== "function")
        return yield* fail("shape", "an enricher is { name: non-empty string, enrich: function }")
      passed.push("shape")
      const inputs = enricherInputs()
      for (const input of inputs) {
        let out: unknown
        try {
          out = (enrich as NamedEnricher["enrich"])(input)
        } catch (e) {
          if (skip.has("never-throws")) continue
          return yield* fail(
            "never-throws",
            `enrich threw ${describe(e)} for a ${input.level} event with message ${describe(input.message.slice(0, 40))}`
          )
        }
        if (
          !skip.has("returns-fields") &&
          out !== undefined &&
          (typeof out !== "object" || out === null || Array.isArray(out))
        )
          return yield* fail(
            "returns-fields",
            `enrich returned ${describe(out)}, not undefined or an object of fields`
          )
      }
      if (!skip.has("never-throws")) passed.push("never-throws")
      if (!skip.has("returns-fields")) passed.push("returns-fields")
      if (!skip.has("serializable")) {
        const records = recordsOf(
          inputs.map((i) => ({ level: i.level, message: i.message, logger: i.logger }))
        )
        const errors: Array<unknown> = []
        runEnrichers(records, [{ name, enrich: enrich as NamedEnricher["enrich"] }], (_, e) => errors.push(e))
        const text = new BatchImpl(records).text(json)
        for (const line of text.split("\n").filter((l) => l !== "")) {
          const parsed = Either.try(() => JSON.parse(line) as unknown)
          if (Either.isLeft(parsed))
            return yield* fail(
              "serializable",
              `an enriched event is not a valid JSON line: ${line.slice(0, 200)}`
            )
        }
        passed.push("serializable")
      }
      return {
        passed,
        skipped: enricherRules.filter((r) => !passed.includes(r))
      }
    })
  )

export const pluginRules = ["plugin-shape", "api-version", "discoverable", "package-json"] as const
export type PluginRule = (typeof pluginRules)[number]

/**
 * Checks a plugin object's metadata: it is a valid plugin (name, type, kind, version,
 * apiVersion, description, config Schema, make); its apiVersion loads on this fapilog; its
 * name is one discovery tries for its type (the Effect 3 package's name, which both builds of
 * one source carry); and, given its package.json, that the package name (the plugin's, with
 * `-effect4` on Effect 4), version and `fapilog` field agree with it.
 */
export const pluginConformance = (
  plugin: unknown,
  options: { readonly packageJson?: unknown; readonly skip?: ReadonlyArray<PluginRule> | undefined } = {}
): Effect.Effect<ConformanceReport, ConformanceError> =>
  Effect.gen(function* () {
    const skip = new Set<string>(options.skip ?? [])
    const passed: Array<string> = []
    const read = readPlugin(plugin)
    if (Either.isLeft(read)) return yield* fail("plugin-shape", `the plugin ${read.left}`)
    const p = read.right
    passed.push("plugin-shape")
    if (!skip.has("api-version")) {
      const why = incompatibility(p.apiVersion)
      if (why !== undefined) return yield* fail("api-version", why)
      passed.push("api-version")
    }
    if (!skip.has("discoverable")) {
      // a plugin's name is its Effect 3 package's; its Effect 4 package adds -effect4
      const names = candidatesFor(p.type, 3)
      if (!names.includes(p.name))
        return yield* fail(
          "discoverable",
          `settings name it by type ${JSON.stringify(p.type)}, but discovery looks for ${names.join(" or ")} (with -effect4 on Effect 4), not ${p.name}`
        )
      passed.push("discoverable")
    }
    if (options.packageJson !== undefined && !skip.has("package-json")) {
      const pkg = options.packageJson as {
        name?: unknown
        version?: unknown
        fapilog?: { kind?: unknown; type?: unknown; apiVersion?: unknown }
      }
      const name = `${p.name}${packageSuffix(effectMajor)}`
      if (pkg.name !== name)
        return yield* fail(
          "package-json",
          effectMajor === 3
            ? `package.json name is ${describe(pkg.name)}, the plugin object says ${describe(p.name)}`
            : `package.json name is ${describe(pkg.name)}, not ${describe(name)}: the build of plugin ${p.name} for Effect ${effectMajor} (${packageName}) is the package ${name}`
        )
      const expect: Array<[string, unknown, unknown]> = [
        ["version", pkg.version, p.version],
        ['"fapilog".kind', pkg.fapilog?.kind, p.kind],
        ['"fapilog".type', pkg.fapilog?.type, p.type],
        ['"fapilog".apiVersion', pkg.fapilog?.apiVersion, p.apiVersion]
      ]
      for (const [field, actual, wanted] of expect)
        if (actual !== wanted)
          return yield* fail(
            "package-json",
            `package.json ${field} is ${describe(actual)}, the plugin object says ${describe(wanted)}`
          )
      // the package must also load on the Effect line these checks run on
      const line = lineRefusal(name, pkg as Manifest)
      if (line !== undefined) return yield* fail("package-json", line)
      passed.push("package-json")
    }
    return { passed, skipped: pluginRules.filter((r) => !passed.includes(r)) }
  })

// ---------------------------------------------------------------------------------------
// Processors

export const processorRules = [
  "shape",
  "never-throws",
  "returns-events",
  "keeps-ids",
  "order",
  "no-mutation",
  "serializable",
  "flush",
  "drop-accounting"
] as const
export type ProcessorRule = (typeof processorRules)[number]

export interface ProcessorConformanceOptions {
  /** The processor, or a scoped Effect that opens it (a processor plugin's `Plugin.open`). */
  readonly make: Processor | Effect.Effect<Processor, unknown, Scope.Scope>
  /**
   * Events typical for this processor (those it changes or drops among others); by default
   * a mix of every level, nested fields, errors, trace ids, context and bindings.
   */
  readonly events?: ReadonlyArray<EventInput> | undefined
  /**
   * Which of `events` the processor drops (its contract). With it, `drop-accounting` checks
   * that exactly those are dropped, and that the count the pipeline keeps
   * (`stats().filteredBy[name]`) says so.
   */
  readonly drops?: ((event: LogEvent) => boolean) | undefined
  readonly skip?: ReadonlyArray<ProcessorRule> | undefined
  /** Longest opening the processor may take; default 30000 ms. */
  readonly timeoutMs?: number | undefined
}

/** Ordinary events a processor meets: every level, nested fields, an error, ids, context, bindings. */
const typicalInputs = (): ReadonlyArray<EventInput> =>
  levelNames.flatMap((level, i) => [
    { level, message: `${level} event`, fields: { n: i, user: { name: "ada", email: "ada@example.com" } } },
    {
      level,
      message: `${level} with more`,
      fields: { list: [1, "two", { three: 3 }], nested: { deep: { deeper: true } }, path: "/orders/7" },
      error: i % 2 === 0 ? new Error(`failure ${i}`) : undefined,
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      context: { requestId: `r-${i}` },
      bindings: { component: "billing" }
    }
  ])

/** Records as the pipeline hands them to processors, each with its id (`<run>-<n>`). */
const stamped = (inputs: ReadonlyArray<EventInput>, run: string, from: number): Array<LogRecord> =>
  recordsOf(inputs).map((r, i) => {
    r.idPrefix = `${run}-`
    r.seq = from + i + 1
    return r
  })

/** A throw that says the processor wrote to a frozen event. */
const isFrozenWrite = (e: unknown): boolean =>
  e instanceof TypeError &&
  /read[ -]only|not extensible|Cannot (assign|add|delete|define|redefine)/i.test(e.message)

/** "the event <message>" (with the hostile value it carries), for messages. */
const eventLabel = (e: LogEvent): string => {
  const hostile =
    typeof e.fields.name === "string" && "hostile" in e.fields ? ` (hostile value: ${e.fields.name})` : ""
  return `the event ${describe(e.message.slice(0, 60))}${hostile}`
}

/** Why a value returned as an event is not one, or undefined. */
const eventProblem = (u: unknown): string | undefined => {
  try {
    if (typeof u !== "object" || u === null || Array.isArray(u))
      return `${describe(u).slice(0, 80)} is not an event`
    const e = u as Record<string, unknown>
    if (!(levelNames as ReadonlyArray<unknown>).includes(e.level))
      return `its level ${describe(e.level)} is not a level`
    if (typeof e.message !== "string")
      return `its message ${describe(e.message).slice(0, 80)} is not a string`
    if (typeof e.timestamp !== "string" || !Number.isFinite(Date.parse(e.timestamp)))
      return `its timestamp ${describe(e.timestamp)} is not an RFC 3339 time`
    if (typeof e.logger !== "string") return `its logger ${describe(e.logger)} is not a string`
    if (typeof e.fields !== "object" || e.fields === null || Array.isArray(e.fields))
      return `its fields ${describe(e.fields).slice(0, 80)} are not an object`
    if (e.id !== undefined && typeof e.id !== "string") return `its id ${describe(e.id)} is not a string`
    return undefined
  } catch (err) {
    return `reading it threw ${describe(err)}`
  }
}

/** The text of each field (and of the rest of the event), to see whether a processor changed them. */
const snapshot = (e: LogEvent): ReadonlyMap<string, string | undefined> => {
  const out = new Map<string, string | undefined>()
  for (const k of Object.keys(e.fields)) out.set(`fields.${k}`, stringify(e.fields[k]))
  const { fields: _fields, ...rest } = e
  out.set("the event", stringify(rest))
  return out
}

const changedKey = (
  before: ReadonlyMap<string, string | undefined>,
  after: ReadonlyMap<string, string | undefined>
): string | undefined => {
  for (const [k, v] of before) if (after.get(k) !== v) return k
  for (const k of after.keys()) if (!before.has(k)) return k
  return undefined
}

interface Opened<A> {
  readonly value: A
}

const openIn = <A>(
  make: A | Effect.Effect<A, unknown, Scope.Scope>,
  what: string,
  timeoutMs: number
): Effect.Effect<Opened<A>, ConformanceError, Scope.Scope> =>
  Effect.gen(function* () {
    if (!Effect.isEffect(make)) return { value: make }
    const scope = yield* Effect.scope
    const made = yield* bounded("shape", `opening the ${what}`, timeoutMs, Scope.extend(make, scope))
    if (Exit.isFailure(made)) return yield* fail("shape", `opening the ${what} ${causeText(made.cause)}`)
    return { value: made.value }
  })

/**
 * Checks a processor the way the pipeline runs it (frozen, unredacted events with their ids):
 * - shape: a name, exactly one of `process` and `processBatch`, valid `order`, `onError`,
 *   `tick`, `flush`;
 * - never-throws: for every hostile event (cycles, BigInt, throwing getters and proxies,
 *   huge and deep values, control characters) and every typical one, alone and in batches;
 * - returns-events: `process` returns undefined or an event, `processBatch` an array of events;
 * - keeps-ids: an event returned is one given (or a new one carrying its id), at most once
 *   (sinks de-duplicate by id); new events go through `context.emit`;
 * - order: events come out in the order they came in, within and across batches;
 * - no-mutation: the events given, fields included at any depth, are left as they were
 *   (the top level is frozen: writing to it throws);
 * - serializable: what comes out of the pipeline's processor stage is written as valid JSON lines;
 * - flush (with `tick` or `flush`): they do not throw, and a flush reports what the
 *   processor holds once: a second flush emits nothing;
 * - drop-accounting (with `drops`): exactly the events `drops` names are dropped, and the
 *   stage counts them under the processor's name.
 */
export const processorConformance = (
  options: ProcessorConformanceOptions
): Effect.Effect<ConformanceReport, ConformanceError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const timeoutMs = options.timeoutMs ?? 30_000
      const skip = new Set<string>(options.skip ?? [])
      const passed = new Set<string>()
      const run = `conformance-${Math.random().toString(36).slice(2, 10)}`
      const { value: made } = yield* openIn(options.make, "processor", timeoutMs)

      const problem = processorIssue(made)
      if (problem !== undefined) return yield* fail("shape", `the processor ${problem}`)
      passed.add("shape")
      const p = made as Processor
      const name = p.name
      const each = p.process?.bind(p)
      const batch = p.processBatch?.bind(p)
      const tick = p.tick?.bind(p)
      const flush = p.flush?.bind(p)
      const emitted: Array<LogRecord> = []
      const context = () => contextOf(Date.now(), (r) => emitted.push(r))
      const fn = each !== undefined ? "process" : "processBatch"

      /** A throw of the processor for `events`, as the rule it breaks. */
      const threw = (e: unknown, events: ReadonlyArray<LogEvent>) => {
        const first = events[0]
        const which =
          events.length === 1 && first !== undefined
            ? eventLabel(first)
            : `a batch of ${events.length} events`
        return isFrozenWrite(e)
          ? fail(
              "no-mutation",
              `${fn} wrote to ${which}: events are frozen, return a new one instead ({ ...event, fields: { ... } }) (${describe(e)})`
            )
          : fail("never-throws", `${fn} threw ${describe(e)} for ${which}`)
      }

      /** The processor's output for `events` (one call per event, or one per batch), checked. */
      const outputOf = (events: ReadonlyArray<LogEvent>) =>
        Effect.gen(function* () {
          const out: Array<{ readonly event: LogEvent; readonly from: LogEvent | undefined }> = []
          if (each !== undefined) {
            for (const e of events) {
              let kept: unknown
              try {
                kept = each(e)
              } catch (error) {
                if (skip.has("never-throws") && !isFrozenWrite(error)) continue
                return yield* threw(error, [e])
              }
              if (kept === undefined) continue
              const why = eventProblem(kept)
              if (why !== undefined && !skip.has("returns-events"))
                return yield* fail(
                  "returns-events",
                  `process returned a value for ${eventLabel(e)} that is not an event: ${why}`
                )
              out.push({ event: kept as LogEvent, from: e })
            }
            return out
          }
          let result: unknown
          try {
            result = batch?.(events, context())
          } catch (error) {
            // name the event it fails on
            for (const e of events) {
              try {
                batch?.([e], context())
              } catch (single) {
                return yield* threw(single, [e])
              }
            }
            return yield* threw(error, events)
          }
          if (!Array.isArray(result)) {
            if (skip.has("returns-events")) return out
            return yield* fail(
              "returns-events",
              `processBatch returned ${describe(result).slice(0, 80)} for a batch of ${events.length} events, not an array of events`
            )
          }
          for (const [i, kept] of result.entries()) {
            const why = eventProblem(kept)
            if (why !== undefined && !skip.has("returns-events"))
              return yield* fail(
                "returns-events",
                `processBatch returned, at index ${i}, a value that is not an event: ${why}`
              )
            out.push({ event: kept as LogEvent, from: undefined })
          }
          return out
        })

      /** Checks ids and order of what came out, against every id given so far (in the order given). */
      const position = new Map<string, number>()
      const seen = new Set<string>()
      let last = -1
      const checkIds = (
        out: ReadonlyArray<{ readonly event: LogEvent; readonly from: LogEvent | undefined }>
      ) =>
        Effect.gen(function* () {
          for (const { event, from } of out) {
            const id = event.id ?? from?.id
            const at = id === undefined ? undefined : position.get(id)
            if (!skip.has("keeps-ids")) {
              if (from !== undefined && event.id !== undefined && event.id !== from.id)
                return yield* fail(
                  "keeps-ids",
                  `process returned, for ${eventLabel(from)}, an event with the id of another event (${event.id}, not ${from.id})`
                )
              if (at === undefined)
                return yield* fail(
                  "keeps-ids",
                  `processBatch returned an event that is none of those given (${describe(event.message.slice(0, 60))}, id ${describe(event.id)}): return the events given, or new ones carrying their id ({ ...event, ... }); add new events with context.emit`
                )
              if (seen.has(id as string))
                return yield* fail(
                  "keeps-ids",
                  `the event with id ${id} came out twice (${describe(event.message.slice(0, 60))}): sinks de-duplicate by id, so one would be lost`
                )
            }
            if (id !== undefined) seen.add(id)
            if (at !== undefined && !skip.has("order")) {
              if (at < last)
                return yield* fail(
                  "order",
                  `${describe(event.message.slice(0, 60))} came out after an event given after it`
                )
              last = at
            }
          }
        })

      const feed = (records: ReadonlyArray<LogRecord>) => {
        const events: Array<LogEvent> = []
        for (const r of records) {
          try {
            events.push(eventOf(r))
          } catch {
            // an event fapilog itself cannot build never reaches a processor
          }
        }
        for (const e of events) if (e.id !== undefined) position.set(e.id, position.size)
        return events
      }

      // first, with the state it starts with: the pipeline's own processor stage (counts,
      // summaries, JSON lines); its findings are checked after the direct calls, which name
      // the event a failure happens on
      const inputs = options.events ?? typicalInputs()
      const diagnostics: Array<string> = []
      let summaries = 0
      const stage = new Processing({
        diagnostics: new Diagnostics(run, (line) => diagnostics.push(line), 0),
        processors: [
          fromPublic({
            name,
            process: each,
            processBatch: batch,
            tick,
            flush,
            order: p.order,
            onError: p.onError
          })
        ],
        stamp: (r) => {
          r.idPrefix = `${run}-summary-`
          r.seq = ++summaries
        }
      })
      const staged = stamped(inputs, run, 200_000)
      const stagedEvents = staged.map(eventOf)
      const stagedBefore = stagedEvents.map(snapshot)
      const out = [...stage.run(staged)]
      stage.tick(Date.now(), true)
      out.push(...stage.run([]))
      // the events given may share nested values with those of the next passes: look now
      const stagedChange = stagedEvents.flatMap((e, i) => {
        const key = changedKey(stagedBefore[i] as ReadonlyMap<string, string | undefined>, snapshot(e))
        return key === undefined ? [] : [{ key, event: e }]
      })[0]

      // hostile events, one by one and as a batch
      const hostile = feed(
        stamped(
          hostileInputs((i) => `hostile-${String(i).padStart(5, "0")}`),
          run,
          0
        )
      )
      for (const e of hostile) yield* checkIds(yield* outputOf([e]))
      seen.clear()
      last = -1
      yield* checkIds(yield* outputOf(hostile))
      seen.clear()
      last = -1

      // typical events, in two batches, watched for changes
      const typicalRecords = stamped(inputs, run, 100_000)
      const typical = feed(typicalRecords)
      const before = typical.map(snapshot)
      for (const part of [typical.slice(0, 1), typical.slice(1)]) yield* checkIds(yield* outputOf(part))
      if (!skip.has("no-mutation")) {
        const changes = typical.flatMap((e, i) => {
          const key = changedKey(before[i] as ReadonlyMap<string, string | undefined>, snapshot(e))
          return key === undefined ? [] : [{ key, event: e }]
        })
        const change = changes[0] ?? stagedChange
        if (change !== undefined)
          return yield* fail(
            "no-mutation",
            `${fn} changed ${change.key === "the event" ? "" : `${change.key} of `}${eventLabel(change.event)} it was given: return a new event instead (copy what you change)`
          )
      }
      for (const r of ["never-throws", "returns-events", "keeps-ids", "order", "no-mutation"])
        if (!skip.has(r)) passed.add(r)

      if (diagnostics.length > 0 && !skip.has("never-throws"))
        return yield* fail("never-throws", `in the processor stage: ${diagnostics[0]?.slice(0, 300)}`)
      if (!skip.has("serializable")) {
        const lines = new BatchImpl(out)
          .text(json)
          .split("\n")
          .filter((l) => l !== "")
        for (const line of lines)
          if (Either.isLeft(Either.try(() => JSON.parse(line) as unknown)))
            return yield* fail(
              "serializable",
              `a processed event is not a valid JSON line: ${line.slice(0, 200)}`
            )
        passed.add("serializable")
      }

      if ((tick !== undefined || flush !== undefined) && !skip.has("flush")) {
        for (const [what, call] of [
          ["tick", tick],
          ["flush", flush]
        ] as const) {
          if (call === undefined) continue
          try {
            call(context())
          } catch (e) {
            return yield* fail("flush", `${what} threw ${describe(e)}`)
          }
        }
        if (flush !== undefined) {
          emitted.length = 0
          try {
            flush(context())
          } catch (e) {
            return yield* fail("flush", `a second flush threw ${describe(e)}`)
          }
          if (emitted.length > 0)
            return yield* fail(
              "flush",
              `a second flush, with no event in between, emitted ${emitted.length} events (first: ${describe(String(emitted[0]?.message).slice(0, 60))}): flush reports what is held once, and holds nothing after`
            )
        }
        passed.add("flush")
      }

      if (options.drops !== undefined && !skip.has("drop-accounting")) {
        const kept = new Set(out.map((r) => eventId(r)))
        let dropped = 0
        for (const e of stagedEvents) {
          let expected: boolean
          try {
            expected = options.drops(e)
          } catch (error) {
            return yield* fail(
              "drop-accounting",
              `the drops predicate threw ${describe(error)} for ${eventLabel(e)}`
            )
          }
          const gone = !kept.has(e.id)
          if (gone !== expected)
            return yield* fail(
              "drop-accounting",
              `${gone ? "dropped" : "kept"} ${eventLabel(e)}, which drops says it ${expected ? "drops" : "keeps"}`
            )
          if (gone) dropped++
        }
        const counted = stage.filtered()[name] ?? 0
        if (counted !== dropped)
          return yield* fail(
            "drop-accounting",
            `it dropped ${dropped} events but the stage counts ${counted} under ${describe(name)} (stats().filteredBy): return the events you keep, add new ones with context.emit`
          )
        passed.add("drop-accounting")
      }

      return {
        passed: processorRules.filter((r) => passed.has(r)),
        skipped: processorRules.filter((r) => !passed.has(r))
      }
    })
  )

// ---------------------------------------------------------------------------------------
// Formatters

export const formatterRules = [
  "shape",
  "never-throws",
  "returns-string",
  "one-line",
  "utf8",
  "pure",
  "no-mutation",
  "valid-line"
] as const
export type FormatterRule = (typeof formatterRules)[number]

export interface FormatterConformanceOptions {
  /** The formatter, or a scoped Effect that opens it (a formatter plugin's `Plugin.open`). */
  readonly make: Formatter | Effect.Effect<Formatter, unknown, Scope.Scope>
  /**
   * Checks one line against the format's own specification (GELF, CEF...): undefined when
   * it conforms, else what is wrong. Rule `valid-line`, skipped without it.
   */
  readonly check?: ((line: string, event: LogEvent) => string | undefined) | undefined
  /** More events to format, besides the hostile and typical ones. */
  readonly events?: ReadonlyArray<EventInput> | undefined
  readonly skip?: ReadonlyArray<FormatterRule> | undefined
  /** Longest opening the formatter may take; default 30000 ms. */
  readonly timeoutMs?: number | undefined
}

/**
 * Checks a formatter with the events a sink hands it (hostile ones included, as the batch
 * builds them): shape (a name and a `format` function), never-throws, returns-string,
 * one-line (a non-empty line without a line break: one event is one line), utf8 (no lone
 * surrogate, so the line encodes to UTF-8 as it is), pure (the same event gives the same
 * line: a batch renders it once for every sink), no-mutation (the event is left as it was),
 * and with `check`, valid-line (every line conforms to the format's specification).
 */
export const formatterConformance = (
  options: FormatterConformanceOptions
): Effect.Effect<ConformanceReport, ConformanceError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const timeoutMs = options.timeoutMs ?? 30_000
      const skip = new Set<string>(options.skip ?? [])
      const passed = new Set<string>()
      const { value: made } = yield* openIn(options.make, "formatter", timeoutMs)
      let name: unknown
      let format: unknown
      try {
        name = (made as Formatter).name
        format = (made as Formatter).format
      } catch (e) {
        return yield* fail("shape", `reading the formatter threw ${describe(e)}`)
      }
      if (typeof name !== "string" || name === "" || typeof format !== "function")
        return yield* fail("shape", "a formatter is { name: non-empty string, format: function }")
      passed.add("shape")
      const f = (format as Formatter["format"]).bind(made)
      const inputs = [
        ...hostileInputs((i) => `hostile-${String(i).padStart(5, "0")}`),
        ...typicalInputs(),
        ...(options.events ?? [])
      ]
      const events = batchOf(inputs).events
      for (const e of events) {
        const before = skip.has("no-mutation") ? undefined : snapshot(e)
        let line: unknown
        try {
          line = f(e)
        } catch (error) {
          if (skip.has("never-throws")) continue
          return yield* fail("never-throws", `format threw ${describe(error)} for ${eventLabel(e)}`)
        }
        if (typeof line !== "string") {
          if (skip.has("returns-string")) continue
          return yield* fail(
            "returns-string",
            `format returned ${describe(line).slice(0, 80)} for ${eventLabel(e)}, not a string`
          )
        }
        if (!skip.has("one-line")) {
          if (line === "")
            return yield* fail(
              "one-line",
              `format returned an empty line for ${eventLabel(e)}: a reader would skip it`
            )
          const at = line.search(/[\n\r]/)
          if (at >= 0)
            return yield* fail(
              "one-line",
              `the line for ${eventLabel(e)} holds a ${line[at] === "\n" ? "newline" : "carriage return"} at ${at}: ${describe(line.slice(Math.max(0, at - 40), at + 40))} (escape line breaks: one event is one line)`
            )
        }
        if (!skip.has("utf8") && Buffer.from(line, "utf8").toString("utf8") !== line)
          return yield* fail(
            "utf8",
            `the line for ${eventLabel(e)} holds a lone surrogate, which UTF-8 cannot carry (it would be written as U+FFFD): escape or replace it`
          )
        if (!skip.has("pure")) {
          let again: unknown
          try {
            again = f(e)
          } catch (error) {
            return yield* fail("pure", `formatting ${eventLabel(e)} a second time threw ${describe(error)}`)
          }
          if (again !== line)
            return yield* fail(
              "pure",
              `formatting ${eventLabel(e)} twice gave two lines (${describe(line.slice(0, 60))}, then ${describe(String(again).slice(0, 60))}): a batch is rendered once for every sink that shares a formatter`
            )
        }
        if (before !== undefined) {
          const key = changedKey(before, snapshot(e))
          if (key !== undefined)
            return yield* fail(
              "no-mutation",
              `format changed ${key === "the event" ? "" : `${key} of `}${eventLabel(e)}`
            )
        }
        if (options.check !== undefined && !skip.has("valid-line")) {
          let why: string | undefined
          try {
            why = options.check(line, e)
          } catch (error) {
            why = `the check threw ${describe(error)}`
          }
          if (why !== undefined)
            return yield* fail(
              "valid-line",
              `the line for ${eventLabel(e)} does not conform: ${why}: ${line.slice(0, 200)}`
            )
        }
      }
      for (const r of ["never-throws", "returns-string", "one-line", "utf8", "pure", "no-mutation"])
        if (!skip.has(r)) passed.add(r)
      if (options.check !== undefined && !skip.has("valid-line")) passed.add("valid-line")
      return {
        passed: formatterRules.filter((r) => passed.has(r)),
        skipped: formatterRules.filter((r) => !passed.has(r))
      }
    })
  )
