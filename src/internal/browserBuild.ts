/**
 * The browser build's `build` (tsup.browser.config.ts resolves `./build.js` here, as it
 * resolves `./platform.js` to platform.browser.ts): the same pipeline as on Node, opened from
 * the browser settings, which name only what a page or an edge runtime can do: the console,
 * an HTTP collector reached with `fetch`, and sinks given as values (`Sink.memory()`).
 * Settings files, `FAPILOG_*` variables, files and standard streams, plugins loaded by
 * package name, the spool and the process's exit hooks are Node's and stay out of it.
 */
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { ConfigError, type ConfigIssue, type SinkError } from "../Errors.js"
import type { LogEvent } from "../LogEvent.js"
import type { Options as NetworkOptions } from "../Network.js"
import type { Sink } from "../Sink.js"
import type { Additions } from "./build.js"
import { show } from "./configSchema.js"
import { consoleSink } from "./consoleSink.js"
import { Diagnostics } from "./diagnostics.js"
import { json } from "./formatter.js"
import { isLevelName, type LevelName, levelNames } from "./level.js"
import * as network from "./network.js"
import * as pipeline from "./pipeline.js"
import { fromPublic } from "./processor.js"
import { defaults as reliability } from "./settings/reliability.js"
import type { ResolvedSettings } from "./settings/resolve.js"
import { discard, withMinLevel } from "./sink.js"

/** A sink entry of the browser settings. */
export type BrowserSinkSetting =
  | "console"
  | "null"
  | Sink
  | { readonly type: "console"; readonly level?: LevelName | undefined }
  | BrowserHttpSinkSetting

/**
 * An HTTP collector: NDJSON batches POSTed with `fetch`, retried, behind a circuit breaker.
 * `headers`, `batch`, `retry` and `timeoutMs` as for any network sink (`Network.Options`);
 * `keepalive` (requests outlive the page; bodies in flight are then capped near 64 KiB, and
 * sent as `text/plain;charset=UTF-8`, which needs no CORS preflight) defaults to true here;
 * without it the type is `application/x-ndjson`.
 */
export interface BrowserHttpSinkSetting
  extends Pick<NetworkOptions, "headers" | "keepalive" | "batch" | "retry" | "timeoutMs"> {
  readonly type: "http"
  /**
   * The collector's URL (http: or https:). Another origin must allow it with CORS, and answer
   * the preflight of requests that need one (keepalive off, or `headers` given).
   */
  readonly url: string
  readonly level?: LevelName | undefined
}

/** The settings of the browser build. */
export interface BrowserSettings {
  /** Written in the `logger` key; default "app". */
  readonly name?: string | undefined
  /** Default "info". */
  readonly level?: LevelName | undefined
  /** Default `["console"]`. */
  readonly sinks?: ReadonlyArray<BrowserSinkSetting> | undefined
  /** Events the buffer holds (default 1024). */
  readonly capacity?: number | undefined
  /** Flush when the page is hidden or left (`visibilitychange`, `pagehide`); default true. */
  readonly flushOnHide?: boolean | undefined
  /** Longest the close waits for asynchronous sinks (default 5000 ms). */
  readonly shutdownTimeoutMs?: number | undefined
}

/** The keys {@link BrowserSettings} accepts. */
export const browserSettingKeys = [
  "name",
  "level",
  "sinks",
  "capacity",
  "flushOnHide",
  "shutdownTimeoutMs"
] as const

/** The sinks the browser build accepts, as named in its errors. */
export const browserSinkRule =
  '"console", "null", { type: "console" }, { type: "http", url }, or a Sink value (such as Sink.memory())'

/** Kept under browsers' 64 KiB limit on the bodies of keepalive requests in flight. */
const keepaliveMaxBytes = 48 * 1024

/** Where relative collector URLs are resolved from: the page's (or worker's) own URL. */
const pageUrl = (): string | undefined =>
  (globalThis as { readonly location?: { readonly href?: string } }).location?.href

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

const isSinkValue = (u: unknown): u is Sink =>
  isRecord(u) &&
  typeof u.name === "string" &&
  (typeof u.write === "function" || typeof u.writeSync === "function")

const whole = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u) && u > 0

/**
 * The content type of keepalive requests: one a cross-origin request may carry without a
 * CORS preflight. Chromium sends the preflight of a keepalive request started as the page
 * closes, then often drops the request itself once the page is gone; a request that needs no
 * preflight goes out at once. The body is the same NDJSON.
 */
const keepaliveContentType = "text/plain;charset=UTF-8"

/** The JSON lines layout, as the console sink and Node's stdout write them, under `contentType`. */
const ndjson =
  (contentType: string) =>
  (events: ReadonlyArray<LogEvent>): { readonly body: string; readonly contentType: string } => ({
    body: events.map((e) => `${json.format(e)}\n`).join(""),
    contentType
  })

