/**
 * The settings of the OTLP sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "otlp", ... }` entry against, and what `Otlp.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"

const Url = Network.url({
  identifier: "OtlpUrl",
  description: "The OTLP/HTTP logs endpoint, e.g. http://localhost:4318/v1/logs.",
  credentials: "headers: { Authorization }"
})

const AttributeValue = Plugin.accepted(
  "AttributeValue",
  (u: unknown): u is string | number | boolean =>
    typeof u === "string" || typeof u === "boolean" || (typeof u === "number" && Number.isFinite(u)),
  "a string, finite number or boolean"
)

const Resource = Schema.Record({ key: Schema.String, value: AttributeValue }).pipe(
  Schema.filter((attributes) =>
    Object.hasOwn(attributes, "") ? { path: [""], message: "an attribute name must not be empty" } : true
  )
)

const ScopeName = Plugin.accepted(
  "ScopeName",
  (u: unknown): u is string => typeof u === "string" && u.length > 0,
  "a non-empty instrumentation scope name"
)

/** The OTLP sink's config: OTLP's own keys plus the network ones (headers, batch, retry, spool...). */
export const Config = Schema.Struct({
  url: Plugin.optional(Url),
  encoding: Plugin.optional(Plugin.oneOf(["protobuf", "json"])),
  resource: Plugin.optional(Resource),
  scope: Plugin.optional(ScopeName),
  ...Network.configFields
})

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded

/** Where logs go when `url` is not set: a collector on this machine. */
export const DEFAULT_URL = "http://localhost:4318/v1/logs"
