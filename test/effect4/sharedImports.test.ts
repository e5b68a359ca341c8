/**
 * The shared sources (the engine) still use Effect 3 names. On the Effect 4 line each of their
 * `effect/<Module>` imports resolves to Effect 4's module or to its overlay (effect4/resolution.ts);
 * a name that neither has would be `undefined` at run time, found only when that code path runs
 * (a plugin's restart, a network sink's retry). This bundles the Effect 4 package as its build
 * does, and checks that every value the bundled shared sources take from `effect` exists where
 * they will find it, unless the bundle drops the code that uses it. When `main` teaches the engine a
 * new Effect 3 name, this test names it, the module and the file.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { build } from "esbuild"
import ts from "typescript"
import { entries, esbuildResolution, overlayFor, repoDir } from "../../effect4/resolution.js"
import { browserBuild, browserEntry, browserOutDir } from "../../effect4/tsup.browser.config.js"

interface Use {
  /** What the importer gets: an overlay file, or the Effect 4 module id. */
  readonly target: string
  readonly member: string
  readonly file: string
}

/** The `effect` values `file` uses: `Effect.gen` (a namespace's member), `{ pipe }` (a named import). */
const usesIn = (file: string): ReadonlyArray<Use> => {
  const uses: Array<Use> = []
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
  const namespaces = new Map<string, string>()
  const relative = path.relative(repoDir, file)
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue
    const id = statement.moduleSpecifier.text
    const clause = statement.importClause
    if (!/^effect(\/|$)/.test(id) || clause === undefined || clause.isTypeOnly) continue
    const target = overlayFor(id, file) ?? id
    const bindings = clause.namedBindings
    if (bindings !== undefined && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, target)
    if (bindings !== undefined && ts.isNamedImports(bindings))
      for (const element of bindings.elements)
        if (!element.isTypeOnly)
          uses.push({ target, member: (element.propertyName ?? element.name).text, file: relative })
  }
  // a value read from a namespace (in a type, `Effect.Effect` is a qualified name, not this)
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const target = namespaces.get(node.expression.text)
      if (target !== undefined) uses.push({ target, member: node.name.text, file: relative })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return uses
}

/**
 * The Effect 4 package as its build bundles it (every entry, and the browser build with its
 * web counterparts of platform.ts and build.ts): the source files it takes in, and its code.
 */
const bundle = async (): Promise<{ readonly inputs: ReadonlyArray<string>; readonly code: string }> => {
  const builds = await Promise.all([
    build({
      entryPoints: [...entries.values()],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "node",
      target: "node22",
      outdir: path.join(repoDir, "effect4", "dist"),
      external: ["yaml", "express", "fastify"],
      plugins: [esbuildResolution],
      logLevel: "silent"
    }),
    build({
      entryPoints: Object.values(browserEntry),
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      outdir: browserOutDir,
      // Node built-ins external, as tsup leaves them: the browser build's tree shaking drops
      // them (test/effect4/browser/bundle.test.ts checks that the bundle has none)
      external: ["@opentelemetry/api", "node:*"],
      plugins: [...(browserBuild.esbuildPlugins ?? [])],
      logLevel: "silent"
    })
  ])
  return {
    inputs: [
      ...new Set(
        builds.flatMap((result) => Object.keys(result.metafile.inputs).map((input) => path.resolve(input)))
      )
    ],
    code: builds.flatMap((result) => result.outputFiles.map((file) => file.text)).join("\n")
  }
}

describe("the shared sources on Effect 4", () => {
  it("every value they take from effect exists in Effect 4 or in its overlay", async () => {
    const { inputs, code } = await bundle()
    const shared = inputs.filter(
      (file) =>
        !file.includes(`${path.sep}node_modules${path.sep}`) &&
        !file.startsWith(path.join(repoDir, "src", "effect4") + path.sep)
    )
    assert.isAbove(shared.length, 40, "the bundle takes in the engine")
    assert.include(shared, path.join(repoDir, "src", "internal", "pipeline.ts"))
    assert.include(shared, path.join(repoDir, "src", "internal", "browserBuild.ts"))
    const uses = shared.flatMap(usesIn)
    const modules = new Map<string, Record<string, unknown>>()
    for (const target of new Set(uses.map((u) => u.target)))
      modules.set(target, (await import(/* @vite-ignore */ target)) as Record<string, unknown>)
    const missing = [
      ...new Set(
        uses
          .filter((u) => (modules.get(u.target) as Record<string, unknown>)[u.member] === undefined)
          // code the bundle dropped (tree-shaken) never runs on Effect 4
          .filter((u) => new RegExp(`\\.${u.member}\\b`).test(code))
          .map((u) => `${path.basename(u.target).replace(/\.ts$/, "")}.${u.member} (${u.file})`)
      )
    ]
    assert.deepStrictEqual(
      missing,
      [],
      "used by the shared sources, and neither in Effect 4 nor in the overlay"
    )
    // the check reads real modules: an overlay name and an Effect 4 name are both found
    assert.isTrue(uses.some((u) => u.target.endsWith(`${path.sep}Effect.ts`) && u.member === "catchAll"))
    assert.isTrue(uses.some((u) => u.target === "effect/Exit" && u.member === "isSuccess"))
  })
})