interface Valid {
  readonly name: string
  readonly level: LevelName
  readonly sinks: ReadonlyArray<BrowserSinkSetting>
  readonly capacity: number
  readonly flushOnHide: boolean
  readonly shutdownTimeoutMs: number
}

/** Every problem of `input`, each naming its path and what is accepted. */
export const validate = (
  input: unknown
): { readonly valid: Valid; readonly issues: ReadonlyArray<ConfigIssue> } => {
  const issues: Array<ConfigIssue> = []
  const s: Record<string, unknown> = input === undefined ? {} : isRecord(input) ? input : {}
  if (input !== undefined && !isRecord(input))
    issues.push({ path: "settings", message: `${show(input)} is not an object of settings` })
  for (const key of Object.keys(s))
    if (!(browserSettingKeys as ReadonlyArray<string>).includes(key))
      issues.push({
        path: key,
        message: `is not a setting of the browser build of fapilog; it accepts ${browserSettingKeys.join(", ")}`
      })
  if (s.name !== undefined && (typeof s.name !== "string" || s.name === ""))
    issues.push({ path: "name", message: `${show(s.name)} is not a non-empty string` })
  if (s.level !== undefined && !isLevelName(s.level))
    issues.push({ path: "level", message: `${show(s.level)} is not one of ${levelNames.join(", ")}` })
  for (const key of ["capacity", "shutdownTimeoutMs"] as const)
    if (s[key] !== undefined && !whole(s[key]))
      issues.push({ path: key, message: `${show(s[key])} is not a whole number above 0` })
  if (s.flushOnHide !== undefined && typeof s.flushOnHide !== "boolean")
    issues.push({ path: "flushOnHide", message: `${show(s.flushOnHide)} is not true or false` })
  const sinks = s.sinks === undefined ? ["console"] : s.sinks
  if (!Array.isArray(sinks)) issues.push({ path: "sinks", message: `${show(sinks)} is not a list of sinks` })
  else
    sinks.forEach((entry: unknown, i) => {
      checkSink(entry, `sinks[${i}]`, issues)
    })
  return {
    valid: {
      name: typeof s.name === "string" ? s.name : "app",
      level: isLevelName(s.level) ? s.level : "info",
      sinks: Array.isArray(sinks) ? (sinks as ReadonlyArray<BrowserSinkSetting>) : [],
      capacity: whole(s.capacity) ? s.capacity : reliability.capacity,
      flushOnHide: s.flushOnHide !== false,
      shutdownTimeoutMs: whole(s.shutdownTimeoutMs) ? s.shutdownTimeoutMs : reliability.shutdownTimeoutMs
    },
    issues
  }
}

const checkSink = (entry: unknown, at: string, issues: Array<ConfigIssue>): void => {
  if (entry === "console" || entry === "null" || isSinkValue(entry)) return
  const type = typeof entry === "string" ? entry : isRecord(entry) ? entry.type : undefined
  if ((type !== "console" && type !== "http") || typeof entry === "string") {
    issues.push({
      path: typeof entry === "string" ? at : `${at}.type`,
      message: `${show(type ?? entry)} is not available in the browser build of fapilog (it has no files, standard streams or plugins loaded by name); it accepts ${browserSinkRule}`
    })
    return
  }
  const e = entry as Record<string, unknown>
  const allowed =
    type === "console"
      ? ["type", "level"]
      : ["type", "url", "level", "headers", "keepalive", "batch", "retry", "timeoutMs"]
  for (const key of Object.keys(e))
    if (!allowed.includes(key))
      issues.push({
        path: `${at}.${key}`,
        message: `is not an option of a ${type} sink; it accepts ${allowed.join(", ")}`
      })
  if (e.level !== undefined && !isLevelName(e.level))
    issues.push({ path: `${at}.level`, message: `${show(e.level)} is not one of ${levelNames.join(", ")}` })
  if (type !== "http") return
  if (typeof e.url !== "string")
    issues.push({ path: `${at}.url`, message: "is required: the collector's http: or https: URL" })
  else {
    let url: URL | undefined
    try {
      url = new URL(e.url, pageUrl())
    } catch {
      url = undefined
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:"))
      issues.push({ path: `${at}.url`, message: `${show(e.url)} is not an http: or https: URL` })
  }
  if (e.keepalive !== undefined && typeof e.keepalive !== "boolean")
    issues.push({ path: `${at}.keepalive`, message: `${show(e.keepalive)} is not true or false` })
  if (
    e.headers !== undefined &&
    (!isRecord(e.headers) || Object.values(e.headers).some((v) => typeof v !== "string"))
  )
    issues.push({
      path: `${at}.headers`,
      message: `${show(e.headers)} is not an object of string header values`
    })
  if (e.timeoutMs !== undefined && !whole(e.timeoutMs))
    issues.push({ path: `${at}.timeoutMs`, message: `${show(e.timeoutMs)} is not a whole number above 0` })
  for (const [group, keys] of [
    ["batch", ["maxEvents", "maxBytes", "maxWaitMs"]],
    ["retry", ["maxAttempts", "initialDelayMs", "maxDelayMs"]]
  ] as const) {
    const g = e[group]
    if (g === undefined) continue
    if (!isRecord(g)) {
      issues.push({ path: `${at}.${group}`, message: `${show(g)} is not an object with ${keys.join(", ")}` })
      continue
    }
    for (const [k, v] of Object.entries(g))
      if (!(keys as ReadonlyArray<string>).includes(k))
        issues.push({ path: `${at}.${group}.${k}`, message: `is not one of ${keys.join(", ")}` })
      else if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v >= 0))
        issues.push({ path: `${at}.${group}.${k}`, message: `${show(v)} is not a whole number` })
  }
}

