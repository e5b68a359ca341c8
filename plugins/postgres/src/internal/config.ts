/**
 * The settings of the PostgreSQL sink as an `effect/Schema`: what the plugin loader validates
 * a `{ type: "postgres", ... }` entry against, and what `Postgres.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"

export const isConnectionString = (u: unknown): u is string => {
  if (typeof u !== "string") return false
  try {
    const url = new URL(u)
    return url.protocol === "postgres:" || url.protocol === "postgresql:"
  } catch {
    return false
  }
}

/** A plain identifier: quoted when used, so only letters, digits and _ (at most 63, PostgreSQL's limit). */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

const Identifier = (what: string, max: number) =>
  Plugin.accepted(
    what,
    (u: unknown): u is string => typeof u === "string" && IDENTIFIER.test(u) && u.length <= max,
    `a name of letters, digits and _ (not starting with a digit, at most ${max} characters)`
  )

const fields = {
  ...Network.deliveryFields,
  connectionString: Plugin.accepted(
    "ConnectionString",
    isConnectionString,
    "a postgres:// or postgresql:// connection URL",
    "Where to connect, e.g. postgres://app:secret@db:5432/logs?sslmode=require"
  ),
  // 9 characters are left for the partition suffix (_YYYYMMDD)
  table: Plugin.optional(Identifier("Table", 54)),
  schema: Plugin.optional(Identifier("SchemaName", 63)),
  poolSize: Plugin.optional(Plugin.wholeNumber(1, 100, "connections", "Most connections the sink opens.")),
  partitioning: Plugin.optional(Plugin.oneOf(["none", "daily"])),
  partitionsAhead: Plugin.optional(
    Plugin.wholeNumber(0, 60, "days", "Daily partitions created ahead of today.")
  ),
  retention: Plugin.optional(
    Schema.Struct({
      maxAge: Plugin.optional(
        Plugin.age("Daily partitions whose day ended longer ago than this are dropped.")
      ),
      maxTotalBytes: Plugin.optional(
        Plugin.size(
          "The oldest daily partitions are dropped until the table's partitions total at most this."
        )
      )
    })
  ),
  timeoutMs: Plugin.optional(
    Plugin.wholeNumber(
      1,
      3_600_000,
      "milliseconds",
      "Time limit of a connection attempt and of one statement."
    )
  )
}

/**
 * The PostgreSQL sink's config. Retention drops daily partitions: it needs
 * `partitioning: "daily"`, and at least one of its policies.
 */
export const Config = Schema.Struct(fields).pipe(
  Schema.filter((c) => {
    if (c.retention === undefined) return undefined
    if (c.partitioning !== "daily")
      return {
        path: ["retention"],
        message: `drops daily partitions: it needs partitioning "daily" (partitioning is ${JSON.stringify(c.partitioning ?? "none")}; accepted: "daily")`
      }
    if (c.retention.maxAge === undefined && c.retention.maxTotalBytes === undefined)
      return {
        path: ["retention"],
        message: 'has no policy: give maxAge (such as "30d"), maxTotalBytes (such as "50 GB"), or both'
      }
    return undefined
  })
)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded
