/**
 * The conformance suites of fapilog/testing for @fapilog/kafka, on the Effect line the suite
 * runs; the caller passes its line's `fapilog/testing` (the Effect 4 suite resolves that
 * module only for its own test files).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as TestingModule from "fapilog/testing"
import { freePort } from "../../../test/internal/networkServer.js"
import { batchingSinkRules, itPassesPluginConformance } from "../../../test/support/pluginConformance.js"
import * as Kafka from "../src/index.js"
import { fast } from "./delivery.js"
import type { KafkaBroker } from "./kafkaBroker.js"

export const describeKafkaConformance = (
  broker: () => KafkaBroker,
  effect: 3 | 4,
  Testing: typeof TestingModule
): void => {
  describe("@fapilog/kafka: plugin and sink conformance", () => {
    itPassesPluginConformance("kafka", Kafka, effect, Testing)

    it.live("the sink passes the sink conformance suite against the protocol-spec broker", () =>
      Effect.gen(function* () {
        const b = broker()
        // nothing listens on this port: writes are taken, held, and given up at close
        const closed = yield* Effect.promise(freePort)
        const report = yield* Testing.sinkConformance({
          make: Kafka.sink({ brokers: [b.address], topic: "conformance", ...fast }),
          // the broker's messages in the order written (the requests go one at a time)
          received: Effect.sync(() => b.stored().map((m) => m.value ?? "")),
          failing: Kafka.sink({
            brokers: [`127.0.0.1:${closed}`],
            topic: "conformance",
            drainTimeoutMs: 200,
            ...fast,
            timeoutMs: 1000
          })
        })
        assert.deepStrictEqual([...report.passed], batchingSinkRules)
        assert.deepStrictEqual([...b.unsupported], [])
      })
    )
  })
}
