/**
 * `@fapilog/cli` as users get it: packed (`prepack` builds it), its tarball checked, installed
 * from the tarball next to the packed fapilog in a scratch project, and run through npm's bin
 * link: `npx fapilog --help`, `fapilog pretty` on stdin and `fapilog config check`, with plain
 * node and no aliases.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "vitest"
import {
  assertSucceeded,
  consumerEnv,
  describeRun,
  npm,
  pack,
  removeTempDirs,
  run,
  scratchProject,
  tarballEntries
} from "../../../test/support/pack.js"

// the scratch project holds a whole node_modules
afterAll(removeTempDirs, 120_000)

const cliDir = path.resolve(import.meta.dirname, "..")

describe("@fapilog/cli, packed and installed", () => {
  it("installs the fapilog bin, which runs its commands", { timeout: 600_000 }, async () => {
    const [core, cli] = [await pack(), await pack(cliDir)]
    const entries = await tarballEntries(cli.tarball)
    assert.sameMembers(entries, ["package.json", "README.md", "LICENSE", "dist/bin.js", "dist/bin.js.map"])
    const scratch = await scratchProject([core.tarball, cli.tarball], 300_000)
    const npx = (args: ReadonlyArray<string>, input?: string) => {
      const env = consumerEnv({ NO_COLOR: "1" })
      if (input !== undefined) fs.writeFileSync(path.join(scratch, "input.log"), input)
      return input === undefined
        ? run(npm, ["exec", "--no", "--", "fapilog", ...args], { cwd: scratch, env, timeoutMs: 120_000 })
        : run("sh", ["-c", `npx --no fapilog ${args.join(" ")} < input.log`], {
            cwd: scratch,
            env,
            timeoutMs: 120_000
          })
    }
    const help = await npx(["--help"])
    assertSucceeded(help, "npx fapilog --help")
    assert.include(help.stdout, "pretty", describeRun(help))
    assert.include(help.stdout, "config check", describeRun(help))

    const pretty = await npx(
      ["pretty"],
      `${JSON.stringify({ timestamp: "2026-03-01T10:15:30.123Z", level: "warn", logger: "api", message: "disk low" })}\nplain\n`
    )
    assertSucceeded(pretty, "fapilog pretty")
    assert.strictEqual(pretty.stdout, "10:15:30.123 WARN  api: disk low\nplain\n", describeRun(pretty))

    fs.writeFileSync(path.join(scratch, "fapilog.yaml"), "level: loud\n")
    const check = await npx(["config", "check", "fapilog.yaml"])
    assert.strictEqual(check.status, 1, describeRun(check))
    assert.include(check.stdout, "fapilog.yaml: level", describeRun(check))

    const list = await npx(["plugins", "list"])
    assertSucceeded(list, "fapilog plugins list")
    assert.include(list.stdout, "fapilog 0.1.0", describeRun(list))
  })
})
