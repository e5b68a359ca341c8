/**
 * The test kit for sinks, enrichers, processors, formatters and plugins (`fapilog/testing`): event and batch
 * factories that build exactly what the pipeline hands to sinks, the memory sink, a
 * catalogue of hostile values, and conformance suites that run in any test runner (they are
 * Effects failing with the first rule broken).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Testing from "fapilog/testing"
 *
 * const memory = Testing.memory()
 * await Effect.runPromise(
 *   Testing.sinkConformance({ make: Effect.succeed(memory), received: Effect.sync(() => memory.lines()) })
 * )
 * ```
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as sinks from "./internal/sink.js"
import * as conformance from "./internal/testingConformance.js"
import * as events from "./internal/testingEvents.js"
import type { Level } from "./Level.js"
import type { LogEvent } from "./LogEvent.js"
import type { Batch, FormatOptions, MemorySink } from "./Sink.js"

/**
 * One event to generate: every part optional (level "info", message `m<index>`, logger
 * "app", time {@link baseTime} plus the index).
 *
 * @example
 * ```ts
 * import type * as Testing from "fapilog/testing"
 * const input: Testing.EventInput = { level: "error", message: "failed", fields: { orderId: 7 }, error: new Error("x") }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface EventInput {
  readonly level?: Level | undefined
  /** A string, or any value (objects, errors, hostile values): the pipeline renders it. */
  readonly message?: unknown
  readonly logger?: string | undefined
  /** Epoch milliseconds. */
  readonly time?: number | undefined
  readonly fields?: Readonly<Record<string, unknown>> | undefined
  /** An Error, an Effect Cause or any thrown value. */
  readonly error?: unknown
  readonly traceId?: string | undefined
  readonly spanId?: string | undefined
  /** `withContext` fields. */
  readonly context?: Readonly<Record<string, unknown>> | undefined
  /** Child-logger bindings. */
  readonly bindings?: Readonly<Record<string, unknown>> | undefined
}

/**
 * The time of the first generated event, 2026-01-02T03:04:05.006Z (epoch ms); each next
 * event of a batch is one millisecond later.
 *
 * @example
 * ```ts
 * import * as Testing from "fapilog/testing"
 * new Date(Testing.baseTime).toISOString() // "2026-01-02T03:04:05.006Z"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const baseTime: number = events.baseTime

/**
 * A batch exactly as the pipeline hands it to sinks: from event inputs, or `n` events
 * m0, m1, ... at `level` (default "info"). `events` and `text(formatter)` are built lazily
 * and once, as in production.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * import * as Testing from "fapilog/testing"
 *
 * const batch = Testing.batch([{ message: "a" }, { level: "warn", message: "b", fields: { n: 1 } }])
 * batch.events[1]?.fields.n // 1
 * batch.text(Formatter.json).split("\n").length // 3 (two lines and the final newline)
 * const ten = Testing.batch(10, "debug")
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const batch: (inputs: ReadonlyArray<EventInput> | number, level?: Level) => Batch = events.batchOf

/**
 * A structured event (what `batch.events` holds) with sensible defaults, for formatter and
 * sink unit tests.
 *
 * @example
 * ```ts
 * import * as Testing from "fapilog/testing"
 * const e = Testing.event({ level: "error", message: "failed", fields: { orderId: 7 } })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const event: (over?: Partial<LogEvent>) => LogEvent = events.eventOf

/**
 * The memory sink: keeps structured events and formatted lines for assertions.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Testing from "fapilog/testing"
 *
 * const memory = Testing.memory()
 * const log = await createLogger({ sinks: [memory] })
 * log.info("hello")
 * await log.flush()
 * memory.events()[0]?.message // "hello"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const memory: (options?: FormatOptions) => MemorySink = sinks.memory

/**
 * A value that has broken loggers and serializers: a name and a function building a fresh one.
 *
 * @example
 * ```ts
 * import type * as Testing from "fapilog/testing"
 * const describe = (h: Testing.HostileValue) => h.name
 * ```
 * @since 0.1.0
 * @category models
 */
