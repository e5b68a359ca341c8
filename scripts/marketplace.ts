/**
 * Generates the plugin marketplace's data: the catalogue of scripts/marketplace/catalog.ts
 * (first-party plugins from their packages and config Schemas, third-party ones from
 * docs/marketplace-third-party.json) as JSON, for docs/marketplace.md.
 *
 *   npm run docs:marketplace   (docs:build and docs:dev run it first)
 *
 * The output, docs/.vitepress/generated/marketplace.json, is build output (git-ignored):
 * it is made from the plugins' sources every time the site is built, so it cannot fall
 * behind them. A problem in a package's metadata or in the index fails the build with
 * every problem named by file and field.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { build, MarketplaceError } from "./marketplace/catalog.js"

const repoDir = path.resolve(import.meta.dirname, "..")
const out = path.join(repoDir, "docs", ".vitepress", "generated", "marketplace.json")

try {
  const catalog = await build(repoDir)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, `${JSON.stringify(catalog, null, 2)}\n`)
  const thirdParty = catalog.plugins.filter((p) => p.origin === "third-party").length
  console.log(
    `marketplace: ${catalog.plugins.length - thirdParty} first-party and ${thirdParty} third-party plugins into ${path.relative(repoDir, out)}`
  )
} catch (e) {
  console.error(e instanceof MarketplaceError ? e.message : e)
  process.exitCode = 1
}
