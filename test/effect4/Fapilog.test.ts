/**
 * The Effect 4 line's `Fapilog` (src/Fapilog.ts with src/effect4/fapilogLayer.ts), scenario for scenario the Effect 3
 * suite's test/Fapilog.test.ts, written with Effect 4's API. Runs under Node 22 and vitest 5:
 * `npm run test:effect4`.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it, layer } from "@effect/vitest"
import {
  Cause,
  ConfigProvider,
  Context,
  Data,
  Deferred,
  Effect,
  Exit,
  Fiber,
  Layer,
  Logger,
  References,
  Scope
} from "effect"
import {
  CapturedLogs,
  createLogger,
  Enricher,
  type Errors,
  Fapilog,
  FapilogTest,
  makeFapilogTest,
  Processor,
  Sink,
  withContext
} from "../../src/effect4/index.js"
import type { Pipeline } from "../../src/internal/pipeline.js"
import type { LogEvent } from "../../src/LogEvent.js"

class PaymentDeclined extends Data.TaggedError("PaymentDeclined")<{ readonly card: string }> {}

const captured = Effect.flatMap(CapturedLogs, (logs) => logs.events)
const clear = Effect.flatMap(CapturedLogs, (logs) => logs.clear)

const readLines = (file: string): Array<Record<string, unknown>> =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe("Fapilog layer on Effect 4", () => {
  layer(FapilogTest)("with FapilogTest", (it) => {
    it.effect("Effect.log* and annotations land in the pipeline", () =>
      Effect.gen(function* () {
        yield* clear
        yield* Effect.log("plain")
        yield* Effect.logInfo("annotated").pipe(Effect.annotateLogs({ userId: 7, correlationId: "c-9" }))
        yield* Effect.logWarning("several", "parts", 3)
        const events = yield* captured
        assert.deepStrictEqual(
          events.map((e) => [e.level, e.message]),
          [
            ["info", "plain"],
            ["info", "annotated"],
            ["warn", "several parts 3"]
          ]
        )
        assert.deepStrictEqual(events[1]?.fields, { userId: 7 })
        assert.strictEqual(events[1]?.correlationId, "c-9")
        assert.strictEqual(events[0]?.logger, "test")
      })
    )

    it.effect("debug and trace arrive when the level allows them", () =>
      Effect.gen(function* () {
        yield* clear
        yield* Effect.logDebug("debug")
        yield* Effect.logTrace("trace")
        const events = yield* captured
        assert.deepStrictEqual(
          events.map((e) => e.level),
          ["debug", "trace"]
        )
      })
    )

    it.effect("spans give trace and span ids, log spans give durations, innermost first", () =>
      Effect.gen(function* () {
        yield* clear
        const span = yield* Effect.log("inside").pipe(
          Effect.withLogSpan("checkout"),
          Effect.withLogSpan("request"),
          Effect.andThen(Effect.currentSpan),
          Effect.withSpan("handler")
        )
        const [event] = yield* captured
        assert.strictEqual(event?.traceId, span.traceId)
        assert.strictEqual(event?.spanId, span.spanId)
        assert.deepStrictEqual(Object.keys(event?.spans ?? {}), ["checkout", "request"])
      })
    )

    it.effect("causes and errors become structured errors", () =>
      Effect.gen(function* () {
        yield* clear
        yield* Effect.fail(new PaymentDeclined({ card: "visa" })).pipe(
          Effect.catchCause((cause) => Effect.logError("payment failed", cause))
        )
        yield* Effect.logError("thrown", new RangeError("out of range"))
        yield* Effect.die(new Error("defect")).pipe(Effect.catchCause((c) => Effect.logFatal("crashed", c)))
        yield* Effect.interrupt.pipe(Effect.catchCause((c) => Effect.logWarning("interrupted", c)))
        const events = yield* captured
        assert.strictEqual(events[0]?.error?.type, "PaymentDeclined")
        assert.deepStrictEqual(events[0]?.error?.details, { card: "visa" })
        assert.strictEqual(events[1]?.message, "thrown")
        assert.strictEqual(events[1]?.error?.type, "RangeError")
        assert.strictEqual(events[2]?.error?.message, "defect")
        assert.strictEqual(events[2]?.level, "fatal")
        assert.deepStrictEqual(events[3]?.error, {
          type: "Interrupted",
          message: "The fiber was interrupted"
        })
      })
    )

    it.effect("Fapilog.info and friends carry fields, annotations and every level", () =>
      Effect.gen(function* () {
        yield* clear
        yield* Fapilog.info("signed in", { userId: 1 }).pipe(Effect.annotateLogs("tenant", "acme"))
        yield* Fapilog.audit("role granted", { role: "admin" })
        yield* Fapilog.security("blocked", { ip: "203.0.113.7" })
        yield* Fapilog.error("failed", new Error("boom"))
        yield* Effect.all([Fapilog.trace("t"), Fapilog.debug("d"), Fapilog.warn("w"), Fapilog.fatal("f")])
        yield* Fapilog.info("in span").pipe(Effect.withSpan("s"), Effect.withLogSpan("ls"))
        const events = yield* captured
        assert.deepStrictEqual(events[0]?.fields, { tenant: "acme", userId: 1 })
        assert.deepStrictEqual(
          events.map((e) => e.level),
          ["info", "audit", "security", "error", "trace", "debug", "warn", "fatal", "info"]
        )
        assert.strictEqual(events[3]?.error?.message, "boom")
        assert.isString(events[8]?.traceId)
        assert.deepStrictEqual(Object.keys(events[8]?.spans ?? {}), ["ls"])
      })
    )

    it.effect("withContext binds fields to the effect and every fiber it forks, below annotations", () =>
      Effect.gen(function* () {
        yield* clear
        yield* Effect.gen(function* () {
          yield* Effect.log("outer")
          yield* Effect.forkChild(Fapilog.info("forked", { own: 1 })).pipe(Effect.flatMap(Fiber.await))
          yield* Effect.log("inner").pipe(
            Fapilog.withContext({ step: "two", tenant: "inner" }),
            Effect.annotateLogs({ step: "annotated" })
          )
        }).pipe(Fapilog.withContext({ correlationId: "job-1", tenant: "acme" }))
        yield* Effect.log("after")
        const events = yield* captured
        assert.deepStrictEqual(
          events.map((e) => [e.message, e.correlationId, e.fields]),
          [
            ["outer", "job-1", { tenant: "acme" }],
            ["forked", "job-1", { tenant: "acme", own: 1 }],
            ["inner", "job-1", { tenant: "inner", step: "annotated" }],
            ["after", undefined, {}]
          ]
        )
        assert.strictEqual(yield* Effect.flatMap(Fapilog.Fapilog, (s) => s.level), "trace")
      })
    )

    it.effect("the service flushes, reports counters and changes the level", () =>
      Effect.gen(function* () {
        const fapilog = yield* Fapilog.Fapilog
        yield* Fapilog.flush
        const before = yield* Fapilog.stats
        yield* Fapilog.info("counted")
        yield* fapilog.flush
        const after = yield* fapilog.stats
        assert.strictEqual(after.accepted, before.accepted + 1)
        assert.strictEqual(after.queued, 0)
        yield* fapilog.setLevel("error")
        yield* Fapilog.info("dropped")
        yield* Effect.logWarning("dropped too")
        yield* fapilog.setLevel("trace")
        assert.strictEqual((yield* fapilog.stats).accepted, after.accepted)
        assert.strictEqual(fapilog.settings.name, "test")
        assert.strictEqual((yield* Fapilog.health).status, "ok")
      })
    )
  })

  it.effect("a threshold set by the layer holds for Effect.log* too", () =>
    Effect.gen(function* () {
      yield* Effect.logDebug("hidden")
      yield* Effect.logWarning("shown")
      const events = yield* captured
      assert.deepStrictEqual(
        events.map((e) => e.message),
        ["shown"]
      )
    }).pipe(Effect.provide(makeFapilogTest("warn")))
  )

  it.effect("without a fapilog layer Fapilog.info falls back to Effect's logger", () =>
    Effect.gen(function* () {
      const seen: Array<unknown> = []
      const spy = Logger.make(({ fiber, message, cause }) =>
        seen.push([message, fiber.getRef(References.CurrentLogAnnotations), cause.reasons.length])
      )
      yield* Effect.gen(function* () {
        yield* Fapilog.info("fallback", { k: 1 })
        yield* Fapilog.error("fallback error", new Error("e"))
        yield* Fapilog.flush
      }).pipe(Effect.provide(Logger.layer([spy])))
      assert.deepStrictEqual(seen, [
        [["fallback"], { k: 1 }, 0],
        [["fallback error"], {}, 1]
      ])
    })
  )

  it.live("closing the layer drains queued events to every sink before the sinks are released", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-effect4-layer-"))
      const file = path.join(dir, "effect.log")
      const slowSeen: Array<string> = []
      const slow: Sink.Sink = {
        name: "slow",
        write: (batch) =>
          Effect.sleep(5).pipe(
            Effect.andThen(Effect.sync(() => void slowSeen.push(...batch.events.map((e) => e.message))))
          )
      }
      const live = Fapilog.layer({ sinks: [{ type: "file", path: file }, slow], capacity: 100_000 })
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(live, scope)
      yield* Effect.forEach(
        Array.from({ length: 5000 }, (_, i) => i),
        (i) => Effect.logInfo(`event ${i}`)
      ).pipe(Effect.provide(context))
      assert.isBelow(slowSeen.length, 5000, "the slow sink still has work when the scope closes")
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(slowSeen.length, 5000)
      const lines = readLines(file)
      assert.strictEqual(lines.length, 5000)
      assert.strictEqual(lines[4999]?.message, "event 4999")
      fs.rmSync(dir, { recursive: true, force: true })
    })
  )

  it.effect("invalid settings fail the layer with the Effect 3 line's ConfigError and message", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.log("never").pipe(Effect.provide(Fapilog.layer({ level: "loud" as never })))
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.strictEqual((error as Errors.ConfigError)._tag, "ConfigError")
      assert.strictEqual(
        (error as Errors.ConfigError).message,
        'Invalid fapilog settings:\n  level: "loud" is not one of trace, debug, info, warn, error, fatal, audit, security'
      )
    })
  )

  it.effect("the config provider can be swapped for an Effect 4 one", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const provider = ConfigProvider.fromEnv({ env: { FAPILOG_LEVEL: "debug" } })
      yield* Effect.logDebug("from provider level").pipe(
        Effect.andThen(Fapilog.flush),
        Effect.provide(Fapilog.layer({ sinks: [memory] }, { configProvider: provider }))
      )
      assert.deepStrictEqual(
        memory.events().map((e) => e.message),
        ["from provider level"]
      )
    })
  )

  it.live("FAPILOG_SINKS and FAPILOG_FILE__PATH are read from the environment, nested with __", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-effect4-env-"))
      const file = path.join(dir, "env.log")
      const saved = { sinks: process.env.FAPILOG_SINKS, path: process.env.FAPILOG_FILE__PATH }
      process.env.FAPILOG_SINKS = "file"
      process.env.FAPILOG_FILE__PATH = file
      yield* Effect.log("to the file").pipe(
        Effect.provide(Fapilog.layer()),
        Effect.ensuring(
          Effect.sync(() => {
            for (const [key, value] of [
              ["FAPILOG_SINKS", saved.sinks],
              ["FAPILOG_FILE__PATH", saved.path]
            ] as const)
              if (value === undefined) delete process.env[key]
              else process.env[key] = value
          })
        )
      )
      assert.deepStrictEqual(
        readLines(file).map((e) => e.message),
        ["to the file"]
      )
      fs.rmSync(dir, { recursive: true, force: true })
    })
  )

  it.live(
    "a file sink's retention (maxAge, from settings) deletes an old rotated file at start-up and logs the deletion as an audit event",
    () =>
      Effect.gen(function* () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-effect4-retention-"))
        const file = path.join(dir, "app.log")
        const old = `${file}.20200101T000000Z`
        fs.writeFileSync(old, "an old line\n")
        const memory = Sink.memory()
        const reports = () => memory.events().filter((e) => e.logger === "fapilog.retention")
        const stats = yield* Effect.gen(function* () {
          // the deletion runs in the background: wait for its report (bounded)
          for (let i = 0; i < 500 && reports().length === 0; i++) yield* Effect.sleep("10 millis")
          return yield* Fapilog.stats
        }).pipe(
          Effect.provide(
            Fapilog.layer({ sinks: [{ type: "file", path: file, interval: "daily", maxAge: "30d" }, memory] })
          )
        )
        fs.rmSync(dir, { recursive: true, force: true })
        const [report] = reports()
        assert.strictEqual(report?.level, "audit")
        assert.deepStrictEqual(
          [report?.fields.file, report?.fields.policy, report?.fields.sink, report?.fields.eventCategory],
          [old, "maxAge", `file:${file}`, "compliance"]
        )
        assert.deepStrictEqual(stats.retention, {
          files: 1,
          bytes: "an old line\n".length,
          byPolicy: { maxAge: 1 }
        })
      })
  )
})

describe("backpressure on Effect 4", () => {
  it.live("Effect callers of Fapilog.* wait for room under block instead of being refused", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      let delivered = 0
      const stalled: Sink.Sink = {
        name: "stalled",
        write: (batch) =>
          Effect.andThen(
            Deferred.await(gate),
            Effect.sync(() => void (delivered += batch.events.filter((e) => e.message === "e").length))
          )
      }
      const { mid, end } = yield* Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Effect.forEach(
            Array.from({ length: 50 }, (_, i) => i),
            (i) => Fapilog.info("e", { i })
          )
        )
        yield* Effect.sleep(50)
        const mid = yield* Fapilog.stats
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(fiber)
        yield* Fapilog.flush
        return { mid, end: yield* Fapilog.stats }
      }).pipe(Effect.provide(Fapilog.layer({ sinks: [stalled], capacity: 2 })))
      assert.isBelow(mid.accepted, 50, "the caller was suspended")
      assert.strictEqual(end.refused, 0)
      assert.strictEqual(delivered, 50)
    })
  )
})

describe("Fapilog clock on Effect 4", () => {
  it.effect("Fapilog.* stamps events with the fiber's clock, like Effect.log", () =>
    Effect.gen(function* () {
      yield* Fapilog.info("under TestClock")
      yield* Effect.log("effect log")
      const events = yield* captured
      assert.deepStrictEqual(
        events.map((e) => e.timestamp),
        ["1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z"]
      )
    }).pipe(Effect.provide(FapilogTest))
  )
})

describe("Fapilog.layer's scope on Effect 4", () => {
  it.effect(
    "Effect.provide(x, Fapilog.layer()) leaves the enclosing fiber's loggers and minimum level as they were",
    () =>
      Effect.gen(function* () {
        const seen: Array<unknown> = []
        const spy = Logger.make(({ message }) => void seen.push(message))
        yield* Effect.gen(function* () {
          const memory = Sink.memory()
          const loggers = yield* Logger.CurrentLoggers
          const level = yield* References.MinimumLogLevel
          yield* Effect.gen(function* () {
            // inside: fapilog's logger in place of Effect's default one, the app's spy kept
            const inside = [...(yield* Logger.CurrentLoggers)]
            assert.strictEqual(inside.length, 3)
            assert.isFalse(inside.includes(Logger.defaultLogger))
            yield* Effect.logDebug("inside")
          }).pipe(Effect.provide(Fapilog.layer({ sinks: [memory], level: "debug" })))
          assert.strictEqual(yield* Logger.CurrentLoggers, loggers)
          assert.strictEqual(yield* References.MinimumLogLevel, level)
          yield* Effect.log("after")
          assert.deepStrictEqual(
            memory.events().map((e) => e.message),
            ["inside"]
          )
          // a logger the app added itself is left in place, inside the layer's scope too
          assert.deepStrictEqual(seen, [["inside"], ["after"]])
        }).pipe(Effect.provide(Logger.layer([spy], { mergeWithExisting: true })))
      })
  )

  it.effect("a fapilog layer provided inside another restores the outer one", () =>
    Effect.gen(function* () {
      const outer = Sink.memory()
      const inner = Sink.memory()
      yield* Effect.gen(function* () {
        yield* Effect.log("outer 1")
        yield* Effect.log("inner").pipe(Effect.provide(Fapilog.layer({ sinks: [inner] })))
        yield* Effect.log("outer 2")
        yield* Fapilog.flush
      }).pipe(Effect.provide(Fapilog.layer({ sinks: [outer] })))
      assert.deepStrictEqual(
        outer.events().map((e) => e.message),
        ["outer 1", "outer 2"]
      )
      assert.deepStrictEqual(
        inner.events().map((e) => e.message),
        ["inner"]
      )
    })
  )

  it.effect("a layer that needs fapilog gets it with Layer.provide, and only that layer", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      class Greeter extends Context.Service<Greeter, { readonly greet: Effect.Effect<void> }>()(
        "test/Greeter"
      ) {}
      const GreeterLive = Layer.effect(
        Greeter,
        Effect.gen(function* () {
          yield* Effect.log("greeter built")
          return { greet: Effect.log("hello") }
        })
      ).pipe(Layer.provide(Fapilog.layer({ sinks: [memory] })))
      yield* Effect.flatMap(Greeter, (g) => g.greet).pipe(Effect.provide(GreeterLive))
      // the greeter's own build logs through fapilog; the program it is provided to keeps its loggers
      assert.deepStrictEqual(
        memory.events().map((e) => e.message),
        ["greeter built"]
      )
    })
  )
})

describe("categories on Effect 4", () => {
  const pipelineOf = (service: Fapilog.FapilogService): Pipeline =>
    (service as unknown as Record<symbol, Pipeline>)[Symbol.for("fapilog/Fapilog/pipeline")] as Pipeline

  it.effect("withLogger sets the category of a scope and its forks, relative to the current one", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      yield* Effect.gen(function* () {
        yield* Effect.log("root")
        yield* Effect.gen(function* () {
          yield* Effect.log("in db")
          yield* Fiber.join(yield* Effect.forkChild(Fapilog.info("forked", { n: 1 })))
          yield* Effect.log("in pool").pipe(Fapilog.withLogger(["pool", "primary"]))
        }).pipe(Fapilog.withLogger("db"))
        yield* Fapilog.withLogger(Effect.log("in http"), "http")
        yield* Fapilog.flush
      }).pipe(Effect.provide(Fapilog.layer({ sinks: [memory], name: "svc" })))
      assert.deepStrictEqual(
        memory.events().map((e) => [e.logger, e.message]),
        [
          ["svc", "root"],
          ["svc.db", "in db"],
          ["svc.db", "forked"],
          ["svc.db.pool.primary", "in pool"],
          ["svc.http", "in http"]
        ]
      )
    })
  )

  it.effect("a category that is no category path throws a TypeError naming the argument", () =>
    Effect.sync(() => {
      assert.throws(
        () => Fapilog.withLogger(Effect.void, "db..x"),
        /withLogger\(category\): "db\.\.x" is not a category/
      )
      assert.throws(
        () => Effect.void.pipe(Fapilog.withLogger([""])),
        /withLogger\(category\): "" is not a category segment/
      )
    })
  )

  it.effect("a logger annotation stays a user field and never replaces the category", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      yield* Effect.gen(function* () {
        yield* Effect.log("annotated").pipe(Effect.annotateLogs("logger", "mine"), Fapilog.withLogger("db"))
        yield* Fapilog.info("field", { logger: "call field" })
        yield* Fapilog.flush
      }).pipe(Effect.provide(Fapilog.layer({ sinks: [memory, "null"] })))
      const [annotated, field] = memory.events()
      assert.strictEqual(annotated?.logger, "app.db")
      assert.strictEqual(annotated?.fields.logger, "mine")
      assert.strictEqual(field?.logger, "app")
      assert.strictEqual(field?.fields.logger, "call field")
    })
  )

  it.effect("categoryLevels hold Effect.log*, Fapilog.* and kept loggers to their category's level", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const kept: Array<unknown> = []
      const appLogger = Logger.make(({ message }) => void kept.push(message))
      yield* Effect.gen(function* () {
        yield* Effect.logDebug("root debug hidden")
        yield* Effect.logDebug("db debug").pipe(Fapilog.withLogger("db"))
        yield* Fapilog.debug("pool debug").pipe(Fapilog.withLogger("db.pool"))
        yield* Effect.logDebug("dbx debug hidden").pipe(Fapilog.withLogger("dbx"))
        yield* Effect.logInfo("http info hidden").pipe(Fapilog.withLogger("http"))
        yield* Fapilog.warn("http warn").pipe(Fapilog.withLogger("http"))
        yield* Fapilog.flush
      }).pipe(
        Effect.provide(
          Fapilog.layer({
            sinks: [memory],
            level: "info",
            categoryLevels: { "app.db": "debug", "app.http": "warn" }
          })
        ),
        Effect.provide(Logger.layer([appLogger]))
      )
      assert.deepStrictEqual(
        memory.events().map((e) => e.message),
        ["db debug", "pool debug", "http warn"]
      )
      assert.deepStrictEqual(kept, [["db debug"]])
    })
  )

  it.effect("setLevel(level, category) changes a category at run time; levels shows them", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      yield* Effect.gen(function* () {
        const fapilog = yield* Fapilog.Fapilog
        const inDb = <A, E, R>(self: Effect.Effect<A, E, R>) => Fapilog.withLogger(self, "db")
        yield* inDb(Effect.logDebug("hidden"))
        yield* fapilog.setLevel("debug", "app.db")
        yield* inDb(Effect.logDebug("db debug"))
        yield* Effect.logDebug("root debug hidden")
        yield* fapilog.setLevel("error", ["app", "db"])
        yield* inDb(Fapilog.warn("db warn hidden"))
        assert.deepStrictEqual(yield* fapilog.levels, { level: "info", categories: { "app.db": "error" } })
        assert.strictEqual(yield* fapilog.level, "info")
        const exit = yield* Effect.exit(fapilog.setLevel("debug", "app..db"))
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
        yield* Fapilog.flush
      }).pipe(Effect.provide(Fapilog.layer({ sinks: [memory] })))
      assert.deepStrictEqual(
        memory.events().map((e) => [e.logger, e.message]),
        [["app.db", "db debug"]]
      )
    })
  )

  it.effect(
    "lazy fields are called only when the call passes its category's level; a throw is written and reported",
    () =>
      Effect.gen(function* () {
        const memory = Sink.memory()
        let calls = 0
        const reports: Array<unknown> = []
        yield* Effect.gen(function* () {
          const pipeline = pipelineOf(yield* Fapilog.Fapilog)
          const report = pipeline.diagnostics.report.bind(pipeline.diagnostics)
          pipeline.diagnostics.report = (component, message, error) => {
            reports.push([component, message, (error as Error | undefined)?.message])
            if (component !== "fields") report(component, message, error)
          }
          yield* Fapilog.debug("hidden", () => ({ n: ++calls }))
          yield* Fapilog.debug("shown", () => ({ n: ++calls })).pipe(Fapilog.withLogger("db"))
          yield* Fapilog.error("failed", () => new Error("declined"))
          yield* Fapilog.info("threw", () => {
            throw new Error("dump failed")
          })
          yield* Fapilog.flush
        }).pipe(Effect.provide(Fapilog.layer({ sinks: [memory], categoryLevels: { "app.db": "debug" } })))
        assert.strictEqual(calls, 1)
        const [shown, failed, threw] = memory.events()
        assert.deepStrictEqual(shown?.fields, { n: 1 })
        assert.strictEqual(failed?.error?.message, "declined")
        assert.deepStrictEqual(threw?.fields, { "…": "[Unserializable: [Threw: dump failed]]" })
        assert.deepStrictEqual(reports, [
          ["fields", "a fields function threw: the event is written without its fields", "dump failed"]
        ])
      })
  )

  it.effect("without a fapilog layer, lazy fields follow Effect's minimum level", () =>
    Effect.gen(function* () {
      const seen: Array<unknown> = []
      let calls = 0
      const spy = Logger.make(({ fiber, message }) =>
        seen.push([message, fiber.getRef(References.CurrentLogAnnotations)])
      )
      yield* Effect.gen(function* () {
        yield* Fapilog.debug("below Effect's minimum", () => ({ n: ++calls }))
        yield* Fapilog.info("lazy", () => ({ n: ++calls }))
      }).pipe(Effect.provideService(References.MinimumLogLevel, "Info"), Effect.provide(Logger.layer([spy])))
      assert.strictEqual(calls, 1)
      assert.deepStrictEqual(seen, [[["lazy"], { n: 1 }]])
    })
  )
})

describe("one level switch on Effect 4", () => {
  it.effect(
    "setLevel governs Effect.log* in every fiber, forked ones included, Fapilog.* and kept loggers",
    () =>
      Effect.gen(function* () {
        const memory = Sink.memory()
        const kept: Array<unknown> = []
        const appLogger = Logger.make(({ message }) => void kept.push(message))
        yield* Effect.gen(function* () {
          const go = yield* Deferred.make<void>()
          const forked = yield* Effect.forkChild(
            Effect.andThen(Deferred.await(go), Effect.logDebug("debug in a fiber forked before the change"))
          )
          yield* Effect.logDebug("hidden at info")
          const fapilog = yield* Fapilog.Fapilog
          yield* fapilog.setLevel("debug")
          yield* Effect.logDebug("debug after setLevel")
          yield* Fapilog.debug("Fapilog.debug after setLevel")
          yield* Deferred.succeed(go, undefined)
          yield* Fiber.join(forked)
          yield* fapilog.setLevel("warn")
          yield* Effect.logInfo("hidden at warn")
          yield* Effect.logWarning("warn at warn")
          yield* Fapilog.flush
        }).pipe(
          Effect.provide(Fapilog.layer({ sinks: [memory], level: "info" })),
          Effect.provide(Logger.layer([appLogger]))
        )
        const shown = [
          "debug after setLevel",
          "Fapilog.debug after setLevel",
          "debug in a fiber forked before the change",
          "warn at warn"
        ]
        assert.deepStrictEqual(
          memory.events().map((e) => e.message),
          shown
        )
        // the app's own logger sees the Effect.log* calls fapilog lets through (Fapilog.* are fapilog's alone)
        assert.deepStrictEqual(kept, [
          ["debug after setLevel"],
          ["debug in a fiber forked before the change"],
          ["warn at warn"]
        ])
      })
  )

  it.effect("Effect's minimum level still narrows one scope", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      yield* Effect.gen(function* () {
        yield* Effect.logInfo("hidden in a warn scope").pipe(
          Effect.provideService(References.MinimumLogLevel, "Warn")
        )
        yield* Effect.logInfo("shown")
        yield* Fapilog.flush
      }).pipe(Effect.provide(Fapilog.layer({ sinks: [memory] })))
      assert.deepStrictEqual(
        memory.events().map((e) => e.message),
        ["shown"]
      )
    })
  )
})

class Database extends Context.Service<
  Database,
  {
    readonly rows: Array<LogEvent>
    readonly insert: (events: ReadonlyArray<LogEvent>) => Effect.Effect<void>
  }
>()("test/Database") {}

const databaseLive = () => {
  const rows: Array<LogEvent> = []
  const layer = Layer.succeed(Database, {
    rows,
    insert: (events) => Effect.sync(() => void rows.push(...events))
  })
  return { rows, layer }
}

/** What a FiberRef was on Effect 3 is a Context.Reference on Effect 4. */
const Tenant = Context.Reference<string>("test/Tenant", { defaultValue: () => "none" })

