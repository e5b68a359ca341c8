/**
 * Packing and installing packages the way users get them: `npm pack` (which runs `prepack`,
 * i.e. the build) and `npm install <tarball>` into a scratch project next to the `effect`
 * version this repository develops against, then running consumers with plain `node`.
 * Used by test/package.test.ts and the end-to-end plugin tests.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { assert } from "vitest"

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url))
const isWindows = process.platform === "win32"
export const npm = isWindows ? "npm.cmd" : "npm"

export interface RunResult {
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
export const run = (
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

/** Everything about a run, for assertion messages. */
export const describeRun = (r: RunResult): string =>
  [
    `command: ${r.command}`,
    `cwd: ${r.cwd}`,
    `exit status: ${r.status}${r.signal ? ` (signal ${r.signal})` : ""}${r.timedOut ? " (TIMED OUT, killed)" : ""}`,
    ...(r.error ? [`spawn error: ${r.error.message}`] : []),
    `--- stdout ---\n${tail(r.stdout)}`,
    `--- stderr ---\n${tail(r.stderr)}`
  ].join("\n")

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

/**
 * A lock between processes: a directory created atomically, removed on release. A lock
 * older than `staleMs` is taken over (a worker killed while holding it).
 */
export const lock = async (dir: string, staleMs: number): Promise<() => void> => {
  for (;;) {
    try {
      fs.mkdirSync(dir)
      return () => fs.rmSync(dir, { recursive: true, force: true })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs > staleMs) fs.rmSync(dir, { recursive: true, force: true })
      } catch {
        // released meanwhile
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
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
