/**
 * Packaging smoke test: packs the library exactly as `npm publish` would (`npm pack`, which
 * runs `prepack` → build), installs the tarball into a scratch project next to the `effect`
 * version this repo develops against, and runs an ESM and a CommonJS consumer with plain
 * `node`. It checks what users get, not the sources vitest aliases `fapilog` to.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, describe, it } from "vitest"

const repoRoot = fileURLToPath(new URL("..", import.meta.url))
const isWindows = process.platform === "win32"
const npm = isWindows ? "npm.cmd" : "npm"

const tempDirs: Array<string> = []
const makeTempDir = (prefix: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

interface RunResult {
  readonly command: string
  readonly cwd: string
  readonly status: number | null
  readonly signal: NodeJS.Signals | null
  readonly timedOut: boolean
  readonly error: Error | undefined
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a command to completion without blocking the event loop (so vitest's own timeout and
 * worker RPC keep working), capturing stdout and stderr. Never rejects: failures are
 * reported through the result so that assertions can print everything that was captured.
 */
const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs: number }
): Promise<RunResult> =>
  new Promise((resolve) => {
    const display = [command, ...args].join(" ")
    let stdout = ""
    let stderr = ""
    let timedOut = false
    let spawnError: Error | undefined
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: isWindows,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true
    })
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk
    })
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, options.timeoutMs)
    child.on("error", (error) => {
      spawnError = error
    })
    child.on("close", (status, signal) => {
      clearTimeout(timer)
      resolve({
        command: display,
        cwd: options.cwd,
        status,
        signal,
        timedOut,
        error: spawnError,
        stdout,
        stderr
      })
    })
  })

const tail = (text: string, max = 6000): string =>
  text.length <= max ? text : `[… ${text.length - max} characters cut …]\n${text.slice(-max)}`

const describeRun = (r: RunResult): string =>
  [
    `command: ${r.command}`,
    `cwd: ${r.cwd}`,
    `exit status: ${r.status}${r.signal ? ` (signal ${r.signal})` : ""}${r.timedOut ? " (TIMED OUT, killed)" : ""}`,
    ...(r.error ? [`spawn error: ${r.error.message}`] : []),
    `--- stdout ---\n${tail(r.stdout)}`,
    `--- stderr ---\n${tail(r.stderr)}`
  ].join("\n")

const assertSucceeded = (r: RunResult, what: string): void => {
  assert.isTrue(r.status === 0 && !r.timedOut && r.error === undefined, `${what} failed\n${describeRun(r)}`)
}

const lines = (text: string): Array<string> =>
  text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== "")

/** The environment for the consumer scripts: no FAPILOG_* settings, no injected Node flags. */
const consumerEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("FAPILOG_")) continue
    if (key === "NODE_OPTIONS" || key === "NODE_V8_COVERAGE" || key === "NODE_PATH") continue
    env[key] = value
  }
  return env
}

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
`

const ESM_SOURCE = `import { createLogger, withContext, FapilogLive, Fapilog } from "fapilog"
import { Effect } from "effect"
${consumerBody("esm")}`

const CJS_SOURCE = `"use strict"
const { createLogger, withContext, FapilogLive, Fapilog } = require("fapilog")
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
    const packDir = makeTempDir("fapilog-pack-")
    const pack = await run(npm, ["pack", "--pack-destination", packDir], {
      cwd: repoRoot,
      timeoutMs: 150_000
    })
    assertSucceeded(pack, "npm pack (prepack → build)")
    const tarballs = fs.readdirSync(packDir).filter((f) => f.endsWith(".tgz"))
    assert.strictEqual(tarballs.length, 1, `expected one tarball in ${packDir}, found ${tarballs.join(", ")}`)
    const printedName = lines(pack.stdout).at(-1)
    assert.strictEqual(
      printedName,
      tarballs[0],
      `npm pack should print the tarball name last\n${describeRun(pack)}`
    )
    const tarball = path.join(packDir, tarballs[0]!)

    // 2. The tarball ships the built entry points and declarations, and no sources or tests.
    const listing = await run("tar", ["-tzf", tarball], { cwd: packDir, timeoutMs: 30_000 })
    assertSucceeded(listing, "tar -tzf")
    const entries = lines(listing.stdout).map((entry) => entry.replace(/^package\//, ""))
    for (const required of [
      "package.json",
      "dist/index.js",
      "dist/index.cjs",
      "dist/index.d.ts",
      "dist/index.d.cts"
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
    const effectVersion = (
      JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "effect", "package.json"), "utf8")) as {
        version: string
      }
    ).version
    const scratch = makeTempDir("fapilog-scratch-")
    fs.writeFileSync(
      path.join(scratch, "package.json"),
      `${JSON.stringify({ name: "scratch", private: true })}\n`
    )
    const install = await run(
      npm,
      ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, `effect@${effectVersion}`],
      { cwd: scratch, timeoutMs: 150_000 }
    )
    assertSucceeded(install, "npm install of the tarball in the scratch project")
    assert.isTrue(
      fs.existsSync(path.join(scratch, "node_modules", "fapilog", "dist", "index.js")),
      `fapilog was not installed into ${scratch}\n${describeRun(install)}`
    )

    // 4. ESM and CommonJS consumers, run with plain node.
    fs.writeFileSync(path.join(scratch, "esm.mjs"), ESM_SOURCE)
    fs.writeFileSync(path.join(scratch, "cjs.cjs"), CJS_SOURCE)
    const env = consumerEnv()
    for (const [flavor, file] of [
      ["esm", "esm.mjs"],
      ["cjs", "cjs.cjs"]
    ] as const) {
      const startedAt = Date.now()
      const result = await run(process.execPath, [file], { cwd: scratch, env, timeoutMs: 60_000 })
      checkConsumerOutput(result, flavor, startedAt, Date.now())
    }
  })
})
