import * as zlib from "node:zlib"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Errors, Formatter, type LogEvent, Network, type Plugin } from "fapilog"
import { actionOf, documentOf, type Item, itemsOf, makeItems, readAnswer, retryable } from "./bulk.js"
import { authHeaders, bulkUrl, type Config, type Layout } from "./config.js"
import { makeIndexName } from "./indexName.js"

/** The defaults of the settings that have one (the README's table). */
export const defaults = Object.freeze({
  index: "fapilog-%{+yyyy.MM.dd}",
  eventLayout: "ecs" as Layout,
  compression: "none" as const,
  deadLetter: "fallback" as const
})

/** Ids of documents dead-lettered in this run: a spooled request replayed later does not write them twice. */
const DEAD_LETTER_MEMORY = 100_000

/** The sink's name in diagnostics: the cluster and index, never credentials or query. */
export const nameOf = (config: Config): string => {
  const url = new URL(config.url)
  return `elasticsearch:${url.origin}${url.pathname.replace(/\/+$/, "")}/${config.dataStream ?? config.index ?? defaults.index}`
}

/** A document Elasticsearch refused for good, and why. */
export interface DeadLetter {
  readonly index: string
  readonly id: string
  readonly status: number
  readonly reason: string
  /** The document line as sent. */
  readonly document: string
}

/**
 * A dead letter as a fapilog JSON line (written where the logger's fallback sink writes a
 * failing sink's events): the reason, the status, where it was going, and the document.
 */
export const deadLetterLine = (sink: string, d: DeadLetter, now: Date = new Date()): string => {
  let document: unknown
  try {
    document = JSON.parse(d.document)
  } catch {
    document = d.document
  }
  const event: LogEvent.LogEvent = {
    timestamp: now.toISOString(),
    level: "error",
    logger: "fapilog.dead-letter",
    message: `${sink} refused a document: ${d.reason}`,
    fields: { sink, status: d.status, reason: d.reason, index: d.index, id: d.id, document }
  }
  return `${Formatter.json.format(event)}\n`
}

/** The encoder of one sink: events to a bulk body (gzipped on request). */
export const makeEncoder = (
  config: Pick<Config, "index" | "dataStream" | "eventLayout" | "compression">
): ((events: ReadonlyArray<LogEvent.LogEvent>) => Network.Request) => {
  const formatter = (config.eventLayout ?? defaults.eventLayout) === "ecs" ? Formatter.ecs() : Formatter.json
  const items = makeItems(formatter, makeIndexName(config.dataStream ?? config.index ?? defaults.index))
  return config.compression === "gzip"
    ? (events) => ({
        body: zlib.gzipSync(items(events).join("")),
        contentType: "application/x-ndjson",
        headers: { "content-encoding": "gzip" }
      })
    : (events) => ({ body: items(events).join(""), contentType: "application/x-ndjson" })
}

/** What one attempt made of the items it sent. */
interface Round {
  /** Items to send again (429, 5xx, or the whole request when the cluster was away or busy). */
  readonly retry: Array<Item>
  readonly refused: Array<DeadLetter>
  /** Why items are to be retried, and how long the cluster asked to wait. */
  readonly detail: string | undefined
  readonly retryAfterMs: number | undefined
}

/** A request's items still to send after an attempt that delivered part of it, and its refusals so far. */
interface Pending {
  readonly items: Array<Item>
  readonly refused: number
  readonly reasons: ReadonlyArray<string>
}

const describe = (e: unknown): string => {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message
  }
  return String(e)
}

const isGzipped = (request: Network.Encoded): boolean =>
  request.headers?.["content-encoding"]?.toLowerCase() === "gzip"

const textOf = (request: Network.Encoded): string =>
  (isGzipped(request) ? zlib.gunzipSync(request.body) : Buffer.from(request.body)).toString("utf8")

/**
 * The bulk transport: posts a request's body to `_bulk`, reads the answer item by item, and
 * keeps, per request, only the items still to deliver: a retry sends those alone. Documents
 * refused for good are handed to `deadLetter` once and counted as refused when the request
 * is done (`Network.Refused`).
 */
