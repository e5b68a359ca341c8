/**
 * `@fapilog/syslog`: a fapilog sink for syslog servers and SIEMs (rsyslog, syslog-ng, Splunk
 * and Elastic syslog inputs...). Each event is one RFC 5424 message (RFC 3164 on request):
 * PRI from the facility and the event's level, the event's own timestamp, hostname, app name,
 * process id, an optional MSGID, structured data from chosen event keys, and the event's JSON
 * line (or only its message) as MSG. Sent over UDP, TCP or TLS, the stream transports with
 * octet-counting framing (RFC 6587, RFC 5425); batched, and held and retried while the
 * server is away.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/syslog" // the types of its entry
 *
 * // with @fapilog/syslog installed, naming the type is enough
 * const log = await createLogger({
 *   sinks: [{ type: "syslog", host: "logs.example.com", protocol: "tls", facility: "local0", appName: "checkout" }]
 * })
 * log.warn("payment retried", { orderId: 7 })
 * await log.close()
 * ```
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, Plugin, type Sink } from "fapilog"
import * as config from "./internal/config.js"
import * as format from "./internal/format.js"
import * as internal from "./internal/sink.js"

/**
 * The settings of the syslog sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Syslog from "@fapilog/syslog"
 * const protocol: Syslog.Config["protocol"] = "tls"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the syslog sink as written (defaults in the README):
 *
 * - `host` (required), `port` (514, or 6514 for TLS), `protocol`: `"tcp"` (default), `"udp"`
 *   or `"tls"`; `tls`: `{ ca, cert, key, rejectUnauthorized, servername }` (PEM text or file
 *   paths); `framing`: `"octet-counting"` (default) or `"lf"`.
 * - `rfc`: `"5424"` (default) or `"3164"`; `facility`: a name (`"user"`, default; `"local0"`...)
 *   or 0 to 23; `severity`: overrides of the level to severity map.
 * - `appName` (the logger's `enrich.service`, else its name), `hostname` (the machine's),
 *   `procId` (the process id), `msgId` or `msgIdKey` (an event key whose value is the MSGID).
 * - `structuredData`: `{ keys, id }`, the event keys sent as SD-PARAMs of one SD-ELEMENT
 *   whose SD-ID is `id` (default `fields@32473`; use your organisation's enterprise number).
 * - `message`: `"json"` (default, the event's JSON line) or `"text"` (its message only);
 *   `bom` (default true), `maxMessageBytes` (1024 for RFC 3164, 2048 over UDP, 8192 over TCP/TLS).
 * - `batch`, `retry`, `capacity`, `timeoutMs`, `drainTimeoutMs`: delivery.
 *
 * @example
 * ```ts
 * import type * as Syslog from "@fapilog/syslog"
 * const settings: Syslog.ConfigInput = {
 *   host: "10.0.0.5",
 *   protocol: "tcp",
 *   facility: "local3",
 *   appName: "checkout",
 *   structuredData: { id: "fields@32473", keys: ["correlationId", "orderId"] }
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "syslog", ...ConfigInput }` is a `sinks` entry (syslog over UDP, TCP or TLS). */
  interface PluginSinks {
    syslog: ConfigInput
  }
}

/**
 * The syslog severity (0 emergency to 7 debug) of each fapilog level, when `severity` does
 * not override it: trace and debug 7, info 6, warn 4, error 3, fatal 2, audit 5 (notice),
 * security 1 (alert).
 *
 * @example
 * ```ts
 * import { severities } from "@fapilog/syslog"
 * severities.warn // 4
 * ```
 * @since 0.1.0
 * @category models
 */
export const severities: Readonly<Record<string, number>> = format.severities

/**
 * The facility names the `facility` setting accepts, with their numbers (RFC 5424, table 1).
 *
 * @example
 * ```ts
 * import { facilities } from "@fapilog/syslog"
 * facilities.local0 // 16
 * ```
 * @since 0.1.0
 * @category models
 */
export const facilities: Readonly<Record<string, number>> = format.facilities

/**
 * The plugin object: what fapilog loads for `{ type: "syslog" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as syslog } from "@fapilog/syslog"
 *
 * const log = await createLogger({
 *   plugins: { use: [syslog] },
 *   sinks: [{ type: "syslog", host: "127.0.0.1" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/syslog",
  type: "syslog",
  version: "0.1.0",
  apiVersion: "1.0",
  description: "syslog over UDP, TCP or TLS: RFC 5424 (or 3164), octet-counted, with structured data",
  keywords: ["syslog", "rsyslog", "siem"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The syslog sink from code: checks the settings (a `ConfigError` naming each bad field) and
 * opens the sink in the logger's scope, like `{ type: "syslog", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Syslog from "@fapilog/syslog"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Syslog.sink({ host: "127.0.0.1", protocol: "udp", facility: "local0" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
