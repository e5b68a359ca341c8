/**
 * @fapilog/audit as a sink of a real logger on files: what it takes and skips, durability
 * per fsync policy, resuming a trail across runs and after a crash, settings errors, hostile
 * values. Retention is retention.ts's suite, run here on Effect 3.
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { createLogger, Errors, Plugin } from "fapilog"
import * as Audit from "../src/index.js"
import { fileStore } from "../src/internal/fileStore.js"
import { signingKeyOf } from "../src/internal/key.js"
import { Trail } from "../src/internal/trail.js"
import { describeAuditRetention } from "./retention.js"
import { KEY, manifestPath, readLines, scratchDirs, segmentPath, verified, writeTrail } from "./trail.js"

const dir = scratchDirs()

describe("@fapilog/audit on files", () => {
  it("takes audit and security events; other levels are the sink's skipped", async () => {
    const d = dir()
    const counts = await writeTrail({ path: d }, 10)
    assert.deepStrictEqual(counts, { written: 10, skipped: 10, retention: undefined })
    const report = await verified(d)
    assert.strictEqual(report.records, 10)
    assert.strictEqual(report.unsealedRecords, 0)
  })

  for (const fsync of ["batch", "record", "none"] as const)
    it(`fsync: "${fsync}" writes the same trail`, async () => {
      const d = dir()
      await writeTrail({ path: d, fsync }, 7)
      assert.strictEqual((await verified(d)).records, 7)
    })

  it("a later run continues the chain: sequence numbers and hashes go on across runs", async () => {
    const d = dir()
    await writeTrail({ path: d }, 5)
    await writeTrail({ path: d }, 5, 5)
    const report = await verified(d)
    assert.deepStrictEqual([report.firstSeq, report.lastSeq, report.segments], [1, 10, 2])
    const second = readLines(segmentPath(d, 2)).map((l) => JSON.parse(l))
    assert.deepStrictEqual(
      second.map((r) => r.event.i),
      [5, 6, 7, 8, 9]
    )
  })

  it("after a crash (an unsealed segment ending in a torn record): the torn bytes are cut, the segment sealed, the chain goes on", async () => {
    const d = dir()
    const key = Buffer.from(KEY, "hex")
    const signer = signingKeyOf(key)
    const options = {
      key,
      signer,
      publicKey: crypto.createPublicKey(signer),
      segmentMaxBytes: 1 << 20,
      segmentMaxAgeMs: 86_400_000
    }
    // a run that stopped without closing: its segment has no manifest, and half a record at its end
    const first = await Trail.open(fileStore(d, "batch"), options)
    await first.write(['{"level":"audit","message":"a"}', '{"level":"audit","message":"b"}'])
    fs.appendFileSync(segmentPath(d, 1), '{"seq":3,"prev":"')
    const unsealed = await Audit.verifyTrail(d, { key: KEY })
    assert.isFalse(unsealed.ok)
    const reports: Array<string> = []
    const second = await Trail.open(fileStore(d, "batch"), { ...options, report: (m) => reports.push(m) })
    await second.write(['{"level":"audit","message":"c"}'])
    await second.close()
    assert.match(reports[0]!, /segment 1 ended with an incomplete record/)
    const report = await verified(d)
    assert.deepStrictEqual([report.lastSeq, report.sealed], [3, 2])
  })

  it("hostile values (cycles, BigInt, control characters, huge strings) are recorded and verify", async () => {
    const d = dir()
    const log = await createLogger({
      plugins: { use: [Audit.plugin] },
      sinks: [Plugin.entry("audit", { path: d, key: KEY })]
    })
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const getter = Object.defineProperty({}, "boom", {
      enumerable: true,
      get: () => {
        throw new Error("getter")
      }
    })
    log.audit("line\nbreak\u0000nul\u001b[31m", {
      cycle,
      big: 10n,
      getter,
      huge: "x".repeat(200_000),
      lone: "\ud800"
    })
    log.security("after")
    await log.close()
    const report = await verified(d)
    assert.strictEqual(report.records, 2)
    const [first] = readLines(segmentPath(d, 1)).map((l) => JSON.parse(l))
    assert.strictEqual(first.event.message, "line\nbreak\u0000nul\u001b[31m")
  })

  it("invalid settings fail fast, each issue naming its field and the accepted forms", async () => {
    const refused = (settings: Record<string, unknown>) =>
      createLogger({ plugins: { use: [Audit.plugin] }, sinks: [Plugin.entry("audit", settings)] }).then(
        () => assert.fail("should refuse"),
        (e: unknown) => {
          assert.instanceOf(e, Errors.ConfigError)
          return e as Errors.ConfigError
        }
      )
    const at = (error: Errors.ConfigError, p: string) =>
      error.issues.find((i) => i.path === p)?.message ?? `none at ${p}: ${JSON.stringify(error.issues)}`
    const bad = await refused({ path: dir(), key: "abc123", fsync: "sometimes", segmentMaxBytes: 10 })
    assert.match(
      at(bad, "sinks[0].key"),
      /is not a hex string of at least 32 bytes \(64 hex digits\), or "env:NAME" naming an environment variable that holds one/
    )
    assert.match(at(bad, "sinks[0].fsync"), /"sometimes" is not one of batch, record, none/)
    assert.match(at(bad, "sinks[0].segmentMaxBytes"), /10 is not a whole number of bytes/)
    delete process.env.FAPILOG_AUDIT_UNSET
    const env = await refused({ path: dir(), key: "env:FAPILOG_AUDIT_UNSET" })
    assert.match(
      at(env, "sinks[0].key"),
      /"env:FAPILOG_AUDIT_UNSET" is not a hex string of at least 32 bytes/
    )
    const none = await refused({ key: KEY })
    assert.match(JSON.stringify(none.issues), /no storage: give path .* or postgres/)
    const both = await refused({
      key: KEY,
      path: dir(),
      postgres: { connectionString: "postgres://localhost/x" }
    })
    assert.match(JSON.stringify(both.issues), /both path and postgres/)
  })

  it("the key from an environment variable", async () => {
    const d = dir()
    process.env.FAPILOG_AUDIT_KEY_TEST = KEY
    try {
      await writeTrail({ path: d, key: "env:FAPILOG_AUDIT_KEY_TEST" }, 3)
    } finally {
      delete process.env.FAPILOG_AUDIT_KEY_TEST
    }
    assert.strictEqual((await verified(d)).records, 3)
  })

  it("publicKeyOf: the manifests' signatures check with the public key alone", () => {
    const d = dir()
    return writeTrail({ path: d }, 3).then(() => {
      const stored = JSON.parse(fs.readFileSync(manifestPath(d, 1), "utf8"))
      const { signature, ...rest } = stored
      const valid = crypto.verify(
        null,
        Buffer.from(JSON.stringify(rest)),
        crypto.createPublicKey(Audit.publicKeyOf(KEY)),
        Buffer.from(signature, "base64")
      )
      assert.isTrue(valid)
    })
  })
})

describeAuditRetention()
