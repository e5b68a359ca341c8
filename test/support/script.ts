import { spawnSync } from "node:child_process"
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
  // inside the repository (ignored by git) so that the script resolves `effect` and friends
  fs.mkdirSync(path.join(root, ".tmp"), { recursive: true })
  const dir = fs.mkdtempSync(path.join(root, ".tmp", "script-"))
  const file = path.join(dir, "script.mts")
  fs.writeFileSync(
    file,
    source.replaceAll("$FAPILOG", path.join(root, "src", "index.ts")).replaceAll("$DIR", dir)
  )
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FAPILOG_")))
  const result = spawnSync(tsx, [file], {
    cwd: dir,
    encoding: "utf8",
    env: { ...clean, ...env },
    timeout: timeoutMs
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, dir }
}

export const readLines = (file: string): Array<Record<string, unknown>> =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
