/**
 * `@fapilog/splunk`: a fapilog sink for Splunk's HTTP Event Collector: JSON envelopes to
 * `/services/collector/event` (`time` in epoch seconds with milliseconds, `host`, `source`,
 * `sourcetype`, `index`, the event as fapilog's JSON object), or lines to
 * `/services/collector/raw`; token authentication, a channel id, and optional indexer
 * acknowledgement (a request not acknowledged in time is sent again).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/splunk" // the types of its entry
 *
 * const log = await createLogger({
 *   sinks: [{ type: "splunk", url: "https://splunk:8088", token: process.env.SPLUNK_HEC_TOKEN ?? "" }]
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
 * The settings of the Splunk sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Splunk from "@fapilog/splunk"
 * const endpoint: Splunk.Config["endpoint"] = "raw"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the Splunk sink as written (defaults in the README):
 *
 * - `url` (required): the collector, `https://splunk:8088`; `token` (required): the HEC token.
 * - `endpoint`: `"event"` (default) or `"raw"`; `channel`: a GUID (random per sink by default).
 * - `ack`: wait for indexer acknowledgement (`ackTimeoutMs` 30 000, `ackPollMs` 500).
 * - `sourcetype` (`_json`), `index` (the token's default), `source` (the logger's name),
 *   `host` (this machine's name).
 * - `headers`, `batch`, `retry`, `timeoutMs`, `capacity`, `circuitBreaker`, `spool`,
 *   `drainTimeoutMs`: delivery.
 *
 * @example
 * ```ts
 * import type * as Splunk from "@fapilog/splunk"
 * const settings: Splunk.ConfigInput = {
 *   url: "https://splunk:8088",
 *   token: process.env.SPLUNK_HEC_TOKEN ?? "",
 *   index: "app",
 *   sourcetype: "checkout:json",
 *   ack: true
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "splunk", ...ConfigInput }` is a `sinks` entry (Splunk HEC). */
  interface PluginSinks {
    splunk: ConfigInput
  }
}

/**
 * The plugin object: what fapilog loads for `{ type: "splunk" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as splunk } from "@fapilog/splunk"
 *
 * const log = await createLogger({
 *   plugins: { use: [splunk] },
 *   sinks: [{ type: "splunk", url: "https://splunk:8088", token: "00000000-0000-0000-0000-000000000000" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/splunk",
  type: "splunk",
  version: "0.1.0",
  apiVersion: "1.0",
  description: "Splunk HTTP Event Collector: event or raw endpoint, token, channel, indexer acknowledgement",
  keywords: ["splunk", "hec", "siem"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The Splunk sink from code: checks the settings (a `ConfigError` naming each bad field) and
 * opens the sink in the logger's scope, like `{ type: "splunk", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Splunk from "@fapilog/splunk"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Splunk.sink({ url: "https://splunk:8088", token: process.env.SPLUNK_HEC_TOKEN ?? "" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
