/**
 * Events as CloudWatch Logs log events, and a request's events as PutLogEvents calls.
 *
 * A log event is `{ timestamp, message }`: epoch milliseconds and fapilog's JSON line, cut to
 * fit 256 KB with its 26 bytes of overhead (marked, ../../../shared/src/boundedLine.ts). The
 * body of a request is the JSON array of its log events in the order they were written, which
 * is what the network foundation sizes, spools and resends. Per event it is at least 26 bytes
 * longer than its message, so a body within 1,048,576 bytes and 10,000 events of chronological
 * events within 24 hours is one call as it is (`isOneCall`, no message measured).
 *
 * Otherwise the request is sent in several calls (`callRanges`): each within 10,000 events and
 * 1,048,576 bytes as PutLogEvents counts them, chronological and within 24 hours. An event
 * older than the one before it (logged concurrently, a clock set back) starts a new call, so
 * the stream keeps the order of writing and no timestamp is altered.
 */
import { Formatter, type LogEvent } from "fapilog"
import { BodyBuffer, bufferView } from "../../../shared/src/bodyBuffer.js"
import { boundedLine } from "../../../shared/src/boundedLine.js"
import { isoMillis } from "../../../shared/src/isoTime.js"
import { LIMITS } from "./config.js"

/** One log event of PutLogEvents. */
export interface LogEventEntry {
  readonly timestamp: number
  readonly message: string
}

/**
 * A request body (the JSON array of its log events) with where each event is in it and what
 * PutLogEvents counts for it, so that cutting it into calls neither parses nor writes again.
 */
export interface LogEventsBody {
  /** The JSON array of the log events. */
  readonly body: Uint8Array
  /**
   * Where each event's JSON object starts, and the body's length last: event `i` is the
   * bytes from `starts[i]` to `starts[i + 1] - 1` (a comma or the closing bracket follows it).
   */
  readonly starts: Uint32Array
  /** Each event's time (epoch milliseconds). */
  readonly timestamps: Float64Array
  /** What PutLogEvents counts for each event: its UTF-8 message and 26 bytes. */
  readonly sizes: Uint32Array
}

const MAX_MESSAGE_BYTES = LIMITS.maxEventBytes - LIMITS.eventOverhead

/** The time of an event in epoch milliseconds (now, for a time that does not parse). */
const millisOf = (e: LogEvent.LogEvent): number => {
  const t = isoMillis(e.timestamp)
  return Number.isFinite(t) ? t : Date.now()
}

/** The log event of one fapilog event. */
export const logEventOf = (e: LogEvent.LogEvent): LogEventEntry => ({
  timestamp: millisOf(e),
  message: boundedLine(e, MAX_MESSAGE_BYTES)
})

const OPEN_EVENT = Buffer.from('{"timestamp":')
const OPEN_MESSAGE = Buffer.from(',"message":"')
const HEX = Buffer.from("0123456789abcdef")

/**
 * Writes request bodies into one growing buffer (a body is copied out when done): each event's
 * JSON line is written as UTF-8 bytes by the core's JSON formatter (`Formatter.writeJson`) and
 * copied into the body as a JSON string, escaped on the way, with no string made of either.
 */
class BodyWriter extends BodyBuffer {
  private line = Buffer.allocUnsafe(1 << 16)

  /**
   * The event's JSON line as UTF-8 bytes at the start of the line buffer, and their length;
   * -1 when it is over PutLogEvents' 256 KB (it is then cut by `boundedLine`).
   */
  private lineOf(e: LogEvent.LogEvent): number {
    for (;;) {
      const end = Formatter.writeJson(e, this.line, 0)
      if (end >= 0) return end <= MAX_MESSAGE_BYTES ? end : -1
      // writeJson asks for room for the worst case: past four times the limit the line is over it
      if (this.line.length > 4 * MAX_MESSAGE_BYTES) return -1
      this.line = Buffer.allocUnsafe(2 * this.line.length)
    }
  }

