/**
 * Runs the repository's Effect 4 programs (`examples/effect4-*.ts`, `bench/effect4.ts`) as an
 * Effect 4 user's: `node --import ./effect4/register.mjs <file>` under the Node 22 of this
 * directory (`npm run example:effect4-http`, the `effect4` section of `npm run bench`). They
 * sit in the repository, whose node_modules hold Effect 3; this hook resolves their `effect`,
 * `@effect/*` and `fapilog-effect4` imports from this directory instead, as an application
 * with the built package (`npm run build:effect4`) installed would see them.
 */
import { registerHooks } from "node:module"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const packageDir = path.dirname(fileURLToPath(import.meta.url))
const repoDir = path.dirname(packageDir)
const programs = [path.join(repoDir, "examples", "effect4-"), path.join(repoDir, "bench", "effect4.ts")]
const from = pathToFileURL(path.join(packageDir, "package.json")).href

registerHooks({
  resolve(specifier, context, nextResolve) {
    const importer = context.parentURL?.startsWith("file:") ? fileURLToPath(context.parentURL) : ""
    if (
      programs.some((program) => importer.startsWith(program)) &&
      /^(effect|@effect\/|fapilog-effect4(\/|$))/.test(specifier)
    )
      return nextResolve(specifier, { ...context, parentURL: from })
    return nextResolve(specifier, context)
  }
})
