/**
 * Checks every package of the repository the way npm would publish it: each one is built
 * (its `prepack`), packed (`npm pack --ignore-scripts` then, so the JSON report is clean),
 * and its tarball is checked by
 *
 * - `attw` (@arethetypeswrong/cli): every entry point's types resolve under node10 (through
 *   `typesVersions`), node16 from CommonJS and from ESM, and bundler resolution, and match the
 *   JavaScript they describe (no FalseCJS/FalseESM, no missing `export =`...);
 * - `publint --strict`: the package.json fields against the files shipped (exports order,
 *   `main`/`module`/`types`, formats, `files`...). Every message fails the check, suggestions
 *   included.
 *
 * The packages: the root (`fapilog`), effect4/ (`fapilog-effect4`), plugins/<name>/
 * (`@fapilog/<name>`), plugins/<name>/effect4/ (`@fapilog/<name>-effect4`) and packages/<name>/.
 *
 * Rules left out, each narrowly:
 * - `cjs-resolves-to-esm` for the ES-module-only packages of the Effect 4 line (effect4/ and
 *   plugins/<name>/effect4/, whose `engines` is Node >= 22.19): attw models node16 resolution
 *   as TypeScript 5.6 did, where `require` of an ES module is an error; Node 22.12 and later
 *   load an ES module from `require` synchronously, and Effect 4 itself is ES modules only.
 *   Every other rule still applies to them, node10 included.
 * A package that ships no declarations is a failure unless it is `private` (the Effect 4
 * plugin packages ship none yet and stay private until they do: docs/effect4-design.md) or
 * exports no module (packages/cli is a `bin` only).
 *
 * Builds take the pack lock test/support/pack.ts takes, so a test packing the same package
 * at the same time does not see its dist/ wiped. Two packages are built at a time.
 *
 * Usage: `npm run package:check` (after `npm run setup:effect4`: the Effect 4 builds need
 * effect4/node_modules). `-- <dir>...` checks only those package directories. Prints each
 * tool's full output and a table of the tarballs' sizes; exits 1 if any package fails.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describeRun, lock, npm, type RunResult, repoRoot, run } from "../test/support/run.js"

interface Manifest {
  readonly name: string
  readonly private?: boolean
  readonly exports?: Readonly<Record<string, unknown>>
  readonly scripts?: Readonly<Record<string, string>>
}

interface PackReport {
  readonly filename: string
  readonly size: number
  readonly unpackedSize: number
  readonly entryCount: number
}

interface Outcome {
  readonly dir: string
  readonly name: string
  readonly pack: PackReport | undefined
  readonly problems: ReadonlyArray<string>
  readonly output: string
  readonly seconds: number
}

/** The ES-module-only packages of the Effect 4 line: `cjs-resolves-to-esm` does not apply (see above). */
const isEffect4Line = (dir: string): boolean => dir === "effect4" || /^plugins\/[^/]+\/effect4$/.test(dir)

const readManifest = (dir: string): Manifest =>
  JSON.parse(fs.readFileSync(path.join(repoRoot, dir, "package.json"), "utf8")) as Manifest

/** Every package directory, relative to the repository root. */
const packageDirs = (): ReadonlyArray<string> => {
  const children = (dir: string): ReadonlyArray<string> =>
    fs
      .readdirSync(path.join(repoRoot, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(repoRoot, dir, e.name, "package.json")))
      .map((e) => `${dir}/${e.name}`)
      .sort()
  const plugins = children("plugins")
  return [
    ".",
    "effect4",
    ...plugins,
    ...plugins
      .map((p) => `${p}/effect4`)
      .filter((p) => fs.existsSync(path.join(repoRoot, p, "package.json"))),
    ...children("packages")
  ]
}

const section = (title: string, r: RunResult): string =>
  `--- ${title} (${r.command}) ---\n${r.stdout}${r.stderr}`

