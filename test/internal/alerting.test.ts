import { assert, describe, it } from "@effect/vitest"
import { AlertRules, type Firing, SlidingCount } from "../../src/internal/alerting.js"
import { severityOf } from "../../src/internal/eventCategory.js"
import type { LogEvent } from "../../src/LogEvent.js"

const event = (
  level: string,
  logger: string,
  message = "m",
  fields: Record<string, unknown> = {}
): LogEvent =>
  ({ timestamp: "2026-01-01T00:00:00.000Z", level, logger, message, fields }) as unknown as LogEvent

const errorsOf = (logger: string, n: number, fields: Record<string, unknown> = {}): Array<LogEvent> =>
  Array.from({ length: n }, (_, i) => event("error", logger, `failure ${i}`, fields))

const rules = (f: ReadonlyArray<Firing>) => f.map((x) => x.rule)

describe("SlidingCount", () => {
  it("counts the events of the last window, in steps of 1/60 of it, and forgets the older ones", () => {
    const w = new SlidingCount(60_000)
    w.add(0)
    w.add(500)
    w.add(30_000)
    assert.strictEqual(w.count(30_000), 3)
    // the step of 0..999 leaves the window once the step 60 s later begins
    assert.strictEqual(w.count(59_999), 3)
    assert.strictEqual(w.count(60_000), 1)
    assert.strictEqual(w.count(89_999), 1)
    assert.strictEqual(w.count(90_000), 0)
    // a counter reused for a later step starts again from zero
    w.add(120_000)
    assert.strictEqual(w.count(120_000), 1)
  })

  it("a window shorter than 60 ms counts in 1 ms steps", () => {
    const w = new SlidingCount(10)
    w.add(5)
    assert.strictEqual(w.count(14), 1)
    assert.strictEqual(w.count(15), 0)
  })
})

