/**
 * The Promise facade for Node apps that do not use Effect: `await createLogger()` and call
 * `log.info(message, fields)`. Calls are synchronous and cheap; events go through the same
 * bounded pipeline as the Effect API.
 *
 * @example
 * ```ts
 * import { createLogger, withContext } from "fapilog"
 *
 * await using log = await createLogger({ level: "debug" })
 * const request = log.child({ requestId: "r-1" })
 * await withContext({ tenant: "acme" }, async () => {
 *   request.info("user signed in", { userId: 42 })
 * })
 * ```
 * @since 0.1.0
 */
import type { ConfigError, SinkError } from "./Errors.js"
import type { CategoryPath as CategoryPathData, LevelState } from "./internal/categories.js"
import * as internal from "./internal/facade.js"
import type { Fields as FieldsData } from "./internal/record.js"
import type { Settings } from "./Settings.js"

/**
 * User fields: any object; values of any type are serialized safely.
 *
 * @example
 * ```ts
 * import type { Logger } from "fapilog"
 * const fields: Logger.Fields = { userId: 42, tags: ["a", "b"] }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Fields = FieldsData

/**
 * A logger. Level methods never throw and never wait: the event is buffered and written
 * by the pipeline's worker (or inline, if the buffer is full).
 *
 * - Each logger has a category, written in its events' `logger` key: the settings' `name`
 *   (default `"app"`) for the root. `child("db")` (or `child(["db", "pool"])`) returns the
 *   logger of the sub-category `"app.db"`, with this one's bindings; its calls are held to
 *   that category's level (`categoryLevels`, most specific prefix wins, else `level`). A call
 *   below it costs what a disabled call costs.
 * - Fields may be given as a function, `log.debug("state", () => ({ dump: expensive() }))`:
 *   it is called at the call only if the event passes its level. A function that throws never
 *   throws into the caller: the event is written with the failure in its fields (under `…`)
 *   and fapilog's diagnostics report it.
 * - `isLevelEnabled(level)` answers for this logger's category; `setLevel(level)` changes the
 *   default level, `setLevel(level, "app.db")` the level of a category prefix (a full path),
 *   for every logger of the pipeline at once; `levels()` shows both.
 * - `time(label)` starts a {@link Timer}.
 * - `child(bindings)` returns a logger sharing this one's pipeline whose events carry
 *   `bindings`; call-site fields win on conflict. The keys and their values are copied when
 *   `child` is called (and serialized for the JSON line then), so reassigning a key of the
 *   object you passed changes nothing; mutate nested objects you bound and structured
 *   sinks may see the change, so treat bound values as immutable.
 * - `flush()` resolves when everything logged before the call has been handed to every sink.
 * - `close()` on the root logger drains every accepted event, releases the sinks and makes
 *   the pipeline refuse (and count) later events; calling it again returns the same promise.
 *   `close()` on a child only flushes: the pipeline belongs to the root.
 * - `[Symbol.asyncDispose]` is `close()`, for `await using`.
 *
 * A script that never calls `close()` still exits on its own, and its buffered events are
 * written to local sinks when the process exits.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * const log = await createLogger()
 * log.error("payment failed", new Error("card declined"))
 * const db = log.child("db") // logger "app.db"
 * db.debug("pool state", () => ({ idle: 3, busy: 7 })) // computed only if app.db writes debug
 * log.setLevel("debug", "app.db")
 * await log.close()
 * ```
 * @since 0.1.0
 * @category models
 */
export type Logger = internal.Logger

/**
 * A running measurement from `log.time(label)` (winston's `startTimer`). `done(message?,
 * fields?, level?)` logs one line at `level` (default info) whose message is `message`, else
 * the label, with the fields plus `label` and `durationMs`: the milliseconds since `time`
 * was called, from `performance.now()`, rounded to the microsecond. Timer keys win over
 * fields of the same name. A timer ends once: `done` returns true when it logged the end (or
 * would have, had the level let it through) and false, logging nothing, when called again.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * const log = await createLogger()
 * const timer = log.time("import users")
 * // ... the work
 * timer.done("users imported", { count: 120 }) // {"message":"users imported","count":120,"label":"import users","durationMs":12.345}
 * ```
 * @since 0.1.0
 * @category models
 */
export type Timer = internal.Timer

/**
 * Fields computed only when the event is written: a function returning fields or an Error.
 *
 * @example
 * ```ts
 * import type { Logger } from "fapilog"
 * const lazy: Logger.LazyFields = () => ({ cache: [...new Map().keys()] })
 * ```
 * @since 0.1.0
 * @category models
 */
export type LazyFields = internal.LazyFields

/**
 * A category path: dotted (`"db.pool"`) or as segments (`["db", "pool"]`); segments are
 * non-empty and hold no ".".
 *
 * @example
 * ```ts
 * import type { Logger } from "fapilog"
 * const category: Logger.CategoryPath = ["db", "pool"]
 * ```
 * @since 0.1.0
 * @category models
 */
export type CategoryPath = CategoryPathData

/**
 * The default level and the level of each category prefix, as `log.levels()` gives them.
 *
 * @example
 * ```ts
 * import { createLogger, type Logger } from "fapilog"
 * const log = await createLogger({ categoryLevels: { "app.db": "debug" } })
 * const levels: Logger.Levels = log.levels() // { level: "info", categories: { "app.db": "debug" } }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Levels = LevelState

/**
 * Fields for one call, an Error that becomes the event's `error`, or a function returning
 * either ({@link LazyFields}).
 *
 * @example
 * ```ts
 * import type { Logger } from "fapilog"
 * const f: Logger.CallFields = new Error("boom")
 * const lazy: Logger.CallFields = () => ({ rows: 3 })
 * ```
 * @since 0.1.0
 * @category models
 */
export type CallFields = internal.CallFields

/**
 * Creates a logger with its own pipeline. Zero configuration writes JSON lines to stdout
 * at `info`. Rejects with a `ConfigError` for invalid settings (naming each bad field) or
 * a `SinkError` when a sink cannot be opened. When the app has `@opentelemetry/api`
 * installed, lines logged in an active span carry its `traceId` and `spanId`.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * const log = await createLogger({ sinks: [{ type: "file", path: "logs/app.log" }] })
 * log.info("ready", { port: 3000 })
 * await log.close()
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const createLogger: (settings?: Settings) => Promise<Logger> = internal.createLogger as (
  settings?: Settings
) => Promise<Logger>

/**
 * Runs `fn` with `fields` bound to every event logged inside it, including its asynchronous
 * continuations (AsyncLocalStorage). Nested scopes add to the outer fields; the innermost
 * value of a key wins.
 *
 * @example
 * ```ts
 * import { createLogger, withContext } from "fapilog"
 * const log = await createLogger()
 * await withContext({ requestId: "r-7" }, async () => {
 *   await Promise.resolve()
 *   log.info("handled") // carries requestId
 * })
 * ```
 * @since 0.1.0
 * @category context
 */
export const withContext: <R>(fields: Fields, fn: () => R) => R = internal.withContext

/**
 * Errors `createLogger` can reject with.
 *
 * @example
 * ```ts
 * import type { Logger } from "fapilog"
 * const isSetupError = (e: unknown): e is Logger.CreateError => e instanceof Error && "_tag" in e
 * ```
 * @since 0.1.0
 * @category errors
 */
export type CreateError = ConfigError | SinkError
