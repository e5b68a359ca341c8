/**
 * The Effect 4 bridge (src/effect4/logger.ts): level mapping, the loggers a fapilog layer
 * installs, and the fields bound on the Promise side reaching Effect 4 lines.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger, References } from "effect"
import type * as LogLevel from "effect/LogLevel"
import * as bridge from "../../src/effect4/logger.js"
import { Diagnostics } from "../../src/internal/diagnostics.js"
import { withContext } from "../../src/internal/facade.js"
import * as L from "../../src/internal/level.js"
import * as Pipeline from "../../src/internal/pipeline.js"
import * as Sink from "../../src/Sink.js"

const pipeline = (level: L.LevelName) => {
  const memory = Sink.memory()
  return Effect.map(
    Pipeline.make({
      name: "bridge",
      level,
      capacity: 64,
      shutdownTimeout: 1000,
      sinks: [memory],
      diagnostics: new Diagnostics("bridge", () => {}, 0)
    }),
    (p) => ({ p, memory })
  )
}

describe("levels", () => {
  it("every Effect 4 level maps to fapilog's, and back (audit and security to Fatal)", () => {
    const levels: Array<LogLevel.LogLevel> = [
      "All",
      "Trace",
      "Debug",
      "Info",
      "Warn",
      "Error",
      "Fatal",
      "None"
    ]
    assert.deepStrictEqual(
      levels.map((l) => bridge.fromEffectLevel(l)?.name),
      ["trace", "trace", "debug", "info", "warn", "error", "fatal", undefined]
    )
    assert.deepStrictEqual(
      L.levelNames.map((l) => bridge.toEffectLevel(l)),
      ["Trace", "Debug", "Info", "Warn", "Error", "Fatal", "Fatal", "Fatal"]
    )
  })
})

describe("the loggers a fapilog layer installs", () => {
  it.effect("fapilog's own, in place of Effect's default logger and of an enclosing fapilog layer's", () =>
    Effect.gen(function* () {
      const { p: outer } = yield* pipeline("info")
      const { p: inner } = yield* pipeline("info")
      const app = Logger.make(() => {})
      const first = [...bridge.loggersFor(outer, [Logger.defaultLogger, Logger.tracerLogger, app])]
      assert.strictEqual(first.length, 3)
      assert.isTrue(bridge.isFapilogLogger(first[2]!))
      assert.deepStrictEqual(first.slice(0, 2).map(bridge.ungated), [Logger.tracerLogger, app])
      // a nested layer: the outer layer's logger gives way, the others are gated once, not twice
      const second = [...bridge.loggersFor(inner, first)]
      assert.strictEqual(second.length, 3)
      assert.deepStrictEqual(second.slice(0, 2).map(bridge.ungated), [Logger.tracerLogger, app])
      assert.notStrictEqual(second[2], first[2])
    })
  )

  it.effect("a kept logger sees only the calls the pipeline's threshold lets through, now", () =>
    Effect.gen(function* () {
      const { p } = yield* pipeline("warn")
      const seen: Array<unknown> = []
      const gated = bridge.gate(
        Logger.make(({ message }) => void seen.push(message)),
        p
      )
      yield* Effect.gen(function* () {
        yield* Effect.logInfo("below")
        yield* Effect.logError("above")
        p.setLevel("debug")
        yield* Effect.logDebug("below before, above now")
        yield* Effect.log("none").pipe(Effect.provideService(Logger.CurrentLoggers, new Set()))
      }).pipe(
        Effect.provide(Logger.layer([gated])),
        // as a fapilog layer does: Effect's own minimum level open, the threshold decides
        Effect.provideService(References.MinimumLogLevel, "All")
      )
      assert.deepStrictEqual(seen, [["above"], ["below before, above now"]])
      assert.strictEqual(bridge.ungated(Logger.defaultLogger), Logger.defaultLogger)
    })
  )
})

describe("bound fields", () => {
  it.effect(
    "the Promise side's withContext reaches Effect.log* lines run inside it, below withBindings",
    () =>
      Effect.gen(function* () {
        const { p, memory } = yield* pipeline("info")
        const program = Effect.gen(function* () {
          yield* Effect.log("promise side")
          yield* Effect.log("both").pipe(bridge.withBindings({ job: "j-1" }))
        }).pipe(Effect.provide(Logger.layer([bridge.make(p)])))
        yield* Effect.promise(() => withContext({ requestId: "r-7" }, () => Effect.runPromise(program)))
        yield* p.flush
        assert.deepStrictEqual(
          memory.events().map((e) => [e.message, e.fields]),
          [
            ["promise side", { requestId: "r-7" }],
            ["both", { requestId: "r-7", job: "j-1" }]
          ]
        )
      })
  )
})
