/**
 * A local stand-in for Splunk's HTTP Event Collector, written from its documented API
 * (Splunk docs, "HTTP Event Collector REST API endpoints" and "Troubleshoot HTTP Event
 * Collector": status and error codes): no Splunk runs on these machines (neither Debian nor
 * npm has one). It answers:
 *
 * - `POST /services/collector/event`: a body of JSON envelopes, one after another (with or
 *   without whitespace between them), each with an `event` and optional `time`, `host`,
 *   `source`, `sourcetype`, `index`, `fields`; 200 `{"text":"Success","code":0}`;
 * - `POST /services/collector/raw`: the body's lines as events, the metadata from the query;
 * - 401 `{"text":"Token is required","code":2}` without `Authorization: Splunk <token>`,
 *   403 `{"text":"Invalid token","code":4}` with another token;
 * - 400 `{"text":"Invalid data format","code":6}` for a body that is not envelopes,
 *   `{"text":"No data","code":5}` for an empty one, `{"text":"Event field is required","code":12}`,
 *   `{"text":"Event field cannot be blank","code":13}`;
 * - 503 `{"text":"Server is busy","code":9}` while the test says it is busy;
 * - with indexer acknowledgement on: 400 `{"text":"Data channel is missing","code":10}` without
 *   `X-Splunk-Request-Channel` (or `?channel=`), `"ackId"` in each success (counting from 0 per
 *   channel), and `POST /services/collector/ack` with `{"acks":[ids]}` answered
 *   `{"acks":{"0":true,"1":false}}`, an id true once the test says it is indexed.
 */
import { type Answer, listen, type Received, type Receiver } from "../../../test/internal/networkServer.js"

export interface HecEvent {
  readonly event: unknown
  readonly time?: unknown
  readonly host?: unknown
  readonly source?: unknown
  readonly sourcetype?: unknown
  readonly index?: unknown
  /** The request it came in (0-based), its channel and ackId, if any. */
  readonly request: number
  readonly channel: string | undefined
  readonly ackId: number | undefined
}

export interface HecServer {
  readonly receiver: Receiver
  readonly port: number
  /** Events taken, in order (an event sent again is here twice). */
  readonly events: Array<HecEvent>
  /** Events of acknowledged requests only. */
  readonly indexed: () => Array<HecEvent>
  /** The ack polls received: each `{ channel, acks }`. */
  readonly polls: Array<{ readonly channel: string | undefined; readonly acks: ReadonlyArray<number> }>
  readonly stop: () => Promise<void>
}

export interface HecServerOptions {
  readonly token: string
  /** Indexer acknowledgement enabled for the token. */
  readonly ack?: boolean | undefined
  /** Whether ackId `id` is indexed at its `poll`-th poll (1-based); default: at the first poll. */
  readonly indexedAt?: ((ackId: number, poll: number) => boolean) | undefined
  /** A whole-request answer instead of processing (the n-th request to an event or raw endpoint). */
  readonly answer?: ((request: Received, n: number) => Answer | undefined) | undefined
}

const reply = (status: number, text: string, code: number, more: Record<string, unknown> = {}): Answer => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ text, code, ...more })
})

/** Splits concatenated JSON objects (`{...}{...}` or one per line); undefined when the body is not that. */
export const envelopesOf = (text: string): Array<Record<string, unknown>> | undefined => {
  const out: Array<Record<string, unknown>> = []
  let depth = 0
  let start = -1
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === "\\") i++
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === "{") {
      if (depth === 0) start = i
      depth++
    } else if (c === "}") {
      depth--
      if (depth < 0) return undefined
      if (depth === 0) {
        try {
          out.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>)
        } catch {
          return undefined
        }
      }
    } else if (depth === 0 && !/\s/.test(c!)) return undefined
  }
  return depth === 0 ? out : undefined
}

export const startHecServer = async (options: HecServerOptions): Promise<HecServer> => {
  const events: Array<HecEvent> = []
  const polls: Array<{ channel: string | undefined; acks: ReadonlyArray<number> }> = []
  const nextAck = new Map<string, number>()
  const pollsOf = new Map<string, number>()
  const acked = new Set<string>()
  let n = 0
  const receiver = await listen({
    answer: (r) => {
      const url = new URL(r.url, "http://hec")
      const auth = r.headers.authorization
      if (auth === undefined) return reply(401, "Token is required", 2)
      if (auth !== `Splunk ${options.token}`) return reply(403, "Invalid token", 4)
      const channel =
        (r.headers["x-splunk-request-channel"] as string | undefined) ??
        url.searchParams.get("channel") ??
        undefined
      if (url.pathname === "/services/collector/ack") {
        if (options.ack !== true) return reply(400, "ACK is disabled", 14)
        if (channel === undefined) return reply(400, "Data channel is missing", 10)
        let ids: ReadonlyArray<number>
        try {
          ids = (JSON.parse(r.body.toString("utf8")) as { acks: Array<number> }).acks
          if (!Array.isArray(ids)) throw new Error("no acks")
        } catch {
          return reply(400, "Invalid data format", 6)
        }
        polls.push({ channel, acks: ids })
        const acks: Record<string, boolean> = {}
        for (const id of ids) {
          const key = `${channel}/${id}`
          const poll = (pollsOf.get(key) ?? 0) + 1
          pollsOf.set(key, poll)
          if (!acked.has(key) && (options.indexedAt?.(id, poll) ?? true)) acked.add(key)
          acks[String(id)] = acked.has(key)
        }
        return {
          status: 200,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ acks })
        }
      }
      const raw = url.pathname === "/services/collector/raw"
      if (!raw && url.pathname !== "/services/collector/event" && url.pathname !== "/services/collector")
        return reply(404, "The requested URL was not found on this server.", 404)
      const request = n++
      const forced = options.answer?.(r, request)
      if (forced !== undefined) return forced
      if (options.ack === true && channel === undefined) return reply(400, "Data channel is missing", 10)
      const text = r.body.toString("utf8")
      if (text.trim() === "") return reply(400, "No data", 5)
      let taken: Array<Omit<HecEvent, "request" | "channel" | "ackId">>
      if (raw) {
        const meta = {
          host: url.searchParams.get("host") ?? undefined,
          source: url.searchParams.get("source") ?? undefined,
          sourcetype: url.searchParams.get("sourcetype") ?? undefined,
          index: url.searchParams.get("index") ?? undefined
        }
        taken = text
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => ({ event: line, ...meta }))
      } else {
        const envelopes = envelopesOf(text)
        if (envelopes === undefined) return reply(400, "Invalid data format", 6)
        for (const e of envelopes) {
          if (!("event" in e)) return reply(400, "Event field is required", 12)
          if (e.event === "" || e.event === null) return reply(400, "Event field cannot be blank", 13)
        }
        taken = envelopes as Array<Omit<HecEvent, "request" | "channel" | "ackId">>
      }
      let ackId: number | undefined
      if (options.ack === true && channel !== undefined) {
        ackId = nextAck.get(channel) ?? 0
        nextAck.set(channel, ackId + 1)
      }
      for (const e of taken) events.push({ ...e, request, channel, ackId })
      return ackId === undefined ? reply(200, "Success", 0) : reply(200, "Success", 0, { ackId })
    }
  })
  return {
    receiver,
    port: receiver.port,
    events,
    polls,
    indexed: () => events.filter((e) => e.ackId === undefined || acked.has(`${e.channel}/${e.ackId}`)),
    stop: receiver.stop
  }
}
