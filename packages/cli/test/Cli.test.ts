/**
 * The root command in process (the child-process runs are in bin.test.ts): each command's
 * `--help`, the exit codes `run` gives, `config check` and `plugins list` reports, and
 * `plugins new` writing every kind of plugin package.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, afterEach, assert, beforeEach, describe, it, vi } from "@effect/vitest"
import * as Audit from "@fapilog/audit"
import * as Encryption from "@fapilog/encryption"
import * as Effect from "effect/Effect"
import { createLogger } from "fapilog"
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
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
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
      ["config", "check", "--help"],
      ["verify", "--help"],
      ["decrypt", "--help"]
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

  it("verify: 0 and OK for an intact trail, 1 naming the broken record after an edit, 2 for a bad key", async () => {
    const dir = path.join(scratch, "trail")
    const key = "ab".repeat(32)
    const log = await createLogger({
      plugins: { use: [Audit.plugin] },
      sinks: [{ type: "audit", path: dir, key }]
    })
    log.audit("role granted", { user: "ana", role: "admin" })
    log.security("login failed", { user: "ana" })
    log.audit("role revoked", { user: "ana", role: "admin" })
    await log.close()
    assert.strictEqual(await fapilog("verify", dir, "--key", key), 0, output())
    assert.match(output(), /^OK .*3 records verified/m)

    printed = []
    assert.strictEqual(await fapilog("verify", dir, "--key", "cd".repeat(32)), 1, output())
    assert.match(output(), /BROKEN/)

    const segment = fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .map((f) => path.join(dir, f))
      .find((f) => f.endsWith(".jsonl") && fs.readFileSync(f, "utf8").includes("revoked"))
    assert.isDefined(segment)
    fs.writeFileSync(
      segment as string,
      fs.readFileSync(segment as string, "utf8").replace("revoked", "granted")
    )
    printed = []
    assert.strictEqual(await fapilog("verify", dir, "--key", key), 1, output())
    assert.match(output(), /BROKEN .*edited/)

    printed = []
    assert.strictEqual(await fapilog("verify", dir, "--key", "00"), 2, output())
    assert.include(output(), "key")
    printed = []
    assert.strictEqual(await fapilog("verify", dir, "--key", key, "--table", "t"), 2, output())
  })

  it("verify: 0 for a trail whose oldest segments retention removed, 1 once an attacker removes the oldest left", async () => {
    const dir = path.join(scratch, "retained")
    const key = "ab".repeat(32)
    let removed = 0
    for (let run = 0; run < 3; run++) {
      const log = await createLogger({
        plugins: { use: [Audit.plugin] },
        sinks: [
          { type: "audit", path: dir, key, segmentMaxBytes: 1024, retention: { maxTotalBytes: "2 KB" } }
        ]
      })
      for (let i = 0; i < 12; i++) {
        log.audit("role granted", { run, i, user: "ana" })
        if (i % 3 === 2) await log.flush()
      }
      await log.close()
      removed += log.stats().retention?.files ?? 0
    }
    assert.isAbove(removed, 0)
    assert.strictEqual(await fapilog("verify", dir, "--key", key), 0, output())
    assert.match(output(), /^OK .*older segments removed by retention, as the trail records/m)

    const oldest = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".jsonl"))
      .sort()[0]!
    fs.rmSync(path.join(dir, oldest))
    fs.rmSync(path.join(dir, oldest.replace(".jsonl", ".manifest.json")))
    printed = []
    assert.strictEqual(await fapilog("verify", dir, "--key", key), 1, output())
    assert.match(output(), /BROKEN .*segment-removed/)
  })

  it("decrypt: restores the encrypted fields with the key ring, passes other lines, 1 when a key is missing", async () => {
    const file = path.join(scratch, "encrypted.log")
    const ring = path.join(scratch, "ring.json")
    const keyA = { id: "a", key: "11".repeat(32) }
    fs.writeFileSync(ring, JSON.stringify({ keys: [keyA] }))
    const log = await createLogger({
      plugins: { use: [Encryption.plugin] },
      processors: [{ type: "encryption", keys: `file:${ring}`, fields: ["card"] }],
      sinks: [{ type: "file", path: file }]
    })
    log.info("paid", { card: "4111111111111111", amount: 3 })
    await log.close()
    const written = fs.readFileSync(file, "utf8")
    assert.notInclude(written, "4111111111111111")
    fs.appendFileSync(file, "not json at all\n")

    assert.strictEqual(await fapilog("decrypt", file, "--keys", `file:${ring}`), 0, output())
    const lines = output()
      .split("\n")
      .filter((l) => l !== "")
    assert.deepInclude(JSON.parse(lines[0] ?? "{}"), { message: "paid", card: "4111111111111111", amount: 3 })
    assert.strictEqual(lines[1], "not json at all")

    const other = path.join(scratch, "ring-b.json")
    fs.writeFileSync(other, JSON.stringify({ keys: [{ id: "b", key: "22".repeat(32) }] }))
    printed = []
    assert.strictEqual(await fapilog("decrypt", file, "--keys", `file:${other}`), 1, output())
    assert.match(output(), /line 1: card: .*"a"/)

    printed = []
    assert.strictEqual(await fapilog("decrypt", file, "--keys", "nope"), 2, output())
  })
})