const openSink = (entry: BrowserSinkSetting): Effect.Effect<Sink, SinkError, Scope.Scope> => {
  if (entry === "console") return Effect.succeed(consoleSink())
  if (entry === "null") return Effect.succeed(discard)
  if (!("type" in entry) || (entry.type !== "console" && entry.type !== "http"))
    return Effect.succeed(entry as Sink)
  const level = entry.level
  const leveled = (s: Sink): Sink => (level === undefined ? s : withMinLevel(s, level))
  if (entry.type === "console") return Effect.succeed(leveled(consoleSink()))
  const url = new URL(entry.url, pageUrl()).href
  const keepalive = entry.keepalive !== false
  return Effect.map(
    network.make({
      name: `http:${url}`,
      url,
      encode: ndjson(keepalive ? keepaliveContentType : "application/x-ndjson"),
      headers: entry.headers,
      keepalive,
      batch: {
        ...entry.batch,
        maxBytes: entry.batch?.maxBytes ?? (keepalive ? keepaliveMaxBytes : undefined)
      },
      retry: entry.retry,
      timeoutMs: entry.timeoutMs
    }),
    leveled
  )
}

/**
 * Flushes the pipeline when the page is hidden (a tab switched away, the browser minimised,
 * the first sign of a page about to go on mobile) and when it is left (`pagehide`): the
 * network sink's requests are `keepalive` ones, which complete after the page is gone.
 */
const flushOnHide = (p: pipeline.Pipeline): Effect.Effect<void, never, Scope.Scope> => {
  const target = globalThis as unknown as {
    addEventListener?: (type: string, listener: () => void) => void
    removeEventListener?: (type: string, listener: () => void) => void
    document?: { readonly visibilityState?: string }
  }
  if (typeof target.addEventListener !== "function") return Effect.void
  const flush = (): void => {
    Effect.runFork(p.flush)
  }
  const onVisibility = (): void => {
    if (target.document?.visibilityState === "hidden") flush()
  }
  return Effect.acquireRelease(
    Effect.sync(() => {
      target.addEventListener?.("pagehide", flush)
      target.addEventListener?.("visibilitychange", onVisibility)
    }),
    () =>
      Effect.sync(() => {
        target.removeEventListener?.("pagehide", flush)
        target.removeEventListener?.("visibilitychange", onVisibility)
      })
  )
}

/**
 * The browser settings, as the Node build's resolved settings would hold them (the
 * `Fapilog` service's `settings`): the keys the browser build has a say over, and every
 * other key of `ResolvedSettings` left out.
 */
const resolvedOf = (v: Valid): ResolvedSettings => ({ ...v }) as unknown as ResolvedSettings

/** Same signature as the Node build's `build` (build.ts): a ConfigProvider is not read. */
export const build = (
  input: unknown,
  _provider?: ConfigProvider.ConfigProvider,
  additions: Additions = {}
): Effect.Effect<
  { readonly pipeline: pipeline.Pipeline; readonly settings: ResolvedSettings },
  ConfigError | SinkError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const { valid, issues } = validate(input)
    if (issues.length > 0) return yield* Effect.fail(new ConfigError({ issues }))
    const diagnostics = new Diagnostics(valid.name)
    const opened = yield* Effect.forEach(valid.sinks, openSink)
    const sinks = [...opened, ...(additions.sinks ?? [])]
    if (sinks.length === 0)
      return yield* Effect.fail(
        new ConfigError({
          issues: [
            { path: "sinks", message: `is empty: events would go nowhere (use ["null"] to discard them)` }
          ]
        })
      )
    const made = yield* pipeline.make({
      name: valid.name,
      level: valid.level,
      capacity: valid.capacity,
      shutdownTimeout: valid.shutdownTimeoutMs,
      retry: reliability.retry,
      circuitBreaker: reliability.circuitBreaker,
      sinks,
      diagnostics,
      enrichers: additions.enrichers,
      callSiteEnrichers: additions.callSite,
      processors: additions.processors?.map(fromPublic).sort((a, b) => a.order - b.order)
    })
    if (valid.flushOnHide) yield* flushOnHide(made)
    return { pipeline: made, settings: resolvedOf(valid) }
  })
