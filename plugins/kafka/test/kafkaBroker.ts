/// <reference path="../../loki/test/snappyjs.d.ts" />
/**
 * A Kafka broker for the tests, written from the published protocol specification
 * (https://kafka.apache.org/protocol and the message schemas of apache/kafka,
 * clients/src/main/resources/common/message/*.json): no Kafka broker installs on these
 * machines (neither Debian nor npm has one), so the tests run the real client,
 * `@platformatic/kafka`, against this one. It is a test double of a cluster of one broker
 * (node id 1), or of `nodes` brokers (ids 1..n, each on its own port, partition p led by node
 * p mod n + 1), holding one topic's partitions in memory, and it implements exactly the
 * requests a producer sends, at these versions (what it answers ApiVersions with):
 *
 * | API | key | versions | flexible (compact encodings, tagged fields) |
 * |---|---|---|---|
 * | ApiVersions | 18 | 3 (any other: a v0 answer with UNSUPPORTED_VERSION, as the spec says) | yes |
 * | Metadata | 3 | 12 | yes |
 * | InitProducerId | 22 | 4-5 | yes |
 * | Produce | 0 | 9-11 | yes |
 *
 * A request of another API is recorded in `unsupported` and its connection closed (what a
 * broker does with an API it does not know). Request headers are v2 (client id as a
 * non-compact nullable string, then tagged fields); response headers v1, but v0 for
 * ApiVersions.
 *
 * Produce: the records are record batches of magic 2, each checked (length, magic, CRC-32C
 * over attributes to the end) and decoded: varint and zigzag fields, compression none, gzip,
 * snappy (block format), lz4 (frame format, decoded here) and zstd (where Node's zlib has
 * it); a batch that fails a check is answered CORRUPT_MESSAGE (2). Idempotence as a broker
 * keeps it: per producer id and partition, the epoch and the last five batches' sequence
 * ranges; a batch whose sequence range is one of them is a duplicate, acknowledged with the
 * offset it was written at and not written again (current brokers' answer; brokers before
 * 2.x answered DUPLICATE_SEQUENCE_NUMBER, 46, which `duplicateAnswer: "error"` gives); a
 * sequence that does not follow the last one is OUT_OF_ORDER_SEQUENCE_NUMBER (45), an old
 * epoch INVALID_PRODUCER_EPOCH (47).
 *
 * Faults, by the number of the Produce request (from 0, counted per node): answer an error code for every
 * partition without writing (NOT_LEADER_OR_FOLLOWER = 6, REQUEST_TIMED_OUT = 7...), write
 * and then answer REQUEST_TIMED_OUT (the acknowledgement lost), or write and then close the
 * connection without an answer.
 */
import * as net from "node:net"
import * as zlib from "node:zlib"
import * as snappy from "snappyjs"

