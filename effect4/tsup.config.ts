/**
 * The build of `fapilog-effect4` (`npm run build` here; `npm pack` runs it): the shared sources
 * and the Effect 4 adapter bundled into `dist/`, with `effect` left to the application (one
 * copy per process) and resolved by the same rule as the test suite (resolution.ts). ES module
 * only: Effect 4 is one, and Node 22 lets CommonJS `require` it.
 *
 * Declarations (`dist/index.d.ts`) come from declarations.ts, not from tsup's `dts`, which
 * would resolve the modules the repository's way (Effect 3, the Effect 3 adapter).
 */
import { defineConfig } from "tsup"
import { writeDeclarations } from "./declarations.ts"
import { entries, esbuildResolution } from "./resolution.ts"
import { browserEntry } from "./tsup.browser.config.ts"

/**
 * Whether the build writes the declarations (`dist/index.d.ts`, one per entry). Off while a
 * module the package exports is still on the type check's work list (typecheck.mjs): its
 * declarations would be wrong, and declarations.ts refuses to write them.
 */
export const declarations: boolean = true

/** The package's entries: `.` is dist/index.js, `./express` dist/express.js... */
const entry: Record<string, string> = Object.fromEntries(
  [...entries].map(([subpath, file]) => [subpath === "." ? "index" : subpath.slice(2), file])
)

export default defineConfig({
  entry,
  format: ["esm"],
  dts: false,
  ...(declarations
    ? {
        onSuccess: async () => {
          // the browser build's too (dist/browser/index.d.ts, tsup.browser.config.ts): one
          // type check of the sources for both builds instead of two
          await writeDeclarations({ ...entry, ...browserEntry })
        }
      }
    : {}),
  sourcemap: true,
  clean: true,
  target: "node22",
  platform: "node",
  outDir: "dist",
  external: ["yaml", "@opentelemetry/api", "express", "fastify"],
  // tsup would externalize every `effect/*` import itself (a peer dependency), overlays included
  noExternal: [/^effect(\/.*)?$/],
  esbuildPlugins: [esbuildResolution]
})
