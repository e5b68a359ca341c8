/**
 * Packaging smoke test: packs the library exactly as `npm publish` would (`npm pack`, which
 * runs `prepack` → build), installs the tarball into a scratch project next to the `effect`
 * version this repo develops against, and runs an ESM and a CommonJS consumer with plain
 * `node`. It checks what users get, not the sources vitest aliases `fapilog` to.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as esbuild from "esbuild"
import { afterAll, assert, describe, it } from "vitest"
import {
  assertSucceeded,
  describeRun,
  lines,
  pack,
  type RunResult,
  removeTempDirs,
  runNode,
  scratchProject,
  tarballEntries
} from "./support/pack.js"

afterAll(removeTempDirs)

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** The same program twice, as an ES module and as CommonJS. */
const consumerBody = (flavor: "esm" | "cjs"): string => `
  const exported = { createLogger, withContext, FapilogLive, Fapilog }
  for (const [name, value] of Object.entries(exported)) {
    if (value === undefined || value === null) throw new Error(\`fapilog export \${name} is \${value}\`)
  }
  if (typeof createLogger !== "function") throw new Error("createLogger is not a function")
  if (typeof withContext !== "function") throw new Error("withContext is not a function")
  if (typeof Fapilog !== "object") throw new Error("Fapilog is not a namespace object")

  const log = await createLogger()
  await withContext({ requestId: "r-${flavor}" }, async () => {
    log.info("from ${flavor}", { n: 1 })
  })
  await log.close()

  await Effect.runPromise(Effect.log("effect ${flavor}").pipe(Effect.provide(FapilogLive)))

  // the test kit subpath, in the same format
  const kept = Testing.memory()
  const report = await Effect.runPromise(
    Testing.sinkConformance({ make: Effect.succeed(kept), received: Effect.sync(() => kept.lines()) })
  )
  if (!report.passed.includes("hostile-events")) throw new Error("fapilog/testing conformance did not run")
`

const ESM_SOURCE = `import { createLogger, withContext, FapilogLive, Fapilog } from "fapilog"
import * as Testing from "fapilog/testing"
import { Effect } from "effect"
${consumerBody("esm")}`

const CJS_SOURCE = `"use strict"
const { createLogger, withContext, FapilogLive, Fapilog } = require("fapilog")
const Testing = require("fapilog/testing")
const { Effect } = require("effect")
;(async () => {
${consumerBody("cjs")}
})().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
`

const checkConsumerOutput = (
  r: RunResult,
  flavor: "esm" | "cjs",
  startedAt: number,
  endedAt: number
): void => {
  const context = `\n${describeRun(r)}`
  assertSucceeded(r, `${flavor} consumer`)
  assert.strictEqual(r.stderr, "", `${flavor} consumer wrote to stderr${context}`)

  const out = lines(r.stdout)
  assert.strictEqual(out.length, 2, `${flavor} consumer: expected exactly 2 lines on stdout${context}`)
  const events = out.map((line, i): Record<string, unknown> => {
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch (error) {
      parsed = error
    }
    assert.isTrue(
      typeof parsed === "object" && parsed !== null && !(parsed instanceof Error) && !Array.isArray(parsed),
      `${flavor} consumer: stdout line ${i + 1} is not a JSON object (${String(parsed)}): ${line}${context}`
    )
    return parsed as Record<string, unknown>
  })

  const expected: Array<Record<string, unknown>> = [
    { level: "info", logger: "app", message: `from ${flavor}`, requestId: `r-${flavor}`, n: 1 },
    { level: "info", logger: "app", message: `effect ${flavor}` }
  ]
  const timestamps: Array<number> = []
  events.forEach((event, i) => {
    const { timestamp, ...rest } = event
    assert.deepStrictEqual(
      rest,
      expected[i],
      `${flavor} consumer: line ${i + 1} has unexpected content${context}`
    )
    assert.isString(timestamp, `${flavor} consumer: line ${i + 1} has no string timestamp${context}`)
    const ts = timestamp as string
    assert.match(
      ts,
      ISO_TIMESTAMP,
      `${flavor} consumer: line ${i + 1} timestamp is not ISO-8601 UTC ms${context}`
    )
    const ms = Date.parse(ts)
    assert.strictEqual(
      new Date(ms).toISOString(),
      ts,
      `${flavor} consumer: timestamp ${ts} is not a real instant`
    )
    assert.isTrue(
      ms >= startedAt - 5_000 && ms <= endedAt + 5_000,
      `${flavor} consumer: timestamp ${ts} is outside the run (${new Date(startedAt).toISOString()} … ${new Date(endedAt).toISOString()})`
    )
    timestamps.push(ms)
  })
  assert.isTrue(timestamps[0]! <= timestamps[1]!, `${flavor} consumer: events out of order${context}`)
}

