/**
 * `npm run new-plugin`: generates a package of each plugin kind (sink, enricher, processor,
 * formatter) into the repository's .tmp/,
 * checks the manifests of both of its packages (the Effect 3 one and `effect4/`), then
 * typechecks it and runs the tests it comes with (fapilog resolved to these sources), in
 * child processes.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "vitest"
import { describeRun, repoRoot, run } from "../support/pack.js"

const scratch = (() => {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true })
  return fs.mkdtempSync(path.join(repoRoot, ".tmp", "scaffold-"))
})()

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

/** The manifests of fapilog and fapilog-effect4, whose versions the generated peers name. */
const manifestOf = (dir: string) =>
  JSON.parse(fs.readFileSync(path.join(repoRoot, dir, "package.json"), "utf8")) as {
    readonly version: string
    readonly peerDependencies: Readonly<Record<string, string>>
  }
const core = manifestOf(".")
const coreEffect4 = manifestOf("effect4")

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FAPILOG_")))

const newPlugin = (args: ReadonlyArray<string>) =>
  run(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts", "new-plugin.ts"), ...args], {
    cwd: scratch,
    env,
    timeoutMs: 60_000
  })

/** Typechecks the generated package with its own tsconfig, `fapilog` mapped to these sources. */
const typecheck = async (dir: string) => {
  fs.writeFileSync(
    path.join(dir, "tsconfig.check.json"),
    JSON.stringify({
      extends: "./tsconfig.json",
      compilerOptions: {
        // the sources (not their .d.ts) are checked here, so with the repository's libs
        lib: ["ES2023", "ESNext.Disposable"],
        baseUrl: ".",
        paths: {
          fapilog: [path.join(repoRoot, "src", "index.ts")],
          "fapilog/testing": [path.join(repoRoot, "src", "Testing.ts")]
        }
      }
    })
  )
  return run(
    process.execPath,
    [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.check.json"],
    {
      cwd: dir,
      env,
      timeoutMs: 120_000
    }
  )
}

/** Runs the generated tests with vitest, `fapilog` aliased to these sources by the repository's config. */
const test = (dir: string) =>
  run(
    process.execPath,
    [
      path.join(repoRoot, "node_modules", "vitest", "vitest.mjs"),
      "run",
      "--root",
      dir,
      "--config",
      path.join(repoRoot, "vitest.config.ts")
    ],
    { cwd: dir, env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" }, timeoutMs: 120_000 }
  )

describe("npm run new-plugin", () => {
  for (const [name, kind, expected] of [
    ["demo-sink", "sink", { packageName: "fapilog-plugin-demo-sink", type: "demo-sink", tests: 4 }],
    [
      "@fapilog/demo-enricher",
      "enricher",
      { packageName: "@fapilog/demo-enricher", type: "demo-enricher", tests: 3 }
    ],
    [
      "fapilog-plugin-demo-processor",
      "processor",
      { packageName: "fapilog-plugin-demo-processor", type: "demo-processor", tests: 4 }
    ],
    [
      "demo.formatter",
      "formatter",
      { packageName: "fapilog-plugin-demo.formatter", type: "demo.formatter", tests: 4 }
    ]
  ] as const) {
    it(`generates ${kind === "enricher" ? "an" : "a"} ${kind} plugin package that typechecks and passes its own tests`, {
      timeout: 240_000
    }, async () => {
      const dir = path.join(scratch, kind)
      const created = await newPlugin([name, kind, "--dir", dir])
      assert.strictEqual(created.status, 0, describeRun(created))
      assert.match(
        created.stdout,
        new RegExp(`created ${expected.packageName} \\(${kind} plugin, type "${expected.type}"\\)`)
      )
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<
        string,
        unknown
      >
      assert.strictEqual(manifest.name, expected.packageName)
      const fapilog = { kind, type: expected.type, apiVersion: "1.0" }
      assert.deepStrictEqual(manifest.fapilog, { ...fapilog, effect: [3] })
      // its peers, required: the application's fapilog and Effect 3
      assert.deepStrictEqual(manifest.peerDependencies, {
        effect: core.peerDependencies.effect,
        fapilog: `^${core.version}`
      })
      assert.isUndefined(manifest.peerDependenciesMeta)
      // the package of the same source for Effect 4 (test/effect4/pluginScaffold.test.ts builds it)
      const effect4 = JSON.parse(
        fs.readFileSync(path.join(dir, "effect4", "package.json"), "utf8")
      ) as Record<string, unknown>
      assert.strictEqual(effect4.name, `${expected.packageName}-effect4`)
      assert.strictEqual(effect4.version, manifest.version)
      assert.deepStrictEqual(effect4.fapilog, { ...fapilog, effect: [4] })
      assert.deepStrictEqual(effect4.peerDependencies, {
        effect: coreEffect4.peerDependencies.effect,
        "fapilog-effect4": `^${coreEffect4.version}`
      })
      assert.isUndefined(effect4.peerDependenciesMeta)
      for (const file of [
        "src/index.ts",
        "README.md",
        "tsconfig.json",
        "tsup.config.ts",
        ".gitignore",
        "effect4/README.md",
        "effect4/tsup.config.ts"
      ])
        assert.isTrue(fs.existsSync(path.join(dir, file)), file)
      const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8")
      assert.include(readme, `npm install fapilog ${expected.packageName} `)
      assert.include(readme, `npm install fapilog-effect4 ${expected.packageName}-effect4 `)

      const checked = await typecheck(dir)
      assert.strictEqual(checked.status, 0, describeRun(checked))

      const tested = await test(dir)
      assert.strictEqual(tested.status, 0, describeRun(tested))
      assert.match(
        tested.stdout,
        new RegExp(`Tests +${expected.tests} passed \\(${expected.tests}\\)`),
        describeRun(tested)
      )
    })
  }

  it("refuses a bad name, a bad kind and a directory that is not empty", async () => {
    const badName = await newPlugin(["Not Valid", "sink", "--dir", path.join(scratch, "bad")])
    assert.strictEqual(badName.status, 1)
    assert.match(badName.stderr, /"Not Valid" does not give a plugin type/)
    const badKind = await newPlugin(["thing", "filter", "--dir", path.join(scratch, "bad")])
    assert.strictEqual(badKind.status, 1)
    assert.match(badKind.stderr, /"filter" is not a plugin kind: use sink, enricher, processor or formatter/)
    const occupied = path.join(scratch, "occupied")
    fs.mkdirSync(occupied, { recursive: true })
    fs.writeFileSync(path.join(occupied, "keep.txt"), "mine")
    const refused = await newPlugin(["thing", "sink", "--dir", occupied])
    assert.strictEqual(refused.status, 1)
    assert.match(refused.stderr, /exists and is not empty/)
    assert.deepStrictEqual(fs.readdirSync(occupied), ["keep.txt"])
    const noArgs = await newPlugin([])
    assert.strictEqual(noArgs.status, 2)
    assert.match(
      noArgs.stderr,
      /usage: npm run new-plugin -- <name> <sink\|enricher\|processor\|formatter> \[--dir <out>\]/
    )
  })
})
