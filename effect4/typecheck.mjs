/**
 * Type-checks the Effect 4 line as it is built and tested: the shared sources, the adapter
 * (`../src/effect4`), the Effect 4 tests and this directory's configs, against Effect 4, with
 * the module resolution of resolution.ts (tsc's `paths` cannot send one importer's `effect/X`
 * or `./internal/x.js` elsewhere than another's, so this drives the compiler with that rule).
 * `npm run typecheck` here, `npm run typecheck:effect4` at the repository root.
 *
 * Until the port, the shared sources still carry Effect 3 types the overlay does not restate
 * (`Schema.Schema<A, I>`, `LogEvent`'s schema, the Effect 3 layer in `src/Fapilog.ts`...): their
 * errors are listed as the port's work list and do not fail the check. An error in the
 * adapter, the Effect 4 tests or this directory does.
 */
import * as path from "node:path"
import ts from "typescript"
import { adapterFor, overlayFor, packageDir } from "./resolution.ts"

const configFile = path.join(packageDir, "tsconfig.json")
const parsed = ts.getParsedCommandLineOfConfigFile(
  configFile,
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} }
)
if (parsed === undefined) throw new Error(`cannot read ${configFile}`)
const options = { ...parsed.options, noEmit: true }
const host = ts.createCompilerHost(options)
const cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), host.getCanonicalFileName, options)

/** A module the rule sends to a source file of ours. */
const ours = (file) => ({
  resolvedFileName: file,
  extension: ts.Extension.Ts,
  isExternalLibraryImport: false
})

host.resolveModuleNameLiterals = (
  literals,
  containingFile,
  redirectedReference,
  compilerOptions,
  sourceFile
) =>
  literals.map((literal) => {
    const id = literal.text
    const target = adapterFor(id, containingFile) ?? overlayFor(id, containingFile)
    if (target !== undefined) return { resolvedModule: ours(target) }
    const mode = ts.getModeForUsageLocation(sourceFile, literal, compilerOptions)
    return ts.resolveModuleName(id, containingFile, compilerOptions, host, cache, redirectedReference, mode)
  })

const program = ts.createProgram({ rootNames: parsed.fileNames, options, host })
const diagnostics = ts.getPreEmitDiagnostics(program)
const repoDir = path.dirname(packageDir)
const fileOf = (d) => (d.file === undefined ? "(options)" : path.relative(repoDir, d.file.fileName))
const isEffect4 = (file) =>
  /^(src\/effect4|test\/effect4|effect4)\/|^examples\/effect4-|^bench\/effect4\.ts$/.test(file) ||
  file === "(options)"
const failing = diagnostics.filter((d) => isEffect4(fileOf(d)))
const backlog = new Map()
for (const d of diagnostics) {
  const file = fileOf(d)
  if (!isEffect4(file)) backlog.set(file, (backlog.get(file) ?? 0) + 1)
}
const format = (list) =>
  ts.formatDiagnosticsWithColorAndContext(list, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => packageDir,
    getNewLine: () => "\n"
  })
if (backlog.size > 0) {
  const total = [...backlog.values()].reduce((a, b) => a + b, 0)
  console.log(`The port's work list: ${total} type errors in shared sources checked against Effect 4:`)
  for (const [file, count] of [...backlog].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)))
    console.log(`  ${String(count).padStart(4)}  ${file}`)
  if (process.argv.includes("--backlog"))
    process.stdout.write(format(diagnostics.filter((d) => !isEffect4(fileOf(d)))))
}
if (failing.length > 0) {
  process.stdout.write(format(failing))
  console.log(`${failing.length} type errors in the Effect 4 adapter, its tests or its configs`)
  process.exitCode = 1
} else {
  console.log(
    `no type errors in the Effect 4 adapter, its tests and its configs (${program.getRootFileNames().length} files)`
  )
}
