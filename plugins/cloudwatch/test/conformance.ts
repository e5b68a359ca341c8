/**
 * The conformance suites of fapilog/testing for @fapilog/cloudwatch, on the Effect line the
 * suite runs (the caller passes its line's `fapilog/testing`), against the local stand-in for
 * the CloudWatch Logs API (cloudwatchServer.ts).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as TestingModule from "fapilog/testing"
import { freePort } from "../../../test/internal/networkServer.js"
import { batchingSinkRules, itPassesPluginConformance } from "../../../test/support/pluginConformance.js"
import * as CloudWatch from "../src/index.js"
import { startCloudWatch } from "./cloudwatchServer.js"
import { settingsFor } from "./delivery.js"

export const describeCloudWatchConformance = (effect: 3 | 4, Testing: typeof TestingModule): void => {
  describe("@fapilog/cloudwatch: plugin and sink conformance", () => {
    itPassesPluginConformance("cloudwatch", CloudWatch, effect, Testing)

    it.live("the sink passes the sink conformance suite against the CloudWatch Logs stand-in", () =>
      Effect.gen(function* () {
        const server = yield* Effect.acquireRelease(
          // the suite's events are of 2026-01-02 03:04 UTC: the server's clock is set near them,
          // or its 14-day window would refuse them (as the service would)
          Effect.promise(() => startCloudWatch({ now: () => Date.UTC(2026, 0, 2, 4) })),
          (s) => Effect.promise(() => s.stop())
        )
        // nothing listens on this port: writes are taken, held, and given up at close
        const closed = yield* Effect.promise(freePort)
        const report = yield* Testing.sinkConformance({
          make: CloudWatch.sink(settingsFor(server.endpoint, "/conformance", `e${effect}`)),
          received: Effect.sync(() =>
            (server.groups.get("/conformance")?.get(`e${effect}`) ?? []).map((e) => e.message)
          ),
          failing: CloudWatch.sink({
            ...settingsFor(`http://127.0.0.1:${closed}`),
            drainTimeoutMs: 200
          })
        })
        assert.deepStrictEqual([...report.passed], batchingSinkRules)
      }).pipe(Effect.scoped)
    )
  })
}
