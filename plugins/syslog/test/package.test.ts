/**
 * The packed @fapilog/syslog installed next to the packed fapilog in a scratch project, named
 * only by `type: "syslog"` in the settings (found by discovery), from plain node as an ES
 * module and as CommonJS: every event reaches Debian's rsyslog once. The same installation is
 * type-checked: importing the package makes `{ type: "syslog", ... }` a `sinks` entry.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
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
} from "../../../test/support/pack.js"
import { eventOf } from "./delivery.js"
import { type Rsyslog, startRsyslog } from "./rsyslog.js"

const pluginDir = pluginPackageDir("syslog")
const dist = path.join(pluginDir, "dist")
const hadDist = fs.existsSync(dist)
let server: Rsyslog | undefined

beforeAll(async () => {
  server = await startRsyslog()
}, 60_000)
afterAll(async () => {
  await server?.close()
  removeTempDirs()
  if (!hadDist) fs.rmSync(dist, { recursive: true, force: true })
})

const settings = `{ sinks: [{ type: "syslog", host: "127.0.0.1", port: Number(process.env.SYSLOG_PORT), protocol: "tcp", appName: "installed", structuredData: { keys: ["i"] } }] }`
const body = `for (let i = 0; i < 100; i++) log.info("installed " + process.env.RUN + " " + i, { i })`

const scripts: Record<string, string> = {
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
`,
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
import type {} from "@fapilog/syslog"

export const entry: Settings.SinkSetting = { type: "syslog", host: "10.0.0.5", protocol: "tls", rfc: "5424", facility: "local0", appName: "api" }
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { type: "syslog", host: "10.0.0.5", protcol: "tcp" }
// @ts-expect-error not a protocol
export const wrong: Settings.SinkSetting = { type: "syslog", host: "10.0.0.5", protocol: "sctp" }
`
}

describe("installed @fapilog/syslog", () => {
  it('packs, installs next to fapilog and delivers to rsyslog through { type: "syslog" }', {
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
      []
    )
    const core = await pack(repoRoot)
    const scratch = await scratchProject([core.tarball, packed.tarball])
    for (const [file, source] of Object.entries(scripts)) fs.writeFileSync(path.join(scratch, file), source)
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc")
    assertSucceeded(
      await run(process.execPath, [tsc, "-p", "tsconfig.types.json"], { cwd: scratch, timeoutMs: 120_000 }),
      "tsc on a typed consumer of the installed packages"
    )
    for (const file of ["app.mjs", "app.cjs"]) {
      const before = server!.received().length
      const result = await runNode(file, scratch, {
        env: { SYSLOG_PORT: String(server!.tcpPort), RUN: file }
      })
      assertSucceeded(result, `node ${file}`)
      assert.include(result.stdout, "closed", describeRun(result))
      const got = (await server!.waitFor(before + 100)).slice(before)
      assert.deepStrictEqual(
        got.map((m) => eventOf(m).message),
        Array.from({ length: 100 }, (_, i) => `installed ${file} ${i}`)
      )
      assert.isTrue(got.every((m) => m.appName === "installed"))
    }
  })
})
