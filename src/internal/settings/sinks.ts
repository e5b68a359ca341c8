/**
 * The `sinks` setting: where lines go (docs/sinks.md). An entry is a stream name
 * ("stdout"), a built-in object (a stream, a file, a route), a plugin entry, a `Sink`, or an
 * Effect that opens one.
 *
 * Written in code, entries are a union discriminated by `type`: a file sink without `path`,
 * or with a misspelt option, fails to compile. Plugin packages add their entries by
 * augmenting `PluginSinks` (declared in src/Settings.ts); a plugin without types is named
 * with `Plugin.entry(type, config)`. Entries from config files and the environment are
 * checked here at run time, whatever their type.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { ConfigError, SinkError } from "../../Errors.js"
import type { LogEvent } from "../../LogEvent.js"
import type { PluginSinks } from "../../Settings.js"
import type { Sink } from "../../Sink.js"
import { isCategory } from "../categories.js"
import { accepted, flag, oneOf, show, wholeNumber } from "../configSchema.js"
import { type LevelName, levelNames } from "../level.js"
import {
  isKeyName,
  type KeyNames,
  keyNameOptions as keyNameOptionList,
  keyNameProblems,
  keyNameRule,
  keysPresets,
  timestampFormats
} from "../lineKeys.js"
import { type Entry, isPluginType, isSink, origins } from "../plugin.js"
import { reservedSinkKeys, type selectionKeys, textSinkKeys } from "../sinkKeys.js"
import { type AlertSinkSetting, alertEntry, type ValidAlertSink } from "./alert.js"
import { type Format, format, type LayoutName, fields as loggerFields } from "./logger.js"
import {
  age,
  by,
  bytes,
  type Check,
  type CheckedObject,
  check,
  checkKeys,
  type Issues,
  interval,
  isRecord,
  level,
  levelList,
  literal,
  object,
  required,
  fields as shared,
  type WrittenObject
} from "./shape.js"

export const sinkNames = ["stdout", "stderr", "null", "file", "route", "alert"] as const

export const fields = {
  fileMode: accepted(
    "FileMode",
    (u: unknown): u is number => Number.isInteger(u) && (u as number) >= 0 && (u as number) <= 0o777,
    "a permission mode between 0 and 0o777",
    "Permission bits of a newly created log file (default 0o640)."
  ),
  maxFiles: wholeNumber(1, 100_000, "files", "Rotated files kept."),
  compress: flag("Gzip rotated files."),
  keys: oneOf(keysPresets, "Key names of a target: gcp (Google Cloud Logging) or datadog."),
  keyName: accepted("KeyName", isKeyName, keyNameRule, "Name of a core key of the JSON line."),
  timestampFormat: oneOf(timestampFormats, "How the time is written: iso (RFC 3339) or epochMs.")
}

/** `{ warn: "WARNING", ... }`: the name a sink writes for each level. */
const levelNamesOption = check<Readonly<Partial<Record<LevelName, string>>>>((v, at, issues) => {
  if (!isRecord(v)) {
    issues.push({
      path: at,
      message: `${show(v)} is not an object of level names ({ warn: "WARNING", ... })`
    })
    return undefined
  }
  const before = issues.length
  const out: Partial<Record<LevelName, string>> = {}
  for (const [k, name] of Object.entries(v)) {
    if (!(levelNames as ReadonlyArray<string>).includes(k))
      issues.push({ path: `${at}.${k}`, message: `is not a level; accepted: ${levelNames.join(", ")}` })
    else if (!isKeyName(name))
      issues.push({ path: `${at}.${k}`, message: `${show(name)} is not ${keyNameRule}` })
    else out[k as LevelName] = name
  }
  return issues.length > before ? undefined : out
})

const categoryRule = 'a list of categories (dotted logger names such as "app.db", no empty segment)'

