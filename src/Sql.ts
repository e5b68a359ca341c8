/**
 * `fapilog/sql`: slow-query logging for `@effect/sql` clients (`@effect/sql-pg`,
 * `@effect/sql-mysql2`, `@effect/sql-sqlite-node`...; on Effect 4, the clients of
 * `effect/sql`). Provide {@link layerSlowQueries} next to your client's layer and fapilog's:
 * every statement at or above the threshold is logged with its duration, fingerprint, row
 * count and parameters (docs/sql.md lists the fields). `@effect/sql` is an optional peer of
 * `fapilog`, needed only by this entry.
 *
 * @example
 * ```ts
 * import { PgClient } from "@effect/sql-pg"
 * import { SqlClient } from "@effect/sql"
 * import { Effect, Redacted } from "effect"
 * import { Fapilog } from "fapilog"
 * import * as Sql from "fapilog/sql"
 *
 * const program = Effect.gen(function* () {
 *   const sql = yield* SqlClient.SqlClient
 *   yield* sql`SELECT pg_sleep(1)`
 * })
 *
 * program.pipe(
 *   Effect.provide(Sql.layerSlowQueries({ thresholdMs: 250 })),
 *   Effect.provide(PgClient.layer({ url: Redacted.make("postgres://app@db/app") })),
 *   Effect.provide(Fapilog.layer({ redact: { keys: ["password"] } })),
 *   Effect.runPromise
 * )
 * ```
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import type { SlowQueryOptions } from "./internal/slowQuery.js"
import * as internal from "./internal/sqlEffect.js"

/**
 * The options of {@link layerSlowQueries}: `thresholdMs` (500), `level` (`"warn"`),
 * `category` (`"db.slow-query"`), `params` (true), `maxParams` (100),
 * `maxFingerprintLength` (2048); the same as `SlowQuery.Options` of the root entry.
 *
 * @example
 * ```ts
 * import type * as Sql from "fapilog/sql"
 * const options: Sql.Options = { thresholdMs: 100, level: "info" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Options = SlowQueryOptions

/**
 * Logs the statements of every `@effect/sql` client in its scope that take at least
 * `thresholdMs` (from just before the statement is compiled, connection wait included, until
 * its result or failure), as one event each in the sub-category `db.slow-query` of the
 * current one, at `warn`, with `durationMs`, `thresholdMs`, `fingerprint`, `rows` (the rows
 * returned, or the driver's row count for `.raw`), `params` (keyed by the column each is
 * bound to, else by `$n`: the redaction settings apply) and, for a failed statement,
 * `failed` and `error`. It is a statement transformer (`Statement.setTransformer`): one set
 * before it keeps running first. Throws a ConfigError naming each bad option.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Sql from "fapilog/sql"
 *
 * declare const queries: Effect.Effect<void>
 * const logged = queries.pipe(Effect.provide(Sql.layerSlowQueries({ thresholdMs: 200, level: "info" })))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerSlowQueries: (options?: Options) => Layer.Layer<never> = internal.layerSlowQueries
