/**
 * The settings of the audit sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "audit", ... }` entry against, and what `Audit.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Plugin } from "fapilog"
import { IDENTIFIER, isConnectionString } from "../../../postgres/src/internal/config.js"
import { KEY_ACCEPTED, keyBytes } from "./key.js"

const isPath = (u: unknown): u is string => typeof u === "string" && u.length > 0 && !u.includes("\u0000")

const Identifier = (what: string, max: number) =>
  Plugin.accepted(
    what,
    (u: unknown): u is string => typeof u === "string" && IDENTIFIER.test(u) && u.length <= max,
    `a name of letters, digits and _ (not starting with a digit, at most ${max} characters)`
  )

const PostgresStorage = Schema.Struct({
  connectionString: Plugin.accepted(
    "ConnectionString",
    isConnectionString,
    "a postgres:// or postgresql:// connection URL"
  ),
  // 8 characters are left for the partition suffix (_s000001) and _manifests
  table: Plugin.optional(Identifier("Table", 50)),
  schema: Plugin.optional(Identifier("SchemaName", 63))
})

const Retention = Schema.Struct({
  maxAge: Plugin.optional(Plugin.age("Sealed segments sealed longer ago than this are removed.")),
  // the first name of maxAge, kept: milliseconds only
  maxAgeMs: Plugin.optional(
    Plugin.wholeNumber(
      1000,
      100 * 365 * 86_400_000,
      "milliseconds",
      "The same as maxAge, in milliseconds only (give one of the two)."
    )
  ),
  maxTotalBytes: Plugin.optional(
    Plugin.size("The oldest sealed segments are removed while all segments together hold more than this.")
  )
})

const fields = {
  path: Plugin.optional(Plugin.accepted("TrailDirectory", isPath, "a directory path (created when missing)")),
  postgres: Plugin.optional(PostgresStorage),
  key: Plugin.accepted("AuditKey", (u: unknown): u is string => keyBytes(u) !== undefined, KEY_ACCEPTED),
  fsync: Plugin.optional(Plugin.oneOf(["batch", "record", "none"])),
  segmentMaxBytes: Plugin.optional(
    Plugin.wholeNumber(1024, Number.MAX_SAFE_INTEGER, "bytes", "A segment is sealed once it holds this much.")
  ),
  segmentMaxAgeMs: Plugin.optional(
    Plugin.wholeNumber(1000, 366 * 86_400_000, "milliseconds", "A segment is sealed once it is this old.")
  ),
  retention: Plugin.optional(Retention)
}

/** The problem of a retention setting, if it has one: two ages, or no policy at all. */
const retentionIssue = (r: typeof Retention.Type): string | undefined => {
  if (r.maxAge !== undefined && r.maxAgeMs !== undefined)
    return `gives both maxAge (${JSON.stringify(r.maxAge)}) and maxAgeMs (${r.maxAgeMs}), its alias in milliseconds: give one`
  if (r.maxAge === undefined && r.maxAgeMs === undefined && r.maxTotalBytes === undefined)
    return 'has no policy: give maxAge (such as "400d"), maxTotalBytes (such as "10 GB"), or both'
  return undefined
}

/**
 * The audit sink's config: exactly one storage, `path` or `postgres`; retention, when given,
 * with at least one policy and one age (`maxAge` or its alias `maxAgeMs`).
 */
export const Config = Schema.Struct(fields).pipe(
  Schema.filter((c) => {
    if ((c.path === undefined) === (c.postgres === undefined))
      return {
        path: ["path"],
        message:
          c.path === undefined
            ? "no storage: give path (a directory for the trail's files) or postgres ({ connectionString, table?, schema? })"
            : "both path and postgres: give one storage"
      }
    const retention = c.retention === undefined ? undefined : retentionIssue(c.retention)
    return retention === undefined ? undefined : { path: ["retention"], message: retention }
  })
)

/** The retention limits of a decoded config, in milliseconds and bytes (undefined: no such limit). */
export const retentionLimits = (
  c: Config
): { readonly maxAgeMs: number | undefined; readonly maxTotalBytes: number | undefined } => {
  const age = c.retention?.maxAge ?? c.retention?.maxAgeMs
  const total = c.retention?.maxTotalBytes
  return {
    maxAgeMs: age === undefined ? undefined : Plugin.parseAge(age),
    maxTotalBytes: total === undefined ? undefined : Plugin.parseBytes(total)
  }
}

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded
