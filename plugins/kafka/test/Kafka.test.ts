/**
 * @fapilog/kafka through the real client, `@platformatic/kafka`, to the protocol-spec test
 * broker of kafkaBroker.ts: every event stored exactly once through retriable errors and lost
 * acknowledgements, acks=all from an idempotent producer, keys from the chosen event key and
 * one key's events in order in one partition, every compression decoded, the settings checked.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { afterEach, assert, describe, it } from "@effect/vitest"
import { Errors, type Logger } from "fapilog"
import { compressions } from "../src/internal/config.js"
import { byPartition, entryFor, eventOf, loggerFor, node2RefusesThrice } from "./delivery.js"
import { ErrorCodes, type Fault, type KafkaBroker, type Stored, startKafkaBroker } from "./kafkaBroker.js"

const brokers: Array<KafkaBroker> = []
const dirs: Array<string> = []
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const broker = async (
  topic: string,
  faults?: (n: number, node: number) => Fault | undefined,
  partitions = 3
): Promise<KafkaBroker> => {
  const b = await startKafkaBroker({ topic, faults, partitions })
  brokers.push(b)
  return b
}

/** Each message's event `i`, asserted to be 0..n-1 once each. */
const assertEachOnce = (stored: ReadonlyArray<Stored>, n: number, what: string): void => {
  const seen = stored.map((m) => eventOf(m).i as number).sort((a, b) => a - b)
  assert.deepStrictEqual(
    seen,
    Array.from({ length: n }, (_, i) => i),
    `${what}: every event exactly once`
  )
}

const logAll = async (log: Logger.Logger, n: number, correlation: (i: number) => string | undefined) => {
  for (let i = 0; i < n; i++) {
    const c = correlation(i)
    log.info(`event ${i}`, c === undefined ? { i } : { i, correlationId: c })
  }
  await log.close()
}

