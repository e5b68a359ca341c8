/**
 * The settings of the OTLP sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "otlp", ... }` entry against, and what `Otlp.sink` checks before opening.
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
  identifier: "OtlpUrl",
  description: "The OTLP/HTTP logs endpoint, e.g. http://localhost:4318/v1/logs.",
  credentials: "headers: { Authorization }"
})

const Encoding = Schema.declare((u: unknown): u is "protobuf" | "json" => u === "protobuf" || u === "json", {
  identifier: "Encoding",
  message: (issue) => `${show(issue.actual)} is not one of protobuf, json`
})

const AttributeValue = Schema.declare(
  (u: unknown): u is string | number | boolean =>
    typeof u === "string" || typeof u === "boolean" || (typeof u === "number" && Number.isFinite(u)),
  {
    identifier: "AttributeValue",
    message: (issue) => `${show(issue.actual)} is not a string, finite number or boolean`
  }
)

const Resource = Schema.Record({ key: Schema.String, value: AttributeValue }).pipe(
  Schema.filter((attributes) =>
    Object.hasOwn(attributes, "") ? { path: [""], message: "an attribute name must not be empty" } : true
  )
)

const ScopeName = Schema.declare((u: unknown): u is string => typeof u === "string" && u.length > 0, {
  identifier: "ScopeName",
  message: (issue) => `${show(issue.actual)} is not a non-empty instrumentation scope name`
})

// `exact`: an absent key is absent, so a bad value yields one issue (not also "expected undefined")
const optional = <S extends Schema.Schema.AnyNoContext>(schema: S) =>
  Schema.optionalWith(schema, { exact: true })

/** The OTLP sink's config: OTLP's own keys plus the network ones (headers, batch, retry, spool...). */
export const Config = Schema.Struct({
  url: optional(Url),
  encoding: optional(Encoding),
  resource: optional(Resource),
  scope: optional(ScopeName),
  ...Network.configFields
})

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded

/** Where logs go when `url` is not set: a collector on this machine. */
export const DEFAULT_URL = "http://localhost:4318/v1/logs"