export interface HostileValue {
  readonly name: string
  readonly make: () => unknown
}

/**
 * The catalogue of hostile values: cycles, BigInt, throwing getters, `toJSON` and
 * `toString`, proxies whose every trap throws, a revoked proxy, a 1 MiB string, 100k-item
 * arrays, 10k-key objects, 5000-level nesting, control characters, lone surrogates, NaN and
 * infinities, symbols, functions, invalid dates, cyclic Maps and Sets, errors with cyclic
 * causes, typed arrays, `__proto__` keys, null prototypes, promises.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Testing from "fapilog/testing"
 *
 * const log = await createLogger({ sinks: [Testing.memory()] })
 * for (const h of Testing.hostileValues) log.info(h.name, { value: h.make() }) // never throws
 * ```
 * @since 0.1.0
 * @category constants
 */
export const hostileValues: ReadonlyArray<HostileValue> = events.hostileValues

/**
 * A batch with one event per hostile value (as a field), hostile errors and hostile
 * message text; each message starts with a unique token (`tokenPrefix-00000`, ...).
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * import * as Testing from "fapilog/testing"
 *
 * const batch = Testing.hostileBatch()
 * const text = batch.text(Formatter.json) // one valid JSON line per event
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const hostileBatch = (tokenPrefix = "hostile"): Batch =>
  events.batchOf(events.hostileInputs((i) => `${tokenPrefix}-${String(i).padStart(5, "0")}`))

/**
 * The first conformance rule broken: its name and what happened.
 *
 * @example
 * ```ts
 * import * as Testing from "fapilog/testing"
 *
 * const explain = (e: Testing.ConformanceError) => `${e.rule}: ${e.detail}`
 * ```
 * @since 0.1.0
 * @category errors
 */
export const ConformanceError: typeof conformance.ConformanceError = conformance.ConformanceError

/**
 * @since 0.1.0
 * @category errors
 */
export type ConformanceError = conformance.ConformanceError

/**
 * Which rules a conformance run checked (all held) and which it skipped.
 *
 * @example
 * ```ts
 * import type * as Testing from "fapilog/testing"
 * const summary = (r: Testing.ConformanceReport) => `${r.passed.length} rules held`
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConformanceReport = conformance.ConformanceReport

/**
 * The rules of {@link sinkConformance}.
 *
 * @example
 * ```ts
 * import type * as Testing from "fapilog/testing"
 * const skip: ReadonlyArray<Testing.SinkRule> = ["order"]
 * ```
 * @since 0.1.0
 * @category models
 */
export type SinkRule = conformance.SinkRule

/**
 * What {@link sinkConformance} needs: a scoped Effect opening the sink (run once per
 * scenario), an Effect reading what its destination received (lines, decoded records,
 * request bodies: anything whose text contains each event's message), optionally a sink
 * whose destination refuses writes, rules to skip, and a per-step timeout.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Testing from "fapilog/testing"
 *
 * const memory = Testing.memory()
 * const options: Testing.SinkConformanceOptions = {
 *   make: Effect.succeed(memory),
 *   received: Effect.sync(() => memory.lines())
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type SinkConformanceOptions = conformance.SinkConformanceOptions

/**
 * Runs the sink conformance suite and fails with the first rule broken:
 * `shape`; `write` and `empty-batch` (writes return an Effect that succeeds); `delivers-once`,
 * `order` and `drain-on-close` (every event of every batch written before the scope closes
 * is delivered exactly once, in order, by the time it closes); `close` (closing completes
 * in time and does not die); `write-sync` (when present, `writeSync` delivers the same way);
 * `hostile-events` (a batch of hostile values is written without failing and every event
 * arrives); `failure-is-sink-error` (with `failing`: a write to a refusing destination
 * succeeds or fails with a SinkError, never a defect or a thrown exception).
 *
 * @example
 * ```ts
 * import * as fs from "node:fs"
 * import { Effect } from "effect"
 * import { Sink } from "fapilog"
 * import * as Testing from "fapilog/testing"
 * import { it } from "@effect/vitest"
 *
 * it.live("the file sink conforms", () =>
 *   Testing.sinkConformance({
 *     make: Sink.file({ path: "/tmp/conformance.log" }),
 *     received: Effect.sync(() => fs.readFileSync("/tmp/conformance.log", "utf8").split("\n"))
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category conformance
 */
