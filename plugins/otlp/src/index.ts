/**
 * `@fapilog/otlp`: a fapilog sink for OpenTelemetry logs over OTLP/HTTP, protobuf (default)
 * or JSON, to a collector or any backend that accepts OTLP. The wire encoding is the
 * package's own (protobuf with the official field numbers, OTLP/JSON by the specification's
 * JSON rules), with no dependency; delivery (batching, retries honouring `Retry-After`,
 * circuit breaker, optional spool) is fapilog's network sink.
 *
 * Mapping: `body` is the message; `severityNumber` follows fapilog's `otel` layout (trace 1,
 * debug 5, info 9, warn 13, error 17, fatal 21, audit 12, security 20) and `severityText` is
 * the level name; `traceId`/`spanId` are the event's W3C ids; attributes are `logger.name`,
 * `correlation.id`, the user fields with their structure (objects as key/value lists, arrays
 * as arrays) and `exception.*`; the resource holds `service.name` and the other enricher
 * fields, then the configured `resource` attributes; the instrumentation scope is `fapilog`.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/otlp" // the types of its entry
 *
 * // with @fapilog/otlp installed, naming the type is enough (at run time, the package is found by it)
 * const log = await createLogger({
 *   enrich: { service: "checkout" },
 *   sinks: [{ type: "otlp", url: "http://collector:4318/v1/logs" }]
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
import * as logs from "./internal/logs.js"
import * as internal from "./internal/sink.js"

/**
 * The settings of the OTLP sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Otlp from "@fapilog/otlp"
 * const encoding: Otlp.Config["encoding"] = "json"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the OTLP sink as written:
 *
 * - `url`: the OTLP/HTTP logs endpoint; default `http://localhost:4318/v1/logs`.
 * - `encoding`: `"protobuf"` (default, `application/x-protobuf`) or `"json"` (OTLP/JSON).
 * - `resource`: resource attributes (string, number or boolean values); they override those
 *   taken from events (`service.name` from the service setting, else `unknown_service:node`).
 * - `scope`: the instrumentation scope name; default `"fapilog"`.
 * - `headers` (e.g. `Authorization`), `batch`, `retry`, `timeoutMs`, `capacity`,
 *   `drainTimeoutMs`, `circuitBreaker`, `spool`: fapilog's network sink settings.
 *
 * @example
 * ```ts
 * import type * as Otlp from "@fapilog/otlp"
 * const settings: Otlp.ConfigInput = {
 *   url: "https://otlp.example.com/v1/logs",
 *   headers: { Authorization: "Bearer token" },
 *   resource: { "deployment.environment.name": "prod" }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "otlp", ...ConfigInput }` is a `sinks` entry (OpenTelemetry logs over OTLP/HTTP). */
  interface PluginSinks {
    otlp: ConfigInput
  }
}

/**
 * OpenTelemetry severity numbers by fapilog level.
 *
 * @example
 * ```ts
 * import * as Otlp from "@fapilog/otlp"
 * Otlp.severityNumber.warn // 13
 * ```
 * @since 0.1.0
 * @category constants
 */
export const severityNumber: typeof logs.severityNumber = logs.severityNumber

/**
 * The plugin object: what fapilog loads for `{ type: "otlp" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as otlp } from "@fapilog/otlp"
 *
 * const log = await createLogger({
 *   plugins: { use: [otlp] },
 *   sinks: [{ type: "otlp", encoding: "json" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/otlp",
  type: "otlp",
  version: internal.VERSION,
  apiVersion: "1.0",
  description: "OpenTelemetry logs over OTLP/HTTP, protobuf or JSON",
  keywords: ["opentelemetry", "otlp", "logs"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The OTLP sink from code: checks the settings (a `ConfigError` naming each bad field) and
 * opens the sink in the logger's scope, like `{ type: "otlp", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Otlp from "@fapilog/otlp"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Otlp.sink({ url: "http://collector:4318/v1/logs" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
