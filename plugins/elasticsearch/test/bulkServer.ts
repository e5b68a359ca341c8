/**
 * A local stand-in for an Elasticsearch cluster's `_bulk` endpoint, written from the
 * documented API (Elasticsearch reference, "Bulk API"): no Elasticsearch runs on these
 * machines (neither Debian nor npm has one). It reads the body as NDJSON (gzip when
 * `Content-Encoding: gzip`), action and document lines in pairs; keeps the documents it
 * creates by index and `_id`; and answers as a cluster does:
 *
 * - 200 `{"took","errors","items":[{"create":{"_index","_id","status","result"|"error"}}]}`,
 *   one item per action, in order; `errors` true when any item failed;
 * - 201 per created document, 409 `version_conflict_engine_exception` for a `create` of an
 *   `_id` it already holds (nothing written twice);
 * - per-item failures the test asks for (`itemStatus`): 400 `mapper_parsing_exception`,
 *   429 `es_rejected_execution_exception`, 503 `unavailable_shards_exception`...;
 * - 413 (no body) for a request over `maxContentLength` bytes (`http.max_content_length`);
 * - 400 `illegal_argument_exception` for a body that is not NDJSON pairs (malformed action,
 *   a last line without its newline), 401 without the expected Authorization header;
 * - any whole-request status the test asks for first (`answer`: 429 with Retry-After...).
 */
import * as zlib from "node:zlib"
import { type Answer, listen, type Received, type Receiver } from "../../../test/internal/networkServer.js"

export interface Document {
  readonly index: string
  readonly id: string
  readonly source: Record<string, unknown>
}

export interface BulkServer {
  readonly receiver: Receiver
  readonly port: number
  /** Documents created, in the order they were created. */
  readonly documents: Array<Document>
  /** The answers given, as parsed JSON (bulk answers only). */
  readonly answers: Array<unknown>
  readonly stop: () => Promise<void>
}

export interface BulkServerOptions {
  /** A whole-request answer instead of processing (the n-th request, 0-based); undefined: process it. */
  readonly answer?: ((request: Received, n: number) => Answer | undefined) | undefined
  /** A per-item status instead of creating it (undefined: create it); `attempt` counts sends of that `_id`. */
  readonly itemStatus?: ((doc: Document, attempt: number) => number | undefined) | undefined
  /** The Authorization header required (401 otherwise). */
  readonly authorization?: string | undefined
  /** Process the n-th request (0-based), then answer 502 in place of the cluster's answer (a proxy losing it). */
  readonly dropAnswer?: ((n: number) => boolean) | undefined
  /** `http.max_content_length` in bytes (default 100 MiB). */
  readonly maxContentLength?: number | undefined
}

const errorOf = (status: number, doc: Document): { type: string; reason: string } => {
  switch (status) {
    case 400:
      return {
        type: "mapper_parsing_exception",
        reason: `failed to parse field [status] of type [long] in document with id '${doc.id}'`
      }
    case 429:
      return {
        type: "es_rejected_execution_exception",
        reason: "rejected execution of coordinating operation"
      }
    case 503:
      return { type: "unavailable_shards_exception", reason: `[${doc.index}][0] primary shard is not active` }
    default:
      return { type: "exception", reason: `status ${status}` }
  }
}

/** The answer to one bulk body, creating what it may in `documents`. */
export const bulkAnswer = (
  text: string,
  documents: Array<Document>,
  held: Map<string, Document>,
  attempts: Map<string, number>,
  itemStatus: BulkServerOptions["itemStatus"]
): Answer => {
  const lines = text.split("\n")
  if (lines.at(-1) !== "") return illegal("The bulk request must be terminated by a newline [\\n]")
  lines.pop()
  if (lines.length % 2 !== 0) return illegal("Validation Failed: 1: no requests added;")
  const items: Array<unknown> = []
  let errors = false
  for (let i = 0; i < lines.length; i += 2) {
    let action: { create?: { _index?: string; _id?: string } }
    let source: Record<string, unknown>
    try {
      action = JSON.parse(lines[i]!) as typeof action
      source = JSON.parse(lines[i + 1]!) as Record<string, unknown>
    } catch {
      return illegal(`Malformed action/metadata line [${i + 1}]`)
    }
    if (action.create === undefined || typeof action.create._index !== "string")
      return illegal(`Malformed action/metadata line [${i + 1}], expected a create with an _index`)
    const doc: Document = { index: action.create._index, id: String(action.create._id ?? ""), source }
    const key = `${doc.index}/${doc.id}`
    const attempt = (attempts.get(key) ?? 0) + 1
    attempts.set(key, attempt)
    const status = itemStatus?.(doc, attempt)
    if (status !== undefined) {
      errors = true
      items.push({ create: { _index: doc.index, _id: doc.id, status, error: errorOf(status, doc) } })
    } else if (held.has(key)) {
      errors = true
      items.push({
        create: {
          _index: doc.index,
          _id: doc.id,
          status: 409,
          error: {
            type: "version_conflict_engine_exception",
            reason: `[${doc.id}]: version conflict, document already exists (current version [1])`
          }
        }
      })
    } else {
      held.set(key, doc)
      documents.push(doc)
      items.push({ create: { _index: doc.index, _id: doc.id, _version: 1, result: "created", status: 201 } })
    }
  }
  return {
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ took: 3, errors, items })
  }
}

const illegal = (reason: string): Answer => ({
  status: 400,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    error: {
      root_cause: [{ type: "illegal_argument_exception", reason }],
      type: "illegal_argument_exception",
      reason
    },
    status: 400
  })
})

/** The text of a bulk request's body (gunzipped when so encoded). */
export const bodyText = (r: Received): string =>
  (r.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(r.body) : r.body).toString("utf8")

export const startBulkServer = async (options: BulkServerOptions = {}): Promise<BulkServer> => {
  const documents: Array<Document> = []
  const answers: Array<unknown> = []
  const held = new Map<string, Document>()
  const attempts = new Map<string, number>()
  const receiver = await listen({
    answer: (r, n) => {
      const forced = options.answer?.(r, n)
      if (forced !== undefined) return forced
      if (!r.url.startsWith("/_bulk")) return { status: 404 }
      if (options.authorization !== undefined && r.headers.authorization !== options.authorization)
        return {
          status: 401,
          headers: { "www-authenticate": 'Basic realm="security"' },
          body: '{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}'
        }
      if (r.body.byteLength > (options.maxContentLength ?? 100 * 1024 * 1024)) return { status: 413 }
      const answer = bulkAnswer(bodyText(r), documents, held, attempts, options.itemStatus)
      if (answer !== "hang" && answer.body !== undefined) answers.push(JSON.parse(answer.body))
      return options.dropAnswer?.(n) === true ? { status: 502, body: "Bad Gateway" } : answer
    }
  })
  return { receiver, port: receiver.port, documents, answers, stop: receiver.stop }
}