  /** `n` bytes of `src` as the contents of a JSON string: `"` and `\\` escaped, and any control character. */
  private escaped(src: Uint8Array, n: number): void {
    this.ensure(6 * n)
    const buf = this.buf
    let p = this.pos
    for (let i = 0; i < n; i++) {
      const c = src[i]!
      if (c === 0x22 || c === 0x5c) {
        buf[p++] = 0x5c
        buf[p++] = c
      } else if (c < 0x20) {
        // never in a line of the JSON formatter (it escapes them): kept valid all the same
        buf[p++] = 0x5c
        buf[p++] = 0x75
        buf[p++] = 0x30
        buf[p++] = 0x30
        buf[p++] = HEX[c >> 4]!
        buf[p++] = HEX[c & 15]!
      } else buf[p++] = c
    }
    this.pos = p
  }

  /** Writes one log event; returns the UTF-8 bytes of its message. */
  private event(timestamp: number, e: LogEvent.LogEvent | undefined, message: string | undefined): number {
    this.bytes(OPEN_EVENT)
    this.ensure(24)
    this.pos += this.buf.write(String(timestamp), this.pos, "latin1")
    if (e !== undefined) {
      const n = this.lineOf(e)
      if (n >= 0) {
        this.bytes(OPEN_MESSAGE)
        this.escaped(this.line, n)
        this.ensure(2)
        this.buf[this.pos++] = 0x22
        this.buf[this.pos++] = 0x7d
        return n
      }
      message = boundedLine(e, MAX_MESSAGE_BYTES)
    }
    this.text(`,"message":${JSON.stringify(message)}}`)
    return Buffer.byteLength(message as string)
  }

  /** The body of `n` log events, each written by `write(i)` (which returns its message's bytes). */
  body(
    n: number,
    timestampOf: (i: number) => number,
    write: (i: number, timestamp: number) => number
  ): LogEventsBody {
    const starts = new Uint32Array(n + 1)
    const timestamps = new Float64Array(n)
    const sizes = new Uint32Array(n)
    this.pos = 0
    this.ensure(1)
    this.buf[this.pos++] = 0x5b
    for (let i = 0; i < n; i++) {
      if (i > 0) {
        this.ensure(1)
        this.buf[this.pos++] = 0x2c
      }
      starts[i] = this.pos
      const t = timestampOf(i)
      timestamps[i] = t
      sizes[i] = write(i, t) + LIMITS.eventOverhead
    }
    this.ensure(1)
    this.buf[this.pos++] = 0x5d
    starts[n] = this.pos
    return { body: this.take(), starts, timestamps, sizes }
  }

  /** The body of fapilog events. */
  events(events: ReadonlyArray<LogEvent.LogEvent>): LogEventsBody {
    return this.body(
      events.length,
      (i) => millisOf(events[i]!),
      (i, t) => this.event(t, events[i], undefined)
    )
  }

  /** The body of log events already made (a request read back from the spool). */
  entries(entries: ReadonlyArray<LogEventEntry>): LogEventsBody {
    return this.body(
      entries.length,
      (i) => entries[i]!.timestamp,
      (i, t) => this.event(t, undefined, entries[i]!.message)
    )
  }
}

const writer = new BodyWriter()

/** The body of a request: its log events, in the order they were written. */
export const encodeLogEvents = (events: ReadonlyArray<LogEvent.LogEvent>): LogEventsBody =>
  writer.events(events)

/** The body of log events already made, as {@link encodeLogEvents} writes it. */
export const encodeEntries = (entries: ReadonlyArray<LogEventEntry>): LogEventsBody => writer.entries(entries)

/**
 * Whether a request's log events go in one call as they are (the usual case): chronological,
 * within 24 hours and 10,000 events, and a body within 1,048,576 bytes (the body is longer
 * than what PutLogEvents counts, so no message needs measuring).
 */
export const isOneCall = (timestamps: ArrayLike<number>, bodyBytes: number): boolean => {
  const n = timestamps.length
  if (n === 0 || n > LIMITS.maxEvents || bodyBytes > LIMITS.maxBatchBytes) return false
  for (let i = 1; i < n; i++) if (timestamps[i]! < timestamps[i - 1]!) return false
  return timestamps[n - 1]! - timestamps[0]! <= LIMITS.maxSpanMs
}

