import * as fs from "node:fs"
import * as path from "node:path"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as YAML from "yaml"
import { ConfigError, type ConfigIssue, type SinkError } from "../Errors.js"
import type { Plugin } from "../Plugin.js"
import type { Sink } from "../Sink.js"
import type { DedupeOptions } from "./dedupe.js"
import type { Enricher, NamedEnricher } from "./enrichers.js"
import { type LevelName, levelNames } from "./level.js"
import { isPluginType, origins, type PluginSettings, readPlugin } from "./plugin.js"
import { parsePath, type RedactOptions } from "./redact.js"
import { parseBytes, parseInterval } from "./rotatingFile.js"
import type { SamplingOptions } from "./sampling.js"
import type { ThrottleOptions } from "./throttle.js"

export const formatNames = ["json", "logfmt", "pretty", "minimal"] as const
export type FormatName = (typeof formatNames)[number]
export const layoutNames = ["default", "ecs", "otel", "pino"] as const
export type LayoutName = (typeof layoutNames)[number]
export const presetNames = ["dev", "production", "serverless", "hardened", "minimal"] as const
export type PresetName = (typeof presetNames)[number]

/** What every text sink may override: its own threshold and output format. */
export interface SinkOptions {
  readonly level?: LevelName | undefined
  readonly format?: FormatName | undefined
  readonly layout?: LayoutName | undefined
}

export interface StreamSinkSetting extends SinkOptions {
  readonly type: "stdout" | "stderr" | "null"
}

export interface FileSinkSetting extends SinkOptions {
  readonly type: "file"
  readonly path: string
  /** Rotate before a file grows past this: bytes, or a string such as "10 MB" (1024-based). */
  readonly maxBytes?: number | string | undefined
  /** Rotated files kept. */
  readonly maxFiles?: number | undefined
  /** Total size of rotated files kept: bytes or a string such as "1 GB". */
  readonly maxTotalBytes?: number | string | undefined
  /** Rotate on time: "1h", "30m", "daily", "hourly", "weekly" or milliseconds. */
  readonly interval?: number | string | undefined
  /** Gzip rotated files. */
  readonly compress?: boolean | undefined
  /** Permission bits of a new file; default 0o640. */
  readonly mode?: number | undefined
}

export interface RouteSetting {
  readonly type: "route"
  readonly routes: ReadonlyArray<{
    /** Levels of this route: a list, "*" for all, or use `minLevel`. */
    readonly levels?: ReadonlyArray<LevelName> | "*" | undefined
    readonly minLevel?: LevelName | undefined
    readonly sinks: ReadonlyArray<SinkSetting>
  }>
}

/**
 * A sink provided by a plugin: `type` names it (`{ type: "loki", url }`), `level` is read by
 * fapilog, every other key is the plugin's config, validated with the plugin's Schema.
 */
export interface PluginSinkSetting {
  readonly type: string
  readonly level?: LevelName | undefined
  readonly [key: string]: unknown
}

/** An enricher provided by a plugin: `type` names it, every other key is its config. */
export interface PluginEnricherSetting {
  readonly type: string
  readonly [key: string]: unknown
}

export type SinkSetting =
  | "stdout"
  | "stderr"
  | "null"
  | StreamSinkSetting
  | FileSinkSetting
  | RouteSetting
  | PluginSinkSetting
  | Sink
  | Effect.Effect<Sink, SinkError | ConfigError, Scope.Scope>

export type EnricherSetting = Enricher | NamedEnricher | PluginEnricherSetting

export interface EnrichSettings {
  readonly hostname?: boolean | undefined
  readonly pid?: boolean | undefined
  readonly service?: string | undefined
  readonly env?: string | undefined
  readonly version?: string | undefined
  readonly kubernetes?: boolean | undefined
  readonly runtime?: boolean | { readonly intervalMs: number } | undefined
}

export type SamplingSettings = DistributiveOmit<SamplingOptions, "random">
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

export interface Settings {
  readonly name?: string | undefined
  readonly level?: LevelName | undefined
  readonly format?: FormatName | undefined
  readonly layout?: LayoutName | undefined
  readonly sinks?: ReadonlyArray<SinkSetting> | undefined
  readonly capacity?: number | undefined
  readonly overflow?: "block" | "drop-newest" | "drop-oldest" | undefined
  readonly logCrashes?: boolean | undefined
  /** Serialization bounds for user data: depth, keys per object, items per array, characters per string. */
  readonly limits?:
    | {
        readonly maxDepth?: number
        readonly maxKeys?: number
        readonly maxArrayLength?: number
        readonly maxStringLength?: number
      }
    | undefined
  /** Where a failing sink's batches go: "stderr" (default) or "null". */
  readonly fallback?: "stderr" | "null" | undefined
  readonly retry?:
    | { readonly attempts?: number; readonly baseDelayMs?: number; readonly maxDelayMs?: number }
    | undefined
  readonly circuitBreaker?:
    | { readonly failureThreshold?: number; readonly resetTimeoutMs?: number }
    | undefined
  readonly protectedLevel?: LevelName | undefined
  readonly shutdownTimeoutMs?: number | undefined
  readonly enrich?: EnrichSettings | undefined
  readonly enrichers?: ReadonlyArray<EnricherSetting> | undefined
  /** Plugins: objects to use without discovery, allow and deny lists, discovery switch, timeout. */
  readonly plugins?: PluginSettings | undefined
  readonly sampling?: SamplingSettings | undefined
  readonly throttle?: ThrottleOptions | undefined
  readonly dedupe?: DedupeOptions | undefined
  readonly maxEventBytes?: number | string | undefined
  readonly oversize?: "truncate" | "drop" | undefined
  readonly redact?: RedactOptions | undefined
  readonly preset?: PresetName | undefined
  readonly configFile?: string | undefined
}

