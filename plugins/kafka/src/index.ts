/**
 * `@fapilog/kafka`: a fapilog sink producing events to an Apache Kafka topic as an idempotent
 * producer (its producer id, metadata and connections from `@platformatic/kafka`, its record
 * batches written by the sink): acks=all, one request in flight, batches by
 * count, bytes and linger time, compression (gzip, snappy, lz4, zstd), message keys from a
 * chosen event key (the correlation id by default, so one request's events stay in order in
 * one partition), SASL and TLS. Delivery (retries, breaker, spool, drain) is fapilog's
 * network foundation; resends carry the same producer id and sequence numbers, so the broker
 * writes each batch once.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/kafka" // the types of its entry
 *
 * const log = await createLogger({
 *   sinks: [{ type: "kafka", brokers: ["kafka-1:9092", "kafka-2:9092"], topic: "app-logs" }]
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

/**
 * The settings of the Kafka sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Kafka from "@fapilog/kafka"
 * const compression: Kafka.Config["compression"] = "gzip"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the Kafka sink as written (defaults in the README):
 *
 * - `brokers` (required): bootstrap brokers, `["kafka-1:9092"]` or `"kafka-1:9092,kafka-2:9092"`.
 * - `topic` (required): the topic every event goes to (it must exist).
 * - `keyField` (`"correlationId"`): the event key whose value is the message key; `false` for
 *   none (each request's keyless events then go to one partition).
 * - `compression` (`"none"`): `"gzip"`, `"snappy"`, `"lz4"` or `"zstd"` (zstd on Node 22.15+).
 * - `clientId` (`"fapilog"`), `sasl` (`{ mechanism, username, password }` or `{ mechanism:
 *   "OAUTHBEARER", token }`), `tls` (`true`, or `{ ca, cert, key, rejectUnauthorized, servername }`).
 * - `batch` (`maxBytes`: 1,000,000; `maxWaitMs` is the linger time), `timeoutMs`, `retry`,
 *   `capacity`, `circuitBreaker`, `spool`, `drainTimeoutMs`: delivery.
 *
 * @example
 * ```ts
 * import type * as Kafka from "@fapilog/kafka"
 * const settings: Kafka.ConfigInput = {
 *   brokers: ["kafka-1:9093"],
 *   topic: "app-logs",
 *   compression: "gzip",
 *   sasl: { mechanism: "SCRAM-SHA-512", username: "app", password: "secret" },
 *   tls: true,
 *   batch: { maxBytes: 262_144, maxWaitMs: 50 }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "kafka", ...ConfigInput }` is a `sinks` entry (a Kafka topic). */
  interface PluginSinks {
    kafka: ConfigInput
  }
}

/**
 * The plugin object: what fapilog loads for `{ type: "kafka" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as kafka } from "@fapilog/kafka"
 *
 * const log = await createLogger({
 *   plugins: { use: [kafka] },
 *   sinks: [{ type: "kafka", brokers: ["localhost:9092"], topic: "app-logs" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/kafka",
  type: "kafka",
  version: "0.1.0",
  apiVersion: "1.0",
  description:
    "Apache Kafka topic: idempotent producer (acks=all), batching by bytes and linger, compression, keys from a chosen field, SASL and TLS",
  keywords: ["kafka", "apache-kafka", "streaming"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The Kafka sink from code: checks the settings (a `ConfigError` naming each bad field) and
 * opens the sink in the logger's scope, like `{ type: "kafka", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Kafka from "@fapilog/kafka"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Kafka.sink({ brokers: ["localhost:9092"], topic: "app-logs", compression: "gzip" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
