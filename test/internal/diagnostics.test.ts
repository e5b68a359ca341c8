import { assert, describe, it } from "@effect/vitest"
import { Diagnostics } from "../../src/internal/diagnostics.js"

describe("Diagnostics", () => {
  it("is rate-limited per component and says how many reports it suppressed", async () => {
    const lines: Array<string> = []
    const d = new Diagnostics("app", (l) => lines.push(l), 50)
    for (let i = 0; i < 100; i++) d.report("sink file", "write failed", new Error("EIO"))
    d.report("enricher region", "failed")
    assert.strictEqual(lines.length, 2, "one line per component within the interval: never a flood")
    await new Promise((r) => setTimeout(r, 60))
    d.report("sink file", "write failed", new Error("EIO"), { circuit: "open" })
    const last = JSON.parse(lines[2] as string)
    assert.strictEqual(last.suppressed, 99, "never silent: the count of what was held back")
    assert.strictEqual(last.component, "sink file")
    assert.strictEqual(last.circuit, "open")
    assert.strictEqual(last.error.message, "EIO")
    assert.strictEqual(last.logger, "fapilog")
    assert.strictEqual(last.pipeline, "app")
  })

  it("never throws when stderr itself fails", () => {
    const d = new Diagnostics("app", () => {
      throw new Error("EPIPE")
    })
    assert.doesNotThrow(() => d.report("x", "y"))
  })
})
