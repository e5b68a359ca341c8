import { defineConfig } from "tsup"

// A tool, not a library: one ES module entry for Node 20, with the shebang. It has no
// dependencies: the versions a generated project names are read from the repository's
// manifests at build time (JSON imports, inlined: src/internal/versions.ts).
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
  banner: { js: "#!/usr/bin/env node" }
})
