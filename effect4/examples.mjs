/**
 * Runs the repository's Effect 4 examples (`examples/effect4-*.ts`) as an Effect 4 user's
 * program: `node --import ./effect4/examples.mjs examples/effect4-http-server.ts` under the
 * Node 22 of this directory (`npm run example:effect4-http` at the repository root). The
 * examples sit in the repository, whose node_modules hold Effect 3; this hook resolves their
 * `effect`, `@effect/*` and `fapilog-effect4` imports from this directory instead, as an
 * application with the built package (`npm run build:effect4`) installed would see them.
 */
import { registerHooks } from "node:module"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const packageDir = path.dirname(fileURLToPath(import.meta.url))
const examplesDir = path.join(path.dirname(packageDir), "examples") + path.sep
const from = pathToFileURL(path.join(packageDir, "package.json")).href

registerHooks({
  resolve(specifier, context, nextResolve) {
    const importer = context.parentURL === undefined ? "" : fileURLToPath(context.parentURL)
    if (importer.startsWith(examplesDir) && /^(effect|@effect\/|fapilog-effect4$)/.test(specifier))
      return nextResolve(specifier, { ...context, parentURL: from })
    return nextResolve(specifier, context)
  }
})
