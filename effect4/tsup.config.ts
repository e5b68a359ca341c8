/**
 * The build of `fapilog-effect4` (`npm run build` here; `npm pack` runs it): the shared sources
 * and the Effect 4 adapter bundled into `dist/`, with `effect` left to the application (one
 * copy per process) and resolved by the same rule as the test suite (resolution.ts). ES module
 * only: Effect 4 is one, and Node 22 lets CommonJS `require` it. No declarations yet: the
 * shared sources type-check against Effect 4 only once the port has moved them onto the
 * kernel (docs/effect4-design.md).
 */
import { createRequire } from "node:module"
import * as path from "node:path"
import { defineConfig, type Options } from "tsup"
import { adapterFor, isInstalled, isToolchain, overlayFor, repoDir, resolveFrom } from "./resolution.js"

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number]

const fromHere = createRequire(resolveFrom)

const effect4Resolution: EsbuildPlugin = {
  name: "fapilog-effect4-resolution",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.importer === "" || isInstalled(args.importer)) return undefined
      const adapter = adapterFor(args.path, args.importer)
      if (adapter !== undefined) return { path: adapter }
      if (!isToolchain(args.path)) return undefined
      const overlay = overlayFor(args.path, args.importer)
      if (overlay !== undefined) return { path: overlay }
      try {
        fromHere.resolve(args.path)
      } catch {
        return {
          errors: [
            {
              text: `${args.path} (imported by ${args.importer}) is not in Effect 4 and has no overlay module`
            }
          ]
        }
      }
      return { path: args.path, external: true }
    })
  }
}

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
  esbuildPlugins: [effect4Resolution]
})
