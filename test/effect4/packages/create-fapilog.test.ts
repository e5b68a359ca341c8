/**
 * create-fapilog's Effect 4 project (b): the packed create-fapilog run through `npm exec` (as
 * `npm create fapilog@latest` does) with the Effect API and Effect 4's `effect/http`, installed
 * from the packed fapilog-effect4 next to Effect 4, built (strict `tsc`) and run under this
 * suite's Node 22: it serves one request, logs it (and to its file sink), and stops cleanly on
 * SIGTERM. The other Effect 4 projects (no HTTP, Promise, Express, Fastify) are type-checked
 * in the same installation. The Effect 3 projects: packages/create-fapilog/test/package.test.ts.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, describe, it } from "vitest"
import effect4Manifest from "../../../effect4/package.json" with { type: "json" }
import type { Answers } from "../../../packages/create-fapilog/src/internal/answers.js"
import { dependencies } from "../../../packages/create-fapilog/src/internal/template.js"
import { versions } from "../../../packages/create-fapilog/src/internal/versions.js"
import {
  assertServedOnce,
  generate,
  jsonLines,
  peerWarnings,
  serveOnce,
  typecheckVariants
} from "../../../packages/create-fapilog/test/support/generated.js"
import { consumerEnv, pack, removeTempDirs, repoRoot } from "../../support/pack.js"

afterAll(removeTempDirs, 120_000)

const effect4Dir = fileURLToPath(new URL("../../../effect4", import.meta.url))

/** The environment of npm and the project: this Node 22 first on the PATH. */
const node22Env = consumerEnv({
  PATH: [path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter)
})

describe("create-fapilog, Effect 4", () => {
  it("(b) Effect 4 + effect/http: serves a request and logs it", { timeout: 600_000 }, async () => {
    const [core, create] = await Promise.all([
      pack(effect4Dir),
      pack(path.join(repoRoot, "packages", "create-fapilog"))
    ])
    const answers: Answers = {
      name: "catalog",
      api: "effect",
      effect: 4,
      http: "effect-http",
      sinks: ["stdout", "file"],
      redaction: "hardened"
    }
    const project = await generate(
      create.tarball,
      core.tarball,
      [
        "--name",
        "catalog",
        "--api",
        "effect",
        "--effect",
        "4",
        "--http",
        "effect-http",
        "--sinks",
        "stdout,file",
        "--redaction",
        "hardened"
      ],
      node22Env
    )
    assert.deepStrictEqual(
      { dependencies: project.manifest.dependencies, devDependencies: project.manifest.devDependencies },
      dependencies(answers)
    )
    assert.strictEqual(project.manifest.dependencies["fapilog-effect4"], `^${effect4Manifest.version}`)
    assert.deepStrictEqual(peerWarnings(project.install), [])
    const effect = JSON.parse(
      fs.readFileSync(path.join(project.dir, "node_modules", "effect", "package.json"), "utf8")
    ) as { readonly version: string }
    assert.match(effect.version, /^4\./)
    assert.isFalse(
      fs.existsSync(path.join(project.dir, "node_modules", "fapilog")),
      "fapilog (Effect 3) was installed"
    )

    const served = await serveOnce(project.dir, node22Env, "create-b")
    // Effect 4's runMain ends a program interrupted from outside (SIGINT, SIGTERM) with 130
    // (effect/Runtime defaultTeardown), Effect 3's with 0: the logs are drained either way
    const events = assertServedOnce(served, "catalog", "create-b", 130)
    assert.match(String(events[0]?.message), /^Listening on http:\/\//, JSON.stringify(events[0]))
    const logged = jsonLines(
      fs.readFileSync(path.join(project.dir, "logs", "catalog.log"), "utf8"),
      "logs/catalog.log"
    )
    assert.deepStrictEqual(
      logged.map((e) => e.message),
      events.map((e) => e.message)
    )

    const promise: Answers = {
      ...answers,
      api: "promise",
      http: "none",
      sinks: ["stdout"],
      redaction: "none"
    }
    await typecheckVariants(
      project.dir,
      [
        { ...answers, http: "none", redaction: "secrets" },
        promise,
        { ...promise, http: "express" },
        { ...promise, http: "fastify" }
      ],
      node22Env,
      [
        `express@${versions.express}`,
        `@types/express@${versions.typesExpress}`,
        `fastify@${versions.fastify}`
      ]
    )
  })
})