export const sinkConformance: (
  options: SinkConformanceOptions
) => Effect.Effect<ConformanceReport, ConformanceError> = conformance.sinkConformance

/**
 * What {@link enricherConformance} needs: the enricher, or a scoped Effect that opens it.
 *
 * @example
 * ```ts
 * import type * as Testing from "fapilog/testing"
 * const options: Testing.EnricherConformanceOptions = { make: { name: "region", enrich: () => ({ region: "eu" }) } }
 * ```
 * @since 0.1.0
 * @category models
 */
export type EnricherConformanceOptions = conformance.EnricherConformanceOptions

/**
 * Runs the enricher conformance suite: `shape` (a name and an `enrich` function),
 * `never-throws` (for every level and empty, huge and control-character messages; inputs
 * are frozen), `returns-fields` (undefined or a plain object), `serializable` (its fields
 * go through fapilog's enrichment and JSON output as valid JSON lines).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Testing from "fapilog/testing"
 *
 * await Effect.runPromise(Testing.enricherConformance({ make: { name: "region", enrich: () => ({ region: "eu" }) } }))
 * ```
 * @since 0.1.0
 * @category conformance
 */
export const enricherConformance: (
  options: EnricherConformanceOptions
) => Effect.Effect<ConformanceReport, ConformanceError> = conformance.enricherConformance

/**
 * Checks a plugin object's metadata: `plugin-shape` (a valid plugin object), `api-version`
 * (loads on this fapilog), `discoverable` (its name is `@fapilog/<type>` or
 * `fapilog-plugin-<type>`), and with `packageJson`, `package-json` (version and the `fapilog`
 * field agree with the object; the name is the object's on Effect 3 and the object's with
 * `-effect4` on Effect 4, the package of the plugin's Effect 4 build; its `fapilog.effect`,
 * when given, lists this line).
 *
 * @example
 * ```ts
 * import * as fs from "node:fs"
 * import { Effect } from "effect"
 * import * as Testing from "fapilog/testing"
 * import { plugin } from "../src/index.js"
 *
 * const packageJson = JSON.parse(fs.readFileSync("package.json", "utf8"))
 * await Effect.runPromise(Testing.pluginConformance(plugin, { packageJson }))
 * ```
 * @since 0.1.0
 * @category conformance
 */
export const pluginConformance: (
  plugin: unknown,
  options?: {
    readonly packageJson?: unknown
    readonly skip?:
      | ReadonlyArray<"plugin-shape" | "api-version" | "discoverable" | "package-json">
      | undefined
  }
) => Effect.Effect<ConformanceReport, ConformanceError> = conformance.pluginConformance

/**
 * The rules of {@link processorConformance}.
 *
 * @example
 * ```ts
 * import type * as Testing from "fapilog/testing"
 * const skip: ReadonlyArray<Testing.ProcessorRule> = ["flush"]
 * ```
 * @since 0.1.0
 * @category models
 */
export type ProcessorRule = conformance.ProcessorRule

