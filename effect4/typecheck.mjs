/**
 * Type-checks the Effect 4 line as it is built and tested: the shared sources, the adapter
 * (`../src/effect4`), the Effect 4 tests and this directory's configs, against Effect 4, with
 * the module resolution of resolution.ts (program.ts). `npm run typecheck` here,
 * `npm run typecheck:effect4` at the repository root.
 *
 * Every file must type-check, except the few shared sources still on the port's work list
 * ({@link workList}): each of those may keep the errors it has, and no more. `--backlog`
 * prints them.
 */
import * as path from "node:path"
import ts from "typescript"
import { createProgram } from "./program.ts"
import { packageDir } from "./resolution.ts"

const program = createProgram({ options: { noEmit: true } })
const diagnostics = ts.getPreEmitDiagnostics(program)
const repoDir = path.dirname(packageDir)
const fileOf = (d) => (d.file === undefined ? "(options)" : path.relative(repoDir, d.file.fileName))

/**
 * The port's work list: the shared sources that still have type errors against Effect 4, each
 * with how many it may keep. An error in any other file fails the check, and so does one more
 * in a listed file: lower a count (or drop the file) as the port fixes them.
 */
/** @type {Map<string, number>} (empty: every shared source type-checks against Effect 4) */
const workList = new Map([])

const count = new Map()
for (const d of diagnostics) count.set(fileOf(d), (count.get(fileOf(d)) ?? 0) + 1)
const format = (list) =>
  ts.formatDiagnosticsWithColorAndContext(list, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => packageDir,
    getNewLine: () => "\n"
  })
const listed = diagnostics.filter((d) => workList.has(fileOf(d)))
if (listed.length > 0) {
  console.log(
    `The port's work list: ${listed.length} type errors in shared sources checked against Effect 4:`
  )
  for (const [file, max] of [...workList].sort((a, b) => (count.get(b[0]) ?? 0) - (count.get(a[0]) ?? 0)))
    console.log(
      `  ${String(count.get(file) ?? 0).padStart(4)}  ${file} (at most ${max})${(count.get(file) ?? 0) < max ? ": lower its count in typecheck.mjs" : ""}`
    )
  if (process.argv.includes("--backlog")) process.stdout.write(format(listed))
}
const failing = diagnostics.filter((d) => (workList.get(fileOf(d)) ?? 0) < count.get(fileOf(d)))
if (failing.length > 0) {
  process.stdout.write(format(failing))
  const files = new Set(failing.map(fileOf))
  console.log(`${failing.length} type errors against Effect 4 in ${[...files].join(", ")}`)
  process.exitCode = 1
} else {
  console.log(
    `no type errors against Effect 4 beyond the work list (${program.getRootFileNames().length} files)`
  )
}