export interface ResolvedSettings {
  readonly name: string
  readonly level: LevelName
  readonly format: FormatName
  /** The format of stdout and stderr sinks: `format`, or pretty on a terminal when none was given. */
  readonly terminalFormat: FormatName
  readonly layout: LayoutName
  readonly sinks: ReadonlyArray<SinkSetting>
  readonly capacity: number
  readonly overflow: "block" | "drop-newest" | "drop-oldest"
  readonly logCrashes: boolean
  readonly limits: Settings["limits"]
  readonly fallback: "stderr" | "null"
  readonly retry: { readonly attempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number }
  readonly circuitBreaker: { readonly failureThreshold: number; readonly resetTimeoutMs: number }
  readonly protectedLevel: LevelName
  readonly shutdownTimeoutMs: number
  readonly enrich: EnrichSettings | undefined
  readonly enrichers: ReadonlyArray<NamedEnricher | PluginEnricherSetting>
  readonly plugins: PluginSettings | undefined
  readonly sampling: SamplingSettings | undefined
  readonly throttle: ThrottleOptions | undefined
  readonly dedupe: DedupeOptions | undefined
  readonly maxEventBytes: number | undefined
  readonly oversize: "truncate" | "drop"
  readonly redact: RedactOptions | undefined
  readonly preset: PresetName | undefined
  readonly configFile: string | undefined
}

/**
 * The zero-configuration defaults. `format` is decided when settings are resolved: pretty
 * on an interactive terminal, JSON lines otherwise (and always when CI is set).
 */
export const defaults: ResolvedSettings = Object.freeze({
  name: "app",
  level: "info",
  format: "json",
  terminalFormat: "json",
  layout: "default",
  sinks: Object.freeze(["stdout"] as const),
  capacity: 1024,
  overflow: "block",
  logCrashes: false,
  limits: undefined,
  fallback: "stderr",
  retry: Object.freeze({ attempts: 3, baseDelayMs: 100, maxDelayMs: 5000 }),
  circuitBreaker: Object.freeze({ failureThreshold: 5, resetTimeoutMs: 30_000 }),
  protectedLevel: "error",
  shutdownTimeoutMs: 5000,
  enrich: undefined,
  enrichers: Object.freeze([]),
  plugins: undefined,
  sampling: undefined,
  throttle: undefined,
  dedupe: undefined,
  maxEventBytes: undefined,
  oversize: "truncate",
  redact: undefined,
  preset: undefined,
  configFile: undefined
})

const sensitiveKeys = [
  "password",
  "passwd",
  "secret",
  "token",
  "accessToken",
  "refreshToken",
  "apiKey",
  "api_key",
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "privateKey",
  "clientSecret"
]

/** What each preset turns on; documented in docs/configuration.md. */
export const presets: Readonly<Record<PresetName, Settings>> = Object.freeze({
  dev: { level: "debug", format: "pretty", sinks: ["stdout"] },
  production: {
    level: "info",
    format: "json",
    enrich: { hostname: true, pid: true },
    redact: { keys: sensitiveKeys },
    maxEventBytes: 256 * 1024
  },
  serverless: {
    level: "info",
    format: "json",
    sinks: ["stdout"],
    capacity: 256,
    shutdownTimeoutMs: 2000,
    redact: { keys: sensitiveKeys },
    maxEventBytes: 256 * 1024
  },
  hardened: {
    level: "info",
    format: "json",
    enrich: { hostname: true, pid: true },
    redact: { keys: sensitiveKeys, failClosed: true, urls: true },
    maxEventBytes: 64 * 1024,
    oversize: "truncate"
  },
  minimal: { level: "info", format: "minimal", sinks: ["stdout"] }
})

