/**
 * Plugins: third-party (and first-party) packages that add sinks, enrichers, processors or
 * formatters. A plugin is a typed object with its metadata, a config Schema and a scoped
 * constructor; settings name it by `type` (`sinks: [{ type: "loki", url }]`,
 * `processors: [{ type: "pii" }]`, `format: "gelf"`) and fapilog loads `@fapilog/<type>` or
 * `fapilog-plugin-<type>`, checks its `apiVersion`, validates the config, then opens it in
 * the logger's scope.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Plugin, Sink } from "fapilog"
 *
 * export const plugin = Plugin.sink({
 *   name: "fapilog-plugin-console",
 *   type: "console",
 *   version: "1.0.0",
 *   apiVersion: "1.0", // the API this plugin was written against: a literal, not Plugin.apiVersion
 *   description: "Writes messages with console.log",
 *   config: Schema.Struct({ prefix: Schema.optional(Schema.String) }),
 *   make: (config) =>
 *     Effect.succeed(Sink.makeSync("console", (batch) => {
 *       for (const e of batch.events) console.log(`${config.prefix ?? ""}${e.message}`)
 *     }))
 * })
 * ```
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { Named } from "./Enricher.js"
import type { ConfigError, SinkError } from "./Errors.js"
import type { Formatter } from "./Formatter.js"
import * as configSchema from "./internal/configSchema.js"
import * as internal from "./internal/plugin.js"
import type { PluginDeletion } from "./internal/retentionReport.js"
import * as rotatingFile from "./internal/rotatingFile.js"
import type { Level } from "./Level.js"
import type { Processor } from "./Processor.js"
import type { Sink } from "./Sink.js"

/**
 * The plugin API version this fapilog implements, `major.minor`. A plugin declaring
 * `apiVersion` `M.m` loads when `M` equals this major and `m` is at most this minor: the
 * minor grows when the API gains something (a plugin for 1.0 loads on 1.2), the major when
 * something is removed or changed (a plugin for 1.x never loads on 2.x).
 *
 * @example
 * ```ts
 * import { Plugin } from "fapilog"
 * Plugin.apiVersion // "1.0"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const apiVersion: string = internal.apiVersion

/**
 * The kinds of plugin: a sink (where lines go, in `sinks`), an enricher (fields added to
 * every event, in `enrichers`), a processor (filters, changes or drops events before every
 * sink, in `processors`), a formatter (one event to one line, named by a `format`).
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const kind: Plugin.Kind = "processor"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Kind = "sink" | "enricher" | "processor" | "formatter"

/**
 * What is known about a plugin without running it (also found, as the `fapilog` field, in
 * its package.json: `{ "kind", "type", "apiVersion" }`).
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const meta: Plugin.Meta = {
 *   name: "@fapilog/loki", type: "loki", kind: "sink", version: "0.1.0", apiVersion: "1.0",
 *   description: "Grafana Loki push API"
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Meta {
  /** The npm package name. */
  readonly name: string
  /** The name settings use: `{ type: "loki" }`. */
  readonly type: string
  readonly kind: Kind
  /** The plugin's own version. */
  readonly version: string
  /** The fapilog plugin API it was written against, `major.minor`. */
  readonly apiVersion: string
  readonly description: string
  readonly keywords?: ReadonlyArray<string> | undefined
}

/**
 * What a plugin's constructor receives besides its config.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const report = (ctx: Plugin.Context) => ctx.report("connection refused")
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Context {
  /** The logger's name (settings `name`). */
  readonly logger: string
  /** The `service` of the enrich settings, when set. */
  readonly service: string | undefined
  /** Reports a problem on fapilog's rate-limited diagnostics channel. */
  readonly report: (message: string, error?: unknown) => void
  /**
   * Writes one line (without its newline) where the logger's fallback sink writes: stderr
   * when the `fallback` setting is `"stderr"` (the default), nowhere when it is `"null"`. For
   * a plugin's dead letters: events the destination refused for good that the plugin hands
   * over for a person or a collector to pick up. Never throws.
   */
  readonly fallback: (line: string) => void
  /**
   * Reports one thing the plugin's retention deleted (a partition it dropped, a file it
   * removed): logged through the logger as an `audit` event of logger `fapilog.retention`
   * with `eventCategory: "compliance"`, like the file sink's deletions, and counted in
   * `stats().retention` (docs/sinks.md#retention). Before the logger is ready the report
   * waits for it; once the logger is closing, or outside a logger, it goes to diagnostics.
   * Call it once the deletion is done (committed). Never throws. fapilog always gives it;
   * it is optional for contexts written by hand, in a plugin's own tests.
   */
  readonly reportDeletion?: ((deletion: Deletion) => void) | undefined
}

