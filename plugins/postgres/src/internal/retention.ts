/**
 * Retention of daily partitions: whole partitions of past days are dropped (detached from
 * the table, then dropped, in one transaction each), oldest first, by age (`maxAge`: the
 * time since the end of the partition's day, its newest row's latest possible time) and by
 * the total size of the table's partitions (`maxTotalBytes`, measured with
 * `pg_total_relation_size`: rows, TOAST and indexes). The partition of the current UTC day,
 * those ahead of it, the default partition and any partition not named `<table>_YYYYMMDD`
 * are never dropped (the others still count in the total).
 *
 * A run holds a session advisory lock of its own for the table (`pg_try_advisory_lock`):
 * a process that finds it taken skips its run, so two processes never drop, nor report, the
 * same partition; each drop is reported once committed.
 */
import type pg from "pg"
import { quote, type TableOptions } from "./table.js"

/** The retention settings in numbers. */
export interface RetentionOptions {
  readonly maxAgeMs?: number | undefined
  readonly maxTotalBytes?: number | undefined
}

/** A partition of the table as the catalog lists it. */
export interface Partition {
  readonly schema: string
  readonly name: string
  /** `pg_total_relation_size`: its rows, TOAST and indexes. */
  readonly bytes: number
}

/** A partition retention drops, and why. */
export interface Drop {
  readonly partition: Partition
  /** Its UTC day, `2026-11-05`. */
  readonly day: string
  /** The time since the end of its day, in ms. */
  readonly ageMs: number
  /** The first policy it broke. */
  readonly policy: "maxAge" | "maxTotalBytes"
}

const DAY_MS = 86_400_000

/** The UTC day of a daily partition's name (`<table>_20261105`), or undefined for any other name. */
export const dayOf = (table: string, name: string): string | undefined => {
  if (!name.startsWith(`${table}_`)) return undefined
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(name.slice(table.length + 1))
  if (m === null) return undefined
  const day = `${m[1]}-${m[2]}-${m[3]}`
  const time = Date.parse(`${day}T00:00:00.000Z`)
  // a name such as _20261399 is not a day
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day ? undefined : day
}

/**
 * The partitions to drop, oldest first: each past day's partition older than `maxAgeMs`,
 * then the oldest past ones while all partitions together total more than `maxTotalBytes`.
 */
export const plan = (
  partitions: ReadonlyArray<Partition>,
  table: string,
  now: number,
  options: RetentionOptions
): Array<Drop> => {
  const today = new Date(now).toISOString().slice(0, 10)
  let total = partitions.reduce((n, p) => n + p.bytes, 0)
  const past = partitions
    .map((partition) => ({ partition, day: dayOf(table, partition.name) }))
    .filter((p): p is { partition: Partition; day: string } => p.day !== undefined && p.day < today)
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
  const drops: Array<Drop> = []
  for (const { partition, day } of past) {
    const ageMs = now - (Date.parse(`${day}T00:00:00.000Z`) + DAY_MS)
    const policy =
      options.maxAgeMs !== undefined && ageMs > options.maxAgeMs
        ? "maxAge"
        : options.maxTotalBytes !== undefined && total > options.maxTotalBytes
          ? "maxTotalBytes"
          : undefined
    // the next ones are younger, and the total only shrinks: none of them breaks a policy
    if (policy === undefined) break
    drops.push({ partition, day, ageMs, policy })
    total -= partition.bytes
  }
  return drops
}

/** How often retention runs after the start: hourly, or every `maxAge` when shorter (at least a second). */
export const checkEveryMs = (options: RetentionOptions): number =>
  Math.max(1000, Math.min(3_600_000, options.maxAgeMs ?? 3_600_000))

const listPartitions = `SELECT cn.nspname AS schema, c.relname AS name, pg_total_relation_size(c.oid) AS bytes
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  JOIN pg_namespace cn ON cn.oid = c.relnamespace
  JOIN pg_class p ON p.oid = i.inhparent
  JOIN pg_namespace pn ON pn.oid = p.relnamespace
  WHERE pn.nspname = $1 AND p.relname = $2`

/**
 * One retention run on a pooled connection: under the table's retention lock (skipped when
 * another process holds it), each partition of {@link plan} detached and dropped in a
 * transaction of its own, then `dropped` told of it.
 */
export const applyRetention = async (
  pool: pg.Pool,
  table: TableOptions,
  options: RetentionOptions,
  now: () => number,
  dropped: (drop: Drop) => void
): Promise<void> => {
  const client = await pool.connect()
  let broken: Error | undefined
  const lock = `fapilog-retention:${table.schema}.${table.table}`
  try {
    const { rows } = await client.query("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [lock])
    if (rows[0]?.locked !== true) return
    try {
      const listed = await client.query(listPartitions, [table.schema, table.table])
      const partitions = listed.rows.map((r: { schema: string; name: string; bytes: string | number }) => ({
        schema: r.schema,
        name: r.name,
        bytes: Number(r.bytes)
      }))
      for (const drop of plan(partitions, table.table, now(), options)) {
        const name = `${quote(drop.partition.schema)}.${quote(drop.partition.name)}`
        await client.query("BEGIN")
        try {
          // dropped meanwhile by someone else (by hand): nothing to do, nothing to report
          const present = await client.query(
            `SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
            [drop.partition.schema, drop.partition.name]
          )
          if (present.rows.length === 0) {
            await client.query("ROLLBACK")
            continue
          }
          await client.query(
            `ALTER TABLE ${quote(table.schema)}.${quote(table.table)} DETACH PARTITION ${name}`
          )
          await client.query(`DROP TABLE IF EXISTS ${name}`)
          await client.query("COMMIT")
        } catch (e) {
          await client.query("ROLLBACK").catch(() => {})
          throw e
        }
        dropped(drop)
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [lock]).catch(() => {})
    }
  } catch (e) {
    broken = e instanceof Error ? e : new Error(String(e))
    throw e
  } finally {
    client.release(broken)
  }
}
