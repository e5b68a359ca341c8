/**
 * The builds every first-party plugin shares: one plugin source, a package per Effect line
 * (docs/plugins.md, "One plugin source, a package per Effect line").
 *
 * - `plugins/<name>/` is the Effect 3 package, `@fapilog/<name>`: its `tsup.config.ts` is
 *   `pluginBuild()`, the core package's build (ES module and CommonJS with their own
 *   declarations, into `dist/`, for node20) with the plugin's one `index` entry. `effect`,
 *   `@effect/*` and `fapilog` are the application's own copies (one of each per process), and
 *   a plugin's own dependencies, if it has any, stay imports too: nothing is bundled but the
 *   plugin's own code (with `plugins/shared`).
 * - `plugins/<name>/effect4/` is the Effect 4 package, `@fapilog/<name>-effect4`: its
 *   `tsup.config.ts` is `effect4Build("..")`, the same source (`../src`) built into its own
 *   `dist/` with the Effect 4 line's resolution rule (effect4/resolution.ts,
 *   `esbuildPluginResolution`): `fapilog` becomes `fapilog-effect4`, the overlay modules its
 *   Effect 3 names need are bundled in, `effect` stays the application's. ES module only, with
 *   no declarations yet (`fapilog-effect4` writes its own with effect4/declarations.ts).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { Options } from "tsup"
import { esbuildPluginResolution } from "../effect4/resolution.js"
import core from "../tsup.config.js"

/** A pattern matching a package and its subpaths. */
const packagePattern = (name: string): RegExp =>
  new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\/.*)?$`)

/**
 * The Effect 4 package of the plugin in `pluginDir` (`plugins/<name>`, relative to the working
 * directory or absolute): `<pluginDir>/src/index.ts` built into `<pluginDir>/effect4/dist/`.
 * Its package's `tsup.config.ts` calls it with `".."`; the Effect 4 suite builds the
 * first-party plugins with it.
 */
export const effect4Build = (pluginDir: string): Options => {
  const packageDir = path.join(pluginDir, "effect4")
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
    readonly dependencies?: Readonly<Record<string, string>>
  }
  return {
    // the plugin's own dependencies stay imports (tsup would read them from the working
    // directory's package.json, which is not this package's when the Effect 4 suite builds it)
    external: Object.keys(manifest.dependencies ?? {}).map(packagePattern),
    entry: { index: path.join(pluginDir, "src", "index.ts") },
    format: ["esm"],
    dts: false,
    sourcemap: true,
    clean: true,
    splitting: false,
    target: "node22",
    platform: "node",
    outDir: path.join(packageDir, "dist"),
    // tsup would externalize these itself (peer dependencies): the resolution decides
    noExternal: [/^effect(\/.*)?$/, /^fapilog(\/.*)?$/],
    esbuildPlugins: [esbuildPluginResolution]
  }
}

/** The Effect 3 package of a plugin, built in its directory (`plugins/<name>`). */
export const pluginBuild = (): Options => {
  if (typeof core !== "object" || Array.isArray(core))
    throw new Error("the core tsup config is not one options object")
  return {
    ...core,
    entry: { index: "src/index.ts" },
    clean: true,
    external: [/^effect(\/.*)?$/, /^@effect\//, /^fapilog(\/.*)?$/]
  }
}
