/**
 * `@fapilog/cloudwatch`: a fapilog sink for Amazon CloudWatch Logs through the AWS SDK
 * (`@aws-sdk/client-cloudwatch-logs`): PutLogEvents within its limits (1,048,576 bytes with
 * 26 bytes per event, 10,000 events and 24 hours per call, events in chronological order, each
 * within 256 KB: a larger one is cut and marked), the log group and stream created when
 * missing, throttling and unavailability retried, and the endpoint overridable (a VPC
 * endpoint, LocalStack, a test server).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/cloudwatch" // the types of its entry
 *
 * const log = await createLogger({
 *   sinks: [{ type: "cloudwatch", region: "eu-west-1", logGroup: "/app/checkout", logStream: "web-1" }]
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
 * The settings of the CloudWatch Logs sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as CloudWatch from "@fapilog/cloudwatch"
 * const group: CloudWatch.Config["logGroup"] = "/app/checkout"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the CloudWatch Logs sink as written (defaults in the README):
 *
 * - `region` and `logGroup` (required); `logStream` (default: the host's name).
 * - `endpoint`: another endpoint than the region's (a VPC endpoint, LocalStack, a test server).
 * - `credentials`: `{ accessKeyId, secretAccessKey, sessionToken? }`; by default the AWS SDK's
 *   chain (environment, shared profile, container or instance role).
 * - `createMissing` (`true`): create the group and the stream when PutLogEvents says they do
 *   not exist.
 * - `batch` (10,000 events, PutLogEvents' limit, and 4 MiB per request by default, sent in
 *   calls of at most 1,048,576 bytes), `retry`, `timeoutMs`, `capacity`, `circuitBreaker`,
 *   `spool`, `drainTimeoutMs`: delivery.
 *
 * @example
 * ```ts
 * import type * as CloudWatch from "@fapilog/cloudwatch"
 * const settings: CloudWatch.ConfigInput = {
 *   region: "us-east-1",
 *   logGroup: "/app/checkout",
 *   logStream: "web-1",
 *   batch: { maxWaitMs: 2000 }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "cloudwatch", ...ConfigInput }` is a `sinks` entry (a CloudWatch Logs stream). */
  interface PluginSinks {
    cloudwatch: ConfigInput
  }
}

/**
 * PutLogEvents' limits, which the sink keeps: events and bytes per call (26 bytes counted per
 * event), bytes per event and the longest span of a call.
 *
 * @example
 * ```ts
 * import { LIMITS } from "@fapilog/cloudwatch"
 * const perCall = LIMITS.maxBatchBytes // 1048576
 * ```
 * @since 0.1.0
 * @category models
 */
export const LIMITS: typeof config.LIMITS = config.LIMITS

/**
 * The plugin object: what fapilog loads for `{ type: "cloudwatch" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as cloudwatch } from "@fapilog/cloudwatch"
 *
 * const log = await createLogger({
 *   plugins: { use: [cloudwatch] },
 *   sinks: [{ type: "cloudwatch", region: "us-east-1", logGroup: "/app/api" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/cloudwatch",
  type: "cloudwatch",
  version: "0.1.0",
  apiVersion: "1.0",
  description:
    "Amazon CloudWatch Logs: PutLogEvents within its limits, group and stream created, throttling retried",
  keywords: ["cloudwatch", "aws", "logs"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The CloudWatch Logs sink from code: checks the settings (a `ConfigError` naming each bad
 * field) and opens the sink in the logger's scope, like `{ type: "cloudwatch", ... }` in
 * settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as CloudWatch from "@fapilog/cloudwatch"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", CloudWatch.sink({ region: "eu-west-1", logGroup: "/app/checkout" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
