/**
 * The environment (docs/settings.md#environment-variables): one row per `FAPILOG_*`
 * variable, naming the setting it sets and how its text is read. Values are trimmed, and an
 * empty one counts as unset (shells and CI systems often define variables without a value).
 * The `FAPILOG_FILE__*` rows describe the one file sink `FAPILOG_SINKS` can name; a plugin
 * sink named there takes its config from `FAPILOG_SINK_<TYPE>`, a JSON object.
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import { show } from "../configSchema.js"
import { isPluginType, origins } from "../plugin.js"
import { profileList } from "./compliance.js"
import { categoryKeyPath, categoryPath, format, fields as loggerFields } from "./logger.js"
import { fields as presetFields } from "./presets.js"
import { paths as redactPaths } from "./redaction.js"
import { fields as reliabilityFields } from "./reliability.js"
import type { ValidSettings } from "./schema.js"
import { age, by, bytes, type Issues, interval, isRecord, level, fields as shared } from "./shape.js"
import {
  pluginSink,
  pluginTypeRule,
  fields as sinkFields,
  sinkNames,
  type ValidFileSink,
  type ValidPluginSink,
  type ValidSinkSetting
} from "./sinks.js"

/** The provider fapilog reads its environment through: `FAPILOG_FILE__PATH`, comma lists. */
export const envProvider: ConfigProvider.ConfigProvider = ConfigProvider.fromEnv({
  pathDelim: "__",
  seqDelim: ","
})

/** A variable's value: trimmed, undefined when unset or empty. */
type Env = (variable: string) => string | undefined

/** How a variable's text becomes a setting value; problems are named by the variable. */
type Reader = (text: string, variable: string, issues: Issues, env: Env) => unknown

interface Variable {
  readonly name: string
  /** The setting it sets, as a path such as `enrich.service` (`file.<key>`: the file sink's). */
  readonly sets: string
  readonly read: Reader
}

const exact = <A>(schema: Schema.Schema<A>): Reader => by(schema)

/** Names of levels, layouts, presets and overflow policies: any case. */
const anyCase = <A>(schema: Schema.Schema<A>): Reader => {
  const check = by(schema)
  return (text, variable, issues) => check(text.toLowerCase(), variable, issues)
}

/** Digits only: `16384`. */
const digits = (schema: Schema.Schema<number>): Reader => {
  const check = by(schema)
  return (text, variable, issues) => {
    if (/^\d+$/.test(text)) return check(Number(text), variable, issues)
    issues.push({ path: variable, message: `${show(text)} is not a whole number` })
    return undefined
  }
}

const yesNo: Reader = (text, variable, issues) => {
  const t = text.toLowerCase()
  if (["true", "1", "yes", "on"].includes(t)) return true
  if (["false", "0", "no", "off"].includes(t)) return false
  issues.push({ path: variable, message: `${show(text)} is not one of true, false, 1, 0, yes, no, on, off` })
  return undefined
}

const asIs: Reader = (text) => text

/** Split on `,`, each item trimmed, empty items ignored. */
const list = (text: string): Array<string> =>
  text
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")

const commaList: Reader = (text) => list(text)

const file = "file."

/** The variable holding the config (a JSON object) of a plugin sink named in FAPILOG_SINKS. */
export const pluginSinkVariable = (type: string): string =>
  `FAPILOG_SINK_${type.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`

/** The file sink FAPILOG_SINKS names, from the FAPILOG_FILE__* rows. */
const fileSink = (issues: Issues, env: Env): ValidFileSink | undefined => {
  if (env("FAPILOG_FILE__PATH") === undefined) {
    issues.push({ path: "FAPILOG_FILE__PATH", message: "is required when FAPILOG_SINKS names file" })
    return undefined
  }
  const out: Record<string, unknown> = { type: "file" }
  for (const row of variables) {
    const text = row.sets.startsWith(file) ? env(row.name) : undefined
    if (text === undefined) continue
    const value = row.read(text, row.name, issues, env)
    if (value !== undefined) out[row.sets.slice(file.length)] = value
  }
  return out as unknown as ValidFileSink
}

