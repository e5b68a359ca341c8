import { fileURLToPath } from "node:url"
import { configDefaults, defineConfig } from "vitest/config"

export default defineConfig({
  resolve: {
    alias: [
      { find: /^fapilog$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
      { find: "fapilog/testing", replacement: fileURLToPath(new URL("./src/Testing.ts", import.meta.url)) },
      { find: "fapilog/http", replacement: fileURLToPath(new URL("./src/Http.ts", import.meta.url)) },
      { find: "fapilog/express", replacement: fileURLToPath(new URL("./src/Express.ts", import.meta.url)) },
      { find: "fapilog/fastify", replacement: fileURLToPath(new URL("./src/Fastify.ts", import.meta.url)) },
      { find: "fapilog/sql", replacement: fileURLToPath(new URL("./src/Sql.ts", import.meta.url)) },
      {
        find: /^@fapilog\/([a-z-]+)$/,
        replacement: fileURLToPath(new URL("./plugins/$1/src/index.ts", import.meta.url))
      }
    ]
  },
  test: {
    include: ["test/**/*.test.ts", "plugins/*/test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // the Effect 4 line's suite runs under Node 22 and vitest 5: `npm run test:effect4`
    exclude: [...configDefaults.exclude, "test/effect4/**"],
    globalSetup: [fileURLToPath(new URL("./test/support/globalSetup.ts", import.meta.url))],
    testTimeout: 30_000,
    // the clean-up hooks delete scratch projects with their node_modules: seconds on a busy machine
    hookTimeout: 60_000,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts", "layers/**/*.ts", "plugins/*/src/**/*.ts", "packages/*/src/**/*.ts"],
      exclude: ["src/effect4/**"],
      reporter: ["text-summary", "text"],
      thresholds: { lines: 90 }
    }
  }
})