describe("Extending fapilog with layers on Effect 4", () => {
  it.effect("two sinks (one needing a Database), a batch and a call-site enricher, and a processor", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const database = databaseLive()
      const DbSink = Sink.layer(
        Effect.map(Database, (db): Sink.Sink => ({ name: "db", write: (batch) => db.insert(batch.events) }))
      )
      const extensions = Layer.mergeAll(
        DbSink,
        Sink.layer(Effect.succeed(memory)),
        Enricher.layer("region", () => ({ region: "eu-1" })),
        Enricher.layerCallSite(
          "tenant",
          Enricher.fromFiberRef(Tenant as never, (tenant: string) => ({ tenant }))
        ),
        Processor.layer("drop-noise", (e) => (e.fields.noise === true ? undefined : e))
      )
      const live = Fapilog.layer({ sinks: [] }).pipe(Layer.provide(extensions))
      // the Database the db sink needs shows in the layer's type until it is provided
      const needsDatabase: Layer.Layer<Fapilog.Fapilog, Errors.ConfigError | Errors.SinkError, Database> =
        live
      const stats = yield* Effect.gen(function* () {
        yield* Effect.log("kept 1")
        yield* Effect.log("noise").pipe(Effect.annotateLogs("noise", true))
        yield* Fapilog.info("kept 2", { n: 2 }).pipe(Effect.provideService(Tenant, "acme"))
        yield* Fapilog.info("noise too", { noise: true })
        yield* Effect.forkChild(Effect.log("kept 3 in a fiber")).pipe(
          Effect.flatMap(Fiber.join),
          Effect.provideService(Tenant, "globex")
        )
        yield* Fapilog.flush
        return yield* Fapilog.stats
      }).pipe(Effect.provide(needsDatabase.pipe(Layer.provide(database.layer))))
      assert.strictEqual(stats.filtered, 2)
      assert.deepStrictEqual(stats.filteredBy, { "drop-noise": 2 })
      const view = (events: ReadonlyArray<LogEvent>) =>
        events.map((e) => [e.message, e.fields.region, e.fields.tenant])
      const expected = [
        ["kept 1", "eu-1", "none"],
        ["kept 2", "eu-1", "acme"],
        ["kept 3 in a fiber", "eu-1", "globex"]
      ]
      assert.deepStrictEqual(view(memory.events()), expected)
      assert.deepStrictEqual(view(database.rows), expected)
    })
  )
})

