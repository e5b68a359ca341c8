/**
 * How a compliance profile is wired through a running logger, with STAND-INS for the
 * `@fapilog/pii` and `@fapilog/audit` plugins (registered with `plugins.use` under their
 * types, so that the profile's own `{ type: "pii" }` entry and the `{ type: "audit" }` sink
 * resolve to them). The stand-in pii processor only censors the three shapes below; what
 * this shows is the core's part: the entry the profile adds runs, fails closed, and its
 * protection reaches every way out (the sinks, the stderr fallback of a failing sink, and
 * diagnostics that echo event values). The end-to-end test with the real plugins lives in
 * test/integration/compliance.test.ts once they are merged.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { runScript } from "../support/script.js"

const CARD = "4111111111111111"
const SSN = "123-45-6789"
const TOKEN = "abc.def.ghi"

const standIns = `
import * as fs from "node:fs"
import { Effect, Schema } from "effect"
import { createLogger, Plugin, Processor, Sink } from "$FAPILOG"

const censor = (t) => t.replace(/\\d{13,19}/g, "[card]").replace(/\\d{3}-\\d{2}-\\d{4}/g, "[ssn]").replace(/Bearer \\S+/g, "Bearer [token]")
const deep = (v) => typeof v === "string" ? censor(v) : Array.isArray(v) ? v.map(deep) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)])) : v
const pii = Plugin.processor({
  name: "stand-in-pii", type: "pii", version: "0.0.0", apiVersion: "1.0", description: "stand-in",
  config: Schema.Struct({}),
  make: () => Effect.succeed(Processor.make("pii", (e) => ({ ...e, message: censor(e.message), fields: deep(e.fields) })))
})
const audit = Plugin.sink({
  name: "stand-in-audit", type: "audit", version: "0.0.0", apiVersion: "1.0", description: "stand-in",
  config: Schema.Struct({ path: Schema.String, key: Schema.String }),
  make: ({ path }) => Effect.succeed(Sink.makeSync("audit", (batch) => { for (const e of batch.events) fs.appendFileSync(path, JSON.stringify(e) + "\\n") }))
})
// a sink that always fails, and whose error quotes the event: its batches go to the stderr fallback
const broken = Sink.makeSync("broken", (batch) => { throw new Error("refused: " + batch.events[0]?.message) })
// a processor before pii that throws with the event's values in its message
const fragile = Processor.make("fragile", (e) => { if (e.fields.fail === true) throw new Error("cannot handle " + e.message); return e }, { order: -10 })
`

describe("a compliance profile through a running logger (stand-in plugins)", () => {
  it("pci-dss: a card number, an SSN and a bearer token reach no sink, fallback or diagnostic in clear", () => {
    const r = runScript(
      `${standIns}
const log = await createLogger({
  preset: "production",
  compliance: ["pci-dss"],
  circuitBreaker: { failureThreshold: 1000, resetTimeoutMs: 60000 },
  retry: { attempts: 1 },
  sinks: [{ type: "audit", path: "$DIR/audit.log", key: "env:AUDIT_KEY" }, broken],
  processors: [fragile],
  plugins: { use: [pii, audit] }
})
log.info("pay ${CARD}", { ssn: "${SSN}", authorization_header: "Bearer ${TOKEN}", nested: { card: "${CARD}" } })
log.audit("refund ${CARD}", { fail: true, note: "for ${SSN}" })
await log.flush()
console.log(JSON.stringify(log.stats()))
await log.close()
`,
      { AUDIT_KEY: "ab".repeat(32) }
    )
    assert.strictEqual(r.status, 0, r.stderr)
    const audit = fs.readFileSync(path.join(r.dir, "audit.log"), "utf8")
    for (const out of [audit, r.stdout, r.stderr]) {
      assert.notInclude(out, CARD)
      assert.notInclude(out, SSN)
      assert.notInclude(out, TOKEN)
    }
    // the audit sink and the fallback wrote both events, censored
    assert.strictEqual(audit.split("\n").filter((l) => l.includes("[card]")).length, 2)
    const stderr = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const fallback = stderr.filter((l) => l.component === undefined)
    assert.deepStrictEqual(
      fallback.map((l) => l.message),
      ["pay [card]", "refund [card]"]
    )
    // diagnostics were written, their texts scanned: the failing processor's and the sink's
    const diagnostics = stderr.filter((l) => l.component !== undefined)
    const processor = diagnostics.find((l) => l.component === "processor fragile")
    assert.include(
      (processor?.error as { message?: string } | undefined)?.message,
      "cannot handle refund [card]"
    )
    const sink = diagnostics.find((l) => l.component === "sink broken")
    assert.ok(sink !== undefined, r.stderr)
    assert.notInclude(JSON.stringify(sink), CARD)
  })
})
