/**
 * Runs the `fapilog` command as users do, in a child process: the package's build (its
 * tsup.config.ts, with `fapilog` bundled from this repository's sources instead of imported:
 * the test runs before any `npm run build`) run by plain node, with its own working directory,
 * environment and stdin. `FAPILOG_*`, NODE_OPTIONS and colour variables of the test run are
 * not passed on.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import type { Plugin } from "esbuild"
import { type Options, build as tsup } from "tsup"

export const cliDir = path.resolve(import.meta.dirname, "..", "..")
export const repoRoot = path.resolve(cliDir, "..", "..")

/** Where {@link build} writes the bin, per test process. */
const outDir = path.join(repoRoot, ".tmp", `cli-bin-${process.pid}`)
export const bin = path.join(outDir, "bin.js")

/** `fapilog` imports resolved to the repository's sources, bundled. */
const fapilogSources: Plugin = {
  name: "fapilog-sources",
  setup(build) {
    build.onResolve({ filter: /^fapilog$/ }, () => ({ path: path.join(repoRoot, "src", "index.ts") }))
  }
}

let built: Promise<void> | undefined

/** Builds the bin once per test process (call it in beforeAll). */
export const build = (): Promise<void> =>
  (built ??= (async () => {
    const config = (await import("../../tsup.config.js")).default as Options
    await tsup({
      ...config,
      config: false,
      silent: true,
      sourcemap: false,
      outDir,
      entry: { bin: path.join(cliDir, "src", "bin.ts") },
      external: [/^effect(\/.*)?$/, /^@effect\//],
      noExternal: [/^fapilog$/],
      esbuildPlugins: [fapilogSources]
    })
  })())

/** Removes the bin {@link build} wrote (call it in afterAll). */
export const removeBuild = (): void => fs.rmSync(outDir, { recursive: true, force: true })

/** A scratch directory under the repository's .tmp/. */
export const scratchDir = (prefix: string): string => {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true })
  return fs.mkdtempSync(path.join(repoRoot, ".tmp", prefix))
}

/** The environment of a run: the test's, without fapilog settings or colour choices, plus `extra`. */
export const cliEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (
      k.startsWith("FAPILOG_") ||
      k.startsWith("VITEST") ||
      k === "NODE_OPTIONS" ||
      k === "NODE_V8_COVERAGE"
    )
      continue
    if (k === "NO_COLOR" || k === "FORCE_COLOR" || k === "NODE_DISABLE_COLORS") continue
    env[k] = v
  }
  return { ...env, ...extra }
}

/** The node command line that runs `fapilog <args>`. */
export const command = (args: ReadonlyArray<string>): ReadonlyArray<string> => [
  process.execPath,
  bin,
  ...args
]

export interface Ran {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

export const describeRan = (args: ReadonlyArray<string>, r: Ran): string =>
  `fapilog ${args.join(" ")}: exit ${r.status}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`

/** Starts `fapilog <args>`; stdin is a pipe. */
export const start = (
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string | undefined; readonly env?: NodeJS.ProcessEnv | undefined } = {}
): ChildProcess & { readonly output: () => Ran; readonly exited: Promise<Ran> } => {
  const [node, ...rest] = command(args)
  const child = spawn(node as string, rest, {
    cwd: options.cwd ?? repoRoot,
    env: cliEnv(options.env),
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c
  })
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c
  })
  const exited = new Promise<Ran>((resolve) =>
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  )
  return Object.assign(child, { output: () => ({ status: null, stdout, stderr }), exited })
}

/** Runs `fapilog <args>` to its end with `input` on stdin. */
export const fapilog = (
  args: ReadonlyArray<string>,
  options: {
    readonly cwd?: string | undefined
    readonly env?: NodeJS.ProcessEnv | undefined
    readonly input?: string | undefined
  } = {}
): Promise<Ran> => {
  const child = start(args, options)
  child.stdin?.end(options.input ?? "")
  return child.exited
}

/** Resolves once `check` holds; the test's own timeout bounds the wait. */
export const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20))
}
