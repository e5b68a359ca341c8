/**
 * The `fapilog` command end to end, run as a child process the way users run it: `--help` of
 * every command, the exit codes of README.md#exit-codes, `pretty` on stdin and files (colours,
 * NO_COLOR, level filter, fields), `pretty --follow` across rotation and truncation,
 * `config check` on files and the environment, `plugins list` in a project and `plugins new`
 * writing what the scaffolder writes.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import effect4Manifest from "../../../effect4/package.json" with { type: "json" }
import rootManifest from "../../../package.json" with { type: "json" }
import { generate } from "../src/internal/scaffold.js"
import { build, describeRan, fapilog, removeBuild, scratchDir, start, until } from "./support/fapilog.js"

const scratch = scratchDir("cli-e2e-")
beforeAll(build, 120_000)
afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true })
  removeBuild()
})

const ESC = "\u001b"
const line = (level: string, message: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ timestamp: "2026-03-01T10:15:30.123Z", level, logger: "api", message, ...fields })

describe("fapilog --help", () => {
  it("documents every command and exits 0", { timeout: 120_000 }, async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--help"], "pretty"],
      [["pretty", "--help"], "--follow"],
      [["plugins", "--help"], "list"],
      [["plugins", "list", "--help"], "--json"],
      [["plugins", "new", "--help"], "sink | enricher | processor | formatter"],
      [["config", "--help"], "check"],
      [["config", "check", "--help"], "FAPILOG_*"]
    ]
    const runs = await Promise.all(cases.map(([args]) => fapilog(args)))
    runs.forEach((r, i) => {
      const [args, expected] = cases[i] as (typeof cases)[number]
      assert.strictEqual(r.status, 0, describeRan(args, r))
      assert.include(r.stdout, expected, describeRan(args, r))
    })
  })

  it("exits 2 on wrong use", { timeout: 120_000 }, async () => {
    const cases: ReadonlyArray<ReadonlyArray<string>> = [
      ["nosuch"],
      ["pretty", "--level", "loud"],
      ["pretty", "--follow"],
      ["pretty", "--colour", "--no-colour"],
      ["config", "check", path.join(scratch, "missing.yaml")],
      ["plugins", "new", "x", "widget"]
    ]
    const runs = await Promise.all(cases.map((args) => fapilog(args)))
    runs.forEach((r, i) => {
      assert.strictEqual(r.status, 2, describeRan(cases[i] ?? [], r))
    })
  })
})

describe("fapilog pretty", () => {
  it("prints events readably without colours when stdout is not a terminal, passing other lines", async () => {
    const input = [line("info", "started", { port: 8080 }), "plain text", line("debug", "tick")].join("\n")
    const r = await fapilog(["pretty"], { input })
    assert.strictEqual(r.status, 0, describeRan(["pretty"], r))
    assert.strictEqual(
      r.stdout,
      "10:15:30.123 INFO  api: started port=8080\nplain text\n10:15:30.123 DEBUG api: tick\n"
    )
  })

  it("colours with --colour, filters by --level, keeps only --include fields", async () => {
    const input = [
      line("info", "started", { port: 8080, host: "h" }),
      line("error", "boom", { port: 1, host: "h" })
    ].join("\n")
    const args = ["pretty", "--colour", "--level", "warn", "--include", "port"]
    const r = await fapilog(args, { input })
    assert.strictEqual(r.status, 0, describeRan(args, r))
    const lines = r.stdout.split("\n").filter((l) => l !== "")
    assert.lengthOf(lines, 1, describeRan(args, r))
    assert.include(lines[0], `${ESC}[31mERROR`)
    assert.include(lines[0], "port=")
    assert.notInclude(lines[0], "host")
  })

  it("reads files in order and exits 1 for a file it cannot read", async () => {
    const a = path.join(scratch, "a.log")
    fs.writeFileSync(a, `${line("warn", "from a")}\n`)
    const ok = await fapilog(["pretty", a, a])
    assert.strictEqual(ok.stdout, "10:15:30.123 WARN  api: from a\n10:15:30.123 WARN  api: from a\n")
    const missing = await fapilog(["pretty", a, path.join(scratch, "nope.log")])
    assert.strictEqual(missing.status, 1, describeRan(["pretty"], missing))
    assert.include(missing.stderr, "nope.log")
  })

  it("--follow follows a file across rotation and truncation until interrupted (exit 130)", {
    timeout: 60_000
  }, async () => {
    const file = path.join(scratch, "follow.log")
    fs.writeFileSync(file, `${line("info", "first")}\n`)
    const child = start(["pretty", "--follow", file])
    const seen = (text: string) => until(() => child.output().stdout.includes(text))
    await seen("first")
    fs.appendFileSync(file, `${line("info", "second")}\n`)
    await seen("second")
    fs.renameSync(file, `${file}.1`)
    fs.writeFileSync(file, `${line("info", "after rotation")}\n${line("info", "and one more")}\n`)
    await seen("and one more")
    // the new content is shorter than what was read: a truncation whenever the follower looks
    fs.truncateSync(file, 0)
    fs.appendFileSync(file, `${line("info", "after truncation")}\n`)
    await seen("after truncation")
    child.kill("SIGINT")
    const r = await child.exited
    assert.strictEqual(r.status, 130, describeRan(["pretty", "--follow"], r))
    assert.deepStrictEqual(
      r.stdout.split("\n").filter((l) => l !== ""),
      [
        "10:15:30.123 INFO  api: first",
        "10:15:30.123 INFO  api: second",
        "10:15:30.123 INFO  api: after rotation",
        "10:15:30.123 INFO  api: and one more",
        "10:15:30.123 INFO  api: after truncation"
      ]
    )
  })
})

describe("fapilog config check", () => {
  it("exits 0 for valid settings and prints them resolved, secrets masked, opening nothing", async () => {
    const project = path.join(scratch, "configured")
    // a sink plugin whose config holds secrets, found by discovery as in an application
    const plugin = path.join(project, "node_modules", "fapilog-plugin-hook")
    fs.mkdirSync(plugin, { recursive: true })
    fs.writeFileSync(
      path.join(plugin, "package.json"),
      JSON.stringify({
        name: "fapilog-plugin-hook",
        version: "1.0.0",
        type: "module",
        exports: "./index.js",
        fapilog: { kind: "sink", type: "hook", apiVersion: "1.0", effect: [3] }
      })
    )
    fs.writeFileSync(
      path.join(plugin, "index.js"),
      [
        'import { Schema } from "effect"',
        "export const plugin = {",
        '  name: "fapilog-plugin-hook", type: "hook", kind: "sink", version: "1.0.0", apiVersion: "1.0",',
        '  description: "test", config: Schema.Struct({ url: Schema.String, token: Schema.String }),',
        '  make: () => { throw new Error("config check must not open a sink") }',
        "}"
      ].join("\n")
    )
    const file = path.join(project, "fapilog.yaml")
    fs.writeFileSync(
      file,
      [
        "name: billing",
        "level: debug",
        "sinks:",
        "  - type: file",
        "    path: logs/billing.log",
        "  - type: hook",
        "    url: https://app:hunter2@hooks.example/in",
        "    token: abc123"
      ].join("\n")
    )
    const r = await fapilog(["config", "check", "fapilog.yaml"], {
      cwd: project,
      env: { FAPILOG_CAPACITY: "2048" }
    })
    assert.strictEqual(r.status, 0, describeRan(["config", "check"], r))
    assert.include(r.stdout, "settings are valid")
    assert.include(r.stdout, '"name": "billing"')
    assert.include(r.stdout, '"capacity": 2048')
    assert.include(r.stdout, "FAPILOG_CAPACITY")
    assert.include(r.stdout, '"url": "https://[MASKED]@hooks.example/in"')
    assert.include(r.stdout, '"token": "[MASKED]"')
    assert.notInclude(r.stdout, "hunter2")
    assert.notInclude(r.stdout, "abc123")
    assert.isFalse(fs.existsSync(path.join(project, "logs")), "nothing is opened")
  })

  it("exits 1 when a plugin refuses its config, naming the key", async () => {
    const project = path.join(scratch, "configured")
    fs.writeFileSync(path.join(project, "bad-hook.yaml"), "sinks:\n  - type: hook\n    url: 3\n")
    const r = await fapilog(["config", "check", "bad-hook.yaml"], { cwd: project })
    assert.strictEqual(r.status, 1, describeRan(["config", "check"], r))
    assert.match(r.stdout, /sinks\[0\]\.(url|token)/)
  })

  it("exits 1 naming every problem with its path, in the file and the environment", async () => {
    const file = path.join(scratch, "bad.json")
    fs.writeFileSync(file, JSON.stringify({ level: "loud", sinks: [{ type: "nosuch" }], capacity: -1 }))
    const args = ["config", "check", file, "--json"]
    const r = await fapilog(args, { cwd: scratch, env: { FAPILOG_OVERFLOW: "explode" } })
    assert.strictEqual(r.status, 1, describeRan(args, r))
    const out = JSON.parse(r.stdout) as { valid: boolean; issues: ReadonlyArray<{ path: string }> }
    assert.isFalse(out.valid)
    assert.sameMembers(
      out.issues.map((i) => i.path),
      ["bad.json: level", "bad.json: capacity", "bad.json: sinks[0].type", "FAPILOG_OVERFLOW"]
    )
  })

  it("checks the file FAPILOG_CONFIG names when none is given", async () => {
    const file = path.join(scratch, "env.yaml")
    fs.writeFileSync(file, "level: nope\n")
    const r = await fapilog(["config", "check"], { cwd: scratch, env: { FAPILOG_CONFIG: file } })
    assert.strictEqual(r.status, 1, describeRan(["config", "check"], r))
    assert.include(r.stdout, "env.yaml: level")
  })
})

describe("fapilog plugins", () => {
  it("list: the project's plugin packages, exit 1 when one cannot load", async () => {
    const project = path.join(scratch, "project")
    const install = (manifest: Readonly<Record<string, unknown>>) => {
      const dir = path.join(project, "node_modules", manifest.name as string)
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest))
    }
    install({ name: "fapilog", version: "0.1.0" })
    install({
      name: "@fapilog/loki",
      version: "0.1.0",
      fapilog: { kind: "sink", type: "loki", apiVersion: "1.0", effect: [3] }
    })
    const ok = await fapilog(["plugins", "list"], { cwd: project })
    assert.strictEqual(ok.status, 0, describeRan(["plugins", "list"], ok))
    assert.match(ok.stdout, /@fapilog\/loki\s+0\.1\.0\s+sink\s+loki\s+1\.0\s+3\s+yes/)
    install({
      name: "fapilog-plugin-next",
      version: "3.0.0",
      fapilog: { kind: "enricher", type: "next", apiVersion: "2.0" }
    })
    const refused = await fapilog(["plugins", "list", "--json"], { cwd: project })
    assert.strictEqual(refused.status, 1, describeRan(["plugins", "list"], refused))
    const out = JSON.parse(refused.stdout) as {
      fapilog: Record<string, string>
      plugins: ReadonlyArray<{ name: string; problem?: string }>
    }
    assert.strictEqual(out.fapilog["3"], "0.1.0")
    assert.deepStrictEqual(
      out.plugins.map((p) => [p.name, p.problem === undefined]),
      [
        ["@fapilog/loki", true],
        ["fapilog-plugin-next", false]
      ]
    )
  })

  it("new: writes exactly what the scaffolder writes, and refuses a directory that is not empty", async () => {
    const dir = path.join(scratch, "made-by-cli")
    const args = ["plugins", "new", "demo", "sink", "--dir", dir]
    const r = await fapilog(args, { cwd: scratch })
    assert.strictEqual(r.status, 0, describeRan(args, r))
    assert.include(r.stdout, 'created fapilog-plugin-demo (sink plugin, type "demo")')
    const reference = generate({
      name: "demo",
      kind: "sink",
      dir: path.join(scratch, "made-in-process"),
      base: scratch,
      manifests: { root: rootManifest, effect4: effect4Manifest }
    })
    for (const file of reference.files)
      assert.strictEqual(
        fs.readFileSync(path.join(dir, file), "utf8"),
        fs.readFileSync(path.join(reference.dir, file), "utf8"),
        file
      )
    const again = await fapilog(args, { cwd: scratch })
    assert.strictEqual(again.status, 1, describeRan(args, again))
    assert.include(again.stderr, "is not empty")
  })
})
