/**
 * The test broker's own decoding (kafkaBroker.ts), checked against the specification's check
 * values and against record batches the client writes: a test double that accepted anything
 * would make the delivery tests say nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { createRecordsBatch, NumericMap } from "@platformatic/kafka"
import { crc32c, decodeBatches, Reader } from "./kafkaBroker.js"

const batch = (compression: "none" | "gzip" | "lz4" | "snappy") =>
  Buffer.from(
    createRecordsBatch(
      [
        {
          key: Buffer.from("k"),
          value: Buffer.from("first"),
          headers: new Map(),
          topic: "t",
          partition: 0,
          timestamp: 1000n
        },
        {
          value: Buffer.from("second é"),
          headers: new Map([[Buffer.from("h"), Buffer.from("v")]]),
          topic: "t",
          partition: 0,
          timestamp: 1007n
        }
      ] as never,
      { compression, producerId: 42n, producerEpoch: 3, sequences: new NumericMap() } as never
    ).buffer as Buffer
  )

describe("the Kafka test broker's decoding", () => {
  it("CRC-32C gives the Castagnoli check value", () => {
    assert.strictEqual(crc32c(Buffer.from("123456789")), 0xe3069283)
  })

  it("varints and varlongs are zigzag-decoded", () => {
    const r = new Reader(Buffer.from([0x00, 0x01, 0x02, 0x7f, 0x80, 0x01, 0xfe, 0xff, 0xff, 0xff, 0x0f]))
    assert.deepStrictEqual([r.varint(), r.varint(), r.varint(), r.varint(), r.varint()], [0, -1, 1, -64, 64])
    assert.strictEqual(r.varint(), 2_147_483_647)
    const long = new Reader(Buffer.from([0x01, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))
    assert.deepStrictEqual([long.varlong(), long.varlong()], [-1n, 9_223_372_036_854_775_807n])
  })

  for (const compression of ["none", "gzip", "lz4", "snappy"] as const)
    it(`a ${compression} record batch from the client decodes to its records, producer id and timestamps`, () => {
      const [decoded] = decodeBatches(batch(compression))
      assert.strictEqual(decoded!.compression, compression)
      assert.strictEqual(decoded!.producerId, 42n)
      assert.strictEqual(decoded!.producerEpoch, 3)
      assert.deepStrictEqual(
        decoded!.records.map((r) => [r.key?.toString() ?? null, r.value?.toString(), r.timestamp, r.headers]),
        [
          ["k", "first", 1000n, []],
          [null, "second é", 1007n, [{ key: "h", value: "v" }]]
        ]
      )
    })

  it("a flipped bit fails the CRC-32C; another magic and a short batch are refused", () => {
    const good = batch("gzip")
    const flipped = Buffer.from(good)
    flipped[flipped.length - 5]! ^= 0x10
    assert.throws(() => decodeBatches(flipped), /CRC-32C/)
    const magic = Buffer.from(good)
    magic[16] = 1
    assert.throws(() => decodeBatches(magic), /magic 1/)
    assert.throws(() => decodeBatches(good.subarray(0, good.length - 1)), /needs/)
  })
})
