/**
 * The two bodies Loki's push API (`POST /loki/api/v1/push`) accepts: a `logproto.PushRequest`
 * in protobuf, compressed with snappy's block format, or the JSON form. Only the fields a
 * client sends are written (`streams[].labels`, `entries[].timestamp/line/structuredMetadata`),
 * with the field numbers of Loki's `pkg/push/push.proto`.
 */
import { Formatter, type LogEvent } from "fapilog"
import { LENGTH_DELIMITED, ProtoWriter, VARINT, varintSize } from "../../../shared/src/protobuf.js"
import * as snappy from "./snappy.js"

/** One log line of a stream. */
export interface Entry {
  /** Whole seconds since the Unix epoch (as `google.protobuf.Timestamp.seconds`). */
  readonly seconds: number
  /** Nanoseconds within the second, 0 to 999,999,999. */
  readonly nanos: number
  readonly line: string
  /** Structured metadata (Loki 3): name/value pairs stored beside the line, not indexed. */
  readonly metadata: ReadonlyArray<readonly [string, string]>
}

/** The entries that share one label set. */
export interface Stream {
  /** Label names and values, names sorted. */
  readonly labels: ReadonlyArray<readonly [string, string]>
  readonly entries: ReadonlyArray<Entry>
}

/**
 * A label value in the quoting Loki's label parser reads (a Go string literal): backslash,
 * double quote and control characters escaped, lone surrogates replaced (Go rejects them).
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const quoteLabelValue = (value: string): string => {
  let out = '"'
  for (const ch of value.replace(LONE_SURROGATE, "\ufffd")) {
    const code = ch.codePointAt(0) as number
    if (ch === '"' || ch === "\\") out += `\\${ch}`
    else if (ch === "\n") out += "\\n"
    else if (ch === "\r") out += "\\r"
    else if (ch === "\t") out += "\\t"
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`
    else out += ch
  }
  return `${out}"`
}

/** The label set as the protobuf `labels` string: `{name="value", other="value"}`. */
export const labelString = (labels: ReadonlyArray<readonly [string, string]>): string =>
  `{${labels.map(([name, value]) => `${name}=${quoteLabelValue(value)}`).join(", ")}}`

/** An entry's time in nanoseconds since the epoch, as decimal digits (the JSON body's form). */
export const nanosText = (e: Pick<Entry, "seconds" | "nanos">): string =>
  e.seconds > 0
    ? `${e.seconds}${String(e.nanos).padStart(9, "0")}`
    : e.seconds === 0
      ? String(e.nanos)
      : (BigInt(e.seconds) * 1_000_000_000n + BigInt(e.nanos)).toString()

// push.proto: PushRequest.streams = 1; StreamAdapter.labels = 1, entries = 2;
// EntryAdapter.timestamp = 1, line = 2, structuredMetadata = 3; LabelPairAdapter.name = 1,
// value = 2; google.protobuf.Timestamp.seconds = 1, nanos = 2

/**
 * Writes a `PushRequest` a field at a time, into one writer reused by every request of the
 * process (a request is encoded and compressed before the next begins). The sink's encoder
 * drives it straight from the events of a batch (no entry objects in between); the
 * {@link Stream} form below drives it from plain values.
 */
export class PushEncoder {
  private readonly w = new ProtoWriter(256 * 1024)
  private stream = 0
  private entry = 0
  // an entry's length takes the bytes the last one's did, most likely (it moves when not)
  private reserve = 2

  /** Starts a request. */
  start(): void {
    this.w.reset()
    this.reserve = 2
  }

  /** Starts a stream, given its label set as {@link labelString} writes it. */
  beginStream(labels: string): void {
    // a whole request's stream: up to 2 MiB without moving
    this.stream = this.w.begin(1, 3)
    this.w.tag(1, LENGTH_DELIMITED).string(labels)
  }

  endStream(): void {
    this.w.end(this.stream, 3)
  }

