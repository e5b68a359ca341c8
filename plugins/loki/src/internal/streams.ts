/**
 * Events to Loki streams: the label set of each event (static labels plus values read from
 * the event, held to a cardinality bound), its line (the JSON line of the core formatter)
 * and its structured metadata (trace, span and correlation ids).
 */
import { Formatter, type LogEvent } from "fapilog"
import { isoMillis } from "../../../shared/src/isoTime.js"
import { type Entry, labelString, pushEncoder, type Stream } from "./push.js"

/** The value sent for a label key once it has seen its limit of distinct values. */
export const OVERFLOW = "__overflow__"

/** Longest label value read from an event; Loki refuses a whole push over its own limit (2048). */
export const MAX_EVENT_LABEL_LENGTH = 1024

/** The label names Loki accepts (Prometheus rules; `__` prefixes are Loki's own). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** The label name for an event key: characters Loki refuses become `_`. */
export const labelNameOf = (key: string): string => {
  const name = key.replace(/[^a-zA-Z0-9_]/g, "_")
  return /^[0-9]/.test(name) ? `_${name}` : name
}

export interface StreamOptions {
  /** Labels on every stream. */
  readonly labels: Readonly<Record<string, string>>
  /** Event keys (`level`, `logger`, or a field name) whose values become labels. */
  readonly labelKeys: ReadonlyArray<string>
  /** Distinct values kept per label key; later values become {@link OVERFLOW}. */
  readonly maxLabelValues: number
  /** Whether trace, span and correlation ids go along as structured metadata. */
  readonly structuredMetadata: boolean
  /** Told, once per batch, which label keys overflowed and how many events it affected. */
  readonly onOverflow: (keys: ReadonlyArray<string>, events: number) => void
}

/** A label value read from an event: scalars only; absent, empty or structured values are no label. */
const eventLabelValue = (e: LogEvent.LogEvent, key: string): string | undefined => {
  let v: unknown
  if (key === "level") v = e.level
  else if (key === "logger") v = e.logger
  else if (!Object.hasOwn(e.fields, key)) return undefined
  else {
    try {
      v = e.fields[key]
    } catch {
      return undefined
    }
  }
  let s: string
  if (typeof v === "string") s = v
  else if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") s = String(v)
  else return undefined
  if (s === "") return undefined
  return s.length > MAX_EVENT_LABEL_LENGTH ? s.slice(0, MAX_EVENT_LABEL_LENGTH) : s
}

/**
 * The event's JSON line. Should the formatter fail (a hostile event built by hand; the
 * pipeline's events are plain data), the line keeps the core keys and drops the fields.
 */
const formatLine = (e: LogEvent.LogEvent): string => {
  try {
    return Formatter.json.format(e)
  } catch {
    // fall through to the core keys
  }
  try {
    const { error: _error, ...core } = e
    return Formatter.json.format({ ...core, fields: {} })
  } catch {
    return JSON.stringify({
      timestamp: String(e.timestamp),
      level: String(e.level),
      message: "[fapilog: event could not be formatted]"
    })
  }
}

const MAX_REMEMBERED_STREAMS = 10_000

/** The last time given to a stream: epoch milliseconds and the nanoseconds added within that millisecond. */
interface LastTime {
  ms: number
  extra: number
}

/**
 * Builds the streams of each batch. Stateful across batches: the distinct values seen per
 * label key (the cardinality guard) and the last timestamp of each stream, so that entries
 * of one stream within the same millisecond get increasing nanoseconds (Loki keeps their
 * order and does not merge identical lines that share a timestamp).
 */
export class StreamBuilder {
  private readonly keys: ReadonlyArray<{ readonly key: string; readonly name: string }>
  private readonly seen = new Map<string, Set<string>>()
  private readonly last = new Map<string, LastTime>()
  private readonly staticLabels: ReadonlyArray<readonly [string, string]>

  constructor(private readonly options: StreamOptions) {
    this.staticLabels = Object.entries(options.labels)
    this.keys = options.labelKeys.map((key) => ({ key, name: labelNameOf(key) }))
  }

  private guard(key: string, value: string, overflowed: Set<string>): string {
    let values = this.seen.get(key)
    if (values === undefined) {
      values = new Set()
      this.seen.set(key, values)
    }
    if (values.has(value)) return value
    if (values.size < this.options.maxLabelValues) {
      values.add(value)
      return value
    }
    overflowed.add(key)
    return OVERFLOW
  }

  private millisOf(timestamp: string): number {
    const ms = isoMillis(timestamp)
    return Number.isFinite(ms) ? ms : Date.now()
  }

  /** The time state of a stream: what it was last given, remembered across batches. */
  private lastOf(stream: string): LastTime {
    let last = this.last.get(stream)
    if (last === undefined) {
      if (this.last.size >= MAX_REMEMBERED_STREAMS) this.last.clear()
      last = { ms: Number.NaN, extra: 0 }
      this.last.set(stream, last)
    }
    return last
  }

