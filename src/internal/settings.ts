import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { ConfigError, type ConfigIssue, type SinkError } from "../Errors.js"
import type { Sink } from "../Sink.js"
import { type LevelName, levelNames } from "./level.js"

export interface FileSinkSetting {
  readonly type: "file"
  readonly path: string
  readonly mode?: number | undefined
}

export type SinkSetting =
  | "stdout"
  | "stderr"
  | "null"
  | FileSinkSetting
  | Sink
  | Effect.Effect<Sink, SinkError, Scope.Scope>

export interface Settings {
  readonly name?: string | undefined
  readonly level?: LevelName | undefined
  readonly format?: "json" | undefined
  readonly sinks?: ReadonlyArray<SinkSetting> | undefined
  readonly capacity?: number | undefined
  readonly shutdownTimeoutMs?: number | undefined
}

export interface ResolvedSettings {
  readonly name: string
  readonly level: LevelName
  readonly format: "json"
  readonly sinks: ReadonlyArray<SinkSetting>
  readonly capacity: number
  readonly shutdownTimeoutMs: number
}

export const defaults: ResolvedSettings = Object.freeze({
  name: "app",
  level: "info",
  format: "json",
  sinks: Object.freeze(["stdout"] as const),
  capacity: 1024,
  shutdownTimeoutMs: 5000
})

const show = (u: unknown): string => {
  try {
    return typeof u === "string" ? JSON.stringify(u) : (JSON.stringify(u) ?? String(u))
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

export const sinkNames = ["stdout", "stderr", "null", "file"] as const

/** Field schemas: the documentation of every setting, and its validation. */
export const fields = {
  name: accepted(
    "Name",
    (u: unknown): u is string => typeof u === "string" && u.length >= 1 && u.length <= 256,
    "a name of 1 to 256 characters",
    "Logger name, written in the `logger` key."
  ),
  level: oneOf(levelNames, "Lowest level written."),
  format: oneOf(["json"] as const, "Output format of the text sinks."),
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
  filePath: accepted(
    "FilePath",
    (u: unknown): u is string => typeof u === "string" && u.length > 0,
    "a file path",
    "Path of the file sink; relative paths resolve against the working directory."
  ),
  fileMode: accepted(
    "FileMode",
    (u: unknown): u is number => Number.isInteger(u) && (u as number) >= 0 && (u as number) <= 0o777,
    "a permission mode between 0 and 0o777",
    "Permission bits of a newly created log file (default 0o640)."
  )
}

const settingKeys = ["name", "level", "format", "sinks", "capacity", "shutdownTimeoutMs"] as const

const check = <A, I>(
  schema: Schema.Schema<A, I>,
  value: unknown,
  path: string,
  issues: Array<ConfigIssue>
): A | undefined => {
  const result = Schema.decodeUnknownEither(schema)(value)
  if (Either.isRight(result)) return result.right
  const first = ParseResult.ArrayFormatter.formatErrorSync(result.left)[0]
  issues.push({ path, message: first?.message ?? `${show(value)} is invalid` })
  return undefined
}

const isSink = (u: unknown): u is Sink =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as Sink).name === "string" &&
  typeof (u as Sink).write === "function"

const checkSink = (u: unknown, path: string, issues: Array<ConfigIssue>): SinkSetting | undefined => {
  if (typeof u === "string") {
    if (u === "stdout" || u === "stderr" || u === "null") return u
    issues.push({
      path,
      message:
        u === "file"
          ? `"file" needs a path: use { type: "file", path } (or FAPILOG_FILE__PATH with FAPILOG_SINKS)`
          : `${show(u)} is not one of ${sinkNames.join(", ")}`
    })
    return undefined
  }
  if (Effect.isEffect(u)) return u as Effect.Effect<Sink, SinkError, Scope.Scope>
  if (isSink(u)) return u
  if (typeof u === "object" && u !== null && !Array.isArray(u)) {
    const o = u as Record<string, unknown>
    if (o.type !== "file") {
      issues.push({ path: `${path}.type`, message: `${show(o.type)} is not one of file` })
      return undefined
    }
    const before = issues.length
    for (const k of Object.keys(o)) {
      if (k !== "type" && k !== "path" && k !== "mode")
        issues.push({
          path: `${path}.${k}`,
          message: "is not a file sink setting; accepted: type, path, mode"
        })
    }
    const filePath = check(fields.filePath, o.path, `${path}.path`, issues)
    const mode = o.mode === undefined ? undefined : check(fields.fileMode, o.mode, `${path}.mode`, issues)
    if (issues.length > before || filePath === undefined) return undefined
    return mode === undefined ? { type: "file", path: filePath } : { type: "file", path: filePath, mode }
  }
  issues.push({
    path,
    message: `${show(u)} is not a sink: use one of ${sinkNames.join(", ")}, a { type: "file", path } object, or a Sink`
  })
  return undefined
}

/** Validates programmatic settings; every problem is reported, not only the first. */
export const validate = (input: unknown, issues: Array<ConfigIssue>): Settings => {
  if (input === undefined) return {}
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    issues.push({ path: "settings", message: `${show(input)} is not a settings object` })
    return {}
  }
  const o = input as Record<string, unknown>
  const out: { -readonly [K in keyof Settings]: Settings[K] } = {}
  for (const k of Object.keys(o)) {
    if (!(settingKeys as ReadonlyArray<string>).includes(k)) {
      issues.push({ path: k, message: `is not a setting; accepted: ${settingKeys.join(", ")}` })
    }
  }
  if (o.name !== undefined) out.name = check(fields.name, o.name, "name", issues)
  if (o.level !== undefined) out.level = check(fields.level, o.level, "level", issues)
  if (o.format !== undefined) out.format = check(fields.format, o.format, "format", issues)
  if (o.capacity !== undefined) out.capacity = check(fields.capacity, o.capacity, "capacity", issues)
  if (o.shutdownTimeoutMs !== undefined)
    out.shutdownTimeoutMs = check(fields.shutdownTimeoutMs, o.shutdownTimeoutMs, "shutdownTimeoutMs", issues)
  if (o.sinks !== undefined) {
    if (!Array.isArray(o.sinks) || o.sinks.length === 0) {
      issues.push({ path: "sinks", message: `${show(o.sinks)} is not a non-empty array of sinks` })
    } else {
      const sinks: Array<SinkSetting> = []
      o.sinks.forEach((s, i) => {
        const sink = checkSink(s, `sinks[${i}]`, issues)
        if (sink !== undefined) sinks.push(sink)
      })
      out.sinks = sinks
    }
  }
  return out
}

