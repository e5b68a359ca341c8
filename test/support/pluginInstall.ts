/**
 * The issue's "done when" for a first-party network plugin, one suite for each of them: a
 * user installs `fapilog` and `@fapilog/<type>` from their packed tarballs and, naming only
 * `type: "<type>"` in settings, ships every event to a local server exactly once through a
 * 429 with Retry-After, then a 503, before it is accepted. Plain node, ES module and
 * CommonJS, no aliases: the plugin is found by discovery.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "vitest"
import { listen, type Received } from "../internal/networkServer.js"
import {
  assertSucceeded,
  describeRun,
  pack,
  removeTempDirs,
  repoRoot,
  runNode,
  scratchProject,
  tarballEntries
} from "./pack.js"

export interface InstalledPlugin {
  /** The plugin's type: its directory under plugins/ and its package @fapilog/<type>. */
  readonly type: string
  /** More keys of the sink's settings entry, as JavaScript source (`labelKeys: ["level"]`). */
  readonly settings?: string | undefined
  /** The `url` setting, given the port the receiver listens on. */
  readonly url: (port: number) => string
  /** The status the receiver accepts with, after the 429 and the 503. */
  readonly accept: number
  /** Whether a request is genuine (a valid signature); one that is not is answered 401. */
  readonly authentic?: ((request: Received) => boolean) | undefined
  /** Checks every request (each attempt): its path and headers. */
  readonly checkRequest: (request: Received) => void
  /** The messages of the accepted requests, in order, decoded the way the receiver would. */
  readonly messages: (accepted: ReadonlyArray<Received>) => Array<string>
}

const EVENTS = 200

const scripts = (plugin: InstalledPlugin): Record<string, string> => {
  const settings = `{
  enrich: { service: "e2e" },
  sinks: [{ type: ${JSON.stringify(plugin.type)}, url: process.env.SINK_URL, ${plugin.settings === undefined ? "" : `${plugin.settings}, `}batch: { maxWaitMs: 50 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }]
}`
  return {
    "app.mjs": `import { createLogger } from "fapilog"
const log = await createLogger(${settings})
for (let i = 0; i < ${EVENTS}; i++) log.info("event " + i, { i })
await log.close()
console.log("closed")
`,
    "app.cjs": `const { createLogger } = require("fapilog")
;(async () => {
  const log = await createLogger(${settings})
  for (let i = 0; i < ${EVENTS}; i++) log.info("event " + i, { i })
  await log.close()
  console.log("closed")
})()
`
  }
}

/** Registers the suite: pack, install, run the ES module and the CommonJS consumers. */
export const describeInstalledPlugin = (plugin: InstalledPlugin): void => {
  const packageName = `@fapilog/${plugin.type}`
  const pluginDir = path.join(repoRoot, "plugins", plugin.type)
  const dist = path.join(pluginDir, "dist")
  // packing builds into plugins/<type>/dist; a build that was not there before is removed again
  const hadDist = fs.existsSync(dist)

  afterAll(() => {
    removeTempDirs()
    if (!hadDist) fs.rmSync(dist, { recursive: true, force: true })
  })

  describe(`installed ${packageName}`, () => {
    it(`packs, installs next to fapilog and delivers through { type: "${plugin.type}" } exactly once`, {
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
        entries.filter((e) => /^(src|test)\//.test(e)),
        [],
        "the tarball must not ship sources, tests or fixtures"
      )
      const core = await pack(repoRoot)
      const scratch = await scratchProject([core.tarball, packed.tarball])
      assert.isTrue(
        fs.existsSync(path.join(scratch, "node_modules", "@fapilog", plugin.type, "dist", "index.js"))
      )
      for (const [file, source] of Object.entries(scripts(plugin))) {
        fs.writeFileSync(path.join(scratch, file), source)
        const server = await listen({
          answer: (r, n) =>
            plugin.authentic !== undefined && !plugin.authentic(r)
              ? { status: 401 }
              : n === 0
                ? { status: 429, headers: { "Retry-After": "1" } }
                : n === 1
                  ? { status: 503 }
                  : { status: plugin.accept }
        })
        try {
          const result = await runNode(file, scratch, { env: { SINK_URL: plugin.url(server.port) } })
          assertSucceeded(result, `node ${file}`)
          assert.include(result.stdout, "closed", describeRun(result))
          assert.deepStrictEqual(
            server.requests.slice(0, 3).map((r) => r.status),
            [429, 503, plugin.accept],
            describeRun(result)
          )
          assert.isTrue(
            server.requests.every((r) => r.status !== 401),
            `${file}: every request is authentic`
          )
          for (const r of server.requests) plugin.checkRequest(r)
          assert.deepStrictEqual(
            plugin.messages(server.accepted()),
            Array.from({ length: EVENTS }, (_, i) => `event ${i}`),
            `${file}: every event exactly once, in order`
          )
        } finally {
          await server.stop()
        }
      }
    })
  })
}
