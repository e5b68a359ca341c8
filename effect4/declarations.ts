/**
 * The type declarations of `fapilog-effect4`: `dist/<entry>.d.ts` for each entry of its build
 * (`dist/index.d.ts` for what `src/effect4/index.ts` exports), with Effect 4's types.
 *
 * tsup's own declarations (`dts`) cannot be used: they resolve every module the repository's
 * way, where `effect` is Effect 3 and `src/internal/fapilogLayer.ts` is itself. So this compiles the
 * package's modules with the rule of resolution.ts (program.mjs), refuses to go on when one of
 * them has a type error (their declarations would be wrong), and bundles what TypeScript
 * emits with rollup-plugin-dts under the same rule: adapter modules in place of the Effect 3
 * ones, the overlay's types written into the bundle, every other `effect` module left to the
 * application's Effect 4 (`import ... from "effect/Layer"`), like the JavaScript bundle.
 * Finally it checks that the bundle names no module but those an application has: Effect 4's
 * modules, the package's dependencies and peers, and Node's.
 */
import * as fs from "node:fs"
import { builtinModules, createRequire } from "node:module"
import * as path from "node:path"
import { type Plugin, rollup } from "rollup"
import { dts } from "rollup-plugin-dts"
import ts from "typescript"
import { createProgram } from "./program.ts"
import { adapterFor, isToolchain, overlayFor, packageDir, repoDir, resolveFrom } from "./resolution.ts"

const toSource = (declaration: string): string => declaration.replace(/\.d\.ts$/, ".ts")
const toDeclaration = (source: string): string => source.replace(/\.ts$/, ".d.ts")

const format = (diagnostics: ReadonlyArray<ts.Diagnostic>): string =>
  ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => repoDir,
    getNewLine: () => "\n"
  })

/** The declarations TypeScript emits for each module of the package (in memory: `x.ts` -> `x.d.ts`). */
const emit = (entries: ReadonlyArray<string>): ReadonlyMap<string, string> => {
  const program = createProgram({
    rootNames: entries,
    options: {
      noEmit: false,
      declaration: true,
      emitDeclarationOnly: true,
      declarationMap: false,
      // each declaration beside its module (in memory): `x.ts` -> `x.d.ts`
      rootDir: path.parse(repoDir).root,
      outDir: path.parse(repoDir).root
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

/** The modules a source file names itself (not those TypeScript adds to its declarations). */
const written = (() => {
  const cache = new Map<string, ReadonlySet<string>>()
  return (file: string): ReadonlySet<string> => {
    let ids = cache.get(file)
    if (ids === undefined) {
      const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, false)
      ids = new Set(importedFiles.map((f) => f.fileName))
      cache.set(file, ids)
    }
    return ids
  }
})()

/**
 * The rule of resolution.ts over the emitted declarations: a module of the repository is
 * bundled (its Effect 4 counterpart, or its overlay, when the rule says so); the rest is left
 * to the application. The rule applies to the modules a source names; a module TypeScript
 * names in the declarations itself (an inferred type's `import("effect/Cause")`) is the one
 * the type comes from, already resolved.
 */
const resolution = (emitted: ReadonlyMap<string, string>): Plugin => ({
  name: "fapilog-effect4-declarations",
  resolveId(id, importer) {
    if (importer === undefined) return id
    const from = toSource(importer)
    const ours = written(from).has(id) ? (adapterFor(id, from) ?? overlayFor(id, from)) : undefined
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

const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}
/** What an application of the package has besides Effect 4: its dependencies and its other peers. */
const dependencies = [
  ...Object.keys(manifest.dependencies ?? {}),
  ...Object.keys(manifest.peerDependencies ?? {})
]
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
    : "not a dependency or peer of the package"
}

/**
 * Writes `<outDir>/<name>.d.ts` for each entry of the build (name -> source file, as tsup's
 * `entry`), and the declarations they share; returns each file's text by its name.
 */
export const writeDeclarations = async (
  entries: Readonly<Record<string, string>>,
  { outDir = path.join(packageDir, "dist") }: { readonly outDir?: string | undefined } = {}
): Promise<ReadonlyMap<string, string>> => {
  const emitted = emit(Object.values(entries))
  // an entry in a directory of its own (`browser/index`) is bundled alone: a namespace it
  // re-exports (`export * as Sink`) from a chunk shared with other entries would lose which of
  // its names are types (rollup-plugin-dts declares them as values: `typeof Batch`)
  const named = Object.entries(entries)
  const groups = [
    named.filter(([name]) => !name.includes("/")),
    ...named.filter(([name]) => name.includes("/")).map((e) => [e])
  ]
  const files = new Map<string, string>()
  const output: Array<{ readonly fileName: string; readonly imports: ReadonlyArray<string> }> = []
  for (const group of groups.filter((g) => g.length > 0)) {
    const bundle = await rollup({
      input: Object.fromEntries(group.map(([name, file]) => [name, toDeclaration(file)])),
      plugins: [resolution(emitted), dts()],
      onwarn: (warning, warn) => {
        // an overlay module's `import * as X from "effect/X"` that its declarations do not use
        if (warning.code !== "UNUSED_EXTERNAL_IMPORT") warn(warning)
      }
    })
    const generated = await bundle.generate({
      format: "es",
      entryFileNames: "[name].d.ts",
      // a chunk is named after a module of it, whose id ends in `.d.ts`
      chunkFileNames: (chunk) => `${chunk.name.replace(/\.d$/, "")}-[hash].d.ts`
    })
    await bundle.close()
    for (const chunk of generated.output) {
      if (chunk.type !== "chunk") throw new Error(`unexpected declaration asset ${chunk.fileName}`)
      files.set(chunk.fileName, chunk.code)
      output.push(chunk)
    }
  }
  for (const name of Object.keys(entries))
    if (!files.has(`${name}.d.ts`)) throw new Error(`no ${name}.d.ts among ${[...files.keys()].join(", ")}`)
  const wrong = [...new Set(output.flatMap((chunk) => chunk.imports))]
    .filter((id) => !files.has(id))
    .map((id) => [id, unresolvable(id)] as const)
    .filter(([, why]) => why !== undefined)
  if (wrong.length > 0)
    throw new Error(
      `the declarations import modules an application of fapilog-effect4 does not have: ${wrong.map(([id, why]) => `${id} (${why})`).join(", ")}`
    )
  fs.mkdirSync(outDir, { recursive: true })
  for (const [name, text] of files) {
    // an entry may be in a directory of its own (`browser/index`)
    fs.mkdirSync(path.dirname(path.join(outDir, name)), { recursive: true })
    fs.writeFileSync(path.join(outDir, name), text)
  }
  return files
}
