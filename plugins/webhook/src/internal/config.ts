/**
 * The settings of the webhook sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "webhook", ... }` entry against, and what `Webhook.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"

const Url = Network.url({
  identifier: "WebhookUrl",
  description: "The endpoint every request is posted to.",
  credentials: "headers: { authorization: ... }"
})

export const formats = ["array", "ndjson", "wrapped"] as const
export type Format = (typeof formats)[number]

export const layouts = ["default", "ecs", "otel", "pino"] as const
// `body` and `eventLayout`, not `format` and `layout`: those keys are fapilog's own in every
// sink entry (Settings.reservedSinkKeys), and a plugin config that declares one is refused
export type Layout = (typeof layouts)[number]

// the message never shows the value: it is a secret
const Secret = Schema.declare(
  (u: unknown): u is string => typeof u === "string" && u.length >= 16 && u.length <= 4096,
  {
    identifier: "WebhookSecret",
    description: "Shared secret of the HMAC-SHA256 signature.",
    message: () => "is not a secret of 16 to 4096 characters"
  }
)

/** The webhook sink's config: its own keys plus the network ones (batch, retry, spool...). */
export const Config = Schema.Struct({
  url: Url,
  body: Plugin.optional(
    Plugin.oneOf(formats, "Body of a request: a JSON array, JSON lines, or { id, count, events }.")
  ),
  eventLayout: Plugin.optional(Plugin.oneOf(layouts, "Field layout of each event's JSON.")),
  secret: Plugin.optional(Secret),
  ...Network.configFields
})

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded
