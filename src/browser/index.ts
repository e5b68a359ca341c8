/**
 * fapilog's browser and edge build: the Promise facade and the Effect layer over the same
 * pipeline as on Node, with console, memory and HTTP (`fetch`) sinks and no Node built-in.
 * `import "fapilog"` resolves here under the `browser`, `worker`, `workerd` and `edge-light`
 * conditions; `fapilog/browser` names it explicitly (and gives its types).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog/browser"
 * const log = await createLogger({ sinks: ["console", { type: "http", url: "/logs" }] })
 * log.info("checkout started", { cartId: "c-1" })
 * ```
 * @since 0.1.0
 */
import type { Layer } from "effect/Layer"
import type { ConfigError, SinkError } from "../Errors.js"
import type { BrowserHttpSinkSetting, BrowserSettings, BrowserSinkSetting } from "../internal/browserBuild.js"
import * as facade from "../internal/facade.js"
import type { Logger } from "../Logger.js"
import * as Fapilog from "./Fapilog.js"

export * as Errors from "../Errors.js"
export * as Level from "../Level.js"
export type { CallFields, Fields, LazyFields, Logger, Timer } from "../Logger.js"
export * as Fapilog from "./Fapilog.js"
export * as Sink from "./Sink.js"

/**
 * The settings of the browser build: `name`, `level`, `sinks` (`"console"`, `"null"`,
 * `{ type: "console" }`, `{ type: "http", url }` or a `Sink` value), `capacity`,
 * `flushOnHide` and `shutdownTimeoutMs`. Anything else (a `file` sink, `FAPILOG_*`
 * variables, plugins by name) is refused with a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import type { Settings } from "fapilog/browser"
 * const settings: Settings = { level: "debug", sinks: ["console", { type: "http", url: "/logs", batch: { maxWaitMs: 2000 } }] }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Settings = BrowserSettings

/**
 * A sink entry of {@link Settings}.
 *
 * @example
 * ```ts
 * import type { SinkSetting } from "fapilog/browser"
 * const sink: SinkSetting = { type: "console", level: "warn" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type SinkSetting = BrowserSinkSetting

/**
 * An HTTP collector entry: NDJSON batches POSTed with `fetch` (`keepalive` by default),
 * retried with backoff (honouring `Retry-After`) behind a circuit breaker.
 *
 * @example
 * ```ts
 * import type { HttpSinkSetting } from "fapilog/browser"
 * const collector: HttpSinkSetting = { type: "http", url: "https://logs.example.com/ingest", headers: { "x-app": "shop" } }
 * ```
 * @since 0.1.0
 * @category models
 */
export type HttpSinkSetting = BrowserHttpSinkSetting

/**
 * Opens a logger from the browser settings; rejects with a `ConfigError` listing every
 * problem, or a `SinkError`.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog/browser"
 * const log = await createLogger({ level: "debug" })
 * log.child({ page: "/cart" }).info("loaded", { items: 3 })
 * await log.close()
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const createLogger: (settings?: Settings) => Promise<Logger> = facade.createLogger as (
  settings?: Settings
) => Promise<Logger>

/**
 * Runs `fn` with `fields` on every line logged during it. Without AsyncLocalStorage, the
 * browser build carries them through what `fn` does synchronously, not past an `await`.
 *
 * @example
 * ```ts
 * import { createLogger, withContext } from "fapilog/browser"
 * const log = await createLogger()
 * withContext({ requestId: "r-1" }, () => log.info("handled"))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withContext: <R>(fields: Readonly<Record<string, unknown>>, fn: () => R) => R =
  facade.withContext

/**
 * fapilog as Effect's logger with the browser defaults: JSON lines on the console at `info`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FapilogLive } from "fapilog/browser"
 * Effect.runPromise(Effect.log("hello").pipe(Effect.provide(FapilogLive)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const FapilogLive: Layer<Fapilog.Fapilog, ConfigError | SinkError> = Fapilog.layer()