/**
 * What a plugin's retention deleted, told through {@link Context.reportDeletion}. The report
 * names it under its `kind` (`partition: "public.app_logs_20261105"`), with `sink`, `bytes`,
 * `ageMs`, `policy` and the plugin's own `fields`.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const dropped: Plugin.Deletion = {
 *   sink: "postgres://db:5432/logs#public.app_logs",
 *   kind: "partition",
 *   name: "public.app_logs_20261105",
 *   bytes: 8_421_376,
 *   ageMs: 31 * 86_400_000,
 *   policy: "maxAge",
 *   fields: { day: "2026-11-05" }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Deletion = PluginDeletion

/**
 * A sink plugin: validated config in, a sink opened in the logger's scope out.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * declare const loki: Plugin.SinkPlugin<{ readonly url: string }>
 * loki.type // "loki"
 * ```
 * @since 0.1.0
 * @category models
 */
export interface SinkPlugin<A = unknown, I = A> extends Meta {
  readonly kind: "sink"
  readonly config: Schema.Schema<A, I>
  readonly make: (config: A, context: Context) => Effect.Effect<Sink, SinkError, Scope.Scope>
  /**
   * The lowest level the sink takes when its entry sets no `level` (an audit trail: `"audit"`);
   * the events below it are counted as the sink's `skipped`, as under an entry's `level`.
   */
  readonly minLevel?: Level | undefined
}

/**
 * An enricher plugin: validated config in, a named enricher out.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * declare const region: Plugin.EnricherPlugin<{ readonly region: string }>
 * region.kind // "enricher"
 * ```
 * @since 0.1.0
 * @category models
 */
export interface EnricherPlugin<A = unknown, I = A> extends Meta {
  readonly kind: "enricher"
  readonly config: Schema.Schema<A, I>
  readonly make: (config: A, context: Context) => Effect.Effect<Named, SinkError, Scope.Scope>
}

/**
 * A processor plugin: validated config in, a `Processor` out (the public contract:
 * `process` per event or `processBatch` per batch, with optional `order`, `onError`, `tick`
 * and `flush`). `onError` here is the plugin's own default for what happens to an event the
 * processor cannot process, **including while its start has failed**: "pass" (the event
 * goes on unprocessed, the default) or "drop" (fail closed: what a compliance processor,
 * such as one removing personal data, declares). A settings entry's `onError` overrides it.
 * Any failure of `make` counts as a failed start; its drops and failures are reported under
 * the plugin's type.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * declare const pii: Plugin.ProcessorPlugin<{ readonly keys: ReadonlyArray<string> }>
 * pii.kind // "processor"
 * ```
 * @since 0.1.0
 * @category models
 */
export interface ProcessorPlugin<A = unknown, I = A> extends Meta {
  readonly kind: "processor"
  readonly config: Schema.Schema<A, I>
  /** What happens to an event it cannot process, its start failing included; default "pass". */
  readonly onError?: "pass" | "drop" | undefined
  readonly make: (config: A, context: Context) => Effect.Effect<Processor, unknown, Scope.Scope>
}

/**
 * A formatter plugin: validated config in, a `Formatter` (`{ name, format(event) => line }`)
 * out, usable wherever a format is named (`format: "gelf"`, the logger's or a sink's). A
 * line that is not a string or holds a newline counts as a failure for that event: the event
 * is written as fapilog's fallback JSON line instead, and reported. Any failure of `make`
 * counts as a failed start: its sinks then write JSON lines (the `json` format).
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * declare const gelf: Plugin.FormatterPlugin<{ readonly host?: string }>
 * gelf.kind // "formatter"
 * ```
 * @since 0.1.0
 * @category models
 */
