/**
 * The settings of the NATS sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "nats", ... }` entry against, and what `Nats.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"

const isServer = (u: unknown): u is string => {
  if (typeof u !== "string" || u.length === 0) return false
  try {
    const url = new URL(u)
    return (url.protocol === "nats:" || url.protocol === "tls:") && url.hostname.length > 0
  } catch {
    return false
  }
}

const Servers = Plugin.accepted(
  "NatsServers",
  (u: unknown): u is string | ReadonlyArray<string> =>
    isServer(u) || (Array.isArray(u) && u.length > 0 && u.length <= 100 && u.every(isServer)),
  "a nats:// or tls:// server URL, or a list of 1 to 100 of them",
  "The NATS servers (a cluster's seed list); the client reconnects to any of them."
)

/** A subject to publish on: dot-separated tokens, no wildcards, no whitespace (at most 255 characters). */
export const isSubject = (u: unknown): u is string =>
  typeof u === "string" && u.length <= 255 && /^[^\s.*>]+(\.[^\s.*>]+)*$/.test(u)

/** A stream name: no whitespace, `.`, `*`, `>`, `/` or `\` (at most 255 characters). */
export const isStreamName = (u: unknown): u is string =>
  typeof u === "string" && u.length <= 255 && /^[^\s.*>/\\]+$/.test(u)

const Path = Plugin.accepted(
  "FilePath",
  (u: unknown): u is string => typeof u === "string" && u.length > 0 && !u.includes("\0"),
  "a file path"
)

const Secret = (what: string) =>
  Plugin.accepted(
    what,
    (u: unknown): u is string => typeof u === "string" && u.length > 0,
    "a non-empty string"
  )

const Bool = Plugin.accepted("Boolean", (u): u is boolean => typeof u === "boolean", "true or false")

const fields = {
  servers: Servers,
  subject: Plugin.accepted(
    "NatsSubject",
    isSubject,
    "a NATS subject: dot-separated tokens without wildcards (* or >) or whitespace, e.g. logs.app",
    "The subject every event is published on."
  ),
  stream: Plugin.optional(
    Plugin.accepted(
      "StreamName",
      isStreamName,
      "a JetStream stream name without whitespace, '.', '*', '>', '/' or '\\'",
      "The stream that must capture the subject: created when missing, checked when present."
    )
  ),
  createStream: Plugin.optional(Bool),
  storage: Plugin.optional(Plugin.oneOf(["file", "memory"])),
  duplicateWindowMs: Plugin.optional(
    Plugin.wholeNumber(
      1000,
      604_800_000,
      "milliseconds",
      "The de-duplication window of a stream the sink creates."
    )
  ),
  token: Plugin.optional(Secret("NatsToken")),
  user: Plugin.optional(Secret("NatsUser")),
  password: Plugin.optional(Secret("NatsPassword")),
  credentialsFile: Plugin.optional(Path),
  tls: Plugin.optional(
    Schema.Struct({
      caFile: Plugin.optional(Path),
      certFile: Plugin.optional(Path),
      keyFile: Plugin.optional(Path),
      handshakeFirst: Plugin.optional(Bool)
    })
  ),
  connectionName: Plugin.optional(Secret("ConnectionName")),
  ...Network.deliveryFields,
  timeoutMs: Plugin.optional(
    Plugin.wholeNumber(
      1,
      3_600_000,
      "milliseconds",
      "Time limit of a connection attempt and of one batch's acknowledgements."
    )
  )
}

/** The NATS sink's config. */
export const Config = Schema.Struct(fields).pipe(
  Schema.filter((config) => {
    const auth = [
      config.token !== undefined,
      config.user !== undefined || config.password !== undefined,
      config.credentialsFile !== undefined
    ].filter(Boolean).length
    if (auth > 1)
      return {
        path: ["token"],
        message: "give one way to authenticate: token, user and password, or credentialsFile"
      }
    if ((config.user === undefined) !== (config.password === undefined))
      return { path: ["user"], message: "user and password go together" }
    if ((config.tls?.certFile === undefined) !== (config.tls?.keyFile === undefined))
      return {
        path: ["tls"],
        message: "certFile and keyFile go together (a client certificate needs its key)"
      }
    if (
      config.stream === undefined &&
      (config.createStream !== undefined ||
        config.storage !== undefined ||
        config.duplicateWindowMs !== undefined)
    )
      return {
        path: ["stream"],
        message: "createStream, storage and duplicateWindowMs apply to a stream: name it"
      }
    return true
  })
)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded
