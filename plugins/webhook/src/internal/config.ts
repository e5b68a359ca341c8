/**
 * The settings of the webhook sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "webhook", ... }` entry against, and what `Webhook.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network } from "fapilog"

const show = (u: unknown): string => {
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}

const Url = Network.url({
  identifier: "WebhookUrl",
  description: "The endpoint every request is posted to.",
  credentials: "headers: { authorization: ... }"
})

export const formats = ["array", "ndjson", "wrapped"] as const
export type Format = (typeof formats)[number]

const FormatSchema = Schema.declare((u: unknown): u is Format => formats.includes(u as Format), {
  identifier: "WebhookFormat",
  description: "Body of a request: a JSON array, JSON lines, or { id, count, events }.",
  message: (issue) => `${show(issue.actual)} is not one of ${formats.join(", ")}`
})

export const layouts = ["default", "ecs", "otel", "pino"] as const
export type Layout = (typeof layouts)[number]

const LayoutSchema = Schema.declare((u: unknown): u is Layout => layouts.includes(u as Layout), {
  identifier: "WebhookLayout",
  description: "Field layout of each event's JSON.",
  message: (issue) => `${show(issue.actual)} is not one of ${layouts.join(", ")}`
})

const Secret = Schema.declare(
  (u: unknown): u is string => typeof u === "string" && u.length >= 16 && u.length <= 4096,
  {
    identifier: "WebhookSecret",
    description: "Shared secret of the HMAC-SHA256 signature.",
    message: () => "is not a secret of 16 to 4096 characters"
  }
)

// `exact`: an absent key is absent, so a bad value yields one issue (not also "expected undefined")
const optional = <S extends Schema.Schema.AnyNoContext>(schema: S) =>
  Schema.optionalWith(schema, { exact: true })

/** The webhook sink's config: its own keys plus the network ones (batch, retry, spool...). */
export const Config = Schema.Struct({
  type: optional(Schema.Literal("webhook")),
  url: Url,
  format: optional(FormatSchema),
  layout: optional(LayoutSchema),
  secret: optional(Secret),
  ...Network.configFields
})

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded
