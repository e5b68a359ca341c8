/**
 * The settings of the Kafka sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "kafka", ... }` entry against, and what `Kafka.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"

/** `host:port`, a host name or an IPv4 address (IPv6 in brackets) and a port. */
const isBroker = (u: unknown): u is string => {
  if (typeof u !== "string") return false
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(u)
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65_535
}

const Brokers = Plugin.accepted(
  "KafkaBrokers",
  (u: unknown): u is ReadonlyArray<string> | string =>
    (Array.isArray(u) && u.length > 0 && u.every(isBroker)) ||
    (typeof u === "string" && u.split(",").every((b) => isBroker(b.trim()))),
  'bootstrap brokers as host:port, a non-empty list (["kafka-1:9092", "kafka-2:9092"]) or a comma-separated text',
  "The bootstrap brokers the client asks for the cluster's metadata."
)

/** Kafka's rule for a topic name: 1 to 249 of letters, digits, `.`, `_` and `-`, not `.` or `..`. */
const Topic = Plugin.accepted(
  "KafkaTopic",
  (u: unknown): u is string =>
    typeof u === "string" && /^[A-Za-z0-9._-]{1,249}$/.test(u) && u !== "." && u !== "..",
  'a topic name: 1 to 249 letters, digits, ".", "_" or "-" (not "." or "..")',
  "The topic every event is produced to."
)

const ClientId = Plugin.accepted(
  "KafkaClientId",
  (u: unknown): u is string => typeof u === "string" && /^[\x20-\x7e]{1,255}$/.test(u),
  "1 to 255 printable US-ASCII characters"
)

const KeyField = Plugin.accepted(
  "KafkaKeyField",
  (u: unknown): u is string | false => u === false || (typeof u === "string" && u.length > 0),
  "an event key (correlationId, traceId, spanId, logger, level, id or a field name), or false for no keys"
)

const Text = (what: string) =>
  Plugin.accepted(
    what,
    (u: unknown): u is string => typeof u === "string" && u.length > 0,
    "a non-empty text"
  )

/** TLS to the brokers: `true` (the system's CAs), or the options of a private CA or a client certificate. */
export interface TlsSettings {
  /** CA certificate(s): PEM text or the path of a PEM file. */
  readonly ca?: string | undefined
  /** Client certificate (with `key`): PEM text or a path. */
  readonly cert?: string | undefined
  /** Client key (with `cert`): PEM text or a path. */
  readonly key?: string | undefined
  /** Whether the brokers' certificates are verified (default true). */
  readonly rejectUnauthorized?: boolean | undefined
  /** The name checked in the brokers' certificates, when it is not the host connected to. */
  readonly servername?: string | undefined
}

const TLS_TEXT = ["ca", "cert", "key", "servername"]

const isTls = (u: unknown): u is boolean | TlsSettings => {
  if (typeof u === "boolean") return true
  if (u === null || typeof u !== "object" || Array.isArray(u)) return false
  return Object.entries(u).every(([k, v]) =>
    k === "rejectUnauthorized"
      ? typeof v === "boolean"
      : TLS_TEXT.includes(k) && typeof v === "string" && v.length > 0 && !v.includes("\0")
  )
}

const Tls = Plugin.accepted(
  "KafkaTls",
  isTls,
  "true, false, or { ca, cert, key (PEM text or paths of PEM files), rejectUnauthorized (true or false), servername }",
  "TLS to the brokers."
)

/** The compressions of @platformatic/kafka; zstd needs a Node with zlib's zstd (22.15 and later). */
export const compressions = ["none", "gzip", "snappy", "lz4", "zstd"] as const

/** One of {@link compressions}. */
export type Compression = (typeof compressions)[number]

/** SASL mechanisms passed to the client (GSSAPI needs a custom authenticator, so it is not offered). */
export const saslMechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"] as const

const fields = {
  brokers: Brokers,
  topic: Topic,
  clientId: Plugin.optional(ClientId),
  keyField: Plugin.optional(KeyField),
  compression: Plugin.optional(Plugin.oneOf(compressions)),
  sasl: Plugin.optional(
    Schema.Struct({
      mechanism: Plugin.oneOf(saslMechanisms),
      username: Plugin.optional(Text("SaslUsername")),
      password: Plugin.optional(Text("SaslPassword")),
      token: Plugin.optional(Text("SaslToken"))
    })
  ),
  tls: Plugin.optional(Tls),
  ...Network.deliveryFields,
  timeoutMs: Plugin.optional(
    Plugin.wholeNumber(
      1,
      3_600_000,
      "milliseconds",
      "Time limit of one delivery attempt (the client's connection and request timeouts are within it)."
    )
  )
}

/** The Kafka sink's config. */
export const Config = Schema.Struct(fields).pipe(
  Schema.filter((config) => {
    const sasl = config.sasl
    if (sasl !== undefined) {
      if (sasl.mechanism === "OAUTHBEARER" && sasl.token === undefined)
        return { path: ["sasl", "token"], message: "OAUTHBEARER needs a token" }
      if (sasl.mechanism !== "OAUTHBEARER" && (sasl.username === undefined || sasl.password === undefined))
        return { path: ["sasl"], message: `${sasl.mechanism} needs a username and a password` }
    }
    const tls = config.tls
    if (typeof tls === "object" && (tls.cert === undefined) !== (tls.key === undefined))
      return { path: ["tls"], message: "cert and key go together (a client certificate needs its key)" }
    return true
  })
)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded

/** The bootstrap brokers as a list. */
export const brokersOf = (config: Config): ReadonlyArray<string> =>
  typeof config.brokers === "string" ? config.brokers.split(",").map((b) => b.trim()) : config.brokers
