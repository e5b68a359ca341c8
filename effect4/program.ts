/**
 * The TypeScript program of the Effect 4 line, resolved as it is built and tested: with the
 * rule of resolution.ts (adapter modules, the overlay, the toolchain from this directory).
 * tsc's `paths` cannot send one importer's `effect/X` or `./internal/x.js` elsewhere than
 * another's, so this drives the compiler with that rule. Used by the type check
 * (typecheck.mjs) and by the declarations of the build (declarations.ts).
 */
import * as path from "node:path"
import ts from "typescript"
import { adapterFor, isInstalled, isToolchain, overlayFor, packageDir } from "./resolution.ts"

const configFile = path.join(packageDir, "tsconfig.json")
const toolchainDir = path.join(packageDir, "node_modules") + path.sep

/** This directory's tsconfig.json: the files it includes, and the compiler options. */
export const config: ts.ParsedCommandLine = (() => {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} }
  )
  if (parsed === undefined) throw new Error(`cannot read ${configFile}`)
  return parsed
})()

/** A module the rule sends to a source file of ours. */
const ours = (file: string): ts.ResolvedModuleWithFailedLookupLocations => ({
  resolvedModule: {
    resolvedFileName: file,
    extension: ts.Extension.Ts,
    isExternalLibraryImport: false
  }
})

/**
 * A program of `rootNames` (default: what tsconfig.json includes) with `options` over
 * tsconfig.json's. An `effect`, `@effect/*` or `vitest` module that this directory does not
 * have is not found (an error naming it), never the repository's Effect 3.
 */
export const createProgram = ({
  rootNames = config.fileNames,
  options = {}
}: {
  readonly rootNames?: ReadonlyArray<string> | undefined
  readonly options?: ts.CompilerOptions | undefined
} = {}): ts.Program => {
  const compilerOptions = { ...config.options, ...options }
  const host = ts.createCompilerHost(compilerOptions)
  const cache = ts.createModuleResolutionCache(
    host.getCurrentDirectory(),
    host.getCanonicalFileName,
    compilerOptions
  )
  host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, options, sourceFile) =>
    literals.map((literal) => {
      const id = literal.text
      const target = adapterFor(id, containingFile) ?? overlayFor(id, containingFile)
      if (target !== undefined) return ours(target)
      const mode = ts.getModeForUsageLocation(sourceFile, literal, options)
      const resolved = ts.resolveModuleName(
        id,
        containingFile,
        options,
        host,
        cache,
        redirectedReference,
        mode
      )
      const file = resolved.resolvedModule?.resolvedFileName
      if (
        isToolchain(id) &&
        !isInstalled(containingFile) &&
        file !== undefined &&
        !file.startsWith(toolchainDir)
      )
        return { resolvedModule: undefined }
      return resolved
    })
  return ts.createProgram({ rootNames, options: compilerOptions, host })
}
