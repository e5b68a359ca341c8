/**
 * The conformance suites of fapilog/testing for @fapilog/nats, on the Effect line the suite
 * runs; the caller passes its line's `fapilog/testing`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as TestingModule from "fapilog/testing"
import { batchingSinkRules, itPassesPluginConformance } from "../../../test/support/pluginConformance.js"
import * as Nats from "../src/index.js"
import { type NatsServer, readStream } from "./natsServer.js"

const fast = { batch: { maxWaitMs: 20 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }

export const describeNatsConformance = (
  server: () => NatsServer,
  closedPort: () => number,
  effect: 3 | 4,
  Testing: typeof TestingModule
): void => {
  describe("@fapilog/nats: plugin and sink conformance", () => {
    itPassesPluginConformance("nats", Nats, effect, Testing)

    it.live("the sink passes the sink conformance suite against nats-server -js", () =>
      Effect.gen(function* () {
        const stream = `CONFORMANCE_E${effect}`
        const subject = `conformance.e${effect}`
        const report = yield* Testing.sinkConformance({
          make: Nats.sink({ servers: server().url, subject, stream, ...fast }),
          received: Effect.promise(() => readStream(server().url, stream)).pipe(
            Effect.map((messages) => messages.map((m) => m.data))
          ),
          // nothing listens there: every connection attempt fails, held until close
          failing: Nats.sink({
            servers: `nats://127.0.0.1:${closedPort()}`,
            subject,
            drainTimeoutMs: 200,
            timeoutMs: 200,
            ...fast
          })
        })
        assert.deepStrictEqual([...report.passed], batchingSinkRules)
      })
    )
  })
}
