/**
 * The built site's browser tests (`npm run docs:test`, after `npm run docs:build`): they need
 * dist-docs/ and Debian's chromium, so they are not part of `npm test` (whose config does not
 * match *.browser.ts).
 */
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/docs/**/*.browser.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