/** A non-empty list of categories. */
const categoryList = check<ReadonlyArray<string>>((v, at, issues) => {
  if (!Array.isArray(v) || v.length === 0) {
    issues.push({ path: at, message: `${show(v)} is not ${categoryRule}, with at least one` })
    return undefined
  }
  const before = issues.length
  v.forEach((c, i) => {
    if (!isCategory(c))
      issues.push({
        path: `${at}[${i}]`,
        message: `${show(c)} is not a category (a dotted logger name such as "app.db", no empty segment)`
      })
  })
  return issues.length > before ? undefined : (v as ReadonlyArray<string>)
})

/** A function of the event (code only: a config file cannot hold one). */
const eventFilter = check<(event: LogEvent) => boolean>((v, at, issues) => {
  if (typeof v === "function") return v as (event: LogEvent) => boolean
  issues.push({
    path: at,
    message: `${show(v)} is not a function (event) => boolean; a filter can only be given in code`
  })
  return undefined
})

/**
 * What fapilog reads in every sink entry besides its `type` (built-in and plugin sinks): the
 * sink's own level and its selection of events.
 */
const selection = {
  /** This sink's own threshold: events below it are not written here. */
  level,
  /** Only events of loggers in these categories ("app.db" takes "app.db" and "app.db.pool"). */
  categories: categoryList,
  /** No events of loggers in these categories. */
  excludeCategories: categoryList,
  /** Only events this function does not answer `false` for (code only); a throw keeps the event. */
  filter: eventFilter
} satisfies { readonly [K in (typeof selectionKeys)[number]]: unknown }

/** The selection keys of a sink entry, after their check. */
export type SinkSelection = CheckedObject<typeof selection>

/** What every text sink may override. */
const sinkOptions = {
  ...selection,
  /** This sink's output format instead of the logger's (a built-in name or a formatter plugin). */
  format,
  /** This sink's layout of the json format instead of the logger's. */
  layout: by(loggerFields.layout),
  /** Key names of a target (default JSON layout only): "gcp" or "datadog"; the options below override it. */
  keys: by(fields.keys),
  /** Name of the message key (default JSON layout only); default "message". */
  messageKey: by(fields.keyName),
  /** Name of the level key (default JSON layout only); default "level". */
  levelKey: by(fields.keyName),
  /** Name of the time key (default JSON layout only); default "timestamp". */
  timestampKey: by(fields.keyName),
  /** How the time is written (default JSON layout only): "iso" (default) or "epochMs". */
  timestampFormat: by(fields.timestampFormat),
  /** The name written for each level (default JSON layout only), e.g. `{ warn: "WARNING" }`. */
  levelNames: levelNamesOption
}

const streamShape = {
  type: required(literal("stdout", "stderr", "null")),
  ...sinkOptions
}

const fileShape = {
  type: required(literal("file")),
  /** Path of the file; relative paths resolve against the working directory. */
  path: required(by(shared.filePath), "is required for a file sink"),
  /** Rotate before a file grows past this: bytes, or a string such as "10 MB" (1024-based). */
  maxBytes: bytes,
  /** Rotated files kept. */
  maxFiles: by(fields.maxFiles),
  /** Total size of rotated files kept: bytes or a string such as "1 GB". */
  maxTotalBytes: bytes,
  /** Age past which rotated files are deleted: "30d", "12h", "2w" or milliseconds. */
  maxAge: age,
  /** Rotate on time: "1h", "30m", "daily", "hourly", "weekly" or milliseconds. */
  interval,
  /** Gzip rotated files. */
  compress: by(fields.compress),
  /** Permission bits of a new file; default 0o640. */
  mode: by(fields.fileMode),
  ...sinkOptions
}

/** A text sink's key names: no two core keys of its line may share a name. */
const withDistinctKeys =
  <A extends KeyNames, I>(c: Check<A, I>): Check<A, I> =>
  (u, at, issues) => {
    const parsed = c(u, at, issues)
    if (parsed === undefined) return undefined
    const problems = keyNameProblems(parsed)
    for (const p of problems) issues.push({ path: `${at}.${p.option}`, message: p.message })
    return problems.length > 0 ? undefined : parsed
  }

