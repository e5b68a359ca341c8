/**
 * Packing and installing packages the way users get them: `npm pack` (which runs `prepack`,
 * i.e. the build) and `npm install <tarball>` into a scratch project next to the `effect`
 * version this repository develops against, then running consumers with plain `node`.
 * Used by test/package.test.ts and the end-to-end plugin tests.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert } from "vitest"
import { describeRun, lock, npm, type RunResult, repoRoot, run } from "./run.js"

export { describeRun, lock, npm, type RunResult, repoRoot, run } from "./run.js"

export const assertSucceeded = (r: RunResult, what: string): void => {
  assert.isTrue(r.status === 0 && !r.timedOut && r.error === undefined, `${what} failed\n${describeRun(r)}`)
}

/** Non-empty lines, trailing spaces trimmed. */
export const lines = (text: string): Array<string> =>
  text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== "")

/** Scratch directories under the OS temp dir, removed by {@link removeTempDirs} (call it in afterAll). */
const tempDirs: Array<string> = []
export const makeTempDir = (prefix: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}
export const removeTempDirs = (): void => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
}

/** The environment for consumer processes: no FAPILOG_* settings, no injected Node flags. */
export const consumerEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("FAPILOG_")) continue
    if (key === "NODE_OPTIONS" || key === "NODE_V8_COVERAGE" || key === "NODE_PATH") continue
    env[key] = value
  }
  return { ...env, ...extra }
}

/** The `effect` version installed in this repository. */
export const effectVersion = (): string =>
  (
    JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "effect", "package.json"), "utf8")) as {
      version: string
    }
  ).version

export interface Packed {
  /** Absolute path of the tarball. */
  readonly tarball: string
  /** The run of `npm pack`, for assertion messages. */
  readonly result: RunResult
}

/**
 * The directory of a first-party plugin's package for an Effect line: `plugins/<type>` is
 * `@fapilog/<type>` (Effect 3), `plugins/<type>/effect4` is `@fapilog/<type>-effect4`, built
 * from the same `plugins/<type>/src` (docs/plugins.md).
 */
export const pluginPackageDir = (type: string, effect: 3 | 4 = 3): string =>
  path.join(repoRoot, "plugins", type, ...(effect === 4 ? ["effect4"] : []))

/**
 * Packs the package in `packageDir` (the repository root for fapilog, `effect4` for
 * fapilog-effect4, {@link pluginPackageDir} for a first-party plugin) exactly as `npm publish`
 * would: `prepack` builds it. Asserts success and returns the tarball.
 */
export const pack = async (packageDir: string = repoRoot, timeoutMs = 150_000): Promise<Packed> => {
  const dest = makeTempDir("fapilog-pack-")
  // test files run in parallel workers; two builds of one package would wipe each other's dist/
  const release = await lock(path.join(packageDir, ".pack.lock"), timeoutMs)
  let result: RunResult
  try {
    result = await run(npm, ["pack", "--pack-destination", dest], { cwd: packageDir, timeoutMs })
  } finally {
    release()
  }
  assertSucceeded(result, `npm pack in ${packageDir} (prepack → build)`)
  const tarballs = fs.readdirSync(dest).filter((f) => f.endsWith(".tgz"))
  assert.strictEqual(tarballs.length, 1, `expected one tarball in ${dest}, found ${tarballs.join(", ")}`)
  return { tarball: path.join(dest, tarballs[0]!), result }
}

/** The paths inside a tarball, without the leading `package/`. */
export const tarballEntries = async (tarball: string): Promise<Array<string>> => {
  const listing = await run("tar", ["-tzf", tarball], { cwd: path.dirname(tarball), timeoutMs: 30_000 })
  assertSucceeded(listing, "tar -tzf")
  return lines(listing.stdout).map((entry) => entry.replace(/^package\//, ""))
}

/**
 * A scratch project with `packages` installed (tarball paths or registry specs) plus the
 * `effect` version this repository is built against. Asserts success; returns its directory.
 */
export const scratchProject = async (
  packages: ReadonlyArray<string>,
  timeoutMs = 150_000
): Promise<string> => {
  const scratch = makeTempDir("fapilog-scratch-")
  fs.writeFileSync(
    path.join(scratch, "package.json"),
    `${JSON.stringify({ name: "scratch", private: true })}\n`
  )
  const install = await run(
    npm,
    ["install", "--no-audit", "--no-fund", "--prefer-offline", ...packages, `effect@${effectVersion()}`],
    { cwd: scratch, timeoutMs }
  )
  assertSucceeded(install, `npm install ${packages.join(" ")} in a scratch project`)
  return scratch
}

/** Runs `file` (relative to `cwd`) with plain node and the clean consumer environment. */
export const runNode = (
  file: string,
  cwd: string,
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {}
): Promise<RunResult> =>
  run(process.execPath, [file], {
    cwd,
    env: consumerEnv(options.env),
    timeoutMs: options.timeoutMs ?? 60_000
  })
