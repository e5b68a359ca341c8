/**
 * The packed @fapilog/kafka installed next to the packed fapilog in a scratch project (its
 * `@platformatic/kafka` dependency installed with it; test/support/pluginInstall.ts), named
 * only by `type: "kafka"` in the settings (found by discovery), from plain node as an ES module
 * and as CommonJS: every event is stored once by the protocol-spec broker of kafkaBroker.ts,
 * keyed by its correlation id. The same installation is type-checked: importing the package
 * makes `{ type: "kafka", ... }` a `sinks` entry.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll } from "vitest"
import {
  CONSUMERS,
  consumerScripts,
  describeInstalled,
  runConsumer
} from "../../../test/support/pluginInstall.js"
import { eventOf } from "./delivery.js"
import { type KafkaBroker, startKafkaBroker } from "./kafkaBroker.js"

let broker: KafkaBroker | undefined

beforeAll(async () => {
  broker = await startKafkaBroker({ topic: "installed", partitions: 2 })
})
afterAll(() => broker?.close())

const scripts = consumerScripts(
  `{ sinks: [{ type: "kafka", brokers: process.env.KAFKA_BROKERS, topic: "installed", compression: "gzip", batch: { maxWaitMs: 20 } }] }`,
  `for (let i = 0; i < 100; i++) log.info("installed " + process.env.RUN + " " + i, { i, correlationId: "c" + (i % 3) })`
)

describeInstalled({
  type: "kafka",
  title: '(@platformatic/kafka with it) and produces to the test broker through { type: "kafka" }',
  // packing fapilog, then installing the client and its dependencies from the registry
  timeoutMs: 600_000,
  typed: `export const entry: Settings.SinkSetting = { type: "kafka", brokers: ["kafka-1:9092"], topic: "app-logs", keyField: "correlationId", compression: "zstd", sasl: { mechanism: "SCRAM-SHA-512", username: "app", password: "secret" }, tls: true, spool: { directory: "/var/spool/app" } }
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { type: "kafka", brokers: ["kafka-1:9092"], topik: "app-logs" }
// @ts-expect-error not a compression
export const wrong: Settings.SinkSetting = { type: "kafka", brokers: ["kafka-1:9092"], topic: "app-logs", compression: "brotli" }
`,
  check: async (scratch) => {
    for (const file of CONSUMERS) {
      fs.writeFileSync(path.join(scratch, file), scripts[file])
      const before = broker!.stored().length
      await runConsumer(scratch, file, { KAFKA_BROKERS: broker!.address, RUN: file })
      const got = broker!.stored().slice(before)
      assert.deepStrictEqual(
        got.map((m) => eventOf(m).message).sort(),
        Array.from({ length: 100 }, (_, i) => `installed ${file} ${i}`).sort()
      )
      assert.isTrue(got.every((m) => m.key === eventOf(m).correlationId && m.compression === "gzip"))
    }
  }
})
