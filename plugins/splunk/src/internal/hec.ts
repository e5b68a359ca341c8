/**
 * The HTTP Event Collector's two body forms and its answers. The event endpoint
 * (`/services/collector/event`) takes JSON envelopes, one per event, one after the other:
 * `{"time":1767323045.006,"host":"web-1","source":"app","sourcetype":"_json","index":"main","event":{...}}`,
 * `time` in epoch seconds with milliseconds. The raw endpoint (`/services/collector/raw`) takes
 * the lines as they are, its metadata in the query string. Every answer is
 * `{"text":"Success","code":0}` or an error code (2 token required, 4 invalid token, 6 invalid
 * data format, 9 server busy...), with `"ackId"` when indexer acknowledgement is on.
 */
import { Formatter, type LogEvent } from "fapilog"
import { BodyBuffer } from "../../../shared/src/bodyBuffer.js"
import { isoMillis } from "../../../shared/src/isoTime.js"

/** The metadata of every event of a sink (`index` only when given: the token's default applies otherwise). */
export interface Metadata {
  readonly host: string
  readonly source: string
  readonly sourcetype: string
  readonly index?: string | undefined
}

/** `time` as HEC takes it: epoch seconds with milliseconds (`1767323045.006`); now for a timestamp that is not a date. */
export const epochSeconds = (timestamp: string): string => {
  let ms = isoMillis(timestamp)
  if (!Number.isFinite(ms)) ms = Date.now()
  const whole = Math.floor(ms / 1000)
  const frac = ms - whole * 1000
  return `${whole}.${frac < 10 ? "00" : frac < 100 ? "0" : ""}${frac}`
}

/**
 * Writes event-endpoint bodies into one growing buffer: each event's envelope, its JSON line
 * written as UTF-8 bytes by the core's JSON formatter (`Formatter.writeJson`) for the JSON
 * formatter (any other formatter's line is written as its text), no string made of the body.
 */
class EventBodyWriter extends BodyBuffer {
  body(events: ReadonlyArray<LogEvent.LogEvent>, formatter: Formatter.Formatter, fixed: Uint8Array): Buffer {
    this.pos = 0
    for (const e of events) {
      this.text(`{"time":${epochSeconds(e.timestamp)},`)
      this.bytes(fixed)
      if (formatter === Formatter.json) this.json(e)
      else this.text(formatter.format(e))
      this.byte(0x7d) // }
      this.byte(0x0a) // \n
    }
    return this.take()
  }
}

const eventWriter = new EventBodyWriter()

/** The event endpoint's body: one envelope per event, each on its own line. */
export const makeEventBody = (
  formatter: Formatter.Formatter,
  meta: Metadata
): ((events: ReadonlyArray<LogEvent.LogEvent>) => Uint8Array) => {
  // the metadata is the same for every event: serialized once
  const fixed = Buffer.from(
    `"host":${JSON.stringify(meta.host)},"source":${JSON.stringify(meta.source)},` +
      `"sourcetype":${JSON.stringify(meta.sourcetype)},` +
      (meta.index === undefined ? "" : `"index":${JSON.stringify(meta.index)},`) +
      `"event":`,
    "utf8"
  )
  return (events) => eventWriter.body(events, formatter, fixed)
}

/** The raw endpoint's body: the lines as they are. */
export const makeRawBody =
  (formatter: Formatter.Formatter): ((events: ReadonlyArray<LogEvent.LogEvent>) => string) =>
  (events) => {
    let out = ""
    for (const e of events) out += `${formatter.format(e)}\n`
    return out
  }

/** The raw endpoint's query: the metadata, since a raw body has no envelope. */
export const rawQuery = (meta: Metadata): string => {
  const q = new URLSearchParams({ host: meta.host, source: meta.source, sourcetype: meta.sourcetype })
  if (meta.index !== undefined) q.set("index", meta.index)
  return q.toString()
}

/** A HEC answer's body: `text`, `code` and, with acknowledgement, `ackId`; undefined fields when unreadable. */
export interface HecAnswer {
  readonly text: string | undefined
  readonly code: number | undefined
  readonly ackId: number | undefined
}

export const readAnswer = (body: string): HecAnswer => {
  try {
    const o = JSON.parse(body) as { text?: unknown; code?: unknown; ackId?: unknown }
    return {
      text: typeof o.text === "string" ? o.text : undefined,
      code: typeof o.code === "number" ? o.code : undefined,
      ackId: typeof o.ackId === "number" ? o.ackId : undefined
    }
  } catch {
    return { text: undefined, code: undefined, ackId: undefined }
  }
}

/** Whether the ack endpoint's answer (`{"acks":{"3":true}}`) acknowledges `ackId`. */
export const acknowledged = (body: string, ackId: number): boolean => {
  try {
    const o = JSON.parse(body) as { acks?: Record<string, unknown> }
    return o.acks?.[String(ackId)] === true
  } catch {
    return false
  }
}
