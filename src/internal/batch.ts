import type { Formatter } from "../Formatter.js"
import type { LogEvent } from "../LogEvent.js"
import { toErrorInfo } from "./errorInfo.js"
import { type FormatterImpl, formatRecord } from "./formatter.js"
import { approximateBytes } from "./json.js"
import { ByteBuffer, utf8Bytes, utf8Length, utf8Text } from "./platform.js"
import { fallbackMessage, isoTime, type LogRecord, loggerName, materialize } from "./record.js"
import type { CompiledRedaction } from "./redact.js"

/** What every batch of one pipeline shares. */
export interface BatchContext {
  readonly redact?: CompiledRedaction | undefined
  /**
   * The records' fields are fapilog's own plain data (captured at the call, or made by a stage),
   * never a caller's object: an event may share them (see `materialize`).
   */
  readonly fieldsCaptured?: boolean | undefined
  /** Told when a formatter throws for an event. */
  readonly onFormatError?: ((formatter: string, error: unknown) => void) | undefined
}

const noContext: BatchContext = {}

/**
 * A pipeline's batch, as a sink that keeps events a while (a network sink's queue) reads it:
 * one event at a time, each built when the sink needs it, rather than the whole batch at
 * once. Found under a `Symbol.for` key, so that a sink from another copy of fapilog (an app
 * loading both the ES module and the CommonJS build) still finds it.
 */
export const eventSource: unique symbol = Symbol.for("fapilog/Batch/eventSource")

export interface EventSource {
  readonly size: number
  /** The event at `index`, built now unless the batch's events are built already. */
  eventAt(index: number): LogEvent
  /** A rough size of the JSON of the event at `index`, without building it (a getter of a field may throw). */
  approximateBytesAt(index: number): number
}

/** Characters rendered before a chunk is encoded into the batch's buffer. */
const CHUNK_CHARS = 8192
/** First guess of a line's size in bytes; the buffer grows when lines are longer. */
const LINE_ESTIMATE = 192

/**
 * A batch of accepted events handed to every sink at once. Structured events are built
 * lazily and the text of each formatter is rendered once per batch, however many sinks
 * share it.
 */
export class BatchImpl implements EventSource {
  private materialized: ReadonlyArray<LogEvent> | undefined
  private rendered: Map<Formatter, string> | undefined
  private encoded: Map<Formatter, Uint8Array> | undefined
  /** Per formatter, each event's text length in UTF-16 units, newline included. */
  private lengths: Map<Formatter, Uint32Array> | undefined

  constructor(
    readonly records: ReadonlyArray<LogRecord>,
    private readonly context: BatchContext = noContext
  ) {}

  /** The events at or above `minRank`; the whole batch when none is below. */
  atLeast(minRank: number): BatchImpl {
    if (this.records.every((r) => r.level.rank >= minRank)) return this
    return new BatchImpl(
      this.records.filter((r) => r.level.rank >= minRank),
      this.context
    )
  }

  /**
   * The events `keep` selects (given each record and its index in this batch); the whole
   * batch when it keeps them all. Events already built for this batch are carried over.
   */
  where(keep: (record: LogRecord, index: number) => boolean): BatchImpl {
    const kept: Array<number> = []
    for (let i = 0; i < this.records.length; i++) if (keep(this.records[i] as LogRecord, i)) kept.push(i)
    if (kept.length === this.records.length) return this
    const part = new BatchImpl(
      kept.map((i) => this.records[i] as LogRecord),
      this.context
    )
    const built = this.materialized
    if (built !== undefined) part.materialized = kept.map((i) => built[i] as LogEvent)
    return part
  }

  /** The events whose level is in `ranks`. */
  withLevels(ranks: ReadonlySet<number>): BatchImpl {
    return new BatchImpl(
      this.records.filter((r) => ranks.has(r.level.rank)),
      this.context
    )
  }

  /** The events from `index` on: what is left of the batch after a sink wrote the first `index`. */
  from(index: number): BatchImpl {
    if (index <= 0) return this
    return new BatchImpl(this.records.slice(index), this.context)
  }

  get size(): number {
    return this.records.length
  }

  get [eventSource](): EventSource {
    return this
  }

  eventAt(index: number): LogEvent {
    return this.materialized?.[index] ?? this.materializeSafely(this.records[index] as LogRecord)
  }

