import type { JsonLimits } from "./json.js"
import { WARN } from "./level.js"
import { utf8Length } from "./platform.js"
import { builtInOrder, type Emit, type SummarizingProcessor, summaryRecord } from "./processor.js"
import { eventId, formatJsonLine, keepJsonLine, LogRecord } from "./record.js"
import type { CompiledRedaction } from "./redact.js"

export interface SizeGuardOptions {
  /** The most bytes an event's JSON line may take. */
  readonly maxBytes: number
  /** "truncate" re-renders an oversized event within tight limits and marks it; "drop" leaves it out. */
  readonly mode: "truncate" | "drop"
  /** The pipeline's serialization limits and redaction: the line measured is the line written. */
  readonly limits: JsonLimits
  readonly redact: CompiledRedaction | undefined
}

/** The limits an oversized event is written within. */
export const TIGHT: JsonLimits = Object.freeze({
  maxDepth: 3,
  maxKeys: 20,
  maxArrayLength: 20,
  maxStringLength: 256
})

const byteLength = (s: string): number => (s.length * 3 <= 0x7fffffff ? utf8Length(s) : s.length * 3)

const fits = (line: string, maxBytes: number): boolean =>
  line.length * 3 <= maxBytes || byteLength(line) <= maxBytes

/** Only the core keys of an event, for one that is too big even within the tight limits. */
const coreOnly = (r: LogRecord): LogRecord => {
  const small = new LogRecord(
    r.time,
    r.level,
    "[fapilog: event over maxEventBytes, fields omitted]",
    r.logger.slice(0, 256)
  )
  small.truncatedTo = TIGHT
  small.givenId = eventId(r)
  return small
}

/**
 * The size guard: an event whose JSON line (in the pipeline's own limits and redaction) is
 * longer than `maxBytes` is re-rendered within tight limits and marked `"truncated": true`,
 * or, when even that is too long, reduced to its core keys; under "drop" it is left out,
 * counted, and a summary at warn says how many were dropped. Every formatter then writes the
 * guarded event, so no sink receives the oversized one.
 */
export const makeSizeGuard = (options: SizeGuardOptions): SummarizingProcessor => {
  let dropped = 0
  const report = (now: number, emit: Emit): void => {
    if (dropped === 0) return
    emit(
      summaryRecord(now, WARN, "size guard dropped events", {
        processor: "size-guard",
        dropped,
        maxEventBytes: options.maxBytes
      })
    )
    dropped = 0
  }
  return {
    name: "size-guard",
    order: builtInOrder["size-guard"],
    process: (records, now, emit) => {
      let out: Array<LogRecord> | undefined
      for (let i = 0; i < records.length; i++) {
        const r = records[i] as LogRecord
        if (
          r.truncatedTo !== undefined ||
          fits(keepJsonLine(r, options.limits, options.redact), options.maxBytes)
        ) {
          out?.push(r)
          continue
        }
        out ??= records.slice(0, i)
        if (options.mode === "drop") {
          dropped++
          continue
        }
        r.truncatedTo = TIGHT
        r.kept = undefined
        out.push(fits(formatJsonLine(r, TIGHT, options.redact), options.maxBytes) ? r : coreOnly(r))
      }
      report(now, emit)
      return out ?? records
    },
    tick: report,
    flush: report
  }
}
