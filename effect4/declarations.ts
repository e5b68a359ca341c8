/**
 * The type declarations of `fapilog-effect4`: `dist/index.d.ts`, one file, for what
 * `src/effect4/index.ts` exports, with Effect 4's types.
 *
 * tsup's own declarations (`dts`) cannot be used: they resolve every module the repository's
 * way, where `effect` is Effect 3 and `src/effect3/Fapilog.ts` is itself. So this compiles the
 * package's modules with the rule of resolution.ts (program.mjs), refuses to go on when one of
 * them has a type error (their declarations would be wrong), and bundles what TypeScript
 * emits with rollup-plugin-dts under the same rule: adapter modules in place of the Effect 3
 * ones, the overlay's types written into the bundle, every other `effect` module left to the
 * application's Effect 4 (`import ... from "effect/Layer"`), like the JavaScript bundle.
 * Finally it checks that the bundle names no module but those an application has: Effect 4's
 * modules, the package's dependencies and Node's.
 */
import * as fs from "node:fs"
import { builtinModules, createRequire } from "node:module"
import * as path from "node:path"
import { type Plugin, rollup } from "rollup"
import { dts } from "rollup-plugin-dts"
import ts from "typescript"
import { createProgram } from "./program.ts"
import { adapterFor, isToolchain, overlayFor, packageDir, repoDir, resolveFrom } from "./resolution.ts"

/** The package's entry: what `fapilog-effect4` exports. */
export const entry: string = path.join(repoDir, "src", "effect4", "index.ts")

const toSource = (declaration: string): string => declaration.replace(/\.d\.ts$/, ".ts")
const toDeclaration = (source: string): string => source.replace(/\.ts$/, ".d.ts")

const format = (diagnostics: ReadonlyArray<ts.Diagnostic>): string =>
  ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => repoDir,
    getNewLine: () => "\n"
  })

/** The declarations TypeScript emits for each module of the package (in memory: `x.ts` -> `x.d.ts`). */
const emit = (): ReadonlyMap<string, string> => {
  const program = createProgram({
    rootNames: [entry],
    options: {
      noEmit: false,
      declaration: true,
      emitDeclarationOnly: true,
      declarationMap: false,
      rootDir: repoDir,
      outDir: repoDir
    }
  })
  const errors = ts.getPreEmitDiagnostics(program)
  if (errors.length > 0)
    throw new Error(
      `the modules of fapilog-effect4 do not type-check against Effect 4, so their declarations would be wrong:\n${format(errors)}`
    )
  const emitted = new Map<string, string>()
  const result = program.emit(
    undefined,
    (file, text) => emitted.set(path.resolve(file), text),
    undefined,
    true
  )
  if (result.emitSkipped) throw new Error(`declarations were not emitted:\n${format(result.diagnostics)}`)
  return emitted
}

/**
 * The rule of resolution.ts over the emitted declarations: a module of the repository is
 * bundled (its Effect 4 counterpart, or its overlay, when the rule says so); the rest is left
 * to the application.
 */
const resolution = (emitted: ReadonlyMap<string, string>): Plugin => ({
  name: "fapilog-effect4-declarations",
  resolveId(id, importer) {
    if (importer === undefined) return id
    const from = toSource(importer)
    const ours = adapterFor(id, from) ?? overlayFor(id, from)
    if (ours !== undefined) return toDeclaration(ours)
    if (id.startsWith(".")) return toDeclaration(path.resolve(path.dirname(from), id).replace(/\.js$/, ".ts"))
    return { id, external: true }
  },
  load(id) {
    const text = emitted.get(id)
    if (text === undefined) throw new Error(`no declarations were emitted for ${path.relative(repoDir, id)}`)
    return text
  }
})

const dependencies = Object.keys(
  (
    JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
      readonly dependencies?: Record<string, string>
    }
  ).dependencies ?? {}
)
const fromHere = createRequire(resolveFrom)

/** Why the application could not resolve `id`, a module the bundle imports, or undefined when it can. */
const unresolvable = (id: string): string | undefined => {
  if (id.startsWith(".") || path.isAbsolute(id)) return "a path outside the package"
  if (id.startsWith("node:") || builtinModules.includes(id)) return undefined
  if (isToolchain(id)) {
    if (!/^effect(\/|$)/.test(id)) return "not the package's peer (`effect`)"
    try {
      fromHere.resolve(id)
      return undefined
    } catch {
      return "not a module of Effect 4"
    }
  }
  return dependencies.some((d) => id === d || id.startsWith(`${d}/`))
    ? undefined
    : "not a dependency of the package"
}

/** Writes `dist/index.d.ts`; returns its text. */
export const writeDeclarations = async ({
  outDir = path.join(packageDir, "dist")
}: {
  readonly outDir?: string | undefined
} = {}): Promise<string> => {
  const emitted = emit()
  const bundle = await rollup({
    input: { index: toDeclaration(entry) },
    plugins: [resolution(emitted), dts()],
    onwarn: (warning, warn) => {
      // an overlay module's `import * as X from "effect/X"` that its declarations do not use
      if (warning.code !== "UNUSED_EXTERNAL_IMPORT") warn(warning)
    }
  })
  const { output } = await bundle.generate({ format: "es" })
  await bundle.close()
  const [chunk, ...others] = output
  if (chunk === undefined || others.length > 0 || chunk.type !== "chunk")
    throw new Error(`expected one declaration file, got ${output.map((o) => o.fileName).join(", ")}`)
  const wrong = [...new Set(chunk.imports)]
    .map((id) => [id, unresolvable(id)] as const)
    .filter(([, why]) => why !== undefined)
  if (wrong.length > 0)
    throw new Error(
      `the declarations import modules an application of fapilog-effect4 does not have: ${wrong.map(([id, why]) => `${id} (${why})`).join(", ")}`
    )
  fs.mkdirSync(outDir, { recursive: true })
  fs.writeFileSync(path.join(outDir, "index.d.ts"), chunk.code)
  return chunk.code
}