export interface FormatterPlugin<A = unknown, I = A> extends Meta {
  readonly kind: "formatter"
  readonly config: Schema.Schema<A, I>
  readonly make: (config: A, context: Context) => Effect.Effect<Formatter, unknown, Scope.Scope>
}

/**
 * Any plugin, its config type erased (the loader decodes the config with the plugin's own
 * Schema before calling `make`).
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const describe = (p: Plugin.Plugin) => `${p.name}@${p.version} (${p.kind})`
 * ```
 * @since 0.1.0
 * @category models
 */
export type Plugin =
  | (Meta & {
      readonly kind: "sink"
      readonly config: Schema.Schema.AnyNoContext
      readonly make: (config: never, context: Context) => Effect.Effect<Sink, SinkError, Scope.Scope>
      readonly minLevel?: Level | undefined
    })
  | (Meta & {
      readonly kind: "enricher"
      readonly config: Schema.Schema.AnyNoContext
      readonly make: (config: never, context: Context) => Effect.Effect<Named, SinkError, Scope.Scope>
    })
  | (Meta & {
      readonly kind: "processor"
      readonly config: Schema.Schema.AnyNoContext
      readonly onError?: "pass" | "drop" | undefined
      readonly make: (config: never, context: Context) => Effect.Effect<Processor, unknown, Scope.Scope>
    })
  | (Meta & {
      readonly kind: "formatter"
      readonly config: Schema.Schema.AnyNoContext
      readonly make: (config: never, context: Context) => Effect.Effect<Formatter, unknown, Scope.Scope>
    })

