/**
 * fapilog-effect4's browser build as an application finds it, for the tests of
 * test/effect4/browser (the Effect 4 suite runs without a build of the package): built as
 * `npm run build` builds it (`browserBuild` of effect4/tsup.browser.config.ts) into a scratch
 * project under the repository's .tmp/, whose node_modules hold the package (its package.json,
 * with the exports and their conditions, and dist/browser) and the application's Effect 4.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { build } from "tsup"
import { packageDir } from "../../../effect4/resolution.js"
import { browserBuild } from "../../../effect4/tsup.browser.config.js"
import { repoRoot } from "../../support/run.js"

export interface BrowserProject {
  /** The scratch project: an app bundled from here imports `fapilog-effect4` and `effect` as an application would. */
  readonly dir: string
  readonly remove: () => void
}

/** Builds the browser build into a new scratch project (see above). */
export const installBrowserBuild = async (): Promise<BrowserProject> => {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true })
  const dir = fs.mkdtempSync(path.join(repoRoot, ".tmp", "browser-effect4-"))
  const remove = () => fs.rmSync(dir, { recursive: true, force: true })
  try {
    const installed = path.join(dir, "node_modules", "fapilog-effect4")
    // `config: false`: tsup would merge in the tsup.config.ts of the working directory
    await build({
      ...browserBuild,
      outDir: path.join(installed, "dist", "browser"),
      config: false,
      silent: true
    })
    fs.copyFileSync(path.join(packageDir, "package.json"), path.join(installed, "package.json"))
    fs.symlinkSync(
      path.join(packageDir, "node_modules", "effect"),
      path.join(dir, "node_modules", "effect"),
      "dir"
    )
    return { dir, remove }
  } catch (e) {
    remove()
    throw e
  }
}
