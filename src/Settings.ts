/**
 * Settings of a logger, for `createLogger(settings)` and `Fapilog.layer(settings)`.
 * Precedence: programmatic > `FAPILOG_*` environment variables > config file (`configFile`
 * or `FAPILOG_CONFIG`, YAML or JSON) > preset > defaults. Every invalid
 * value fails with a `ConfigError` naming the field, the bad value and what is accepted;
 * unknown keys are reported too. See `docs/settings.md`.
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
import * as internal from "./internal/settings/index.js"

/**
 * Programmatic settings; every key is optional.
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
 * One entry of `sinks`: `"stdout"`, `"stderr"`, `"null"`, `{ type: "stdout" | "stderr", level?,
 * format?, layout? }`, `{ type: "file", path, maxBytes?, maxFiles?, maxTotalBytes?, interval?,
 * compress?, mode?, level?, format?, layout? }`, `{ type: "route", routes }`, a plugin entry
 * `{ type: "<plugin type>", level?, ...config }` (see docs/plugins.md), a `Sink`, or a scoped
 * Effect that opens one (such as `Plugin.open(plugin, config)`).
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
 * A sink provided by a plugin: `type` names it (fapilog loads `@fapilog/<type>` or
 * `fapilog-plugin-<type>`, or takes it from `plugins.use`), `level` is this sink's threshold,
 * every other key is the plugin's config, validated with the plugin's Schema.
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog"
 * const loki: Settings.PluginSinkSetting = { type: "loki", url: "http://loki:3100", level: "warn" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type PluginSinkSetting = internal.PluginSinkSetting

/**
 * One entry of `enrichers`: a function, a `{ name, enrich }` object, or an enricher plugin
 * entry `{ type: "<plugin type>", ...config }`.
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog"
 * const enrichers: ReadonlyArray<Settings.EnricherSetting> = [() => ({ region: "eu-1" }), { type: "geo" }]
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
 * the process environment with `__` nesting) and the defaults.
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
export const resolve: (
  settings?: Settings,
  configProvider?: ConfigProvider.ConfigProvider
) => Effect.Effect<Resolved, ConfigError> = internal.resolve