/** The provider fapilog reads its environment through: `FAPILOG_FILE__PATH`, comma lists. */
export const envProvider: ConfigProvider.ConfigProvider = ConfigProvider.fromEnv({
  pathDelim: "__",
  seqDelim: ","
})

const raw = (name: string) => Config.option(Config.string(name))

const envConfig = Config.all({
  name: raw("FAPILOG_NAME"),
  level: raw("FAPILOG_LEVEL"),
  format: raw("FAPILOG_FORMAT"),
  sinks: raw("FAPILOG_SINKS"),
  filePath: Config.option(Config.string("PATH").pipe(Config.nested("FAPILOG_FILE"))),
  capacity: raw("FAPILOG_CAPACITY"),
  shutdownTimeoutMs: raw("FAPILOG_SHUTDOWN_TIMEOUT_MS")
})

/** An environment value for a whole-number field: the raw text is named when it is not a number. */
const envInteger = (
  text: string,
  schema: Schema.Schema<number>,
  path: string,
  issues: Array<ConfigIssue>
): number | undefined => {
  if (!/^\d+$/.test(text)) {
    issues.push({ path, message: `${show(text)} is not a whole number` })
    return undefined
  }
  return check(schema, Number(text), path, issues)
}

/** Reads `FAPILOG_*` variables through `provider` and validates them. */
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
      const out: { -readonly [K in keyof Settings]: Settings[K] } = {}
      // An empty variable is treated as unset, as shells and CI systems commonly leave them.
      const get = (o: Option.Option<string>) => {
        const v = Option.getOrUndefined(o)?.trim()
        return v === "" ? undefined : v
      }
      const name = get(env.name)
      if (name !== undefined) out.name = check(fields.name, name, "FAPILOG_NAME", issues)
      const level = get(env.level)
      if (level !== undefined) out.level = check(fields.level, level.toLowerCase(), "FAPILOG_LEVEL", issues)
      const format = get(env.format)
      if (format !== undefined)
        out.format = check(fields.format, format.toLowerCase(), "FAPILOG_FORMAT", issues)
      const capacity = get(env.capacity)
      if (capacity !== undefined)
        out.capacity = envInteger(capacity, fields.capacity, "FAPILOG_CAPACITY", issues)
      const timeout = get(env.shutdownTimeoutMs)
      if (timeout !== undefined)
        out.shutdownTimeoutMs = envInteger(
          timeout,
          fields.shutdownTimeoutMs,
          "FAPILOG_SHUTDOWN_TIMEOUT_MS",
          issues
        )
      const sinks = get(env.sinks)
      if (sinks !== undefined) {
        const filePath = get(env.filePath)
        const list: Array<SinkSetting> = []
        for (const entry of sinks.split(",").map((s) => s.trim().toLowerCase())) {
          if (entry === "file") {
            if (filePath === undefined || filePath === "") {
              issues.push({
                path: "FAPILOG_FILE__PATH",
                message: "is required when FAPILOG_SINKS names file"
              })
            } else {
              list.push({ type: "file", path: filePath })
            }
          } else {
            const sink = checkSink(entry, "FAPILOG_SINKS", issues)
            if (sink !== undefined) list.push(sink)
          }
        }
        if (list.length > 0) out.sinks = list
      }
      return out
    })
  )

/** Layers settings over `base`, key by key; an undefined value leaves the base value. */
const overlay = (base: ResolvedSettings, ...layers: ReadonlyArray<Settings>): ResolvedSettings => {
  const out: Record<string, unknown> = { ...base }
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v
  }
  return out as unknown as ResolvedSettings
}

/**
 * Programmatic settings over environment over defaults. Fails with one ConfigError listing
 * every invalid value.
 */
export const resolve = (
  input: unknown,
  provider: ConfigProvider.ConfigProvider = envProvider
): Effect.Effect<ResolvedSettings, ConfigError> =>
  Effect.suspend(() => {
    const issues: Array<ConfigIssue> = []
    const programmatic = validate(input, issues)
    return fromEnv(provider, issues).pipe(
      Effect.flatMap((env) =>
        issues.length > 0
          ? Effect.fail(new ConfigError({ issues }))
          : Effect.succeed(overlay(defaults, env, programmatic))
      )
    )
  })