const streamSink = withDistinctKeys(object(streamShape, "a stream sink"))
const fileSink = withDistinctKeys(object(fileShape, "a file sink"))

/** What every text sink may override: its own threshold, format and layout. */
export type SinkOptions = WrittenObject<typeof sinkOptions>

/** A text sink's own threshold, format and layout after their check. */
export type ValidSinkOptions = CheckedObject<typeof sinkOptions>

/** `{ type: "stdout" | "stderr" | "null", level?, format?, layout? }`. */
export type StreamSinkSetting = WrittenObject<typeof streamShape>

/** A stream sink after its check. */
export type ValidStreamSink = CheckedObject<typeof streamShape>

/** `{ type: "file", path, ... }`: a file, rotated by size or time. */
export type FileSinkSetting = WrittenObject<typeof fileShape>

/** A file sink after its check: sizes and intervals are numbers. */
export type ValidFileSink = CheckedObject<typeof fileShape>

/** One route of a route sink: the levels it takes and the sinks they go to. */
export interface Route<S = SinkSetting> {
  /** Levels of this route: a list, or "*" for all (or give `minLevel`). */
  readonly levels?: ReadonlyArray<LevelName> | "*" | undefined
  /** This level and above. */
  readonly minLevel?: LevelName | undefined
  readonly sinks: ReadonlyArray<S>
}

/** `{ type: "route", routes }`: events go to the sinks of the routes their level matches. */
export interface RouteSetting<S = SinkSetting> {
  readonly type: "route"
  readonly routes: ReadonlyArray<Route<S>>
}

/**
 * The keys fapilog reads itself in every sink entry: `type`, `level`, `format`, `layout` and
 * the key-name options of the JSON line. A plugin sink's config is the rest of its entry, so
 * no plugin config may use them (docs/sinks.md#reserved-keys).
 */
export { reservedSinkKeys }

/**
 * Key names given to a sink that does not write the default JSON layout: its `format` (or the
 * logger's, when given) is not json, or its `layout` (or the logger's) is not default. A
 * stdout or stderr sink that is pretty only because it is a terminal (no format anywhere)
 * writes pretty lines there and its key names elsewhere: no problem.
 */
export const keyNamesOutsideJson = (
  list: ReadonlyArray<ValidSinkSetting>,
  logger: { readonly format: Format; readonly layout: LayoutName },
  at: string,
  issues: Issues
): void => {
  list.forEach((s, i) => {
    if (typeof s !== "object" || Effect.isEffect(s) || isSink(s) || !("type" in s)) return
    const where = `${at}[${i}]`
    if (s.type === "route") {
      const route = s as RouteSetting<ValidSinkSetting>
      route.routes.forEach((r, j) => {
        keyNamesOutsideJson(r.sinks, logger, `${where}.routes[${j}].sinks`, issues)
      })
      return
    }
    if (s.type === "alert") {
      keyNamesOutsideJson((s as ValidAlertSink<ValidSinkSetting>).notify, logger, `${where}.notify`, issues)
      return
    }
    if (s.type !== "stdout" && s.type !== "stderr" && s.type !== "file") return
    const o = s as ValidSinkOptions
    const given = keyNameOptionList.filter((k) => o[k] !== undefined)
    if (given.length === 0) return
    const f = o.format ?? logger.format
    const layout = o.layout ?? logger.layout
    const why =
      f !== "json"
        ? `this sink writes ${typeof f === "string" ? f : `the formatter plugin ${f.type}`}${o.format === undefined ? " (the logger's format)" : ""}, not JSON`
        : layout !== "default"
          ? `this sink writes the ${layout} layout${o.layout === undefined ? " (the logger's layout)" : ""}, whose key names its specification fixes`
          : undefined
    if (why === undefined) return
    for (const k of given)
      issues.push({ path: `${where}.${k}`, message: `is for the default JSON layout only: ${why}` })
  })
}