describe("AlertRules: events rules", () => {
  const dbErrors = {
    name: "db-errors",
    level: "error" as const,
    categories: ["app.db"],
    threshold: 3,
    window: 10_000,
    cooldown: 30_000
  }

  it("fires once the count within the window passes the threshold, with the count and window", () => {
    const r = new AlertRules([dbErrors])
    assert.deepStrictEqual(r.observe(errorsOf("app.db", 3), 0), [])
    // other loggers and lower levels do not count
    assert.deepStrictEqual(r.observe([...errorsOf("app.web", 5), event("warn", "app.db.pool")], 0), [])
    const fired = r.observe(errorsOf("app.db.pool", 1), 1_000)
    assert.strictEqual(fired.length, 1)
    const f = fired[0] as Firing
    assert.strictEqual(f.rule, "db-errors")
    assert.strictEqual(f.level, "error")
    assert.deepInclude(f.fields, {
      eventCategory: "alert",
      rule: "db-errors",
      on: "events",
      count: 4,
      threshold: 3,
      windowMs: 10_000
    })
    assert.deepStrictEqual(f.fields.trigger, {
      logger: "app.db.pool",
      level: "error",
      message: "failure 0",
      timestamp: "2026-01-01T00:00:00.000Z"
    })
  })

  it("events that leave the window stop counting", () => {
    const r = new AlertRules([dbErrors])
    assert.deepStrictEqual(r.observe(errorsOf("app.db", 3), 0), [])
    // 10 s later the first three have left the window: three more are not more than 3
    assert.deepStrictEqual(r.observe(errorsOf("app.db", 3), 10_000), [])
    assert.strictEqual(rules(r.observe(errorsOf("app.db", 1), 10_500)).length, 1)
  })

  it("dedupe: an active key fires once; cool-down: not again before it is over", () => {
    const r = new AlertRules([dbErrors])
    assert.strictEqual(r.observe(errorsOf("app.db", 4), 0).length, 1)
    // still due: active, no second firing
    assert.deepStrictEqual(r.observe(errorsOf("app.db", 20), 1_000), [])
    // the window empties: no longer active
    r.check([], 12_000)
    // due again 25 s after the firing: within the 30 s cool-down
    assert.deepStrictEqual(r.observe(errorsOf("app.db", 4), 25_000), [])
    // still due after the cool-down: the next matching event fires
    assert.deepStrictEqual(rules(r.observe(errorsOf("app.db", 1), 30_000)), ["db-errors"])
  })

  it("a key that is no longer due is inactive again without a check (an event shows it)", () => {
    const r = new AlertRules([{ name: "any", threshold: 0, window: 1_000, cooldown: 0 }])
    assert.strictEqual(r.observe([event("info", "app")], 0).length, 1)
    assert.strictEqual(r.observe([event("info", "app")], 500).length, 0)
    // 2 s on, the window held nothing before this event: a new episode
    assert.strictEqual(r.observe([event("info", "app")], 2_000).length, 1)
  })

  it("by logger or by a field: each key counts and fires on its own, and keys are bounded", () => {
    const r = new AlertRules([
      { name: "per-logger", level: "error", threshold: 1, by: "logger", cooldown: 0 },
      { name: "per-tenant", threshold: 0, by: { field: "tenant" }, cooldown: 0, maxKeys: 2 }
    ])
    const fired = r.observe(
      [...errorsOf("app.a", 2), ...errorsOf("app.b", 1), event("info", "app", "x", { tenant: "t1" })],
      0
    )
    assert.deepStrictEqual(
      fired.map((f) => [f.rule, f.fields.by, f.fields.key]),
      [
        ["per-tenant", "tenant", "(none)"],
        ["per-logger", "logger", "app.a"],
        ["per-tenant", "tenant", "t1"]
      ]
    )
    r.observe(
      ["t2", "t3", "t4"].map((t) => event("info", "app", "x", { tenant: t })),
      0
    )
    assert.strictEqual(r.keyCount("per-tenant"), 2)
  })

  it("matches eventCategory, severity, message and fields; never counts alert events", () => {
    const r = new AlertRules([
      { name: "security", eventCategory: ["security"], cooldown: 0 },
      { name: "high", minSeverity: "high", cooldown: 0, window: 1 },
      { name: "timeouts", message: "timed out", fields: { code: "ETIMEDOUT", retry: false }, cooldown: 0 }
    ])
    assert.deepStrictEqual(
      rules(r.observe([event("info", "app", "login failed", { eventCategory: "security" })], 0)),
      ["security", "high"]
    )
    assert.deepStrictEqual(
      rules(r.observe([event("info", "app", "x", { eventCategory: "availability" })], 10)),
      ["high"]
    )
    assert.deepStrictEqual(
      rules(r.observe([event("info", "app", "x", { eventCategory: "business" })], 20)),
      []
    )
    assert.deepStrictEqual(
      rules(r.observe([event("warn", "app", "query timed out", { code: "ETIMEDOUT", retry: true })], 30)),
      []
    )
    assert.deepStrictEqual(
      rules(r.observe([event("warn", "app", "query timed out", { code: "ETIMEDOUT", retry: false })], 40)),
      ["timeouts"]
    )
    // a firing's own event (eventCategory "alert", severity high) is never counted
    assert.deepStrictEqual(
      rules(r.observe([event("error", "fapilog.alert", "alert fired", { eventCategory: "alert" })], 50)),
      []
    )
    assert.strictEqual(severityOf("alert"), "high")
  })

  it("a firing repeats at most 1,000 characters of the triggering message", () => {
    const r = new AlertRules([{ name: "any" }])
    const fired = r.observe([event("info", "app", "x".repeat(5_000))], 0)
    const trigger = fired[0]?.fields.trigger as { readonly message: string } | undefined
    assert.strictEqual(trigger?.message, `${"x".repeat(1_000)}…`)
  })

  it("hostile fields (a throwing getter) neither throw nor match", () => {
    const r = new AlertRules([{ name: "f", fields: { a: 1 }, cooldown: 0 }])
    const fields = Object.defineProperty({}, "a", {
      enumerable: true,
      get() {
        throw new Error("boom")
      }
    })
    assert.deepStrictEqual(r.observe([event("info", "app", "x", fields)], 0), [])
  })
})

describe("AlertRules: circuit rules", () => {
  it("fires once per sink whose circuit is open, again only after it closed and the cool-down passed", () => {
    const r = new AlertRules([{ name: "sink-down", on: "circuit-open", cooldown: 60_000 }])
    const open = [
      { name: "webhook", status: "circuit-open", failures: 5 },
      { name: "stdout", status: "ok" }
    ]
    const fired = r.check(open, 0)
    assert.deepStrictEqual(
      fired.map((f) => f.fields),
      [{ eventCategory: "alert", rule: "sink-down", on: "circuit-open", sink: "webhook", failures: 5 }]
    )
    assert.deepStrictEqual(r.check(open, 1_000), [])
    // closed, then open again within the cool-down: nothing
    r.check([{ name: "webhook", status: "ok" }], 2_000)
    assert.deepStrictEqual(r.check(open, 30_000), [])
    assert.strictEqual(r.check(open, 60_000).length, 1)
  })

  it("only the sinks it names", () => {
    const r = new AlertRules([{ name: "loki-down", on: "circuit-open", sinks: ["loki"], cooldown: 0 }])
    assert.deepStrictEqual(r.check([{ name: "webhook", status: "circuit-open" }], 0), [])
    assert.strictEqual(r.check([{ name: "loki", status: "circuit-open" }], 0).length, 1)
  })
})