const sinks: Reader = (text, variable, issues, env) => {
  const chosen: Array<ValidSinkSetting> = []
  for (const entry of list(text.toLowerCase())) {
    if (entry === "route" || entry === "alert")
      issues.push({
        path: variable,
        message: `"${entry}" needs its ${entry === "route" ? "routes" : "rules"}: use a settings object or a config file`
      })
    else if (entry === "file") {
      const sink = fileSink(issues, env)
      if (sink !== undefined) chosen.push(sink)
    } else if (entry === "stdout" || entry === "stderr" || entry === "null") chosen.push(entry)
    else if (!isPluginType(entry))
      issues.push({
        path: variable,
        message: `${show(entry)} is not one of ${sinkNames.join(", ")}, nor ${pluginTypeRule}`
      })
    else {
      // its config, if any, is read from FAPILOG_SINK_<TYPE> afterwards
      const spec: ValidPluginSink = { type: entry }
      origins.set(spec, { at: pluginSinkVariable(entry), typeAt: variable })
      chosen.push(spec)
    }
  }
  return chosen.length > 0 ? chosen : undefined
}

/** `app.db=debug,app.http=warn`: category paths and levels (any case), each entry checked. */
const categoryLevels: Reader = (text, variable, issues) => {
  const out: Record<string, unknown> = {}
  const before = issues.length
  for (const entry of list(text)) {
    const eq = entry.indexOf("=")
    if (eq < 0) {
      issues.push({ path: variable, message: `${show(entry)} is not category=level (such as app.db=debug)` })
      continue
    }
    const key = entry.slice(0, eq).trim()
    const at = categoryKeyPath(variable, key)
    const category = categoryPath(key, at, issues)
    const parsed = level(
      entry
        .slice(eq + 1)
        .trim()
        .toLowerCase(),
      at,
      issues
    )
    if (category !== undefined && parsed !== undefined) out[category] = parsed
  }
  return issues.length > before ? undefined : out
}

const row = (name: string, sets: string, read: Reader): Variable => ({ name, sets, read })

/** Every variable fapilog reads, in the order their problems are reported. */
export const variables: ReadonlyArray<Variable> = [
  row("FAPILOG_NAME", "name", exact(loggerFields.name)),
  row("FAPILOG_LEVEL", "level", anyCase(shared.level)),
  row("FAPILOG_CATEGORY_LEVELS", "categoryLevels", categoryLevels),
  // a built-in name or a formatter plugin's type (its config, if any, from code or a config file)
  row("FAPILOG_FORMAT", "format", (t, v, is) => format(t.toLowerCase(), v, is)),
  row("FAPILOG_LAYOUT", "layout", anyCase(loggerFields.layout)),
  row("FAPILOG_CAPTURE", "capture", anyCase(loggerFields.capture)),
  row("FAPILOG_PRESET", "preset", anyCase(presetFields.preset)),
  // `pci-dss,gdpr`: any case, each name checked
  row("FAPILOG_COMPLIANCE", "compliance", (t, v, is) => profileList(list(t.toLowerCase()), v, is)),
  row("FAPILOG_CONFIG", "configFile", exact(shared.filePath)),
  row("FAPILOG_CAPACITY", "capacity", digits(reliabilityFields.capacity)),
  row("FAPILOG_OVERFLOW", "overflow", anyCase(reliabilityFields.overflow)),
  row("FAPILOG_PROTECTED_LEVEL", "protectedLevel", anyCase(reliabilityFields.protectedLevel)),
  row("FAPILOG_SHUTDOWN_TIMEOUT_MS", "shutdownTimeoutMs", digits(reliabilityFields.shutdownTimeoutMs)),
  row("FAPILOG_METRICS", "metrics", yesNo),
  row("FAPILOG_MAX_EVENT_BYTES", "maxEventBytes", bytes),
  row("FAPILOG_SERVICE", "enrich.service", asIs),
  row("FAPILOG_ENV", "enrich.env", asIs),
  row("FAPILOG_VERSION", "enrich.version", asIs),
  row("FAPILOG_REDACT__PATHS", "redact.paths", (t, v, is) => redactPaths(list(t), v, is)),
  row("FAPILOG_REDACT__KEYS", "redact.keys", commaList),
  row("FAPILOG_SINKS", "sinks", sinks),
  row("FAPILOG_FILE__PATH", "file.path", exact(shared.filePath)),
  row("FAPILOG_FILE__MAX_BYTES", "file.maxBytes", bytes),
  row("FAPILOG_FILE__MAX_FILES", "file.maxFiles", digits(sinkFields.maxFiles)),
  row("FAPILOG_FILE__MAX_TOTAL_BYTES", "file.maxTotalBytes", bytes),
  row("FAPILOG_FILE__INTERVAL", "file.interval", (t, v, is) =>
    interval(/^\d+$/.test(t) ? Number(t) : t, v, is)
  ),
  row("FAPILOG_FILE__MAX_AGE", "file.maxAge", (t, v, is) => age(/^\d+$/.test(t) ? Number(t) : t, v, is)),
  row("FAPILOG_FILE__COMPRESS", "file.compress", yesNo),
  row("FAPILOG_PLUGINS__ALLOW", "plugins.allow", commaList),
  row("FAPILOG_PLUGINS__DENY", "plugins.deny", commaList),
  row("FAPILOG_PLUGINS__DISCOVER", "plugins.discover", yesNo)
]

