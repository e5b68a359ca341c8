/**
 * The browser build in a real browser: Debian's chromium loads a page whose script, bundled
 * from `dist/browser` as a browser app would be, logs through fapilog's HTTP sink into a
 * collector on another origin; every line arrives once, after a flush, from the Effect layer,
 * and when the page is left with lines still buffered (the scenarios: test/support/browser.ts,
 * shared with the Effect 4 package's). Run after `npm run build`.
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { browserPageSuite, bundleForBrowser } from "../support/browser.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

browserPageSuite(
  "fapilog",
  async (script) => (await bundleForBrowser(script, root)).outputFiles[0]?.text ?? ""
)