const show = (u: unknown): string => {
  try {
    if (typeof u === "function") return "a function"
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}

/**
 * A setting's schema: one guard and one message that names the bad value and what is
 * accepted (Schema's own messages for unions and chained filters name only a part).
 */
const accepted = <A>(identifier: string, is: (u: unknown) => u is A, expected: string, description: string) =>
  Schema.declare(is, {
    identifier,
    description,
    message: (issue) => `${show(issue.actual)} is not ${expected}`
  })

const oneOf = <const A extends ReadonlyArray<string>>(values: A, description: string) =>
  accepted(
    values.map((v) => JSON.stringify(v)).join(" | "),
    (u: unknown): u is A[number] => typeof u === "string" && values.includes(u),
    `one of ${values.join(", ")}`,
    description
  )

const wholeNumber = (min: number, max: number, unit: string, description: string) =>
  accepted(
    `Int(${min}..${max})`,
    (u: unknown): u is number => Number.isInteger(u) && (u as number) >= min && (u as number) <= max,
    `a whole number of ${unit} between ${min} and ${max}`,
    description
  )

const positive = (unit: string, description: string) =>
  accepted(
    "Positive",
    (u: unknown): u is number => typeof u === "number" && Number.isFinite(u) && u > 0,
    `a positive number of ${unit}`,
    description
  )

const text = (description: string) =>
  accepted("Text", (u: unknown): u is string => typeof u === "string", "a string", description)

const flag = (description: string) =>
  accepted("Boolean", (u: unknown): u is boolean => typeof u === "boolean", "true or false", description)

export const sinkNames = ["stdout", "stderr", "null", "file", "route"] as const

/** Field schemas: the documentation of every scalar setting, and its validation. */
export const fields = {
  name: accepted(
    "Name",
    (u: unknown): u is string => typeof u === "string" && u.length >= 1 && u.length <= 256,
    "a name of 1 to 256 characters",
    "Logger name, written in the `logger` key."
  ),
  level: oneOf(levelNames, "Lowest level written."),
  format: oneOf(formatNames, "Output format of the text sinks."),
  layout: oneOf(layoutNames, "Field layout of the json format: default, Elastic (ecs), OpenTelemetry, pino."),
  capacity: wholeNumber(
    1,
    10_000_000,
    "events",
    "Events buffered before a synchronous caller drains the buffer inline."
  ),
  shutdownTimeoutMs: wholeNumber(
    0,
    600_000,
    "milliseconds",
    "Longest wait for asynchronous sinks when the logger closes."
  ),
  oversize: oneOf(
    ["truncate", "drop"] as const,
    "What the size guard does with an event over maxEventBytes."
  ),
  overflow: oneOf(
    ["block", "drop-newest", "drop-oldest"] as const,
    "What a full buffer does: drain inline / wait (block), refuse the new event, or evict the oldest."
  ),
  protectedLevel: oneOf(
    levelNames,
    "Events at or above this level are never refused while lower ones can be."
  ),
  preset: oneOf(presetNames, "A bundle of settings for a situation (see docs/configuration.md)."),
  filePath: accepted(
    "FilePath",
    (u: unknown): u is string => typeof u === "string" && u.length > 0 && !u.includes("\0"),
    "a file path",
    "Path of a file; relative paths resolve against the working directory."
  ),
  fileMode: accepted(
    "FileMode",
    (u: unknown): u is number => Number.isInteger(u) && (u as number) >= 0 && (u as number) <= 0o777,
    "a permission mode between 0 and 0o777",
    "Permission bits of a newly created log file (default 0o640)."
  ),
  maxFiles: wholeNumber(1, 100_000, "files", "Rotated files kept."),
  compress: flag("Gzip rotated files."),
  flag: flag("A switch."),
  text: text("A string."),
  probability: accepted(
    "Probability",
    (u: unknown): u is number => typeof u === "number" && u >= 0 && u <= 1,
    "a probability between 0 and 1",
    "Fraction of events kept."
  ),
  every: wholeNumber(1, 1_000_000_000, "events", "Keep one event in this many."),
  intervalMs: wholeNumber(1, 86_400_000, "milliseconds", "A period."),
  runtimeIntervalMs: wholeNumber(
    100,
    86_400_000,
    "milliseconds",
    "How often the runtime snapshot is sampled."
  ),
  ratePerSecond: positive("events per second", "Sustained rate a throttle lets through."),
  burst: wholeNumber(1, 1_000_000_000, "events", "Events a throttle lets through at once."),
  maxKeys: wholeNumber(1, 10_000_000, "keys", "Distinct keys remembered."),
  windowMs: wholeNumber(1, 86_400_000, "milliseconds", "Window in which identical events collapse.")
}

const check = <A, I>(
  schema: Schema.Schema<A, I>,
  value: unknown,
  at: string,
  issues: Array<ConfigIssue>
): A | undefined => {
  const result = Schema.decodeUnknownEither(schema)(value)
  if (Either.isRight(result)) return result.right
  const first = ParseResult.ArrayFormatter.formatErrorSync(result.left)[0]
  issues.push({ path: at, message: first?.message ?? `${show(value)} is not valid` })
  return undefined
}

type Shape = Record<string, (value: unknown, at: string, issues: Array<ConfigIssue>) => unknown>

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Validates an object against a table of key validators; unknown keys are reported. */
const checkObject = (
  value: unknown,
  at: string,
  issues: Array<ConfigIssue>,
  shape: Shape,
  what: string
): Record<string, unknown> | undefined => {
  if (!isRecord(value)) {
    issues.push({ path: at, message: `${show(value)} is not ${what}` })
    return undefined
  }
  const out: Record<string, unknown> = {}
  const keys = Object.keys(shape)
  const before = issues.length
  for (const k of Object.keys(value)) {
    if (!Object.hasOwn(shape, k))
      issues.push({
        path: `${at}.${k}`,
        message: `is not a key of ${what}; accepted: ${keys.join(", ")}`
      })
  }
  for (const k of keys) {
    if (value[k] === undefined) continue
    const parsed = (shape[k] as Shape[string])(value[k], `${at}.${k}`, issues)
    if (parsed !== undefined) out[k] = parsed
  }
  return issues.length > before ? undefined : out
}

const by =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (v: unknown, at: string, issues: Array<ConfigIssue>) =>
    check(schema, v, at, issues)

const bytes = (v: unknown, at: string, issues: Array<ConfigIssue>): number | undefined => {
  try {
    return parseBytes(v as number | string)
  } catch (e) {
    issues.push({
      path: at,
      message: `${show(v)} is not a size: use a number of bytes or a string such as "10 MB"`
    })
    void e
    return undefined
  }
}

const interval = (v: unknown, at: string, issues: Array<ConfigIssue>): number | undefined => {
  try {
    return parseInterval(v as number | string)
  } catch {
    issues.push({
      path: at,
      message: `${show(v)} is not an interval: use "15m", "1h", "2d", "hourly", "daily", "weekly" or milliseconds`
    })
    return undefined
  }
}

const levelList = (
  v: unknown,
  at: string,
  issues: Array<ConfigIssue>
): ReadonlyArray<LevelName> | undefined => {
  if (!Array.isArray(v)) {
    issues.push({ path: at, message: `${show(v)} is not a list of levels` })
    return undefined
  }
  const out: Array<LevelName> = []
  v.forEach((l, i) => {
    const level = check(fields.level, l, `${at}[${i}]`, issues)
    if (level !== undefined) out.push(level)
  })
  return out.length === v.length ? out : undefined
}

const stringList = (
  v: unknown,
  at: string,
  issues: Array<ConfigIssue>
): ReadonlyArray<string> | undefined => {
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string" && s.length > 0)) {
    issues.push({ path: at, message: `${show(v)} is not a list of non-empty strings` })
    return undefined
  }
  return v
}

const sinkOptions: Shape = { level: by(fields.level), format: by(fields.format), layout: by(fields.layout) }

const fileShape: Shape = {
  type: (v) => v,
  path: by(fields.filePath),
  maxBytes: bytes,
  maxFiles: by(fields.maxFiles),
  maxTotalBytes: bytes,
  interval,
  compress: by(fields.compress),
  mode: by(fields.fileMode),
  ...sinkOptions
}

const streamShape: Shape = { type: (v) => v, ...sinkOptions }

