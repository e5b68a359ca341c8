import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type { Batch, Sink } from "../Sink.js"
import { BatchImpl } from "./batch.js"
import type { NamedEnricher } from "./enrichers.js"
import { runEnrichers } from "./enrichers.js"
import { json } from "./formatter.js"
import { stringify } from "./json.js"
import { levelNames } from "./level.js"
import { candidates, incompatibility, readPlugin } from "./plugin.js"
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
 * name is one discovery tries for its type; and, given its package.json, that the package
 * name, version and `fapilog` field agree with it.
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
      const names = candidates(p.type)
      if (!names.includes(p.name))
        return yield* fail(
          "discoverable",
          `settings name it by type ${JSON.stringify(p.type)}, but discovery looks for ${names.join(" or ")}, not ${p.name}`
        )
      passed.push("discoverable")
    }
    if (options.packageJson !== undefined && !skip.has("package-json")) {
      const pkg = options.packageJson as {
        name?: unknown
        version?: unknown
        fapilog?: { kind?: unknown; type?: unknown; apiVersion?: unknown }
      }
      const expect: Array<[string, unknown, unknown]> = [
        ["name", pkg.name, p.name],
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
      passed.push("package-json")
    }
    return { passed, skipped: pluginRules.filter((r) => !passed.includes(r)) }
  })
