/**
 * create-fapilog as users run it: packed (`prepack` builds it), its tarball checked, and run
 * through `npm exec` as `npm create fapilog@latest` does. Two Effect 3 projects it writes are
 * installed from the packed fapilog, type-checked (strict), built and run with plain node:
 * (a) the Effect API with an @effect/platform server, (c) the Promise API with Express and a
 * file sink. Each serves one request, logs it, and stops cleanly on SIGTERM; the other Effect 3
 * projects (no HTTP, Fastify, each redaction preset) are type-checked in the same installations. The Effect 4
 * project (b) runs in the Effect 4 suite: test/effect4/packages/create-fapilog.test.ts.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "vitest"
import rootManifest from "../../../package.json" with { type: "json" }
import { consumerEnv, pack, removeTempDirs, tarballEntries } from "../../../test/support/pack.js"
import type { Answers } from "../src/internal/answers.js"
import { dependencies } from "../src/internal/template.js"
import { versions } from "../src/internal/versions.js"
import {
  assertServedOnce,
  generate,
  jsonLines,
  peerWarnings,
  serveOnce,
  typecheckVariants
} from "./support/generated.js"

// the generated projects hold whole node_modules
afterAll(removeTempDirs, 120_000)

const createDir = path.resolve(import.meta.dirname, "..")
const env = consumerEnv()
const packed = Promise.all([pack(), pack(createDir)])

describe("create-fapilog, packed and run by npm exec", () => {
  it("ships its bin alone, with no dependencies", { timeout: 300_000 }, async () => {
    const [, create] = await packed
    const entries = await tarballEntries(create.tarball)
    assert.sameMembers(entries, ["package.json", "README.md", "LICENSE", "dist/bin.js", "dist/bin.js.map"])
    const manifest = JSON.parse(fs.readFileSync(path.join(createDir, "package.json"), "utf8")) as Record<
      string,
      unknown
    >
    assert.isUndefined(manifest.dependencies)
    assert.isUndefined(manifest.peerDependencies)
  })

  it("(a) Effect 3 + @effect/platform: serves a request and logs it", { timeout: 600_000 }, async () => {
    const [core, create] = await packed
    const project = await generate(
      create.tarball,
      core.tarball,
      [
        "--name",
        "orders",
        "--api",
        "effect",
        "--effect",
        "3",
        "--http",
        "platform",
        "--sinks",
        "stdout",
        "--redaction",
        "secrets"
      ],
      env
    )
    assert.deepStrictEqual(
      { dependencies: project.manifest.dependencies, devDependencies: project.manifest.devDependencies },
      dependencies({
        name: "orders",
        api: "effect",
        effect: 3,
        http: "platform",
        sinks: ["stdout"],
        redaction: "secrets"
      })
    )
    assert.strictEqual(project.manifest.dependencies.fapilog, `^${rootManifest.version}`)
    assert.deepStrictEqual(peerWarnings(project.install), [])
    const served = await serveOnce(project.dir, env, "create-a")
    const events = assertServedOnce(served, "orders", "create-a")
    assert.match(String(events[0]?.message), /^Listening on http:\/\//, JSON.stringify(events[0]))
    // the other Effect API projects on Effect 3 type-check against the same installation
    const effect: Answers = {
      name: "orders",
      api: "effect",
      effect: 3,
      http: "none",
      sinks: ["stdout"],
      redaction: "none"
    }
    await typecheckVariants(
      project.dir,
      [effect, { ...effect, redaction: "hardened", sinks: ["file", "stderr"] }],
      env
    )
  })

  it("(c) Promise + Express, with a file sink: serves a request and logs it", {
    timeout: 600_000
  }, async () => {
    const [core, create] = await packed
    const project = await generate(
      create.tarball,
      core.tarball,
      [
        "--name",
        "billing",
        "--api",
        "promise",
        "--effect",
        "3",
        "--http",
        "express",
        "--sinks",
        "stdout,file",
        "--redaction",
        "hardened"
      ],
      env
    )
    assert.deepStrictEqual(
      Object.keys(project.manifest.dependencies),
      ["effect", "express", "fapilog"],
      JSON.stringify(project.manifest)
    )
    assert.deepStrictEqual(peerWarnings(project.install), [])
    const served = await serveOnce(project.dir, env, "create-c")
    const events = assertServedOnce(served, "billing", "create-c")
    assert.deepStrictEqual(
      events.map((e) => e.message),
      ["listening", "hello requested", "request completed", "stopping"]
    )
    // the file sink wrote the same lines as JSON, whatever stdout is
    const logged = jsonLines(
      fs.readFileSync(path.join(project.dir, "logs", "billing.log"), "utf8"),
      "logs/billing.log"
    )
    assert.deepStrictEqual(
      logged.map((e) => e.message),
      events.map((e) => e.message)
    )
    // the other Promise API projects on Effect 3 type-check against the same installation
    const promise: Answers = {
      name: "billing",
      api: "promise",
      effect: 3,
      http: "none",
      sinks: ["stdout"],
      redaction: "none"
    }
    await typecheckVariants(
      project.dir,
      [
        promise,
        { ...promise, redaction: "secrets" },
        { ...promise, http: "express" },
        { ...promise, http: "fastify" }
      ],
      env,
      [`fastify@${versions.fastify}`]
    )
  })
})
