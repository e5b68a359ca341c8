/**
 * The alert sink in a logger (`{ type: "alert", rules, notify }`): windows, thresholds, dedupe
 * and cool-down driven by `TestClock`, the circuit rule reading the logger's own health, and
 * the firings logged as events of their own and handed to the notify sinks only.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Errors, Fapilog, type LogEvent as LogEventModule, Sink } from "../../src/index.js"
import { alertLogger, firedMessage } from "../../src/internal/alerting.js"

type LogEvent = LogEventModule.LogEvent

const firings = (events: ReadonlyArray<LogEvent>): Array<LogEvent> =>
  events.filter((e) => e.logger === alertLogger && e.message === firedMessage)

/** Everything accepted written, then the firings those events caused (logged after their batch). */
const settle = Effect.zipRight(Fapilog.flush, Fapilog.flush)

const errorsIn = (category: string, n: number) =>
  Effect.forEach(
    Array.from({ length: n }, (_, i) => i),
    (i) => Fapilog.withLogger(Fapilog.error(`query failed ${i}`), category)
  )

describe("alert sink", () => {
  it.effect("window, threshold, dedupe and cool-down, on Effect's clock", () =>
    Effect.gen(function* () {
      const all = Sink.memory()
      const notified = Sink.memory()
      yield* Effect.gen(function* () {
        yield* errorsIn("db", 2)
        // other loggers and lower levels are not counted
        yield* errorsIn("web", 5)
        yield* Fapilog.withLogger(Fapilog.warn("slow"), "db")
        yield* settle
        assert.deepStrictEqual(firings(all.events()), [])
        yield* errorsIn("db.pool", 1)
        yield* settle
        const first = firings(all.events())
        assert.strictEqual(first.length, 1)
        const f = first[0] as LogEvent
        assert.strictEqual(f.level, "error")
        assert.strictEqual(f.timestamp, "1970-01-01T00:00:00.000Z", "the firing's time is the TestClock's")
        assert.deepInclude(f.fields, {
          eventCategory: "alert",
          rule: "db-errors",
          on: "events",
          count: 3,
          threshold: 2,
          windowMs: 60_000
        })
        // dedupe: still due, already fired
        yield* errorsIn("db", 5)
        yield* settle
        assert.strictEqual(firings(all.events()).length, 1)
        // the window empties; due again 61 s after the firing, within the 120 s cool-down
        yield* TestClock.adjust("61 seconds")
        yield* errorsIn("db", 3)
        yield* settle
        assert.strictEqual(firings(all.events()).length, 1)
        // past the cool-down, a new episode fires
        yield* TestClock.adjust("60 seconds")
        yield* errorsIn("db", 3)
        yield* settle
        const both = firings(all.events())
        assert.strictEqual(both.length, 2)
        assert.strictEqual(both[1]?.timestamp, "1970-01-01T00:02:01.000Z")
        // the notify sink took the firings and nothing else
        assert.deepStrictEqual(
          notified.events().map((e) => [e.message, e.fields.rule]),
          [
            ["alert fired", "db-errors"],
            ["alert fired", "db-errors"]
          ]
        )
        const stats = yield* Fapilog.stats
        assert.strictEqual(stats.settled, stats.accepted)
      }).pipe(
        Effect.provide(
          Fapilog.layer({
            sinks: [
              all,
              {
                type: "alert",
                rules: [
                  {
                    name: "db-errors",
                    level: "error",
                    categories: ["app.db"],
                    threshold: 2,
                    window: "1m",
                    cooldown: "2m"
                  }
                ],
                notify: notified
              }
            ]
          })
        )
      )
    })
  )

  it.effect("any security event, by its eventCategory; fires per key", () =>
    Effect.gen(function* () {
      const notified = Sink.memory()
      yield* Effect.gen(function* () {
        yield* Fapilog.info("login failed", { eventCategory: "security", user: "ann" })
        yield* Fapilog.info("login failed", { eventCategory: "security", user: "bob" })
        yield* Fapilog.info("login failed", { eventCategory: "security", user: "ann" })
        yield* Fapilog.info("page viewed", { eventCategory: "business", user: "cat" })
        yield* settle
        assert.deepStrictEqual(
          notified.events().map((e) => [e.level, e.fields.rule, e.fields.key, e.fields.count]),
          [
            ["warn", "security", "ann", 1],
            ["warn", "security", "bob", 1]
          ]
        )
      }).pipe(
        Effect.provide(
          Fapilog.layer({
            sinks: [
              "null",
              {
                type: "alert",
                rules: [
                  { name: "security", eventCategory: "security", by: { field: "user" }, alertLevel: "warn" }
                ],
                notify: [notified]
              }
            ]
          })
        )
      )
    })
  )

  it.effect("each alert sink's notify sinks take its own firings only, whatever the rule names", () =>
    Effect.gen(function* () {
      const errors = Sink.memory()
      const security = Sink.memory()
      yield* Effect.gen(function* () {
        yield* Fapilog.error("failed")
        yield* Fapilog.warn("login failed", { eventCategory: "security" })
        yield* settle
        assert.deepStrictEqual(
          errors.events().map((e) => e.fields.trigger),
          [{ logger: "app", level: "error", message: "failed", timestamp: "1970-01-01T00:00:00.000Z" }]
        )
        assert.deepStrictEqual(
          security.events().map((e) => (e.fields.trigger as { message: string }).message),
          ["login failed"]
        )
      }).pipe(
        Effect.provide(
          Fapilog.layer({
            sinks: [
              { type: "alert", rules: [{ name: "page", level: "error" }], notify: errors },
              { type: "alert", rules: [{ name: "page", eventCategory: "security" }], notify: security }
            ]
          })
        )
      )
    })
  )

  it.effect("sink circuit open: read from the logger's health at each check", () =>
    Effect.gen(function* () {
      const all = Sink.memory()
      const failing: Sink.Sink = {
        name: "flaky",
        write: () => Effect.die("unused"),
        writeSync: () => {
          throw new Error("disk gone")
        }
      }
      yield* Effect.gen(function* () {
        yield* Fapilog.info("one")
        yield* settle
        const health = yield* Fapilog.health
        assert.strictEqual(health.sinks.find((s) => s.name === "flaky")?.status, "circuit-open")
        assert.deepStrictEqual(firings(all.events()), [], "nothing before the check")
        yield* TestClock.adjust("5 seconds")
        yield* settle
        const fired = firings(all.events())
        assert.strictEqual(fired.length, 1)
        assert.deepInclude(fired[0]?.fields, {
          eventCategory: "alert",
          rule: "sink-down",
          on: "circuit-open",
          sink: "flaky",
          failures: 1
        })
        // still open at the next checks: fired once
        yield* TestClock.adjust("20 seconds")
        yield* settle
        assert.strictEqual(firings(all.events()).length, 1)
      }).pipe(
        Effect.provide(
          Fapilog.layer({
            circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 600_000 },
            sinks: [
              all,
              failing,
              { type: "alert", rules: [{ name: "sink-down", on: "circuit-open" }], checkInterval: "5s" }
            ]
          })
        )
      )
    })
  )

  it.effect("rules are checked with the settings: each problem names its field and what is accepted", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.scoped(
          Effect.flatMap(Fapilog.Fapilog, () => Effect.void).pipe(
            Effect.provide(
              Fapilog.layer({
                sinks: [
                  {
                    type: "alert",
                    rules: [
                      { name: "a", level: "loud", threshold: -1, window: "soon", by: "user" },
                      { name: "a", on: "circuit-closed" },
                      { name: "b", on: "circuit-open", threshold: 3 },
                      { categories: ["app..db"], eventCategory: [], minSeverity: "urgent", fields: { n: {} } }
                    ],
                    notify: { type: "file" },
                    extra: 1
                  } as never
                ]
              })
            )
          )
        )
      )
      assert.instanceOf(error, Errors.ConfigError)
      const at = (path: string) =>
        (error as Errors.ConfigError).issues.find((i) => i.path === path)?.message ?? `nothing at ${path}`
      assert.include(at("sinks[0].extra"), "accepted: type, rules, notify, checkInterval")
      assert.include(at("sinks[0].rules[0].level"), "is not one of trace, debug, info, warn, error")
      assert.include(at("sinks[0].rules[0].threshold"), "is not a whole number of events between 0 and")
      assert.include(at("sinks[0].rules[0].window"), "is not an interval")
      assert.include(at("sinks[0].rules[0].by"), 'is not one of "logger", or { field:')
      assert.include(at("sinks[0].rules[1].on"), '"circuit-closed" is not one of events, circuit-open')
      assert.include(
        at("sinks[0].rules[2].threshold"),
        "is not a key of a circuit-open alert rule; accepted: name, on, sinks"
      )
      assert.include(at("sinks[0].rules[3].name"), "is required")
      assert.include(at("sinks[0].rules[3].categories"), "is not a non-empty list of categories")
      assert.include(at("sinks[0].rules[3].eventCategory"), "documented: security, alert, audit")
      assert.include(at("sinks[0].rules[3].minSeverity"), "is not one of low, medium, high, critical")
      assert.include(at("sinks[0].rules[3].fields.n"), "a string, a finite number, true, false or null")
      assert.include(at("sinks[0].notify[0].path"), "is required")
    })
  )

  it.effect("two rules of one name are refused", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.scoped(
          Effect.asVoid(Fapilog.Fapilog).pipe(
            Effect.provide(
              Fapilog.layer({
                sinks: [{ type: "alert", rules: [{ name: "x" }, { name: "x", on: "circuit-open" }] }]
              })
            )
          )
        )
      )
      assert.instanceOf(error, Errors.ConfigError)
      assert.deepStrictEqual((error as Errors.ConfigError).issues, [
        {
          path: "sinks[0].rules[1].name",
          message: '"x" is the name of sinks[0].rules[0] too: rule names are unique within an alert sink'
        }
      ])
    })
  )
})
