/**
 * Settings, one module per family:
 *
 * - `shape.ts`: the checks every family is written with, and the schemas several share;
 * - `logger.ts`: name, level, format (built-in or a formatter plugin), layout;
 * - `sinks.ts`: the `sinks` union (stream, file, route, alert, plugin entries) and its checks;
 * - `alert.ts`: the alert sink entry and its rules;
 * - `reliability.ts`: capacity, overflow, crash logging, limits, fallback, retry, circuit
 *   breaker, protected level, shutdown timeout;
 * - `enrichment.ts`: `enrich` and `enrichers`;
 * - `plugins.ts`: the `plugins` setting;
 * - `processors.ts`: sampling, throttle, dedupe, the size guard, `processors` (objects and
 *   processor plugin entries);
 * - `redaction.ts`: `redact`;
 * - `presets.ts`, `file.ts`, `env.ts`: the sources below the code;
 * - `compliance.ts`: the compliance profiles, applied to the final settings;
 * - `schema.ts`: the table of every top-level setting, the types derived from it, `validate`;
 * - `resolve.ts`: precedence and defaults.
 */

export type {
  AlertRuleSetting,
  AlertSinkSetting,
  CircuitRuleSetting,
  EventRuleSetting,
  ValidAlertRule,
  ValidAlertSink
} from "./alert.js"
export {
  type Part as CompliancePart,
  type ProfileName as ComplianceProfile,
  profileNames as complianceProfileNames,
  profiles as complianceProfiles
} from "./compliance.js"
export type {
  EnricherSetting,
  EnrichSettings,
  PluginEnricherSetting,
  ValidPluginEnricher
} from "./enrichment.js"
export { envProvider, pluginSinkVariable } from "./env.js"
export {
  defaultFormat,
  type Format,
  type FormatName,
  type FormatSetting,
  formatNames,
  isBuiltInFormat,
  type LayoutName,
  layoutNames,
  type PluginFormatSetting,
  type ValidPluginFormat
} from "./logger.js"
export { type PresetName, presetNames, presets } from "./presets.js"
export type {
  PluginProcessorOptions,
  PluginProcessorSetting,
  ProcessorSetting,
  SamplingSettings,
  ValidPluginProcessor
} from "./processors.js"
export { type Collected, collect, defaults, type ResolvedSettings, resolve } from "./resolve.js"
export { fields, type Settings, settingKeys, type ValidSettings, validate } from "./schema.js"
export {
  type FileSinkSetting,
  type PluginSinkSetting,
  type Route,
  type RouteSetting,
  reservedSinkKeys,
  type SinkOptions,
  type SinkSelection,
  type SinkSetting,
  type StreamSinkSetting,
  sinkNames,
  type ValidFileSink,
  type ValidPluginSink,
  type ValidSinkOptions,
  type ValidSinkSetting,
  type ValidStreamSink
} from "./sinks.js"
