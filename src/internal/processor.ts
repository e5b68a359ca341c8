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
