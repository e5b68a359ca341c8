/**
 * The browser and edge build of fapilog (`dist/browser/`, exported as `fapilog/browser` and
 * as `fapilog` under the `browser`, `worker`, `workerd` and `edge-light` conditions): the
 * shared sources with two modules swapped for their web counterparts (browserModules), so
 * that nothing in the bundle imports a Node built-in. test/browser/bundle.test.ts checks it.
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Plugin } from "esbuild"
import { defineConfig } from "tsup"

const internal = path.join(path.dirname(fileURLToPath(import.meta.url)), "src", "internal")

/** Shared module -> its browser counterpart (same exports). */
export const browserModules: ReadonlyMap<string, string> = new Map([
  [path.join(internal, "platform.ts"), path.join(internal, "platform.browser.ts")],
  [path.join(internal, "build.ts"), path.join(internal, "browserBuild.ts")]
])

/** Resolves the shared modules' imports of {@link browserModules} to the browser counterparts. */
export const browserResolution: Plugin = {
  name: "fapilog-browser-modules",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path).replace(/\.js$/, ".ts")
      const swapped = browserModules.get(target)
      // a counterpart's own (type-only) import of the module it stands in for stays as it is
      return swapped === undefined || args.importer === swapped ? undefined : { path: swapped }
    })
  }
}

export default defineConfig({
  entry: { index: "src/browser/index.ts" },
  // ES modules for bundlers; CommonJS too, for tools that require() it (tests run under Node)
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: "browser",
  target: "es2022",
  outDir: "dist/browser",
  external: [/^effect(\/.*)?$/, /^@effect\//, "@opentelemetry/api"],
  esbuildPlugins: [browserResolution]
})
