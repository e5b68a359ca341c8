/**
 * Generates a working fapilog plugin package:
 *
 *   npm run new-plugin -- <name> <sink|enricher|processor|formatter> [--dir <out>]
 *
 * The repository's front end of the scaffolder that `fapilog plugins new` runs too
 * (packages/cli/src/internal/scaffold.ts, which says what it writes): here the versions come
 * from this repository's manifests and `@fapilog/<type>` goes to `plugins/<type>`.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { generate, type Kind, kinds, type Manifests, summary } from "../packages/cli/src/internal/scaffold.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

const usage = `usage: npm run new-plugin -- <name> <${kinds.join("|")}> [--dir <out>]`

const manifests = (): Manifests => ({
  root: JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")),
  effect4: JSON.parse(fs.readFileSync(path.join(repoRoot, "effect4", "package.json"), "utf8"))
})

const main = (argv: ReadonlyArray<string>): number => {
  const args = [...argv]
  let dir: string | undefined
  const at = args.indexOf("--dir")
  if (at >= 0) {
    dir = args[at + 1]
    if (dir === undefined || dir.startsWith("--")) {
      console.error(`--dir needs a directory\n${usage}`)
      return 2
    }
    args.splice(at, 2)
  }
  const [name, kind, ...rest] = args
  if (name === undefined || kind === undefined || rest.length > 0) {
    console.error(usage)
    return 2
  }
  try {
    const out = generate({
      name,
      kind: kind as Kind,
      dir,
      // `npm run` starts scripts in the repository root; INIT_CWD is where it was typed
      base: process.env.INIT_CWD ?? process.cwd(),
      pluginsDir: path.join(repoRoot, "plugins"),
      manifests: manifests()
    })
    console.log(summary(out, kind as Kind, process.cwd()))
    return 0
  } catch (e) {
    console.error(`new-plugin: ${(e as Error).message}\n${usage}`)
    return 1
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2))
