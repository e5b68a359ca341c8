/**
 * The build every first-party plugin shares (each plugin's tsup.config.ts calls it): one
 * `index` entry, ES module and CommonJS with their own declarations, into `dist/`.
 * `effect`, `@effect/*` and `fapilog` are the application's own copies (one of each per
 * process), and a plugin's dependencies (protobufjs, snappyjs, @effect/opentelemetry) stay
 * imports too: nothing is bundled but the plugin's own code.
 */
import type { Options } from "tsup"

export const pluginBuild = (): Options => ({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  outDir: "dist",
  external: [/^effect(\/.*)?$/, /^@effect\//, /^fapilog(\/.*)?$/]
})