const isSink = (u: unknown): u is Sink =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as Sink).name === "string" &&
  typeof (u as Sink).write === "function"

const checkSink = (u: unknown, at: string, issues: Array<ConfigIssue>): SinkSetting | undefined => {
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
  if (Effect.isEffect(u)) return u as Effect.Effect<Sink, SinkError, Scope.Scope>
  if (isSink(u)) return u
  if (isRecord(u)) {
    switch (u.type) {
      case "stdout":
      case "stderr":
      case "null":
        return checkObject(u, at, issues, streamShape, `a ${u.type} sink`) as StreamSinkSetting | undefined
      case "file": {
        if (u.path === undefined) issues.push({ path: `${at}.path`, message: "is required for a file sink" })
        return checkObject(u, at, issues, fileShape, "a file sink") as FileSinkSetting | undefined
      }
      case "route":
        return checkRoute(u, at, issues)
      default:
        return checkPluginSink(u, at, issues)
    }
  }
  issues.push({
    path: at,
    message: `${show(u)} is not a sink: use one of stdout, stderr, null, a { type: "file", path }, { type: "route", routes } or plugin { type, ... } object, a Sink, or an Effect that opens one`
  })
  return undefined
}

const pluginTypeRule =
  'a plugin type (lowercase letters, digits, ".", "_", "-"; fapilog loads @fapilog/<type> or fapilog-plugin-<type>)'

/**
 * A sink named by a plugin type: `type` and `level` are checked here, the rest is the
 * plugin's config, checked with its Schema when the logger is built (the entry remembers
 * where it is in the settings so those problems are named by path).
 */
const checkPluginSink = (
  u: Record<string, unknown>,
  at: string,
  issues: Array<ConfigIssue>
): PluginSinkSetting | undefined => {
  if (!isPluginType(u.type)) {
    issues.push({
      path: `${at}.type`,
      message:
        u.type === undefined
          ? `is required: one of ${sinkNames.join(", ")}, or ${pluginTypeRule}`
          : `${show(u.type)} is not one of ${sinkNames.join(", ")}, nor ${pluginTypeRule}`
    })
    return undefined
  }
  const before = issues.length
  const level = u.level === undefined ? undefined : check(fields.level, u.level, `${at}.level`, issues)
  if (issues.length > before) return undefined
  const out: Record<string, unknown> = { ...u }
  if (level !== undefined) out.level = level
  origins.set(out, { at, typeAt: `${at}.type` })
  return out as PluginSinkSetting
}

const checkPlugins = (v: unknown, at: string, issues: Array<ConfigIssue>): PluginSettings | undefined =>
  checkObject(
    v,
    at,
    issues,
    {
      use: (list, where, is) => {
        if (!Array.isArray(list)) {
          is.push({ path: where, message: `${show(list)} is not a list of plugin objects` })
          return undefined
        }
        const before = is.length
        const read = list.map((p, i) => {
          const plugin = readPlugin(p)
          if (Either.isLeft(plugin)) is.push({ path: `${where}[${i}]`, message: `plugin ${plugin.left}` })
          return Either.getOrUndefined(plugin)
        })
        return is.length > before ? undefined : (read as ReadonlyArray<Plugin>)
      },
      allow: stringList,
      deny: stringList,
      discover: by(fields.flag),
      timeoutMs: by(
        wholeNumber(
          1,
          600_000,
          "milliseconds",
          "Longest a plugin's start or one of its writes may take (not the writes of a sink that delivers in the background: they may wait for room)."
        )
      )
    },
    "a plugins setting"
  ) as PluginSettings | undefined

const checkSinks = (
  v: unknown,
  at: string,
  issues: Array<ConfigIssue>
): ReadonlyArray<SinkSetting> | undefined => {
  if (!Array.isArray(v) || v.length === 0) {
    issues.push({ path: at, message: `${show(v)} is not a non-empty array of sinks` })
    return undefined
  }
  const out: Array<SinkSetting> = []
  v.forEach((s, i) => {
    const sink = checkSink(s, `${at}[${i}]`, issues)
    if (sink !== undefined) out.push(sink)
  })
  return out.length === v.length ? out : undefined
}

const checkRoute = (
  u: Record<string, unknown>,
  at: string,
  issues: Array<ConfigIssue>
): RouteSetting | undefined => {
  const routes = checkObject(u, at, issues, { type: (v) => v, routes: (v) => v }, "a route sink")
  if (routes === undefined) return undefined
  if (!Array.isArray(routes.routes) || routes.routes.length === 0) {
    issues.push({
      path: `${at}.routes`,
      message: `${show(routes.routes)} is not a non-empty array of routes`
    })
    return undefined
  }
  const before = issues.length
  const list = routes.routes.map((r, i) => {
    const where = `${at}.routes[${i}]`
    const parsed = checkObject(
      r,
      where,
      issues,
      {
        levels: (v, p, is) => (v === "*" ? v : levelList(v, p, is)),
        minLevel: by(fields.level),
        sinks: checkSinks
      },
      "a route"
    )
    if (parsed !== undefined && parsed.levels === undefined && parsed.minLevel === undefined) {
      issues.push({ path: where, message: 'needs levels (a list or "*") or minLevel' })
    }
    if (parsed !== undefined && parsed.sinks === undefined)
      issues.push({ path: `${where}.sinks`, message: "is required" })
    return parsed
  })
  return issues.length > before ? undefined : ({ type: "route", routes: list } as unknown as RouteSetting)
}