/**
 * The `plugins` setting: plugin objects to resolve `type` names against without any dynamic
 * import (`use`), allow and deny lists matched against a plugin's type or package name
 * (deny wins), `discover: false` to never look for installed packages, and `timeoutMs`, the
 * longest a plugin's start or one of its writes may take (default 30000; the writes of a
 * sink with its own `flush`, which manages its own backpressure, are not timed out).
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const plugins: Plugin.Settings = { allow: ["loki", "@fapilog/otlp"], deny: ["webhook"] }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Settings = internal.PluginSettings

/**
 * Declares a sink plugin: the object a plugin package exports (as `plugin`, or as its
 * default export). Fixes `kind` and keeps the config type.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Plugin, Sink } from "fapilog"
 *
 * export const plugin = Plugin.sink({
 *   name: "fapilog-plugin-lines",
 *   type: "lines",
 *   version: "1.0.0",
 *   apiVersion: "1.0",
 *   description: "Keeps the last lines in memory",
 *   config: Schema.Struct({ max: Schema.Number }),
 *   make: ({ max }) => {
 *     const lines: string[] = []
 *     return Effect.succeed(Sink.makeSync("lines", (batch) => {
 *       for (const e of batch.events) lines.push(e.message)
 *       lines.splice(0, Math.max(0, lines.length - max))
 *     }))
 *   }
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = <A, I>(plugin: Omit<SinkPlugin<A, I>, "kind">): SinkPlugin<A, I> => ({
  ...plugin,
  kind: "sink"
})

/**
 * Declares an enricher plugin: `make` returns a named enricher whose fields are added to
 * every event.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Plugin } from "fapilog"
 *
 * export const plugin = Plugin.enricher({
 *   name: "fapilog-plugin-region",
 *   type: "region",
 *   version: "1.0.0",
 *   apiVersion: "1.0",
 *   description: "Adds the region",
 *   config: Schema.Struct({ region: Schema.String }),
 *   make: ({ region }) => Effect.succeed({ name: "region", enrich: () => ({ region }) })
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const enricher = <A, I>(plugin: Omit<EnricherPlugin<A, I>, "kind">): EnricherPlugin<A, I> => ({
  ...plugin,
  kind: "enricher"
})

/**
 * Declares a processor plugin: `make` returns a `Processor`, which runs after the built-in
 * processors, by its `order`, before every sink. Declare `onError: "drop"` for a processor
 * that must never let an unprocessed event through (its start failing included).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Plugin, Processor } from "fapilog"
 *
 * export const plugin = Plugin.processor({
 *   name: "fapilog-plugin-pii",
 *   type: "pii",
 *   version: "1.0.0",
 *   apiVersion: "1.0",
 *   description: "Removes the listed fields",
 *   onError: "drop",
 *   config: Schema.Struct({ keys: Schema.Array(Schema.String) }),
 *   make: ({ keys }) =>
 *     Effect.succeed(
 *       Processor.make("pii", (event) => {
 *         const fields = { ...event.fields }
 *         for (const k of keys) delete fields[k]
 *         return { ...event, fields }
 *       })
 *     )
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const processor = <A, I>(plugin: Omit<ProcessorPlugin<A, I>, "kind">): ProcessorPlugin<A, I> => ({
  ...plugin,
  kind: "processor"
})

/**
 * Declares a formatter plugin: `make` returns a `Formatter`, named in settings by the
 * plugin's type (`format: "gelf"`).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Formatter, Plugin } from "fapilog"
 *
 * export const plugin = Plugin.formatter({
 *   name: "fapilog-plugin-upper",
 *   type: "upper",
 *   version: "1.0.0",
 *   apiVersion: "1.0",
 *   description: "LEVEL message, as JSON strings",
 *   config: Schema.Struct({}),
 *   make: () =>
 *     Effect.succeed(Formatter.make("upper", (e) => `${e.level.toUpperCase()} ${JSON.stringify(e.message)}`))
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const formatter = <A, I>(plugin: Omit<FormatterPlugin<A, I>, "kind">): FormatterPlugin<A, I> => ({
  ...plugin,
  kind: "formatter"
})

/**
 * Opens a plugin passed by the code itself, without discovery (what bundled applications
 * use): checks its `apiVersion`, the allow/deny lists of the logger opening it, and decodes
 * `config` with the plugin's Schema (each problem is a `ConfigError` issue naming the
 * plugin and the field), then starts it in the current scope. A sink goes straight into
 * `sinks`; a processor into `Processor.layerEffect` (Effect programs); a formatter into a
 * sink's `format` (`Sink.stdout({ format })`). A start that fails does not fail the logger:
 * it is reported on diagnostics and a sink fails its writes (so retries, the circuit
 * breaker, the fallback sink and `health()` show it) while the start is retried every few
 * seconds; a processor passes or drops events, as its `onError` says, while its start is
 * retried; an enricher adds nothing; a formatter writes JSON lines.
 *
 * @example
 * ```ts
 * import { createLogger, Plugin } from "fapilog"
 * import { plugin as loki } from "@fapilog/loki"
 *
 * const log = await createLogger({ sinks: ["stdout", Plugin.open(loki, { url: "http://loki:3100" })] })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const open: {
  <A, I>(plugin: SinkPlugin<A, I>, config: I): Effect.Effect<Sink, ConfigError, Scope.Scope>
  <A, I>(plugin: EnricherPlugin<A, I>, config: I): Effect.Effect<Named, ConfigError, Scope.Scope>
  <A, I>(plugin: ProcessorPlugin<A, I>, config: I): Effect.Effect<Processor, ConfigError, Scope.Scope>
  <A, I>(plugin: FormatterPlugin<A, I>, config: I): Effect.Effect<Formatter, ConfigError, Scope.Scope>
} = internal.open as never

/**
 * A `sinks`, `enrichers` or `processors` entry, or a `format`, naming a plugin by its type,
 * made by {@link entry}.
 *
 * @example
 * ```ts
 * import { Plugin } from "fapilog"
 * const geo: Plugin.Entry = Plugin.entry("geo", { precision: 2 })
 * geo.type // "geo"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Entry = internal.Entry

/**
 * What {@link entry} takes besides the type: the plugin's config, and the keys fapilog reads
 * itself: `level` (this sink's threshold) for a sink, `order` and `onError` for a processor.
 *
 * @example
 * ```ts
 * import type { Plugin } from "fapilog"
 * const config: Plugin.EntryConfig = { brokers: ["k1:9092"], level: "warn" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type EntryConfig = internal.EntryConfig

/**
 * Names a plugin in `sinks` (or `enrichers`, `processors`, or as a `format`, for those
 * kinds) when its package adds no types to the settings: `{ type, ...config }`, which a
 * plain object literal with an unknown `type` is not (so a misspelt built-in type still
 * fails to compile). A plugin whose package augments `PluginSinks` (such as `@fapilog/loki`),
 * `PluginEnrichers`, `PluginProcessors` or `PluginFormatters` is written as a plain object
 * (or, for a formatter, its type) instead, with its options checked by the compiler. Either
 * way the plugin is found by its type when the logger starts and its config validated with
 * the plugin's Schema; problems are named by their path in the settings.
 *
 * @example
 * ```ts
 * import { createLogger, Plugin } from "fapilog"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Plugin.entry("kafka", { brokers: ["k1:9092"], topic: "logs", level: "warn" })],
 *   enrichers: [Plugin.entry("geo", { precision: 2 })],
 *   processors: [Plugin.entry("pii", { keys: ["ssn"], onError: "drop" })],
 *   format: Plugin.entry("cef", { vendor: "acme" })
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const entry: (type: string, config?: EntryConfig) => Entry = internal.entry

/**
 * Whether a plugin declaring `apiVersion` loads on this fapilog (same major, minor at most ours).
 *
 * @example
 * ```ts
 * import { Plugin } from "fapilog"
 * Plugin.isCompatible("1.0") // true
 * Plugin.isCompatible("2.0") // false
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const isCompatible = (apiVersion: string): boolean =>
  internal.incompatibility(apiVersion) === undefined

/**
 * Why a plugin declaring `apiVersion` does not load on this fapilog, or undefined when it does
 * (what {@link isCompatible} decides, in words).
 *
 * @example
 * ```ts
 * import { Plugin } from "fapilog"
 * Plugin.incompatibility("1.0") // undefined
 * Plugin.incompatibility("2.0") // "it implements plugin API 2.0, this fapilog implements 1.0 (...)"
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const incompatibility = (apiVersion: unknown): string | undefined =>
  internal.incompatibility(apiVersion)

/**
 * Whether a string is a plugin type: what settings name in `type` and what ends the plugin's
 * package name (lowercase letters, digits, ".", "_" and "-", starting with a letter or digit).
 *
 * @example
 * ```ts
 * import { Plugin } from "fapilog"
 * Plugin.isType("loki") // true
 * Plugin.isType("Loki!") // false
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const isType: (u: unknown) => u is string = internal.isPluginType

/**
 * The package names discovery tries for a type, in order: those of the plugin's build for
 * this Effect line (`fapilog-effect4` tries `@fapilog/loki-effect4`, then
 * `fapilog-plugin-loki-effect4`).
 *
 * @example
 * ```ts
 * import { Plugin } from "fapilog"
 * Plugin.packageNames("loki") // ["@fapilog/loki", "fapilog-plugin-loki"]
 * ```
 * @since 0.1.0
 * @category utils
 */
