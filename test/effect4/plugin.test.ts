/**
 * Plugin discovery on Effect 4 (src/internal/plugin.ts, which the Effect 4 line bundles): it
 * looks for a plugin's Effect 4 package (`@fapilog/<type>-effect4`, then
 * `fapilog-plugin-<type>-effect4`) and imports its root; when only the Effect 3 package is
 * installed it names it and the package to install instead, never importing it; and it
 * refuses, before any code runs, a package whose package.json says it is built for Effect 3.
 * The first-party plugins found this way are in plugins/.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Plugin, Sink, Testing } from "fapilog-effect4"
import * as internal from "../../src/internal/plugin.js"
import { fixtures, install } from "../internal/pluginFixtures.js"
import { repoRoot } from "../support/pack.js"

describe("plugin discovery on Effect 4", () => {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true })
  const dir = fs.mkdtempSync(path.join(repoRoot, ".tmp", "discover-effect4-"))
  install(path.join(dir, "node_modules"), fixtures(false))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  const find = (type: string) => internal.discover(type, "sink", undefined, [dir])
  const reason = (type: string) =>
    find(type).pipe(Effect.map((d) => (d._tag === "Refused" ? d.reason : d._tag)))

  it.effect("the package names of Effect 4 builds are tried; none installed: Missing", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(Plugin.packageNames("loki"), [
        "@fapilog/loki-effect4",
        "fapilog-plugin-loki-effect4"
      ])
      assert.deepStrictEqual(yield* find("nope"), {
        _tag: "Missing",
        tried: ["@fapilog/nope-effect4", "fapilog-plugin-nope-effect4"],
        from: [dir]
      })
    })
  )

  it.effect("the Effect 4 package is found and its root imported", () =>
    Effect.gen(function* () {
      const found = yield* find("lines")
      assert.strictEqual(found._tag, "Found")
      if (found._tag !== "Found") return
      assert.strictEqual(found.packageName, "@fapilog/lines-effect4")
      // the plugin object's name is the plugin's, the package's carries the line
      assert.strictEqual(found.plugin.name, "@fapilog/lines")
      assert.strictEqual(found.plugin.description, "a esm test plugin")
    })
  )

  it.effect("only the Effect 3 package installed: named, with the package to install instead", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* reason("esmonly"),
        'found @fapilog/esmonly@1.0.0, the Effect 3 build of plugin "esmonly", which fapilog-effect4 cannot load; install @fapilog/esmonly-effect4 instead (npm install @fapilog/esmonly-effect4)'
      )
      assert.strictEqual(
        yield* reason("cjsonly"),
        'found fapilog-plugin-cjsonly@1.0.0, the Effect 3 build of plugin "cjsonly", which fapilog-effect4 cannot load; install fapilog-plugin-cjsonly-effect4 instead (npm install fapilog-plugin-cjsonly-effect4)'
      )
      assert.match(yield* reason("effect3only"), /^found @fapilog\/effect3only@1\.0\.0, the Effect 3 build/)
    })
  )

  it.effect("package.json fapilog.effect is read before any code: built for Effect 3 is refused", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* reason("wrongline"),
        'package @fapilog/wrongline-effect4@1.0.0 is built for Effect 3 only (package.json "fapilog".effect), not Effect 4, which this fapilog (fapilog-effect4) runs on'
      )
      assert.match(
        yield* reason("badlines"),
        /^package @fapilog\/badlines-effect4@1\.0\.0: its package.json "fapilog".effect is "4", not a list/
      )
    })
  )

  it.effect("pluginConformance: the package of a plugin's Effect 4 build is its name with -effect4", () =>
    Effect.gen(function* () {
      const lines = Plugin.sink({
        name: "fapilog-plugin-lines",
        type: "lines",
        version: "1.2.3",
        apiVersion: "1.0",
        description: "Lines in memory",
        config: Schema.Struct({}),
        make: () => Effect.succeed(Sink.memory())
      })
      const fapilog = { kind: "sink", type: "lines", apiVersion: "1.0" }
      const ok = yield* Testing.pluginConformance(lines, {
        packageJson: {
          name: "fapilog-plugin-lines-effect4",
          version: "1.2.3",
          fapilog: { ...fapilog, effect: [4] }
        }
      })
      assert.deepStrictEqual(ok.passed, ["plugin-shape", "api-version", "discoverable", "package-json"])
      const effect3Package = yield* Testing.pluginConformance(lines, {
        packageJson: { name: "fapilog-plugin-lines", version: "1.2.3", fapilog }
      }).pipe(Effect.flip)
      assert.strictEqual(effect3Package.rule, "package-json")
      assert.strictEqual(
        effect3Package.detail,
        'package.json name is "fapilog-plugin-lines", not "fapilog-plugin-lines-effect4": the build of plugin fapilog-plugin-lines for Effect 4 (fapilog-effect4) is the package fapilog-plugin-lines-effect4'
      )
    })
  )
})