const checkEnrichers = (
  v: unknown,
  at: string,
  issues: Array<ConfigIssue>
): ReadonlyArray<NamedEnricher | PluginEnricherSetting> | undefined => {
  if (!Array.isArray(v)) {
    issues.push({ path: at, message: `${show(v)} is not a list of enricher functions` })
    return undefined
  }
  const out: Array<NamedEnricher | PluginEnricherSetting> = []
  v.forEach((e, i) => {
    if (typeof e === "function") out.push({ name: e.name || `enrichers[${i}]`, enrich: e as Enricher })
    else if (isRecord(e) && typeof e.name === "string" && typeof e.enrich === "function")
      out.push(e as unknown as NamedEnricher)
    else if (isRecord(e) && e.type !== undefined && e.enrich === undefined) {
      if (!isPluginType(e.type)) {
        issues.push({ path: `${at}[${i}].type`, message: `${show(e.type)} is not ${pluginTypeRule}` })
        return
      }
      const spec = { ...e } as PluginEnricherSetting
      origins.set(spec, { at: `${at}[${i}]`, typeAt: `${at}[${i}].type` })
      out.push(spec)
    } else
      issues.push({
        path: `${at}[${i}]`,
        message: `${show(e)} is not a function, a { name, enrich } object or a plugin { type, ... } object`
      })
  })
  return out.length === v.length ? out : undefined
}

const enrichShape: Shape = {
  hostname: by(fields.flag),
  pid: by(fields.flag),
  service: by(fields.text),
  env: by(fields.text),
  version: by(fields.text),
  kubernetes: by(fields.flag),
  runtime: (v, at, issues) =>
    typeof v === "boolean"
      ? v
      : checkObject(
          v,
          at,
          issues,
          { intervalMs: by(fields.runtimeIntervalMs) },
          "true, false or { intervalMs }"
        )
}

const samplingShape = (kind: unknown): Shape => ({
  kind: by(oneOf(["rate", "probabilistic", "trace"] as const, "Sampling strategy.")),
  ...(kind === "rate" ? { every: by(fields.every) } : { probability: by(fields.probability) }),
  levels: levelList,
  summaryIntervalMs: by(fields.intervalMs)
})

const checkSampling = (v: unknown, at: string, issues: Array<ConfigIssue>): SamplingSettings | undefined => {
  const kind = isRecord(v) ? v.kind : undefined
  const out = checkObject(
    v,
    at,
    issues,
    samplingShape(kind),
    'a sampling setting ({ kind: "rate", every } or { kind: "probabilistic" | "trace", probability })'
  )
  if (out === undefined) return undefined
  if (out.kind === undefined)
    issues.push({ path: `${at}.kind`, message: "is required: rate, probabilistic or trace" })
  else if (kind === "rate" ? out.every === undefined : out.probability === undefined)
    issues.push({ path: `${at}.${kind === "rate" ? "every" : "probability"}`, message: "is required" })
  else return out as unknown as SamplingSettings
  return undefined
}

const throttleShape: Shape = {
  ratePerSecond: by(fields.ratePerSecond),
  burst: by(fields.burst),
  key: by(fields.text),
  maxKeys: by(fields.maxKeys),
  levels: levelList,
  summaryIntervalMs: by(fields.intervalMs)
}

const dedupeShape: Shape = {
  windowMs: by(fields.windowMs),
  levels: levelList,
  maxEntries: by(fields.maxKeys)
}

/** An object setting with a key it cannot do without; the missing key is reported even beside other problems. */
const requiring =
  (shape: Shape, key: string, what: string) =>
  (v: unknown, at: string, issues: Array<ConfigIssue>): Record<string, unknown> | undefined => {
    const out = checkObject(v, at, issues, shape, what)
    if (isRecord(v) && v[key] === undefined) {
      issues.push({ path: `${at}.${key}`, message: "is required" })
      return undefined
    }
    return out
  }

const redactShape: Shape = {
  paths: (v, at, issues) => {
    const list = stringList(v, at, issues)
    if (list === undefined) return undefined
    const before = issues.length
    list.forEach((p, i) => {
      try {
        parsePath(p)
      } catch (e) {
        issues.push({ path: `${at}[${i}]`, message: (e as Error).message })
      }
    })
    return issues.length > before ? undefined : list
  },
  keys: stringList,
  censor: by(fields.text),
  remove: by(fields.flag),
  urls: by(fields.flag),
  failClosed: by(fields.flag)
}

const topShape: Shape = {
  name: by(fields.name),
  level: by(fields.level),
  format: by(fields.format),
  layout: by(fields.layout),
  sinks: checkSinks,
  capacity: by(fields.capacity),
  overflow: by(fields.overflow),
  logCrashes: by(fields.flag),
  limits: (v, at, issues) =>
    checkObject(
      v,
      at,
      issues,
      {
        maxDepth: by(wholeNumber(1, 1000, "levels", "Nesting written before a value is summarised.")),
        maxKeys: by(wholeNumber(1, 1_000_000, "keys", "Keys written per object.")),
        maxArrayLength: by(wholeNumber(1, 1_000_000, "items", "Items written per array.")),
        maxStringLength: by(wholeNumber(16, 100_000_000, "characters", "Characters kept per string."))
      },
      "a limits setting"
    ),
  fallback: by(oneOf(["stderr", "null"] as const, "Where a failing sink's batches go.")),
  retry: (v, at, issues) =>
    checkObject(
      v,
      at,
      issues,
      {
        attempts: by(wholeNumber(0, 100, "retries", "Retries of a failed asynchronous write.")),
        baseDelayMs: by(fields.intervalMs),
        maxDelayMs: by(fields.intervalMs)
      },
      "a retry setting"
    ),
  circuitBreaker: (v, at, issues) =>
    checkObject(
      v,
      at,
      issues,
      {
        failureThreshold: by(
          wholeNumber(1, 1_000_000, "failures", "Consecutive failures that open the circuit.")
        ),
        resetTimeoutMs: by(fields.intervalMs)
      },
      "a circuitBreaker setting"
    ),
  protectedLevel: by(fields.protectedLevel),
  shutdownTimeoutMs: by(fields.shutdownTimeoutMs),
  enrich: (v, at, issues) => checkObject(v, at, issues, enrichShape, "an enrich setting"),
  enrichers: checkEnrichers,
  plugins: checkPlugins,
  sampling: checkSampling,
  throttle: requiring(throttleShape, "ratePerSecond", "a throttle setting"),
  dedupe: requiring(dedupeShape, "windowMs", "a dedupe setting"),
  maxEventBytes: bytes,
  oversize: by(fields.oversize),
  redact: (v, at, issues) => checkObject(v, at, issues, redactShape, "a redact setting"),
  preset: by(fields.preset),
  configFile: by(fields.filePath)
}

