/**
 * `@fapilog/webhook`: a fapilog sink that posts batches of events to any HTTP endpoint, as a
 * JSON array, JSON lines or a wrapped object, signed with HMAC-SHA256 over the timestamp and
 * the body. Delivery (batching, retries honouring `Retry-After`, circuit breaker, optional
 * spool) is fapilog's network sink; {@link verify} checks a request on the receiving side.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/webhook" // the types of its entry
 *
 * // with @fapilog/webhook installed, naming the type is enough (at run time, the package is found by it)
 * const log = await createLogger({
 *   sinks: [{ type: "webhook", url: "https://hooks.example.com/logs", secret: process.env.HOOK_SECRET }]
 * })
 * log.error("payment failed", { orderId: 7 })
 * await log.close()
 * ```
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, Plugin, type Sink } from "fapilog"
import * as config from "./internal/config.js"
import * as signature from "./internal/signature.js"
import * as internal from "./internal/sink.js"

/**
 * The settings of the webhook sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Webhook from "@fapilog/webhook"
 * const body: Webhook.Config["body"] = "ndjson"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the webhook sink as written:
 *
 * - `url` (required): the endpoint; every request is a `POST` to it.
 * - `body`: `"array"` (default: a JSON array of events), `"ndjson"` (one JSON event per
 *   line, `application/x-ndjson`) or `"wrapped"` (`{ "id", "count", "events": [...] }`, the
 *   id the same for every attempt and replay of a request).
 * - `eventLayout`: field layout of each event: `"default"`, `"ecs"`, `"otel"` or `"pino"`.
 * - `secret` (16 characters or more): signs every attempt (see {@link headerNames}).
 * - `headers`, `batch`, `retry`, `timeoutMs`, `capacity`, `drainTimeoutMs`,
 *   `circuitBreaker`, `spool`: fapilog's network sink settings.
 *
 * @example
 * ```ts
 * import type * as Webhook from "@fapilog/webhook"
 * const settings: Webhook.ConfigInput = {
 *   url: "https://hooks.example.com/logs",
 *   body: "ndjson",
 *   secret: "a-long-random-shared-secret",
 *   headers: { authorization: "Bearer token" },
 *   batch: { maxEvents: 200, maxWaitMs: 2000 }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "webhook", ...ConfigInput }` is a `sinks` entry (signed HTTP posts). */
  interface PluginSinks {
    webhook: ConfigInput
  }
}

/**
 * The plugin object: what fapilog loads for `{ type: "webhook" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as webhook } from "@fapilog/webhook"
 *
 * const log = await createLogger({
 *   plugins: { use: [webhook] },
 *   sinks: [{ type: "webhook", url: "https://hooks.example.com/logs" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/webhook",
  type: "webhook",
  version: "0.1.0",
  apiVersion: "1.0",
  description: "Posts signed (HMAC-SHA256) batches of events to any HTTP endpoint",
  keywords: ["webhook", "http", "hmac"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The webhook sink from code: checks the settings (a `ConfigError` naming each bad field) and
 * opens the sink in the logger's scope, like `{ type: "webhook", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Webhook from "@fapilog/webhook"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Webhook.sink({ url: "https://hooks.example.com/logs", body: "ndjson" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)

/**
 * The headers sent with every attempt: `x-fapilog-delivery-id` (hex SHA-256 of the body, 32
 * characters: the same for every attempt and replay of a request, for deduplication) and
 * `x-fapilog-attempt`; with a `secret`, also `x-fapilog-timestamp` (Unix seconds) and
 * `x-fapilog-signature` (`v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`).
 *
 * @example
 * ```ts
 * import { headerNames } from "@fapilog/webhook"
 * headerNames.signature // "x-fapilog-signature"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const headerNames: {
  readonly timestamp: string
  readonly signature: string
  readonly deliveryId: string
  readonly attempt: string
} = signature.headerNames

/**
 * What {@link verify} takes: the secret (or several, during a rotation), the raw body as
 * received, the timestamp and signature headers, and the accepted clock distance.
 *
 * @example
 * ```ts
 * import type { VerifyOptions } from "@fapilog/webhook"
 * const options: VerifyOptions = { secret: "s".repeat(32), body: "[]", timestamp: "1700000000", signature: "v1=00" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type VerifyOptions = signature.VerifyOptions

/**
 * For receivers: whether a request is authentic and fresh. True when the timestamp is within
 * `toleranceSeconds` (default 300) of now and a `v1=` signature equals the HMAC-SHA256 of
 * `<timestamp>.<body>` under a secret, compared in constant time. Pass the raw body, before
 * any parsing. Never throws; and remember the delivery ids you have seen if a replay within
 * the window must be refused too.
 *
 * @example
 * ```ts
 * import * as http from "node:http"
 * import { verify } from "@fapilog/webhook"
 *
 * http.createServer((req, res) => {
 *   const chunks: Buffer[] = []
 *   req.on("data", (c: Buffer) => chunks.push(c))
 *   req.on("end", () => {
 *     const ok = verify({
 *       secret: process.env.HOOK_SECRET ?? "",
 *       body: Buffer.concat(chunks),
 *       timestamp: req.headers["x-fapilog-timestamp"] as string | undefined,
 *       signature: req.headers["x-fapilog-signature"] as string | undefined
 *     })
 *     res.writeHead(ok ? 204 : 401).end()
 *   })
 * })
 * ```
 * @since 0.1.0
 * @category verification
 */
export const verify: (options: VerifyOptions) => boolean = signature.verify

/**
 * The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`: what `x-fapilog-signature`
 * carries after `v1=` (for receivers in other stacks to compare against, or for tests).
 *
 * @example
 * ```ts
 * import { computeSignature } from "@fapilog/webhook"
 * const header = `v1=${computeSignature("s".repeat(32), 1700000000, "[]")}`
 * ```
 * @since 0.1.0
 * @category verification
 */
export const computeSignature: (
  secret: string,
  timestamp: number | string,
  body: string | Uint8Array
) => string = signature.computeSignature
