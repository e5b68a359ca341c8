/**
 * Settings of a logger, for `createLogger(settings)` and `Fapilog.layer(settings)`.
 * Precedence: programmatic > `FAPILOG_*` environment variables > config file (`configFile`
 * or `FAPILOG_CONFIG`, YAML or JSON) > preset > defaults. Every invalid
 * value fails with a `ConfigError` naming the field, the bad value and what is accepted;
 * unknown keys, and plugins that cannot be found or refuse their config, are reported in
 * the same error. In code the settings are typed: `sinks` entries are a union discriminated
 * by `type`, which plugin packages extend (see {@link PluginSinks}). See `docs/settings.md`.
 *
 * @example
 * ```ts
 * import { createLogger, type Settings } from "fapilog"
 *
 * const settings: Settings.Settings = {
 *   name: "billing",
 *   level: "debug",
 *   sinks: ["stdout", { type: "file", path: "logs/billing.log" }]
 * }
 * const log = await createLogger(settings)
 * ```
 * @since 0.1.0
 */
import type * as ConfigProvider from "effect/ConfigProvider"
import type * as Effect from "effect/Effect"
import type { ConfigError } from "./Errors.js"
import * as build from "./internal/build.js"
import { envProvider } from "./internal/configProvider.js"
import * as internal from "./internal/settings/index.js"
import * as masking from "./internal/settings/mask.js"

/**
 * Programmatic settings; every key is optional. A misspelt key, a value of the wrong type
 * or a sink entry missing a required option fails to compile.
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog"
 * const s: Settings.Settings = { level: "warn", capacity: 16384 }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Settings = internal.Settings

/**
 * Settings after environment and defaults were applied.
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog"
 * const describe = (s: Settings.Resolved) => `${s.name} at ${s.level}`
 * ```
 * @since 0.1.0
 * @category models
 */
export type Resolved = internal.ResolvedSettings

/**
 * One entry of `sinks`: `"stdout"`, `"stderr"`, `"null"`, `{ type: "stdout" | "stderr" | "null",
 * level?, format?, layout? }`, `{ type: "file", path, maxBytes?, maxFiles?, maxTotalBytes?, maxAge?,
 * interval?, compress?, mode?, level?, format?, layout? }`, `{ type: "route", routes }`, a
 * plugin entry (see {@link PluginSinkSetting}), a `Sink`, or a scoped Effect that opens one
 * (such as `Plugin.open(plugin, config)`). The objects are a union discriminated by `type`:
 * a file sink without `path`, a misspelt option, or a plugin type no package declares fails
 * to compile. Config files and `FAPILOG_*` variables are checked at run time instead.
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog"
 * const sinks: ReadonlyArray<Settings.SinkSetting> = ["stderr", { type: "file", path: "/var/log/app.log" }]
 * ```
 * @since 0.1.0
 * @category models
 */
export type SinkSetting = internal.SinkSetting

/**
 * The file sink as a setting.
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog"
 * const file: Settings.FileSinkSetting = { type: "file", path: "logs/app.log", mode: 0o600 }
 * ```
 * @since 0.1.0
 * @category models
 */
export type FileSinkSetting = internal.FileSinkSetting

