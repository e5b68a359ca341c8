/**
 * Kafka record batches (magic 2, the format of Kafka 0.11 and later), written by the sink
 * itself from a request body: the bytes go from the body into the batch with no message
 * object in between (the client's own producer makes a writer and a few buffers per message).
 *
 * Layout (https://kafka.apache.org/documentation/#recordbatch), big-endian:
 *
 * | field | size |
 * |---|---|
 * | baseOffset (0: the broker assigns offsets) | int64 |
 * | batchLength (the bytes after this field) | int32 |
 * | partitionLeaderEpoch (-1: the broker sets it) | int32 |
 * | magic (2) | int8 |
 * | crc (CRC-32C of everything from attributes to the end) | uint32 |
 * | attributes (compression in bits 0-2; create time, not transactional, not control) | int16 |
 * | lastOffsetDelta | int32 |
 * | baseTimestamp, maxTimestamp | int64, int64 |
 * | producerId, producerEpoch, baseSequence | int64, int16, int32 |
 * | record count | int32 |
 * | records (compressed as one block when a compression is set) | |
 *
 * and each record: its length, attributes (0), timestampDelta, offsetDelta, key length (-1:
 * none) and key, value length and value, header count (0); lengths and deltas as zigzag
 * varints.
 */
import { compressionsAlgorithms, crc32c } from "@platformatic/kafka"
import type { Compression } from "./config.js"
import type { Body } from "./messages.js"

/** The bytes of a batch before its records. */
const BATCH_HEADER = 61

/** The producer identity and first sequence number a batch carries (idempotence). */
export interface BatchIdentity {
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly baseSequence: number
}

const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1)

/** The bytes of an unsigned varint of `n` (0 ≤ n < 2^53). */
const varintSize = (n: number): number => {
  let size = 1
  while (n >= 128) {
    n = Math.floor(n / 128)
    size++
  }
  return size
}

/** Writes `n` (0 ≤ n < 2^53) as an unsigned varint at `at`; returns the end. */
const writeVarint = (buf: Buffer, n: number, at: number): number => {
  while (n >= 128) {
    buf[at++] = (n % 128) | 128
    n = Math.floor(n / 128)
  }
  buf[at++] = n
  return at
}

/**
 * The record batch of messages `indices` of `body` (in that order), with `identity` and
 * `compression`. Timestamps are the events' own times (epoch milliseconds, truncated).
 */
export const recordBatch = (
  body: Body,
  indices: Int32Array,
  identity: BatchIdentity,
  compression: Compression
): Buffer => {
  const n = indices.length
  if (n === 0) throw new Error("a record batch needs at least one record")
  const { bytes, timestamps, keyAt, keyLength, valueAt, valueLength } = body
  const base = Math.trunc(timestamps[indices[0]!]!)
  let max = base
  let bound = BATCH_HEADER
  for (let k = 0; k < n; k++) {
    const i = indices[k]!
    // per record at most: 5 (length) + 1 + 10 (timestamp) + 5 (offset) + 5 (key) + 5 (value) + 1
    bound += 32 + (keyAt[i]! < 0 ? 0 : keyLength[i]!) + valueLength[i]!
  }
  const out = Buffer.allocUnsafe(bound)
  let at = BATCH_HEADER
  for (let k = 0; k < n; k++) {
    const i = indices[k]!
    const time = Math.trunc(timestamps[i]!)
    if (time > max) max = time
    const delta = zigzag(time - base)
    const kAt = keyAt[i]!
    const kLength = kAt < 0 ? 0 : keyLength[i]!
    const vLength = valueLength[i]!
    const size =
      1 +
      varintSize(delta) +
      varintSize(k * 2) +
      (kAt < 0 ? 1 : varintSize(kLength * 2) + kLength) +
      varintSize(vLength * 2) +
      vLength +
      1
    at = writeVarint(out, size * 2, at)
    out[at++] = 0
    at = writeVarint(out, delta, at)
    at = writeVarint(out, k * 2, at)
    if (kAt < 0) out[at++] = 1
    else {
      at = writeVarint(out, kLength * 2, at)
      at += bytes.copy(out, at, kAt, kAt + kLength)
    }
    at = writeVarint(out, vLength * 2, at)
    const vAt = valueAt[i]!
    at += bytes.copy(out, at, vAt, vAt + vLength)
    out[at++] = 0
  }
  let batch = out.subarray(0, at)
  let attributes = 0
  if (compression !== "none") {
    const algorithm = compressionsAlgorithms[compression]
    const packed = algorithm.compressSync(out.subarray(BATCH_HEADER, at)) as Buffer
    batch = Buffer.allocUnsafe(BATCH_HEADER + packed.length)
    packed.copy(batch, BATCH_HEADER)
    attributes = algorithm.bitmask
  }
  batch.writeBigInt64BE(0n, 0)
  batch.writeInt32BE(batch.length - 12, 8)
  batch.writeInt32BE(-1, 12)
  batch.writeInt8(2, 16)
  batch.writeInt16BE(attributes, 21)
  batch.writeInt32BE(n - 1, 23)
  batch.writeBigInt64BE(BigInt(base), 27)
  batch.writeBigInt64BE(BigInt(max), 35)
  batch.writeBigInt64BE(identity.producerId, 43)
  batch.writeInt16BE(identity.producerEpoch, 51)
  batch.writeInt32BE(identity.baseSequence, 53)
  batch.writeInt32BE(n, 57)
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17)
  return batch
}
