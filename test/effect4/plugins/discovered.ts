/**
 * A first-party network plugin found by discovery on Effect 4: its `./effect4` entry is built
 * (plugins/tsup.base.ts, the build `npm pack` runs), and a logger named by `{ type }` alone
 * (no `plugins.use`) loads it and delivers the scenario of test/support/networkPlugin.ts.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { createLogger } from "fapilog-effect4"
import { build } from "tsup"
import { effect4Build } from "../../../plugins/tsup.base.js"
import { listen } from "../../internal/networkServer.js"
import {
  checkScenario,
  EVENTS,
  entryOf,
  eventMessage,
  type NetworkPluginCase,
  scenarioAnswers
} from "../../support/networkPlugin.js"
import { lock, repoRoot } from "../../support/pack.js"

export const describeDiscoveredOnEffect4 = (c: NetworkPluginCase): void => {
  describe(`@fapilog/${c.type} discovered on Effect 4`, () => {
    it(`{ type: "${c.type}" } alone loads its ./effect4 build and delivers every event once`, async () => {
      const dir = path.join(repoRoot, "plugins", c.type)
      // the Effect 3 suite may be packing this plugin (which builds the same file) meanwhile
      const release = await lock(path.join(dir, ".pack.lock"), 150_000)
      try {
        await build({ ...effect4Build(dir), silent: true })
      } finally {
        release()
      }
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        readonly exports: Record<string, unknown>
      }
      assert.deepStrictEqual(manifest.exports["./effect4"], { import: "./dist/effect4.js" })
      const server = await listen({ answer: scenarioAnswers(c) })
      try {
        const log = await createLogger({
          enrich: { service: "e2e" },
          sinks: [{ ...entryOf(c), url: c.url(server.port) } as never]
        })
        for (let i = 0; i < EVENTS; i++) log.info(eventMessage(i), { i })
        await log.close()
        checkScenario(c, server.requests, "discovered on Effect 4")
      } finally {
        await server.stop()
      }
    })
  })
}
