import { defineConfig } from "tsup"

// A tool, not a library: one ES module entry for Node 20, with the `fapilog` shebang. effect,
// @effect/* and fapilog stay imports (the project's own fapilog is the one the commands check);
// the versions the plugin scaffolder writes are read from the repository's manifests at build
// time (JSON imports, inlined).
export default defineConfig({
  entry: { bin: "src/bin.ts" },
  format: ["esm"],
  dts: false,
  splitting: false,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
  outDir: "dist",
  banner: { js: "#!/usr/bin/env node" },
  // @fapilog/audit and @fapilog/encryption are loaded when `verify` or `decrypt` runs (optional peers)
  external: [/^effect(\/.*)?$/, /^@effect\//, /^fapilog(\/.*)?$/, /^@fapilog\//]
})
