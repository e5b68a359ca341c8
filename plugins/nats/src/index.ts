/**
 * `@fapilog/nats`: a fapilog sink publishing each event to NATS JetStream, one message per
 * event on the configured subject, with the event id as `Nats-Msg-Id` so that the stream
 * de-duplicates retries, reconnects and server restarts; a batch is delivered when the stream
 * has acknowledged every message of it. The stream is created (or checked) before the first
 * publish when the settings name one.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/nats" // the types of its entry
 *
 * const log = await createLogger({
 *   sinks: [{ type: "nats", servers: "nats://nats:4222", subject: "logs.app", stream: "LOGS" }]
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
 * The settings of the NATS sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Nats from "@fapilog/nats"
 * const storage: Nats.Config["storage"] = "file"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the NATS sink as written (defaults in the README):
 *
 * - `servers` (required): `nats://host:4222` or `tls://host:4222`, or a list of them.
 * - `subject` (required): the subject every event is published on, e.g. `logs.app`.
 * - `stream`: the JetStream stream that captures the subject, created when missing
 *   (`createStream`, default true, with `storage` `"file"` and `duplicateWindowMs` 120 000)
 *   and checked when present; every publish then expects that stream.
 * - `token`, `user` and `password`, or `credentialsFile` (a `.creds` file); `tls` (`caFile`,
 *   `certFile`, `keyFile`, `handshakeFirst`); `connectionName`.
 * - `timeoutMs` (10 000: a connection attempt, a batch's acknowledgements), `batch`, `retry`,
 *   `capacity`, `drainTimeoutMs`, `circuitBreaker`, `spool`: delivery.
 *
 * @example
 * ```ts
 * import type * as Nats from "@fapilog/nats"
 * const settings: Nats.ConfigInput = {
 *   servers: ["nats://n1:4222", "nats://n2:4222"],
 *   subject: "logs.checkout",
 *   stream: "LOGS",
 *   credentialsFile: "/etc/nats/app.creds"
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "nats", ...ConfigInput }` is a `sinks` entry (NATS JetStream). */
  interface PluginSinks {
    nats: ConfigInput
  }
}

/**
 * The plugin object: what fapilog loads for `{ type: "nats" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as nats } from "@fapilog/nats"
 *
 * const log = await createLogger({
 *   plugins: { use: [nats] },
 *   sinks: [{ type: "nats", servers: "nats://127.0.0.1:4222", subject: "logs.app" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/nats",
  type: "nats",
  version: "0.1.0",
  apiVersion: "1.0",
  description: "NATS JetStream: one acknowledged message per event, de-duplicated by event id",
  keywords: ["nats", "jetstream", "messaging"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The NATS sink from code: checks the settings (a `ConfigError` naming each bad field) and
 * opens the sink in the logger's scope, like `{ type: "nats", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Nats from "@fapilog/nats"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Nats.sink({ servers: "nats://127.0.0.1:4222", subject: "logs.app", stream: "LOGS" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