/**
 * The alert sink as a setting: rules over sliding windows ("more than 5 error events of
 * app.db in 1 minute", "any security event", "a sink's circuit is open"), each firing
 * logged as an "alert fired" event and sent to the `notify` sinks (docs/alerting.md).
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog"
 * const alerts: Settings.AlertSinkSetting = {
 *   type: "alert",
 *   rules: [
 *     { name: "db-errors", level: "error", categories: ["app.db"], threshold: 5, window: "1m" },
 *     { name: "security", eventCategory: "security", cooldown: 0 },
 *     { name: "sink-down", on: "circuit-open" }
 *   ],
 *   notify: { type: "stderr" }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type AlertSinkSetting = internal.AlertSinkSetting<SinkSetting>

/**
 * One rule of an alert sink: an events rule (the default, `on: "events"`) or a circuit rule
 * (`on: "circuit-open"`).
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog"
 * const rule: Settings.AlertRuleSetting = { name: "payments", categories: ["app.pay"], level: "error", threshold: 10, window: "30s", by: "logger" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type AlertRuleSetting = internal.AlertRuleSetting

/**
 * A sink provided by a plugin, in code: `{ type, level?, ...config }` for a plugin whose
 * package declares its config in {@link PluginSinks} (installing and importing
 * `@fapilog/loki` makes `{ type: "loki", url }` one, and a missing `url` a compile error), or
 * `Plugin.entry(type, config)` for any other plugin. `level` is this sink's threshold; every
 * other key is the plugin's config, validated with the plugin's Schema when the logger starts.
 *
 * @example
 * ```ts
 * import { Plugin, type Settings } from "fapilog"
 * import type {} from "@fapilog/loki" // its types: { type: "loki", ... } entries
 *
 * const loki: Settings.PluginSinkSetting = { type: "loki", url: "http://loki:3100", level: "warn" }
 * const other: Settings.PluginSinkSetting = Plugin.entry("kafka", { brokers: ["k1:9092"] })
 * ```
 * @since 0.1.0
 * @category models
 */
export type PluginSinkSetting = internal.PluginSinkSetting

/**
 * The config of each sink plugin that declares its types, by plugin type. Empty in fapilog
 * itself: each plugin package adds its own member by declaration merging, so that importing
 * the package makes `{ type: "<its type>", ...config }` a `sinks` entry that type-checks.
 * A plugin author writes it next to the plugin object, from the config Schema's encoded type.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 *
 * const Config = Schema.Struct({ brokers: Schema.Array(Schema.String), topic: Schema.String })
 *
 * declare module "fapilog" {
 *   interface PluginSinks {
 *     kafka: typeof Config.Encoded
 *   }
 * }
 * // with this package imported: sinks: [{ type: "kafka", brokers: ["k1:9092"], topic: "logs" }]
 * ```
 * @since 0.1.0
 * @category models
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by plugin packages (declaration merging)
export interface PluginSinks {}

/**
 * The config of each enricher plugin that declares its types, by plugin type: what
 * {@link PluginSinks} is for sinks, for `enrichers` entries.
 *
 * @example
 * ```ts
 * declare module "fapilog" {
 *   interface PluginEnrichers {
 *     region: { readonly region: string }
 *   }
 * }
 * // with this package imported: enrichers: [{ type: "region", region: "eu-1" }]
 * ```
 * @since 0.1.0
 * @category models
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by plugin packages (declaration merging)
export interface PluginEnrichers {}

/**
 * The config of each processor plugin that declares its types, by plugin type: what
 * {@link PluginSinks} is for sinks, for `processors` entries. fapilog adds `order` and
 * `onError` to every entry (see {@link PluginProcessorSetting}).
 *
 * @example
 * ```ts
 * declare module "fapilog" {
 *   interface PluginProcessors {
 *     mask: { readonly keys: ReadonlyArray<string> }
 *   }
 * }
 * // with this package imported: processors: [{ type: "mask", keys: ["ssn"], onError: "drop" }]
 * ```
 * @since 0.1.0
 * @category models
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by plugin packages (declaration merging)
export interface PluginProcessors {}

/**
 * The config of each formatter plugin that declares its types, by plugin type: with the
 * package imported, its type is a `format` (top-level or a sink's) that type-checks, and so
 * is `{ type, ...config }`.
 *
 * @example
 * ```ts
 * declare module "fapilog" {
 *   interface PluginFormatters {
 *     gelf: { readonly host?: string | undefined }
 *   }
 * }
 * // with this package imported: format: "gelf", or format: { type: "gelf", host: "api-1" }
 * ```
 * @since 0.1.0
 * @category models
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by plugin packages (declaration merging)
export interface PluginFormatters {}

/**
 * One entry of `processors`: a processor object (`Processor.make(...)`, or
 * `{ name, process }` / `{ name, processBatch }`) or a processor plugin entry (see
 * {@link PluginProcessorSetting}).
 *
 * @example
 * ```ts
 * import { Plugin, Processor, type Settings } from "fapilog"
 * const processors: ReadonlyArray<Settings.ProcessorSetting> = [
 *   Processor.make("no-trace", (e) => (e.level === "trace" ? undefined : e)),
 *   Plugin.entry("pii", { keys: ["ssn"], onError: "drop" })
 * ]
 * ```
 * @since 0.1.0
 * @category models
 */
