import { stringify } from "./json.js"
import { type LevelName, WARN } from "./level.js"
import {
  builtInOrder,
  type Emit,
  fieldValue,
  intervalOf,
  isSummary,
  type SummarizingProcessor,
  summaryRecord
} from "./processor.js"
import type { LogRecord } from "./record.js"
import { defaultSummaryIntervalMs } from "./sampling.js"

export interface ThrottleOptions {
  /** Tokens added per second of elapsed time: the sustained rate of events let through. */
  readonly ratePerSecond: number
  /** Most tokens a bucket holds, so the largest burst let through at once (default: one second's worth, at least 1). */
  readonly burst?: number | undefined
  /** A field name: each value of that field gets its own bucket, so one noisy user cannot starve the rest. */
  readonly key?: string | undefined
  /** Most buckets kept; the least recently used one is forgotten first (default 10,000). */
  readonly maxKeys?: number | undefined
  /** Levels that are throttled (default trace to warn: errors and above always pass). */
  readonly levels?: ReadonlyArray<LevelName> | undefined
  /** Shortest time between two summaries of suppressed events (default 10,000 ms). */
  readonly summaryIntervalMs?: number | undefined
}

export const defaultThrottledLevels: ReadonlyArray<LevelName> = Object.freeze([
  "trace",
  "debug",
  "info",
  "warn"
])
export const defaultMaxKeys = 10_000
/** How many keys a summary names; the rest only count in the total. */
const reportedKeys = 10
/** Bucket keys are cut to this length so that a huge field value cannot hold memory. */
const maxKeyLength = 256
/** The bucket shared by events that lack the key field (or hold null there). */
export const missingKey = "(none)"

const tightLimits = Object.freeze({
  maxDepth: 3,
  maxKeys: 20,
  maxArrayLength: 20,
  maxStringLength: maxKeyLength
})

/** A field value as a bucket key: its text, cut to 256 characters; `missingKey` for none. */
export const keyOf = (v: unknown): string => {
  let s: string
  if (typeof v === "string") s = v
  else if (v === undefined || v === null) return missingKey
  else if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") s = String(v)
  else s = stringify(v, tightLimits) ?? missingKey
  return s.length > maxKeyLength ? s.slice(0, maxKeyLength) : s
}

interface Bucket {
  tokens: number
  /** The `now` of the last refill. */
  last: number
}

const setOwn = (o: Record<string, unknown>, k: string, v: unknown): void => {
  // Plain assignment would turn a "__proto__" key into a prototype change.
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
}

/**
 * A token-bucket rate limit on low-level events, optionally one bucket per value of a field.
 * Buckets refill from the `now` the pipeline passes in, never from the wall clock, so
 * behaviour is reproducible. Suppressed events are counted per key, and at most once per
 * `summaryIntervalMs` a warn summary reports the total and the ten busiest keys.
 *
 * A rate that is not a number, or negative, lets everything through: a bad setting that
 * slipped past validation must not silently eat logs.
 */
export const makeThrottle = (options: ThrottleOptions): SummarizingProcessor => {
  const rate = options.ratePerSecond
  const enabled = Number.isFinite(rate) && rate >= 0
  const perMs = enabled ? rate / 1000 : 0
  const burst =
    options.burst !== undefined && Number.isFinite(options.burst) && options.burst >= 0
      ? Math.max(1, options.burst)
      : Math.max(1, enabled ? rate : 1)
  const keyField = options.key
  const maxKeys =
    options.maxKeys !== undefined && Number.isFinite(options.maxKeys) && options.maxKeys >= 1
      ? Math.floor(options.maxKeys)
      : defaultMaxKeys
  const throttled: ReadonlySet<string> = new Set(options.levels ?? defaultThrottledLevels)
  const interval = intervalOf(options.summaryIntervalMs, defaultSummaryIntervalMs)

  /** Map order is recency order: the first entry is the least recently used. */
  const buckets = new Map<string, Bucket>()
  let mostRecent: string | undefined
  let suppressed = 0
  /** Suppressions per key in the current window, bounded like the buckets. */
  const perKey = new Map<string, number>()
  let windowStart: number | undefined

  const bucketFor = (key: string, now: number): Bucket => {
    let bucket = buckets.get(key)
    if (bucket === undefined) {
      bucket = { tokens: burst, last: now }
      buckets.set(key, bucket)
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next()
        if (oldest.done !== true) buckets.delete(oldest.value)
      }
    } else if (key !== mostRecent) {
      buckets.delete(key)
      buckets.set(key, bucket)
    }
    mostRecent = key
    return bucket
  }

  const keyFor = (r: LogRecord): string => {
    if (keyField === undefined) return ""
    try {
      return keyOf(fieldValue(r, keyField))
    } catch {
      return missingKey
    }
  }

  const admit = (r: LogRecord, now: number): boolean => {
    const key = keyFor(r)
    const bucket = bucketFor(key, now)
    const elapsed = now - bucket.last
    if (elapsed > 0) {
      bucket.tokens = Math.min(burst, bucket.tokens + elapsed * perMs)
      bucket.last = now
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return true
    }
    suppressed++
    windowStart ??= now
    const count = perKey.get(key)
    if (count !== undefined) perKey.set(key, count + 1)
    else if (perKey.size < maxKeys) perKey.set(key, 1)
    return false
  }

  const report = (now: number, emit: Emit, force = false): void => {
    if (windowStart === undefined || (!force && now - windowStart < interval)) return
    const fields: Record<string, unknown> = { processor: "throttle", suppressed }
    if (keyField !== undefined) {
      const top = [...perKey].sort((a, b) => b[1] - a[1]).slice(0, reportedKeys)
      const keys: Record<string, unknown> = {}
      for (const [k, n] of top) setOwn(keys, k, n)
      fields.keys = keys
    }
    fields.windowMs = Math.max(0, now - windowStart)
    emit(summaryRecord(now, WARN, "throttle suppressed events", fields))
    suppressed = 0
    perKey.clear()
    windowStart = undefined
  }

  return {
    name: "throttle",
    order: builtInOrder.throttle,
    process: (records, now, emit) => {
      if (!enabled) return records
      let out: Array<LogRecord> | undefined
      for (let i = 0; i < records.length; i++) {
        const r = records[i] as LogRecord
        if (throttled.has(r.level.name) && !isSummary(r) && !admit(r, now)) {
          out ??= records.slice(0, i)
          continue
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
