/**
 * The browser and edge build of `fapilog-effect4` (`dist/browser/`, exported as
 * `fapilog-effect4/browser` and as `fapilog-effect4` under the `browser`, `worker`, `workerd`
 * and `edge-light` conditions): the Effect 3 package's browser entry (`src/browser/index.ts`)
 * built with both rules at once. The browser's (`browserResolution`, ../tsup.browser.config.ts)
 * swaps the modules that reach Node (`platform.ts`, `build.ts`) for their web counterparts;
 * the Effect 4 line's (`esbuildResolution`, resolution.ts) gives the shared sources the Effect 4
 * adapter and the overlay and leaves `effect` to the application. The browser entry has nothing
 * about the Effect API of its own (its `Fapilog.layer` calls the shared one, which is the Effect
 * 4 adapter's here), so it needs no counterpart in `src/effect4`.
 *
 * ES module only, as the rest of the package (Effect 4 is one). The declarations come from
 * declarations.ts with the Node entries' (tsup.config.ts). test/effect4/browser/bundle.test.ts builds it with
 * {@link browserBuild} and bundles an app over it for the browser.
 */
import * as path from "node:path"
import { defineConfig, type Options } from "tsup"
import { browserResolution } from "../tsup.browser.config.ts"
import { esbuildResolution, packageDir, repoDir } from "./resolution.ts"

/** The entry of the browser build, as its declarations name it: `dist/browser/index.js` from the browser entry's source. */
export const browserEntry: Readonly<Record<string, string>> = {
  "browser/index": path.join(repoDir, "src", "browser", "index.ts")
}

/** Where the browser build is written. */
export const browserOutDir: string = path.join(packageDir, "dist", "browser")

/**
 * The JavaScript of the browser build. Its declarations (`dist/browser/index.d.ts`) are written
 * by the package's main build (tsup.config.ts) with its own, from one type check of the sources.
 */
export const browserBuild: Options = {
  entry: { index: browserEntry["browser/index"] as string },
  format: ["esm"],
  dts: false,
  sourcemap: true,
  // the main build, first, empties dist/ and writes the declarations into dist/browser
  clean: false,
  platform: "browser",
  target: "es2022",
  outDir: browserOutDir,
  external: ["@opentelemetry/api"],
  // tsup would externalize every `effect/*` import itself (a peer dependency), overlays included
  noExternal: [/^effect(\/.*)?$/],
  // the browser's swap first: it only answers for platform.ts and build.ts
  esbuildPlugins: [browserResolution, esbuildResolution]
}

export default defineConfig(browserBuild)
