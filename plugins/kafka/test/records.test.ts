/**
 * The record batches the Kafka sink writes (src/internal/records.ts), read back by two readers
 * written apart from it: the client's own (`readRecordsBatch` of @platformatic/kafka) and the
 * test broker's (kafkaBroker.ts).
 */
import * as zlib from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { Reader, readRecordsBatch } from "@platformatic/kafka"
import { Formatter, type LogEvent } from "fapilog"
import { type Compression, compressions } from "../src/internal/config.js"
import { encodeMessages, readBody } from "../src/internal/messages.js"
import { recordBatch } from "../src/internal/records.js"
import { decodeBatches } from "./kafkaBroker.js"

const event = (i: number, timestamp: string, more: Partial<LogEvent.LogEvent> = {}): LogEvent.LogEvent => ({
  timestamp,
  level: "info",
  logger: "app",
  message: `event ${i} é 😀`,
  fields: { i },
  ...more
})

// times out of order (a negative delta), keys and none, a value past two varint bytes
const events = [
  event(0, "2026-03-01T10:15:30.500Z", { correlationId: "req-1" }),
  event(1, "2026-03-01T10:15:29.250Z"),
  event(2, "2026-03-01T10:16:45.001Z", { correlationId: "ü-2", fields: { i: 2, big: "x".repeat(20_000) } }),
  event(3, "2026-03-01T10:15:30.500Z", { correlationId: "" })
]
const body = readBody(encodeMessages(events, "correlationId", 5))
const all = Int32Array.from([0, 1, 2, 3])
const identity = { producerId: 4_000_000_123n, producerEpoch: 3, baseSequence: 2_147_483_000 }
const time = (s: string) => BigInt(Date.parse(s))

const zstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === "function"

describe("the Kafka sink's record batches", () => {
  for (const compression of compressions.filter((c): c is Compression => c !== "zstd" || zstd))
    it(`compression ${compression}: the client's reader and the test broker's read every field back`, () => {
      const batch = recordBatch(body, all, identity, compression)
      const read = readRecordsBatch(Reader.from(batch))
      assert.strictEqual(read.magic, 2)
      assert.strictEqual(read.length, batch.length - 12)
      assert.strictEqual(
        read.attributes & 0x07,
        { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[compression]
      )
      assert.strictEqual(read.attributes & ~0x07, 0, "create time, not transactional, not control")
      assert.strictEqual(read.lastOffsetDelta, 3)
      assert.strictEqual(read.firstTimestamp, time("2026-03-01T10:15:30.500Z"))
      assert.strictEqual(read.maxTimestamp, time("2026-03-01T10:16:45.001Z"))
      assert.strictEqual(read.producerId, identity.producerId)
      assert.strictEqual(read.producerEpoch, identity.producerEpoch)
      assert.strictEqual(read.firstSequence, identity.baseSequence)
      assert.deepStrictEqual(
        read.records.map((r) => [
          r.offsetDelta,
          read.firstTimestamp + r.timestampDelta,
          // this reader gives no key as an empty one; the broker's below tells them apart
          r.key?.toString("utf8") ?? "",
          r.value?.toString("utf8"),
          r.headers.length
        ]),
        events.map((e, k) => [k, time(e.timestamp), e.correlationId ?? "", Formatter.json.format(e), 0])
      )
      // the broker's reader checks the CRC-32C and tells no key (null) from an empty one
      const [decoded] = decodeBatches(batch)
      assert.deepStrictEqual(
        decoded!.records.map((r) => r.key?.toString("utf8") ?? null),
        ["req-1", null, "ü-2", ""]
      )
      assert.deepStrictEqual(
        decoded!.records.map((r) => JSON.parse(r.value!.toString("utf8")).i),
        [0, 1, 2, 3]
      )
      assert.strictEqual(decoded!.baseSequence, identity.baseSequence)
    })

  it("a batch of some messages carries those, in the order given, numbered from 0", () => {
    const [decoded] = decodeBatches(recordBatch(body, Int32Array.from([3, 1]), identity, "none"))
    assert.deepStrictEqual(
      decoded!.records.map((r) => [r.offsetDelta, JSON.parse(r.value!.toString("utf8")).i]),
      [
        [0, 3],
        [1, 1]
      ]
    )
    assert.throws(() => recordBatch(body, new Int32Array(0), identity, "none"), /at least one record/)
  })

  it("a corrupted batch fails the CRC-32C check", () => {
    const batch = recordBatch(body, all, identity, "none")
    batch.writeUInt8(batch.readUInt8(batch.length - 30) ^ 0x01, batch.length - 30)
    assert.throws(() => decodeBatches(batch), /CRC-32C/)
  })
})
