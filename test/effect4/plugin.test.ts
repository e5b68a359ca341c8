/**
 * Plugin discovery on Effect 4 (src/internal/plugin.ts, which the Effect 4 line bundles): it
 * imports a plugin package's `./effect4` entry, never its root (built against Effect 3's
 * fapilog), and refuses, naming the package, one that has no Effect 4 build or declares that
 * it supports Effect 3 only. The first-party plugins found this way are in plugins/.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as internal from "../../src/internal/plugin.js"
import { fixtures, install } from "../internal/pluginFixtures.js"
import { repoRoot } from "../support/pack.js"

describe("plugin discovery on Effect 4", () => {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true })
  const dir = fs.mkdtempSync(path.join(repoRoot, ".tmp", "discover-effect4-"))
  install(path.join(dir, "node_modules"), fixtures(false))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  const reason = (type: string) =>
    internal
      .discover(type, "sink", undefined, [dir])
      .pipe(Effect.map((d) => (d._tag === "Refused" ? d.reason : d._tag)))

  it.effect("a package without a ./effect4 entry is refused, naming it and what to do", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* reason("esmonly"),
        'package @fapilog/esmonly@1.0.0 has no build for Effect 4: its package.json exports no "./effect4" entry, which fapilog-effect4 loads. Ask its author for one (a plugin built with fapilog\'s plugin build ships both; see docs/plugins.md), or run it on Effect 3 with fapilog'
      )
      // no exports at all: no subpath either
      assert.match(
        yield* reason("cjsonly"),
        /^package fapilog-plugin-cjsonly@1\.0\.0 has no build for Effect 4/
      )
    })
  )

  it.effect("package.json fapilog.effect is read before any code: Effect 3 only is refused", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* reason("effect3only"),
        'package @fapilog/effect3only@1.0.0 supports Effect 3 only (package.json "fapilog".effect), not Effect 4, which this fapilog (fapilog-effect4) runs on'
      )
      assert.match(
        yield* reason("badlines"),
        /"fapilog".effect is "4", not a list of the Effect major versions/
      )
    })
  )

  it.effect("the ./effect4 entry is the one imported", () =>
    Effect.gen(function* () {
      assert.match(
        yield* reason("effect4only"),
        /^package @fapilog\/effect4only \(.*\) could not be loaded: Error: the \.\/effect4 entry was imported$/
      )
    })
  )
})
