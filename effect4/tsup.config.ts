/**
 * The build of `fapilog-effect4` (`npm run build` here; `npm pack` runs it): the shared sources
 * and the Effect 4 adapter bundled into `dist/`, with `effect` left to the application (one
 * copy per process) and resolved by the same rule as the test suite (resolution.ts). ES module
 * only: Effect 4 is one, and Node 22 lets CommonJS `require` it. No declarations yet: the
 * shared sources type-check against Effect 4 only once the port has moved them onto the
 * kernel (docs/effect4-design.md).
 */
import { defineConfig } from "tsup"
import { entries, esbuildResolution } from "./resolution.js"

export default defineConfig({
  // `.` is dist/index.js, `./express` dist/express.js...
  entry: Object.fromEntries(
    [...entries].map(([subpath, file]) => [subpath === "." ? "index" : subpath.slice(2), file])
  ),
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  target: "node22",
  platform: "node",
  outDir: "dist",
  external: ["yaml", "express", "fastify"],
  // tsup would externalize every `effect/*` import itself (a peer dependency), overlays included
  noExternal: [/^effect(\/.*)?$/],
  esbuildPlugins: [esbuildResolution]
})
