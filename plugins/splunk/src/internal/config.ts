/**
 * The settings of the Splunk sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "splunk", ... }` entry against, and what `Splunk.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"

const BaseUrl = Network.url({
  identifier: "SplunkHecUrl",
  description:
    "The HTTP Event Collector's address, e.g. https://splunk:8088 (the sink posts to <url>/services/collector/event).",
  credentials: "token"
})

// header and query values must not smuggle a line break (or any control character) into the request
const safe = (u: unknown): u is string => typeof u === "string" && u.length > 0 && !/[\0-\x1f\x7f]/.test(u)

// the message never shows the value: it is a secret
const Token = Schema.declare((u: unknown): u is string => safe(u) && u.length <= 4096, {
  identifier: "SplunkHecToken",
  description: "The HEC token, sent as Authorization: Splunk <token>.",
  message: () => "is not a HEC token (a non-empty string without control characters, e.g. a GUID)"
})

const Metadata = (what: string, description: string) =>
  Plugin.accepted(
    what,
    (u: unknown): u is string => safe(u) && u.length <= 1024,
    "a non-empty string without control characters (at most 1024)",
    description
  )

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

const fields = {
  url: BaseUrl,
  token: Token,
  endpoint: Plugin.optional(
    Plugin.oneOf(
      ["event", "raw"],
      "HEC endpoint: /services/collector/event (JSON envelopes) or /raw (lines)."
    )
  ),
  channel: Plugin.optional(
    Plugin.accepted(
      "SplunkChannel",
      (u: unknown): u is string => typeof u === "string" && UUID.test(u),
      "a GUID (8-4-4-4-12 hexadecimal digits)",
      "X-Splunk-Request-Channel; a random one per sink when not given."
    )
  ),
  ack: Plugin.optional(
    Plugin.accepted(
      "Boolean",
      (u: unknown): u is boolean => typeof u === "boolean",
      "true or false",
      "Wait for indexer acknowledgement (the token must have it enabled)."
    )
  ),
  ackTimeoutMs: Plugin.optional(
    Plugin.wholeNumber(
      100,
      600_000,
      "milliseconds",
      "How long a request may wait for its acknowledgement before it is sent again."
    )
  ),
  ackPollMs: Plugin.optional(
    Plugin.wholeNumber(10, 60_000, "milliseconds", "Interval between polls of /services/collector/ack.")
  ),
  sourcetype: Plugin.optional(Metadata("Sourcetype", "The events' sourcetype (default _json).")),
  index: Plugin.optional(Metadata("SplunkIndex", "The index (default: the token's default index).")),
  source: Plugin.optional(Metadata("Source", "The events' source (default: the logger's name).")),
  host: Plugin.optional(Metadata("Host", "The events' host (default: this machine's host name).")),
  ...Network.configFields
}

/** The Splunk sink's config: its own keys plus the network ones (batch, retry, spool...). */
export const Config = Schema.Struct(fields)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded

/** The collector's base (`.../services/collector`) under the configured address. */
export const collectorUrl = (base: string): string => {
  const url = new URL(base)
  url.search = ""
  const path = url.pathname.replace(/\/+$/, "").replace(/\/services\/collector(\/(event|raw)(\/1\.0)?)?$/, "")
  url.pathname = `${path}/services/collector`
  return url.toString()
}