  approximateBytesAt(index: number): number {
    const built = this.materialized?.[index]
    if (built !== undefined) return approximateBytes(built)
    const r = this.records[index] as LogRecord
    // the core keys and their values, then the fields of every source of the record's fields
    // (no array of the sources: this runs for every event a network sink takes)
    return (
      96 +
      r.logger.length +
      (typeof r.message === "string" ? r.message.length : 64) +
      (r.fields === undefined ? 0 : approximateBytes(r.fields)) +
      (r.extra === undefined ? 0 : approximateBytes(r.extra)) +
      (r.callSite === undefined ? 0 : approximateBytes(r.callSite)) +
      (r.annotations === undefined ? 0 : approximateBytes(r.annotations)) +
      (r.bindings === undefined ? 0 : approximateBytes(r.bindings.fields)) +
      (r.context === undefined ? 0 : approximateBytes(r.context.fields)) +
      (r.enrichment === undefined ? 0 : approximateBytes(r.enrichment.fields))
    )
  }

  get events(): ReadonlyArray<LogEvent> {
    return (this.materialized ??= this.records.map((r) => this.materializeSafely(r)))
  }

  /**
   * An event that cannot be built (a hostile value beyond what the serializer guards) is
   * replaced by a marker carrying no user data, so nothing unredacted can leave.
   */
  private materializeSafely(r: LogRecord): LogEvent {
    try {
      return materialize(r, this.context.redact, this.context.fieldsCaptured === true)
    } catch (e) {
      return {
        timestamp: isoTime(r.time),
        level: r.level.name,
        logger: loggerName(r),
        message: fallbackMessage(r, this.context.redact, "[fapilog: event could not be processed]"),
        error: toErrorInfo(e),
        fields: {}
      }
    }
  }

  text(formatter: Formatter): string {
    let text = this.rendered?.get(formatter)
    if (text === undefined) {
      const bytes = this.encoded?.get(formatter)
      if (bytes !== undefined) {
        text = utf8Text(bytes)
      } else {
        let out = ""
        this.eachLine(formatter, (line) => {
          out += `${line}\n`
        })
        text = out
      }
      ;(this.rendered ??= new Map()).set(formatter, text)
    }
    return text
  }

  /**
   * The same lines as {@link text}, UTF-8 encoded, for sinks that write bytes. Rendered in
   * chunks of a few KiB straight into one buffer: one large string for a whole batch would
   * be flattened and encoded in one piece, which costs more than formatting the lines.
   */
  bytes(formatter: Formatter): Uint8Array {
    let bytes = this.encoded?.get(formatter)
    if (bytes === undefined) {
      const text = this.rendered?.get(formatter)
      if (text !== undefined) {
        bytes = utf8Bytes(text)
      } else {
        const out = new ByteBuffer(this.records.length * LINE_ESTIMATE)
        let chunk = ""
        this.eachLine(formatter, (line) => {
          chunk += `${line}\n`
          if (chunk.length >= CHUNK_CHARS) {
            out.write(chunk)
            chunk = ""
          }
        })
        out.write(chunk)
        bytes = out.result()
      }
      ;(this.encoded ??= new Map()).set(formatter, bytes)
    }
    return bytes
  }

  /**
   * Where each event's text ends in {@link bytes}, as byte offsets (the last is the length):
   * an event can span several lines (a multiline formatter), so a sink that wrote only part
   * of the bytes needs these to know how many events it wrote. Computed from the text
   * already rendered, never by formatting again.
   */
  byteEnds(formatter: Formatter): ReadonlyArray<number> | undefined {
    const lengths = this.lengths?.get(formatter)
    if (lengths === undefined) return undefined
    const text = this.text(formatter)
    const ends = new Array<number>(lengths.length)
    let char = 0
    let byte = 0
    for (let i = 0; i < lengths.length; i++) {
      const next = char + (lengths[i] as number)
      byte += utf8Length(text.slice(char, next))
      ends[i] = byte
      char = next
    }
    return ends
  }

  /** Each event's line (without the newline); records each one's length for {@link byteEnds}. */
  private eachLine(formatter: Formatter, emit: (line: string) => void): void {
    const fast = (formatter as FormatterImpl)[formatRecord]
    const redact = this.context.redact
    const lengths = new Uint32Array(this.records.length)
    for (let i = 0; i < this.records.length; i++) {
      const r = this.records[i] as LogRecord
      const line = fast !== undefined ? fast(r, redact) : this.formatOne(formatter, r, i)
      lengths[i] = line.length + 1
      emit(line)
    }
    ;(this.lengths ??= new Map()).set(formatter, lengths)
  }

  /**
   * A formatter that throws costs only the event it failed on: that event is written as a
   * JSON line (core keys and the error, never the fields), and the failure is reported.
   */
  private formatOne(formatter: Formatter, r: LogRecord, i: number): string {
    try {
      return formatter.format(this.events[i] as LogEvent)
    } catch (e) {
      this.context.onFormatError?.(formatter.name, e)
      return JSON.stringify({
        timestamp: isoTime(r.time),
        level: r.level.name,
        logger: loggerName(r),
        message: fallbackMessage(r, this.context.redact, `[fapilog: formatter ${formatter.name} failed]`),
        error: toErrorInfo(e)
      })
    }
  }
}
