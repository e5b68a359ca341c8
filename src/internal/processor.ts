import { safeRead } from "./json.js"
import type { LevelInfo } from "./level.js"
import { type Fields, type LogRecord, materialize, recordOf } from "./record.js"

/** Adds a record (a summary of what a processor suppressed) after the current batch. */
export type Emit = (record: LogRecord) => void

/**
 * A batch step between the buffer and the sinks: sampling, throttling, deduplication.
 * Plain synchronous code over a whole batch; it returns the records to keep, in order, and
 * may `emit` summary records. It must never throw into the pipeline (the pipeline still
 * guards it and reports a failure, keeping the batch unchanged).
 */
export interface Processor {
  readonly name: string
  readonly process: (records: ReadonlyArray<LogRecord>, now: number, emit: Emit) => ReadonlyArray<LogRecord>
  /** Called about once a second, so that a window can close and report without new events. */
  readonly tick?: ((now: number, emit: Emit) => void) | undefined
  /** Called when the pipeline closes: report everything still pending, whatever the interval. */
  readonly flush?: ((now: number, emit: Emit) => void) | undefined
}

/** A record that fapilog itself writes (summaries of suppressed events), under the `fapilog` logger. */
export const summaryRecord = (time: number, level: LevelInfo, message: string, fields: Fields): LogRecord =>
  recordOf(level, message, { time, logger: "fapilog", fields })

/** The value a record's merged user fields hold under `key` (call fields win, as in output). */
export const fieldValue = (record: LogRecord, key: string): unknown => {
  const own = record.fields
  if (own !== undefined && Object.hasOwn(own, key)) return safeRead(own, key)
  return materialize(record).fields[key]
}

/**
 * A processor that holds counts between summaries. `flush` reports whatever is pending at
 * once, whatever the interval: the pipeline calls it before its final drain, so that
 * closing a logger never silently forgets what it suppressed.
 */
export interface SummarizingProcessor extends Processor {
  readonly flush: (now: number, emit: Emit) => void
}

/** Our own summaries may pass through later processors; sampling them away would hide the losses. */
export const isSummary = (r: LogRecord): boolean =>
  r.logger === "fapilog" && r.fields !== undefined && typeof safeRead(r.fields, "processor") === "string"

/** A configured interval, or `fallback` when it is missing or not a usable number. */
export const intervalOf = (ms: number | undefined, fallback: number): number =>
  ms !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : fallback
