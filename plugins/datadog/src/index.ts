/**
 * `@fapilog/datadog`: a fapilog sink for Datadog's logs intake (HTTP, v2): JSON entries with
 * `ddsource`, `ddtags`, `service`, `hostname` and the level as `status`, trace and span ids in
 * Datadog's decimal form (`dd.trace_id`, `dd.span_id`) for correlation with APM, gzip, the
 * intake's limits kept (1000 entries and 5 MB uncompressed per request, 1 MB per entry: a
 * larger entry is cut and marked), on the site of the account.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/datadog" // the types of its entry
 *
 * const log = await createLogger({
 *   sinks: [{ type: "datadog", apiKey: process.env.DD_API_KEY ?? "", site: "datadoghq.eu" }]
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
import * as entries from "./internal/entries.js"
import * as internal from "./internal/sink.js"

/**
 * The settings of the Datadog sink (the decoded form of {@link ConfigInput}).
 *
 * @example
 * ```ts
 * import type * as Datadog from "@fapilog/datadog"
 * const site: Datadog.Config["site"] = "us5.datadoghq.com"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The settings of the Datadog sink as written (defaults in the README):
 *
 * - `apiKey` (required): the API key, sent as the `DD-API-KEY` header.
 * - `site`: `datadoghq.com` (default), `us3.datadoghq.com`, `us5.datadoghq.com`,
 *   `datadoghq.eu`, `ap1.datadoghq.com`, `ap2.datadoghq.com` or `ddog-gov.com`; or `url`, the
 *   full intake URL instead (a proxy, a test server).
 * - `service` (default: the logger's service), `hostname`, `ddsource` (`nodejs`), `ddtags`
 *   (`"env:prod,team:api"` or `["env:prod", "team:api"]`).
 * - `compression`: `"gzip"` (default) or `"none"`.
 * - `batch` (at most 1000 events and 5 MB, Datadog's limits, which are the defaults),
 *   `retry`, `timeoutMs`, `capacity`, `circuitBreaker`, `spool`, `drainTimeoutMs`: delivery.
 *
 * @example
 * ```ts
 * import type * as Datadog from "@fapilog/datadog"
 * const settings: Datadog.ConfigInput = {
 *   apiKey: "0123456789abcdef0123456789abcdef",
 *   site: "datadoghq.eu",
 *   service: "checkout",
 *   ddtags: ["env:prod", "team:payments"]
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

declare module "fapilog" {
  /** With this package imported, `{ type: "datadog", ...ConfigInput }` is a `sinks` entry (Datadog's logs intake). */
  interface PluginSinks {
    datadog: ConfigInput
  }
}

/**
 * The Datadog sites the sink knows, as `DD_SITE` names them.
 *
 * @example
 * ```ts
 * import { SITES } from "@fapilog/datadog"
 * const known = SITES.includes("datadoghq.eu") // true
 * ```
 * @since 0.1.0
 * @category models
 */
export const SITES: typeof config.SITES = config.SITES

/**
 * The logs intake URL of a site: `https://http-intake.logs.<site>/api/v2/logs`.
 *
 * @example
 * ```ts
 * import { intakeUrl } from "@fapilog/datadog"
 * intakeUrl("us3.datadoghq.com") // "https://http-intake.logs.us3.datadoghq.com/api/v2/logs"
 * ```
 * @since 0.1.0
 * @category models
 */
export const intakeUrl: (site: (typeof config.SITES)[number]) => string = config.intakeUrl

/**
 * Datadog's form of a W3C trace or span id: the lower 64 bits of the hexadecimal id as
 * unsigned decimal (what the sink writes as `dd.trace_id` and `dd.span_id`); undefined when
 * the id is not 32 or 16 hexadecimal digits, or is zero.
 *
 * @example
 * ```ts
 * import { datadogId } from "@fapilog/datadog"
 * datadogId("4bf92f3577b34da6a3ce929d0e0e4736") // "11803532876627986230"
 * ```
 * @since 0.1.0
 * @category models
 */
export const datadogId: (hex: string) => string | undefined = entries.datadogId

/**
 * The plugin object: what fapilog loads for `{ type: "datadog" }`, or what you pass in
 * `plugins.use` (bundled applications, no discovery).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin as datadog } from "@fapilog/datadog"
 *
 * const log = await createLogger({
 *   plugins: { use: [datadog] },
 *   sinks: [{ type: "datadog", apiKey: process.env.DD_API_KEY ?? "" }]
 * })
 * ```
 * @since 0.1.0
 * @category plugins
 */
export const plugin: Plugin.SinkPlugin<Config, ConfigInput> = Plugin.sink({
  name: "@fapilog/datadog",
  type: "datadog",
  version: "0.1.0",
  apiVersion: "1.0",
  description: "Datadog logs intake v2: gzip, site selection, reserved attributes, trace correlation",
  keywords: ["datadog", "logs", "observability"],
  config: config.Config,
  make: internal.make
})

export default plugin

/**
 * The Datadog sink from code: checks the settings (a `ConfigError` naming each bad field)
 * and opens the sink in the logger's scope, like `{ type: "datadog", ... }` in settings.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import * as Datadog from "@fapilog/datadog"
 *
 * const log = await createLogger({
 *   sinks: ["stdout", Datadog.sink({ apiKey: process.env.DD_API_KEY ?? "", site: "us5.datadoghq.com" })]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const sink = (settings: ConfigInput): Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope> =>
  Plugin.open(plugin, settings)
