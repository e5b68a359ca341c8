/**
 * The settings of the Loki sink as an `effect/Schema`: what the plugin loader validates a
 * `{ type: "loki", ... }` entry against, and what `Loki.sink` checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"
import { LABEL_NAME, labelNameOf } from "./streams.js"

const BaseUrl = Network.url({
  identifier: "LokiUrl",
  description: "Loki's base address, e.g. http://loki:3100 (the sink posts to <url>/loki/api/v1/push).",
  credentials: "auth: { username, password } or auth: { bearer }"
})

// header values must not smuggle a line break (or any control character) into the request
const headerSafe = (u: unknown): u is string =>
  typeof u === "string" && u.length > 0 && !/[\0-\x1f\x7f]/.test(u)

const HeaderValue = (what: string) =>
  Plugin.accepted(what, headerSafe, "a non-empty string without control characters")

const isLabelName = (name: string): boolean => LABEL_NAME.test(name) && !name.startsWith("__")

const LabelValue = Plugin.accepted(
  "LabelValue",
  (u: unknown): u is string => typeof u === "string" && u.length > 0 && u.length <= 2048,
  "a label value (a non-empty string of at most 2048 characters)"
)

const Labels = Schema.Record({ key: Schema.String, value: LabelValue }).pipe(
  Schema.filter((labels) => {
    const names = Object.keys(labels)
    if (names.length === 0) return "needs at least one label: Loki refuses streams without labels"
    const bad = names.find((name) => !isLabelName(name))
    return bad === undefined
      ? true
      : {
          path: [bad],
          message: `${JSON.stringify(bad)} is not a Loki label name (letters, digits and _, not starting with a digit or __)`
        }
  })
)

const LabelKey = Plugin.accepted(
  "LabelKey",
  (u: unknown): u is string => typeof u === "string" && u.length > 0 && !labelNameOf(u).startsWith("__"),
  "an event key to read labels from (level, logger or a field name, not starting with __)"
)

type Auth = { readonly username: string; readonly password: string } | { readonly bearer: string }

const hasKeys = (o: object, keys: ReadonlyArray<string>): boolean => {
  const own = Object.keys(o)
  return own.length === keys.length && keys.every((k) => own.includes(k))
}

const isAuth = (u: unknown): u is Auth => {
  if (typeof u !== "object" || u === null) return false
  const a = u as Record<string, unknown>
  return hasKeys(a, ["bearer"])
    ? headerSafe(a.bearer)
    : hasKeys(a, ["username", "password"]) && headerSafe(a.username) && typeof a.password === "string"
}

const Auth = Plugin.accepted(
  "LokiAuth",
  isAuth,
  "{ username, password } (strings, the username without control characters) or { bearer } (a non-empty string without control characters)"
)

const fields = {
  url: BaseUrl,
  labels: Plugin.optional(Labels),
  labelKeys: Plugin.optional(Schema.Array(LabelKey)),
  maxLabelValues: Plugin.optional(Plugin.wholeNumber(1, 100_000, "distinct values per label key")),
  tenantId: Plugin.optional(HeaderValue("TenantId")),
  auth: Plugin.optional(Auth),
  encoding: Plugin.optional(Plugin.oneOf(["protobuf", "json"])),
  structuredMetadata: Plugin.optional(
    Plugin.accepted("Boolean", (u): u is boolean => typeof u === "boolean", "true or false")
  ),
  ...Network.configFields
}

/** The Loki sink's config: Loki's own keys plus the network ones (batch, retry, spool...). */
export const Config = Schema.Struct(fields).pipe(
  Schema.filter((config) => {
    const keys = config.labelKeys ?? []
    const names = new Map<string, string>()
    for (const name of Object.keys(config.labels ?? {})) names.set(name, `labels.${name}`)
    for (const key of keys) {
      const name = labelNameOf(key)
      const other = names.get(name)
      if (other !== undefined)
        return {
          path: ["labelKeys"],
          message: `${JSON.stringify(key)} gives label ${name}, which ${other} already sets`
        }
      names.set(name, `labelKeys ${JSON.stringify(key)}`)
    }
    return true
  })
)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded

/** Loki's push endpoint under the configured base address. */
export const pushUrl = (base: string): string => {
  const url = new URL(base)
  const path = url.pathname.replace(/\/+$/, "")
  url.pathname = path.endsWith("/loki/api/v1/push") ? path : `${path}/loki/api/v1/push`
  return url.toString()
}

/** The request headers the config asks for: tenant and authorization. */
export const authHeaders = (config: Config): Record<string, string> => {
  const headers: Record<string, string> = {}
  if (config.tenantId !== undefined) headers["X-Scope-OrgID"] = config.tenantId
  if (config.auth !== undefined) {
    headers.Authorization =
      "bearer" in config.auth
        ? `Bearer ${config.auth.bearer}`
        : `Basic ${Buffer.from(`${config.auth.username}:${config.auth.password}`, "utf8").toString("base64")}`
  }
  return headers
}