export type ProcessorSetting = internal.ProcessorSetting

/**
 * A processor provided by a plugin, in code: `{ type, order?, onError?, ...config }` for a
 * plugin whose package declares its config in {@link PluginProcessors}, or
 * `Plugin.entry(type, config)` for any other. `order` (where it runs) and `onError` (what
 * happens to an event it cannot process, including while its start has failed: "pass" or
 * "drop") are read by fapilog; every other key is the plugin's config.
 *
 * @example
 * ```ts
 * import { Plugin, type Settings } from "fapilog"
 * const pii: Settings.PluginProcessorSetting = Plugin.entry("pii", { keys: ["ssn"], onError: "drop", order: -50 })
 * ```
 * @since 0.1.0
 * @category models
 */
export type PluginProcessorSetting = internal.PluginProcessorSetting

/**
 * A `format` (the logger's, or a sink's): `"json"`, `"logfmt"`, `"pretty"`, `"minimal"`, or a
 * formatter plugin: its type (for a plugin that declares it in {@link PluginFormatters}),
 * `{ type, ...config }`, or `Plugin.entry(type, config)` for any other.
 *
 * @example
 * ```ts
 * import { Plugin, type Settings } from "fapilog"
 * const formats: ReadonlyArray<Settings.FormatSetting> = ["logfmt", Plugin.entry("cef", { vendor: "acme" })]
 * ```
 * @since 0.1.0
 * @category models
 */
export type FormatSetting = internal.FormatSetting

/**
 * One entry of `enrichers`: a function, a `{ name, enrich }` object, or an enricher plugin
 * entry: `{ type, ...config }` for a plugin that declares its config in
 * {@link PluginEnrichers}, `Plugin.entry(type, config)` for any other.
 *
 * @example
 * ```ts
 * import { Plugin, type Settings } from "fapilog"
 * const enrichers: ReadonlyArray<Settings.EnricherSetting> = [
 *   () => ({ region: "eu-1" }),
 *   Plugin.entry("geo", { precision: 2 })
 * ]
 * ```
 * @since 0.1.0
 * @category models
 */
export type EnricherSetting = internal.EnricherSetting

/**
 * Every top-level setting name.
 *
 * @example
 * ```ts
 * import { Settings } from "fapilog"
 * Settings.settingKeys.includes("redact") // true
 * ```
 * @since 0.1.0
 * @category constants
 */
export const settingKeys: ReadonlyArray<string> = internal.settingKeys

/**
 * The keys fapilog reads itself in every sink entry: `type`, `level`, `format`, `layout`,
 * and the key names of the JSON line (`keys`, `messageKey`, `levelKey`, `timestampKey`,
 * `timestampFormat`, `levelNames`). A plugin sink's config is the rest of its entry, so a
 * plugin whose config Schema declares one of these is refused when it is loaded, and a plugin
 * entry that sets one of the text sinks' keys (all but `type` and `level`) is a config error.
 * See docs/sinks.md#reserved-keys.
 *
 * @example
 * ```ts
 * import { Settings } from "fapilog"
 * Settings.reservedSinkKeys.includes("messageKey") // true
 * ```
 * @since 0.1.0
 * @category constants
 */
export const reservedSinkKeys: ReadonlyArray<string> = internal.reservedSinkKeys

