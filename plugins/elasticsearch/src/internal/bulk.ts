/**
 * The `_bulk` API's two halves: the NDJSON body (per event, an action line
 * `{"create":{"_index":...,"_id":...}}` and the document line) and the answer (per item, a
 * status and, when it failed, an error), read into what to do with each item: delivered,
 * retried (429 and 5xx: the cluster was busy or a shard unavailable), or refused for good
 * (a mapping error, a document too large...).
 *
 * Every document is written with op `create` and an `_id` (the event's id, or one made now
 * and kept in the body): a retry, or a replay from the spool, of a document the cluster
 * already holds is answered 409 (version conflict), which counts as delivered; so resending
 * never duplicates a document, even when an answer was lost.
 */
import { randomUUID } from "node:crypto"
import type { Formatter, LogEvent } from "fapilog"

/** One bulk item as encoded: its action and document lines, each ending in `\n`. */
export type Item = string

/** Encodes events into bulk items: `index` names each event's index (or data stream). */
export const makeItems =
  (formatter: Formatter.Formatter, index: (timestamp: string) => string) =>
  (events: ReadonlyArray<LogEvent.LogEvent>): Array<Item> => {
    const out: Array<Item> = new Array(events.length)
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!
      const id = typeof e.id === "string" && e.id !== "" && e.id.length <= 512 ? e.id : randomUUID()
      out[i] =
        `{"create":{"_index":${JSON.stringify(index(e.timestamp))},"_id":${JSON.stringify(id)}}}\n${formatter.format(e)}\n`
    }
    return out
  }

/** The items of a bulk body (pairs of lines); throws on a body that is not one. */
export const itemsOf = (body: string): Array<Item> => {
  const out: Array<Item> = []
  let at = 0
  while (at < body.length) {
    const action = body.indexOf("\n", at)
    const doc = action < 0 ? -1 : body.indexOf("\n", action + 1)
    if (doc < 0) throw new TypeError("not a bulk body: an action line without its document")
    out.push(body.slice(at, doc + 1))
    at = doc + 1
  }
  return out
}

/** The `_index` and `_id` of an item's action line, for dead letters. */
export const actionOf = (item: Item): { readonly index: string; readonly id: string } => {
  try {
    const action = JSON.parse(item.slice(0, item.indexOf("\n"))) as {
      readonly create?: { readonly _index?: unknown; readonly _id?: unknown }
    }
    return { index: String(action.create?._index ?? ""), id: String(action.create?._id ?? "") }
  } catch {
    return { index: "", id: "" }
  }
}

/** The document line of an item. */
export const documentOf = (item: Item): string => item.slice(item.indexOf("\n") + 1, -1)

/** What became of one item of an answer. */
export type ItemOutcome =
  | { readonly _tag: "Delivered" }
  | { readonly _tag: "Retry"; readonly status: number; readonly reason: string }
  | { readonly _tag: "Refused"; readonly status: number; readonly reason: string }

/** Whether an item's status is worth retrying: 429 (too many requests) and 5xx. */
export const retryable = (status: number): boolean => status === 429 || status >= 500

const reasonOf = (error: unknown, status: number): string => {
  if (typeof error === "string") return error
  if (typeof error === "object" && error !== null) {
    const e = error as { readonly type?: unknown; readonly reason?: unknown; readonly caused_by?: unknown }
    const caused =
      typeof e.caused_by === "object" && e.caused_by !== null
        ? (e.caused_by as { reason?: unknown }).reason
        : undefined
    const text = `${String(e.type ?? "error")}: ${String(e.reason ?? "")}`
    return typeof caused === "string" ? `${text} (caused by: ${caused})` : text
  }
  return `status ${status}`
}

/** One item's outcome from its answer (`{ "create": { "status": 201, ... } }`). */
export const outcomeOf = (answer: unknown): ItemOutcome => {
  const result =
    typeof answer === "object" && answer !== null
      ? (Object.values(answer as Record<string, unknown>)[0] as
          | { readonly status?: unknown; readonly error?: unknown }
          | undefined)
      : undefined
  const status = typeof result?.status === "number" ? result.status : 0
  if (status >= 200 && status < 300) return { _tag: "Delivered" }
  // op create: the document is there already (an earlier attempt whose answer was lost)
  if (status === 409) return { _tag: "Delivered" }
  const reason = reasonOf(result?.error, status)
  if (status === 0) return { _tag: "Retry", status, reason: "the answer has no status for this item" }
  return retryable(status) ? { _tag: "Retry", status, reason } : { _tag: "Refused", status, reason }
}

/**
 * The outcome of each item of a 2xx answer, or a string saying why the answer cannot be read
 * item by item (not JSON, no items, another count than was sent).
 */
export const readAnswer = (text: string, sent: number): Array<ItemOutcome> | string => {
  let answer: { readonly errors?: unknown; readonly items?: unknown }
  try {
    answer = JSON.parse(text) as typeof answer
  } catch {
    return "the answer is not JSON"
  }
  if (typeof answer !== "object" || answer === null) return "the answer is not a bulk response"
  if (answer.errors === false) return new Array<ItemOutcome>(sent).fill({ _tag: "Delivered" })
  if (!Array.isArray(answer.items)) return "the answer has no items"
  if (answer.items.length !== sent) return `the answer has ${answer.items.length} items for ${sent} sent`
  return answer.items.map(outcomeOf)
}
