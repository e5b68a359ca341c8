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
  FiberRef,
  Layer,
  Logger,
  LogLevel,
  Scope
} from "effect"
import {
  CapturedLogs,
  Enricher,
  type Errors,
  Fapilog,
  FapilogTest,
  type LogEvent,
  makeFapilogTest,
  Processor,
  Sink
} from "../src/index.js"
import type { Pipeline } from "../src/internal/pipeline.js"
import { readLines, runScript } from "./support/script.js"

class PaymentDeclined extends Data.TaggedError("PaymentDeclined")<{ readonly card: string }> {}

const captured = Effect.flatMap(CapturedLogs, (logs) => logs.events)

describe("Fapilog layer", () => {
  layer(FapilogTest)("with FapilogTest", (it) => {
    it.effect("Effect.log* and annotations land in the pipeline", () =>
      Effect.gen(function* () {
        yield* Effect.flatMap(CapturedLogs, (l) => l.clear)
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
        yield* Effect.flatMap(CapturedLogs, (l) => l.clear)
        yield* Effect.logDebug("debug")
        yield* Effect.logTrace("trace")
        const events = yield* captured
        assert.deepStrictEqual(
          events.map((e) => e.level),
          ["debug", "trace"]
        )
      })
    )

    it.effect("spans give trace and span ids, log spans give durations", () =>
      Effect.gen(function* () {
        yield* Effect.flatMap(CapturedLogs, (l) => l.clear)
        const spanIds = yield* Effect.log("inside").pipe(
          Effect.withLogSpan("checkout"),
          Effect.zipRight(Effect.currentSpan),
          Effect.withSpan("handler")
        )
        const [event] = yield* captured
        assert.strictEqual(event?.traceId, spanIds.traceId)
        assert.strictEqual(event?.spanId, spanIds.spanId)
        assert.deepStrictEqual(Object.keys(event?.spans ?? {}), ["checkout"])
      })
    )

    it.effect("causes and errors become structured errors", () =>
      Effect.gen(function* () {
        yield* Effect.flatMap(CapturedLogs, (l) => l.clear)
        yield* Effect.fail(new PaymentDeclined({ card: "visa" })).pipe(
          Effect.catchAllCause((cause) => Effect.logError("payment failed", cause))
        )
        yield* Effect.logError("thrown", new RangeError("out of range"))
        yield* Effect.die(new Error("defect")).pipe(
          Effect.catchAllCause((c) => Effect.logFatal("crashed", c))
        )
        const events = yield* captured
        assert.strictEqual(events[0]?.error?.type, "PaymentDeclined")
        assert.deepStrictEqual(events[0]?.error?.details, { card: "visa" })
        assert.strictEqual(events[1]?.message, "thrown")
        assert.strictEqual(events[1]?.error?.type, "RangeError")
        assert.strictEqual(events[2]?.error?.message, "defect")
        assert.strictEqual(events[2]?.level, "fatal")
      })
    )

    it.effect("Fapilog.info and friends carry fields, annotations and every level", () =>
      Effect.gen(function* () {
        yield* Effect.flatMap(CapturedLogs, (l) => l.clear)
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
        yield* Effect.flatMap(CapturedLogs, (l) => l.clear)
        yield* Effect.gen(function* () {
          yield* Effect.log("outer")
          yield* Effect.fork(Fapilog.info("forked", { own: 1 })).pipe(Effect.flatMap((f) => f.await))
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
        yield* fapilog.setLevel("trace")
        assert.strictEqual((yield* fapilog.stats).accepted, after.accepted)
        assert.strictEqual(fapilog.settings.name, "test")
      })
    )
  })

  it.effect("a threshold set by the layer also sets Effect's minimum level", () =>
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
      const spy = Logger.make(({ annotations, message }) => seen.push([message, [...annotations]]))
      yield* Fapilog.info("fallback", { k: 1 }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, spy))
      )
      yield* Fapilog.error("fallback error", new Error("e")).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, spy))
      )
      yield* Fapilog.flush
      assert.deepStrictEqual(seen[0], [["fallback"], [["k", 1]]])
      assert.deepStrictEqual((seen[1] as [unknown])[0], ["fallback error"])
    })
  )

  it.effect("without a fapilog layer, lazy fields follow Effect's minimum level", () =>
    Effect.gen(function* () {
      const seen: Array<unknown> = []
      let calls = 0
      const spy = Logger.make(({ annotations, message }) => seen.push([message, [...annotations]]))
      yield* Effect.gen(function* () {
        yield* Fapilog.debug("below Effect's minimum", () => ({ n: ++calls }))
        yield* Fapilog.info("lazy", () => ({ n: ++calls }))
      }).pipe(
        Logger.withMinimumLogLevel(LogLevel.Info),
        Effect.provide(Logger.replace(Logger.defaultLogger, spy))
      )
      assert.strictEqual(calls, 1)
      assert.deepStrictEqual(seen, [[["lazy"], [["n", 1]]]])
    })
  )

  it.live("closing the layer drains queued events to every sink before the sinks are released", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-layer-"))
      const file = path.join(dir, "effect.log")
      const slowSeen: Array<string> = []
      const slow: Sink.Sink = {
        name: "slow",
        write: (batch) =>
          Effect.sleep(5).pipe(Effect.andThen(() => slowSeen.push(...batch.events.map((e) => e.message))))
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
    })
  )

  it.effect("invalid settings fail the layer with a ConfigError", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.log("never").pipe(Effect.provide(Fapilog.layer({ level: "loud" as never })))
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.strictEqual((error as { _tag: string })._tag, "ConfigError")
    })
  )

  it.live(
    "a sink Effect that never completes fails the layer after plugins.timeoutMs, naming the entry",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.log("never").pipe(
          Effect.provide(Fapilog.layer({ sinks: [Effect.never], plugins: { timeoutMs: 50 } })),
          Effect.flip
        )
        assert.strictEqual(error._tag, "SinkError")
        assert.strictEqual((error as Errors.SinkError).sink, "sinks[0]")
      })
  )

  it.effect("the config provider can be swapped", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const provider = ConfigProvider.fromMap(new Map([["FAPILOG_LEVEL", "debug"]]))
      yield* Effect.logDebug("from provider level").pipe(
        Effect.zipRight(Fapilog.flush),
        Effect.provide(Fapilog.layer({ sinks: [memory] }, { configProvider: provider }))
      )
      assert.deepStrictEqual(
        memory.events().map((e) => e.message),
        ["from provider level"]
      )
    })
  )

  it("FapilogLive writes JSON lines to stdout with zero configuration", () => {
    const r = runScript(`
      import { Effect } from "effect"
      import { FapilogLive } from "$FAPILOG"
      await Effect.runPromise(
        Effect.log("hello effect").pipe(Effect.annotateLogs({ userId: 7 }), Effect.provide(FapilogLive))
      )
    `)
    assert.strictEqual(r.status, 0, r.stderr)
    const [line] = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    assert.deepInclude(line, { level: "info", logger: "app", message: "hello effect", userId: 7 })
    assert.strictEqual(r.stderr, "")
  })
})

