/**
 * Discovery for real: plugin packages written into a project's node_modules (ES module,
 * CommonJS, dual, and broken ones), loaded by type from a child process whose working
 * directory is that project. Once from the sources (ES modules through tsx), once from the
 * packed build with plain node, as an ES module and as CommonJS consumer.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "vitest"
import {
  describeRun,
  pack,
  type RunResult,
  removeTempDirs,
  repoRoot,
  run,
  runNode,
  scratchProject
} from "../support/pack.js"
import { type Flavor, fixtures, install } from "./pluginFixtures.js"

afterAll(removeTempDirs)

/** The consumer: logs through every plugin, then tries each refusal; prints the outcome as JSON. */
const consumerBody = `
  const sinks = [
    { type: "file", path: "all.log" },
    { type: "esmonly", path: "esmonly.log" },
    { type: "cjsonly", path: "cjsonly.log" },
    { type: "dual", path: "dual.log" },
    { type: "flaky", path: "flaky.log" },
    { type: "thrower", path: "thrower.log" }
  ]
  const log = await createLogger({
    name: "discovered",
    sinks,
    enrichers: [{ type: "geo", region: "eu-1" }],
    fallback: "null",
    retry: { attempts: 0 }
  })
  for (let i = 0; i < 5; i++) log.info("e" + i)
  await log.flush()
  const health = log.health()
  await log.close()
  const refusals = {}
  const attempts = {
    unknown: { sinks: [{ type: "nope" }] },
    newer: { sinks: [{ type: "newer", path: "x" }] },
    liar: { sinks: [{ type: "liar", path: "x" }] },
    broken: { sinks: [{ type: "broken" }] },
    empty: { sinks: [{ type: "empty" }] },
    denied: { sinks: [{ type: "denied" }], plugins: { deny: ["denied"] } },
    notAllowed: { sinks: [{ type: "esmonly", path: "x" }], plugins: { allow: ["@fapilog/dual"] } },
    wrongkind: { sinks: [{ type: "wrongkind" }] },
    badConfig: { sinks: ["null", { type: "esmonly", path: 5, colour: "red" }] },
    discoverOff: { sinks: [{ type: "esmonly", path: "x" }], plugins: { discover: false } }
  }
  for (const [name, settings] of Object.entries(attempts)) {
    try {
      const l = await createLogger(settings)
      await l.close()
      refusals[name] = "accepted"
    } catch (e) {
      refusals[name] = e instanceof Errors.ConfigError ? e.issues : String(e)
    }
  }
  console.log(JSON.stringify({ refusals, health: health.sinks.map((s) => [s.name, s.status, s.failures]) }))
`

const esmConsumer = (fapilog: string) =>
  `import { createLogger, Errors } from ${JSON.stringify(fapilog)}\n${consumerBody}`
const cjsConsumer = (fapilog: string) =>
  `const { createLogger, Errors } = require(${JSON.stringify(fapilog)})\n;(async () => {\n${consumerBody}\n})().catch((e) => { console.error(e); process.exitCode = 1 })\n`

