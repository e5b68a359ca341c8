import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Testing from "fapilog/testing"
import { receiver } from "../../../test/internal/networkServer.js"
import * as Loki from "../src/index.js"
import { decodeSnappyPush } from "./lokiProto.js"

const fast = { batch: { maxWaitMs: 10 }, retry: { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 2 } }

describe("@fapilog/loki conformance", () => {
  it.effect("the plugin object and its package.json agree and load on this fapilog", () =>
    Effect.gen(function* () {
      const packageJson: unknown = JSON.parse(
        fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")
      )
      const report = yield* Testing.pluginConformance(Loki.plugin, { packageJson })
      assert.includeMembers(
        [...report.passed],
        ["plugin-shape", "api-version", "discoverable", "package-json"]
      )
    })
  )

  it.live("the sink passes the sink conformance suite (delivery, drain, hostile events, refusals)", () =>
    Effect.gen(function* () {
      const loki = yield* receiver({ answer: () => ({ status: 204 }) })
      const refusing = yield* receiver({ answer: () => ({ status: 400, body: "entry out of order" }) })
      const lines = Effect.sync(() =>
        loki
          .accepted()
          .flatMap((r) =>
            decodeSnappyPush(new Uint8Array(r.body)).streams.flatMap((s) => s.entries.map((e) => e.line))
          )
      )
      const report = yield* Testing.sinkConformance({
        make: Loki.sink({ url: `http://127.0.0.1:${loki.port}`, ...fast }),
        received: lines,
        failing: Loki.sink({ url: `http://127.0.0.1:${refusing.port}`, ...fast })
      })
      assert.include([...report.passed], "delivers-once")
      assert.include([...report.passed], "hostile-events")
      assert.include([...report.passed], "failure-is-sink-error")
    }).pipe(Effect.scoped)
  )
})
