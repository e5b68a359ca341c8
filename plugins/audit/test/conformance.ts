/**
 * The conformance suites of fapilog/testing for @fapilog/audit, on the Effect line the suite
 * runs; the caller passes its line's `fapilog/testing`. The sink suite runs on the trail
 * without its level (the suite writes events of every level); what it received is read back
 * from the trail's segments.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as TestingModule from "fapilog/testing"
import { batchingSinkRules, itPassesPluginConformance } from "../../../test/support/pluginConformance.js"
import * as Audit from "../src/index.js"
import { Config } from "../src/internal/config.js"
import { open } from "../src/internal/sink.js"
import { KEY, tempDir } from "./trail.js"

export const describeAuditConformance = (effect: 3 | 4, Testing: typeof TestingModule): void => {
  describe("@fapilog/audit: plugin and sink conformance", () => {
    itPassesPluginConformance("audit", Audit, effect, Testing)

    it.live(
      "the trail passes the sink conformance suite (every event one record, in order, verified after)",
      () =>
        Effect.gen(function* () {
          const dir = tempDir()
          const config = Schema.decodeUnknownSync(Config)({ path: dir, key: KEY })
          const received = Effect.sync(() =>
            fs
              .readdirSync(dir)
              .filter((f) => f.endsWith(".jsonl"))
              .sort()
              .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n").slice(0, -1))
          )
          const report = yield* Testing.sinkConformance({
            make: open(config, { logger: "app", service: undefined, report: () => {}, fallback: () => {} }),
            received
          })
          // all but failure-is-sink-error (no `failing` destination: a trail that cannot be written fails to open)
          assert.deepStrictEqual(
            [...report.passed],
            batchingSinkRules.filter((r) => r !== "failure-is-sink-error")
          )
          const verified = yield* Effect.promise(() => Audit.verifyTrail(dir, { key: KEY }))
          assert.isTrue(verified.ok, Audit.formatReport(verified).text)
          fs.rmSync(dir, { recursive: true, force: true })
        })
    )
  })
}
