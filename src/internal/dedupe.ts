import { stringify } from "./json.js"
import type { LevelInfo, LevelName } from "./level.js"
import { builtInOrder, type Emit, isSummary, type SummarizingProcessor, summaryRecord } from "./processor.js"
import { isoTime, type LogRecord, materialize } from "./record.js"

export interface DedupeOptions {
  /** How long after the first of a run of identical events its repeats are collapsed. */
  readonly windowMs: number
  /**
   * Levels that are deduplicated (default: trace to fatal). Audit and security events are
   * left alone by default: each one is a separate fact that an audit trail must keep.
   */
  readonly levels?: ReadonlyArray<LevelName> | undefined
  /** Most runs tracked at once; the oldest is closed (and summarised) first (default 10,000). */
  readonly maxEntries?: number | undefined
}

export const defaultDedupedLevels: ReadonlyArray<LevelName> = Object.freeze([
  "trace",
  "debug",
  "info",
  "warn",
  "error",
  "fatal"
])
export const defaultMaxEntries = 10_000

/** Identities longer than this are stored as a digest, so each entry costs bounded memory. */
const maxIdentityLength = 512

/**
 * Two independent 32-bit string hashes side by side, plus the length: among 10,000 live
 * entries the chance that two different long events share a digest (and one is wrongly
 * held back as a repeat of the other) is far too small to matter.
 */
const digest = (s: string): string => {
  let a = 0x811c9dc5
  let b = 0x9e3779b9
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  return `#${s.length.toString(36)}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`
}

/**
 * What makes two events "the same": logger, level, message, merged user fields and error.
 * Time, trace, span and correlation ids are left out on purpose, so that one failure
 * repeated across many requests collapses too. `materialize` lists fields in a fixed
 * precedence order, so equal events serialize equally.
 */
const identityOf = (r: LogRecord): { readonly id: string; readonly message: string } | undefined => {
  try {
    const e = materialize(r)
    const id = stringify({
      level: e.level,
      logger: e.logger,
      message: e.message,
      fields: e.fields,
      error: e.error
    })
    if (id === undefined) return undefined
    return { id: id.length > maxIdentityLength ? digest(id) : id, message: e.message }
  } catch {
    return undefined
  }
}

interface Run {
  /** The `now` at which the first event was seen; the window is measured from here. */
  readonly openedAt: number
  readonly level: LevelInfo
  readonly message: string
  /** Event times of the first and the latest occurrence, for the summary. */
  readonly firstTime: number
  lastTime: number
  repeated: number
}

/**
 * Collapses identical events: the first of a run is written at once, repeats within
 * `windowMs` of it are held back and counted, and when the window closes (noticed in the
 * next batch or tick) a summary at the original level says how many there were. Windows
 * are measured with the pipeline's `now`; the summary's `firstAt` and `lastAt` are the
 * events' own times.
 */
export const makeDedupe = (options: DedupeOptions): SummarizingProcessor => {
  const windowMs = Number.isFinite(options.windowMs) && options.windowMs > 0 ? options.windowMs : 0
  const maxEntries =
    options.maxEntries !== undefined && Number.isFinite(options.maxEntries) && options.maxEntries >= 1
      ? Math.floor(options.maxEntries)
      : defaultMaxEntries
  const deduped: ReadonlySet<string> = new Set(options.levels ?? defaultDedupedLevels)
  /** Insertion order is opening order, because a run that closes is deleted before it reopens. */
  const runs = new Map<string, Run>()

  const close = (id: string, run: Run, now: number, emit: Emit): void => {
    runs.delete(id)
    if (run.repeated === 0) return
    emit(
      summaryRecord(now, run.level, `${run.message} (repeated ${run.repeated} times)`, {
        processor: "dedupe",
        repeated: run.repeated,
        firstAt: isoTime(run.firstTime),
        lastAt: isoTime(run.lastTime)
      })
    )
  }

  /** Closes expired runs, oldest first, stopping at the first one still open. */
  const sweep = (now: number, emit: Emit): void => {
    for (const [id, run] of runs) {
      if (now - run.openedAt < windowMs) return
      close(id, run, now, emit)
    }
  }

  /** True when `r` is a repeat to hold back; otherwise it opens a run and is written. */
  const isRepeat = (r: LogRecord, now: number, emit: Emit): boolean => {
    const identity = identityOf(r)
    if (identity === undefined) return false
    const id = identity.id
    const run = runs.get(id)
    if (run !== undefined) {
      if (now - run.openedAt < windowMs) {
        run.repeated++
        if (r.time > run.lastTime) run.lastTime = r.time
        return true
      }
      close(id, run, now, emit)
    }
    if (runs.size >= maxEntries) {
      const oldest = runs.entries().next()
      if (oldest.done !== true) close(oldest.value[0], oldest.value[1], now, emit)
    }
    runs.set(id, {
      openedAt: now,
      level: r.level,
      message: identity.message,
      firstTime: r.time,
      lastTime: r.time,
      repeated: 0
    })
    return false
  }

  return {
    name: "dedupe",
    order: builtInOrder.dedupe,
    process: (records, now, emit) => {
      if (windowMs === 0) return records
      sweep(now, emit)
      let out: Array<LogRecord> | undefined
      for (let i = 0; i < records.length; i++) {
        const r = records[i] as LogRecord
        if (deduped.has(r.level.name) && !isSummary(r) && isRepeat(r, now, emit)) {
          out ??= records.slice(0, i)
          continue
        }
        out?.push(r)
      }
      return out ?? records
    },
    tick: (now, emit) => {
      if (windowMs > 0) sweep(now, emit)
    },
    flush: (now, emit) => {
      for (const [id, run] of runs) close(id, run, now, emit)
    }
  }
}
