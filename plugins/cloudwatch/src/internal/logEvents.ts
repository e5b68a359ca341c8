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
 * Otherwise the request is sent in several calls (`rangesOf`): each within 10,000 events and
 * 1,048,576 bytes as PutLogEvents counts them (a message counted as the body holds it, escaped,
 * which is never less), chronological and within 24 hours. An event
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
   * The whole PutLogEvents request JSON (group, stream and `logEvents`) whose `logEvents` is
   * {@link body}: the same memory, so that a request that is one call is sent with no copy.
   */
  readonly request: Uint8Array
  /**
   * Where each event's JSON object starts in {@link body}, and the body's length last: event
   * `i` is the bytes from `starts[i]` to `starts[i + 1] - 1` (a comma or the closing bracket
   * follows it).
   */
  readonly starts: Uint32Array
  /** Each event's time (epoch milliseconds). */
  readonly timestamps: Float64Array
  /**
   * What PutLogEvents counts for each event, at most: its message's bytes as the body holds
   * them (escaped: one byte more for each `"` and `\\` of the line) and 26 bytes.
   */
  readonly sizes: Uint32Array
}

/** One PutLogEvents call: its whole request JSON, and how many log events it carries. */
export interface Call {
  readonly json: Uint8Array
  readonly events: number
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
const MESSAGE = Buffer.from(',"message":')

/**
 * Writes the PutLogEvents requests of one group and stream into one growing buffer (a request
 * is copied out when done): each event's JSON line is written by the core's JSON formatter as
 * the JSON string of its `message` (`Formatter.writeJsonString`), escaped as it is written,
 * with no string made of it.
 */
export class LogEventsWriter extends BodyBuffer {
  private readonly head: Buffer
  private static readonly tail = Buffer.from("}")

  constructor(logGroupName: string, logStreamName: string) {
    super()
    this.head = Buffer.from(
      `{"logGroupName":${JSON.stringify(logGroupName)},"logStreamName":${JSON.stringify(logStreamName)},"logEvents":`
    )
  }

  /**
   * Writes the event's line as a JSON string; returns its bytes as written (quotes left out),
   * or -1, with nothing written, when they are over PutLogEvents' 256 KB (the line is then cut
   * by `boundedLine`, which measures it exactly).
   */
  private line(e: LogEvent.LogEvent): number {
    const start = this.pos
    for (;;) {
      const end = Formatter.writeJsonString(e, this.buf, start)
      if (end >= 0) {
        if (end - start - 2 > MAX_MESSAGE_BYTES) return -1
        this.pos = end
        return end - start - 2
      }
      // writeJsonString asks for room for the worst case: past eight times the limit the line is over it
      if (this.buf.length - start > 8 * MAX_MESSAGE_BYTES) return -1
      this.grow(2 * this.buf.length)
    }
  }

  /** Writes one log event; returns its message's bytes as written (see {@link LogEventsBody.sizes}). */
  private event(timestamp: number, e: LogEvent.LogEvent | undefined, message: string | undefined): number {
    this.bytes(OPEN_EVENT)
    this.integer(timestamp)
    this.bytes(MESSAGE)
    let n = e === undefined ? -1 : this.line(e)
    if (n < 0) {
      const string = JSON.stringify(message ?? boundedLine(e as LogEvent.LogEvent, MAX_MESSAGE_BYTES))
      const start = this.pos
      this.text(string)
      n = this.pos - start - 2
    }
    this.byte(0x7d)
    return n
  }

  /** The request of `n` log events, each written by `write(i)` (which returns its message's bytes). */
  private body(
    n: number,
    timestampOf: (i: number) => number,
    write: (i: number, timestamp: number) => number
  ): LogEventsBody {
    const starts = new Uint32Array(n + 1)
    const timestamps = new Float64Array(n)
    const sizes = new Uint32Array(n)
    const from = this.head.length
    this.pos = 0
    this.bytes(this.head)
    this.byte(0x5b)
    for (let i = 0; i < n; i++) {
      if (i > 0) this.byte(0x2c)
      starts[i] = this.pos - from
      const t = timestampOf(i)
      timestamps[i] = t
      sizes[i] = write(i, t) + LIMITS.eventOverhead
    }
    this.byte(0x5d)
    starts[n] = this.pos - from
    this.bytes(LogEventsWriter.tail)
    const request = this.take()
    return { body: request.subarray(from, from + starts[n]!), request, starts, timestamps, sizes }
  }

  /** The request of fapilog events, in the order they were written. */
  events(events: ReadonlyArray<LogEvent.LogEvent>): LogEventsBody {
    return this.body(
      events.length,
      (i) => millisOf(events[i]!),
      (i, t) => this.event(t, events[i], undefined)
    )
  }

  /** The request of log events already made (a request read back from the spool). */
  entries(entries: ReadonlyArray<LogEventEntry>): LogEventsBody {
    return this.body(
      entries.length,
      (i) => entries[i]!.timestamp,
      (i, t) => this.event(t, undefined, entries[i]!.message)
    )
  }

  /** The calls of a request: the request itself when it is one call, else its events cut into calls. */
  calls(b: LogEventsBody): Array<Call> {
    const n = b.timestamps.length
    if (isOneCall(b.timestamps, b.body.byteLength)) return [{ json: b.request, events: n }]
    const head = this.head
    const tail = LogEventsWriter.tail
    return rangesOf(b.timestamps, b.sizes).map(([start, end]) => {
      // the events' bytes as they are in the body, in brackets, between the head and the tail
      const events = b.body.subarray(b.starts[start]!, b.starts[end]! - 1)
      const json = Buffer.allocUnsafe(head.length + events.length + 2 + tail.length)
      json.set(head, 0)
      json[head.length] = 0x5b
      json.set(events, head.length + 1)
      json[head.length + 1 + events.length] = 0x5d
      json.set(tail, head.length + 2 + events.length)
      return { json, events: end - start }
    })
  }
}

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
 * The calls of events with these times and sizes (what PutLogEvents counts for each, or more), in
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
