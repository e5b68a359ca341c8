/**
 * The conformance suites of fapilog/testing for @fapilog/syslog, on the Effect line the suite
 * runs; the caller passes its line's `fapilog/testing` (the Effect 4 suite resolves that
 * module only for its own test files).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as TestingModule from "fapilog/testing"
import { freePort } from "../../../test/internal/networkServer.js"
import { batchingSinkRules, itPassesPluginConformance } from "../../../test/support/pluginConformance.js"
import * as Syslog from "../src/index.js"
import { fast } from "./delivery.js"
import type { Rsyslog } from "./rsyslog.js"

export const describeSyslogConformance = (
  server: () => Rsyslog,
  effect: 3 | 4,
  Testing: typeof TestingModule
): void => {
  describe("@fapilog/syslog: plugin and sink conformance", () => {
    itPassesPluginConformance("syslog", Syslog, effect, Testing)

    it.live("the sink passes the sink conformance suite against rsyslog over TCP", () =>
      Effect.gen(function* () {
        const r = server()
        // nothing listens on this port: writes are taken, held, and given up at close
        const closed = yield* Effect.promise(freePort)
        const report = yield* Testing.sinkConformance({
          make: Syslog.sink({
            host: "127.0.0.1",
            port: r.tcpPort,
            protocol: "tcp",
            maxMessageBytes: 1_048_576,
            ...fast
          }),
          received: Effect.promise(async () => (await r.settled()).map((m) => m.raw)),
          failing: Syslog.sink({
            host: "127.0.0.1",
            port: closed,
            protocol: "tcp",
            drainTimeoutMs: 200,
            ...fast
          })
        })
        assert.deepStrictEqual([...report.passed], batchingSinkRules)
      })
    )
  })
}