export const makeTransport = (options: {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly deadLetter: (d: DeadLetter) => void
  readonly report: (message: string, error?: unknown) => void
}): Network.Transport => {
  const pending = new WeakMap<Uint8Array, Pending>()
  const deadLettered = new Set<string>()
  const letter = (d: DeadLetter) => {
    const key = `${d.index}\n${d.id}`
    if (deadLettered.has(key)) return
    if (deadLettered.size >= DEAD_LETTER_MEMORY) deadLettered.clear()
    deadLettered.add(key)
    try {
      options.deadLetter(d)
    } catch (e) {
      options.report("cannot write a dead letter", e)
    }
  }

  const post = (body: Uint8Array | string, gzipped: boolean, signal: AbortSignal): Promise<Network.Answer> =>
    Network.post(options.url, {
      body,
      headers: {
        ...options.headers,
        "content-type": "application/x-ndjson",
        ...(gzipped ? { "content-encoding": "gzip" } : {})
      },
      signal
    })

  const refuseAll = (items: ReadonlyArray<Item>, status: number, reason: string): Round => ({
    retry: [],
    refused: items.map((item) => ({ ...actionOf(item), status, reason, document: documentOf(item) })),
    detail: undefined,
    retryAfterMs: undefined
  })

  /**
   * One attempt at `items` (or the request's whole body, `items` read from it only when needed):
   * a 413 splits them in halves, each sent in turn (one document alone too large is refused).
   */
  const attempt = async (
    items: () => Array<Item>,
    count: number,
    body: { readonly bytes: Uint8Array | string; readonly gzipped: boolean },
    signal: AbortSignal
  ): Promise<Round> => {
    const answer = await post(body.bytes, body.gzipped, signal)
    const { status, text } = answer
    const detail = `HTTP ${status}${text === "" ? "" : `: ${text.slice(0, 200)}`}`
    if (status >= 200 && status < 300) {
      const outcomes = readAnswer(text, count)
      if (typeof outcomes === "string") {
        // the cluster took the request (2xx); a proxy's answer without items is believed
        options.report(
          `${count} document(s) taken by a 2xx answer that cannot be read item by item: ${outcomes}`
        )
        return { retry: [], refused: [], detail: undefined, retryAfterMs: undefined }
      }
      if (outcomes.every((o) => o._tag === "Delivered"))
        return { retry: [], refused: [], detail: undefined, retryAfterMs: undefined }
      const all = items()
      const retry: Array<Item> = []
      const refused: Array<DeadLetter> = []
      const reasons = new Set<string>()
      outcomes.forEach((o, i) => {
        if (o._tag === "Retry") {
          retry.push(all[i]!)
          reasons.add(`${o.status}: ${o.reason}`)
        } else if (o._tag === "Refused")
          refused.push({
            ...actionOf(all[i]!),
            status: o.status,
            reason: o.reason,
            document: documentOf(all[i]!)
          })
      })
      return {
        retry,
        refused,
        detail:
          retry.length === 0
            ? undefined
            : `${retry.length} of ${count} item(s) to retry (${[...reasons].slice(0, 3).join("; ")})`,
        retryAfterMs: undefined
      }
    }
    if (status === 413) {
      const all = items()
      if (all.length === 1)
        return refuseAll(
          all,
          413,
          "the document alone is larger than the cluster takes (http.max_content_length)"
        )
      const half = Math.ceil(all.length / 2)
      const rounds: Array<Round> = []
      for (const part of [all.slice(0, half), all.slice(half)])
        rounds.push(await attempt(() => part, part.length, encodeBody(part, body.gzipped), signal))
      return {
        retry: rounds.flatMap((r) => r.retry),
        refused: rounds.flatMap((r) => r.refused),
        detail: rounds.find((r) => r.detail !== undefined)?.detail,
        retryAfterMs: rounds.find((r) => r.retryAfterMs !== undefined)?.retryAfterMs
      }
    }
    if (status === 408 || retryable(status))
      return {
        retry: items(),
        refused: [],
        detail,
        retryAfterMs:
          status === 429 || status === 503 ? Network.parseRetryAfter(answer.retryAfter) : undefined
      }
    // 400 (a body the cluster cannot read), 401/403 (credentials), 404 (no such pipeline)...
    return refuseAll(items(), status, detail)
  }

  /** A body of `items`, compressed as the request they come from was. */
  const encodeBody = (items: ReadonlyArray<Item>, gzipped: boolean) => ({
    bytes: gzipped ? zlib.gzipSync(items.join("")) : items.join(""),
    gzipped
  })

  return {
    send: (request) =>
      Effect.tryPromise({
        try: async (signal): Promise<Network.Refused | undefined> => {
          const before = pending.get(request.body)
          const gzipped = isGzipped(request)
          let parsed: Array<Item> | undefined
          const all = () => {
            parsed ??= itemsOf(textOf(request))
            return parsed
          }
          const round =
            before === undefined
              ? await attempt(all, request.events, { bytes: request.body, gzipped }, signal)
              : await attempt(
                  () => before.items,
                  before.items.length,
                  encodeBody(before.items, gzipped),
                  signal
                )
          for (const d of round.refused) letter(d)
          const refused = (before?.refused ?? 0) + round.refused.length
          const reasons = [
            ...(before?.reasons ?? []),
            ...new Set(round.refused.map((d) => `${d.status} ${d.reason}`))
          ]
          if (round.retry.length > 0) {
            pending.set(request.body, { items: round.retry, refused, reasons })
            throw new RetryLater(round.detail ?? "items to retry", round.retryAfterMs)
          }
          pending.delete(request.body)
          if (refused === 0) return undefined
          return {
            _tag: "Refused",
            events: refused,
            detail: `${refused} document(s) refused and dead-lettered: ${reasons.slice(0, 3).join("; ")}`
          }
        },
        catch: (cause): Network.TransportFailure =>
          cause instanceof RetryLater
            ? { _tag: "Retryable", detail: cause.message, retryAfterMs: cause.retryAfterMs }
            : { _tag: "Retryable", detail: `request failed: ${describe(cause)}`, cause }
      })
  }
}

/** Items of a request still to deliver: a retryable failure carrying its delay. */
class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined
  ) {
    super(message)
  }
}

/** Opens the Elasticsearch sink: bulk bodies delivered through fapilog's network sink. */
export const make = (
  config: Config,
  context: Plugin.Context,
  /** Where dead letters go instead of what `deadLetter` says (tests). */
  deadLetterTo?: (d: DeadLetter) => void
): Effect.Effect<Network.NetworkSink, Errors.SinkError, Scope.Scope> => {
  const name = nameOf(config)
  const target = config.deadLetter ?? defaults.deadLetter
  const { headers: _static, ...delivery } = Network.optionsFromConfig(config)
  return Network.make({
    ...delivery,
    name,
    transport: makeTransport({
      url: bulkUrl(config.url, config.pipeline),
      headers: { ...config.headers, ...authHeaders(config.auth) },
      deadLetter:
        deadLetterTo ??
        ((d) => {
          if (target === "fallback") context.fallback(deadLetterLine(name, d))
          else if (target === "stderr") process.stderr.write(deadLetterLine(name, d))
        }),
      report: context.report
    }),
    encode: makeEncoder(config),
    report: context.report
  })
}
