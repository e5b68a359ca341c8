/**
 * The Kafka sink's transport (src/internal/sink.ts) through a real producer to the test broker
 * of kafkaBroker.ts: what a resend leaves out, when a new producer id is taken, attempts one at
 * a time, placement by key, a moved leader, duplicates, which errors are permanent, and the
 * producer's options.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, assert, describe, it } from "@effect/vitest"
import { murmur2, Producer } from "@platformatic/kafka"
import type { LogEvent } from "fapilog"
import { encodeMessages } from "../src/internal/messages.js"
import {
  compressionProblem,
  describe as describeError,
  isPermanent,
  type KafkaClient,
  producerOptions,
  sender
} from "../src/internal/sink.js"
import { byPartition, eventOf, node2RefusesThrice } from "./delivery.js"
import { type BrokerOptions, ErrorCodes, type KafkaBroker, startKafkaBroker } from "./kafkaBroker.js"

const event = (i: number, correlationId: string): LogEvent.LogEvent => ({
  timestamp: "2026-03-01T10:15:30.000Z",
  level: "info",
  logger: "app",
  message: `event ${i}`,
  correlationId,
  fields: { i }
})

const brokers: Array<KafkaBroker> = []
const producers: Array<Producer<Buffer, Buffer, Buffer, Buffer>> = []
afterEach(async () => {
  for (const p of producers.splice(0)) await p.close(true)
  for (const b of brokers.splice(0)) await b.close()
})

/**
 * A test broker (4 partitions unless said) and the sender of its topic "logs" through a real
 * producer, or through what `wrap` makes of it.
 */
const setUp = async (
  options: Partial<BrokerOptions> = {},
  wrap: (producer: Producer<Buffer, Buffer, Buffer, Buffer>) => KafkaClient = (producer) => producer
) => {
  const b = await startKafkaBroker({ topic: "logs", partitions: 4, ...options })
  brokers.push(b)
  const producer = new Producer<Buffer, Buffer, Buffer, Buffer>(
    producerOptions({ brokers: [b.address], topic: "logs", timeoutMs: 3000 })
  )
  producers.push(producer)
  const send = sender(wrap(producer), { topic: "logs", compression: "none", timeoutMs: 1000 })
  return { b, send }
}

/** Each stored message's event `i`, in offset order per partition, partitions in order. */
const storedIs = (b: KafkaBroker): Array<number> =>
  [...byPartition(b.stored()).values()].flat().map((m) => eventOf(m).i as number)

const body = (n: number, from = 0) =>
  encodeMessages(
    Array.from({ length: n }, (_, k) => event(from + k, `c-${(from + k) % 9}`)),
    "correlationId",
    7
  )

const fails = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => assert.fail("the send should fail"),
    (e: unknown) => e
  )