describe("the Promise facade on Effect 4", () => {
  it("createLogger and withContext write through the same engine", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ sinks: [memory] })
    await withContext({ requestId: "r-1" }, async () => {
      log.info("from a promise", { n: 1 })
    })
    await log.close()
    assert.deepStrictEqual(
      memory.events().map((e) => [e.message, e.fields]),
      [["from a promise", { requestId: "r-1", n: 1 }]]
    )
  })

  it("categories, lazy fields and timers, as on Effect 3", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ sinks: [memory], categoryLevels: { "app.db": "debug" } })
    let calls = 0
    const db = log.child("db")
    log.debug("hidden", () => ({ n: ++calls }))
    db.debug("db debug", () => ({ n: ++calls }))
    log.setLevel("warn", "app.db")
    db.info("hidden too")
    assert.isTrue(log.time("job").done("job done", { rows: 3 }))
    await log.close()
    assert.strictEqual(calls, 1)
    const [debug, done] = memory.events()
    assert.deepStrictEqual([debug?.logger, debug?.message, debug?.fields], ["app.db", "db debug", { n: 1 }])
    assert.strictEqual(done?.fields.label, "job")
    assert.strictEqual(typeof done?.fields.durationMs, "number")
    assert.deepStrictEqual(log.levels(), { level: "info", categories: { "app.db": "warn" } })
  })

  it("createLogger rejects invalid settings with the ConfigError itself, as on Effect 3", async () => {
    const rejected = await createLogger({ sinks: [] }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.strictEqual((rejected as Errors.ConfigError)._tag, "ConfigError")
    assert.match(
      (rejected as Errors.ConfigError).message,
      /sinks: is empty and no sink was provided as a layer/
    )
  })
})

