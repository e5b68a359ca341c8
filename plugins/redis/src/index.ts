/**
 * `@fapilog/redis`: a fapilog sink adding each event to a Redis stream (`XADD` with
 * `MAXLEN ~`, approximate trimming), one round trip per batch. By default a batch is one
 * server-side script that adds it only if it has not been added before (a key made of its
 * event ids, remembered for a day), so retries, reconnects, server restarts and spool
 * replays add every event once.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/redis" // the types of its entry
 *
 * const log = await createLogger({
 *   sinks: [{ type: "redis", url: "redis://cache:6379/0", stream: "logs:app" }]
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
 * The settings of the Redis Streams sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Redis from "@fapilog/redis"
 * const dedupe: Redis.Config["dedupe"] = "batch"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the Redis Streams sink as written (defaults in the README):
 *
 * - `url` (required): `redis://host:6379/0`, or `rediss://` for TLS (with `tls`: `caFile`,
 *   `certFile`, `keyFile`, `rejectUnauthorized`); `username` and `password` (or in the URL).
 * - `stream` (required): the stream's key.
 * - `maxLen` (1 000 000): about how many entries the stream keeps (`MAXLEN ~`).
 * - `dedupe`: `"batch"` (default: each batch added once, by a script) or `"none"`
 *   (pipelined `XADD`s, at least once); `dedupeWindowMs` (86 400 000): how long a batch
 *   is remembered.
 * - `timeoutMs` (10 000), `batch`, `retry`, `capacity`, `drainTimeoutMs`,
 *   `circuitBreaker`, `spool`: delivery.
 *
 * @example
 * ```ts
 * import type * as Redis from "@fapilog/redis"
 * const settings: Redis.ConfigInput = {
 *   url: "rediss://cache.internal:6380/0",
 *   stream: "logs:checkout",
 *   maxLen: 5_000_000,
 *   tls: { caFile: "/etc/ssl/redis-ca.pem" }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "redis", ...ConfigInput }` is a `sinks` entry (a Redis stream). */
  interface PluginSinks {
    redis: ConfigInput
  }
}

/**
 * The plugin object: what fapilog loads for `{ type: "redis" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as redis } from "@fapilog/redis"
 *
 * const log = await createLogger({
 *   plugins: { use: [redis] },
 *   sinks: [{ type: "redis", url: "redis://127.0.0.1:6379", stream: "logs" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/redis",
  type: "redis",
  version: "0.1.0",
  apiVersion: "1.0",
  description:
    "Redis Streams: XADD with approximate MAXLEN trimming, one atomic de-duplicated script per batch",
  keywords: ["redis", "redis-streams", "streams"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The Redis Streams sink from code: checks the settings (a `ConfigError` naming each bad
 * field) and opens the sink in the logger's scope, like `{ type: "redis", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Redis from "@fapilog/redis"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Redis.sink({ url: "redis://127.0.0.1:6379", stream: "logs:app" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