/** The log events of a request body; throws on a body that is not one (it never will be). */
export const decodeLogEvents = (body: Uint8Array): Array<LogEventEntry> => {
  const value = JSON.parse(bufferView(body).toString("utf8")) as unknown
  if (
    !Array.isArray(value) ||
    !value.every(
      (e) =>
        typeof e === "object" &&
        e !== null &&
        Number.isSafeInteger((e as LogEventEntry).timestamp) &&
        typeof (e as LogEventEntry).message === "string"
    )
  )
    throw new TypeError("not a batch of log events: an array of { timestamp, message } expected")
  return value as Array<LogEventEntry>
}

/** What PutLogEvents counts for a log event: its UTF-8 message and 26 bytes. */
export const eventBytes = (e: LogEventEntry): number => Buffer.byteLength(e.message) + LIMITS.eventOverhead

/**
 * The calls of events with these times and sizes (what PutLogEvents counts for each), in
 * their order, as index ranges `[start, end)`: each chronological, within 24 hours, 10,000
 * events and 1,048,576 bytes.
 */
export const rangesOf = (
  timestamps: ArrayLike<number>,
  sizes: ArrayLike<number>
): Array<readonly [number, number]> => {
  const ranges: Array<readonly [number, number]> = []
  const n = timestamps.length
  let start = 0
  let bytes = 0
  for (let i = 0; i < n; i++) {
    const t = timestamps[i]!
    const size = sizes[i]!
    if (
      i > start &&
      (i - start >= LIMITS.maxEvents ||
        bytes + size > LIMITS.maxBatchBytes ||
        t < timestamps[i - 1]! ||
        t - timestamps[start]! > LIMITS.maxSpanMs)
    ) {
      ranges.push([start, i])
      start = i
      bytes = 0
    }
    bytes += size
  }
  if (n > start) ranges.push([start, n])
  return ranges
}

/** The calls of a request's log events (see {@link rangesOf}). */
export const callRanges = (events: ReadonlyArray<LogEventEntry>): Array<readonly [number, number]> =>
  rangesOf(
    events.map((e) => e.timestamp),
    events.map(eventBytes)
  )

/** One PutLogEvents call: its log events as a JSON array, and how many. */
export interface Call {
  readonly json: Uint8Array
  readonly events: number
}

/** The calls of a request body: the body itself when it is one call, else its events cut into calls. */
export const callsOfBody = (b: LogEventsBody): Array<Call> => {
  const n = b.timestamps.length
  if (isOneCall(b.timestamps, b.body.byteLength)) return [{ json: b.body, events: n }]
  return rangesOf(b.timestamps, b.sizes).map(([start, end]) => {
    // the events' bytes as they are in the body, in brackets
    const from = b.starts[start]!
    const to = b.starts[end]! - 1
    const json = Buffer.allocUnsafe(to - from + 2)
    json[0] = 0x5b
    json.set(b.body.subarray(from, to), 1)
    json[json.length - 1] = 0x5d
    return { json, events: end - start }
  })
}

/** The calls of a request's log events (see {@link callRanges}). */
export const callsOf = (events: ReadonlyArray<LogEventEntry>): Array<Array<LogEventEntry>> =>
  callRanges(events).map(([start, end]) => events.slice(start, end))

/** The events of a call of `n` that PutLogEvents' `rejectedLogEventsInfo` says it refused. */
export const rejectedCount = (
  info:
    | {
        readonly tooNewLogEventStartIndex?: number | undefined
        readonly tooOldLogEventEndIndex?: number | undefined
        readonly expiredLogEventEndIndex?: number | undefined
      }
    | undefined,
  n: number
): number => {
  if (info === undefined) return 0
  // the too old and the expired are a prefix, the too new a suffix
  const prefix = Math.max(info.tooOldLogEventEndIndex ?? -1, info.expiredLogEventEndIndex ?? -1) + 1
  const suffixStart = info.tooNewLogEventStartIndex ?? n
  return Math.min(n, Math.min(prefix, n) + Math.max(0, n - Math.max(suffixStart, prefix)))
}
