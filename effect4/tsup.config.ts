/**
 * The build of `fapilog-effect4` (`npm run build` here; `npm pack` runs it): the shared sources
 * and the Effect 4 adapter bundled into `dist/`, with `effect` left to the application (one
 * copy per process) and resolved by the same rule as the test suite (resolution.ts). ES module
 * only: Effect 4 is one, and Node 22 lets CommonJS `require` it. No declarations yet: the
 * shared sources type-check against Effect 4 only once the port has moved them onto the
 * kernel (docs/effect4-design.md).
 */
import * as path from "node:path"
import { defineConfig } from "tsup"
import { esbuildResolution, repoDir } from "./resolution.js"

export default defineConfig({
  entry: { index: path.join(repoDir, "src/effect4/index.ts") },
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  target: "node22",
  platform: "node",
  outDir: "dist",
  external: ["yaml"],
  // tsup would externalize every `effect/*` import itself (a peer dependency), overlays included
  noExternal: [/^effect(\/.*)?$/],
  esbuildPlugins: [esbuildResolution]
})
