import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, type LogEvent, Network, Plugin } from "fapilog"
import pg from "pg"
import { decodingTransport } from "../../../shared/src/transportFailure.js"
import type { Config } from "./config.js"
import { applyRetention, checkEveryMs, type Drop, type RetentionOptions } from "./retention.js"
import { type Batch, decodeBatch, encodeBatch } from "./rows.js"
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

const describe = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code
  const message = e instanceof Error ? e.message : String(e)
  return typeof code === "string" ? `${message} (SQLSTATE ${code})` : message
}

/**
 * Opens the PostgreSQL sink on the network foundation: a bounded pool as its transport (the
 * table migrated before the first insert), rows encoded once per request with their ids.
 */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> =>
  Effect.gen(function* () {
    const table: TableOptions = {
      schema: config.schema ?? defaults.schema,
      table: config.table ?? defaults.table,
      partitioning: config.partitioning ?? defaults.partitioning
    }
    const ahead = config.partitionsAhead ?? defaults.partitionsAhead
    const timeoutMs = config.timeoutMs ?? defaults.timeoutMs
    const pool = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new pg.Pool({
            connectionString: config.connectionString,
            max: config.poolSize ?? defaults.poolSize,
            connectionTimeoutMillis: timeoutMs,
            statement_timeout: timeoutMs,
            idleTimeoutMillis: 30_000
          })
      ),
      (pool) =>
        Effect.tryPromise(() => pool.end()).pipe(
          Effect.timeoutOption(1000),
          Effect.catchAll((e) => Effect.sync(() => context.report("close failed", e)))
        )
    )
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

    /** One insert of a request's rows, on a pooled connection (not given back when it failed). */
    const insertBatch = async (batch: Batch) => {
      const client = await pool.connect()
      let broken: Error | undefined
      try {
        if (!migrated) await migrate(client)
        if (table.partitioning === "daily") await ensurePartitions(client, new Set(batch.days))
        await client.query(sql, [batch.rows])
      } catch (e) {
        if (!isPermanent(e)) broken = e instanceof Error ? e : new Error(String(e))
        throw e
      } finally {
        client.release(broken)
      }
    }

    if (config.retention !== undefined && table.partitioning === "daily") {
      const options: RetentionOptions = {
        maxAgeMs:
          config.retention.maxAge === undefined ? undefined : Plugin.parseAge(config.retention.maxAge),
        maxTotalBytes:
          config.retention.maxTotalBytes === undefined
            ? undefined
            : Plugin.parseBytes(config.retention.maxTotalBytes)
      }
      const sinkName = nameOf(config)
      const dropped = (drop: Drop) => {
        // late events of that day create its partition again (and the next run drops it)
        partitions.delete(drop.day)
        const name = `${drop.partition.schema}.${drop.partition.name}`
        if (context.reportDeletion === undefined) {
          context.report(`retention dropped the partition ${name} (${drop.policy})`)
          return
        }
        context.reportDeletion({
          sink: sinkName,
          kind: "partition",
          name,
          bytes: drop.partition.bytes,
          ageMs: drop.ageMs,
          policy: drop.policy,
          fields: { table: `${table.schema}.${table.table}`, day: drop.day }
        })
      }
      let running: Promise<void> | undefined
      const run = () => {
        if (running !== undefined) return
        running = applyRetention(pool, table, options, Date.now, dropped)
          .catch((e) => context.report("retention failed; it runs again at its next check", e))
          .finally(() => {
            running = undefined
          })
      }
      // at start (in the background: a database that is down delays it), then on a timer that
      // never keeps the process alive; a run under way finishes before the pool closes
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          run()
          const timer = setInterval(run, checkEveryMs(options))
          timer.unref()
          return timer
        }),
        (timer) =>
          Effect.suspend(() => {
            clearInterval(timer)
            const last = running
            return last === undefined
              ? Effect.void
              : Effect.promise(() => last).pipe(Effect.timeoutOption(timeoutMs), Effect.asVoid)
          })
      )
    }

    const transport = decodingTransport({ decode: decodeBatch, send: insertBatch, isPermanent, describe })
    return yield* Network.make({
      ...Network.optionsFromConfig(config),
      name: nameOf(config),
      transport,
      encode: (events: ReadonlyArray<LogEvent.LogEvent>) => ({
        body: encodeBatch(events),
        contentType: "application/json"
      }),
      report: context.report
    })
  })
