import { defineConfig } from "tsup"

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  outDir: "dist",
  // peers are never bundled; dependencies (protobufjs, snappyjs, @effect/opentelemetry) stay imports too
  external: [/^effect(\/.*)?$/, /^@effect\//, /^fapilog(\/.*)?$/]
})