export const packageNames = (type: string): ReadonlyArray<string> => internal.candidates(type)

/**
 * A config Schema of the values `is` accepts, whose failure is one message naming the bad
 * value and what is accepted: `<value> is not <expected>` (what fapilog's own settings say,
 * and what `ConfigError` shows under the setting's path).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Plugin } from "fapilog"
 *
 * const Region = Plugin.accepted(
 *   "Region",
 *   (u): u is string => typeof u === "string" && /^[a-z]{2}-[0-9]$/.test(u),
 *   "a region such as eu-1"
 * )
 * const Config = Schema.Struct({ region: Region })
 * // { region: "EU" } fails with: "EU" is not a region such as eu-1
 * ```
 * @since 0.1.0
 * @category config
 */
export const accepted: <A>(
  identifier: string,
  is: (u: unknown) => u is A,
  expected: string,
  description?: string
) => Schema.Schema<A> = configSchema.accepted

/**
 * A config Schema of one of the given strings; a bad value fails with
 * `<value> is not one of a, b, c`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Plugin } from "fapilog"
 *
 * const Config = Schema.Struct({ encoding: Plugin.oneOf(["protobuf", "json"]) })
 * // { encoding: "xml" } fails with: "xml" is not one of protobuf, json
 * ```
 * @since 0.1.0
 * @category config
 */
