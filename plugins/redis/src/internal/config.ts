/**
 * The settings of the Redis Streams sink as an `effect/Schema`: what the plugin loader
 * validates a `{ type: "redis", ... }` entry against, and what `Redis.sink` checks before
 * opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"

const isRedisUrl = (u: unknown): u is string => {
  if (typeof u !== "string") return false
  try {
    const url = new URL(u)
    return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname.length > 0
  } catch {
    return false
  }
}

const Path = Plugin.accepted(
  "FilePath",
  (u: unknown): u is string => typeof u === "string" && u.length > 0 && !u.includes("\0"),
  "a file path"
)

const Bool = Plugin.accepted("Boolean", (u): u is boolean => typeof u === "boolean", "true or false")

const fields = {
  url: Plugin.accepted(
    "RedisUrl",
    isRedisUrl,
    "a redis:// or rediss:// (TLS) URL, e.g. redis://127.0.0.1:6379/0",
    "The Redis server (and database) to connect to."
  ),
  stream: Plugin.accepted(
    "StreamKey",
    (u: unknown): u is string => typeof u === "string" && u.length > 0 && u.length <= 512,
    "a stream key of 1 to 512 characters",
    "The key of the stream every event is added to."
  ),
  maxLen: Plugin.optional(
    Plugin.wholeNumber(
      1,
      Number.MAX_SAFE_INTEGER,
      "entries",
      "About how many entries the stream keeps (MAXLEN ~): older ones are trimmed."
    )
  ),
  dedupe: Plugin.optional(Plugin.oneOf(["batch", "none"])),
  dedupeWindowMs: Plugin.optional(
    Plugin.wholeNumber(
      1000,
      2_592_000_000,
      "milliseconds",
      "How long a delivered batch is remembered, so that its retry or replay is not added again."
    )
  ),
  username: Plugin.optional(
    Plugin.accepted(
      "RedisUser",
      (u): u is string => typeof u === "string" && u.length > 0,
      "a non-empty string"
    )
  ),
  password: Plugin.optional(
    Plugin.accepted(
      "RedisPassword",
      (u): u is string => typeof u === "string" && u.length > 0,
      "a non-empty string"
    )
  ),
  tls: Plugin.optional(
    Schema.Struct({
      caFile: Plugin.optional(Path),
      certFile: Plugin.optional(Path),
      keyFile: Plugin.optional(Path),
      rejectUnauthorized: Plugin.optional(Bool)
    })
  ),
  ...Network.deliveryFields,
  timeoutMs: Plugin.optional(
    Plugin.wholeNumber(
      1,
      3_600_000,
      "milliseconds",
      "Time limit of a connection attempt and of one batch's commands."
    )
  )
}

/** The Redis Streams sink's config. */
export const Config = Schema.Struct(fields).pipe(
  Schema.filter((config) => {
    if (config.tls !== undefined && new URL(config.url).protocol !== "rediss:")
      return { path: ["tls"], message: "tls options are only read with a rediss:// url" }
    if ((config.tls?.certFile === undefined) !== (config.tls?.keyFile === undefined))
      return {
        path: ["tls"],
        message: "certFile and keyFile go together (a client certificate needs its key)"
      }
    if (config.dedupe === "none" && config.dedupeWindowMs !== undefined)
      return { path: ["dedupeWindowMs"], message: 'dedupeWindowMs applies to dedupe: "batch"' }
    return true
  })
)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded
