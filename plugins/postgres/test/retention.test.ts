/**
 * Retention of daily partitions: the plan (which partitions, by which policy) as a pure
 * function, then the sink against Debian's PostgreSQL on Effect 3 (the same suite runs on
 * Effect 4 from test/effect4/plugins/postgres.test.ts).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { checkEveryMs, dayOf, type Partition, plan } from "../src/internal/retention.js"
import { type Postgres, startPostgres } from "./postgresServer.js"
import { describePostgresRetention } from "./retention.js"

const DAY = 86_400_000
const NOW = Date.parse("2026-12-06T21:00:00.000Z")
const part = (name: string, bytes = 100): Partition => ({ schema: "public", name, bytes })

describe("the retention plan", () => {
  it("reads a day only from <table>_YYYYMMDD names of real days", () => {
    assert.strictEqual(dayOf("logs", "logs_20261105"), "2026-11-05")
    assert.strictEqual(dayOf("logs", "logs_default"), undefined)
    assert.strictEqual(dayOf("logs", "logs_20261399"), undefined)
    assert.strictEqual(dayOf("logs", "logs_2026110"), undefined)
    assert.strictEqual(dayOf("logs", "logs_x_20261105"), undefined)
    assert.strictEqual(dayOf("logs", "other_20261105"), undefined)
  })

  it("maxAge: the age is the time since the end of the day; oldest first; today's and later never", () => {
    const partitions = [
      part("logs_20261206"),
      part("logs_20261207"),
      part("logs_20261203"),
      part("logs_20261202"),
      part("logs_20261120"),
      part("logs_default")
    ]
    const drops = plan(partitions, "logs", NOW, { maxAgeMs: 3 * DAY })
    assert.deepStrictEqual(
      drops.map((d) => [d.partition.name, d.day, d.ageMs, d.policy]),
      [
        ["logs_20261120", "2026-11-20", 15 * DAY + 21 * 3_600_000, "maxAge"],
        ["logs_20261202", "2026-12-02", 3 * DAY + 21 * 3_600_000, "maxAge"]
      ]
    )
    assert.deepStrictEqual(plan(partitions, "logs", NOW, { maxAgeMs: 1 }).length, 3)
  })

  it("maxTotalBytes counts every partition (default and today's too) and drops the oldest past ones until it holds", () => {
    const partitions = [
      part("logs_default", 50),
      part("logs_20261206", 400),
      part("logs_20261205", 100),
      part("logs_20261204", 200),
      part("logs_20261203", 300)
    ]
    // 1050 in all: dropping 20261203 (300) leaves 750, then 20261204 (200) leaves 550
    assert.deepStrictEqual(
      plan(partitions, "logs", NOW, { maxTotalBytes: 600 }).map((d) => [d.partition.name, d.policy]),
      [
        ["logs_20261203", "maxTotalBytes"],
        ["logs_20261204", "maxTotalBytes"]
      ]
    )
    // under the limit only with today's gone: every past partition goes, today's stays
    assert.deepStrictEqual(
      plan(partitions, "logs", NOW, { maxTotalBytes: 1 }).map((d) => d.partition.name),
      ["logs_20261203", "logs_20261204", "logs_20261205"]
    )
    // each is dropped by the first policy it breaks
    assert.deepStrictEqual(
      plan(partitions, "logs", NOW, { maxAgeMs: 2 * DAY, maxTotalBytes: 600 }).map((d) => d.policy),
      ["maxAge", "maxTotalBytes"]
    )
    assert.deepStrictEqual(plan(partitions, "logs", NOW, { maxTotalBytes: 1050 }), [])
  })

  it("runs hourly, or every maxAge when shorter, at most once a second", () => {
    assert.strictEqual(checkEveryMs({ maxTotalBytes: 10 }), 3_600_000)
    assert.strictEqual(checkEveryMs({ maxAgeMs: 30 * DAY }), 3_600_000)
    assert.strictEqual(checkEveryMs({ maxAgeMs: 60_000 }), 60_000)
    assert.strictEqual(checkEveryMs({ maxAgeMs: 5 }), 1000)
  })
})

let server: Postgres | undefined
beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.close())

describePostgresRetention(() => server!, 3)
