/**
 * A first-party network plugin found by discovery on Effect 4: its Effect 4 package
 * (`plugins/<type>/effect4`, `@fapilog/<type>-effect4`) is built as `npm pack` builds it
 * (plugins/tsup.base.ts) and installed into a scratch project's node_modules, and a logger
 * named by `{ type }` alone (no `plugins.use`), started there, loads it and delivers the
 * scenario of test/support/networkPlugin.ts.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
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
import { lock, pluginPackageDir, repoRoot } from "../../support/pack.js"

/** A scratch project for discovering `type`, under the repository's .tmp/, removed after the file's tests. */
export const discoveryScratch = (type: string): string => {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true })
  const scratch = fs.mkdtempSync(path.join(repoRoot, ".tmp", `discovered-${type}-`))
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))
  return scratch
}

/**
 * Builds `@fapilog/<type>-effect4` (plugins/<type>/effect4) as `npm pack` builds it and
 * installs it into `scratch`'s node_modules; returns where it was installed.
 */
export const installEffect4Plugin = async (type: string, scratch: string): Promise<string> => {
  const packageDir = pluginPackageDir(type, 4)
  // the pack-and-install test may be packing this package (which builds the same files)
  const release = await lock(path.join(packageDir, ".pack.lock"), 150_000)
  const installed = path.join(scratch, "node_modules", "@fapilog", `${type}-effect4`)
  try {
    // `config: false`: tsup would merge in the tsup.config.ts of the working directory
    // (effect4/, fapilog-effect4's own build, declarations and all)
    await build({ ...effect4Build(path.dirname(packageDir)), config: false, silent: true })
    for (const file of ["package.json", "dist"])
      fs.cpSync(path.join(packageDir, file), path.join(installed, file), { recursive: true })
  } finally {
    release()
  }
  return installed
}

export const describeDiscoveredOnEffect4 = (c: NetworkPluginCase): void => {
  describe(`@fapilog/${c.type}-effect4 discovered on Effect 4`, () => {
    const scratch = discoveryScratch(c.type)

    it(`{ type: "${c.type}" } alone loads @fapilog/${c.type}-effect4 and delivers every event once`, async () => {
      const installed = await installEffect4Plugin(c.type, scratch)
      const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as {
        readonly exports: Record<string, unknown>
      }
      assert.deepStrictEqual(manifest.exports["."], { import: "./dist/index.js" })
      const server = await listen({ answer: scenarioAnswers(c) })
      // discovery looks from the working directory: the scratch project's
      const cwd = process.cwd()
      process.chdir(scratch)
      try {
        const log = await createLogger({
          enrich: { service: "e2e" },
          sinks: [{ ...entryOf(c), url: c.url(server.port) } as never]
        })
        for (let i = 0; i < EVENTS; i++) log.info(eventMessage(i), { i })
        await log.close()
        checkScenario(c, server.requests, "discovered on Effect 4")
      } finally {
        process.chdir(cwd)
        await server.stop()
      }
    })
  })
}