/** `FAPILOG_FILE__PATH` is `PATH` nested in `FAPILOG_FILE`, so nesting providers find it too. */
const configOf = (name: string): Config.Config<Option.Option<string>> => {
  const [first, ...rest] = name.split("__").reverse() as [string, ...Array<string>]
  return Config.option(rest.reduce((c, prefix) => Config.nested(c, prefix), Config.string(first)))
}

const config = Config.all(Object.fromEntries(variables.map((v) => [v.name, configOf(v.name)])))

const setAt = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const [key, ...rest] = path.split(".") as [string, ...Array<string>]
  if (rest.length === 0) target[key] = value
  else setAt((target[key] ??= {}) as Record<string, unknown>, rest.join("."), value)
}

/**
 * Reads the `FAPILOG_*` variables through `provider` and checks them, naming each variable.
 * `failed` receives the settings that had problems.
 */
export const fromEnv = (
  provider: ConfigProvider.ConfigProvider,
  issues: Issues,
  failed?: Set<string> | undefined
): Effect.Effect<ValidSettings> =>
  Effect.withConfigProvider(config, provider).pipe(
    Effect.map((values): ValidSettings => {
      const env: Env = (name) => {
        const value = Option.getOrUndefined(values[name] ?? Option.none())?.trim()
        return value === "" ? undefined : value
      }
      const out: Record<string, unknown> = {}
      for (const row of variables) {
        const text = row.sets.startsWith(file) ? undefined : env(row.name)
        if (text === undefined) continue
        const before = issues.length
        const value = row.read(text, row.name, issues, env)
        if (issues.length > before) failed?.add(row.sets.split(".")[0] as string)
        if (value !== undefined) setAt(out, row.sets, value)
      }
      return out
    }),
    Effect.catchAll((error) =>
      Effect.sync((): ValidSettings => {
        issues.push({ path: "environment", message: `cannot be read: ${String(error)}` })
        return {}
      })
    ),
    Effect.flatMap((settings) => withPluginSinkConfigs(settings, provider, issues))
  )

const isPluginEntry = (s: ValidSinkSetting): s is ValidPluginSink =>
  isRecord(s) && typeof s.type === "string" && !(sinkNames as ReadonlyArray<string>).includes(s.type)

/**
 * Plugin sinks named in FAPILOG_SINKS take their config from FAPILOG_SINK_<TYPE>, a JSON
 * object (`FAPILOG_SINKS=stdout,loki FAPILOG_SINK_LOKI='{"url":"http://loki:3100"}'`).
 */
const withPluginSinkConfigs = (
  settings: ValidSettings,
  provider: ConfigProvider.ConfigProvider,
  issues: Issues
): Effect.Effect<ValidSettings> => {
  const list = settings.sinks
  if (list === undefined || !list.some(isPluginEntry)) return Effect.succeed(settings)
  return Effect.forEach(list, (sink) => {
    if (!isPluginEntry(sink)) return Effect.succeed(sink)
    const variable = pluginSinkVariable(sink.type)
    return Effect.withConfigProvider(Config.option(Config.string(variable)), provider).pipe(
      Effect.orElseSucceed(() => Option.none<string>()),
      Effect.map((value): ValidSinkSetting => {
        const text = Option.getOrUndefined(value)?.trim()
        if (text === undefined || text === "") return sink
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch (e) {
          issues.push({ path: variable, message: `is not valid JSON: ${(e as Error).message}` })
          return sink
        }
        if (!isRecord(parsed)) {
          issues.push({
            path: variable,
            message: `${show(parsed)} is not a JSON object of the plugin's config`
          })
          return sink
        }
        if (parsed.type !== undefined && parsed.type !== sink.type)
          issues.push({ path: `${variable}.type`, message: `must be ${show(sink.type)} or left out` })
        return pluginSink({ ...parsed, type: sink.type }, variable, issues, "FAPILOG_SINKS") ?? sink
      })
    )
  }).pipe(Effect.map((sinks) => ({ ...settings, sinks })))
}
