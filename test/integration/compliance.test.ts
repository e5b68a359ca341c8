/**
 * Each compliance profile end to end, with the real plugins (`@fapilog/pii`, `@fapilog/audit`,
 * `@fapilog/encryption` from this repository): a logger started from `compliance: [profile]`
 * with the production preset writes a card number, an SSN and bearer tokens, and none of them
 * reaches any way out in clear: the audit trail, a file sink, stdout, the stderr fallback of a
 * failing sink, or the diagnostics of a processor and a sink whose errors quote the event.
 * Under hipaa the lines are encrypted whole: they are decrypted with the key ring first, so
 * what is checked is what the key holder would read. The trail verifies afterwards.
 * (test/integration/complianceWiring.test.ts shows the core's part with stand-ins.)
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { verifyTrail } from "@fapilog/audit"
import { decryptLine, KeyRing } from "@fapilog/encryption"
import { runScript } from "../support/script.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
const pluginPath = (name: string) => path.join(root, "plugins", name, "src", "index.ts")

const CARD = "4111111111111111"
const SPACED_CARD = "4111 1111 1111 1111"
const SSN = "123-45-6789"
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXBhcnQ"
const TOKEN = "abc.def.ghi"
const SECRETS = [CARD, SPACED_CARD, SSN, JWT, TOKEN]

const AUDIT_KEY = "ab".repeat(32)
const RING = `k1:${"cd".repeat(32)}`

const program = (profile: string) => `
import { createLogger, Processor, Sink } from "$FAPILOG"
import * as Pii from "${pluginPath("pii")}"
import * as Audit from "${pluginPath("audit")}"
import * as Encryption from "${pluginPath("encryption")}"

// a sink that always fails with the event's message in its error: its batches go to the stderr fallback
const broken = Sink.makeSync("broken", (batch) => { throw new Error("refused: " + batch.events[0]?.message) })
// a processor before the others that throws with the event's values in its message
const fragile = Processor.make("fragile", (e) => { if (e.fields.fail === true) throw new Error("cannot handle " + e.message); return e }, { order: -10 })

const log = await createLogger({
  preset: "production",
  compliance: ["${profile}"],
  circuitBreaker: { failureThreshold: 1000, resetTimeoutMs: 60000 },
  retry: { attempts: 1 },
  sinks: [
    { type: "audit", path: "$DIR/audit", key: "env:E2E_AUDIT_KEY" },
    { type: "file", path: "$DIR/app.log" },
    broken
  ],
  processors: [fragile${profile === "hipaa" ? ', { type: "encryption", keys: "env:E2E_KEYS" }' : ""}],
  ${profile === "gdpr" ? 'minimise: { allow: { "*": ["card", "ssn", "auth", "nested", "fail"] } },' : ""}
  plugins: { use: [Pii.plugin, Audit.plugin, Encryption.plugin] }
})
log.info("pay ${SPACED_CARD}", { card: "${CARD}", ssn: "${SSN}", auth: "Bearer ${JWT}", nested: { note: "ssn ${SSN}" } })
log.audit("refund ${CARD}", { fail: true })
log.security("login Bearer ${TOKEN}")
await log.flush()
console.log(JSON.stringify({ stats: log.stats() }))
await log.close()
`

/** Every text written by the run, decrypted where it was encrypted. */
const outputsOf = (dir: string, r: { stdout: string; stderr: string }, encrypted: boolean) => {
  const ring = KeyRing.load("env:E2E_KEYS", { E2E_KEYS: RING })
  const open = (text: string) =>
    encrypted
      ? text
          .split("\n")
          .map((l) => decryptLine(l, ring).line)
          .join("\n")
      : text
  const auditDir = path.join(dir, "audit")
  const trail = fs
    .readdirSync(auditDir, { recursive: true, encoding: "utf8" })
    .map((f) => path.join(auditDir, f))
    .filter((f) => fs.statSync(f).isFile())
    .map((f) => fs.readFileSync(f, "utf8"))
    .join("\n")
  return {
    trail: open(trail),
    file: open(fs.readFileSync(path.join(dir, "app.log"), "utf8")),
    stdout: open(r.stdout),
    stderr: open(r.stderr)
  }
}

describe("compliance profiles end to end, with the real plugins", () => {
  for (const profile of ["pci-dss", "hipaa", "sox", "gdpr"])
    it(`${profile}: no card number, SSN or bearer token leaves in clear; the trail verifies`, async () => {
      const r = runScript(program(profile), { E2E_AUDIT_KEY: AUDIT_KEY, E2E_KEYS: RING }, 120_000)
      assert.strictEqual(r.status, 0, r.stderr)
      const outputs = outputsOf(r.dir, r, profile === "hipaa")
      for (const [where, text] of Object.entries(outputs))
        for (const secret of SECRETS) assert.notInclude(text, secret, `${profile}: ${where} holds ${secret}`)

      // the events were written (censored), not dropped: the file sink has all three
      const lines = outputs.file
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      assert.deepStrictEqual(
        lines.map((l) => l.level),
        ["info", "audit", "security"]
      )
      // the audit trail holds the audit and security events, and verifies
      assert.include(outputs.trail, '"level":"audit"')
      assert.include(outputs.trail, '"level":"security"')
      const report = await verifyTrail(path.join(r.dir, "audit"), { key: AUDIT_KEY })
      assert.isTrue(report.ok, JSON.stringify(report))
      // the failing sink's batches reached the fallback, the failures diagnostics
      const stderr = outputs.stderr
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      assert.isAtLeast(stderr.filter((l) => l.component === undefined).length, 3, r.stderr)
      assert.isTrue(
        stderr.some((l) => l.component === "sink broken"),
        r.stderr
      )
      const stats = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith('{"stats"')) ?? "{}").stats
      assert.strictEqual(stats.filteredBy?.pii ?? 0, 0)
    })
})
