/**
 * `@fapilog/elasticsearch`: a fapilog sink for Elasticsearch and OpenSearch through the
 * `_bulk` API: NDJSON bodies in the Elastic Common Schema layout (by default), into a data
 * stream or an index named by date, op `create` with the event's id (a resend never
 * duplicates a document), per-item answers read (only items refused with 429 or 5xx are sent
 * again; documents refused for good are dead-lettered with the reason), gzip, API key or
 * basic authentication.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/elasticsearch" // the types of its entry
 *
 * const log = await createLogger({
 *   sinks: [{ type: "elasticsearch", url: "https://es:9200", index: "logs-%{+yyyy.MM.dd}" }]
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
 * The settings of the Elasticsearch sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Elasticsearch from "@fapilog/elasticsearch"
 * const layout: Elasticsearch.Config["eventLayout"] = "ecs"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the Elasticsearch sink as written (defaults in the README):
 *
 * - `url` (required): the cluster, `https://es:9200` (the sink posts to `<url>/_bulk`).
 * - `index` (`fapilog-%{+yyyy.MM.dd}`: UTC date parts of each event's timestamp) or
 *   `dataStream` (a data stream's name, e.g. `logs-checkout-default`), not both.
 * - `eventLayout`: `"ecs"` (default) or `"json"` (fapilog's JSON line).
 * - `auth`: `{ apiKey }`, `{ username, password }` or `{ bearer }`.
 * - `compression`: `"none"` (default) or `"gzip"`; `pipeline`: an ingest pipeline.
 * - `deadLetter`: `"fallback"` (default: refused documents as JSON lines with the reason, where
 *   the logger's fallback sink writes), `"stderr"` or `"none"`.
 * - `headers`, `batch`, `retry`, `timeoutMs`, `capacity`, `circuitBreaker`, `spool`,
 *   `drainTimeoutMs`: delivery.
 *
 * @example
 * ```ts
 * import type * as Elasticsearch from "@fapilog/elasticsearch"
 * const settings: Elasticsearch.ConfigInput = {
 *   url: "https://es:9200",
 *   dataStream: "logs-checkout-production",
 *   auth: { apiKey: process.env.ES_API_KEY ?? "" },
 *   compression: "gzip"
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "elasticsearch", ...ConfigInput }` is a `sinks` entry. */
  interface PluginSinks {
    elasticsearch: ConfigInput
  }
}

/**
 * The plugin object: what fapilog loads for `{ type: "elasticsearch" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as elasticsearch } from "@fapilog/elasticsearch"
 *
 * const log = await createLogger({
 *   plugins: { use: [elasticsearch] },
 *   sinks: [{ type: "elasticsearch", url: "http://localhost:9200", dataStream: "logs-app-default" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/elasticsearch",
  type: "elasticsearch",
  version: "0.1.0",
  apiVersion: "1.0",
  description:
    "Elasticsearch and OpenSearch _bulk: ECS documents, data streams or dated indices, per-item retries and dead letters",
  keywords: ["elasticsearch", "opensearch", "ecs", "elk"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The Elasticsearch sink from code: checks the settings (a `ConfigError` naming each bad
 * field) and opens the sink in the logger's scope, like `{ type: "elasticsearch", ... }` in
 * settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Elasticsearch from "@fapilog/elasticsearch"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Elasticsearch.sink({ url: "http://localhost:9200", index: "logs-%{+yyyy.MM.dd}" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
