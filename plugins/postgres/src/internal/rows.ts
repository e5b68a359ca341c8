/**
 * Events as rows: the extracted columns and the whole event, as JSON PostgreSQL accepts,
 * which refuses the `\u0000` escape and unpaired surrogate escapes in `json` it turns into
 * `text` or `jsonb` (each becomes U+FFFD, the replacement character, so one hostile value
 * never costs a batch).
 */
import { randomUUID } from "node:crypto"
import { Formatter, type LogEvent } from "fapilog"
import { bufferView } from "../../../shared/src/bodyBuffer.js"

/**
 * A request body: one line of JSON naming the UTC days (YYYY-MM-DD) of the batch's
 * timestamps (for daily partitions), a newline, then the rows as one JSON array, each row an
 * object of the extracted columns and the event itself (`json_to_recordset` reads it as it
 * is). The ids are in the body, so that a retry, or a replay from the spool after a restart,
 * inserts the very same rows (and ON CONFLICT skips those already in).
 */
export interface Batch {
  /** The UTC days of the batch's timestamps. */
  readonly days: ReadonlyArray<string>
  /**
   * The rows: a JSON array in UTF-8, which PostgreSQL's `json` accepts as it is (sent in the
   * binary format, which for `json` is its text).
   */
  readonly rows: Buffer
}

const DAY = /^\d{4}-\d\d-\d\d$/

/** The body of a batch (see {@link Batch}). */
export const encodeBatch = (events: ReadonlyArray<LogEvent.LogEvent>): string => {
  const days = new Set<string>()
  const rows = new Array<string>(events.length)
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as LogEvent.LogEvent
    const day = e.timestamp.slice(0, 10)
    if (DAY.test(day)) days.add(day)
    // an event without an id gets one now, kept with the batch for its retries
    let row = `{"id":${JSON.stringify(e.id ?? randomUUID())},"timestamp":${JSON.stringify(e.timestamp)},"level":${JSON.stringify(e.level)},"logger":${JSON.stringify(e.logger)},"message":${JSON.stringify(e.message)}`
    if (e.correlationId !== undefined) row += `,"correlationId":${JSON.stringify(e.correlationId)}`
    if (e.traceId !== undefined) row += `,"traceId":${JSON.stringify(e.traceId)}`
    if (e.spanId !== undefined) row += `,"spanId":${JSON.stringify(e.spanId)}`
    rows[i] = `${row},"event":${Formatter.json.format(e)}}`
  }
  // one join, not a rope of thousands of pieces; JSON.stringify writes NUL and lone
  // surrogates as \u escapes, which PostgreSQL refuses
  return `${JSON.stringify({ days: [...days] })}\n${safeJson(`[${rows.join(",")}]`)}`
}

/** The batch of a request body; throws on a body that is not one (it would be refused for good). */
export const decodeBatch = (body: Uint8Array): Batch => {
  const bytes = bufferView(body)
  const newline = bytes.indexOf(10)
  const header =
    newline < 0 ? undefined : (JSON.parse(bytes.toString("utf8", 0, newline)) as { days?: unknown } | null)
  const days = header?.days
  if (!Array.isArray(days) || !days.every((d) => typeof d === "string" && DAY.test(d)))
    throw new TypeError("not a batch of rows: no header line naming its days")
  const rows = bytes.subarray(newline + 1)
  if (rows[0] !== 0x5b || rows[rows.length - 1] !== 0x5d)
    throw new TypeError("not a batch of rows: no JSON array after the header")
  return { days, rows }
}

/** JSON text PostgreSQL accepts in `jsonb` and turns into `text`: `\u0000` and unpaired surrogate escapes replaced by `\ufffd`. */
export const safeJson = (json: string): string => {
  if (!json.includes("\\u")) return json
  let out = ""
  let last = 0
  for (let i = 0; i < json.length; i++) {
    if (json.charCodeAt(i) !== 92) continue
    // a backslash: an escape of one character, or \uXXXX
    if (json[i + 1] !== "u") {
      i++
      continue
    }
    const code = Number.parseInt(json.slice(i + 2, i + 6), 16)
    let bad = code === 0 || (code >= 0xdc00 && code <= 0xdfff)
    if (code >= 0xd800 && code <= 0xdbff) {
      const low =
        json.slice(i + 6, i + 8) === "\\u" ? Number.parseInt(json.slice(i + 8, i + 12), 16) : Number.NaN
      if (low >= 0xdc00 && low <= 0xdfff) {
        i += 11
        continue
      }
      bad = true
    }
    if (bad) {
      out += `${json.slice(last, i)}\\ufffd`
      last = i + 6
    }
    i += 5
  }
  return out + json.slice(last)
}
