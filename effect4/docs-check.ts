/**
 * The Effect 4 half of scripts/docs-check.ts: type-checks the code blocks it extracted that
 * import `fapilog-effect4` (or an `@fapilog/*-effect4` plugin), against Effect 4, with the
 * module resolution of the Effect 4 line (program.ts). Run by docs-check.ts under
 * effect4's Node 22 with the block files as arguments; prints one line per error:
 * `file<TAB>line:column<TAB>code<TAB>message`.
 */
import * as path from "node:path"
import ts from "typescript"
import { config, createProgram } from "./program.ts"

const files = process.argv.slice(2).map((file) => path.resolve(file))
const program = createProgram({
  rootNames: files,
  options: {
    noEmit: true,
    paths: {
      ...config.options.paths,
      // the first-party plugins' Effect 4 packages: one source per plugin
      "@fapilog/*-effect4": ["../plugins/*/src/index.ts"]
    }
  }
})
// only the blocks' own diagnostics: the sources are the Effect 4 typecheck's business
const diagnostics = files.flatMap((file) => {
  const source = program.getSourceFile(file)
  return source === undefined
    ? []
    : [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
})
for (const d of diagnostics) {
  if (d.file === undefined) continue
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0)
  const message = ts.flattenDiagnosticMessageText(d.messageText, " ").replace(/\s+/g, " ")
  console.log(`${d.file.fileName}\t${line + 1}:${character + 1}\t${d.code}\t${message}`)
}
