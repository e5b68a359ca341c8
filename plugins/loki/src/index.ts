/**
 * `@fapilog/loki`: a fapilog sink for Grafana Loki's push API (`POST /loki/api/v1/push`).
 * Events are grouped into streams by label set; each entry is the event's JSON line (the
 * same line a file sink writes) with a nanosecond timestamp and, as structured metadata, its
 * trace, span and correlation ids. Bodies are snappy-compressed protobuf by default, JSON on
 * request. Delivery (batching, retries honouring `Retry-After`, circuit breaker, optional
 * spool) is fapilog's network sink.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/loki" // the types of its entry
 *
 * // with @fapilog/loki installed, naming the type is enough (at run time, the package is found by it)
 * const log = await createLogger({
 *   sinks: [{ type: "loki", url: "http://loki:3100", labelKeys: ["level"] }]
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
 * The settings of the Loki sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Loki from "@fapilog/loki"
 * const encoding: Loki.Config["encoding"] = "json"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the Loki sink as written:
 *
 * - `url` (required): Loki's base address, e.g. `http://loki:3100`; the sink posts to
 *   `<url>/loki/api/v1/push` (a URL already ending in that path is used as is).
 * - `labels`: labels on every stream; default `{ service_name: <service setting or "fapilog"> }`.
 * - `labelKeys`: event keys whose values become labels: `level`, `logger` or a field name
 *   (characters Loki refuses in a label name become `_`). Only string, number and boolean
 *   values are used.
 * - `maxLabelValues` (default 100): distinct values kept per label key; later values are
 *   sent as `__overflow__` and reported on diagnostics.
 * - `tenantId`: sent as `X-Scope-OrgID`.
 * - `auth`: `{ username, password }` (basic) or `{ bearer }`.
 * - `encoding`: `"protobuf"` (default, snappy-compressed) or `"json"`.
 * - `structuredMetadata` (default true): send trace_id, span_id and correlation_id as
 *   structured metadata (Loki 3); turn off for Loki 2.
 * - `headers`, `batch`, `retry`, `timeoutMs`, `capacity`, `drainTimeoutMs`,
 *   `circuitBreaker`, `spool`: fapilog's network sink settings.
 *
 * @example
 * ```ts
 * import type * as Loki from "@fapilog/loki"
 * const settings: Loki.ConfigInput = {
 *   url: "https://logs.example.com",
 *   labels: { service_name: "checkout", env: "prod" },
 *   labelKeys: ["level"],
 *   tenantId: "team-a",
 *   auth: { bearer: "token" }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "loki", ...ConfigInput }` is a `sinks` entry (Grafana Loki's push API). */
  interface PluginSinks {
    loki: ConfigInput
  }
}

/**
 * The plugin object: what fapilog loads for `{ type: "loki" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as loki } from "@fapilog/loki"
 *
 * const log = await createLogger({
 *   plugins: { use: [loki] },
 *   sinks: [{ type: "loki", url: "http://loki:3100" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/loki",
  type: "loki",
  version: "0.1.0",
  apiVersion: "1.0",
  description: "Grafana Loki push API: snappy-compressed protobuf or JSON, labels, tenant and auth",
  keywords: ["loki", "grafana", "logs"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The Loki sink from code: checks the settings (a `ConfigError` naming each bad field) and
 * opens the sink in the logger's scope, like `{ type: "loki", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Loki from "@fapilog/loki"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Loki.sink({ url: "http://loki:3100", tenantId: "team-a" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