/**
 * What each preset turns on (`preset: "dev" | "production" | "serverless" | "hardened" | "minimal"`).
 *
 * @example
 * ```ts
 * import { Settings } from "fapilog"
 * Settings.presets.dev.level // "debug"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const presets: Readonly<Record<internal.PresetName, Settings>> = internal.presets

/**
 * The compliance profiles (`compliance: ["pci-dss" | "hipaa" | "sox" | "gdpr"]`): for each,
 * its parts (`pii`, `redaction`, `encryption`, `audit`, `minimisation`, `tls`) and the control
 * each part addresses. A profile adds the `pii` processor and redaction when the settings lack
 * them, requires an audit sink, an encryption key or a `minimise` list, and refuses
 * plaintext network sinks and redaction turned off (docs/compliance.md).
 *
 * @example
 * ```ts
 * import { Settings } from "fapilog"
 * Object.keys(Settings.complianceProfiles.hipaa) // ["pii", "redaction", "encryption", "audit", "tls"]
 * Settings.complianceProfiles.gdpr.minimisation // "GDPR Art. 5(1)(c): data minimisation"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const complianceProfiles: Readonly<
  Record<internal.ComplianceProfile, Readonly<Partial<Record<internal.CompliancePart, string>>>>
> = internal.complianceProfiles

/**
 * The defaults: name "app", level "info", format "json" (pretty for stdout/stderr on an
 * interactive terminal when no format is set and CI is not), sinks ["stdout"], capacity 1024
 * events, shutdown timeout 5000 ms, nothing else on.
 *
 * @example
 * ```ts
 * import { Settings } from "fapilog"
 * Settings.defaults.capacity // 1024
 * ```
 * @since 0.1.0
 * @category constants
 */
export const defaults: Resolved = internal.defaults

/**
 * The schema of each setting (with its description), used to validate it.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Settings } from "fapilog"
 * Schema.is(Settings.fields.level)("warn") // true
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const fields = internal.fields

/**
 * Resolves settings against the environment (read through `configProvider`, by default
 * the process environment with `__` nesting) and the defaults. Fails with one `ConfigError`
 * listing every problem of every source. On the Effect 4 line `configProvider` is an Effect 4
 * provider: as `ConfigProvider.fromEnv({ env })` joins nested names with `_`, each nested
 * variable is asked for by its whole name (`FAPILOG_FILE__PATH`) first, so the documented
 * names work through it.
 *
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import { Settings } from "fapilog"
 *
 * const env = ConfigProvider.fromMap(new Map([["FAPILOG_LEVEL", "debug"]]))
 * const resolved = Effect.runSync(Settings.resolve({ name: "api" }, env)) // level "debug"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (
  settings?: Settings,
  configProvider?: ConfigProvider.ConfigProvider
): Effect.Effect<Resolved, ConfigError> =>
  internal.resolve(settings, configProvider === undefined ? undefined : envProvider(configProvider))

/**
 * What {@link check} found: the resolved settings (with problems, a best effort that leaves
 * the invalid values out) and every problem, each with its path.
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog"
 * const ok = (c: Settings.Checked) => c.issues.length === 0
 * ```
 * @since 0.1.0
 * @category models
 */
export type Checked = build.Checked

/**
 * Checks settings the way `createLogger` does before it opens anything: every source
 * (programmatic, `FAPILOG_*` environment, config file, preset) resolved, every plugin the
 * settings name found and its config validated; never fails, every problem is in `issues`.
 * Nothing is opened or written. `fapilog config check` is this, printed.
 *
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import { Settings } from "fapilog"
 *
 * const env = ConfigProvider.fromMap(new Map([["FAPILOG_LEVEL", "loud"]]))
 * const { issues } = Effect.runSync(Settings.check({}, env))
 * issues[0]?.path // "FAPILOG_LEVEL"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const check = (
  settings?: Settings,
  configProvider?: ConfigProvider.ConfigProvider
): Effect.Effect<Checked> =>
  build.check(settings, configProvider === undefined ? undefined : envProvider(configProvider))

/**
 * A copy of a value with its secrets masked, for showing settings: the value of every key
 * named like a secret (`password`, `token`, `apiKey`, `authorization`, `key`, ... at any
 * depth, any case) becomes `"[MASKED]"`, and `user:password@` in URLs too. The redactor's own
 * rules (docs/redaction.md); the value passed in is never changed.
 *
 * @example
 * ```ts
 * import { Settings } from "fapilog"
 * Settings.mask({ url: "https://u:p@logs.example", headers: { authorization: "Bearer x" } })
 * // { url: "https://[MASKED]@logs.example", headers: { authorization: "[MASKED]" } }
 * ```
 * @since 0.1.0
 * @category utils
 */
export const mask: (value: unknown) => unknown = masking.mask