/**
 * A sink entry of a plugin whose package adds its types (with `@fapilog/loki`,
 * `{ type: "loki", url }`), or a `Plugin.entry(type, config)` value for one that adds none.
 * `level` is read by fapilog; every other key is the plugin's config.
 */
export type PluginSinkSetting =
  | {
      readonly [K in keyof PluginSinks]: {
        readonly type: K
      } & WrittenObject<typeof selection> &
        PluginSinks[K]
    }[keyof PluginSinks]
  | Entry

/** A plugin sink entry as checked at run time, wherever it came from. */
export interface ValidPluginSink extends SinkSelection {
  readonly type: string
  readonly [key: string]: unknown
}

/** A sink that opens in the logger's scope, such as `Plugin.open(plugin, config)`. */
export type SinkEffect = Effect.Effect<Sink, SinkError | ConfigError, Scope.Scope>

/** One entry of `sinks`, as written in code. */
export type SinkSetting =
  | "stdout"
  | "stderr"
  | "null"
  | StreamSinkSetting
  | FileSinkSetting
  | RouteSetting
  | AlertSinkSetting<SinkSetting>
  | PluginSinkSetting
  | Sink
  | SinkEffect

/** One entry of `sinks` after its check. */
export type ValidSinkSetting =
  | "stdout"
  | "stderr"
  | "null"
  | ValidStreamSink
  | ValidFileSink
  | RouteSetting<ValidSinkSetting>
  | ValidAlertSink<ValidSinkSetting>
  | ValidPluginSink
  | Sink
  | SinkEffect

export const pluginTypeRule =
  'a plugin type (lowercase letters, digits, ".", "_", "-"; fapilog loads @fapilog/<type> or fapilog-plugin-<type>)'

/**
 * A sink named by a plugin type: `type` and the selection keys (`level`, `categories`,
 * `excludeCategories`, `filter`) are checked here, the rest is the
 * plugin's config, checked with its Schema when the logger is built (the entry remembers
 * where it is in the settings so those problems are named by path).
 */
export const pluginSink = (
  u: Record<string, unknown>,
  at: string,
  issues: Issues,
  typeAt = `${at}.type`
): ValidPluginSink | undefined => {
  if (!isPluginType(u.type)) {
    issues.push({
      path: typeAt,
      message:
        u.type === undefined
          ? `is required: one of ${sinkNames.join(", ")}, or ${pluginTypeRule}`
          : `${show(u.type)} is not one of ${sinkNames.join(", ")}, nor ${pluginTypeRule}`
    })
    return undefined
  }
  const before = issues.length
  for (const k of textSinkKeys)
    if (u[k] !== undefined)
      issues.push({
        path: `${at}.${k}`,
        message: `is a key of fapilog's text sinks (stdout, stderr, file), reserved in every sink entry: a plugin sink writes its own output, set by its own options (see the plugin's documentation)`
      })
  const out: Record<string, unknown> = { ...u }
  for (const [k, c] of Object.entries(selection)) {
    if (u[k] === undefined) continue
    const parsed = c(u[k], `${at}.${k}`, issues)
    if (parsed !== undefined) out[k] = parsed
  }
  if (issues.length > before) return undefined
  origins.set(out, { at, typeAt })
  return out as ValidPluginSink
}

