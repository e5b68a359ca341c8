import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { isoMillis } from "../src/isoTime.js"

describe("isoMillis", () => {
  it("agrees with Date.parse on fapilog's timestamps, within a minute and across minutes", () => {
    const base = Date.UTC(2026, 0, 2, 3, 4, 5, 6)
    for (let i = 0; i < 200_000; i += 997) {
      const t = new Date(base + i).toISOString()
      assert.strictEqual(isoMillis(t), Date.parse(t), t)
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        const t = new Date(ms).toISOString()
        assert.strictEqual(isoMillis(t), ms)
      })
    )
  })

  it("anything else is Date.parse's answer: other forms, leap seconds, non-digits, garbage", () => {
    const first = "2026-01-02T03:04:05.006Z"
    assert.strictEqual(isoMillis(first), Date.parse(first))
    for (const t of [
      "2026-01-02T03:04:60.000Z",
      "2026-01-02T03:04:5x.006Z",
      "2026-01-02T03:04:05.0a6Z",
      "2026-01-02T03:04:05Z",
      "2026-01-02T03:04:05.006+01:00",
      "2026-01-02 03:04:05.006Z",
      "not a time",
      ""
    ])
      assert.deepStrictEqual(isoMillis(t), Date.parse(t), t)
  })
})