describe("Fapilog clock", () => {
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

describe("Fapilog.layer's scope", () => {
  it.effect(
    "Effect.provide(x, Fapilog.layer()) leaves the enclosing fiber's logger and minimum level as they were",
    () =>
      Effect.gen(function* () {
        const seen: Array<unknown> = []
        const spy = Logger.make(({ message }) => seen.push(message))
        yield* Effect.gen(function* () {
          const memory = Sink.memory()
          const loggers = yield* FiberRef.get(FiberRef.currentLoggers)
          const level = yield* FiberRef.get(FiberRef.currentMinimumLogLevel)
          yield* Effect.logDebug("inside").pipe(
            Effect.provide(Fapilog.layer({ sinks: [memory], level: "debug" }))
          )
          assert.strictEqual(yield* FiberRef.get(FiberRef.currentLoggers), loggers)
          assert.strictEqual(yield* FiberRef.get(FiberRef.currentMinimumLogLevel), level)
          yield* Effect.log("after")
          assert.deepStrictEqual(
            memory.events().map((e) => e.message),
            ["inside"]
          )
          // a logger the app added itself is left in place, inside the layer's scope too
          assert.deepStrictEqual(seen, [["inside"], ["after"]])
        }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, spy)))
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
})

describe("one level switch", () => {
  it.effect("setLevel governs Effect.log* in every fiber, forked ones included, and Fapilog.* alike", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      yield* Effect.gen(function* () {
        const go = yield* Deferred.make<void>()
        const forked = yield* Effect.fork(
          Effect.zipRight(Deferred.await(go), Effect.logDebug("debug in a fiber forked before the change"))
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
        assert.strictEqual((yield* FiberRef.get(FiberRef.currentMinimumLogLevel))._tag, "Warning")
        yield* Fapilog.flush
      }).pipe(Effect.provide(Fapilog.layer({ sinks: [memory], level: "info" })))
      assert.deepStrictEqual(
        memory.events().map((e) => e.message),
        [
          "debug after setLevel",
          "Fapilog.debug after setLevel",
          "debug in a fiber forked before the change",
          "warn at warn"
        ]
      )
    })
  )

  it.effect("Effect.withMinimumLogLevel still narrows or widens one scope", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      yield* Effect.gen(function* () {
        yield* Effect.logInfo("hidden in a warn scope").pipe(Logger.withMinimumLogLevel(LogLevel.Warning))
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

class Database extends Context.Tag("test/Database")<
  Database,
  {
    readonly rows: Array<LogEvent.LogEvent>
    readonly insert: (events: ReadonlyArray<LogEvent.LogEvent>) => Effect.Effect<void>
  }
>() {}

const databaseLive = () => {
  const rows: Array<LogEvent.LogEvent> = []
  const layer = Layer.succeed(Database, {
    rows,
    insert: (events) => Effect.sync(() => void rows.push(...events))
  })
  return { rows, layer }
}

const Tenant = FiberRef.unsafeMake("none")

describe("Extending fapilog with layers", () => {
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
          Enricher.fromFiberRef(Tenant, (tenant) => ({ tenant }))
        ),
        Processor.layer("drop-noise", (e) => (e.fields.noise === true ? undefined : e))
      )
      const live = Fapilog.layer({ sinks: [] }).pipe(Layer.provide(extensions))
      // the Database the db sink needs shows in the layer's type until it is provided
      const needsDatabase: Layer.Layer<Fapilog.Fapilog, Errors.ConfigError | Errors.SinkError, Database> =
        live
      // @ts-expect-error Database is still required
      const complete: Layer.Layer<Fapilog.Fapilog, Errors.ConfigError | Errors.SinkError, never> = live
      void complete
      const stats = yield* Effect.gen(function* () {
        yield* Effect.log("kept 1")
        yield* Effect.log("noise").pipe(Effect.annotateLogs("noise", true))
        yield* Fapilog.info("kept 2", { n: 2 }).pipe(Effect.locally(Tenant, "acme"))
        yield* Fapilog.info("noise too", { noise: true })
        yield* Effect.fork(Effect.log("kept 3 in a fiber")).pipe(
          Effect.flatMap(Fiber.join),
          Effect.locally(Tenant, "globex")
        )
        yield* Fapilog.flush
        return yield* Fapilog.stats
      }).pipe(Effect.provide(needsDatabase.pipe(Layer.provide(database.layer))))
      assert.strictEqual(stats.filtered, 2)
      assert.deepStrictEqual(stats.filteredBy, { "drop-noise": 2 })
      const view = (events: ReadonlyArray<LogEvent.LogEvent>) =>
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

describe("Fapilog serializers", () => {
  const serializers = {
    req: (r: { method: string; token: string }) => ({ method: r.method, token: r.token }),
    user: (u: { id: number }) => u.id,
    boom: () => {
      throw new Error("bad serializer")
    }
  }

  it.effect(
    "apply at the call to Fapilog.* fields, annotations and withContext fields, before redaction",
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

  it.effect("a sink with renamed keys writes Effect events with them", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-keys-"))
      const file = path.join(dir, "gcp.log")
      yield* Effect.logWarning("low disk").pipe(
        Effect.annotateLogs({ severity: "user" }),
        Effect.zipRight(Fapilog.flush),
        Effect.provide(Fapilog.layer({ format: "json", sinks: [{ type: "file", path: file, keys: "gcp" }] }))
      )
      const line = JSON.parse(fs.readFileSync(file, "utf8").trim()) as Record<string, unknown>
      assert.deepInclude(line, { severity: "WARNING", message: "low disk", fields: { severity: "user" } })
      assert.isString(line.time)
      fs.rmSync(dir, { recursive: true, force: true })
    })
  )
})

describe("categories", () => {
  const pipelineOf = (service: Fapilog.FapilogService): Pipeline =>
    (service as unknown as Record<symbol, Pipeline>)[Symbol.for("fapilog/Fapilog/pipeline")] as Pipeline

  it.effect("withLogger sets the category of a scope and its forks, relative to the current one", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      yield* Effect.gen(function* () {
        yield* Effect.log("root")
        yield* Effect.gen(function* () {
          yield* Effect.log("in db")
          yield* Fiber.join(yield* Effect.fork(Fapilog.info("forked", { n: 1 })))
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

  it.effect(
    "categoryLevels hold Effect.log* and Fapilog.* to their category's level; Effect's minimum admits the lowest",
    () =>
      Effect.gen(function* () {
        const memory = Sink.memory()
        yield* Effect.gen(function* () {
          assert.strictEqual((yield* FiberRef.get(FiberRef.currentMinimumLogLevel))._tag, "Debug")
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
          )
        )
        assert.deepStrictEqual(
          memory.events().map((e) => e.message),
          ["db debug", "pool debug", "http warn"]
        )
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
        assert.strictEqual((yield* FiberRef.get(FiberRef.currentMinimumLogLevel))._tag, "Debug")
        yield* inDb(Effect.logDebug("db debug"))
        yield* Effect.logDebug("root debug hidden")
        yield* fapilog.setLevel("error", ["app", "db"])
        yield* inDb(Fapilog.warn("db warn hidden"))
        assert.deepStrictEqual(yield* fapilog.levels, { level: "info", categories: { "app.db": "error" } })
        assert.strictEqual(yield* fapilog.level, "info")
        yield* Effect.exit(fapilog.setLevel("debug", "app..db")).pipe(
          Effect.map((exit) => assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause)))
        )
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
})
