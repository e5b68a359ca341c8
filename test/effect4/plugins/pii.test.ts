/**
 * @fapilog/pii on Effect 4: its source, built for this line, passes the plugin and processor
 * conformance suites against its Effect 4 package (plugins/pii/effect4/package.json), censors
 * through settings as on Effect 3 (plugins/pii/test/pii.test.ts), withholds what it cannot
 * scan when it fails closed, and its Effect 4 package builds.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Testing from "fapilog/testing"
import { createLogger, Plugin } from "fapilog-effect4"
import { build } from "tsup"
import { plugin } from "../../../plugins/pii/src/index.js"
import { effect4Build } from "../../../plugins/tsup.base.js"
import { lock, pluginPackageDir } from "../../support/pack.js"

const packageDir = pluginPackageDir("pii", 4)
const packageJson: unknown = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"))

describe("@fapilog/pii on Effect 4", () => {
  it.effect("its metadata agrees with its Effect 4 package", () =>
    Effect.asVoid(Testing.pluginConformance(plugin, { packageJson }))
  )

  it.live("passes the processor conformance suite", () =>
    Testing.processorConformance({
      make: Plugin.open(plugin, {}),
      events: [
        { message: "signup ada@example.com", fields: { card: "4111 1111 1111 1111" } },
        { message: "no personal data", fields: { step: 2 } }
      ],
      drops: () => false
    }).pipe(Effect.map((report) => assert.include(report.passed, "drop-accounting")))
  )

  it("censors through settings, and fails closed when asked", async () => {
    const memory = Testing.memory()
    const log = await createLogger({
      sinks: [memory],
      processors: [{ type: "pii", maxDepth: 2, failClosed: true }],
      plugins: { use: [plugin] }
    })
    log.info("card 4111 1111 1111 1111", { user: "ada@example.com", token: "Bearer abc123.def-456" })
    log.info("deep", { a: { b: { c: "ada@example.com" } } })
    await log.flush()
    const stats = log.stats()
    await log.close()
    assert.deepStrictEqual(
      memory.events().map((e) => [e.message, e.fields.user, e.fields.token]),
      [["card [REDACTED:card]", "[REDACTED:email]", "Bearer [REDACTED:bearer]"]]
    )
    assert.deepStrictEqual(stats.filteredBy, { pii: 1 })
  })

  it("its Effect 4 package builds from the one source", async () => {
    const release = await lock(path.join(packageDir, ".pack.lock"), 150_000)
    try {
      await build({ ...effect4Build(path.dirname(packageDir)), config: false, silent: true })
      const out = fs.readFileSync(path.join(packageDir, "dist", "index.js"), "utf8")
      assert.include(out, "fapilog-effect4")
      assert.notInclude(out, 'from "fapilog"')
    } finally {
      release()
      fs.rmSync(path.join(packageDir, "dist"), { recursive: true, force: true })
    }
  })
})
