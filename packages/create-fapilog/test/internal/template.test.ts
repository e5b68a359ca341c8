/**
 * The files of a generated project: the same six for every answer; the dependencies each
 * answer needs, at the ranges the repository's manifests give (read at build time, so a
 * release names its own versions); the settings (name, sinks, redaction preset) and the
 * entry point of each API and HTTP integration. The projects are type-checked, built and run
 * in test/package.test.ts and the Effect 4 suite.
 */
import { assert, describe, it } from "@effect/vitest"
import effect4Manifest from "../../../../effect4/package.json" with { type: "json" }
import rootManifest from "../../../../package.json" with { type: "json" }
import type { Answers } from "../../src/internal/answers.js"
import { dependencies, projectFiles } from "../../src/internal/template.js"
import { versions } from "../../src/internal/versions.js"

const base: Answers = {
  name: "orders",
  api: "effect",
  effect: 3,
  http: "none",
  sinks: ["stdout"],
  redaction: "secrets"
}

const file = (answers: Answers, path: string): string => {
  const found = projectFiles(answers).find((f) => f.path === path)
  assert.isDefined(found, path)
  return found?.content ?? ""
}

describe("template", () => {
  it("writes the same files for every answer", () => {
    assert.deepStrictEqual(
      projectFiles(base).map((f) => f.path),
      ["package.json", "tsconfig.json", "README.md", ".gitignore", "src/logging.ts", "src/main.ts"]
    )
  })

  it("reads the versions from the repository's manifests", () => {
    assert.strictEqual(versions.fapilog, `^${rootManifest.version}`)
    assert.strictEqual(versions.fapilogEffect4, `^${effect4Manifest.version}`)
    assert.strictEqual(versions.effect3, rootManifest.peerDependencies.effect)
    assert.strictEqual(versions.effect4, effect4Manifest.peerDependencies.effect)
    assert.strictEqual(versions.platform3, rootManifest.peerDependencies["@effect/platform"])
    assert.strictEqual(versions.platformNode3, rootManifest.devDependencies["@effect/platform-node"])
    // an exact development pin becomes a caret range in a project
    assert.strictEqual(versions.platformNode4, `^${effect4Manifest.devDependencies["@effect/platform-node"]}`)
    assert.strictEqual(versions.express, rootManifest.devDependencies.express)
    assert.strictEqual(versions.fastify, rootManifest.devDependencies.fastify)
    assert.strictEqual(versions.typescript, rootManifest.devDependencies.typescript)
    assert.strictEqual(versions.node3, rootManifest.engines.node)
    assert.strictEqual(versions.node4, effect4Manifest.engines.node)
  })

  it("depends on what the answers need, on the chosen Effect line", () => {
    const dev = { "@types/node": versions.typesNode, typescript: versions.typescript }
    assert.deepStrictEqual(dependencies(base), {
      dependencies: { effect: versions.effect3, fapilog: versions.fapilog },
      devDependencies: dev
    })
    assert.deepStrictEqual(dependencies({ ...base, http: "platform" }).dependencies, {
      "@effect/platform": versions.platform3,
      "@effect/platform-node": versions.platformNode3,
      effect: versions.effect3,
      fapilog: versions.fapilog
    })
    assert.deepStrictEqual(dependencies({ ...base, effect: 4, http: "effect-http" }).dependencies, {
      "@effect/platform-node": versions.platformNode4,
      effect: versions.effect4,
      "fapilog-effect4": versions.fapilogEffect4
    })
    assert.deepStrictEqual(dependencies({ ...base, api: "promise", effect: 4, http: "express" }), {
      dependencies: {
        effect: versions.effect4,
        express: versions.express,
        "fapilog-effect4": versions.fapilogEffect4
      },
      devDependencies: { ...dev, "@types/express": versions.typesExpress }
    })
    assert.deepStrictEqual(dependencies({ ...base, api: "promise", http: "fastify" }).dependencies, {
      effect: versions.effect3,
      fapilog: versions.fapilog,
      fastify: versions.fastify
    })
    const manifest = JSON.parse(file({ ...base, effect: 4 }, "package.json")) as Record<string, unknown>
    assert.deepInclude(manifest, {
      name: "orders",
      private: true,
      type: "module",
      engines: { node: versions.node4 },
      scripts: { build: "tsc", start: "tsc && node dist/main.js", typecheck: "tsc --noEmit" }
    })
  })

  it("writes the settings: the name, the sinks and the redaction preset", () => {
    const logging = file({ ...base, sinks: ["stdout", "file", "stderr"] }, "src/logging.ts")
    assert.include(logging, 'import { Settings } from "fapilog"')
    assert.include(logging, 'name: "orders",')
    assert.include(
      logging,
      'sinks: ["stdout", { type: "file", path: "logs/orders.log", maxBytes: "10 MB", maxFiles: 5 }, "stderr"],'
    )
    assert.include(logging, "redact: Settings.presets.production.redact")
    const hardened = file({ ...base, effect: 4, redaction: "hardened" }, "src/logging.ts")
    assert.include(hardened, 'import { Settings } from "fapilog-effect4"')
    assert.include(hardened, "redact: Settings.presets.hardened.redact")
    const none = file({ ...base, redaction: "none" }, "src/logging.ts")
    assert.include(none, 'import type { Settings } from "fapilog"')
    assert.notInclude(none, "redact:")
    assert.strictEqual(file(base, ".gitignore"), "node_modules\ndist\n")
    assert.strictEqual(file({ ...base, sinks: ["file"] }, ".gitignore"), "node_modules\ndist\nlogs\n")
  })

  it("writes the entry point of each API and HTTP integration", () => {
    const main = (answers: Partial<Answers>) => file({ ...base, ...answers }, "src/main.ts")
    assert.include(main({}), "Effect.provide(Fapilog.layer(settings))")
    assert.include(main({}), 'token: "never-in-the-logs"')
    assert.notInclude(main({ redaction: "none" }), "token")
    assert.include(main({ http: "platform" }), 'import * as Http from "fapilog/http"')
    assert.include(main({ http: "platform" }), "NodeRuntime.runMain(Layer.launch(Server))")
    const http4 = main({ effect: 4, http: "effect-http" })
    assert.include(http4, 'import { HttpRouter, HttpServerResponse } from "effect/http"')
    assert.include(http4, 'import { Fapilog, Http } from "fapilog-effect4"')
    assert.include(main({ api: "promise" }), "const log = await createLogger(settings)")
    assert.include(main({ api: "promise", effect: 4 }), 'import { createLogger } from "fapilog-effect4"')
    assert.include(
      main({ api: "promise", http: "express" }),
      'import { fapilogExpress } from "fapilog/express"'
    )
    assert.include(
      main({ api: "promise", effect: 4, http: "fastify" }),
      'import { fapilogFastify } from "fapilog-effect4/fastify"'
    )
  })

  it("writes a README with the two commands and absolute links", () => {
    const readme = file({ ...base, http: "platform", sinks: ["stdout", "file"] }, "README.md")
    assert.include(readme, "npm install\nnpm start\n")
    assert.include(readme, "file (`logs/orders.log`, rotated at 10 MB, 5 kept)")
    for (const [, target] of readme.matchAll(/\]\(([^)]+)\)/g)) assert.match(target ?? "", /^https:\/\//)
  })
})
