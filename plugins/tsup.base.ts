/**
 * The build every first-party plugin shares (each plugin's tsup.config.ts calls it): one
 * plugin source, two builds (docs/plugins.md, "One plugin source, a build per Effect line").
 *
 * - The default entry, for Effect 3 and `fapilog`: the core package's build (ES module and
 *   CommonJS with their own declarations, into `dist/`, for node20), with the plugin's one
 *   `index` entry. `effect`, `@effect/*` and `fapilog` are the application's own copies (one
 *   of each per process), and a plugin's dependencies (protobufjs, snappyjs...) stay imports
 *   too: nothing is bundled but the plugin's own code.
 * - The `./effect4` entry, for Effect 4 and `fapilog-effect4`: the same source built with the
 *   Effect 4 line's resolution rule (effect4/resolution.ts, `esbuildPluginResolution`):
 *   `fapilog` becomes `fapilog-effect4`, the overlay modules its Effect 3 names need are
 *   bundled in, `effect` stays the application's. ES module only and no declarations, like
 *   `fapilog-effect4` itself.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { Options } from "tsup"
import { esbuildPluginResolution } from "../effect4/resolution.js"
import core from "../tsup.config.js"

/** The file names of the `./effect4` build in `dist/`, kept by the default build's clean. */
const effect4Files = ["effect4.js", "effect4.js.map"]

/**
 * The `./effect4` build alone, of the plugin in `dir` (default: the working directory, where
 * tsup runs a plugin's config); the Effect 4 suite builds the first-party plugins with it.
 */
export const effect4Build = (dir = "."): Options => ({
  // the plugin's own dependencies stay imports (tsup reads them from the working directory's
  // package.json, which is not the plugin's when the Effect 4 suite builds it)
  external: Object.keys(
    (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies?: object })
      .dependencies ?? {}
  ).map((name) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\/.*)?$`)),
  entry: { effect4: path.join(dir, "src/index.ts") },
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: false,
  splitting: false,
  target: "node22",
  platform: "node",
  outDir: path.join(dir, "dist"),
  // tsup would externalize these itself (peer dependencies): the resolution decides
  noExternal: [/^effect(\/.*)?$/, /^fapilog(\/.*)?$/],
  esbuildPlugins: [esbuildPluginResolution]
})

/**
 * Both builds of a plugin; `{ effect4: false }` for one that has no Effect 4 build yet (its
 * package.json then exports no `./effect4`, and fapilog-effect4 refuses it by name).
 */
export const pluginBuild = (options: { readonly effect4?: boolean | undefined } = {}): Array<Options> => {
  if (typeof core !== "object" || Array.isArray(core))
    throw new Error("the core tsup config is not one options object")
  return [
    {
      ...core,
      entry: { index: "src/index.ts" },
      // both builds write to dist/ at once: the default one's clean spares the other's files
      clean: effect4Files.map((file) => `!${file}`),
      external: [/^effect(\/.*)?$/, /^@effect\//, /^fapilog(\/.*)?$/]
    },
    ...(options.effect4 === false ? [] : [effect4Build()])
  ]
}