describe("@fapilog/kafka against the protocol-spec broker", () => {
  it("every event is stored exactly once through NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, an acknowledgement lost and a dropped connection", async () => {
    const faults: ReadonlyArray<Fault> = [
      { kind: "error", code: ErrorCodes.NOT_LEADER_OR_FOLLOWER },
      { kind: "timeout-after-write" },
      { kind: "error", code: ErrorCodes.REQUEST_TIMED_OUT },
      { kind: "drop-after-write" },
      { kind: "timeout-after-write" },
      { kind: "timeout-after-write" },
      { kind: "timeout-after-write" }
    ]
    const b = await broker("exactly-once", (n) => faults[n])
    const log = await loggerFor([entryFor(b, "exactly-once", { batch: { maxEvents: 50, maxWaitMs: 20 } })])
    await logAll(log, 400, (i) => `request-${i % 7}`)
    assertEachOnce(b.stored(), 400, "through faults")
    assert.strictEqual(b.faulted(), faults.length, "every fault was met")
    // the batches the broker had written before the lost answers came back with the same
    // producer id and sequence numbers, and were acknowledged without a second write
    assert.isAtLeast(b.duplicates(), 3)
    assert.isTrue(
      b.acks.every((a) => a === -1),
      "acks=all on every Produce request"
    )
    assert.strictEqual(b.producerIds.length, 1, "one idempotent producer")
    assert.isTrue(b.batches.every((batch) => batch.producerId === b.producerIds[0] && !batch.transactional))
    assert.deepStrictEqual([...b.unsupported], [])
    assert.strictEqual(log.health().stats.lost, 0)
  })

  it("a request given up after its write went unacknowledged: the next one takes a new producer id and is not mistaken for it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-kafka-spool-"))
    dirs.push(dir)
    // the client's three attempts at the first request (its own two retries) are all written,
    // or taken as duplicates, and answered REQUEST_TIMED_OUT; the sink then spools it
    const b = await broker("abandoned", (n) => (n < 3 ? { kind: "timeout-after-write" } : undefined), 1)
    const log = await loggerFor([
      entryFor(b, "abandoned", {
        keyField: false,
        batch: { maxEvents: 10, maxWaitMs: 20 },
        retry: { maxAttempts: 1, initialDelayMs: 20, maxDelayMs: 50 },
        spool: { directory: dir }
      })
    ])
    // two requests of ten: the second, queued behind the first, has the sequence range the
    // abandoned first one had, and goes before the spooled first one is replayed
    for (let i = 0; i < 20; i++) log.info(`event ${i}`, { i })
    await log.close()
    const stored = b.stored()
    const count = (i: number) => stored.filter((m) => eventOf(m).i === i).length
    for (let i = 10; i < 20; i++)
      assert.strictEqual(count(i), 1, `event ${i} once, under the second producer id`)
    // the abandoned request was written once before it was given up, and once more when its
    // spooled copy was replayed under the new producer id: at-least-once, as documented
    for (let i = 0; i < 10; i++) assert.isAtLeast(count(i), 1, `event ${i} at least once`)
    assert.isAtLeast(b.producerIds.length, 2)
    assert.strictEqual(log.health().stats.lost, 0)
  })

  it("two brokers, one failing past the client's own retries: the resend leaves out what the other had written", async () => {
    // node 2 answers REQUEST_TIMED_OUT without writing to its first three Produce requests
    // (the client's three tries), while node 1 writes its partitions: the send fails with
    // node 1's partitions written, and the sink resends only node 2's
    const b = await startKafkaBroker({
      topic: "two-nodes",
      partitions: 4,
      nodes: 2,
      faults: node2RefusesThrice
    })
    brokers.push(b)
    const log = await loggerFor([entryFor(b, "two-nodes", { batch: { maxEvents: 500, maxWaitMs: 20 } })])
    await logAll(log, 200, (i) => `k-${i % 13}`)
    assertEachOnce(b.stored(), 200, "two brokers")
    assert.strictEqual(b.faulted(), 3)
    assert.deepStrictEqual(new Set(b.stored().map((m) => m.partition)), new Set([0, 1, 2, 3]))
    assert.strictEqual(b.duplicates(), 0, "node 1's batches were not resent")
    assert.deepStrictEqual([...b.unsupported], [])
    assert.strictEqual(log.health().stats.lost, 0)
  })

  it("keys come from the correlation id by default: each key in one partition, its events in the order logged", async () => {
    const b = await broker("keyed", undefined, 4)
    const log = await loggerFor([entryFor(b, "keyed", { batch: { maxEvents: 37, maxWaitMs: 20 } })])
    await logAll(log, 300, (i) => `req-${i % 11}`)
    const stored = b.stored()
    assertEachOnce(stored, 300, "keyed")
    const partitionOf = new Map<string, number>()
    for (const m of stored) {
      assert.strictEqual(m.key, eventOf(m).correlationId, "the key is the event's correlation id")
      const seen = partitionOf.get(m.key!)
      if (seen !== undefined) assert.strictEqual(m.partition, seen, `key ${m.key} in one partition`)
      partitionOf.set(m.key!, m.partition)
    }
    assert.isAbove(new Set(partitionOf.values()).size, 1, "the keys are spread over the partitions")
    for (const list of byPartition(stored).values())
      for (const key of new Set(list.map((m) => m.key))) {
        const order = list.filter((m) => m.key === key).map((m) => eventOf(m).i as number)
        assert.deepStrictEqual(
          order,
          [...order].sort((x, y) => x - y),
          `key ${key} in logging order`
        )
      }
    // the message timestamp is the event's own
    for (const m of stored.slice(0, 5))
      assert.strictEqual(Number(m.timestamp), Date.parse(eventOf(m).timestamp as string))
  })

  it("keyField names any event key (a field here); events without it, and keyField: false, have no key", async () => {
    const b = await broker("tenants", undefined, 3)
    const log = await loggerFor([
      entryFor(b, "tenants", { keyField: "tenant" }),
      entryFor(b, "tenants", { keyField: false, batch: { maxEvents: 25, maxWaitMs: 20 } })
    ])
    for (let i = 0; i < 100; i++)
      log.info(`event ${i}`, i % 10 === 9 ? { i } : { i, tenant: i % 3 === 0 ? 7 : `t${i % 3}` })
    await log.close()
    const stored = b.stored()
    const withKeys = stored.filter((m) => m.key !== null)
    assert.strictEqual(withKeys.length, 90, "the first sink keys the 90 events that have a tenant")
    for (const m of withKeys) assert.strictEqual(m.key, String(eventOf(m).tenant))
    const keyless = stored.filter((m) => m.key === null)
    assert.strictEqual(keyless.length, 110, "10 without a tenant, 100 from the sink without keys")
    // the sink without keys: each request's messages all in one partition (sticky, fixed by
    // the request), where round-robin would spread them over the three
    const keylessProducer = [...new Set(b.batches.map((batch) => batch.producerId))].find((id) =>
      b.batches
        .filter((batch) => batch.producerId === id)
        .every((batch) => batch.records.every((r) => r.key === null))
    )
    const requests = b.produces.filter((batches) =>
      batches.some((batch) => batch.producerId === keylessProducer)
    )
    assert.isAbove(requests.length, 0)
    for (const batches of requests) assert.strictEqual(batches.length, 1, "one partition per request")
    assert.strictEqual(
      requests.reduce((n, batches) => n + batches[0]!.records.length, 0),
      100
    )
  })

  const available = compressions.filter(
    (c) => c !== "zstd" || typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === "function"
  )
  for (const compression of available)
    it(`compression ${compression}: the batches carry it and decode to every event`, async () => {
      const b = await broker(`compressed-${compression}`)
      const log = await loggerFor([entryFor(b, `compressed-${compression}`, { compression })])
      await logAll(log, 120, (i) => `c-${i % 5}`)
      assertEachOnce(b.stored(), 120, compression)
      assert.isTrue(b.batches.length > 0 && b.batches.every((batch) => batch.compression === compression))
      assert.strictEqual(eventOf(b.stored()[0]!).message, `event ${eventOf(b.stored()[0]!).i}`)
    })

  it("hostile events (cycles, BigInt, a throwing getter, control characters) are stored as valid JSON lines", async () => {
    const b = await broker("hostile")
    const log = await loggerFor([entryFor(b, "hostile", { keyField: "weird" })])
    const cyclic: Record<string, unknown> = { name: "loop" }
    cyclic.self = cyclic
    const throwing = Object.defineProperty({}, "boom", {
      enumerable: true,
      get() {
        throw new Error("getter")
      }
    })
    log.info("cycle\u0000\u001b[31m", { weird: cyclic, big: 10n ** 30n })
    log.info("getter", { weird: throwing })
    log.info("bigint key", { weird: 12345678901234567890n })
    await log.close()
    const stored = b.stored()
    assert.strictEqual(stored.length, 3)
    for (const m of stored) assert.doesNotThrow(() => eventOf(m))
    assert.strictEqual(eventOf(stored[0]!).message, "cycle\u0000\u001b[31m")
    assert.strictEqual(stored[2]!.key, "12345678901234567890")
  })

  it("bad settings are refused with the field and what it accepts", async () => {
    const refused = async (entry: Record<string, unknown>) => {
      const error = await loggerFor([{ type: "kafka", ...entry } as never]).then(
        () => assert.fail("createLogger should reject"),
        (e: unknown) => e
      )
      assert.instanceOf(error, Errors.ConfigError)
      return JSON.stringify((error as Errors.ConfigError).issues)
    }
    assert.include(await refused({ brokers: ["kafka"], topic: "t" }), "host:port")
    assert.include(await refused({ brokers: [], topic: "t" }), "non-empty list")
    assert.include(await refused({ brokers: "k:9092", topic: "bad topic" }), "1 to 249 letters")
    assert.include(
      await refused({ brokers: "k:9092", topic: "t", compression: "brotli" }),
      "none, gzip, snappy, lz4, zstd"
    )
    assert.include(
      await refused({ brokers: "k:9092", topic: "t", sasl: { mechanism: "PLAIN", username: "u" } }),
      "needs a username and a password"
    )
    assert.include(
      await refused({ brokers: "k:9092", topic: "t", sasl: { mechanism: "OAUTHBEARER" } }),
      "needs a token"
    )
    assert.include(await refused({ brokers: "k:9092", topic: "t", keyField: "" }), "an event key")
    assert.include(await refused({ brokers: "k:9092" }), "topic")
    assert.include(await refused({ brokers: "k:9092", topic: "t", tls: { ca: 7 } }), "PEM text or paths")
    assert.include(
      await refused({ brokers: "k:9092", topic: "t", tls: { cert: "c.pem" } }),
      "cert and key go together"
    )
  })
})
