/**
 * Installing a first-party plugin's packed tarball next to the packed fapilog in a scratch
 * project: `describeInstalled` packs both, checks the tarball, installs, type-checks a typed
 * consumer and hands the scratch project to the plugin's own check, which runs the ES module
 * and CommonJS consumers of `consumerScripts` with `runConsumer`.
 *
 * The "done when" for a first-party network plugin (`describeInstalledPlugin`): a user installs `fapilog` and
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
  type RunResult,
  removeTempDirs,
  repoRoot,
  run,
  runNode,
  scratchProject,
  tarballEntries
} from "./pack.js"

/** The consumers every installed plugin is run by: plain node as an ES module and as CommonJS. */
export const CONSUMERS = ["app.mjs", "app.cjs"] as const

/**
 * The consumer files: each creates a logger from `settings` (a JavaScript expression), runs
 * `body` (statements logging through `log`), closes the logger and prints "closed".
 */
export const consumerScripts = (
  settings: string,
  body: string
): Record<(typeof CONSUMERS)[number], string> => ({
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
})

/**
 * Runs a consumer written by `consumerScripts` in the scratch project with `env`, and asserts
 * it succeeded and closed its logger.
 */
export const runConsumer = async (
  scratch: string,
  file: string,
  env: NodeJS.ProcessEnv = {}
): Promise<RunResult> => {
  const result = await runNode(file, scratch, { env })
  assertSucceeded(result, `node ${file}`)
  assert.include(result.stdout, "closed", describeRun(result))
  return result
}

/**
 * A typed consumer of `@fapilog/<type>`: `declarations` (an `entry` of type
 * `Settings.SinkSetting`, and `@ts-expect-error` ones the plugin's declarations refuse)
 * under imports of fapilog's `Settings` and of the package, compiled strictly.
 */
const typedConsumer = (type: string, declarations: string): Record<string, string> => ({
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
import type {} from "@fapilog/${type}"

${declarations}`
})

export interface InstalledPlugin {
  /** The plugin's type: its directory under plugins/ and its package @fapilog/<type>. */
  readonly type: string
  /** What the test shows after "packs, installs next to fapilog ". */
  readonly title: string
  /** The typed consumer's declarations (see `typedConsumer`). */
  readonly typed: string
  /** Longest the test may take; default 300000 ms. */
  readonly timeoutMs?: number | undefined
  /** Writes and runs the consumers in the scratch project and checks what they delivered. */
  readonly check: (scratch: string) => Promise<void>
}

/** Registers the suite: pack, check the tarball, install, type-check, then the plugin's `check`. */
export const describeInstalled = (p: InstalledPlugin): void => {
  const packageName = `@fapilog/${p.type}`
  const pluginDir = pluginPackageDir(p.type)
  const dist = path.join(pluginDir, "dist")
  // packing builds into plugins/<type>/dist; a build that was not there before is removed again
  const hadDist = fs.existsSync(dist)

  afterAll(() => {
    removeTempDirs()
    if (!hadDist) fs.rmSync(dist, { recursive: true, force: true })
  })

  describe(`installed ${packageName}`, () => {
    it(`packs, installs next to fapilog ${p.title}`, { timeout: p.timeoutMs ?? 300_000 }, async () => {
      const packed = await pack(pluginDir)
      const entries = await tarballEntries(packed.tarball)
      for (const required of [
        "package.json",
        "README.md",
        "LICENSE",
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
      assert.isTrue(fs.existsSync(path.join(scratch, "node_modules", "@fapilog", p.type, "dist", "index.js")))
      for (const [file, source] of Object.entries(typedConsumer(p.type, p.typed)))
        fs.writeFileSync(path.join(scratch, file), source)
      const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc")
      const typed = await run(process.execPath, [tsc, "-p", "tsconfig.types.json"], {
        cwd: scratch,
        timeoutMs: 120_000
      })
      assertSucceeded(typed, "tsc on a typed consumer of the installed packages")
      await p.check(scratch)
    })
  })
}

/** A first-party network plugin installed: the delivery scenario, run by each consumer. */
export const describeInstalledPlugin = (c: NetworkPluginCase): void => {
  const entry = `{ ...(${JSON.stringify(entryOf(c))} as const), url: "http://127.0.0.1:1" }`
  const settings = `{
  enrich: { service: "e2e" },
  sinks: [{ ...${JSON.stringify(entryOf(c))}, url: process.env.SINK_URL }]
}`
  const scripts = consumerScripts(
    settings,
    `for (let i = 0; i < ${EVENTS}; i++) log.info("event " + i, { i })`
  )
  describeInstalled({
    type: c.type,
    title: `and delivers through { type: "${c.type}" } exactly once`,
    typed: `export const entry: Settings.SinkSetting = ${entry}
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { ...${entry}, notAnOption: 1 }
// @ts-expect-error a plugin type no installed package declares
export const unknown: Settings.SinkSetting = { type: "not-installed" }
`,
    check: async (scratch) => {
      for (const file of CONSUMERS) {
        fs.writeFileSync(path.join(scratch, file), scripts[file])
        const server = await listen({ answer: scenarioAnswers(c) })
        try {
          const result = await runConsumer(scratch, file, { SINK_URL: c.url(server.port) })
          checkScenario(c, server.requests, `${file}\n${describeRun(result)}`)
        } finally {
          await server.stop()
        }
      }
    }
  })
}
