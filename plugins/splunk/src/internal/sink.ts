import { randomUUID } from "node:crypto"
import * as os from "node:os"
import { setTimeout as sleep } from "node:timers/promises"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, Formatter, type LogEvent, Network, type Plugin } from "fapilog"
import { type Config, collectorUrl } from "./config.js"
import { acknowledged, type Metadata, makeEventBody, makeRawBody, rawQuery, readAnswer } from "./hec.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  endpoint: "event" as const,
  sourcetype: "_json",
  ackTimeoutMs: 30_000,
  ackPollMs: 500,
  timeoutMs: 10_000
})

/** The sink's name in diagnostics: the collector, never the token. */
export const nameOf = (config: Config): string =>
  `splunk:${collectorUrl(config.url)}/${config.endpoint ?? defaults.endpoint}`

/** The metadata of the sink's events: settings, else the logger's name and this host. */
export const metadataOf = (config: Config, context: Pick<Plugin.Context, "logger">): Metadata => ({
  host: config.host ?? os.hostname(),
  source: config.source ?? context.logger,
  sourcetype: config.sourcetype ?? defaults.sourcetype,
  index: config.index
})

/** The encoder of one sink: events to an event-endpoint or raw body. */
export const makeEncoder = (
  endpoint: "event" | "raw",
  meta: Metadata
): ((events: ReadonlyArray<LogEvent.LogEvent>) => Network.Request) => {
  if (endpoint === "raw") {
    const body = makeRawBody(Formatter.json)
    return (events) => ({ body: body(events), contentType: "text/plain; charset=utf-8" })
  }
  const body = makeEventBody(Formatter.json, meta)
  return (events) => ({ body: body(events), contentType: "application/json" })
}

/** An attempt that did not deliver: retried (busy, away, not acknowledged in time) or refused for good. */
class HecFailure extends Error {
  constructor(
    readonly retryable: boolean,
    message: string,
    readonly retryAfterMs?: number | undefined
  ) {
    super(message)
  }
}

const describe = (e: unknown): string => {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message
  }
  return String(e)
}

/**
 * The HEC transport: posts each request with `Authorization: Splunk <token>` and the channel;
 * with `ack`, waits for the indexers' acknowledgement of its ackId (polling
 * `/services/collector/ack`) and, when it does not come within `timeoutMs`, fails the attempt
 * as retryable, so the same request is sent again.
 */
export const makeTransport = (options: {
  readonly url: string
  readonly ackUrl: string
  readonly headers: Readonly<Record<string, string>>
  readonly ack: { readonly timeoutMs: number; readonly pollMs: number } | undefined
  /** Time limit of one HTTP exchange. */
  readonly httpTimeoutMs: number
  readonly report: (message: string, error?: unknown) => void
}): Network.Transport => {
  const post = (url: string, body: Uint8Array | string, contentType: string, signal: AbortSignal) =>
    Network.post(url, {
      body,
      headers: { ...options.headers, "content-type": contentType },
      signal: AbortSignal.any([signal, AbortSignal.timeout(options.httpTimeoutMs)])
    })

  /** Resolves once `ackId` is acknowledged; throws a retryable failure when it is not within the timeout. */
  const awaitAck = async (ackId: number, ack: { timeoutMs: number; pollMs: number }, signal: AbortSignal) => {
    const deadline = Date.now() + ack.timeoutMs
    const body = JSON.stringify({ acks: [ackId] })
    let last = "no answer yet"
    while (Date.now() < deadline) {
      await sleep(Math.min(ack.pollMs, Math.max(0, deadline - Date.now())), undefined, { signal })
      try {
        const answer = await post(options.ackUrl, body, "application/json", signal)
        if (answer.status === 200 && acknowledged(answer.text, ackId)) return
        last = answer.status === 200 ? "not yet" : `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`
      } catch (e) {
        if (signal.aborted) throw e
        last = describe(e)
      }
    }
    throw new HecFailure(
      true,
      `ackId ${ackId} not acknowledged within ${ack.timeoutMs} ms (last poll: ${last}); the request is sent again`
    )
  }

  return {
    send: (request) =>
      Effect.tryPromise({
        try: async (signal) => {
          const answer = await post(options.url, request.body, request.contentType, signal)
          const hec = readAnswer(answer.text)
          const detail = `HTTP ${answer.status}${
            hec.text === undefined
              ? answer.text === ""
                ? ""
                : `: ${answer.text.slice(0, 200)}`
              : `: ${hec.text}`
          }${hec.code === undefined ? "" : ` (code ${hec.code})`}`
          if (answer.status >= 200 && answer.status < 300) {
            if (options.ack === undefined) return
            if (hec.ackId === undefined) {
              options.report(
                "ack is on but the collector's answer has no ackId (is indexer acknowledgement enabled for the token?); delivered unacknowledged"
              )
              return
            }
            await awaitAck(hec.ackId, options.ack, signal)
            return
          }
          // 503 is HEC's "server is busy" (code 9), with or without Retry-After
          if (answer.status === 429 || answer.status === 503)
            throw new HecFailure(true, detail, Network.parseRetryAfter(answer.retryAfter))
          if (answer.status === 408 || answer.status >= 500) throw new HecFailure(true, detail)
          // 400 invalid data format (6), no data (5), event field required (12); 401/403 token (2, 3, 4, 1)
          throw new HecFailure(false, detail)
        },
        catch: (cause): Network.TransportFailure =>
          cause instanceof HecFailure
            ? cause.retryable
              ? { _tag: "Retryable", detail: cause.message, retryAfterMs: cause.retryAfterMs }
              : { _tag: "Permanent", detail: cause.message }
            : { _tag: "Retryable", detail: `request failed: ${describe(cause)}`, cause }
      })
  }
}

/** Opens the Splunk sink: HEC bodies delivered through fapilog's network sink. */
export const make = (
  config: Config,
  context: Plugin.Context
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> => {
  const endpoint = config.endpoint ?? defaults.endpoint
  const meta = metadataOf(config, context)
  const base = collectorUrl(config.url)
  const url = endpoint === "raw" ? `${base}/raw?${rawQuery(meta)}` : `${base}/event`
  const timeoutMs = config.timeoutMs ?? defaults.timeoutMs
  const ack =
    config.ack === true
      ? {
          timeoutMs: config.ackTimeoutMs ?? defaults.ackTimeoutMs,
          pollMs: config.ackPollMs ?? defaults.ackPollMs
        }
      : undefined
  const { headers: _static, ...delivery } = Network.optionsFromConfig(config)
  return Network.make({
    ...delivery,
    // an attempt is the request and, with ack, the wait for its acknowledgement
    timeoutMs: timeoutMs + (ack?.timeoutMs ?? 0),
    name: nameOf(config),
    transport: makeTransport({
      url,
      ackUrl: `${base}/ack`,
      headers: {
        ...config.headers,
        authorization: `Splunk ${config.token}`,
        "x-splunk-request-channel": config.channel ?? randomUUID()
      },
      ack,
      httpTimeoutMs: timeoutMs,
      report: context.report
    }),
    encode: makeEncoder(endpoint, meta),
    report: context.report
  })
}
