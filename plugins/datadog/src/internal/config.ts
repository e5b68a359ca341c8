/**
 * The settings of the Datadog sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "datadog", ... }` entry against, and what `Datadog.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"

/** The Datadog sites (`DD_SITE` values) whose logs intake the sink knows. */
export const SITES = [
  "datadoghq.com",
  "us3.datadoghq.com",
  "us5.datadoghq.com",
  "datadoghq.eu",
  "ap1.datadoghq.com",
  "ap2.datadoghq.com",
  "ddog-gov.com"
] as const

/** A site's logs intake, v2 (`POST https://http-intake.logs.<site>/api/v2/logs`). */
export const intakeUrl = (site: (typeof SITES)[number]): string =>
  `https://http-intake.logs.${site}/api/v2/logs`

/** Datadog's documented limits of the logs intake (https://docs.datadoghq.com/api/latest/logs/). */
export const LIMITS = Object.freeze({
  /** Entries in one request. */
  maxEntries: 1000,
  /** Uncompressed bytes of one request. */
  maxRequestBytes: 5_000_000,
  /** Bytes of one entry; a larger one is cut by the sink (entries.ts) rather than by Datadog. */
  maxEntryBytes: 1_000_000
})

const text = (what: string, expected: string, max: number) =>
  Plugin.accepted(
    what,
    // no control characters: these go into headers or reserved attributes
    (u: unknown): u is string =>
      typeof u === "string" && u.length > 0 && u.length <= max && !/[\0-\x1f\x7f]/.test(u),
    expected
  )

const Tags = Plugin.accepted(
  "DdTags",
  (u: unknown): u is string | ReadonlyArray<string> =>
    (typeof u === "string" && u.length <= 10_000 && !/[\0-\x1f\x7f]/.test(u)) ||
    (Array.isArray(u) &&
      u.length <= 1000 &&
      u.every((t) => typeof t === "string" && t.length > 0 && t.length <= 200 && !/[\0-\x1f\x7f,]/.test(t))),
  'tags as one string ("env:prod,team:api") or a list of tags (["env:prod", "team:api"]), without control characters'
)

const fields = {
  ...Network.deliveryFields,
  apiKey: text("ApiKey", "a Datadog API key (a non-empty string without control characters)", 512),
  site: Plugin.optional(Plugin.oneOf(SITES, "The Datadog site of the account (DD_SITE).")),
  url: Plugin.optional(
    Network.url({
      identifier: "DatadogUrl",
      description:
        "The full intake URL, instead of the site's (a proxy, a test server), e.g. http://127.0.0.1:8080/api/v2/logs.",
      credentials: "apiKey"
    })
  ),
  service: Plugin.optional(
    text("Service", "a service name (a non-empty string without control characters)", 200)
  ),
  hostname: Plugin.optional(
    text("Hostname", "a host name (a non-empty string without control characters)", 255)
  ),
  ddsource: Plugin.optional(
    text("DdSource", "a source name, e.g. nodejs (a non-empty string without control characters)", 200)
  ),
  ddtags: Plugin.optional(Tags),
  compression: Plugin.optional(Plugin.oneOf(["gzip", "none"], "Content-Encoding of the requests.")),
  // Datadog's limits are the bounds: a request never holds more than the intake takes
  batch: Plugin.optional(
    Schema.Struct({
      maxEvents: Plugin.optional(
        Plugin.wholeNumber(1, LIMITS.maxEntries, "events", "Most entries in one request (Datadog: 1000).")
      ),
      maxBytes: Plugin.optional(
        Plugin.wholeNumber(
          1024,
          LIMITS.maxRequestBytes,
          "bytes",
          "Most uncompressed bytes in one request (Datadog: 5 MB)."
        )
      ),
      maxWaitMs: Plugin.optional(
        Plugin.wholeNumber(0, 3_600_000, "milliseconds", "Longest an event waits for its request to fill.")
      )
    })
  )
}

/** The Datadog sink's config: Datadog's own keys plus the delivery ones (batch, retry, spool...). */
export const Config = Schema.Struct(fields)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded

/** Where the sink posts: `url` when given, else the site's intake (datadoghq.com by default). */
export const endpointOf = (config: Config): string => config.url ?? intakeUrl(config.site ?? "datadoghq.com")