describe("Fapilog serializers and key names on Effect 4", () => {
  const serializers = {
    req: (r: { method: string; token: string }) => ({ method: r.method, token: r.token }),
    user: (u: { id: number }) => u.id,
    boom: () => {
      throw new Error("bad serializer")
    }
  }

  it.effect(
    "serializers apply at the call to Fapilog.* fields, annotations and withContext fields, before redaction",
    () =>
      Effect.gen(function* () {
        const memory = Sink.memory()
        const req = { method: "GET", token: "t", body: "large" }
        yield* Effect.gen(function* () {
          yield* Fapilog.info("call", { req, boom: 1 })
          yield* Effect.logInfo("annotated").pipe(Effect.annotateLogs({ user: { id: 7, name: "ann" } }))
          yield* Fapilog.info("context").pipe(Fapilog.withContext({ req }))
          req.method = "POST"
          yield* Fapilog.flush
        }).pipe(Effect.provide(Fapilog.layer({ sinks: [memory], serializers, redact: { keys: ["token"] } })))
        const [call, annotated, context] = memory.lines().map((l) => JSON.parse(l) as Record<string, unknown>)
        assert.deepStrictEqual(call?.req, { method: "GET", token: "[REDACTED]" })
        assert.strictEqual(call?.boom, "[Serializer threw: bad serializer]")
        assert.strictEqual(annotated?.user, 7)
        assert.deepStrictEqual(context?.req, { method: "GET", token: "[REDACTED]" })
      })
  )

  it.effect(
    "a sink with renamed keys writes Effect events with them; key names with another layout are refused",
    () =>
      Effect.gen(function* () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-keys-"))
        const file = path.join(dir, "dd.log")
        yield* Effect.logWarning("low disk").pipe(
          Effect.annotateLogs({ status: "user" }),
          Effect.andThen(Fapilog.flush),
          Effect.provide(
            Fapilog.layer({
              format: "json",
              sinks: [{ type: "file", path: file, keys: "datadog", timestampFormat: "epochMs" }]
            })
          )
        )
        const [line] = readLines(file)
        assert.deepInclude(line, { status: "warning", message: "low disk", fields: { status: "user" } })
        assert.isNumber(line?.timestamp)
        fs.rmSync(dir, { recursive: true, force: true })
        const error = yield* Effect.log("never").pipe(
          Effect.provide(
            Fapilog.layer({ sinks: [{ type: "stdout", layout: "otel", levelKey: "severity" }] })
          ),
          Effect.flip
        )
        assert.strictEqual(error._tag, "ConfigError")
        assert.match(
          (error as Errors.ConfigError).message,
          /sinks\[0\]\.levelKey: is for the default JSON layout only: this sink writes the otel layout/
        )
      })
  )
})
