/**
 * The root command in process (the child-process runs are in bin.test.ts): each command's
 * `--help`, the exit codes `run` gives, `config check` and `plugins list` reports, and
 * `plugins new` writing every kind of plugin package.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, afterEach, assert, beforeEach, describe, it, vi } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { run } from "../src/Cli.js"
import { scratchDir } from "./support/fapilog.js"

const scratch = scratchDir("cli-in-process-")
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

let printed: Array<string> = []
beforeEach(() => {
  printed = []
  vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
    printed.push(args.map(String).join(" "))
  })
  vi.spyOn(console, "error").mockImplementation((...args: Array<unknown>) => {
    printed.push(args.map(String).join(" "))
  })
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk))
    return true
  })
})
afterEach(() => {
  vi.restoreAllMocks()
})

const fapilog = (...args: ReadonlyArray<string>) =>
  Effect.runPromise(run(args).pipe(Effect.provide(NodeContext.layer)))

const output = () => printed.join("\n")

describe("fapilog, in process", () => {
  it("--help of every command exits 0", async () => {
    for (const args of [
      ["--help"],
      ["pretty", "--help"],
      ["plugins", "list", "--help"],
      ["plugins", "new", "--help"],
      ["config", "check", "--help"]
    ]) {
      assert.strictEqual(await fapilog(...args), 0, args.join(" "))
    }
    assert.include(output(), "--follow")
  })

  it("wrong use is 2", async () => {
    assert.strictEqual(await fapilog("nosuch"), 2)
    assert.strictEqual(await fapilog("pretty", "--follow"), 2)
    assert.strictEqual(await fapilog("pretty", "--colour", "--no-colour"), 2)
    assert.strictEqual(await fapilog("config", "check", path.join(scratch, "missing.yaml")), 2)
    assert.include(output(), "missing.yaml does not exist")
  })

  it("config check: 0 and the masked settings for valid ones, 1 and every problem otherwise", async () => {
    const good = path.join(scratch, "good.yaml")
    fs.writeFileSync(good, "name: api\nsinks:\n  - type: file\n    path: logs/x.log\n")
    assert.strictEqual(await fapilog("config", "check", good), 0, output())
    assert.include(output(), "settings are valid")
    const bad = path.join(scratch, "bad.yaml")
    fs.writeFileSync(bad, "level: loud\ncapacity: -1\n")
    printed = []
    assert.strictEqual(await fapilog("config", "check", bad, "--json"), 1)
    const report = JSON.parse(output()) as { valid: boolean; issues: ReadonlyArray<{ path: string }> }
    assert.isFalse(report.valid)
    assert.sameMembers(
      report.issues.map((i) => i.path),
      ["bad.yaml: level", "bad.yaml: capacity"]
    )
  })

  it("plugins list reports in text and JSON", async () => {
    const text = await fapilog("plugins", "list")
    assert.include([0, 1], text)
    assert.include(output(), "plugin API")
    printed = []
    const json = await fapilog("plugins", "list", "--json")
    assert.strictEqual(json, text)
    assert.property(JSON.parse(output()) as object, "plugins")
  })

  it("plugins new writes every kind of plugin package, and refuses what it cannot write", async () => {
    for (const kind of ["sink", "enricher", "processor", "formatter"]) {
      const dir = path.join(scratch, `new-${kind}`)
      assert.strictEqual(await fapilog("plugins", "new", `demo-${kind}`, kind, "--dir", dir), 0, output())
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name: string
        fapilog: { kind: string; type: string }
      }
      assert.strictEqual(manifest.name, `fapilog-plugin-demo-${kind}`)
      assert.deepInclude(manifest.fapilog, { kind, type: `demo-${kind}` })
      assert.isTrue(fs.existsSync(path.join(dir, "effect4", "package.json")))
    }
    assert.strictEqual(
      await fapilog("plugins", "new", "Bad Name!", "sink", "--dir", path.join(scratch, "bad")),
      1
    )
    assert.include(output(), "does not give a plugin type")
  })
})
