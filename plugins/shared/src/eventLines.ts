/**
 * A request body that keeps each event's id, level and JSON line, for the plugins that publish
 * one message per event (NATS, Redis Streams): encoded once per request, and decoded by the
 * transport on every attempt, so a retry, or a replay from the spool after a restart, sends the
 * very same messages with the very same ids (what the destination de-duplicates by).
 *
 * One line per event: the id as a JSON string, a tab, the level, a tab, the event's JSON line.
 * A JSON string has no raw tab or newline, a level name has neither, and fapilog's JSON line
 * has no raw newline, so the first two tabs and the newlines are the separators.
 */
import { randomUUID } from "node:crypto"
import { Formatter, type LogEvent } from "fapilog"

/** One event of a body: its stable id, its level and its JSON line. */
export interface EventLine {
  readonly id: string
  readonly level: string
  readonly json: string
}

/** The body of `events`; an event without an id gets one now (kept in the body for its retries). */
export const encodeEventLines = (events: ReadonlyArray<LogEvent.LogEvent>): string => {
  let out = ""
  for (const e of events)
    out += `${JSON.stringify(e.id ?? randomUUID())}\t${e.level}\t${Formatter.json.format(e)}\n`
  return out
}

/** The events of a body made by {@link encodeEventLines}; throws on text that is not one. */
export const decodeEventLines = (text: string): Array<EventLine> => {
  const out: Array<EventLine> = []
  let start = 0
  while (start < text.length) {
    let end = text.indexOf("\n", start)
    if (end < 0) end = text.length
    const first = text.indexOf("\t", start)
    const second = first < 0 ? -1 : text.indexOf("\t", first + 1)
    if (first < 0 || second < 0 || second > end)
      throw new TypeError(
        `not an event line at offset ${start}: a JSON id, a level and the event, tab-separated`
      )
    const id = JSON.parse(text.slice(start, first)) as unknown
    if (typeof id !== "string") throw new TypeError(`not an event id at offset ${start}`)
    out.push({ id, level: text.slice(first + 1, second), json: text.slice(second + 1, end) })
    start = end + 1
  }
  return out
}

/** UTF-8 text of a body's bytes. */
export const bodyText = (body: Uint8Array): string =>
  Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")
