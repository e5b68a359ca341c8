/**
 * The "done when" for a first-party network plugin: a user installs `fapilog` and
 * `@fapilog/<type>` from their packed tarballs and, naming only `type: "<type>"` in settings,
 * ships every event to a local server exactly once through a 429 with Retry-After, then a
 * 503, before it is accepted (the scenario of test/support/networkPlugin.ts, run by plain
 * node as an ES module and as CommonJS, no aliases: the plugin is found by discovery). The
 * same installation is type-checked: importing the package makes its `{ type, ...config }`
 * a `sinks` entry, through the declarations as shipped.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "vitest"
import { listen } from "../internal/networkServer.js"
import { checkScenario, EVENTS, entryOf, type NetworkPluginCase, scenarioAnswers } from "./networkPlugin.js"
import {
  assertSucceeded,
  describeRun,
  pack,
  pluginPackageDir,
  removeTempDirs,
  repoRoot,
  run,
  runNode,
  scratchProject,
  tarballEntries
} from "./pack.js"

const scripts = (c: NetworkPluginCase): Record<string, string> => {
  const settings = `{
  enrich: { service: "e2e" },
  sinks: [{ ...${JSON.stringify(entryOf(c))}, url: process.env.SINK_URL }]
}`
  const body = `for (let i = 0; i < ${EVENTS}; i++) log.info("event " + i, { i })`
  return {
    "app.mjs": `import { createLogger } from "fapilog"
const log = await createLogger(${settings})
${body}
await log.close()
console.log("closed")
`,
    "app.cjs": `const { createLogger } = require("fapilog")
;(async () => {
  const log = await createLogger(${settings})
  ${body}
  await log.close()
  console.log("closed")
})()
`
  }
}

/**
 * A typed consumer: the plugin's entry type-checks once the package is imported (its
 * declarations augment fapilog's `PluginSinks`), and a misspelt option does not.
 */
const typedConsumer = (c: NetworkPluginCase): Record<string, string> => {
  const entry = `{ ...(${JSON.stringify(entryOf(c))} as const), url: "http://127.0.0.1:1" }`
  return {
    "tsconfig.types.json": JSON.stringify({
      compilerOptions: {
        strict: true,
        exactOptionalPropertyTypes: true,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        lib: ["ES2023"],
        types: [],
        skipLibCheck: true,
        noEmit: true
      },
      files: ["typed.mts"]
    }),
    "typed.mts": `import type { Settings } from "fapilog"
import type {} from "@fapilog/${c.type}"

export const entry: Settings.SinkSetting = ${entry}
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { ...${entry}, notAnOption: 1 }
// @ts-expect-error a plugin type no installed package declares
export const unknown: Settings.SinkSetting = { type: "not-installed" }
`
  }
}

/** Registers the suite: pack, install, type-check, run the ES module and the CommonJS consumers. */
export const describeInstalledPlugin = (c: NetworkPluginCase): void => {
  const packageName = `@fapilog/${c.type}`
  const pluginDir = pluginPackageDir(c.type)
  const dist = path.join(pluginDir, "dist")
  // packing builds into plugins/<type>/dist; a build that was not there before is removed again
  const hadDist = fs.existsSync(dist)

  afterAll(() => {
    removeTempDirs()
    if (!hadDist) fs.rmSync(dist, { recursive: true, force: true })
  })

  describe(`installed ${packageName}`, () => {
    it(`packs, installs next to fapilog and delivers through { type: "${c.type}" } exactly once`, {
      timeout: 300_000
    }, async () => {
      const packed = await pack(pluginDir)
      const entries = await tarballEntries(packed.tarball)
      for (const required of [
        "package.json",
        "README.md",
        "dist/index.js",
        "dist/index.cjs",
        "dist/index.d.ts",
        "dist/index.d.cts"
      ])
        assert.include(entries, required, `the tarball lacks ${required}; it holds:\n${entries.join("\n")}`)
      assert.deepStrictEqual(
        entries.filter((e) => /^(src|test|effect4)\//.test(e)),
        [],
        "the tarball must not ship sources, tests, fixtures or the Effect 4 package"
      )
      const core = await pack(repoRoot)
      const scratch = await scratchProject([core.tarball, packed.tarball])
      assert.isTrue(fs.existsSync(path.join(scratch, "node_modules", "@fapilog", c.type, "dist", "index.js")))
      for (const [file, source] of Object.entries(typedConsumer(c)))
        fs.writeFileSync(path.join(scratch, file), source)
      const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc")
      const typed = await run(process.execPath, [tsc, "-p", "tsconfig.types.json"], {
        cwd: scratch,
        timeoutMs: 120_000
      })
      assertSucceeded(typed, "tsc on a typed consumer of the installed packages")
      for (const [file, source] of Object.entries(scripts(c))) {
        fs.writeFileSync(path.join(scratch, file), source)
        const server = await listen({ answer: scenarioAnswers(c) })
        try {
          const result = await runNode(file, scratch, { env: { SINK_URL: c.url(server.port) } })
          assertSucceeded(result, `node ${file}`)
          assert.include(result.stdout, "closed", describeRun(result))
          checkScenario(c, server.requests, `${file}\n${describeRun(result)}`)
        } finally {
          await server.stop()
        }
      }
    })
  })
}
