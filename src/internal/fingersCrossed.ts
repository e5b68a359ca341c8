/**
 * Fingers-crossed buffering: low-level events are held per context (a request's
 * correlation id, a logger, a field's value) and written only if something goes wrong in
 * that context. State: a map of contexts in recency order, each a ring of at most
 * `bufferSize` records and a pass-through deadline.
 *
 * - An event at a held level joins its context's ring (the oldest is discarded, and counted,
 *   when the ring is full), unless the context is passing through after a trigger.
 * - An event at or above `triggerLevel` releases its context's ring, oldest first, before
 *   itself, and opens the context's pass-through window (`passThroughMs`, default none).
 * - Any other event (between the held levels and the trigger: `warn` by default) passes.
 * - A new context past `maxContexts` evicts the least recently used one: its events are
 *   discarded and counted.
 * - When the pipeline closes, what is held is discarded and counted, or written with
 *   `flushOnClose`; events logged after that (by a finalizer, say) pass, since no later
 *   trigger could release them.
 *
 * Memory is bounded by `bufferSize` × `maxContexts` records. The pipeline learns what is
 * held and discarded through `holding` (see `Holding` in processor.ts), and a summary at
 * info says how many events were discarded, at most once per `summaryIntervalMs`.
 */
import { INFO, type LevelName, levels } from "./level.js"
import {
  builtInOrder,
  type Emit,
  fieldValue,
  intervalOf,
  isSummary,
  type StageProcessor,
  summaryRecord
} from "./processor.js"
import { type LogRecord, userValue } from "./record.js"
import { defaultSummaryIntervalMs } from "./sampling.js"
import { keyOf, missingKey } from "./throttle.js"

/** What groups events into contexts: a core key, the logger (category), or a field's value. */
export type FingersCrossedContext = "correlationId" | "traceId" | "logger" | { readonly field: string }

export interface FingersCrossedOptions {
  /** Events at or above this level release their context's held events (default "error"). */
  readonly triggerLevel?: LevelName | undefined
  /** Levels that are held until a trigger, all below `triggerLevel` (default trace, debug, info). */
  readonly levels?: ReadonlyArray<LevelName> | undefined
  /** Most events held per context; the oldest is discarded first (default 100). */
  readonly bufferSize?: number | undefined
  /** What groups events into contexts (default "correlationId"; events without one share a context). */
  readonly by?: FingersCrossedContext | undefined
  /** Most contexts held at once; the least recently used one is discarded first (default 1,000). */
  readonly maxContexts?: number | undefined
  /** After a trigger, held-level events of that context pass at once for this long (default 0: none). */
  readonly passThroughMs?: number | undefined
  /** When the logger closes, write what is held instead of discarding it (default false). */
  readonly flushOnClose?: boolean | undefined
  /** Shortest time between two summaries of discarded events (default 10,000 ms). */
  readonly summaryIntervalMs?: number | undefined
}

export const defaultTriggerLevel: LevelName = "error"
export const defaultHeldLevels: ReadonlyArray<LevelName> = Object.freeze(["trace", "debug", "info"])
export const defaultBufferSize = 100
export const defaultMaxContexts = 1_000

/** The levels of `held` that are not below `trigger` (settings report them; the processor ignores them). */
export const levelsNotBelow = (
  held: ReadonlyArray<LevelName>,
  trigger: LevelName
): ReadonlyArray<LevelName> => held.filter((l) => levels[l].rank >= levels[trigger].rank)

interface Held {
  /** A ring: `size` records from `start`, wrapping at `capacity`. */
  readonly ring: Array<LogRecord>
  start: number
  size: number
  /** Held-level events pass at once until this time (after a trigger). */
  passUntil: number
}

/** A core id as the event writes it: the record's own, else a string among its merged fields. */
const coreId = (own: string | undefined, r: LogRecord, key: string): string => {
  if (own !== undefined) return keyOf(own)
  try {
    const v = userValue(r, key)
    return typeof v === "string" ? keyOf(v) : missingKey
  } catch {
    return missingKey
  }
}

const contextOf = (by: FingersCrossedContext): ((r: LogRecord) => string) => {
  if (by === "correlationId") return (r) => coreId(r.correlationId, r, "correlationId")
  if (by === "traceId") return (r) => coreId(r.traceId, r, "traceId")
  if (by === "logger") return (r) => r.logger
  const field = by.field
  return (r) => {
    try {
      return keyOf(fieldValue(r, field))
    } catch {
      return missingKey
    }
  }
}

const whole = (n: number | undefined, fallback: number): number =>
  n !== undefined && Number.isFinite(n) && n >= 1 ? Math.floor(n) : fallback

