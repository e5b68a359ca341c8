/**
 * The alert sink on the Effect 4 line: the same shared rules and sink as
 * test/internal/alertSink.test.ts, with time from Effect 4's `Clock` (a `TestClock` here) for
 * the windows, the cool-down and the periodic check of the sinks' circuits.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { Errors, Fapilog, type LogEvent as LogEventModule, Sink } from "../../src/effect4/index.js"

type LogEvent = LogEventModule.LogEvent

const firings = (events: ReadonlyArray<LogEvent>): Array<LogEvent> =>
  events.filter((e) => e.logger === "fapilog.alert" && e.message === "alert fired")

const settle = Effect.andThen(Fapilog.flush, Fapilog.flush)

const errorsIn = (category: string, n: number) =>
  Effect.forEach(
    Array.from({ length: n }, (_, i) => i),
    (i) => Fapilog.withLogger(Fapilog.error(`query failed ${i}`), category)
  )

describe("alert sink on Effect 4", () => {
  it.effect("window, threshold, dedupe and cool-down on Effect 4's clock; notify takes only firings", () =>
    Effect.gen(function* () {
      const all = Sink.memory()
      const notified = Sink.memory()
      yield* Effect.gen(function* () {
        yield* errorsIn("db", 2)
        yield* errorsIn("web", 4)
        yield* settle
        assert.deepStrictEqual(firings(all.events()), [])
        yield* errorsIn("db", 1)
        yield* settle
        assert.strictEqual(firings(all.events()).length, 1)
        assert.deepInclude(firings(all.events())[0]?.fields, {
          eventCategory: "alert",
          rule: "db-errors",
          count: 3,
          threshold: 2,
          windowMs: 30_000
        })
        // dedupe while due
        yield* errorsIn("db", 4)
        yield* settle
        assert.strictEqual(firings(all.events()).length, 1)
        // a new episode within the cool-down: nothing; after it: a firing at the TestClock's time
        yield* TestClock.adjust("31 seconds")
        yield* errorsIn("db", 3)
        yield* settle
        assert.strictEqual(firings(all.events()).length, 1)
        yield* TestClock.adjust("30 seconds")
        yield* errorsIn("db", 3)
        yield* settle
        const both = firings(all.events())
        assert.strictEqual(both.length, 2)
        assert.strictEqual(both[1]?.timestamp, "1970-01-01T00:01:01.000Z")
        assert.deepStrictEqual(
          notified.events().map((e) => e.fields.rule),
          ["db-errors", "db-errors"]
        )
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
                    window: "30s",
                    cooldown: "1m"
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

  it.effect("sink circuit open, from the logger's health at the periodic check", () =>
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
        assert.deepStrictEqual(firings(all.events()), [])
        yield* TestClock.adjust("2 seconds")
        yield* settle
        const fired = firings(all.events())
        assert.strictEqual(fired.length, 1)
        assert.deepInclude(fired[0]?.fields, { rule: "sink-down", on: "circuit-open", sink: "flaky" })
        yield* TestClock.adjust("10 seconds")
        yield* settle
        assert.strictEqual(firings(all.events()).length, 1)
      }).pipe(
        Effect.provide(
          Fapilog.layer({
            fallback: "null",
            circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 600_000 },
            sinks: [
              all,
              failing,
              { type: "alert", rules: [{ name: "sink-down", on: "circuit-open" }], checkInterval: 2000 }
            ]
          })
        )
      )
    })
  )

  it.effect("settings problems name the field and the accepted values", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.scoped(
          Effect.asVoid(Fapilog.Fapilog).pipe(
            Effect.provide(
              Fapilog.layer({
                sinks: [{ type: "alert", rules: [{ name: "x", on: "sometimes" }] } as never]
              })
            )
          )
        )
      )
      assert.instanceOf(error, Errors.ConfigError)
      assert.deepStrictEqual((error as Errors.ConfigError).issues, [
        { path: "sinks[0].rules[0].on", message: '"sometimes" is not one of events, circuit-open' }
      ])
    })
  )
})
