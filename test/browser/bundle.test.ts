/**
 * The browser build as a browser app's bundler sees it: an app importing `fapilog` bundled
 * by esbuild for the browser (the `browser` condition), with nothing left external, builds,
 * and not one module of the bundle is a Node built-in. Run after `npm run build` (CI builds
 * first): it bundles `dist/browser`, what the package ships.
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import type * as esbuild from "esbuild"
import { bundleForBrowser, nodeInputs } from "../support/browser.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

const apps = {
  facade: `
import { createLogger } from "fapilog"
const log = await createLogger({ sinks: ["console", { type: "http", url: "/logs" }] })
log.child({ page: "home" }).info("hello", { n: 1 })
await log.close()
`,
  effect: `
import { Effect } from "effect"
import { Fapilog } from "fapilog"
await Effect.runPromise(
  Effect.log("hello").pipe(Effect.zipRight(Fapilog.info("fields", { n: 1 })), Effect.provide(Fapilog.layer({ sinks: ["console"] })))
)
`
}

/** Bundles `source` as an app at the repository root (so `fapilog` is this package, by its exports). */
const bundle = (source: string, conditions: ReadonlyArray<string> = []) =>
  bundleForBrowser(source, root, { conditions, minify: true })

describe("the browser bundle of an app importing fapilog", () => {
  for (const [name, source] of Object.entries(apps)) {
    it(`${name}: builds for the browser with no Node built-in and nothing external`, async () => {
      const result = await bundle(source)
      assert.deepStrictEqual(result.errors, [])
      assert.deepStrictEqual(nodeInputs(result.metafile), [])
      const inputs = Object.keys(result.metafile.inputs)
      // the browser build, not the Node one
      assert.isTrue(
        inputs.some((f) => f.endsWith("dist/browser/index.js")),
        inputs.join("\n")
      )
      assert.isFalse(inputs.some((f) => /dist\/index\.(c?js)$/.test(f)))
    })
  }

  for (const condition of ["worker", "workerd", "edge-light"]) {
    it(`resolves fapilog to the browser build under the "${condition}" condition`, async () => {
      const result = await bundleForBrowser(apps.facade, root, {
        conditions: [condition],
        platform: "neutral"
      })
      assert.deepStrictEqual(nodeInputs(result.metafile), [])
      assert.isTrue(Object.keys(result.metafile.inputs).some((f) => f.endsWith("dist/browser/index.js")))
    })
  }

  it("the Node build itself cannot be bundled for the browser (the check is not vacuous)", async () => {
    const failed = await bundle(`import { createLogger } from "./dist/index.js"\nawait createLogger()`).then(
      () => undefined,
      (e: esbuild.BuildFailure) => e
    )
    assert.isDefined(failed)
    const builtIn = /Could not resolve "(node:)?(fs|path|util|os|crypto|async_hooks|timers)"/
    assert.isTrue(failed?.errors.some((e) => builtIn.test(e.text)) ?? false)
  })
})
