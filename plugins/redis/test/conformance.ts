/**
 * The conformance suites of fapilog/testing for @fapilog/redis, on the Effect line the suite
 * runs; the caller passes its line's `fapilog/testing`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as TestingModule from "fapilog/testing"
import { batchingSinkRules, itPassesPluginConformance } from "../../../test/support/pluginConformance.js"
import * as Redis from "../src/index.js"
import { type RedisServer, readStream } from "./redisServer.js"

const fast = { batch: { maxWaitMs: 20 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }

export const describeRedisConformance = (
  server: () => RedisServer,
  closedPort: () => number,
  effect: 3 | 4,
  Testing: typeof TestingModule
): void => {
  describe("@fapilog/redis: plugin and sink conformance", () => {
    itPassesPluginConformance("redis", Redis, effect, Testing)

    it.live("the sink passes the sink conformance suite against redis-server", () =>
      Effect.gen(function* () {
        const stream = `conformance:e${effect}`
        const report = yield* Testing.sinkConformance({
          make: Redis.sink({ url: server().url, stream, ...fast }),
          received: Effect.promise(() => readStream(server().url, stream)).pipe(
            Effect.map((entries) => entries.map((e) => e.event))
          ),
          // nothing listens there: every command fails (the client is offline), held until close
          failing: Redis.sink({
            url: `redis://127.0.0.1:${closedPort()}`,
            stream,
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
