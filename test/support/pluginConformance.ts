/**
 * What the conformance tests of every first-party plugin share: the plugin conformance test
 * (the plugin object against its package.json) and the sink rules a batching sink passes.
 * Each takes the `fapilog/testing` of the Effect line the suite runs.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as TestingModule from "fapilog/testing"
import { pluginPackageDir } from "./pack.js"

/**
 * Registers the plugin conformance test of `@fapilog/<type>` on the Effect line `effect` (whose
 * package is `plugins/<type>/effect4` on 4): the plugin object is the default export, agrees
 * with the package.json and passes every rule.
 */
export const itPassesPluginConformance = (
  type: string,
  module: { readonly plugin: unknown; readonly default: unknown },
  effect: 3 | 4,
  Testing: typeof TestingModule
): void =>
  it.effect("the plugin object is the default export, agrees with package.json and loads here", () =>
    Effect.gen(function* () {
      assert.strictEqual(module.default, module.plugin)
      const packageJson: unknown = JSON.parse(
        fs.readFileSync(path.join(pluginPackageDir(type, effect), "package.json"), "utf8")
      )
      const report = yield* Testing.pluginConformance(module.plugin, { packageJson })
      assert.deepStrictEqual(report.passed, ["plugin-shape", "api-version", "discoverable", "package-json"])
    })
  )

/** The sink conformance rules a sink without `writeSync` passes: all but write-sync. */
export const batchingSinkRules = [
  "shape",
  "write",
  "empty-batch",
  "delivers-once",
  "order",
  "drain-on-close",
  "close",
  "hostile-events",
  "failure-is-sink-error"
]
