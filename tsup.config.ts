import { defineConfig } from "tsup"

export default defineConfig({
  entry: {
    index: "src/index.ts",
    http: "src/Http.ts",
    testing: "src/Testing.ts",
    express: "src/Express.ts",
    fastify: "src/Fastify.ts",
    sql: "src/Sql.ts"
  },
  format: ["esm", "cjs"],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  // import.meta.url in the CommonJS build (the config file loader's lazy require of yaml)
  shims: true,
  target: "node20",
  outDir: "dist",
  external: [/^effect(\/.*)?$/, /^@effect\//, "@opentelemetry/api", "express", "fastify"]
})
