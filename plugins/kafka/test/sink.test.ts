/**
 * The Kafka sink's transport (src/internal/sink.ts) with a stand-in producer: what a resend
 * leaves out, when a new producer id is taken, attempts one at a time, which errors are
 * permanent, and the producer's options.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { murmur2 } from "@platformatic/kafka"
import type { LogEvent } from "fapilog"
import { encodeMessages } from "../src/internal/messages.js"
import { isPermanent, type KafkaProducer, producerOptions, sender } from "../src/internal/sink.js"

const event = (i: number, correlationId: string): LogEvent.LogEvent => ({
  timestamp: "2026-03-01T10:15:30.000Z",
  level: "info",
  logger: "app",
  message: `event ${i}`,
  correlationId,
  fields: { i }
})

interface Sent {
  readonly partition: number
  readonly i: number
}

/** A producer of a 4-partition topic whose sends answer with `answers` in turn (undefined: success). */
const standIn = (answers: Array<((sent: ReadonlyArray<Sent>) => Error) | undefined>) => {
  const sends: Array<ReadonlyArray<Sent>> = []
  let inits = 0
  let running = 0
  let overlapped = false
  const producer = {
    metadata: async () => ({ topics: new Map([["logs", { partitionsCount: 4 }]]) }),
    initIdempotentProducer: async () => {
      inits++
      return { producerId: 1n, producerEpoch: 0 }
    },
    send: async (options: { messages: Array<{ partition: number; value: Buffer }> }) => {
      running++
      if (running > 1) overlapped = true
      const sent = options.messages.map((m) => ({
        partition: m.partition,
        i: JSON.parse(m.value.toString("utf8")).i as number
      }))
      sends.push(sent)
      await new Promise((resolve) => setTimeout(resolve, 5))
      running--
      const answer = answers.shift()
      if (answer !== undefined) throw answer(sent)
      return {}
    },
    close: async () => {}
  } as unknown as KafkaProducer
  return { producer, sends, inits: () => inits, overlapped: () => overlapped }
}

/** A client error after some partitions were written (leaders on several brokers). */
const partly =
  (written: (sent: ReadonlyArray<Sent>) => ReadonlyArray<number>) => (sent: ReadonlyArray<Sent>) =>
    Object.assign(new Error("Producing messages failed."), {
      produced: { offsets: written(sent).map((partition) => ({ topic: "logs", partition, offset: 0n })) }
    })

const body = (n: number, from = 0) =>
  encodeMessages(
    Array.from({ length: n }, (_, k) => event(from + k, `c-${(from + k) % 9}`)),
    "correlationId",
    7
  )

describe("the Kafka sink's transport", () => {
  it("a resend of the same request leaves out the partitions the failed send had written", async () => {
    const s = standIn([partly((sent) => [sent[0]!.partition])])
    const send = sender(s.producer, "logs")
    const request = body(40)
    await send(request).then(
      () => assert.fail("the first send fails"),
      () => {}
    )
    await send(request)
    const [first, second] = s.sends
    const written = first![0]!.partition
    assert.isTrue(
      first!.some((m) => m.partition !== written),
      "the request spans several partitions"
    )
    assert.deepStrictEqual(
      second,
      first!.filter((m) => m.partition !== written),
      "the resend: the same messages and partitions, but for the written one"
    )
    assert.strictEqual(s.inits(), 0, "a resend keeps the producer id (and the sequence numbers)")
  })

  it("a new request after a failed one takes a new producer id first; after a success it does not", async () => {
    const s = standIn([(_) => new Error("REQUEST_TIMED_OUT")])
    const send = sender(s.producer, "logs")
    await send(body(10)).catch(() => {})
    await send(body(10, 10))
    assert.strictEqual(s.inits(), 1)
    await send(body(10, 20))
    assert.strictEqual(s.inits(), 1)
  })

  it("attempts run one at a time: one cut short by the foundation's timeout is waited for", async () => {
    const s = standIn([])
    const send = sender(s.producer, "logs")
    await Promise.all([send(body(5)), send(body(5, 5)), send(body(5, 10))])
    assert.isFalse(s.overlapped())
    assert.deepStrictEqual(
      s.sends.flat().map((m) => m.i),
      Array.from({ length: 15 }, (_, i) => i)
    )
  })

  it("keyed messages are placed by the key's murmur2 hash, as the Java client places them; keyless by the request's seed", async () => {
    const s = standIn([])
    const send = sender(s.producer, "logs")
    await send(encodeMessages([event(0, "a"), event(1, "a"), event(2, "b")], "correlationId", 7))
    await send(encodeMessages([event(3, "x"), event(4, "y")], false, 6))
    const [keyed, keyless] = s.sends
    const java = (key: string) => (murmur2(Buffer.from(key)) & 0x7fffffff) % 4
    assert.deepStrictEqual(
      keyed!.map((m) => m.partition),
      [java("a"), java("a"), java("b")]
    )
    // keyless: the request's seed (6) modulo the 4 partitions, all of the request in one
    assert.deepStrictEqual(
      keyless!.map((m) => m.partition),
      [2, 2]
    )
  })

  it("permanent errors are the broker's refusals of the batch itself; the rest is retried", () => {
    const kafka = (apiCode: number) => Object.assign(new Error(`code ${apiCode}`), { apiCode })
    const wrapped = (e: Error) =>
      Object.assign(new Error("Producing messages failed."), {
        errors: [new Error("produce failed 3 times.", { cause: e })]
      })
    assert.isTrue(isPermanent(wrapped(kafka(10))), "MESSAGE_TOO_LARGE")
    assert.isTrue(isPermanent(kafka(29)), "TOPIC_AUTHORIZATION_FAILED")
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
