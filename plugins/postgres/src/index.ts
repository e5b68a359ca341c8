/**
 * `@fapilog/postgres`: a fapilog sink writing events to a PostgreSQL table: the whole event
 * in a `jsonb` column plus extracted, indexed columns (timestamp, level, logger, message,
 * correlation, trace and span ids). One multi-row insert per batch, idempotent through the
 * event id (`ON CONFLICT DO NOTHING`), the table and indexes created or migrated on start,
 * optional daily partitions with retention by age and total size, a bounded connection
 * pool. It also exports {@link slowQueries}, slow-query logging for your own `pg` pool or
 * client.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/postgres" // the types of its entry
 *
 * const log = await createLogger({
 *   sinks: [{ type: "postgres", connectionString: "postgres://app:secret@db:5432/logs", table: "app_logs" }]
 * })
 * log.info("order placed", { orderId: 7 })
 * await log.close()
 * ```
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, Plugin, type Sink } from "fapilog"
import * as config from "./internal/config.js"
import * as internal from "./internal/sink.js"
import * as slow from "./internal/slowQueries.js"

/**
 * The settings of the PostgreSQL sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Postgres from "@fapilog/postgres"
 * const partitioning: Postgres.Config["partitioning"] = "daily"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the PostgreSQL sink as written (defaults in the README):
 *
 * - `connectionString` (required): `postgres://user:password@host:5432/database`.
 * - `table` (`fapilog_events`), `schema` (`public`), `poolSize` (2 connections at most).
 * - `partitioning`: `"none"` (default) or `"daily"` (range partitions by UTC day, created
 *   `partitionsAhead` days ahead, default 2, and a default partition for other days).
 * - `retention` (with daily partitions): `{ maxAge?, maxTotalBytes? }`, the file sink's
 *   policies and forms (`"30d"`, `"50 GB"`): past days' partitions dropped, oldest first,
 *   at start and hourly, each logged as an `audit` event of logger `fapilog.retention`.
 * - `timeoutMs`, `batch`, `retry`, `capacity`, `drainTimeoutMs`: delivery.
 *
 * @example
 * ```ts
 * import type * as Postgres from "@fapilog/postgres"
 * const settings: Postgres.ConfigInput = {
 *   connectionString: "postgres://app:secret@db:5432/logs",
 *   table: "app_logs",
 *   partitioning: "daily",
 *   retention: { maxAge: "90d", maxTotalBytes: "200 GB" },
 *   batch: { maxEvents: 2000 }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "postgres", ...ConfigInput }` is a `sinks` entry (a PostgreSQL table). */
  interface PluginSinks {
    postgres: ConfigInput
  }
}

/**
 * The plugin object: what fapilog loads for `{ type: "postgres" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as postgres } from "@fapilog/postgres"
 *
 * const log = await createLogger({
 *   plugins: { use: [postgres] },
 *   sinks: [{ type: "postgres", connectionString: "postgres://localhost/logs" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/postgres",
  type: "postgres",
  version: "0.1.0",
  apiVersion: "1.0",
  description:
    "PostgreSQL table: jsonb event plus indexed columns, idempotent batched inserts, daily partitions",
  keywords: ["postgres", "postgresql", "database"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The PostgreSQL sink from code: checks the settings (a `ConfigError` naming each bad field)
 * and opens the sink in the logger's scope, like `{ type: "postgres", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Postgres from "@fapilog/postgres"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Postgres.sink({ connectionString: "postgres://localhost/logs", table: "app_logs" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)

/**
 * The options of {@link slowQueries}: `logger` (required: the fapilog logger from
 * `createLogger` the events go through) and slow-query logging's options (`thresholdMs`,
 * default 500; `level`, default `"warn"`; `category`, default `"db.slow-query"`; `params`,
 * `maxParams`, `maxFingerprintLength`: see `SlowQuery.Options` in fapilog).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type * as Postgres from "@fapilog/postgres"
 * const options: Postgres.SlowQueriesOptions = { logger: await createLogger(), thresholdMs: 200 }
 * ```
 * @since 0.1.0
 * @category models
 */
export type SlowQueriesOptions = slow.SlowQueriesOptions

/**
 * Slow-query logging for `pg`: returns `pool` (a `Pool`, `Client` or `PoolClient`) with the
 * same API, whose statements taking at least `thresholdMs` (from the `query` call until its
 * result, pool wait included) are logged through `options.logger` in its sub-category
 * `db.slow-query`, at `warn`, with `durationMs`, `thresholdMs`, `fingerprint` (literals
 * replaced), `rows` (`pg`'s `rowCount`), `params` (keyed by the column each is bound to, else
 * by `$n`, so the logger's redaction settings apply) and, for a failed statement, `failed`
 * and `error`. A pool's checked-out clients (`connect`) are wrapped too. Throws a ConfigError
 * naming each bad option.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { slowQueries } from "@fapilog/postgres"
 * import pg from "pg"
 *
 * const log = await createLogger({ redact: { keys: ["password"] } })
 * const pool = slowQueries(new pg.Pool({ connectionString: process.env.DATABASE_URL }), {
 *   logger: log,
 *   thresholdMs: 200
 * })
 * await pool.query("SELECT pg_sleep(0.3)") // logged: app.db.slow-query, durationMs ≈ 300
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const slowQueries: <T extends Queryable>(pool: T, options: SlowQueriesOptions) => T = slow.slowQueries

/**
 * What {@link slowQueries} wraps: any object with a `query` method, such as `pg`'s `Pool`,
 * `Client` and `PoolClient`.
 *
 * @example
 * ```ts
 * import type * as Postgres from "@fapilog/postgres"
 * import pg from "pg"
 * const pool: Postgres.Queryable = new pg.Pool()
 * ```
 * @since 0.1.0
 * @category models
 */
export type Queryable = slow.Queryable
