/**
 * The shape of the "done when", for OTLP: a user installs `fapilog` and
 * `@fapilog/otlp` from their packed tarballs and, naming only `type: "otlp"` in settings,
 * ships every event to an OTLP/HTTP server, exactly once through a 429 with Retry-After and a
 * 503. Plain node, ESM and CommonJS, no aliases: the plugin is found by discovery.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "vitest"
import { listen } from "../../../test/internal/networkServer.js"
import {
  assertSucceeded,
  describeRun,
  pack,
  removeTempDirs,
  repoRoot,
  runNode,
  scratchProject,
  tarballEntries
} from "../../../test/support/pack.js"
import { attributesOf, decodeRequest } from "./otlpProto.js"

const otlpDir = path.join(repoRoot, "plugins", "otlp")
const otlpDist = path.join(otlpDir, "dist")
// packing builds into plugins/otlp/dist; a build that was not there before is removed again
const hadDist = fs.existsSync(otlpDist)

afterAll(() => {
  removeTempDirs()
  if (!hadDist) fs.rmSync(otlpDist, { recursive: true, force: true })
})

const EVENTS = 200

const settings = `{
  enrich: { service: "e2e" },
  sinks: [{ type: "otlp", url: process.env.OTLP_URL, batch: { maxWaitMs: 50 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }]
}`

const ESM = `import { createLogger } from "fapilog"
const log = await createLogger(${settings})
for (let i = 0; i < ${EVENTS}; i++) log.info("event " + i, { i })
await log.close()
console.log("closed")
`

const CJS = `const { createLogger } = require("fapilog")
;(async () => {
  const log = await createLogger(${settings})
  for (let i = 0; i < ${EVENTS}; i++) log.info("event " + i, { i })
  await log.close()
  console.log("closed")
})()
`

describe("installed @fapilog/otlp", () => {
  it('packs, installs next to fapilog and delivers through { type: "otlp" } exactly once', {
    timeout: 300_000
  }, async () => {
    const otlpPacked = await pack(otlpDir)
    const entries = await tarballEntries(otlpPacked.tarball)
    for (const required of [
      "package.json",
      "README.md",
      "dist/index.js",
      "dist/index.cjs",
      "dist/index.d.ts",
      "dist/index.d.cts"
    ])
      assert.include(entries, required, `the tarball lacks ${required}; it holds:\n${entries.join("\n")}`)
    assert.deepStrictEqual(
      entries.filter((e) => /^(src|test)\//.test(e)),
      [],
      "the tarball must not ship sources, tests or fixtures"
    )
    const core = await pack(repoRoot)
    const scratch = await scratchProject([core.tarball, otlpPacked.tarball])
    assert.isTrue(fs.existsSync(path.join(scratch, "node_modules", "@fapilog", "otlp", "dist", "index.js")))
    fs.writeFileSync(path.join(scratch, "app.mjs"), ESM)
    fs.writeFileSync(path.join(scratch, "app.cjs"), CJS)

    for (const file of ["app.mjs", "app.cjs"]) {
      const server = await listen({
        answer: (_r, n) =>
          n === 0
            ? { status: 429, headers: { "Retry-After": "1" } }
            : n === 1
              ? { status: 503 }
              : { status: 200 }
      })
      try {
        const result = await runNode(file, scratch, {
          env: { OTLP_URL: `http://127.0.0.1:${server.port}/v1/logs` }
        })
        assertSucceeded(result, `node ${file}`)
        assert.include(result.stdout, "closed", describeRun(result))
        assert.deepStrictEqual(
          server.requests.slice(0, 3).map((r) => r.status),
          [429, 503, 200],
          describeRun(result)
        )
        for (const r of server.requests) {
          assert.strictEqual(r.url, "/v1/logs")
          assert.strictEqual(r.headers["content-type"], "application/x-protobuf")
        }
        const requests = server.accepted().map((r) => decodeRequest(new Uint8Array(r.body)))
        for (const rl of requests.flatMap((q) => q.resourceLogs))
          assert.deepStrictEqual(attributesOf(rl.resource?.attributes)["service.name"], {
            stringValue: "e2e"
          })
        const messages = requests.flatMap((q) =>
          q.resourceLogs.flatMap((rl) =>
            rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => r.body?.stringValue))
          )
        )
        assert.deepStrictEqual(
          messages,
          Array.from({ length: EVENTS }, (_, i) => `event ${i}`),
          `${file}: every event exactly once, in order`
        )
      } finally {
        await server.stop()
      }
    }
  })
})
