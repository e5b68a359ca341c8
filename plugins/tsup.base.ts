/**
 * The build every first-party plugin shares (each plugin's tsup.config.ts calls it): the core
 * package's build (ES module and CommonJS with their own declarations, into `dist/`, for
 * node20), with the plugin's one `index` entry. `effect`, `@effect/*` and `fapilog` are the
 * application's own copies (one of each per process), and a plugin's dependencies
 * (protobufjs, snappyjs, @effect/opentelemetry) stay imports too: nothing is bundled but
 * the plugin's own code.
 */
import type { Options } from "tsup"
import core from "../tsup.config.js"

export const pluginBuild = (): Options => {
  if (typeof core !== "object" || Array.isArray(core))
    throw new Error("the core tsup config is not one options object")
  return {
    ...core,
    entry: { index: "src/index.ts" },
    external: [/^effect(\/.*)?$/, /^@effect\//, /^fapilog(\/.*)?$/]
  }
}