/** One entry of `sinks`, wherever it came from. */
export const sink: Check<ValidSinkSetting, SinkSetting> = (u, at, issues) => {
  if (typeof u === "string") {
    if (u === "stdout" || u === "stderr" || u === "null") return u
    issues.push({
      path: at,
      message:
        u === "file"
          ? `"file" needs a path: use { type: "file", path } (or FAPILOG_FILE__PATH with FAPILOG_SINKS)`
          : `${show(u)} is not one of ${sinkNames.join(", ")} (a plugin sink is an object: { type: ${show(u)}, ... })`
    })
    return undefined
  }
  if (Effect.isEffect(u)) return u as SinkEffect
  if (isSink(u)) return u
  if (isRecord(u)) {
    switch (u.type) {
      case "stdout":
      case "stderr":
      case "null":
        return streamSink(u, at, issues)
      case "file":
        return fileSink(u, at, issues)
      case "route":
        return route(u, at, issues)
      case "alert":
        return alert(u, at, issues)
      default:
        return pluginSink(u, at, issues)
    }
  }
  issues.push({
    path: at,
    message: `${show(u)} is not a sink: use one of stdout, stderr, null, a { type: "file", path }, { type: "route", routes } or plugin { type, ... } object, a Sink, or an Effect that opens one`
  })
  return undefined
}

/**
 * A list of sinks; with problems, its valid entries (for finding their plugins). A route's
 * list must not be empty; the top-level one may be, when sinks are provided as layers (the
 * logger then checks that it has at least one).
 */
const listOfSinks =
  (emptyAllowed: boolean): Check<ReadonlyArray<ValidSinkSetting>, ReadonlyArray<SinkSetting>> =>
  (v, at, issues) => {
    if (!Array.isArray(v) || (v.length === 0 && !emptyAllowed)) {
      issues.push({
        path: at,
        message: `${show(v)} is not ${emptyAllowed ? "an array of sinks" : "a non-empty array of sinks"}`
      })
      return undefined
    }
    const out: Array<ValidSinkSetting> = []
    v.forEach((s, i) => {
      const entry = sink(s, `${at}[${i}]`, issues)
      if (entry !== undefined) out.push(entry)
    })
    return out
  }

/** A route's sinks: at least one. */
export const sinkList = listOfSinks(false)

/** `{ type: "alert", rules, notify? }` (settings/alert.ts): its notify entries are a list of sinks. */
const alert = alertEntry(sinkList)

const routeShape = {
  levels: check<ReadonlyArray<LevelName> | "*">((v, at, issues) =>
    v === "*" ? v : levelList(v, at, issues)
  ),
  minLevel: level,
  sinks: sinkList
}

const routeKeys = Object.keys(routeShape).join(", ")
const routeSinkKeys = `is not a key of a route sink; accepted: type, routes`

/**
 * `{ type: "route", routes }`. With problems, the routes whose sinks could be read, with
 * their valid entries (for finding their plugins).
 */
const route = (
  u: Record<string, unknown>,
  at: string,
  issues: Issues
): RouteSetting<ValidSinkSetting> | undefined => {
  const before = issues.length
  checkKeys({ type: literal("route"), routes: (v) => v }, u, (k) => `${at}.${k}`, routeSinkKeys, issues)
  if (!Array.isArray(u.routes) || u.routes.length === 0) {
    issues.push({ path: `${at}.routes`, message: `${show(u.routes)} is not a non-empty array of routes` })
    return undefined
  }
  const routes: Array<Route<ValidSinkSetting>> = []
  u.routes.forEach((r, i) => {
    const where = `${at}.routes[${i}]`
    if (!isRecord(r)) {
      issues.push({ path: where, message: `${show(r)} is not a route` })
      return
    }
    const parsed = checkKeys(
      routeShape,
      r,
      (k) => `${where}.${k}`,
      `is not a key of a route; accepted: ${routeKeys}`,
      issues
    )
    if (r.levels === undefined && r.minLevel === undefined)
      issues.push({ path: where, message: 'needs levels (a list or "*") or minLevel' })
    if (r.sinks === undefined) issues.push({ path: `${where}.sinks`, message: "is required" })
    if (parsed.sinks !== undefined) routes.push(parsed as unknown as Route<ValidSinkSetting>)
  })
  return issues.length > before && routes.length === 0 ? undefined : { type: "route", routes }
}

export const shape = {
  /** Where lines go: a list of sink entries (empty only when sinks are provided as layers); default ["stdout"]. */
  sinks: listOfSinks(true)
}

export const defaults = { sinks: Object.freeze(["stdout"] as const) }