describe("published package", () => {
  it("packs, installs and works from ESM and CommonJS with plain node", { timeout: 180_000 }, async () => {
    // 1. Pack exactly what would be published (prepack runs the build).
    const { tarball, result } = await pack()
    const printedName = lines(result.stdout).at(-1)
    assert.strictEqual(
      printedName,
      path.basename(tarball),
      `npm pack should print the tarball name last\n${describeRun(result)}`
    )

    // 2. The tarball ships the built entry points and declarations, and no sources or tests.
    const entries = await tarballEntries(tarball)
    for (const required of [
      "package.json",
      "LICENSE",
      "dist/index.js",
      "dist/index.cjs",
      "dist/index.d.ts",
      "dist/index.d.cts",
      "dist/testing.js",
      "dist/testing.cjs",
      "dist/testing.d.ts",
      "dist/testing.d.cts",
      "dist/sql.js",
      "dist/sql.cjs",
      "dist/sql.d.ts",
      "dist/sql.d.cts"
    ]) {
      assert.include(entries, required, `tarball lacks ${required}; it holds:\n${entries.join("\n")}`)
    }
    const unwanted = entries.filter((entry) => /^(src|test)\//.test(entry))
    assert.deepStrictEqual(
      unwanted,
      [],
      `tarball must not ship src/ or test/; it holds:\n${entries.join("\n")}`
    )

    // 3. A scratch project with the tarball and the effect version this repo is built against.
    const scratch = await scratchProject([tarball])
    assert.isTrue(
      fs.existsSync(path.join(scratch, "node_modules", "fapilog", "dist", "index.js")),
      `fapilog was not installed into ${scratch}`
    )

    // 4. ESM and CommonJS consumers, run with plain node.
    fs.writeFileSync(path.join(scratch, "esm.mjs"), ESM_SOURCE)
    fs.writeFileSync(path.join(scratch, "cjs.cjs"), CJS_SOURCE)
    for (const [flavor, file] of [
      ["esm", "esm.mjs"],
      ["cjs", "cjs.cjs"]
    ] as const) {
      const startedAt = Date.now()
      const result = await runNode(file, scratch)
      checkConsumerOutput(result, flavor, startedAt, Date.now())
    }

    // 5. `yaml` is loaded only when a YAML config file is read, from either format.
    fs.writeFileSync(path.join(scratch, "fapilog.yaml"), "name: from-yaml\nsinks: [stdout]\n")
    fs.writeFileSync(path.join(scratch, "fapilog.json"), '{ "name": "from-json", "sinks": ["stdout"] }')
    fs.writeFileSync(path.join(scratch, "yaml-esm.mjs"), YAML_ESM)
    fs.writeFileSync(path.join(scratch, "yaml-cjs.cjs"), YAML_CJS)
    for (const file of ["yaml-esm.mjs", "yaml-cjs.cjs"]) {
      const r = await runNode(file, scratch)
      assertSucceeded(r, file)
      assert.deepStrictEqual(
        lines(r.stdout).map((l) => {
          const { logger, message } = JSON.parse(l) as Record<string, unknown>
          return [logger, message]
        }),
        [
          ["from-json", "yaml loaded: false"],
          ["from-yaml", "yaml loaded: true"]
        ],
        describeRun(r)
      )
    }

    // 6. An application bundled by esbuild (ES module, platform node) starts and logs.
    fs.writeFileSync(path.join(scratch, "app.mjs"), BUNDLED_APP)
    const bundle = await esbuild.build({
      absWorkingDir: scratch,
      entryPoints: ["app.mjs"],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: "bundle/app.mjs",
      logLevel: "silent"
    })
    assert.deepStrictEqual(bundle.errors, [])
    fs.rmSync(path.join(scratch, "node_modules", "fapilog"), { recursive: true })
    const bundled = await runNode(path.join("bundle", "app.mjs"), scratch)
    assertSucceeded(bundled, "the bundled app")
    assert.deepInclude(JSON.parse(lines(bundled.stdout)[0] ?? "{}"), { message: "bundled", n: 1 })
  })
})

/** Logs through a JSON config file, then a YAML one; says each time whether yaml was loaded. */
const yamlProgram = `
  const loaded = () => Object.keys(require.cache).some((k) => k.includes(\`\${path.sep}node_modules\${path.sep}yaml\${path.sep}\`))
  for (const file of ["fapilog.json", "fapilog.yaml"]) {
    const log = await createLogger({ configFile: file })
    log.info(\`yaml loaded: \${loaded()}\`)
    await log.close()
  }
`

const YAML_ESM = `import { createRequire } from "node:module"
import * as path from "node:path"
import { createLogger } from "fapilog"
const require = createRequire(import.meta.url)
${yamlProgram}`

const YAML_CJS = `"use strict"
const path = require("node:path")
const { createLogger } = require("fapilog")
;(async () => {
${yamlProgram}
})().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
`

const BUNDLED_APP = `import { createLogger } from "fapilog"
const log = await createLogger()
log.info("bundled", { n: 1 })
await log.close()
`
