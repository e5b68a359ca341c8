/**
 * `npm run new-plugin` for Effect 4: each kind of generated plugin comes with its Effect 4
 * package, `effect4/` (`<name>-effect4`), whose own build script makes it from the same source
 * (`fapilog` becoming `fapilog-effect4`); that build loads on Effect 4: it passes the plugin
 * conformance suite against that package's package.json, refuses a bad config naming the
 * field, and opens; the sink and the enricher pass their conformance suites too. The Effect 3
 * side is test/internal/pluginScaffold.test.ts.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Errors, Plugin, Testing } from "fapilog-effect4"
import { consumerEnv, describeRun, npm, repoRoot, run } from "../support/pack.js"

const scratch = (() => {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true })
  return fs.mkdtempSync(path.join(repoRoot, ".tmp", "scaffold-effect4-"))
})()

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

/** npm and the build under the Node 22 that runs this suite. */
const node22Env = consumerEnv({
  PATH: [path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter)
})

/**
 * Generates a package and builds its Effect 4 package with its own `npm run build` (tsup,
 * found in the repository's node_modules up the tree, as the generated README says).
 */
const generate = async (name: string, kind: Plugin.Kind): Promise<{ dir: string; plugin: Plugin.Plugin }> => {
  const dir = path.join(scratch, kind)
  const created = await run(
    process.execPath,
    ["--import", "tsx", path.join(repoRoot, "scripts", "new-plugin.ts"), name, kind, "--dir", dir],
    { cwd: scratch, timeoutMs: 60_000 }
  )
  assert.strictEqual(created.status, 0, describeRun(created))
  const built = await run(npm, ["run", "build"], {
    cwd: path.join(dir, "effect4"),
    env: node22Env,
    timeoutMs: 120_000
  })
  assert.strictEqual(built.status, 0, describeRun(built))
  const module = (await import(path.join(dir, "effect4", "dist", "index.js"))) as { plugin: Plugin.Plugin }
  return { dir, plugin: module.plugin }
}

const conforms = (dir: string, plugin: Plugin.Plugin) =>
  Effect.gen(function* () {
    const packageJson: unknown = JSON.parse(
      fs.readFileSync(path.join(dir, "effect4", "package.json"), "utf8")
    )
    const report = yield* Testing.pluginConformance(plugin, { packageJson })
    assert.deepStrictEqual(report.passed, ["plugin-shape", "api-version", "discoverable", "package-json"])
  })

/** The issues of opening `plugin` with `config` (none when it opens). */
const openIssues = (plugin: Plugin.Plugin, config: unknown) =>
  Plugin.open(plugin as never, config as never).pipe(
    Effect.scoped,
    Effect.exit,
    Effect.map((exit) => {
      if (Exit.isSuccess(exit)) return []
      const error = exit.cause.reasons.find((r) => r._tag === "Fail")?.error
      assert.instanceOf(error, Errors.ConfigError)
      return (error as Errors.ConfigError).issues.map((i) => `${i.path}: ${i.message}`)
    })
  )

describe("npm run new-plugin, the Effect 4 package", () => {
  it.live("a sink: conformance suites on Effect 4, a bad path refused by name", () =>
    Effect.gen(function* () {
      const { dir, plugin } = yield* Effect.promise(() => generate("demo-sink", "sink"))
      yield* conforms(dir, plugin)
      const file = path.join(dir, "out.log")
      const read = () =>
        fs.existsSync(file)
          ? fs
              .readFileSync(file, "utf8")
              .split("\n")
              .filter((l) => l !== "")
          : []
      yield* Testing.sinkConformance({
        make: Plugin.open(plugin as never, { path: file } as never),
        received: Effect.sync(() => read().map((l) => (JSON.parse(l) as { message: string }).message))
      })
      assert.deepStrictEqual(yield* openIssues(plugin, { path: "" }), [
        'Plugin.open.path: plugin fapilog-plugin-demo-sink@0.1.0: "" is not a file path'
      ])
    })
  )

  for (const [name, kind, good, bad, issue] of [
    [
      "demo-enricher",
      "enricher",
      { fields: { region: "eu-1" } },
      { fields: { region: 1 } },
      'Plugin.open.fields: plugin fapilog-plugin-demo-enricher@0.1.0: {"region":1} is not an object of string values'
    ],
    [
      "demo-processor",
      "processor",
      { field: "user", values: ["bot"] },
      { field: "", values: ["bot"] },
      'Plugin.open.field: plugin fapilog-plugin-demo-processor@0.1.0: "" is not a field name (a non-empty string)'
    ],
    [
      "demo-formatter",
      "formatter",
      {},
      { maxValueLength: 0 },
      "Plugin.open.maxValueLength: plugin fapilog-plugin-demo-formatter@0.1.0: 0 is not a whole number of characters between 1 and 1000000"
    ]
  ] as const) {
    it.live(
      `${kind === "enricher" ? "an" : "a"} ${kind}: plugin conformance on Effect 4, opens, a bad config refused by name`,
      () =>
        Effect.gen(function* () {
          const { dir, plugin } = yield* Effect.promise(() => generate(name, kind))
          yield* conforms(dir, plugin)
          assert.deepStrictEqual(yield* openIssues(plugin, good), [])
          if (kind === "enricher")
            yield* Testing.enricherConformance({
              make: Plugin.open(plugin as Plugin.EnricherPlugin, good as never)
            })
          assert.deepStrictEqual(yield* openIssues(plugin, bad), [issue])
        })
    )
  }
})