export const settingKeys: ReadonlyArray<string> = Object.keys(topShape)

/** Validates one layer of settings; every problem is reported with its path, not only the first. */
export const validate = (input: unknown, issues: Array<ConfigIssue>, prefix = ""): Settings => {
  if (input === undefined) return {}
  if (!isRecord(input)) {
    issues.push({
      path: prefix === "" ? "settings" : prefix,
      message: `${show(input)} is not a settings object`
    })
    return {}
  }
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(input)) {
    if (!Object.hasOwn(topShape, k))
      issues.push({ path: `${prefix}${k}`, message: `is not a setting; accepted: ${settingKeys.join(", ")}` })
  }
  for (const k of settingKeys) {
    if (input[k] === undefined) continue
    const parsed = (topShape[k] as Shape[string])(input[k], `${prefix}${k}`, issues)
    if (parsed !== undefined) out[k] = parsed
  }
  return out as Settings
}

/** The provider fapilog reads its environment through: `FAPILOG_FILE__PATH`, comma lists. */
export const envProvider: ConfigProvider.ConfigProvider = ConfigProvider.fromEnv({
  pathDelim: "__",
  seqDelim: ","
})

const raw = (name: string) => Config.option(Config.string(name))
const nested = (prefix: string, name: string) =>
  Config.option(Config.string(name).pipe(Config.nested(prefix)))

const envConfig = Config.all({
  name: raw("FAPILOG_NAME"),
  level: raw("FAPILOG_LEVEL"),
  format: raw("FAPILOG_FORMAT"),
  layout: raw("FAPILOG_LAYOUT"),
  sinks: raw("FAPILOG_SINKS"),
  filePath: nested("FAPILOG_FILE", "PATH"),
  fileMaxBytes: nested("FAPILOG_FILE", "MAX_BYTES"),
  fileMaxFiles: nested("FAPILOG_FILE", "MAX_FILES"),
  fileMaxTotalBytes: nested("FAPILOG_FILE", "MAX_TOTAL_BYTES"),
  fileInterval: nested("FAPILOG_FILE", "INTERVAL"),
  fileCompress: nested("FAPILOG_FILE", "COMPRESS"),
  capacity: raw("FAPILOG_CAPACITY"),
  overflow: raw("FAPILOG_OVERFLOW"),
  protectedLevel: raw("FAPILOG_PROTECTED_LEVEL"),
  shutdownTimeoutMs: raw("FAPILOG_SHUTDOWN_TIMEOUT_MS"),
  service: raw("FAPILOG_SERVICE"),
  env: raw("FAPILOG_ENV"),
  version: raw("FAPILOG_VERSION"),
  maxEventBytes: raw("FAPILOG_MAX_EVENT_BYTES"),
  redactPaths: nested("FAPILOG_REDACT", "PATHS"),
  redactKeys: nested("FAPILOG_REDACT", "KEYS"),
  preset: raw("FAPILOG_PRESET"),
  configFile: raw("FAPILOG_CONFIG"),
  pluginsAllow: nested("FAPILOG_PLUGINS", "ALLOW"),
  pluginsDeny: nested("FAPILOG_PLUGINS", "DENY"),
  pluginsDiscover: nested("FAPILOG_PLUGINS", "DISCOVER")
})

/** The variable holding the config (a JSON object) of a plugin sink named in FAPILOG_SINKS. */
export const pluginSinkVariable = (type: string): string =>
  `FAPILOG_SINK_${type.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`

const envInteger = (
  textValue: string,
  schema: Schema.Schema<number>,
  at: string,
  issues: Array<ConfigIssue>
) => {
  if (!/^\d+$/.test(textValue)) {
    issues.push({ path: at, message: `${show(textValue)} is not a whole number` })
    return undefined
  }
  return check(schema, Number(textValue), at, issues)
}

const envBoolean = (textValue: string, at: string, issues: Array<ConfigIssue>): boolean | undefined => {
  const t = textValue.toLowerCase()
  if (["true", "1", "yes", "on"].includes(t)) return true
  if (["false", "0", "no", "off"].includes(t)) return false
  issues.push({ path: at, message: `${show(textValue)} is not one of true, false, 1, 0, yes, no, on, off` })
  return undefined
}

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")

