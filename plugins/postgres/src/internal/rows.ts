/**
 * Events as rows: the extracted columns and the whole event as JSON text for the `jsonb`
 * column, made safe for PostgreSQL, which refuses in `text` the NUL character and in `jsonb`
 * the `\u0000` escape and unpaired surrogate escapes (each becomes U+FFFD, the replacement
 * character, so one hostile value never costs a batch).
 */
import { randomUUID } from "node:crypto"
import { Formatter, type LogEvent } from "fapilog"

/** The rows of one batch, column by column (the parameters of one `unnest` insert). */
export interface Rows {
  readonly id: Array<string>
  readonly timestamp: Array<string>
  readonly level: Array<string>
  readonly logger: Array<string>
  readonly message: Array<string>
  readonly correlationId: Array<string | null>
  readonly traceId: Array<string | null>
  readonly spanId: Array<string | null>
  readonly event: Array<string>
}

const columns = [
  "id",
  "timestamp",
  "level",
  "logger",
  "message",
  "correlationId",
  "traceId",
  "spanId",
  "event"
] as const

/** The UTC days (YYYY-MM-DD) of the batch's timestamps. */
export const daysOf = (rows: Rows): Set<string> => new Set(rows.timestamp.map((t) => t.slice(0, 10)))

/**
 * The request body of a batch: its rows as JSON, ids included, so that a retry, or a replay
 * from the spool after a restart, inserts the very same rows (and ON CONFLICT skips those
 * already in).
 */
export const encodeRows = (rows: Rows): string => JSON.stringify(rows)

/** The rows of a request body; throws on a body that is not one (it would be refused for good). */
export const decodeRows = (body: Uint8Array): Rows => {
  const value = JSON.parse(
    Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")
  ) as unknown
  const rows = value as Record<string, unknown>
  const n = Array.isArray(rows?.id) ? rows.id.length : -1
  for (const c of columns)
    if (!Array.isArray(rows?.[c]) || (rows[c] as Array<unknown>).length !== n)
      throw new TypeError(`not a batch of rows: column ${c} missing or of another length`)
  return value as Rows
}

/** Text PostgreSQL accepts: NUL replaced. */
export const safeText = (s: string): string => (s.includes("\0") ? s.replace(/\0/g, "\uFFFD") : s)

/** JSON text `jsonb` accepts: `\u0000` and unpaired surrogate escapes replaced by `\ufffd`. */
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

/** The rows of `events`; an event without an id gets one now (kept with the batch for its retries). */
export const rowsOf = (events: ReadonlyArray<LogEvent.LogEvent>): Rows => {
  const rows: Rows = {
    id: [],
    timestamp: [],
    level: [],
    logger: [],
    message: [],
    correlationId: [],
    traceId: [],
    spanId: [],
    event: []
  }
  for (const e of events) {
    rows.id.push(safeText(e.id ?? randomUUID()))
    rows.timestamp.push(e.timestamp)
    rows.level.push(e.level)
    rows.logger.push(safeText(e.logger))
    rows.message.push(safeText(e.message))
    rows.correlationId.push(e.correlationId === undefined ? null : safeText(e.correlationId))
    rows.traceId.push(e.traceId === undefined ? null : safeText(e.traceId))
    rows.spanId.push(e.spanId === undefined ? null : safeText(e.spanId))
    rows.event.push(safeJson(Formatter.json.format(e)))
  }
  return rows
}
