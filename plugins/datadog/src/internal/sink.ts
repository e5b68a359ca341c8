import { gzip } from "node:zlib"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, type LogEvent, Network, type Plugin } from "fapilog"
import { type Config, endpointOf, LIMITS } from "./config.js"
import { EntryEncoder, encodeEntries } from "./entries.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  site: "datadoghq.com" as const,
  ddsource: "nodejs",
  compression: "gzip" as const,
  maxEvents: LIMITS.maxEntries,
  maxBytes: LIMITS.maxRequestBytes
})

/**
 * What each answer of the logs intake means (Datadog's API reference for `POST /api/v2/logs`):
 * 202 taken; 408, 429 and 5xx retried (429 and 503 after their Retry-After); 400 (a body the
 * intake cannot read), 401/403 (the API key), 413 (over the limits) refused for good.
 */
export const failureOf = (
  status: number,
  text: string,
  retryAfter: string | null
): Network.TransportFailure | undefined => {
  if (status >= 200 && status < 300) return undefined
  const detail = `HTTP ${status}${text === "" ? "" : `: ${text.slice(0, 300)}`}`
  if (status === 429 || status === 503)
    return { _tag: "Retryable", detail, retryAfterMs: Network.parseRetryAfter(retryAfter) }
  if (status === 408 || status >= 500) return { _tag: "Retryable", detail }
  if (status === 401 || status === 403)
    return {
      _tag: "Permanent",
      detail: `${detail} (the API key is missing, invalid or not allowed to send logs)`
    }
  return { _tag: "Permanent", detail }
}

const gzipped = (body: Uint8Array): Promise<Buffer> =>
  new Promise((resolve, reject) => gzip(body, (e, out) => (e === null ? resolve(out) : reject(e))))

const describe = (e: unknown): string => {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message
  }
  return String(e)
}

/**
 * The intake transport: the request's uncompressed JSON (what the network foundation sized,
 * split and spooled, so the 5 MB limit holds on the uncompressed bytes, as Datadog counts
 * them) compressed for each attempt and posted with the API key.
 */
export const intakeTransport = (options: {
  readonly url: string
  readonly apiKey: string
  readonly compression: "gzip" | "none"
}): Network.Transport => ({
  send: (request) =>
    Effect.tryPromise({
      try: async (signal) => {
        const body = options.compression === "gzip" ? await gzipped(request.body) : request.body
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "dd-api-key": options.apiKey
        }
        if (options.compression === "gzip") headers["content-encoding"] = "gzip"
        const answer = await Network.post(options.url, { body, headers, signal })
        return failureOf(answer.status, answer.text, answer.retryAfter)
      },
      catch: (cause): Network.TransportFailure => ({
        _tag: "Retryable",
        detail: `request failed: ${describe(cause)}`,
        cause
      })
    }).pipe(Effect.flatMap((failure) => (failure === undefined ? Effect.void : Effect.fail(failure))))
})

/** The encoder of one sink: events of a request to the JSON array of their entries. */
export const makeEncoder = (
  config: Config,
  context: Pick<Plugin.Context, "service">
): ((events: ReadonlyArray<LogEvent.LogEvent>) => Network.Request) => {
  const encoder = new EntryEncoder({
    ddsource: config.ddsource ?? defaults.ddsource,
    ddtags: typeof config.ddtags === "string" ? config.ddtags : config.ddtags?.join(","),
    hostname: config.hostname,
    service: config.service ?? context.service
  })
  return (events) => ({ body: encodeEntries(encoder, events), contentType: "application/json" })
}

/** Opens the Datadog sink: the entries above, delivered through fapilog's network sink. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> => {
  const url = endpointOf(config)
  const options = Network.optionsFromConfig(config)
  return Network.make({
    ...options,
    batch: {
      ...options.batch,
      maxEvents: config.batch?.maxEvents ?? defaults.maxEvents,
      maxBytes: config.batch?.maxBytes ?? defaults.maxBytes
    },
    name: `datadog:${new URL(url).origin}`,
    transport: intakeTransport({
      url,
      apiKey: config.apiKey,
      compression: config.compression ?? defaults.compression
    }),
    encode: makeEncoder(config, context),
    report: context.report
  })
}
