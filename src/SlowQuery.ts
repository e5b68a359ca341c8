/**
 * Slow-query logging: statements slower than a threshold logged with their duration, a
 * fingerprint (the statement with its literals replaced), the row count and the parameters,
 * which the logger's redaction settings cover like any field (docs/sql.md).
 *
 * This module holds what every database driver shares: the fingerprint and a
 * {@link recorder} that logs through a Promise-side logger. The ready hooks are
 * `Sql.layerSlowQueries` in `fapilog/sql` (for `@effect/sql` clients) and `slowQueries` in
 * `@fapilog/postgres` (for `pg`'s `Pool` and `Client`).
 *
 * @example
 * ```ts
 * import { createLogger, SlowQuery } from "fapilog"
 *
 * const log = await createLogger({ redact: { keys: ["password"] } })
 * const slow = SlowQuery.recorder(log, { thresholdMs: 200 })
 * const started = performance.now()
 * const rows = await myDriver.run("SELECT * FROM users WHERE email = $1", ["a@example.com"])
 * slow.record({
 *   sql: "SELECT * FROM users WHERE email = $1",
 *   params: ["a@example.com"],
 *   durationMs: performance.now() - started,
 *   rows: rows.length
 * })
 * ```
 * @since 0.1.0
 */
import type { Logger } from "./internal/facade.js"
import * as internal from "./internal/slowQuery.js"
import * as fingerprints from "./internal/sqlFingerprint.js"

/**
 * The options of slow-query logging, each with a default:
 *
 * - `thresholdMs` (500): a statement taking at least this long is logged; 0 logs every one.
 * - `level` (`"warn"`): the level of the events.
 * - `category` (`"db.slow-query"`): the sub-category, below the logger's, the events are
 *   logged in (`app.db.slow-query` for the root logger).
 * - `params` (true): log the parameters (under `params`, through the redaction settings).
 * - `maxParams` (100): at most this many parameters; the rest are counted in `paramsOmitted`.
 * - `maxFingerprintLength` (2048): longer fingerprints are cut and end with `…`.
 *
 * @example
 * ```ts
 * import type { SlowQuery } from "fapilog"
 * const options: SlowQuery.Options = { thresholdMs: 250, level: "info", params: false }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Options = internal.SlowQueryOptions

/**
 * The options with their defaults filled in.
 *
 * @example
 * ```ts
 * import { SlowQuery } from "fapilog"
 * const threshold: SlowQuery.Resolved["thresholdMs"] = SlowQuery.defaults.thresholdMs // 500
 * ```
 * @since 0.1.0
 * @category models
 */
export type Resolved = internal.ResolvedSlowQuery

/**
 * The default options: 500 ms, `"warn"`, `"db.slow-query"`, parameters logged (at most 100),
 * fingerprints cut at 2048 characters.
 *
 * @example
 * ```ts
 * import { SlowQuery } from "fapilog"
 * console.log(SlowQuery.defaults.thresholdMs) // 500
 * ```
 * @since 0.1.0
 * @category constants
 */
export const defaults: Resolved = internal.defaults

/**
 * One statement as a driver ran it: its text, parameters, duration in milliseconds, row count
 * and, when it failed, why.
 *
 * @example
 * ```ts
 * import type { SlowQuery } from "fapilog"
 * const q: SlowQuery.Observation = { sql: "SELECT pg_sleep($1)", params: [0.5], durationMs: 503.2, rows: 1 }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Observation = internal.QueryObservation

/**
 * What {@link recorder} returns: the options in force and `record`, which logs an observation
 * when it was slow (and says whether it did). `record` never throws.
 *
 * @example
 * ```ts
 * import { createLogger, SlowQuery } from "fapilog"
 * const slow: SlowQuery.Recorder = SlowQuery.recorder(await createLogger())
 * slow.record({ sql: "SELECT 1", durationMs: 12 }) // false: below 500 ms
 * ```
 * @since 0.1.0
 * @category models
 */
export type Recorder = internal.SlowQueryRecorder

/**
 * The fingerprint of a statement: literals (strings, numbers, dollar-quoted bodies) and
 * placeholders replaced by `?`, comments stripped, whitespace normalised and unquoted words in
 * lower case, `IN (...)` lists collapsed to `in (?)` and the repeated rows of a `VALUES` list
 * to one. It reads the statement once, in linear time, and stops at `maxLength` characters
 * (default 2048; a cut fingerprint ends with `…`). Never throws; a non-string gives `""`.
 *
 * @example
 * ```ts
 * import { SlowQuery } from "fapilog"
 * SlowQuery.fingerprint("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'x' -- find")
 * // "select * from t where id in (?) and name = ?"
 * ```
 * @since 0.1.0
 * @category fingerprints
 */
export const fingerprint: (sql: string, maxLength?: number) => string = fingerprints.fingerprint

/**
 * A recorder logging slow statements through `logger` (from `createLogger`), in the
 * sub-category `options.category` of the logger's, at `options.level`. Throws a ConfigError
 * naming each bad option.
 *
 * @example
 * ```ts
 * import { createLogger, SlowQuery } from "fapilog"
 * const slow = SlowQuery.recorder(await createLogger(), { thresholdMs: 100 })
 * slow.record({ sql: "UPDATE jobs SET state = $1 WHERE id = $2", params: ["done", 7], durationMs: 180, rows: 1 })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const recorder: (logger: Logger, options?: Options) => Recorder = internal.recorder
