/**
 * fapilog-effect4's browser build as a browser app's bundler sees it: an app importing
 * `fapilog-effect4` and Effect 4, bundled by esbuild for the browser (the `browser` condition),
 * builds with nothing external and not one Node built-in, and, run, logs from the Promise facade
 * and from the Effect layer through the memory, console and HTTP (`fetch`) sinks. The
 * `worker`, `workerd` and `edge-light` conditions pick the same build.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { vi } from "vitest"
import { entries, esbuildResolution, packageDir, repoDir } from "../../../effect4/resolution.js"
import { bundleForBrowser, type Collector, nodeInputs, startCollector } from "../../support/browser.js"
import { type BrowserProject, installBrowserBuild } from "./install.js"

/** The app: each function logs `run` lines through memory, the console and the collector at `url`. */
const app = `
import { Effect } from "effect"
import { createLogger, Fapilog, Sink } from "fapilog-effect4"

const sinks = (memory, url) => ["console", memory, { type: "http", url, batch: { maxWaitMs: 60000 } }]

export const facade = async (url) => {
  const memory = Sink.memory()
  const log = await createLogger({ name: "facade", sinks: sinks(memory, url) })
  log.child({ run: "facade" }).info("hello", { seq: 0, text: "naïve \\"quoted\\" ✓" })
  log.warn("careful", { run: "facade", seq: 1 })
  log.debug("below the level", { run: "facade", seq: 2 })
  await log.flush()
  await log.close()
  return memory.lines()
}

export const effect = async (url) => {
  const memory = Sink.memory()
  await Effect.runPromise(
    Effect.log("from Effect.log").pipe(
      Effect.annotateLogs({ run: "effect", seq: 0 }),
      Effect.andThen(Fapilog.warn("from Fapilog.warn", { run: "effect", seq: 1 })),
      Effect.provide(Fapilog.layer({ name: "effect", sinks: sinks(memory, url) }))
    )
  )
  return memory.lines()
}
`

interface Line {
  readonly level: string
  readonly logger: string
  readonly message: string
  readonly run: string
  readonly seq: number
  readonly [key: string]: unknown
}

const parse = (lines: ReadonlyArray<string>): Array<Line> => lines.map((l) => JSON.parse(l) as Line)

describe("the browser bundle of an app importing fapilog-effect4", () => {
  let project: BrowserProject
  let collector: Collector

  beforeAll(async () => {
    project = await installBrowserBuild()
    collector = await startCollector()
  }, 60_000)

  afterAll(async () => {
    await collector?.close()
    project?.remove()
  })

  it("builds for the browser with no Node built-in and nothing external, from Effect 4", async () => {
    const result = await bundleForBrowser(app, project.dir, { minify: true })
    assert.deepStrictEqual(result.errors, [])
    assert.deepStrictEqual(nodeInputs(result.metafile), [])
    const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(project.dir, f))
    assert.isTrue(
      inputs.some((f) => f.endsWith(path.join("fapilog-effect4", "dist", "browser", "index.js"))),
      inputs.join("\n")
    )
    // the application's Effect 4 (the scratch project's `effect` is effect4/'s), not Effect 3
    const effectInputs = inputs.filter((f) => f.includes(`${path.sep}effect${path.sep}dist${path.sep}`))
    assert.isNotEmpty(effectInputs)
    for (const f of effectInputs)
      assert.isTrue(fs.realpathSync(f).startsWith(path.join(packageDir, "node_modules") + path.sep), f)
  })

  for (const condition of ["worker", "workerd", "edge-light"]) {
    it(`resolves fapilog-effect4 to the browser build under the "${condition}" condition`, async () => {
      const result = await bundleForBrowser(app, project.dir, {
        conditions: [condition],
        platform: "neutral"
      })
      assert.deepStrictEqual(nodeInputs(result.metafile), [])
      assert.isTrue(
        Object.keys(result.metafile.inputs).some((f) => f.endsWith("fapilog-effect4/dist/browser/index.js"))
      )
    })
  }

  it("run, the facade and the Effect layer log through the memory, console and HTTP sinks", async () => {
    const result = await bundleForBrowser(app, project.dir)
    const file = path.join(project.dir, "app.mjs")
    fs.writeFileSync(file, result.outputFiles[0]?.text ?? "")
    const bundled = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
      readonly facade: (url: string) => Promise<ReadonlyArray<string>>
      readonly effect: (url: string) => Promise<ReadonlyArray<string>>
    }
    const consoleLines: Array<readonly [string, string]> = []
    const spies = (["info", "warn"] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((line: unknown) => {
        consoleLines.push([method, String(line)])
      })
    )
    let memory: { readonly facade: Array<Line>; readonly effect: Array<Line> }
    try {
      memory = {
        facade: parse(await bundled.facade(collector.url)),
        effect: parse(await bundled.effect(collector.url))
      }
    } finally {
      for (const spy of spies) spy.mockRestore()
    }
    const expected = {
      facade: [
        { level: "info", logger: "facade", message: "hello", run: "facade", seq: 0 },
        { level: "warn", logger: "facade", message: "careful", run: "facade", seq: 1 }
      ],
      effect: [
        { level: "info", logger: "effect", message: "from Effect.log", run: "effect", seq: 0 },
        { level: "warn", logger: "effect", message: "from Fapilog.warn", run: "effect", seq: 1 }
      ]
    }
    const pick = (l: Line) => ({
      level: l.level,
      logger: l.logger,
      message: l.message,
      run: l.run,
      seq: l.seq
    })
    for (const run of ["facade", "effect"] as const) {
      assert.deepStrictEqual(memory[run].map(pick), expected[run], `${run}: the memory sink`)
      const posted = parse(collector.lines).filter((l) => l.run === run)
      assert.deepStrictEqual(posted.map(pick), expected[run], `${run}: the collector`)
      const printed = consoleLines.map(([method, l]) => [method, JSON.parse(l) as Line] as const)
      assert.deepStrictEqual(
        printed.filter(([, l]) => l.run === run).map(([method, l]) => [method, pick(l)]),
        expected[run].map((l) => [l.level, l]),
        `${run}: the console sink, with the console method of each level`
      )
    }
    assert.strictEqual(memory.facade[0]?.text, 'naïve "quoted" ✓')
  })

  it("the Node entry itself cannot be bundled for the browser (the check is not vacuous)", async () => {
    const failed = await esbuild
      .build({
        entryPoints: [entries.get(".") ?? ""],
        bundle: true,
        platform: "browser",
        format: "esm",
        write: false,
        logLevel: "silent",
        absWorkingDir: repoDir,
        plugins: [esbuildResolution]
      })
      .then(
        () => undefined,
        (e: esbuild.BuildFailure) => e
      )
    assert.isDefined(failed)
    const builtIn = /Could not resolve "(node:)?(fs|path|util|os|crypto|async_hooks|timers)"/
    assert.isTrue(failed?.errors.some((e) => builtIn.test(e.text)) ?? false)
  })
})