  /** The sorted label set of an event's label values (`undefined`: no label), and its stream id. */
  private labelSet(values: ReadonlyArray<string | undefined>): {
    labels: Array<readonly [string, string]>
    id: string
  } {
    const labels = new Map(this.staticLabels)
    this.keys.forEach(({ name }, i) => {
      const v = values[i]
      if (v !== undefined) labels.set(name, v)
    })
    const sorted = [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return { labels: sorted, id: labelString(sorted) }
  }

  /**
   * The streams of a batch: each event's stream (by its label values) and its entry time,
   * later than the stream's last one within the same millisecond (`seconds[i]`, `nanos[i]`
   * for `events[i]`).
   */
  private plan(events: ReadonlyArray<LogEvent.LogEvent>): Plan {
    // streams of this batch by their label values (length-prefixed, so no two sets share a key)
    const byValues = new Map<string, Planned>()
    const streams = new Map<string, Planned>()
    const overflowed = new Set<string>()
    const values: Array<string | undefined> = new Array(this.keys.length)
    const seconds = new Float64Array(events.length)
    const nanos = new Float64Array(events.length)
    let overflowEvents = 0
    for (let n = 0; n < events.length; n++) {
      const e = events[n] as LogEvent.LogEvent
      let valuesKey = ""
      let hit = false
      for (let i = 0; i < this.keys.length; i++) {
        const { key } = this.keys[i] as { key: string }
        const value = eventLabelValue(e, key)
        if (value === undefined) {
          values[i] = undefined
          valuesKey += "-"
          continue
        }
        const kept = this.guard(key, value, overflowed)
        if (kept === OVERFLOW) hit = true
        values[i] = kept
        valuesKey += `${kept.length}:${kept}`
      }
      if (hit) overflowEvents++
      let stream = byValues.get(valuesKey)
      if (stream === undefined) {
        const set = this.labelSet(values)
        // two value lists can give one label set (two keys with the same label name)
        stream = streams.get(set.id) ?? { ...set, indexes: [], last: this.lastOf(set.id) }
        streams.set(set.id, stream)
        byValues.set(valuesKey, stream)
      }
      stream.indexes.push(n)
      // the entry's time: later than the stream's last one within the same millisecond
      const last = stream.last
      const ms = this.millisOf(e.timestamp)
      const extra = last.ms === ms && last.extra < 999_999 ? last.extra + 1 : 0
      last.ms = ms
      last.extra = extra
      const s = Math.floor(ms / 1000)
      seconds[n] = s
      nanos[n] = (ms - s * 1000) * 1_000_000 + extra
    }
    if (overflowed.size > 0) this.options.onOverflow([...overflowed], overflowEvents)
    return { streams: [...streams.values()], seconds, nanos }
  }

  /** The structured metadata of an event, pair by pair (none when the option is off). */
  private metadataOf(e: LogEvent.LogEvent, pair: (name: string, value: string) => void): void {
    if (!this.options.structuredMetadata) return
    if (e.traceId !== undefined) pair("trace_id", e.traceId)
    if (e.spanId !== undefined) pair("span_id", e.spanId)
    if (e.correlationId !== undefined) pair("correlation_id", e.correlationId)
  }

  /** The streams of a batch as plain values (the JSON body's input). */
  build(events: ReadonlyArray<LogEvent.LogEvent>): ReadonlyArray<Stream> {
    const { streams, seconds, nanos } = this.plan(events)
    return streams.map(({ labels, indexes }) => ({
      labels,
      entries: indexes.map((n): Entry => {
        const e = events[n] as LogEvent.LogEvent
        const metadata: Array<readonly [string, string]> = []
        this.metadataOf(e, (name, value) => metadata.push([name, value]))
        return { seconds: seconds[n] as number, nanos: nanos[n] as number, line: formatLine(e), metadata }
      })
    }))
  }

  /**
   * The protobuf `PushRequest` of a batch, snappy-compressed: what {@link build} gives
   * `protobufBody`, written straight from the events (each line goes into the request as it
   * is made).
   */
  protobuf(events: ReadonlyArray<LogEvent.LogEvent>): Uint8Array {
    const { streams, seconds, nanos } = this.plan(events)
    const p = pushEncoder
    p.start()
    for (const { id, indexes } of streams) {
      p.beginStream(id)
      for (const n of indexes) {
        const e = events[n] as LogEvent.LogEvent
        p.beginEventEntry(seconds[n] as number, nanos[n] as number, e, formatLine)
        this.metadataOf(e, this.writeMetadata)
        p.endEntry()
      }
      p.endStream()
    }
    return p.compressed()
  }

  private readonly writeMetadata = (name: string, value: string): void => pushEncoder.metadata(name, value)
}

/** A stream of a batch: its label set, and the indexes of its events in the batch. */
interface Planned {
  readonly labels: Array<readonly [string, string]>
  /** The label set as the protobuf `labels` string. */
  readonly id: string
  readonly indexes: Array<number>
  readonly last: LastTime
}

interface Plan {
  readonly streams: ReadonlyArray<Planned>
  readonly seconds: Float64Array
  readonly nanos: Float64Array
}