/**
 * The fingers-crossed processor (see the header). Settings are validated before they reach
 * here; a value that still slips through falls back to its default.
 */
export const makeFingersCrossed = (options: FingersCrossedOptions): StageProcessor => {
  const trigger = levels[options.triggerLevel ?? defaultTriggerLevel]?.rank ?? levels.error.rank
  const heldLevels = new Set(
    (options.levels ?? defaultHeldLevels).filter((l) => (levels[l]?.rank ?? trigger) < trigger)
  )
  const capacity = whole(options.bufferSize, defaultBufferSize)
  const maxContexts = whole(options.maxContexts, defaultMaxContexts)
  const passThroughMs =
    options.passThroughMs !== undefined && Number.isFinite(options.passThroughMs) && options.passThroughMs > 0
      ? options.passThroughMs
      : 0
  const flushOnClose = options.flushOnClose === true
  const interval = intervalOf(options.summaryIntervalMs, defaultSummaryIntervalMs)
  const keyFor = contextOf(options.by ?? "correlationId")

  /** Map order is recency order: the first entry is the least recently used. */
  const contexts = new Map<string, Held>()
  let mostRecent: string | undefined
  let held = 0
  let discarded = 0
  /** Discards since the last summary, and when the first of them happened. */
  let unreported = 0
  let windowStart: number | undefined
  /** Set by `release` (the logger closes): what is logged after that is no longer held. */
  let closed = false

  const discard = (n: number, now: number): void => {
    if (n <= 0) return
    discarded += n
    unreported += n
    windowStart ??= now
  }

  const touch = (key: string, now: number): Held => {
    let h = contexts.get(key)
    if (h === undefined) {
      h = { ring: [], start: 0, size: 0, passUntil: 0 }
      contexts.set(key, h)
      if (contexts.size > maxContexts) {
        const oldest = contexts.entries().next()
        if (oldest.done !== true) {
          contexts.delete(oldest.value[0])
          held -= oldest.value[1].size
          discard(oldest.value[1].size, now)
        }
      }
    } else if (key !== mostRecent) {
      contexts.delete(key)
      contexts.set(key, h)
    }
    mostRecent = key
    return h
  }

  const hold = (h: Held, r: LogRecord, now: number): void => {
    if (h.size < capacity) {
      h.ring[(h.start + h.size) % capacity] = r
      h.size++
      held++
      return
    }
    // full: the newest replaces the oldest
    h.ring[h.start] = r
    h.start = (h.start + 1) % capacity
    discard(1, now)
  }

  /** Appends `h`'s records to `out`, oldest first, and empties it. */
  const releaseInto = (h: Held, out: Array<LogRecord>): void => {
    for (let i = 0; i < h.size; i++) out.push(h.ring[(h.start + i) % capacity] as LogRecord)
    held -= h.size
    h.ring.length = 0
    h.start = 0
    h.size = 0
  }

  const report = (now: number, emit: Emit, force = false): void => {
    if (windowStart === undefined || (!force && now - windowStart < interval)) return
    emit(
      summaryRecord(now, INFO, "fingers-crossed discarded events", {
        processor: "fingers-crossed",
        discarded: unreported,
        held,
        windowMs: Math.max(0, now - windowStart)
      })
    )
    unreported = 0
    windowStart = undefined
  }

  return {
    name: "fingers-crossed",
    order: builtInOrder["fingers-crossed"],
    process: (records, now, emit) => {
      const out: Array<LogRecord> = []
      for (const r of records) {
        const rank = r.level.rank
        if (closed || isSummary(r)) out.push(r)
        else if (rank >= trigger) {
          const key = keyFor(r)
          if (passThroughMs > 0) {
            const h = touch(key, now)
            releaseInto(h, out)
            h.passUntil = now + passThroughMs
          } else {
            // nothing to remember after the release: a context that held nothing takes no slot
            const h = contexts.get(key)
            if (h !== undefined) {
              releaseInto(h, out)
              contexts.delete(key)
              if (mostRecent === key) mostRecent = undefined
            }
          }
          out.push(r)
        } else if (heldLevels.has(r.level.name)) {
          const h = touch(keyFor(r), now)
          if (now < h.passUntil) out.push(r)
          else hold(h, r, now)
        } else out.push(r)
      }
      report(now, emit)
      return out
    },
    tick: (now, emit) => report(now, emit),
    flush: (now, emit) => report(now, emit, true),
    holding: {
      held: () => held,
      discarded: () => discarded,
      release: (now) => {
        closed = true
        const out: Array<LogRecord> = []
        if (flushOnClose) for (const h of contexts.values()) releaseInto(h, out)
        else {
          discard(held, now)
          held = 0
        }
        contexts.clear()
        mostRecent = undefined
        return out
      }
    }
  }
}
