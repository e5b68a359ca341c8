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
import type { LogEvent } from "fapilog"
import { boundedLine } from "../../../shared/src/boundedLine.js"
import { isoMillis } from "../../../shared/src/isoTime.js"
import { LIMITS } from "./config.js"

/** One log event of PutLogEvents. */
export interface LogEventEntry {
  readonly timestamp: number
  readonly message: string
}

const MAX_MESSAGE_BYTES = LIMITS.maxEventBytes - LIMITS.eventOverhead

/** The log event of one fapilog event. */
export const logEventOf = (e: LogEvent.LogEvent): LogEventEntry => {
  const t = isoMillis(e.timestamp)
  return { timestamp: Number.isFinite(t) ? t : Date.now(), message: boundedLine(e, MAX_MESSAGE_BYTES) }
}

/** The body of a request: its log events, in the order they were written. */
export const encodeLogEvents = (events: ReadonlyArray<LogEvent.LogEvent>): string =>
  JSON.stringify(events.map(logEventOf))

/**
 * Whether a request's log events go in one call as they are (the usual case): chronological,
 * within 24 hours and 10,000 events, and a body within 1,048,576 bytes (the body is longer
 * than what PutLogEvents counts, so no message needs measuring).
 */
export const isOneCall = (events: ReadonlyArray<LogEventEntry>, bodyBytes: number): boolean => {
  if (events.length === 0 || events.length > LIMITS.maxEvents || bodyBytes > LIMITS.maxBatchBytes)
    return false
  for (let i = 1; i < events.length; i++) if (events[i]!.timestamp < events[i - 1]!.timestamp) return false
  return events[events.length - 1]!.timestamp - events[0]!.timestamp <= LIMITS.maxSpanMs
}

/** The log events of a request body; throws on a body that is not one (it never will be). */
export const decodeLogEvents = (body: Uint8Array): Array<LogEventEntry> => {
  const value = JSON.parse(
    Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")
  ) as unknown
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
 * The calls of a request's log events, in their order, as index ranges `[start, end)`: each
 * chronological, within 24 hours, 10,000 events and 1,048,576 bytes.
 */
export const callRanges = (events: ReadonlyArray<LogEventEntry>): Array<readonly [number, number]> => {
  const ranges: Array<readonly [number, number]> = []
  let start = 0
  let bytes = 0
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!
    const size = eventBytes(e)
    if (
      i > start &&
      (i - start >= LIMITS.maxEvents ||
        bytes + size > LIMITS.maxBatchBytes ||
        e.timestamp < events[i - 1]!.timestamp ||
        e.timestamp - events[start]!.timestamp > LIMITS.maxSpanMs)
    ) {
      ranges.push([start, i])
      start = i
      bytes = 0
    }
    bytes += size
  }
  if (events.length > start) ranges.push([start, events.length])
  return ranges
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