// ---- primitives -------------------------------------------------------------------------

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as record batches carry it. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export const crc32c = (bytes: Uint8Array): number => {
  let crc = 0xffffffff
  for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

export class ProtocolError extends Error {}

/** Reads the protocol's types from a buffer, from the front. */
export class Reader {
  at = 0
  constructor(readonly buffer: Buffer) {}
  private need(n: number): void {
    if (this.at + n > this.buffer.length)
      throw new ProtocolError(`needs ${n} bytes at ${this.at} of ${this.buffer.length}`)
  }
  int8(): number {
    this.need(1)
    return this.buffer.readInt8(this.at++)
  }
  bool(): boolean {
    return this.int8() !== 0
  }
  int16(): number {
    this.need(2)
    const v = this.buffer.readInt16BE(this.at)
    this.at += 2
    return v
  }
  int32(): number {
    this.need(4)
    const v = this.buffer.readInt32BE(this.at)
    this.at += 4
    return v
  }
  uint32(): number {
    this.need(4)
    const v = this.buffer.readUInt32BE(this.at)
    this.at += 4
    return v
  }
  int64(): bigint {
    this.need(8)
    const v = this.buffer.readBigInt64BE(this.at)
    this.at += 8
    return v
  }
  bytes(n: number): Buffer {
    this.need(n)
    const v = this.buffer.subarray(this.at, this.at + n)
    this.at += n
    return v
  }
  /** UNSIGNED_VARINT: 7 bits a byte, least significant first, at most 5 bytes. */
  uvarint(): number {
    let value = 0
    for (let shift = 0; shift <= 28; shift += 7) {
      const b = this.int8() & 0xff
      value += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return value
    }
    throw new ProtocolError("a varint longer than 5 bytes")
  }
  /** VARINT: zigzag over UNSIGNED_VARINT. */
  varint(): number {
    const u = this.uvarint()
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2
  }
  /** VARLONG: zigzag over up to 10 bytes. */
  varlong(): bigint {
    let value = 0n
    for (let shift = 0n; shift <= 63n; shift += 7n) {
      const b = BigInt(this.int8() & 0xff)
      value |= (b & 0x7fn) << shift
      if ((b & 0x80n) === 0n) return (value >> 1n) ^ -(value & 1n)
    }
    throw new ProtocolError("a varlong longer than 10 bytes")
  }
  /** NULLABLE_STRING: int16 length, -1 for null. */
  nullableString(): string | null {
    const n = this.int16()
    return n < 0 ? null : this.bytes(n).toString("utf8")
  }
  /** COMPACT_NULLABLE_STRING: uvarint length + 1, 0 for null. */
  compactNullableString(): string | null {
    const n = this.uvarint()
    return n === 0 ? null : this.bytes(n - 1).toString("utf8")
  }
  compactString(): string {
    const s = this.compactNullableString()
    if (s === null) throw new ProtocolError("a null COMPACT_STRING")
    return s
  }
  /** COMPACT_NULLABLE_BYTES / COMPACT_RECORDS. */
  compactNullableBytes(): Buffer | null {
    const n = this.uvarint()
    return n === 0 ? null : this.bytes(n - 1)
  }
  /** COMPACT_ARRAY: uvarint length + 1, 0 for null. */
  compactArray<A>(item: (r: Reader) => A): Array<A> | null {
    const n = this.uvarint()
    if (n === 0) return null
    const out: Array<A> = []
    for (let i = 0; i < n - 1; i++) out.push(item(this))
    return out
  }
  /** TAG_BUFFER: a count, then (tag, size, bytes) each; unknown tags are skipped, as the spec allows. */
  taggedFields(): void {
    const n = this.uvarint()
    for (let i = 0; i < n; i++) {
      this.uvarint()
      this.bytes(this.uvarint())
    }
  }
  get done(): boolean {
    return this.at === this.buffer.length
  }
}

/** Writes the protocol's types. */
export class Writer {
  private readonly parts: Array<Buffer> = []
  private fixed(n: number, write: (b: Buffer) => void): this {
    const b = Buffer.allocUnsafe(n)
    write(b)
    this.parts.push(b)
    return this
  }
  int8(v: number): this {
    return this.fixed(1, (b) => b.writeInt8(v))
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0)
  }
  int16(v: number): this {
    return this.fixed(2, (b) => b.writeInt16BE(v))
  }
  int32(v: number): this {
    return this.fixed(4, (b) => b.writeInt32BE(v))
  }
  int64(v: bigint): this {
    return this.fixed(8, (b) => b.writeBigInt64BE(v))
  }
  raw(b: Buffer): this {
    this.parts.push(b)
    return this
  }
  uvarint(v: number): this {
    const out: Array<number> = []
    let n = v >>> 0
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80)
      n >>>= 7
    }
    out.push(n)
    return this.raw(Buffer.from(out))
  }
  compactNullableString(s: string | null): this {
    if (s === null) return this.uvarint(0)
    const b = Buffer.from(s, "utf8")
    return this.uvarint(b.length + 1).raw(b)
  }
  string(s: string): this {
    const b = Buffer.from(s, "utf8")
    return this.int16(b.length).raw(b)
  }
  compactArray<A>(items: ReadonlyArray<A>, item: (w: Writer, a: A) => void): this {
    this.uvarint(items.length + 1)
    for (const a of items) item(this, a)
    return this
  }
  /** An empty TAG_BUFFER. */
  tags(): this {
    return this.uvarint(0)
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts)
  }
}

// ---- record batches (magic 2) -----------------------------------------------------------

export const COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"] as const
export type Compression = (typeof COMPRESSIONS)[number]

