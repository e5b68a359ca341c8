/**
 * fapilog-effect4's browser build in a real browser: the page test of the Effect 3 package's
 * browser build (test/support/browser.ts) with the page's script importing `fapilog-effect4`
 * and Effect 4, bundled from the browser build as `npm run build` makes it.
 */
import { afterAll } from "@effect/vitest"
import { browserPageSuite, bundleForBrowser } from "../../support/browser.js"
import { type BrowserProject, installBrowserBuild } from "./install.js"

let project: BrowserProject | undefined
afterAll(() => project?.remove())

browserPageSuite("fapilog-effect4", async (script) => {
  project = await installBrowserBuild()
  return (await bundleForBrowser(script, project.dir)).outputFiles[0]?.text ?? ""
})
