import { assert, describe, it } from "@effect/vitest"
import { BatchImpl } from "../../src/internal/batch.js"
import { consoleSink } from "../../src/internal/consoleSink.js"
import * as L from "../../src/internal/level.js"
import { recordOf } from "../../src/internal/record.js"

describe("consoleSink", () => {
  it("writes each event as one JSON line with the console method of its level", () => {
    const calls: Array<[string, string]> = []
    const saved = { debug: console.debug, info: console.info, warn: console.warn, error: console.error }
    for (const m of ["debug", "info", "warn", "error"] as const)
      console[m] = (line: string) => calls.push([m, line])
    try {
      const records = (["trace", "info", "warn", "fatal", "security"] as const).map((level, i) =>
        recordOf(L.levels[level], `m${i}\nsecond line`, { time: 0, logger: "web", fields: { i } })
      )
      consoleSink().writeSync?.(new BatchImpl(records))
    } finally {
      Object.assign(console, saved)
    }
    assert.deepStrictEqual(
      calls.map(([m]) => m),
      ["debug", "info", "warn", "error", "warn"]
    )
    calls.forEach(([, line], i) => {
      const event = JSON.parse(line) as Record<string, unknown>
      assert.strictEqual(event.message, `m${i}\nsecond line`)
      assert.strictEqual(event.i, i)
    })
  })
})
