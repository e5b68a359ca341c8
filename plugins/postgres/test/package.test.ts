/**
 * The packed @fapilog/postgres installed next to the packed fapilog in a scratch project (its
 * `pg` dependency installed with it), named only by `type: "postgres"` in the settings (found
 * by discovery), from plain node as an ES module and as CommonJS: every event is one row in
 * Debian's PostgreSQL. The same installation is type-checked: importing the package makes
 * `{ type: "postgres", ... }` a `sinks` entry.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
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
import { type Postgres, startPostgres } from "./postgresServer.js"

const pluginDir = pluginPackageDir("postgres")
const dist = path.join(pluginDir, "dist")
const hadDist = fs.existsSync(dist)
let server: Postgres | undefined

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(async () => {
  server?.close()
  removeTempDirs()
  if (!hadDist) fs.rmSync(dist, { recursive: true, force: true })
})

const settings = `{ sinks: [{ type: "postgres", connectionString: process.env.PG_URL, table: process.env.TABLE }] }`
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
import type {} from "@fapilog/postgres"

export const entry: Settings.SinkSetting = { type: "postgres", connectionString: "postgres://app@db/logs", table: "events", partitioning: "daily", spool: { directory: "/var/spool/app" } }
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { type: "postgres", connectionString: "postgres://app@db/logs", tabel: "events" }
// @ts-expect-error not a partitioning
export const wrong: Settings.SinkSetting = { type: "postgres", connectionString: "postgres://app@db/logs", partitioning: "hourly" }
`
}

describe("installed @fapilog/postgres", () => {
  it('packs, installs next to fapilog (pg with it) and inserts into PostgreSQL through { type: "postgres" }', {
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
    const client = new pg.Client({ connectionString: server!.url })
    await client.connect()
    try {
      for (const file of ["app.mjs", "app.cjs"]) {
        const table = `installed_${file.replace(".", "_")}`
        const result = await runNode(file, scratch, {
          env: { PG_URL: server!.url, TABLE: table, RUN: file }
        })
        assertSucceeded(result, `node ${file}`)
        assert.include(result.stdout, "closed", describeRun(result))
        const { rows } = await client.query(
          `SELECT message, (event->>'i')::int AS i FROM ${table} ORDER BY (event->>'i')::int`
        )
        assert.deepStrictEqual(
          rows.map((r) => r.message),
          Array.from({ length: 100 }, (_, i) => `installed ${file} ${i}`)
        )
      }
    } finally {
      await client.end()
    }
  })
})
