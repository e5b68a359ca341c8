import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Testing from "fapilog/testing"
import { receiver } from "../../../test/internal/networkServer.js"
import * as Otlp from "../src/index.js"
import { decodeRequest } from "./otlpProto.js"

const fast = { batch: { maxWaitMs: 10 }, retry: { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 2 } }

describe("@fapilog/otlp conformance", () => {
  it.effect("the plugin object and its package.json agree and load on this fapilog", () =>
    Effect.gen(function* () {
      const packageJson: unknown = JSON.parse(
        fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")
      )
      const report = yield* Testing.pluginConformance(Otlp.plugin, { packageJson })
      assert.includeMembers(
        [...report.passed],
        ["plugin-shape", "api-version", "discoverable", "package-json"]
      )
    })
  )

  it.live("the sink passes the sink conformance suite (delivery, drain, hostile events, refusals)", () =>
    Effect.gen(function* () {
      const collector = yield* receiver({ answer: () => ({ status: 200 }) })
      const refusing = yield* receiver({ answer: () => ({ status: 400, body: "bad request" }) })
      const bodies = Effect.sync(() =>
        collector
          .accepted()
          .flatMap((r) =>
            decodeRequest(new Uint8Array(r.body)).resourceLogs.flatMap((rl) =>
              rl.scopeLogs.flatMap((sl) => sl.logRecords.map((record) => record.body?.stringValue ?? ""))
            )
          )
      )
      const report = yield* Testing.sinkConformance({
        make: Otlp.sink({ url: `http://127.0.0.1:${collector.port}/v1/logs`, ...fast }),
        received: bodies,
        failing: Otlp.sink({ url: `http://127.0.0.1:${refusing.port}/v1/logs`, ...fast })
      })
      assert.include([...report.passed], "delivers-once")
      assert.include([...report.passed], "hostile-events")
      assert.include([...report.passed], "failure-is-sink-error")
    }).pipe(Effect.scoped)
  )
})