  /** Starts an entry of the current stream: its time and line; then {@link metadata}, then {@link endEntry}. */
  beginEntry(seconds: number, nanos: number, line: string): void {
    this.time(seconds, nanos)
    this.w.tag(2, LENGTH_DELIMITED).string(line)
  }

  /**
   * {@link beginEntry} with the event's JSON line (the core JSON formatter's) written
   * straight into the request, without the line as a string in between. Should writing
   * throw (a hostile event built by hand), the entry is written again with `fallback(event)`.
   */
  beginEventEntry(
    seconds: number,
    nanos: number,
    event: LogEvent.LogEvent,
    fallback: (e: LogEvent.LogEvent) => string
  ): void {
    const w = this.w
    const mark = w.length
    try {
      this.time(seconds, nanos)
      // a line's length takes two bytes (lines of 128 bytes to 16 KiB), moved when it does not
      const line = w.begin(2, 2)
      w.written(event, writeJsonLine)
      w.end(line, 2)
    } catch {
      w.truncate(mark)
      this.beginEntry(seconds, nanos, fallback(event))
    }
  }

  /** Begins the entry and writes its timestamp. */
  private time(seconds: number, nanos: number): void {
    const w = this.w
    this.entry = w.begin(2, this.reserve)
    // google.protobuf.Timestamp: zero fields are left out, as proto3 does
    const t = w.begin(1)
    if (seconds !== 0) w.tag(1, VARINT).int64(seconds)
    if (nanos !== 0) w.tag(2, VARINT).uint32(nanos)
    w.end(t)
  }

  /** One structured-metadata pair of the current entry. */
  metadata(name: string, value: string): void {
    this.w.pair(3, name, value)
  }

  endEntry(): void {
    this.reserve = varintSize(this.w.end(this.entry, this.reserve))
  }

  /** The request written since {@link start}, copied out. */
  finish(): Uint8Array {
    return this.w.finish()
  }

  /** The request written since {@link start}, in snappy's block format (no framing). */
  compressed(): Uint8Array {
    const body = snappy.compress(this.w.view())
    this.w.reset()
    return body
  }
}

const writeJsonLine = (e: LogEvent.LogEvent, buf: Uint8Array, pos: number): number =>
  Formatter.writeJson(e, buf, pos)

/** The process's encoder (see {@link PushEncoder}). */
export const pushEncoder = new PushEncoder()

const writeRequest = (p: PushEncoder, streams: ReadonlyArray<Stream>): void => {
  p.start()
  for (const stream of streams) {
    p.beginStream(labelString(stream.labels))
    for (const entry of stream.entries) {
      p.beginEntry(entry.seconds, entry.nanos, entry.line)
      for (const [name, value] of entry.metadata) p.metadata(name, value)
      p.endEntry()
    }
    p.endStream()
  }
}

/** A `logproto.PushRequest`, protobuf-encoded (not compressed). */
export const encodePushRequest = (streams: ReadonlyArray<Stream>): Uint8Array => {
  writeRequest(pushEncoder, streams)
  return pushEncoder.finish()
}

/** The protobuf body Loki expects: a PushRequest in snappy's block format (no framing). */
export const protobufBody = (streams: ReadonlyArray<Stream>): Uint8Array => {
  writeRequest(pushEncoder, streams)
  return pushEncoder.compressed()
}

/** The JSON body: `{"streams":[{"stream":{labels},"values":[["<ns>","<line>",{metadata}]]}]}`. */
export const jsonBody = (streams: ReadonlyArray<Stream>): string =>
  JSON.stringify({
    streams: streams.map((s) => ({
      stream: Object.fromEntries(s.labels),
      values: s.entries.map((e) =>
        e.metadata.length === 0
          ? [nanosText(e), e.line]
          : [nanosText(e), e.line, Object.fromEntries(e.metadata)]
      )
    }))
  })