export const oneOf: <const A extends ReadonlyArray<string>>(
  values: A,
  description?: string
) => Schema.Schema<A[number]> = configSchema.oneOf

/**
 * A config Schema of a whole number from `min` to `max`; a bad value fails with
 * `<value> is not a whole number of <unit> between <min> and <max>`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Plugin } from "fapilog"
 *
 * const Config = Schema.Struct({ maxLabelValues: Plugin.wholeNumber(1, 100_000, "values per label") })
 * ```
 * @since 0.1.0
 * @category config
 */
export const wholeNumber: (
  min: number,
  max: number,
  unit: string,
  description?: string
) => Schema.Schema<number> = configSchema.wholeNumber

/**
 * An optional config key, exact: absent, or a valid value (`undefined` is refused). A bad
 * value is then one issue naming its path, where `Schema.optional` adds "Expected
 * undefined" for the key and each struct around it.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Plugin } from "fapilog"
 *
 * const Config = Schema.Struct({
 *   url: Schema.String,
 *   encoding: Plugin.optional(Plugin.oneOf(["protobuf", "json"]))
 * })
 * ```
 * @since 0.1.0
 * @category config
 */
export const optional: <S extends Schema.Schema.AnyNoContext>(
  schema: S
) => Schema.optionalWith<S, { exact: true }> = configSchema.optional

/**
 * A config Schema of an age, in the forms the file sink's `maxAge` takes: a number of
 * milliseconds, or a number with a unit `ms`, `s`, `m`, `h`, `d` or `w` (`"30d"`). A bad
 * value fails with `<value> is not an age: ...`. Turn the value into milliseconds with
 * {@link parseAge}.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Plugin } from "fapilog"
 *
 * const Config = Schema.Struct({ maxAge: Plugin.optional(Plugin.age("Data older than this is deleted.")) })
 * // { maxAge: "soon" } fails with: "soon" is not an age: a number of milliseconds or ...
 * ```
 * @since 0.1.0
 * @category config
 */
export const age: (description?: string) => Schema.Schema<number | string> = internal.age

/**
 * A config Schema of a size, in the forms the file sink's `maxTotalBytes` takes: a number
 * of bytes, or a string such as `"500 MB"` or `"1.5 GiB"` (1024-based units). A bad value
 * fails with `<value> is not a size: ...`. Turn the value into bytes with {@link parseBytes}.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Plugin } from "fapilog"
 *
 * const Config = Schema.Struct({ maxTotalBytes: Plugin.optional(Plugin.size()) })
 * ```
 * @since 0.1.0
 * @category config
 */
export const size: (description?: string) => Schema.Schema<number | string> = internal.size

/**
 * Milliseconds of an age {@link age} accepted (`"30d"` is 2,592,000,000); throws a
 * RangeError naming the accepted forms for anything else.
 *
 * @example
 * ```ts
 * import { Plugin } from "fapilog"
 * Plugin.parseAge("12h") // 43_200_000
 * ```
 * @since 0.1.0
 * @category config
 */
export const parseAge: (input: number | string) => number = rotatingFile.parseAge

/**
 * Bytes of a size {@link size} accepted (`"1 GB"` is 1,073,741,824); throws a RangeError
 * naming the accepted forms for anything else.
 *
 * @example
 * ```ts
 * import { Plugin } from "fapilog"
 * Plugin.parseBytes("10 MB") // 10_485_760
 * ```
 * @since 0.1.0
 * @category config
 */
export const parseBytes: (input: number | string) => number = rotatingFile.parseBytes
