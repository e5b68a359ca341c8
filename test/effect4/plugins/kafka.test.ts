import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { createLogger } from "fapilog-effect4"
import { describeKafkaConformance } from "../../../plugins/kafka/test/conformance.js"
import { entryFor, eventOf, fast, loggerFor } from "../../../plugins/kafka/test/delivery.js"
import { ErrorCodes, type KafkaBroker, startKafkaBroker } from "../../../plugins/kafka/test/kafkaBroker.js"
import { discoveryScratch, installEffect4Plugin } from "./discovered.js"

let conformance: KafkaBroker | undefined
beforeAll(async () => {
  conformance = await startKafkaBroker({ topic: "conformance" })
})
afterAll(() => conformance?.close())

describeKafkaConformance(() => conformance!, 4, Testing)

describe("@fapilog/kafka on Effect 4", () => {
  it("zstd, through NOT_LEADER_OR_FOLLOWER and a lost acknowledgement: every event once, keyed by correlation id", async () => {
    const faults = [
      { kind: "error", code: ErrorCodes.NOT_LEADER_OR_FOLLOWER } as const,
      { kind: "timeout-after-write" } as const
    ]
    const b = await startKafkaBroker({ topic: "e4", faults: (n) => faults[n] })
    try {
      const log = await loggerFor([
        entryFor(b, "e4", { compression: "zstd", batch: { maxEvents: 40, maxWaitMs: 20 } })
      ])
      for (let i = 0; i < 200; i++) log.info(`e4 ${i}`, { i, correlationId: `r${i % 5}` })
      await log.close()
      const stored = b.stored()
      assert.deepStrictEqual(
        stored.map((m) => eventOf(m).i as number).sort((x, y) => x - y),
        Array.from({ length: 200 }, (_, i) => i)
      )
      assert.isTrue(stored.every((m) => m.compression === "zstd" && m.key === eventOf(m).correlationId))
      assert.isAtLeast(b.duplicates(), 1)
      assert.isTrue(b.acks.every((a) => a === -1))
      assert.strictEqual(log.health().stats.lost, 0)
    } finally {
      await b.close()
    }
  })
})

describe("@fapilog/kafka-effect4 discovered on Effect 4", () => {
  const scratch = discoveryScratch("kafka")

  it('{ type: "kafka" } alone loads @fapilog/kafka-effect4 and delivers every event once', async () => {
    await installEffect4Plugin("kafka", scratch)
    const b = await startKafkaBroker({ topic: "discovered" })
    const cwd = process.cwd()
    process.chdir(scratch)
    try {
      const log = await createLogger({
        sinks: [{ type: "kafka", brokers: [b.address], topic: "discovered", ...fast } as never]
      })
      for (let i = 0; i < 100; i++) log.info(`discovered ${i}`, { i })
      await log.close()
      assert.deepStrictEqual(
        b
          .stored()
          .map((m) => eventOf(m).i as number)
          .sort((x, y) => x - y),
        Array.from({ length: 100 }, (_, i) => i)
      )
    } finally {
      process.chdir(cwd)
      await b.close()
    }
  })
})
