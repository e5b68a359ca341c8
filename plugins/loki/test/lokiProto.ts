/// <reference path="./snappyjs.d.ts" />
/**
 * Decodes push bodies with Loki's own definition: the unmodified `push.proto` (its gogoproto
 * options are parsed and ignored) with protobufjs's bundled `google/protobuf/timestamp`.
 */
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import protobuf from "protobufjs"
import * as snappy from "snappyjs"

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

const rootOf = (file: string): protobuf.Root => {
  const root = new protobuf.Root()
  root.addJSON((protobuf.common.get("google/protobuf/timestamp.proto") as protobuf.INamespace).nested ?? {})
  protobuf.parse(fs.readFileSync(fixture(file), "utf8"), root, { keepCase: true })
  root.resolveAll()
  return root
}

export const officialRoot = rootOf("push.proto")
export const cleanRoot = rootOf("push.clean.proto")

export interface DecodedEntry {
  readonly timestamp: { readonly seconds: string; readonly nanos: number }
  readonly line: string
  readonly structuredMetadata: ReadonlyArray<{ readonly name: string; readonly value: string }>
}

export interface DecodedStream {
  readonly labels: string
  readonly entries: ReadonlyArray<DecodedEntry>
}

/** A PushRequest, as plain data (int64 as decimal strings, absent repeated fields as []). */
export const decodePush = (
  body: Uint8Array,
  root: protobuf.Root = officialRoot
): { readonly streams: ReadonlyArray<DecodedStream> } => {
  const type = root.lookupType("logproto.PushRequest")
  const message = type.decode(body)
  return type.toObject(message, { longs: String, defaults: true, arrays: true }) as never
}

/** Snappy block decompression, then {@link decodePush}. */
export const decodeSnappyPush = (body: Uint8Array, root?: protobuf.Root) =>
  decodePush(snappy.uncompress(body), root)

/** Nanoseconds of a decoded timestamp, or of an entry as the stream builder gives it. */
export const nanosOf = (t: { readonly seconds: string | number; readonly nanos: number }): bigint =>
  BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nanos)

/**
 * Parses a protobuf `labels` string (`{a="x", b="y\"z"}`) the way Loki reads it: names, then
 * Go-quoted values. Throws on anything malformed.
 */
export const parseLabels = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y
  if (!text.startsWith("{") || !text.endsWith("}")) throw new Error(`not a label set: ${text}`)
  const inner = text.slice(1, -1)
  re.lastIndex = 0
  while (re.lastIndex < inner.length) {
    const m = re.exec(inner)
    if (m === null) throw new Error(`malformed label set: ${text}`)
    out[m[1] as string] = JSON.parse(`"${m[2] as string}"`) as string
  }
  return out
}
