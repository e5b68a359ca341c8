import { INFO, type LevelName } from "./level.js"
import {
  builtInOrder,
  type Emit,
  intervalOf,
  isSummary,
  type SummarizingProcessor,
  summaryRecord
} from "./processor.js"
import { type LogRecord, materialize } from "./record.js"

/** Options every kind of sampler accepts. */
export interface SamplingCommon {
  /**
   * Levels the sampler may drop; events at other levels always pass. The default leaves
   * warn and above alone, because those are the events an operator cannot afford to miss.
   */
  readonly levels?: ReadonlyArray<LevelName> | undefined
  /** Shortest time between two summaries of dropped events (default 10,000 ms). */
  readonly summaryIntervalMs?: number | undefined
}

/** Keeps the first eligible event, then one in every `every` (a deterministic counter). */
export interface RateSampling extends SamplingCommon {
  readonly kind: "rate"
  readonly every: number
}

/** Keeps each eligible event with probability `probability`, independently. */
export interface ProbabilisticSampling extends SamplingCommon {
  readonly kind: "probabilistic"
  readonly probability: number
  /** Source of uniform numbers in [0, 1); `Math.random` unless a test injects its own. */
  readonly random?: (() => number) | undefined
}

/**
 * Keeps or drops every event of a trace together: the decision is a pure function of the
 * trace id (or, without one, the correlation id), so it is the same in every batch, every
 * process and after a restart. Events with neither id are sampled probabilistically.
 */
export interface TraceSampling extends SamplingCommon {
  readonly kind: "trace"
  readonly probability: number
  /** Used only for events without a trace or correlation id. */
  readonly random?: (() => number) | undefined
}

export type SamplingOptions = RateSampling | ProbabilisticSampling | TraceSampling

export const defaultSampledLevels: ReadonlyArray<LevelName> = Object.freeze(["trace", "debug", "info"])
export const defaultSummaryIntervalMs = 10_000

/**
 * Maps an id to a number in [0, 1), the same for the same string everywhere. FNV-1a spreads
 * the characters, and the final avalanche step makes ids that differ only in their last
 * characters (sequential ids) land far apart, so the kept fraction tracks the probability.
 * Because an event is kept when this value is below the probability, raising the
 * probability only ever adds traces: a trace kept at 1% is also kept at 10%.
 */
export const traceHash = (id: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) / 0x1_0000_0000
}

/**
 * Settings are validated before they reach here; a value that still slips through makes
 * the sampler keep everything rather than silently thin the output or throw.
 */
const probabilityOf = (p: number): number => (Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 1)
const everyOf = (n: number): number => (Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1)

/**
 * The id that groups a record's events: the record's trace id, else a `traceId` or
 * `correlationId` string among its merged fields. The merge only runs for records that
 * carry no trace id of their own.
 */
const groupId = (r: LogRecord): string | undefined => {
  if (r.traceId !== undefined) return r.traceId
  try {
    const event = materialize(r)
    return event.traceId ?? event.correlationId
  } catch {
    return undefined
  }
}

/** Decides one eligible record: true keeps it. */
const deciderOf = (options: SamplingOptions): ((r: LogRecord) => boolean) => {
  switch (options.kind) {
    case "rate": {
      const every = everyOf(options.every)
      let seen = 0
      return () => {
        const keep = seen === 0
        seen = seen + 1 === every ? 0 : seen + 1
        return keep
      }
    }
    case "probabilistic": {
      const p = probabilityOf(options.probability)
      const random = options.random ?? Math.random
      return () => p >= 1 || random() < p
    }
    case "trace": {
      const p = probabilityOf(options.probability)
      const random = options.random ?? Math.random
      return (r) => {
        if (p >= 1) return true
        const id = groupId(r)
        return id === undefined ? random() < p : traceHash(id) < p
      }
    }
  }
}

/**
 * A processor that thins low-level events: fixed-rate, probabilistic or trace-consistent.
 * What it drops is counted, and at most once per `summaryIntervalMs` (checked after every
 * batch and on every tick) a summary at info says how many events were dropped and kept
 * since the previous one, so a thinned log never looks complete when it is not.
 */
export const makeSampler = (options: SamplingOptions): SummarizingProcessor => {
  const eligible: ReadonlySet<string> = new Set(options.levels ?? defaultSampledLevels)
  const interval = intervalOf(options.summaryIntervalMs, defaultSummaryIntervalMs)
  const decide = deciderOf(options)
  let dropped = 0
  let kept = 0
  /** When the current counting window opened; undefined while nothing has been counted. */
  let windowStart: number | undefined

  const report = (now: number, emit: Emit, force = false): void => {
    if (windowStart === undefined || (!force && now - windowStart < interval)) return
    if (dropped > 0) {
      emit(
        summaryRecord(now, INFO, "sampling dropped events", {
          processor: "sampling",
          dropped,
          kept,
          windowMs: Math.max(0, now - windowStart)
        })
      )
    }
    dropped = 0
    kept = 0
    windowStart = undefined
  }

  return {
    name: "sampling",
    order: builtInOrder.sampling,
    process: (records, now, emit) => {
      let out: Array<LogRecord> | undefined
      for (let i = 0; i < records.length; i++) {
        const r = records[i] as LogRecord
        if (eligible.has(r.level.name) && !isSummary(r)) {
          windowStart ??= now
          if (decide(r)) {
            kept++
          } else {
            dropped++
            out ??= records.slice(0, i)
            continue
          }
        }
        out?.push(r)
      }
      report(now, emit)
      return out ?? records
    },
    tick: (now, emit) => report(now, emit),
    flush: (now, emit) => report(now, emit, true)
  }
}