/** LZ4 frame format (magic 0x184D2204) with its blocks; checksums are not verified. */
export const lz4FrameDecode = (input: Buffer): Buffer => {
  const r = new Reader(input)
  if (r.uint32() !== 0x04224d18) throw new ProtocolError("not an LZ4 frame")
  const flags = r.int8() & 0xff
  r.int8() // BD
  if (flags & 0x08) r.bytes(8) // content size
  if (flags & 0x01) r.bytes(4) // dictionary id
  r.int8() // header checksum
  const blockChecksum = (flags & 0x10) !== 0
  const out: Array<Buffer> = []
  for (;;) {
    const size = input.readUInt32LE(r.at)
    r.at += 4
    if (size === 0) break
    const data = r.bytes(size & 0x7fffffff)
    out.push(size & 0x80000000 ? Buffer.from(data) : lz4BlockDecode(data))
    if (blockChecksum) r.bytes(4)
  }
  return Buffer.concat(out)
}

/** One LZ4 block: sequences of literals and back-references. */
const lz4BlockDecode = (block: Buffer): Buffer => {
  const out: Array<number> = []
  let i = 0
  while (i < block.length) {
    const token = block[i++]!
    let literals = token >> 4
    if (literals === 15) {
      let b: number
      do {
        b = block[i++]!
        literals += b
      } while (b === 255)
    }
    for (let k = 0; k < literals; k++) out.push(block[i++]!)
    if (i >= block.length) break
    const offset = block[i]! | (block[i + 1]! << 8)
    i += 2
    if (offset === 0) throw new ProtocolError("an LZ4 match at offset 0")
    let length = (token & 15) + 4
    if ((token & 15) === 15) {
      let b: number
      do {
        b = block[i++]!
        length += b
      } while (b === 255)
    }
    const from = out.length - offset
    if (from < 0) throw new ProtocolError("an LZ4 match before the start")
    for (let k = 0; k < length; k++) out.push(out[from + k]!)
  }
  return Buffer.from(out)
}

