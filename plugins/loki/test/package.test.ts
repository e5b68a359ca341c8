/**
 * The "done when": a user installs `fapilog` and `@fapilog/loki` from their packed
 * tarballs and, naming only `type: "loki"` in settings, ships every event to a server that
 * speaks Loki's push API, exactly once through a 429 with Retry-After and a 503. Plain node,
 * ESM and CommonJS, no aliases: the plugin is found by discovery.
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
import { decodeSnappyPush, parseLabels } from "./lokiProto.js"

const lokiDir = path.join(repoRoot, "plugins", "loki")
const lokiDist = path.join(lokiDir, "dist")
// packing builds into plugins/loki/dist; a build that was not there before is removed again
const hadDist = fs.existsSync(lokiDist)

afterAll(() => {
  removeTempDirs()
  if (!hadDist) fs.rmSync(lokiDist, { recursive: true, force: true })
})

const EVENTS = 200

const settings = `{
  enrich: { service: "e2e" },
  sinks: [{ type: "loki", url: process.env.LOKI_URL, labelKeys: ["level"], batch: { maxWaitMs: 50 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }]
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

describe("installed @fapilog/loki", () => {
  it('packs, installs next to fapilog and delivers through { type: "loki" } exactly once', {
    timeout: 300_000
  }, async () => {
    const lokiPacked = await pack(lokiDir)
    const entries = await tarballEntries(lokiPacked.tarball)
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
    const scratch = await scratchProject([core.tarball, lokiPacked.tarball])
    assert.isTrue(fs.existsSync(path.join(scratch, "node_modules", "@fapilog", "loki", "dist", "index.js")))
    fs.writeFileSync(path.join(scratch, "app.mjs"), ESM)
    fs.writeFileSync(path.join(scratch, "app.cjs"), CJS)

    for (const file of ["app.mjs", "app.cjs"]) {
      const server = await listen({
        answer: (_r, n) =>
          n === 0
            ? { status: 429, headers: { "Retry-After": "1" } }
            : n === 1
              ? { status: 503 }
              : { status: 204 }
      })
      try {
        const result = await runNode(file, scratch, { env: { LOKI_URL: `http://127.0.0.1:${server.port}` } })
        assertSucceeded(result, `node ${file}`)
        assert.include(result.stdout, "closed", describeRun(result))
        assert.deepStrictEqual(
          server.requests.slice(0, 3).map((r) => r.status),
          [429, 503, 204],
          describeRun(result)
        )
        for (const r of server.requests) {
          assert.strictEqual(r.url, "/loki/api/v1/push")
          assert.strictEqual(r.headers["content-type"], "application/x-protobuf")
        }
        const streams = server.accepted().flatMap((r) => decodeSnappyPush(new Uint8Array(r.body)).streams)
        for (const s of streams)
          assert.deepStrictEqual(parseLabels(s.labels), { level: "info", service_name: "e2e" })
        const messages = streams.flatMap((s) =>
          s.entries.map((e) => (JSON.parse(e.line) as { message: string }).message)
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
