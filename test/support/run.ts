/**
 * Running commands and guarding a package's build, without vitest: shared by the test support
 * (pack.ts re-exports all of it) and by scripts run outside the test runner
 * (scripts/package-check.ts), which cannot import vitest.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"

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