const decompress = (compression: number, data: Buffer): Buffer => {
  switch (compression) {
    case 0:
      return data
    case 1:
      return zlib.gunzipSync(data)
    case 2:
      return Buffer.from(snappy.uncompress(data))
    case 3:
      return lz4FrameDecode(data)
    case 4: {
      const zstd = (zlib as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync
      if (zstd === undefined) throw new ProtocolError("zstd is not in this Node's zlib")
      return zstd(data)
    }
    default:
      throw new ProtocolError(`compression ${compression} is not defined`)
  }
}

export interface Header {
  readonly key: string
  readonly value: string | null
}

export interface DecodedRecord {
  readonly offsetDelta: number
  readonly timestamp: bigint
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: ReadonlyArray<Header>
}

export interface DecodedBatch {
  readonly compression: Compression
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly baseSequence: number
  readonly lastOffsetDelta: number
  readonly transactional: boolean
  readonly records: ReadonlyArray<DecodedRecord>
}

/** The record batches of a partition's `records` (one or more, back to back). */
export const decodeBatches = (records: Buffer): Array<DecodedBatch> => {
  const out: Array<DecodedBatch> = []
  const r = new Reader(records)
  while (!r.done) {
    r.int64() // base offset: the producer's is 0, the broker assigns
    const length = r.int32()
    const batch = new Reader(r.bytes(length))
    batch.int32() // partition leader epoch
    const magic = batch.int8()
    if (magic !== 2) throw new ProtocolError(`record batch magic ${magic}, not 2`)
    const crc = batch.uint32()
    const covered = batch.buffer.subarray(batch.at)
    if (crc32c(covered) !== crc) throw new ProtocolError("record batch CRC-32C mismatch")
    const attributes = batch.int16()
    const lastOffsetDelta = batch.int32()
    const baseTimestamp = batch.int64()
    batch.int64() // max timestamp
    const producerId = batch.int64()
    const producerEpoch = batch.int16()
    const baseSequence = batch.int32()
    const count = batch.int32()
    const compression = attributes & 0x07
    const body = new Reader(decompress(compression, batch.buffer.subarray(batch.at)))
    const decoded: Array<DecodedRecord> = []
    for (let i = 0; i < count; i++) {
      const size = body.varint()
      const record = new Reader(body.bytes(size))
      record.int8() // attributes (unused)
      const timestampDelta = record.varlong()
      const offsetDelta = record.varint()
      const keyLength = record.varint()
      const key = keyLength < 0 ? null : Buffer.from(record.bytes(keyLength))
      const valueLength = record.varint()
      const value = valueLength < 0 ? null : Buffer.from(record.bytes(valueLength))
      const headers: Array<Header> = []
      const headerCount = record.varint()
      for (let h = 0; h < headerCount; h++) {
        const hk = record.bytes(record.varint()).toString("utf8")
        const hl = record.varint()
        headers.push({ key: hk, value: hl < 0 ? null : record.bytes(hl).toString("utf8") })
      }
      if (!record.done) throw new ProtocolError("bytes left in a record")
      decoded.push({ offsetDelta, timestamp: baseTimestamp + timestampDelta, key, value, headers })
    }
    if (!body.done) throw new ProtocolError("bytes left after the records of a batch")
    if (decoded.length > 0 && decoded.at(-1)!.offsetDelta !== lastOffsetDelta)
      throw new ProtocolError("lastOffsetDelta does not match the last record")
    out.push({
      compression: COMPRESSIONS[compression]!,
      producerId,
      producerEpoch,
      baseSequence,
      lastOffsetDelta,
      transactional: (attributes & 0x10) !== 0,
      records: decoded
    })
  }
  return out
}

// ---- the broker -------------------------------------------------------------------------

export const ErrorCodes = {
  NONE: 0,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  UNSUPPORTED_VERSION: 35,
  INVALID_REQUIRED_ACKS: 21,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47
} as const

/** The versions this broker answers ApiVersions with (key: [min, max]). */
export const SUPPORTED: Readonly<Record<number, readonly [number, number]>> = {
  0: [9, 11], // Produce
  3: [12, 12], // Metadata
  18: [3, 3], // ApiVersions
  22: [4, 5] // InitProducerId
}

/** A message as the broker stored it. */
export interface Stored {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly key: string | null
  readonly value: string | null
  readonly timestamp: bigint
  readonly headers: ReadonlyArray<Header>
  readonly producerId: bigint
  readonly sequence: number
  readonly compression: Compression
}

/** What the broker does with a Produce request, by its number (from 0). */
export type Fault =
  | { readonly kind: "error"; readonly code: number }
  | { readonly kind: "timeout-after-write" }
  | { readonly kind: "drop-after-write" }

export interface BrokerOptions {
  readonly topic: string
  readonly partitions?: number | undefined
  /** Brokers in the cluster (default 1). */
  readonly nodes?: number | undefined
  readonly faults?: ((produceRequest: number, node: number) => Fault | undefined) | undefined
  readonly duplicateAnswer?: "offset" | "error" | undefined
}

export interface KafkaBroker {
  /** The port of node 1. */
  readonly port: number
  /** `127.0.0.1:<port>` of node 1, for `brokers`. */
  readonly address: string
  /** Every message written, in the order written (offsets per partition). */
  readonly stored: () => ReadonlyArray<Stored>
  /** Each request seen: API key and version, in order. */
  readonly requests: ReadonlyArray<{ readonly apiKey: number; readonly apiVersion: number }>
  /** API keys of requests this broker does not implement (none expected). */
  readonly unsupported: ReadonlyArray<number>
  /** Produce requests' acks values. */
  readonly acks: ReadonlyArray<number>
  /** Batches acknowledged as duplicates instead of being written again. */
  readonly duplicates: () => number
  /** Every batch decoded, written or not. */
  readonly batches: ReadonlyArray<DecodedBatch & { readonly partition: number }>
  /** The batches of each Produce request, by request. */
  readonly produces: ReadonlyArray<ReadonlyArray<DecodedBatch & { readonly partition: number }>>
  /** Producer ids handed out by InitProducerId. */
  readonly producerIds: ReadonlyArray<bigint>
  /** The node (1..n) each Produce request went to, by request. */
  readonly produceNodes: ReadonlyArray<number>
  /** Produce requests answered with an error or no answer by a fault. */
  readonly faulted: () => number
  /** Resolves once at least `n` messages are stored. */
  readonly waitFor: (n: number, timeoutMs?: number) => Promise<ReadonlyArray<Stored>>
  /**
   * Drops what the broker kept for the tests to read (stored messages, batches, requests):
   * a benchmark's rounds, counted already, do not grow its heap. Offsets and producer
   * states (the duplicate detection) stay.
   */
  readonly forget: () => void
  readonly close: () => Promise<void>
}

interface BatchMeta {
  readonly first: number
  readonly last: number
  readonly offset: bigint
}

interface ProducerState {
  epoch: number
  readonly batches: Array<BatchMeta>
}

/** Starts the broker on 127.0.0.1 on a free port. */
export const startKafkaBroker = async (options: BrokerOptions): Promise<KafkaBroker> => {
  const partitions = options.partitions ?? 3
  const nodes = options.nodes ?? 1
  const leaderOf = (partition: number) => (partition % nodes) + 1
  const ports: Array<number> = []
  const produceNodes: Array<number> = []
  const perNode = new Map<number, number>()
  const stored: Array<Stored> = []
  const next: Array<bigint> = Array.from({ length: partitions }, () => 0n)
  const states = new Map<string, ProducerState>()
  const requests: Array<{ apiKey: number; apiVersion: number }> = []
  const unsupported: Array<number> = []
  const acks: Array<number> = []
  const batches: Array<DecodedBatch & { partition: number }> = []
  const produces: Array<Array<DecodedBatch & { partition: number }>> = []
  const producerIds: Array<bigint> = []
  const sockets = new Set<net.Socket>()
  let duplicates = 0
  let faulted = 0
  let waiters: Array<() => void> = []

  const wake = () => {
    const w = waiters
    waiters = []
    for (const f of w) f()
  }

  /** Writes one batch to a partition, or answers why not (the spec's idempotence rules). */
  const append = (
    topic: string,
    partition: number,
    batch: DecodedBatch
  ): { code: number; offset: bigint } => {
    const count = batch.lastOffsetDelta + 1
    if (batch.producerId >= 0n) {
      const id = `${batch.producerId}:${topic}:${partition}`
      const first = batch.baseSequence
      const last = (first + count - 1) % 2 ** 31
      let state = states.get(id)
      if (state !== undefined && batch.producerEpoch < state.epoch)
        return { code: ErrorCodes.INVALID_PRODUCER_EPOCH, offset: -1n }
      if (state !== undefined && batch.producerEpoch > state.epoch) {
        state = undefined
        states.delete(id)
      }
      const duplicate = state?.batches.find((b) => b.first === first && b.last === last)
      if (duplicate !== undefined) {
        duplicates++
        return options.duplicateAnswer === "error"
          ? { code: ErrorCodes.DUPLICATE_SEQUENCE_NUMBER, offset: -1n }
          : { code: ErrorCodes.NONE, offset: duplicate.offset }
      }
      const expected = state === undefined ? 0 : (state.batches.at(-1)!.last + 1) % 2 ** 31
      if (first !== expected) return { code: ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER, offset: -1n }
      if (state === undefined) {
        state = { epoch: batch.producerEpoch, batches: [] }
        states.set(id, state)
      }
      state.batches.push({ first, last, offset: next[partition]! })
      if (state.batches.length > 5) state.batches.shift()
    }
    const offset = next[partition]!
    for (const [i, record] of batch.records.entries())
      stored.push({
        topic,
        partition,
        offset: offset + BigInt(record.offsetDelta),
        key: record.key?.toString("utf8") ?? null,
        value: record.value?.toString("utf8") ?? null,
        timestamp: record.timestamp,
        headers: record.headers,
        producerId: batch.producerId,
        sequence: batch.baseSequence + i,
        compression: batch.compression
      })
    next[partition] = offset + BigInt(count)
    return { code: ErrorCodes.NONE, offset }
  }

  const apiVersions = (version: number): Buffer => {
    const keys = Object.entries(SUPPORTED).map(([k, [min, max]]) => [Number(k), min, max] as const)
    if (version !== 3) {
      // the spec's fallback: a v0 body with UNSUPPORTED_VERSION and the supported versions
      const w = new Writer().int16(ErrorCodes.UNSUPPORTED_VERSION).int32(keys.length)
      for (const [k, min, max] of keys) w.int16(k).int16(min).int16(max)
      return w.toBuffer()
    }
    return new Writer()
      .int16(ErrorCodes.NONE)
      .compactArray(keys, (w, [k, min, max]) => w.int16(k).int16(min).int16(max).tags())
      .int32(0)
      .tags()
      .toBuffer()
  }

  const metadata = (r: Reader): Buffer => {
    const topics = r.compactArray((t) => {
      t.bytes(16) // topic id
      const name = t.compactNullableString()
      t.taggedFields()
      return name
    })
    r.bool() // allow auto topic creation
    r.bool() // include topic authorized operations
    r.taggedFields()
    const names = topics === null ? [options.topic] : topics.filter((n): n is string => n !== null)
    return new Writer()
      .int32(0)
      .compactArray(
        ports.map((port, k) => [k + 1, port] as const),
        (w, [node, port]) =>
          w.int32(node).compactNullableString("127.0.0.1").int32(port).compactNullableString(null).tags()
      )
      .compactNullableString("fapilog-test-cluster")
      .int32(1)
      .compactArray(names, (w, name) => {
        const known = name === options.topic
        w.int16(known ? ErrorCodes.NONE : ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION)
          .compactNullableString(name)
          .raw(Buffer.alloc(16, known ? 7 : 0))
          .bool(false)
          .compactArray(known ? Array.from({ length: partitions }, (_, i) => i) : [], (w, p) =>
            w
              .int16(ErrorCodes.NONE)
              .int32(p)
              .int32(leaderOf(p))
              .int32(0)
              .compactArray([leaderOf(p)], (w, n) => w.int32(n))
              .compactArray([leaderOf(p)], (w, n) => w.int32(n))
              .compactArray([], (w, n: number) => w.int32(n))
              .tags()
          )
          .int32(-2147483648)
          .tags()
      })
      .tags()
      .toBuffer()
  }

  const initProducerId = (r: Reader): Buffer => {
    r.compactNullableString() // transactional id
    r.int32() // transaction timeout
    r.int64() // producer id (to bump an epoch; a new one is given)
    r.int16() // producer epoch
    r.taggedFields()
    const id = 1000n + BigInt(producerIds.length)
    producerIds.push(id)
    return new Writer().int32(0).int16(ErrorCodes.NONE).int64(id).int16(0).tags().toBuffer()
  }

  /** The Produce answer, or "drop" to close the connection without one. */
  const produce = (r: Reader, node: number): Buffer | "drop" => {
    const n = perNode.get(node) ?? 0
    perNode.set(node, n + 1)
    produceNodes.push(node)
    r.compactNullableString() // transactional id
    const ack = r.int16()
    acks.push(ack)
    r.int32() // timeout
    const data = r.compactArray((t) => {
      const name = t.compactString()
      const parts = t.compactArray((p) => {
        const index = p.int32()
        const records = p.compactNullableBytes()
        p.taggedFields()
        return { index, records }
      })
      t.taggedFields()
      return { name, parts: parts ?? [] }
    })
    r.taggedFields()
    const fault = options.faults?.(n, node)
    const seen: Array<DecodedBatch & { partition: number }> = []
    produces.push(seen)
    const answers = (data ?? []).map(({ name, parts }) => ({
      name,
      parts: parts.map(({ index, records }) => {
        if (fault?.kind === "error") return { index, code: fault.code, offset: -1n }
        if (name !== options.topic || index < 0 || index >= partitions)
          return { index, code: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, offset: -1n }
        if (leaderOf(index) !== node) return { index, code: ErrorCodes.NOT_LEADER_OR_FOLLOWER, offset: -1n }
        if (ack !== -1 && ack !== 0 && ack !== 1)
          return { index, code: ErrorCodes.INVALID_REQUIRED_ACKS, offset: -1n }
        let decoded: Array<DecodedBatch>
        try {
          decoded = decodeBatches(records ?? Buffer.alloc(0))
        } catch {
          return { index, code: ErrorCodes.CORRUPT_MESSAGE, offset: -1n }
        }
        let first: { code: number; offset: bigint } | undefined
        for (const batch of decoded) {
          batches.push({ ...batch, partition: index })
          seen.push({ ...batch, partition: index })
          const result = append(name, index, batch)
          first ??= result
          if (result.code !== ErrorCodes.NONE) return { index, ...result }
        }
        const written = first ?? { code: ErrorCodes.NONE, offset: next[index]! }
        return fault?.kind === "timeout-after-write"
          ? { index, code: ErrorCodes.REQUEST_TIMED_OUT, offset: -1n }
          : { index, ...written }
      })
    }))
    if (fault !== undefined) faulted++
    wake()
    if (fault?.kind === "drop-after-write") return "drop"
    return new Writer()
      .compactArray(answers, (w, t) =>
        w
          .compactNullableString(t.name)
          .compactArray(t.parts, (w, p) =>
            w
              .int32(p.index)
              .int16(p.code)
              .int64(p.offset)
              .int64(-1n)
              .int64(0n)
              .compactArray([], () => {})
              .compactNullableString(null)
              .tags()
          )
          .tags()
      )
      .int32(0)
      .tags()
      .toBuffer()
  }

  /** One request frame: its answer (with header), or undefined to close the connection. */
  const handle = (frame: Buffer, node: number): Buffer | undefined => {
    const r = new Reader(frame)
    const apiKey = r.int16()
    const apiVersion = r.int16()
    const correlationId = r.int32()
    requests.push({ apiKey, apiVersion })
    const range = SUPPORTED[apiKey]
    if (range === undefined) {
      unsupported.push(apiKey)
      return undefined
    }
    r.nullableString() // client id
    // every version implemented here is flexible: request header v2 has tagged fields
    if (apiKey !== 18 || apiVersion >= 3) r.taggedFields()
    let body: Buffer | "drop"
    if (apiKey === 18) body = apiVersions(apiVersion)
    else if (apiVersion < range[0] || apiVersion > range[1]) {
      unsupported.push(apiKey)
      return undefined
    } else if (apiKey === 3) body = metadata(r)
    else if (apiKey === 22) body = initProducerId(r)
    else body = produce(r, node)
    if (body === "drop") return undefined
    // response header v0 for ApiVersions (always), v1 (with tagged fields) for flexible versions
    const header =
      apiKey === 18 ? new Writer().int32(correlationId) : new Writer().int32(correlationId).tags()
    const payload = Buffer.concat([header.toBuffer(), body])
    const size = Buffer.allocUnsafe(4)
    size.writeInt32BE(payload.length)
    return Buffer.concat([size, payload])
  }

  const listen = async (node: number): Promise<net.Server> => {
    const server = net.createServer((socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      socket.on("error", () => {})
      let pending = Buffer.alloc(0)
      socket.on("data", (chunk) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
        while (pending.length >= 4) {
          const size = pending.readInt32BE(0)
          if (pending.length < 4 + size) break
          const frame = pending.subarray(4, 4 + size)
          pending = pending.subarray(4 + size)
          let answer: Buffer | undefined
          try {
            answer = handle(frame, node)
          } catch {
            answer = undefined
          }
          if (answer === undefined) {
            socket.destroy()
            return
          }
          socket.write(answer)
        }
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => resolve())
    })
    ports.push((server.address() as net.AddressInfo).port)
    return server
  }
  const servers: Array<net.Server> = []
  for (let node = 1; node <= nodes; node++) servers.push(await listen(node))
  const port = ports[0]!

  return {
    port,
    address: `127.0.0.1:${port}`,
    stored: () => stored,
    requests,
    unsupported,
    acks,
    duplicates: () => duplicates,
    batches,
    produces,
    producerIds,
    produceNodes,
    faulted: () => faulted,
    forget: () => {
      stored.length = 0
      batches.length = 0
      produces.length = 0
      requests.length = 0
      produceNodes.length = 0
    },
    waitFor: (n, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`the broker has ${stored.length} messages, not ${n}, after ${timeoutMs} ms`)),
          timeoutMs
        )
        const check = () => {
          if (stored.length >= n) {
            clearTimeout(timer)
            resolve(stored)
          } else waiters.push(check)
        }
        check()
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        let open = servers.length
        for (const server of servers)
          server.close(() => {
            if (--open === 0) resolve()
          })
      })
  }
}
