import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Errors, LogEvent, Plugin, Sink } from "fapilog"
import pg from "pg"
import { deliveryOptions } from "../../../shared/src/streamConfig.js"
import * as Delivery from "../../../shared/src/streamDelivery.js"
import type { Config } from "./config.js"
import { type Rows, rowsOf } from "./rows.js"
import { daysFrom, insert, migration, partitionOf, type TableOptions } from "./table.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  table: "fapilog_events",
  schema: "public",
  poolSize: 2,
  partitioning: "none" as const,
  partitionsAhead: 2,
  timeoutMs: 10_000
})

/**
 * PostgreSQL errors no retry fixes: data exceptions (class 22), constraint violations other
 * than the unique key ON CONFLICT absorbs (23), and syntax or access errors (42).
 */
export const isPermanent = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === "string" && /^(22|23|42)/.test(code)
}

/** The sink's name in diagnostics: the server and table, never the password. */
export const nameOf = (config: Config): string => {
  const url = new URL(config.connectionString)
  return `postgres://${url.host}${url.pathname}#${config.schema ?? defaults.schema}.${config.table ?? defaults.table}`
}

/** Opens the PostgreSQL sink: a bounded pool, the table migrated before the first insert. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Sink.Sink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const table: TableOptions = {
      schema: config.schema ?? defaults.schema,
      table: config.table ?? defaults.table,
      partitioning: config.partitioning ?? defaults.partitioning
    }
    const ahead = config.partitionsAhead ?? defaults.partitionsAhead
    const timeoutMs = config.timeoutMs ?? defaults.timeoutMs
    const pool = new pg.Pool({
      connectionString: config.connectionString,
      max: config.poolSize ?? defaults.poolSize,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
      idleTimeoutMillis: 30_000
    })
    // an idle connection the server closes (a restart) is an error event, not a crash
    pool.on("error", (e) => context.report("idle connection lost", e))
    const sql = insert(table)
    let migrated = false
    const partitions = new Set<string>()

    const migrate = async (client: pg.PoolClient) => {
      await client.query("BEGIN")
      try {
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
          `fapilog:${table.schema}.${table.table}`
        ])
        for (const statement of migration(table)) await client.query(statement)
        await client.query("COMMIT")
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {})
        throw e
      }
      migrated = true
    }

    /** The partitions of the batch's days that are near today (others go to the default one), and ahead. */
    const ensurePartitions = async (client: pg.PoolClient, days: ReadonlySet<string>) => {
      const today = new Date().toISOString().slice(0, 10)
      const window = new Set(daysFrom(daysFrom(today, 1)[0]!, ahead + 1))
      const first = new Date(`${today}T00:00:00Z`)
      first.setUTCDate(first.getUTCDate() - 7)
      for (const d of daysFrom(first.toISOString().slice(0, 10), 7)) window.add(d)
      const wanted = [...new Set([...daysFrom(today, ahead + 1), ...[...days].filter((d) => window.has(d))])]
      for (const day of wanted) {
        if (partitions.has(day)) continue
        try {
          await client.query(partitionOf(table, day))
        } catch (e) {
          // rows of that day already in the default partition: they stay there
          context.report(`cannot create the partition of ${day}; its events go to the default partition`, e)
        }
        partitions.add(day)
      }
    }

    const transport: Delivery.Transport<Rows> = {
      encode: (events: ReadonlyArray<LogEvent.LogEvent>) => rowsOf(events),
      send: async (rows) => {
        const client = await pool.connect()
        let broken: Error | undefined
        try {
          if (!migrated) await migrate(client)
          if (table.partitioning === "daily") await ensurePartitions(client, rows.days)
          await client.query(sql, [
            rows.id,
            rows.timestamp,
            rows.level,
            rows.logger,
            rows.message,
            rows.correlationId,
            rows.traceId,
            rows.spanId,
            rows.event
          ])
        } catch (e) {
          // a connection that failed is not given back to the pool for reuse
          if (!isPermanent(e)) broken = e instanceof Error ? e : new Error(String(e))
          throw e
        } finally {
          client.release(broken)
        }
      },
      permanent: isPermanent,
      close: () => pool.end()
    }
    return yield* Delivery.make(transport, {
      ...deliveryOptions(config),
      name: nameOf(config),
      report: context.report
    })
  })
