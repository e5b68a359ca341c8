/**
 * The settings of the Elasticsearch sink as an `effect/Schema`: what the plugin loader
 * validates a `{ type: "elasticsearch", ... }` entry against, and what `Elasticsearch.sink`
 * checks before opening.
 */
import * as Schema from "effect/Schema"
import { Network, Plugin } from "fapilog"
import { indexPatternProblem } from "./indexName.js"

const BaseUrl = Network.url({
  identifier: "ElasticsearchUrl",
  description: "The cluster's address, e.g. https://es:9200 (the sink posts to <url>/_bulk); OpenSearch too.",
  credentials: "auth: { apiKey } or auth: { username, password }"
})

// header values must not smuggle a line break (or any control character) into the request
const headerSafe = (u: unknown): u is string =>
  typeof u === "string" && u.length > 0 && !/[\0-\x1f\x7f]/.test(u)

const IndexPattern = Schema.declare(
  (u: unknown): u is string => typeof u === "string" && indexPatternProblem(u) === undefined,
  {
    identifier: "IndexPattern",
    description: "An index name, with optional UTC date parts of the event's timestamp: logs-%{+yyyy.MM.dd}.",
    message: (issue) =>
      typeof issue.actual === "string"
        ? `${JSON.stringify(issue.actual)} is not an index name: ${indexPatternProblem(issue.actual)}`
        : `${JSON.stringify(issue.actual)} is not an index name (a string such as "logs-%{+yyyy.MM.dd}")`
  }
)

const DataStream = Schema.declare(
  (u: unknown): u is string =>
    typeof u === "string" && !u.includes("%{") && indexPatternProblem(u) === undefined,
  {
    identifier: "DataStream",
    description: "A data stream's name, e.g. logs-checkout-production (written with op create).",
    message: (issue) =>
      `${JSON.stringify(issue.actual)} is not a data stream name (lowercase, no date parts, none of \\ / * ? " < > | , # : or spaces, e.g. "logs-app-default")`
  }
)

type Auth =
  | { readonly apiKey: string }
  | { readonly username: string; readonly password: string }
  | { readonly bearer: string }

const hasKeys = (o: object, keys: ReadonlyArray<string>): boolean => {
  const own = Object.keys(o)
  return own.length === keys.length && keys.every((k) => own.includes(k))
}

const isAuth = (u: unknown): u is Auth => {
  if (typeof u !== "object" || u === null) return false
  const a = u as Record<string, unknown>
  if (hasKeys(a, ["apiKey"])) return headerSafe(a.apiKey)
  if (hasKeys(a, ["bearer"])) return headerSafe(a.bearer)
  return (
    hasKeys(a, ["username", "password"]) &&
    headerSafe(a.username) &&
    !String(a.username).includes(":") &&
    typeof a.password === "string"
  )
}

// the message never shows the value: it holds a secret
const Auth = Schema.declare(isAuth, {
  identifier: "ElasticsearchAuth",
  description: "API key, basic or bearer authentication.",
  message: () =>
    "is not { apiKey } (the encoded API key), { username, password } (basic; the username without : or control characters) or { bearer } (a token)"
})

const IngestPipeline = Plugin.accepted(
  "IngestPipeline",
  (u: unknown): u is string => typeof u === "string" && /^[A-Za-z0-9._-]{1,255}$/.test(u),
  "an ingest pipeline name (letters, digits, . _ and -)"
)

export const layouts = ["ecs", "json"] as const
export type Layout = (typeof layouts)[number]

const fields = {
  url: BaseUrl,
  index: Plugin.optional(IndexPattern),
  dataStream: Plugin.optional(DataStream),
  // not `layout`: that key is fapilog's own in every sink entry (Settings.reservedSinkKeys)
  eventLayout: Plugin.optional(
    Plugin.oneOf(layouts, "Each document's fields: Elastic Common Schema, or fapilog's JSON line.")
  ),
  auth: Plugin.optional(Auth),
  compression: Plugin.optional(Plugin.oneOf(["none", "gzip"], "Content-Encoding of the request bodies.")),
  pipeline: Plugin.optional(IngestPipeline),
  deadLetter: Plugin.optional(
    Plugin.oneOf(
      ["fallback", "stderr", "none"],
      "Where documents Elasticsearch refuses for good are written."
    )
  ),
  ...Network.configFields
}

/** The Elasticsearch sink's config: its own keys plus the network ones (batch, retry, spool...). */
export const Config = Schema.Struct(fields).pipe(
  Schema.filter((config) =>
    config.index !== undefined && config.dataStream !== undefined
      ? { path: ["dataStream"], message: "give index or dataStream, not both" }
      : true
  )
)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded

/** The `_bulk` endpoint under the configured address (a URL already ending in `/_bulk` is kept). */
export const bulkUrl = (base: string, pipeline: string | undefined): string => {
  const url = new URL(base)
  const path = url.pathname.replace(/\/+$/, "")
  url.pathname = path.endsWith("/_bulk") ? path : `${path}/_bulk`
  if (pipeline !== undefined) url.searchParams.set("pipeline", pipeline)
  return url.toString()
}

/** The Authorization header of the config, if any. */
export const authHeaders = (auth: Config["auth"]): Record<string, string> => {
  if (auth === undefined) return {}
  if ("apiKey" in auth) return { authorization: `ApiKey ${auth.apiKey}` }
  if ("bearer" in auth) return { authorization: `Bearer ${auth.bearer}` }
  return {
    authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`
  }
}
