/**
 * The Kafka sink's Produce requests (src/internal/produce.ts): their layout at each version,
 * read field by field, and the version chosen.
 */
import { assert, describe, it } from "@effect/vitest"
import { kGetApi, kGetConnection, kPerformWithRetry, Reader } from "@platformatic/kafka"
import type { LogEvent } from "fapilog"
import { encodeMessages, readBody } from "../src/internal/messages.js"
import { produce, produceRequest } from "../src/internal/produce.js"
import { recordBatch } from "../src/internal/records.js"
import { isPermanent } from "../src/internal/sink.js"

const event = (i: number): LogEvent.LogEvent => ({
  timestamp: "2026-03-01T10:15:30.500Z",
  level: "info",
  logger: "app",
  message: `event ${i}`,
  fields: { i }
})
const body = readBody(encodeMessages([event(0), event(1)], false, 5))
const all = Int32Array.from([0, 1])
const identity = { producerId: 7n, producerEpoch: 0, baseSequence: 0 }

describe("the Kafka sink's Produce requests", () => {
  const batch = recordBatch(body, all, identity, "none")
  const other = recordBatch(body, Int32Array.from([1]), identity, "gzip")

  it("versions 9 to 11 (flexible): compact strings, arrays and records, tagged fields", () => {
    const bytes = produceRequest(9, "logs", 1500, [
      { partition: 2, batch },
      { partition: 0, batch: other }
    ]).buffer
    const r = Reader.from(bytes)
    assert.strictEqual(r.readUnsignedVarInt(), 0, "transactional_id null")
    assert.strictEqual(r.readInt16(), -1, "acks all")
    assert.strictEqual(r.readInt32(), 1500)
    assert.strictEqual(r.readUnsignedVarInt(), 2, "one topic")
    assert.strictEqual(r.readString(), "logs")
    assert.strictEqual(r.readUnsignedVarInt(), 3, "two partitions")
    for (const [partition, expected] of [
      [2, batch],
      [0, other]
    ] as const) {
      assert.strictEqual(r.readInt32(), partition)
      const length = r.readUnsignedVarInt() - 1
      assert.isTrue(Buffer.from(bytes.subarray(r.position, r.position + length)).equals(expected))
      r.skip(length)
      assert.strictEqual(r.readUnsignedVarInt(), 0, "partition tagged fields")
    }
    assert.strictEqual(r.readUnsignedVarInt(), 0, "topic tagged fields")
    assert.strictEqual(r.readUnsignedVarInt(), 0, "request tagged fields")
    assert.strictEqual(r.remaining, 0)
  })

  it("versions 7 and 8: int16 strings, int32 array counts and record sizes, no tagged fields", () => {
    const bytes = produceRequest(8, "logs", 1500, [{ partition: 1, batch }]).buffer
    const r = Reader.from(bytes)
    assert.strictEqual(r.readInt16(), -1, "transactional_id null")
    assert.strictEqual(r.readInt16(), -1, "acks all")
    assert.strictEqual(r.readInt32(), 1500)
    assert.strictEqual(r.readInt32(), 1, "one topic")
    assert.strictEqual(r.readString(false), "logs")
    assert.strictEqual(r.readInt32(), 1, "one partition")
    assert.strictEqual(r.readInt32(), 1)
    assert.strictEqual(r.readInt32(), batch.length)
    assert.isTrue(Buffer.from(bytes.subarray(r.position)).equals(batch))
  })

  /** A client whose connection records what `produce` sends and answers `answer`. */
  const fakeClient = (version: number) => {
    const sent: Array<{ version: number; flexible: boolean; payload: Buffer }> = []
    const connection = {
      send: (
        _key: number,
        v: number,
        payload: () => { buffer: Buffer },
        _parser: unknown,
        requestTagged: boolean,
        responseTagged: boolean,
        callback: (e: Error | null, r?: unknown) => void
      ) => {
        assert.strictEqual(requestTagged, responseTagged)
        sent.push({ version: v, flexible: requestTagged, payload: payload().buffer })
        callback(null, { responses: [], throttleTimeMs: 0 })
      }
    }
    const client = {
      [kPerformWithRetry]: (
        _id: string,
        operation: (cb: (e: Error | null, r?: unknown) => void) => void,
        callback: (e: Error | null, r?: unknown) => void
      ) => operation(callback),
      [kGetConnection]: (_broker: unknown, cb: (e: Error | null, c?: unknown) => void) =>
        cb(null, connection),
      [kGetApi]: (_name: string, cb: (e: Error | null, api?: unknown) => void) => cb(null, { version })
    } as unknown as Parameters<typeof produce>[0]
    return { client, sent }
  }

  it("the version the client agreed with the broker, and 11 when that is later", async () => {
    for (const [agreed, used] of [
      [7, 7],
      [9, 9],
      [11, 11],
      [12, 11],
      [13, 11]
    ] as const) {
      const { client, sent } = fakeClient(agreed)
      await produce(client, { host: "b", port: 1 }, "logs", 900, [{ partition: 0, batch }])
      assert.deepStrictEqual(
        sent.map((s) => [s.version, s.flexible]),
        [[used, used >= 9]]
      )
      assert.isTrue(
        sent[0]!.payload.equals(produceRequest(used, "logs", 900, [{ partition: 0, batch }]).buffer)
      )
    }
  })

  it("a broker whose versions the sink does not write: a permanent error", async () => {
    const { client, sent } = fakeClient(5)
    const error = await produce(client, { host: "b", port: 1 }, "logs", 900, [{ partition: 0, batch }]).then(
      () => assert.fail("it should fail"),
      (e: unknown) => e
    )
    assert.match((error as Error).message, /no Produce version the Kafka sink writes/)
    assert.isTrue(isPermanent(error))
    assert.strictEqual(sent.length, 0)
  })
})
