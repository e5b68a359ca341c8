/**
 * The logger's own settings: its name, the lowest level it writes, and the format and layout
 * of its lines (docs/settings.md, docs/formatters.md). A format is a built-in name or a
 * formatter plugin, named by its type (`"gelf"`) or as an entry with its config
 * (`{ type: "gelf", host: "api-1" }`); formatter plugins join the written union by
 * augmenting `PluginFormatters` (declared in src/Settings.ts).
 */
import type { PluginFormatters } from "../../Settings.js"
import {
  type CategoryLevelMap,
  type CategoryPath,
  categoryOf,
  categoryRule,
  isCategory
} from "../categories.js"
import { accepted, oneOf, show } from "../configSchema.js"
import type { LevelName } from "../level.js"
import { type Entry, isPluginType, origins } from "../plugin.js"
import { by, type Check, isRecord, level } from "./shape.js"

export const formatNames = ["json", "logfmt", "pretty", "minimal"] as const
export type FormatName = (typeof formatNames)[number]

/** A formatter plugin as a format, in code: its type, an entry with its config, or `Plugin.entry`. */
export type PluginFormatSetting =
  | Extract<keyof PluginFormatters, string>
  | {
      readonly [K in keyof PluginFormatters]: { readonly type: K } & PluginFormatters[K]
    }[keyof PluginFormatters]
  | Entry

/** A format as written in code: a built-in name or a formatter plugin. */
export type FormatSetting = FormatName | PluginFormatSetting

/** A formatter plugin entry as checked at run time (a type name becomes `{ type }`). */
export interface ValidPluginFormat {
  readonly type: string
  readonly [key: string]: unknown
}

/** A format after its check. */
export type Format = FormatName | ValidPluginFormat

export const isBuiltInFormat = (f: Format): f is FormatName => typeof f === "string"

const formatRule = `one of ${formatNames.join(", ")}, nor a formatter plugin's type (lowercase letters, digits, ".", "_", "-")`

/**
 * A built-in format name, or a formatter plugin: its type, or `{ type, ...config }` (checked
 * with the plugin's Schema when the logger is built; the entry remembers where it is).
 */
export const format: Check<Format, FormatSetting> = (v, at, issues) => {
  if (typeof v === "string") {
    if ((formatNames as ReadonlyArray<string>).includes(v)) return v as FormatName
    if (!isPluginType(v)) {
      issues.push({ path: at, message: `${show(v)} is not ${formatRule}` })
      return undefined
    }
    const entry: ValidPluginFormat = { type: v }
    origins.set(entry, { at, typeAt: at })
    return entry
  }
  if (isRecord(v)) {
    if (!isPluginType(v.type) || (formatNames as ReadonlyArray<unknown>).includes(v.type)) {
      issues.push({
        path: `${at}.type`,
        message:
          typeof v.type === "string" && (formatNames as ReadonlyArray<string>).includes(v.type)
            ? `${show(v.type)} is a built-in format: write it as a name (format: ${show(v.type)})`
            : `${show(v.type)} is not a formatter plugin's type (lowercase letters, digits, ".", "_", "-")`
      })
      return undefined
    }
    const entry = { ...v } as ValidPluginFormat
    origins.set(entry, { at, typeAt: `${at}.type` })
    return entry
  }
  issues.push({
    path: at,
    message: `${show(v)} is not ${formatRule}, nor a formatter plugin entry { type, ... }`
  })
  return undefined
}

export const layoutNames = ["default", "ecs", "otel", "pino"] as const
export type LayoutName = (typeof layoutNames)[number]

const isCategoryText = (u: unknown): u is string => isCategory(u) && u.length <= 256

export const fields = {
  name: accepted(
    "Name",
    isCategoryText,
    `a name of 1 to 256 characters: ${categoryRule}`,
    "Logger name, the root category, written in the `logger` key."
  ),
  format: oneOf(formatNames, "Output format of the text sinks."),
  capture: oneOf(
    ["call", "late"] as const,
    "When a call's values are read: at the call (default), or late, when the batch is written."
  ),
  layout: oneOf(layoutNames, "Field layout of the json format: default, Elastic (ecs), OpenTelemetry, pino.")
}

/** A category path (a dotted string or its segments) checked into its dotted form. */
export const categoryPath: Check<string, CategoryPath> = (value, at, issues) => {
  const c = categoryOf(value)
  if (typeof c !== "string") {
    issues.push({ path: at, message: c.problem })
    return undefined
  }
  if (c.length > 256) {
    issues.push({ path: at, message: `${show(c)} is longer than 256 characters` })
    return undefined
  }
  return c
}

/** The path of one key of `categoryLevels` in messages: `categoryLevels["app.db"]`. */
export const categoryKeyPath = (at: string, category: string): string => `${at}[${JSON.stringify(category)}]`

/** `{ "app.db": "debug", ... }`: each key a category path, each value a level. */
export const categoryLevels: Check<CategoryLevelMap, Readonly<Record<string, LevelName>>> = (
  value,
  at,
  issues
) => {
  if (!isRecord(value)) {
    issues.push({ path: at, message: `${show(value)} is not an object of category paths to levels` })
    return undefined
  }
  const before = issues.length
  const out: Record<string, LevelName> = {}
  for (const [key, l] of Object.entries(value)) {
    const path = categoryKeyPath(at, key)
    const c = categoryPath(key, path, issues)
    const parsed = level(l, path, issues)
    if (c !== undefined && parsed !== undefined) out[c] = parsed
  }
  return issues.length > before ? undefined : out
}

export const shape = {
  /**
   * Logger name, the root category: `"app"`, `"app.api"`, or its segments `["app", "api"]`;
   * written in the `logger` key of every line (with a child's sub-category after it); default
   * "app".
   */
  name: categoryPath,
  /** Lowest level written (of every category no `categoryLevels` entry covers); default "info". */
  level,
  /**
   * Levels per category prefix: `{ "app.db": "debug", "app.http": "warn" }`. A prefix covers its
   * category and every category below it (`"app.db"` covers `"app.db.pool"`, not `"app.dbx"`); the
   * most specific prefix wins, and a category no prefix covers has `level`. Keys are full
   * paths, under `name`. Sources merge key by key.
   */
  categoryLevels,
  /**
   * Output format of the text sinks: json, logfmt, pretty, minimal, or a formatter plugin
   * (its type, or `{ type, ...config }`); default pretty on an interactive terminal, JSON
   * lines elsewhere.
   */
  format,
  /** Field layout of the json format: default, Elastic (ecs), OpenTelemetry (otel), pino. */
  layout: by(fields.layout),
  /**
   * When the values of a call are read: "call" (default) captures them as the call is made,
   * so every line shows the values of its call; "late" reads them when the batch is written,
   * so an object the caller changes in between is written as it is then (faster; see
   * docs/event-schema.md for the risk).
   */
  capture: by(fields.capture)
}

/** `format` is decided at resolution when no source sets it: see `defaultFormat`. */
export const defaults = {
  name: "app",
  level: "info",
  categoryLevels: {},
  format: "json",
  layout: "default",
  capture: "call"
} as const

/** Pretty on an interactive terminal (never under CI), JSON lines everywhere else. */
export const defaultFormat = (env: Readonly<Record<string, string | undefined>> = process.env): FormatName =>
  process.stdout.isTTY === true && (env.CI ?? "") === "" ? "pretty" : "json"
