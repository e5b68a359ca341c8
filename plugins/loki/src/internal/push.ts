/**
 * The two bodies Loki's push API (`POST /loki/api/v1/push`) accepts: a `logproto.PushRequest`
 * in protobuf, compressed with snappy's block format, or the JSON form. Only the fields a
 * client sends are written (`streams[].labels`, `entries[].timestamp/line/structuredMetadata`),
 * with the field numbers of Loki's `pkg/push/push.proto`.
 */
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
const writeRequest = (w: ProtoWriter, streams: ReadonlyArray<Stream>): void => {
  // an entry's length takes the bytes the last one's did, most likely (it moves when not)
  let reserve = 2
  for (const stream of streams) {
    // a whole request's stream: up to 2 MiB without moving
    const s = w.begin(1, 3)
    w.tag(1, LENGTH_DELIMITED).string(labelString(stream.labels))
    for (const entry of stream.entries) {
      const e = w.begin(2, reserve)
      // google.protobuf.Timestamp: zero fields are left out, as proto3 does
      const t = w.begin(1)
      if (entry.seconds !== 0) w.tag(1, VARINT).int64(entry.seconds)
      if (entry.nanos !== 0) w.tag(2, VARINT).uint32(entry.nanos)
      w.end(t)
      w.tag(2, LENGTH_DELIMITED).string(entry.line)
      for (const [name, value] of entry.metadata) {
        const m = w.begin(3)
        w.tag(1, LENGTH_DELIMITED).knownString(name).tag(2, LENGTH_DELIMITED).string(value)
        w.end(m)
      }
      reserve = varintSize(w.end(e, reserve))
    }
    w.end(s, 3)
  }
}

// one writer per process, reused: a request is encoded and compressed before the next begins
const writer = new ProtoWriter(256 * 1024)

/** A `logproto.PushRequest`, protobuf-encoded (not compressed). */
export const encodePushRequest = (streams: ReadonlyArray<Stream>): Uint8Array => {
  writer.reset()
  writeRequest(writer, streams)
  return writer.finish()
}

/** The protobuf body Loki expects: a PushRequest in snappy's block format (no framing). */
export const protobufBody = (streams: ReadonlyArray<Stream>): Uint8Array => {
  writer.reset()
  writeRequest(writer, streams)
  const body = snappy.compress(writer.view())
  writer.reset()
  return body
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
