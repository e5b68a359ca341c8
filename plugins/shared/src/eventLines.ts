/**
 * A request body that keeps each event's id, level and JSON line, for the plugins that publish
 * one message per event (NATS, Redis Streams): encoded once per request, and read by the
 * transport on every attempt, so a retry, or a replay from the spool after a restart, sends the
 * very same messages with the very same ids (what the destination de-duplicates by).
 *
 * One line per event, UTF-8: the id as a JSON string, a tab, the level, a tab, the event's JSON
 * line, a newline. A JSON string has no raw tab or newline, a level name has neither, and
 * fapilog's JSON line has no raw newline, so the first two tabs and the newlines are the
 * separators; neither byte occurs inside a multi-byte UTF-8 character, so the body is split as
 * bytes. (Redis's sink hands the body as it is to a server-side script that splits it the same
 * way.)
 *
 * The lines are written as bytes straight into one growing buffer (`Formatter.writeJson`, no
 * string made of them), and read back as views of the body.
 */
import { randomUUID } from "node:crypto"
import type { LogEvent } from "fapilog"
import { BodyBuffer, bufferView } from "./bodyBuffer.js"

/** One event of a body: its stable id, its level and its JSON line (UTF-8, a view of the body). */
export interface EventLine {
  readonly id: string
  readonly level: string
  readonly json: Buffer
}

const TAB = 9
const NEWLINE = 10

class LineWriter extends BodyBuffer {
  body(events: ReadonlyArray<LogEvent.LogEvent>): Buffer {
    this.pos = 0
    for (const e of events) {
      this.text(JSON.stringify(e.id ?? randomUUID()))
      this.byte(TAB)
      this.text(e.level)
      this.byte(TAB)
      this.json(e)
      this.byte(NEWLINE)
    }
    return this.take()
  }
}

const writer = new LineWriter()

/** The body of `events`; an event without an id gets one now (kept in the body for its retries). */
export const encodeEventLines = (events: ReadonlyArray<LogEvent.LogEvent>): Buffer => writer.body(events)

/** The events of a body made by {@link encodeEventLines}; throws on bytes that are not one. */
export const decodeEventLines = (bytes: Uint8Array): Array<EventLine> => {
  const body = bufferView(bytes)
  const out: Array<EventLine> = []
  let start = 0
  while (start < body.length) {
    let end = body.indexOf(NEWLINE, start)
    if (end < 0) end = body.length
    const first = body.indexOf(TAB, start)
    const second = first < 0 || first > end ? -1 : body.indexOf(TAB, first + 1)
    if (second < 0 || second > end)
      throw new TypeError(
        `not an event line at offset ${start}: a JSON id, a level and the event, tab-separated`
      )
    let id: unknown
    try {
      id = JSON.parse(body.toString("utf8", start, first))
    } catch {}
    if (typeof id !== "string") throw new TypeError(`not an event id at offset ${start}`)
    out.push({ id, level: body.toString("utf8", first + 1, second), json: body.subarray(second + 1, end) })
    start = end + 1
  }
  return out
}