/** Reads `FAPILOG_*` variables through `provider` and validates them, naming each variable. */
export const fromEnv = (
  provider: ConfigProvider.ConfigProvider,
  issues: Array<ConfigIssue>
): Effect.Effect<Settings> =>
  Effect.withConfigProvider(envConfig, provider).pipe(
    Effect.catchAll((error) =>
      Effect.sync(() => {
        issues.push({ path: "environment", message: `cannot be read: ${String(error)}` })
        return undefined
      })
    ),
    Effect.map((env) => {
      if (env === undefined) return {}
      const out: Record<string, unknown> = {}
      // An empty variable is treated as unset, as shells and CI systems commonly leave them.
      const get = (o: Option.Option<string>) => {
        const v = Option.getOrUndefined(o)?.trim()
        return v === "" ? undefined : v
      }
      const set = (key: string, value: unknown) => {
        if (value !== undefined) out[key] = value
      }
      const name = get(env.name)
      if (name !== undefined) set("name", check(fields.name, name, "FAPILOG_NAME", issues))
      const level = get(env.level)
      if (level !== undefined) set("level", check(fields.level, level.toLowerCase(), "FAPILOG_LEVEL", issues))
      const format = get(env.format)
      if (format !== undefined)
        set("format", check(fields.format, format.toLowerCase(), "FAPILOG_FORMAT", issues))
      const layout = get(env.layout)
      if (layout !== undefined)
        set("layout", check(fields.layout, layout.toLowerCase(), "FAPILOG_LAYOUT", issues))
      const preset = get(env.preset)
      if (preset !== undefined)
        set("preset", check(fields.preset, preset.toLowerCase(), "FAPILOG_PRESET", issues))
      const configFile = get(env.configFile)
      if (configFile !== undefined)
        set("configFile", check(fields.filePath, configFile, "FAPILOG_CONFIG", issues))
      const capacity = get(env.capacity)
      if (capacity !== undefined)
        set("capacity", envInteger(capacity, fields.capacity, "FAPILOG_CAPACITY", issues))
      const overflow = get(env.overflow)
      if (overflow !== undefined)
        set("overflow", check(fields.overflow, overflow.toLowerCase(), "FAPILOG_OVERFLOW", issues))
      const protectedLevel = get(env.protectedLevel)
      if (protectedLevel !== undefined)
        set(
          "protectedLevel",
          check(fields.protectedLevel, protectedLevel.toLowerCase(), "FAPILOG_PROTECTED_LEVEL", issues)
        )
      const timeout = get(env.shutdownTimeoutMs)
      if (timeout !== undefined)
        set(
          "shutdownTimeoutMs",
          envInteger(timeout, fields.shutdownTimeoutMs, "FAPILOG_SHUTDOWN_TIMEOUT_MS", issues)
        )
      const maxEventBytes = get(env.maxEventBytes)
      if (maxEventBytes !== undefined)
        set("maxEventBytes", bytes(maxEventBytes, "FAPILOG_MAX_EVENT_BYTES", issues))
      const enrich: Record<string, unknown> = {}
      for (const k of ["service", "env", "version"] as const) {
        const v = get(env[k])
        if (v !== undefined) enrich[k] = v
      }
      if (Object.keys(enrich).length > 0) out.enrich = enrich
      const redactPaths = get(env.redactPaths)
      const redactKeys = get(env.redactKeys)
      if (redactPaths !== undefined || redactKeys !== undefined) {
        const redact: Record<string, unknown> = {}
        if (redactPaths !== undefined)
          redact.paths = redactShape.paths?.(list(redactPaths), "FAPILOG_REDACT__PATHS", issues)
        if (redactKeys !== undefined) redact.keys = list(redactKeys)
        out.redact = redact
      }
      const sinks = get(env.sinks)
      if (sinks !== undefined) {
        const filePath = get(env.filePath)
        const chosen: Array<SinkSetting> = []
        for (const entry of list(sinks.toLowerCase())) {
          if (entry === "route") {
            issues.push({
              path: "FAPILOG_SINKS",
              message: '"route" needs its routes: use a settings object or a config file'
            })
            continue
          }
          if (entry !== "file" && (sinkNames as ReadonlyArray<string>).includes(entry)) {
            const sink = checkSink(entry, "FAPILOG_SINKS", issues)
            if (sink !== undefined) chosen.push(sink)
            continue
          }
          if (entry !== "file") {
            if (!isPluginType(entry)) {
              issues.push({
                path: "FAPILOG_SINKS",
                message: `${show(entry)} is not one of ${sinkNames.join(", ")}, nor ${pluginTypeRule}`
              })
              continue
            }
            // its config, if any, is read from FAPILOG_SINK_<TYPE> below
            const spec: PluginSinkSetting = { type: entry }
            origins.set(spec, { at: pluginSinkVariable(entry), typeAt: "FAPILOG_SINKS" })
            chosen.push(spec)
            continue
          }
          if (filePath === undefined) {
            issues.push({ path: "FAPILOG_FILE__PATH", message: "is required when FAPILOG_SINKS names file" })
            continue
          }
          const file: Record<string, unknown> = { type: "file", path: filePath }
          const maxBytes = get(env.fileMaxBytes)
          if (maxBytes !== undefined) file.maxBytes = bytes(maxBytes, "FAPILOG_FILE__MAX_BYTES", issues)
          const maxFiles = get(env.fileMaxFiles)
          if (maxFiles !== undefined)
            file.maxFiles = envInteger(maxFiles, fields.maxFiles, "FAPILOG_FILE__MAX_FILES", issues)
          const maxTotal = get(env.fileMaxTotalBytes)
          if (maxTotal !== undefined)
            file.maxTotalBytes = bytes(maxTotal, "FAPILOG_FILE__MAX_TOTAL_BYTES", issues)
          const every = get(env.fileInterval)
          if (every !== undefined)
            file.interval = interval(
              /^\d+$/.test(every) ? Number(every) : every,
              "FAPILOG_FILE__INTERVAL",
              issues
            )
          const compress = get(env.fileCompress)
          if (compress !== undefined) file.compress = envBoolean(compress, "FAPILOG_FILE__COMPRESS", issues)
          chosen.push(file as unknown as FileSinkSetting)
        }
        if (chosen.length > 0) out.sinks = chosen
      }
      const plugins: Record<string, unknown> = {}
      const allow = get(env.pluginsAllow)
      if (allow !== undefined) plugins.allow = list(allow)
      const deny = get(env.pluginsDeny)
      if (deny !== undefined) plugins.deny = list(deny)
      const discover = get(env.pluginsDiscover)
      if (discover !== undefined) plugins.discover = envBoolean(discover, "FAPILOG_PLUGINS__DISCOVER", issues)
      if (Object.keys(plugins).length > 0) out.plugins = plugins
      return out as Settings
    }),
    Effect.flatMap((settings) => withPluginSinkConfigs(settings, provider, issues))
  )

/**
 * Plugin sinks named in FAPILOG_SINKS take their config from FAPILOG_SINK_<TYPE>, a JSON
 * object (`FAPILOG_SINKS=stdout,loki FAPILOG_SINK_LOKI='{"url":"http://loki:3100"}'`).
 */