/**
 * What {@link processorConformance} needs: the processor, or a scoped Effect that opens it
 * (`Plugin.open(plugin, config)`); optionally events typical for it and `drops`, which of
 * them it drops (its contract), rules to skip, and a timeout for opening it.
 *
 * @example
 * ```ts
 * import { Processor } from "fapilog"
 * import type * as Testing from "fapilog/testing"
 *
 * const options: Testing.ProcessorConformanceOptions = {
 *   make: Processor.make("no-debug", (e) => (e.level === "debug" ? undefined : e)),
 *   drops: (e) => e.level === "debug"
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ProcessorConformanceOptions = conformance.ProcessorConformanceOptions

/**
 * Runs the processor conformance suite, with events built and frozen as the pipeline hands
 * them to processors, and fails with the first rule broken: `shape` (a name, exactly one of
 * `process` and `processBatch`, valid `order`, `onError`, `tick`, `flush`); `never-throws`
 * (hostile events: cycles, BigInt, throwing getters and proxies, huge and deep values,
 * control characters; and typical ones, alone and in batches); `returns-events` (undefined
 * or an event, an array of events from `processBatch`); `keeps-ids` (what comes out is an
 * event given, or a new one carrying its id, at most once: sinks de-duplicate by id; new
 * events go through `context.emit`); `order` (within and across batches); `no-mutation` (the
 * events given are left as they were, nested fields included); `serializable` (what the
 * pipeline's processor stage makes of its output is written as valid JSON lines); `flush`
 * (`tick` and `flush` do not throw; a flush reports what is held, once); `drop-accounting`
 * (with `drops`: exactly those events are dropped, and counted under its name, as
 * `stats().filteredBy` will show).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Processor } from "fapilog"
 * import * as Testing from "fapilog/testing"
 *
 * const noDebug = Processor.make("no-debug", (e) => (e.level === "debug" ? undefined : e))
 * await Effect.runPromise(Testing.processorConformance({ make: noDebug, drops: (e) => e.level === "debug" }))
 * ```
 * @since 0.1.0
 * @category conformance
 */
export const processorConformance: (
  options: ProcessorConformanceOptions
) => Effect.Effect<ConformanceReport, ConformanceError> = conformance.processorConformance

/**
 * The rules of {@link formatterConformance}.
 *
 * @example
 * ```ts
 * import type * as Testing from "fapilog/testing"
 * const skip: ReadonlyArray<Testing.FormatterRule> = ["pure"]
 * ```
 * @since 0.1.0
 * @category models
 */
export type FormatterRule = conformance.FormatterRule

/**
 * What {@link formatterConformance} needs: the formatter, or a scoped Effect that opens it
 * (`Plugin.open(plugin, config)`); optionally `check`, which says whether one line conforms
 * to the format's own specification, more events, rules to skip, and a timeout for opening it.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * import type * as Testing from "fapilog/testing"
 *
 * const options: Testing.FormatterConformanceOptions = {
 *   make: Formatter.json,
 *   check: (line) => (line.startsWith("{") ? undefined : "not a JSON object")
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type FormatterConformanceOptions = conformance.FormatterConformanceOptions

/**
 * Runs the formatter conformance suite, with events built as a batch hands them to
 * formatters (hostile ones included), and fails with the first rule broken: `shape` (a
 * name and a `format` function), `never-throws`, `returns-string`, `one-line` (a non-empty
 * line without a newline or carriage return: one event is one line), `utf8` (no lone
 * surrogate: the line encodes to UTF-8 as it is), `pure` (the same event gives the same
 * line), `no-mutation` (the event is left as it was), and with `check`, `valid-line` (each
 * line conforms to the format's specification).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Formatter } from "fapilog"
 * import * as Testing from "fapilog/testing"
 *
 * await Effect.runPromise(
 *   Testing.formatterConformance({
 *     make: Formatter.logfmt(),
 *     check: (line) => (/^timestamp=/.test(line) ? undefined : "does not start with timestamp=")
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category conformance
 */
export const formatterConformance: (
  options: FormatterConformanceOptions
) => Effect.Effect<ConformanceReport, ConformanceError> = conformance.formatterConformance