describe("the Kafka sink's transport", () => {
  it("a resend of the same request leaves out the partitions the failed send had written", async () => {
    // node 2 (partitions 1 and 3) refuses the client's three tries; node 1 writes 0 and 2
    const { b, send } = await setUp({ nodes: 2, faults: node2RefusesThrice })
    const request = body(40)
    const error = await fails(send(request))
    assert.match(String((error as Error).message), /Producing messages failed/)
    const before = b.produces.length
    await send(request)
    const resent = b.produces.slice(before)
    assert.deepStrictEqual(
      new Set(resent.flat().map((batch) => batch.partition)),
      new Set([1, 3]),
      "the resend carries node 2's partitions only"
    )
    assert.deepStrictEqual(
      storedIs(b).sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => i)
    )
    assert.strictEqual(b.duplicates(), 0)
    assert.strictEqual(b.producerIds.length, 1, "a resend keeps the producer id (and the sequence numbers)")
  })

  it("partitions added between two attempts of a request: its messages stay where the first placed them", async () => {
    // the first attempt sees 2 of the topic's 4 partitions: 0 (node 1, written) and 1 (node 2,
    // refused three times); the resend sees 4, and must still leave out partition 0 only
    let reads = 0
    const { b, send } = await setUp(
      { nodes: 2, faults: node2RefusesThrice },
      (producer) =>
        new Proxy(producer, {
          get: (target, property) => {
            if (property === "metadata")
              return async (options: { topics: Array<string> }) => {
                const metadata = await target.metadata(options)
                if (reads++ > 0) return metadata
                const topic = metadata.topics.get("logs")!
                return {
                  ...metadata,
                  topics: new Map([
                    ["logs", { ...topic, partitions: topic.partitions.slice(0, 2), partitionsCount: 2 }]
                  ])
                }
              }
            const value = Reflect.get(target, property, target) as unknown
            return typeof value === "function" ? value.bind(target) : value
          }
        })
    )
    const request = body(40)
    await fails(send(request))
    await send(request)
    assert.deepStrictEqual(
      storedIs(b).sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => i),
      "every event once"
    )
    assert.deepStrictEqual(new Set(b.stored().map((m) => m.partition)), new Set([0, 1]))
    assert.strictEqual(b.duplicates(), 0)
  })

  it("a new request after a failed one takes a new producer id first; after a success it does not", async () => {
    const { b, send } = await setUp({
      partitions: 1,
      faults: (n) => (n < 3 ? { kind: "error", code: ErrorCodes.REQUEST_TIMED_OUT } : undefined)
    })
    await fails(send(body(10)))
    await send(body(10, 10))
    assert.strictEqual(b.producerIds.length, 2)
    await send(body(10, 20))
    assert.strictEqual(b.producerIds.length, 2)
    assert.deepStrictEqual(
      storedIs(b),
      Array.from({ length: 20 }, (_, i) => i + 10)
    )
    assert.deepStrictEqual(
      b.batches.filter((batch) => batch.producerId === b.producerIds[1]).map((batch) => batch.baseSequence),
      [0, 10],
      "the new producer id numbers from 0"
    )
  })

  it("attempts run one at a time, each partition's sequence numbers following on", async () => {
    const { b, send } = await setUp({ partitions: 1 })
    await Promise.all([send(body(5)), send(body(5, 5)), send(body(5, 10))])
    assert.deepStrictEqual(
      storedIs(b),
      Array.from({ length: 15 }, (_, i) => i)
    )
    assert.deepStrictEqual(
      b.batches.map((batch) => batch.baseSequence),
      [0, 5, 10]
    )
  })

  it("keyed messages are placed by the key's murmur2 hash, as the Java client places them; keyless by the request's seed", async () => {
    const { b, send } = await setUp()
    await send(encodeMessages([event(0, "a"), event(1, "a"), event(2, "b")], "correlationId", 7))
    await send(encodeMessages([event(3, "x"), event(4, "y")], false, 6))
    const java = (key: string) => (murmur2(Buffer.from(key)) & 0x7fffffff) % 4
    const partitionOf = (i: number) => b.stored().find((m) => eventOf(m).i === i)!.partition
    assert.deepStrictEqual([0, 1, 2].map(partitionOf), [java("a"), java("a"), java("b")])
    // keyless: the request's seed (6) modulo the 4 partitions, all of the request in one
    assert.deepStrictEqual([3, 4].map(partitionOf), [2, 2])
    const keyOf = (i: number) => b.stored().find((m) => eventOf(m).i === i)!.key
    assert.deepStrictEqual([0, 1, 2, 3, 4].map(keyOf), ["a", "a", "b", null, null])
  })

  it("a leader that moved is looked up again and sent to within the same attempt", async () => {
    const { b, send } = await setUp({
      partitions: 1,
      faults: (n) => (n === 0 ? { kind: "error", code: ErrorCodes.NOT_LEADER_OR_FOLLOWER } : undefined)
    })
    const metadataBefore = b.requests.filter((r) => r.apiKey === 3).length
    await send(body(10))
    assert.strictEqual(b.faulted(), 1)
    assert.isAbove(b.requests.filter((r) => r.apiKey === 3).length, metadataBefore, "the metadata read again")
    assert.deepStrictEqual(
      storedIs(b),
      Array.from({ length: 10 }, (_, i) => i)
    )
  })

  it("a broker that lost the producer's state (OUT_OF_ORDER_SEQUENCE_NUMBER): the next attempt takes a new producer id", async () => {
    const { b, send } = await setUp({
      partitions: 1,
      faults: (n) => (n === 1 ? { kind: "error", code: ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER } : undefined)
    })
    await send(body(5))
    const request = body(5, 5)
    assert.match(describeError(await fails(send(request))), /Kafka error 45/)
    await send(request)
    assert.strictEqual(b.producerIds.length, 2)
    assert.deepStrictEqual(
      storedIs(b),
      Array.from({ length: 10 }, (_, i) => i)
    )
  })

  it("a duplicate answered DUPLICATE_SEQUENCE_NUMBER (brokers before 2.x) is taken as acknowledged", async () => {
    // the first try is written and its answer lost; the client's retry is a duplicate
    const { b, send } = await setUp({
      partitions: 1,
      duplicateAnswer: "error",
      faults: (n) => (n === 0 ? { kind: "timeout-after-write" } : undefined)
    })
    await send(body(10))
    await send(body(10, 10))
    assert.isAtLeast(b.duplicates(), 1)
    assert.deepStrictEqual(
      storedIs(b),
      Array.from({ length: 20 }, (_, i) => i)
    )
    assert.deepStrictEqual(
      b.batches.filter((batch, k) => k === 0 || batch.baseSequence !== 0).map((batch) => batch.baseSequence),
      [0, 10],
      "the next batch follows on from the acknowledged one"
    )
  })

  it("a body that is not this sink's is refused before anything is sent", async () => {
    const { b, send } = await setUp()
    const error = await fails(send(new TextEncoder().encode('{"not":"kafka"}\n')))
    assert.match((error as Error).message, /not a Kafka sink request body/)
    assert.strictEqual(b.produces.length, 0)
    assert.strictEqual(b.producerIds.length, 0)
  })

  it("zstd is refused up front on a Node without zlib's zstd, naming the compressions that work", () => {
    assert.match(
      compressionProblem("zstd", false) ?? "",
      /compression "zstd" needs Node 22\.15.*none, gzip, snappy, lz4/
    )
    assert.isUndefined(compressionProblem("zstd", true))
    for (const c of ["none", "gzip", "snappy", "lz4"] as const)
      assert.isUndefined(compressionProblem(c, false))
  })

  it("permanent errors are the broker's refusals of the batch itself; the rest is retried", () => {
    const kafka = (apiCode: number) => Object.assign(new Error(`code ${apiCode}`), { apiCode })
    const wrapped = (e: Error) =>
      Object.assign(new Error("Producing messages failed."), {
        errors: [new Error("produce failed 3 times.", { cause: e })]
      })
    assert.isTrue(isPermanent(wrapped(kafka(10))), "MESSAGE_TOO_LARGE")
    assert.isTrue(isPermanent(kafka(29)), "TOPIC_AUTHORIZATION_FAILED")
    assert.isTrue(isPermanent(wrapped(kafka(76))), "UNSUPPORTED_COMPRESSION_TYPE")
    assert.isTrue(isPermanent(kafka(32)), "INVALID_TIMESTAMP")
    assert.isTrue(isPermanent(kafka(44)), "POLICY_VIOLATION")
    assert.isFalse(isPermanent(kafka(74)), "FENCED_LEADER_EPOCH: a leader that moved")
    assert.isTrue(isPermanent(wrapped(Object.assign(new Error("a damaged body"), { permanent: true }))))
    assert.isFalse(isPermanent(wrapped(kafka(6))), "NOT_LEADER_OR_FOLLOWER")
    assert.isFalse(isPermanent(kafka(7)), "REQUEST_TIMED_OUT")
    assert.isFalse(isPermanent(new Error("ECONNREFUSED")))
  })

  it("the producer is idempotent with acks=all; SASL and TLS are passed through, PEM files read", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-kafka-tls-"))
    try {
      const ca = path.join(dir, "ca.pem")
      fs.writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
      const options = producerOptions({
        brokers: "k1:9093, k2:9093",
        topic: "logs",
        compression: "gzip",
        timeoutMs: 3000,
        sasl: { mechanism: "SCRAM-SHA-256", username: "app", password: "secret" },
        tls: { ca, servername: "kafka.internal", rejectUnauthorized: true }
      })
      assert.deepStrictEqual(options.bootstrapBrokers, ["k1:9093", "k2:9093"])
      assert.strictEqual(options.idempotent, true)
      assert.strictEqual(options.acks, -1)
      assert.strictEqual(options.compression, "gzip")
      assert.strictEqual(options.requestTimeout, 1000, "the client's three tries fit in one attempt")
      assert.deepStrictEqual(options.sasl, {
        mechanism: "SCRAM-SHA-256",
        username: "app",
        password: "secret"
      })
      assert.deepStrictEqual(options.tls, {
        ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        servername: "kafka.internal",
        rejectUnauthorized: true
      })
      assert.deepStrictEqual(producerOptions({ brokers: ["k:9093"], topic: "t", tls: true }).tls, {})
      assert.isUndefined(producerOptions({ brokers: ["k:9092"], topic: "t" }).tls)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