const withPluginSinkConfigs = (
  settings: Settings,
  provider: ConfigProvider.ConfigProvider,
  issues: Array<ConfigIssue>
): Effect.Effect<Settings> => {
  const sinks = settings.sinks
  if (
    sinks === undefined ||
    !sinks.some((s) => isRecord(s) && !(sinkNames as ReadonlyArray<unknown>).includes(s.type))
  )
    return Effect.succeed(settings)
  return Effect.forEach(sinks, (sink) => {
    if (!isRecord(sink) || (sinkNames as ReadonlyArray<unknown>).includes(sink.type))
      return Effect.succeed(sink)
    const variable = pluginSinkVariable(sink.type as string)
    return Effect.withConfigProvider(raw(variable), provider).pipe(
      Effect.orElseSucceed(() => Option.none<string>()),
      Effect.map((value): SinkSetting => {
        const text = Option.getOrUndefined(value)?.trim()
        if (text === undefined || text === "") return sink as SinkSetting
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch (e) {
          issues.push({ path: variable, message: `is not valid JSON: ${(e as Error).message}` })
          return sink as SinkSetting
        }
        if (!isRecord(parsed)) {
          issues.push({
            path: variable,
            message: `${show(parsed)} is not a JSON object of the plugin's config`
          })
          return sink as SinkSetting
        }
        if (parsed.type !== undefined && parsed.type !== sink.type)
          issues.push({ path: `${variable}.type`, message: `must be ${show(sink.type)} or left out` })
        const spec = checkPluginSink({ ...parsed, type: sink.type }, variable, issues)
        if (spec === undefined) return sink as SinkSetting
        origins.set(spec, { at: variable, typeAt: "FAPILOG_SINKS" })
        return spec
      })
    )
  }).pipe(Effect.map((list) => ({ ...settings, sinks: list })))
}

/** Reads and validates a YAML or JSON settings file; problems are named `file: key`. */
export const fromFile = (file: string, issues: Array<ConfigIssue>): Settings => {
  const at = path.basename(file)
  let textValue: string
  try {
    textValue = fs.readFileSync(file, "utf8")
  } catch (e) {
    issues.push({ path: `configFile ${file}`, message: `cannot be read: ${(e as Error).message}` })
    return {}
  }
  let parsed: unknown
  try {
    parsed = /\.json$/i.test(file) ? JSON.parse(textValue) : YAML.parse(textValue)
  } catch (e) {
    issues.push({
      path: `configFile ${file}`,
      message: `is not valid ${/\.json$/i.test(file) ? "JSON" : "YAML"}: ${(e as Error).message.split("\n")[0]}`
    })
    return {}
  }
  if (parsed === null || parsed === undefined) return {}
  const settings = validate(parsed, issues, `${at}: `)
  if (settings.configFile !== undefined)
    issues.push({ path: `${at}: configFile`, message: "a config file cannot name another" })
  return settings
}

/** Layers settings over `base`, key by key; an undefined value leaves the base value. */
const overlay = (base: ResolvedSettings, ...layers: ReadonlyArray<Settings>): ResolvedSettings => {
  const out: Record<string, unknown> = { ...base }
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v
  }
  return out as unknown as ResolvedSettings
}

/** Pretty on an interactive terminal (never under CI), JSON lines everywhere else. */
export const defaultFormat = (env: Readonly<Record<string, string | undefined>> = process.env): FormatName =>
  process.stdout.isTTY === true && (env.CI ?? "") === "" ? "pretty" : "json"

/**
 * Programmatic > environment > config file > preset > defaults. Fails with one ConfigError
 * listing every invalid value across all layers.
 */
export const resolve = (
  input: unknown,
  provider: ConfigProvider.ConfigProvider = envProvider
): Effect.Effect<ResolvedSettings, ConfigError> =>
  Effect.suspend(() => {
    const issues: Array<ConfigIssue> = []
    const programmatic = validate(input, issues)
    return fromEnv(provider, issues).pipe(
      Effect.flatMap((env) => {
        const configFile = programmatic.configFile ?? env.configFile
        const file = configFile === undefined ? {} : fromFile(configFile, issues)
        const presetName = programmatic.preset ?? env.preset ?? file.preset
        const preset = presetName === undefined ? {} : presets[presetName]
        if (issues.length > 0) return Effect.fail(new ConfigError({ issues }))
        const formatGiven = [programmatic, env, file, preset].some((l) => l.format !== undefined)
        const resolved = overlay(defaults, preset, file, env, programmatic)
        // without a format anywhere, terminals get pretty output and everything else (files) JSON
        const enrich = mergeEnrich(preset.enrich, file.enrich, env.enrich, programmatic.enrich)
        const plugins = mergePlugins(preset.plugins, file.plugins, env.plugins, programmatic.plugins)
        return Effect.succeed({
          ...resolved,
          // partial retry / circuitBreaker objects keep the defaults of the keys they leave out
          retry: { ...defaults.retry, ...resolved.retry },
          circuitBreaker: { ...defaults.circuitBreaker, ...resolved.circuitBreaker },
          format: resolved.format,
          terminalFormat: formatGiven ? resolved.format : defaultFormat(),
          enrich,
          plugins,
          enrichers: (programmatic.enrichers ?? file.enrichers ?? []) as ResolvedSettings["enrichers"]
        })
      })
    )
  })

/** `plugins` merges key by key across layers (FAPILOG_PLUGINS__DENY beside a programmatic `use`). */
const mergePlugins = (...layers: ReadonlyArray<PluginSettings | undefined>): PluginSettings | undefined => {
  const present = layers.filter((l): l is PluginSettings => l !== undefined)
  return present.length === 0 ? undefined : Object.assign({}, ...present)
}

/** `enrich` merges key by key across layers (FAPILOG_SERVICE adds to a preset's hostname). */
const mergeEnrich = (...layers: ReadonlyArray<EnrichSettings | undefined>): EnrichSettings | undefined => {
  const present = layers.filter((l): l is EnrichSettings => l !== undefined)
  return present.length === 0 ? undefined : Object.assign({}, ...present)
}
