/**
 * The two bodies Loki's push API (`POST /loki/api/v1/push`) accepts: a `logproto.PushRequest`
 * in protobuf, compressed with snappy's block format, or the JSON form. Only the fields a
 * client sends are written (`streams[].labels`, `entries[].timestamp/line/structuredMetadata`).
 */
/// <reference path="../snappyjs.d.ts" />
import protobuf from "protobufjs/minimal.js"
import * as snappy from "snappyjs"

/** One log line of a stream. */
export interface Entry {
  /** Nanoseconds since the Unix epoch. */
  readonly nanos: bigint
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

const NANOS_PER_SECOND = 1_000_000_000n

// wire tags: (field number << 3) | wire type, where 0 is varint and 2 is length-delimited
const PUSH_STREAMS = (1 << 3) | 2
const STREAM_LABELS = (1 << 3) | 2
const STREAM_ENTRIES = (2 << 3) | 2
const ENTRY_TIMESTAMP = (1 << 3) | 2
const ENTRY_LINE = (2 << 3) | 2
const ENTRY_METADATA = (3 << 3) | 2
const TIMESTAMP_SECONDS = (1 << 3) | 0
const TIMESTAMP_NANOS = (2 << 3) | 0
const PAIR_NAME = (1 << 3) | 2
const PAIR_VALUE = (2 << 3) | 2

/** A `logproto.PushRequest`, protobuf-encoded (not compressed). */
export const encodePushRequest = (streams: ReadonlyArray<Stream>): Uint8Array => {
  const w = protobuf.Writer.create()
  for (const stream of streams) {
    w.uint32(PUSH_STREAMS).fork()
    w.uint32(STREAM_LABELS).string(labelString(stream.labels))
    for (const entry of stream.entries) {
      w.uint32(STREAM_ENTRIES).fork()
      const seconds = entry.nanos / NANOS_PER_SECOND
      const nanos = entry.nanos % NANOS_PER_SECOND
      // google.protobuf.Timestamp: zero fields are left out, as proto3 does
      w.uint32(ENTRY_TIMESTAMP).fork()
      if (seconds !== 0n) w.uint32(TIMESTAMP_SECONDS).int64(seconds.toString())
      if (nanos !== 0n) w.uint32(TIMESTAMP_NANOS).int32(Number(nanos))
      w.ldelim()
      w.uint32(ENTRY_LINE).string(entry.line)
      for (const [name, value] of entry.metadata) {
        w.uint32(ENTRY_METADATA)
          .fork()
          .uint32(PAIR_NAME)
          .string(name)
          .uint32(PAIR_VALUE)
          .string(value)
          .ldelim()
      }
      w.ldelim()
    }
    w.ldelim()
  }
  return w.finish()
}

/** The protobuf body Loki expects: a PushRequest in snappy's block format (no framing). */
export const protobufBody = (streams: ReadonlyArray<Stream>): Uint8Array =>
  snappy.compress(encodePushRequest(streams))

/** The JSON body: `{"streams":[{"stream":{labels},"values":[["<ns>","<line>",{metadata}]]}]}`. */
export const jsonBody = (streams: ReadonlyArray<Stream>): string =>
  JSON.stringify({
    streams: streams.map((s) => ({
      stream: Object.fromEntries(s.labels),
      values: s.entries.map((e) =>
        e.metadata.length === 0
          ? [e.nanos.toString(), e.line]
          : [e.nanos.toString(), e.line, Object.fromEntries(e.metadata)]
      )
    }))
  })