const read = (dir: string, file: string) =>
  fs.existsSync(path.join(dir, file))
    ? fs
        .readFileSync(path.join(dir, file), "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : []

type Issue = { path: string; message: string }

const check = (result: RunResult, dir: string, flavor: Flavor) => {
  const context = `\n${describeRun(result)}`
  assert.strictEqual(result.status, 0, `consumer failed${context}`)
  const out = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as {
    refusals: Record<string, "accepted" | ReadonlyArray<Issue>>
    health: ReadonlyArray<[string, string, number]>
  }
  const events = ["e0", "e1", "e2", "e3", "e4"]
  // every working sink got every event; the file sink beside the failing plugins too
  assert.deepStrictEqual(
    read(dir, "all.log").map((l) => (JSON.parse(l) as { message: string; region: string }).message),
    events,
    context
  )
  assert.strictEqual((JSON.parse(read(dir, "all.log")[0] ?? "{}") as { region?: string }).region, "eu-1")
  assert.deepStrictEqual(
    read(dir, "esmonly.log"),
    ["open esm logger=discovered", ...events.map((e) => `${e} esm eu-1`), "close esm"],
    context
  )
  assert.deepStrictEqual(
    read(dir, "cjsonly.log"),
    ["open cjs logger=discovered", ...events.map((e) => `${e} cjs eu-1`), "close cjs"],
    context
  )
  // a dual package is loaded in the consumer's own format, so it shares its module graph
  assert.deepStrictEqual(
    read(dir, "dual.log"),
    [`open ${flavor} logger=discovered`, ...events.map((e) => `${e} ${flavor} eu-1`), `close ${flavor}`],
    context
  )
  assert.deepStrictEqual(read(dir, "flaky.log"), [], context)
  assert.deepStrictEqual(read(dir, "thrower.log"), ["open esm logger=discovered", "close esm"], context)
  const health = Object.fromEntries(
    out.health.map(([name, status, failures]) => [name, { status, failures }])
  )
  assert.strictEqual(health.thrower?.failures, 1, context) // one batch of five events
  assert.notStrictEqual(health["flaky(@fapilog/flaky)"]?.status, "ok", context)
  assert.strictEqual(health.esmonly?.status, "ok", context)
  // failures were reported on fapilog's diagnostics channel, naming the plugin
  assert.match(
    result.stderr,
    /"message":"plugin @fapilog\/flaky: start failed; its sink fails every write/,
    context
  )
  assert.match(result.stderr, /"message":"sink thrower: write failed".*thrower cannot write/, context)

  const r = out.refusals
  const only = (name: string): Issue => {
    const issues = r[name]
    assert.isArray(issues, `${name}: ${JSON.stringify(issues)}`)
    assert.strictEqual((issues as ReadonlyArray<Issue>).length, 1, `${name}: ${JSON.stringify(issues)}`)
    return (issues as ReadonlyArray<Issue>)[0] as Issue
  }
  assert.match(
    only("unknown").message,
    new RegExp(
      `^"nope" is not a built-in sink \\(stdout, stderr, null, file, route, alert\\) and no plugin provides it: looked for the packages @fapilog/nope and fapilog-plugin-nope from ${dir.replaceAll("/", "\\/")}`
    )
  )
  assert.deepStrictEqual(only("newer"), {
    path: "sinks[0].type",
    message:
      "package @fapilog/newer@1.0.0 is refused: it implements plugin API 2.0, this fapilog implements 1.0 (the major versions must be equal)"
  })
  assert.deepStrictEqual(only("liar"), {
    path: "sinks[0].type",
    message:
      "plugin @fapilog/liar@1.0.0 is refused: it implements plugin API 1.9, newer than this fapilog's 1.0: upgrade fapilog"
  })
  assert.match(
    only("broken").message,
    /^package @fapilog\/broken \(.+\) could not be loaded: Error: cannot load native binding$/
  )
  assert.match(
    only("empty").message,
    /^package fapilog-plugin-empty does not export a plugin \(export it as `plugin` or as the default export\)/
  )
  assert.deepStrictEqual(only("denied"), {
    path: "sinks[0].type",
    message: 'plugin @fapilog/denied is denied by plugins.deny ("denied")'
  })
  assert.deepStrictEqual(only("notAllowed"), {
    path: "sinks[0].type",
    message: 'plugin @fapilog/esmonly is not in plugins.allow ("@fapilog/dual")'
  })
  assert.deepStrictEqual(only("wrongkind"), {
    path: "sinks[0].type",
    message:
      'package fapilog-plugin-wrongkind is an enricher plugin (package.json "fapilog".kind), not a sink'
  })
  assert.deepStrictEqual(r.badConfig, [
    { path: "sinks[1].colour", message: 'plugin @fapilog/esmonly@1.0.0: is unexpected, expected: "path"' },
    { path: "sinks[1].path", message: "plugin @fapilog/esmonly@1.0.0: Expected string, actual 5" }
  ])
  assert.match(only("discoverOff").message, /plugins\.discover is false/)
  // refused before their code ran
  for (const marker of ["newer-was-loaded", "denied-was-loaded", "wrongkind-was-loaded"])
    assert.isFalse(fs.existsSync(path.join(dir, marker)), `${marker}${context}`)
}

describe("plugin discovery", () => {
  it("from the sources: ES module, CommonJS and dual packages load by type; refusals are clear; failures are contained", {
    timeout: 60_000
  }, async () => {
    fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true })
    const dir = fs.mkdtempSync(path.join(repoRoot, ".tmp", "discovery-"))
    install(path.join(dir, "node_modules"), fixtures(false))
    fs.writeFileSync(path.join(dir, "consumer.mts"), esmConsumer(path.join(repoRoot, "src", "index.ts")))
    const result = await run(process.execPath, ["--import", "tsx", "consumer.mts"], {
      cwd: dir,
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FAPILOG_"))),
      timeoutMs: 50_000
    })
    check(result, fs.realpathSync(dir), "esm")
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("from the packed build with plain node, as an ES module and as CommonJS", {
    timeout: 240_000
  }, async () => {
    const { tarball } = await pack()
    const scratch = await scratchProject([tarball])
    install(path.join(scratch, "node_modules"), fixtures(true))
    for (const flavor of ["esm", "cjs"] as const) {
      const dir = path.join(scratch, flavor)
      fs.mkdirSync(dir)
      const file = flavor === "esm" ? "consumer.mjs" : "consumer.cjs"
      fs.writeFileSync(
        path.join(dir, file),
        flavor === "esm" ? esmConsumer("fapilog") : cjsConsumer("fapilog")
      )
      const result = await runNode(file, dir)
      check(result, fs.realpathSync(dir), flavor)
    }
  })
})