const check = async (dir: string, dest: string): Promise<Outcome> => {
  const started = Date.now()
  const cwd = path.join(repoRoot, dir)
  const manifest = readManifest(dir)
  const problems: Array<string> = []
  const output: Array<string> = []
  const timeoutMs = 600_000
  // build and pack under the lock the tests take (test/support/pack.ts)
  const release = await lock(path.join(cwd, ".pack.lock"), timeoutMs)
  let packed: RunResult
  try {
    if (manifest.scripts?.prepack !== undefined) {
      const build = await run(npm, ["run", "prepack"], { cwd, timeoutMs })
      if (build.status !== 0) {
        problems.push(`the build (prepack) failed\n${describeRun(build)}`)
        return { dir, name: manifest.name, pack: undefined, problems, output: "", seconds: 0 }
      }
    }
    packed = await run(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", dest], {
      cwd,
      timeoutMs
    })
  } finally {
    release()
  }
  if (packed.status !== 0) {
    problems.push(`npm pack failed\n${describeRun(packed)}`)
    return { dir, name: manifest.name, pack: undefined, problems, output: "", seconds: 0 }
  }
  const [report] = JSON.parse(packed.stdout) as ReadonlyArray<PackReport>
  if (report === undefined) throw new Error(`npm pack in ${dir} reported no tarball:\n${packed.stdout}`)
  const tarball = path.join(dest, report.filename)

  const attwArgs = [tarball, "--format", "table", "--no-color", "--no-emoji"]
  if (isEffect4Line(dir)) attwArgs.push("--ignore-rules", "cjs-resolves-to-esm")
  const attw = await run(path.join(repoRoot, "node_modules", ".bin", "attw"), attwArgs, {
    cwd: dest,
    timeoutMs: 120_000
  })
  output.push(section("attw", attw))
  if (attw.status !== 0) problems.push("attw reported problems")
  const exportsModule = Object.keys(manifest.exports ?? {}).some((subpath) => subpath !== "./package.json")
  if (/This package does not contain types/.test(attw.stdout) && exportsModule && manifest.private !== true)
    problems.push("the package exports modules but ships no type declarations")

  const publint = await run(path.join(repoRoot, "node_modules", ".bin", "publint"), ["--strict", tarball], {
    cwd: dest,
    timeoutMs: 120_000
  })
  output.push(section("publint --strict", publint))
  if (publint.status !== 0) problems.push("publint --strict reported errors or warnings")
  else if (!/All good!/.test(publint.stdout)) problems.push("publint reported suggestions")

  return {
    dir,
    name: manifest.name,
    pack: report,
    problems,
    output: output.join("\n"),
    seconds: (Date.now() - started) / 1000
  }
}

const kB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`

const main = async (): Promise<void> => {
  const requested = process.argv.slice(2)
  const dirs =
    requested.length > 0
      ? requested.map((d) => path.relative(repoRoot, path.resolve(d)) || ".")
      : packageDirs()
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-package-check-"))
  const outcomes: Array<Outcome> = []
  const queue = [...dirs]
  const worker = async (): Promise<void> => {
    for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
      const outcome = await check(dir, dest)
      outcomes.push(outcome)
      const size =
        outcome.pack === undefined
          ? ""
          : `, ${kB(outcome.pack.size)} packed, ${kB(outcome.pack.unpackedSize)} unpacked`
      console.log(
        `\n==== ${outcome.name} (${dir}): ${outcome.problems.length === 0 ? "ok" : "FAILED"}, ${outcome.seconds.toFixed(1)} s${size}`
      )
      console.log(outcome.output)
      for (const problem of outcome.problems) console.log(`PROBLEM: ${problem}`)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(2, os.availableParallelism()) }, worker))
  } finally {
    fs.rmSync(dest, { recursive: true, force: true })
  }
  outcomes.sort((a, b) => dirs.indexOf(a.dir) - dirs.indexOf(b.dir))
  console.log("\n==== tarballs (npm pack --json)")
  console.log(["package", "packed", "unpacked", "files"].join("\t"))
  for (const o of outcomes)
    if (o.pack !== undefined)
      console.log([o.name, kB(o.pack.size), kB(o.pack.unpackedSize), String(o.pack.entryCount)].join("\t"))
  const failed = outcomes.filter((o) => o.problems.length > 0)
  if (failed.length > 0) {
    console.log(`\npackage check FAILED for ${failed.map((o) => o.name).join(", ")}`)
    process.exitCode = 1
  } else console.log(`\npackage check passed: ${outcomes.length} packages`)
}

await main()
