import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
const tsx = path.join(root, "node_modules", ".bin", "tsx")

export interface ScriptResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  readonly dir: string
}

/** Writes the script into a new scratch directory; returns the script's path and the directory. */
const prepare = (source: string, dir?: string): { readonly file: string; readonly dir: string } => {
  // inside the repository (ignored by git) so that the script resolves `effect` and friends
  fs.mkdirSync(path.join(root, ".tmp"), { recursive: true })
  const scratch = dir ?? fs.mkdtempSync(path.join(root, ".tmp", "script-"))
  // several scripts may share a directory: each gets a name of its own there
  const file =
    dir === undefined
      ? path.join(scratch, "script.mts")
      : path.join(scratch, `script-${Math.random().toString(36).slice(2)}.mts`)
  fs.writeFileSync(
    file,
    source.replaceAll("$FAPILOG", path.join(root, "src", "index.ts")).replaceAll("$DIR", scratch)
  )
  return { file, dir: scratch }
}

const cleanEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FAPILOG_"))),
  ...env
})

/**
 * Runs a TypeScript snippet in a fresh Node process (through tsx). `$FAPILOG` in the
 * source is replaced with the path of the package entry; `$DIR` with a scratch directory.
 * The process is killed after `timeoutMs` (its status is then null).
 */
export const runScript = (
  source: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000
): ScriptResult => {
  const { file, dir } = prepare(source)
  const result = spawnSync(tsx, [file], {
    cwd: dir,
    encoding: "utf8",
    env: cleanEnv(env),
    timeout: timeoutMs
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, dir }
}

/**
 * Like {@link runScript}, without waiting: for several processes at once. `dir` shares one
 * scratch directory (`$DIR`) between them; by default each gets its own.
 */
export const startScript = (
  source: string,
  options: { readonly dir?: string | undefined; readonly env?: Record<string, string> | undefined } = {}
): Promise<ScriptResult> => {
  const { file, dir } = prepare(source, options.dir)
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [file], { cwd: dir, env: cleanEnv(options.env ?? {}) })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000)
    child.on("error", reject)
    child.on("close", (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr, dir })
    })
  })
}

/** A new scratch directory inside the repository, for scripts that share one. */
export const scratchDir = (): string => {
  fs.mkdirSync(path.join(root, ".tmp"), { recursive: true })
  return fs.mkdtempSync(path.join(root, ".tmp", "script-"))
}

export const readLines = (file: string): Array<Record<string, unknown>> =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
