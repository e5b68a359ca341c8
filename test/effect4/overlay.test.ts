/**
 * The overlay (src/effect4/overlay): each Effect 3 name the shared sources use, written over
 * Effect 4, behaves as Effect 3's did. These are the semantics the port's kernel must keep.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  Clock,
  Config,
  Context,
  Deferred,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Result,
  Schedule,
  Schema,
  SchemaAST
} from "effect"
import { TestClock } from "effect/testing"
import * as OCause from "../../src/effect4/overlay/Cause.js"
import * as OConfig from "../../src/effect4/overlay/Config.js"
import * as OConfigProvider from "../../src/effect4/overlay/ConfigProvider.js"
import * as OContext from "../../src/effect4/overlay/Context.js"
import * as ODuration from "../../src/effect4/overlay/Duration.js"
import * as OEffect from "../../src/effect4/overlay/Effect.js"
import * as Either from "../../src/effect4/overlay/Either.js"
import * as ExecutionStrategy from "../../src/effect4/overlay/ExecutionStrategy.js"
import * as OFiber from "../../src/effect4/overlay/Fiber.js"
import * as FiberRefs from "../../src/effect4/overlay/FiberRefs.js"
import { globalValue } from "../../src/effect4/overlay/GlobalValue.js"
import * as OLayer from "../../src/effect4/overlay/Layer.js"
import * as List from "../../src/effect4/overlay/List.js"
import * as ParseResult from "../../src/effect4/overlay/ParseResult.js"
import * as ORuntime from "../../src/effect4/overlay/Runtime.js"
import * as OSchedule from "../../src/effect4/overlay/Schedule.js"
import * as OSchema from "../../src/effect4/overlay/Schema.js"
import * as OScope from "../../src/effect4/overlay/Scope.js"

describe("Either", () => {
  it("left, right, their guards, map, getOrUndefined and try", () => {
    const r = Either.right(1)
    const l = Either.left("no")
    assert.isTrue(Either.isRight(r) && Either.isLeft(l))
    assert.deepStrictEqual(
      Either.map(r, (n: number) => n + 1),
      Either.right(2)
    )
    assert.deepStrictEqual(Either.map((n: number) => n + 1)(l), l)
    assert.deepStrictEqual(
      Either.map(l, (n: number) => n + 1),
      l
    )
    assert.strictEqual(Either.getOrUndefined(r), 1)
    assert.strictEqual(Either.getOrUndefined(l), undefined)
    assert.deepStrictEqual(Either.try({ try: () => 3, catch: String }), Either.right(3))
    assert.deepStrictEqual(
      Either.try({
        try: () => {
          throw new Error("thrown")
        },
        catch: (e) => (e as Error).message
      }),
      Either.left("thrown")
    )
  })
})

describe("Effect", () => {
  it.effect("gen with a self, async, zipRight, the catch-alls and either", () =>
    Effect.gen(function* () {
      const self = { n: 41 }
      assert.strictEqual(
        yield* OEffect.gen(self, function* (this: typeof self) {
          return (yield* Effect.succeed(this.n)) + 1
        }),
        42
      )
      assert.strictEqual(
        yield* OEffect.gen(function* () {
          return yield* Effect.succeed(1)
        }),
        1
      )
      let cleaned = false
      const resumed = yield* OEffect.async<number>((resume) => {
        resume(Effect.succeed(7))
        return Effect.sync(() => {
          cleaned = true
        })
      })
      assert.strictEqual(resumed, 7)
      assert.isFalse(cleaned, "the cleanup runs on interruption only")
      assert.strictEqual(yield* OEffect.zipRight(Effect.succeed(1), Effect.succeed(2)), 2)
      assert.strictEqual(yield* Effect.succeed(1).pipe(OEffect.zipRight(Effect.succeed(3))), 3)
      assert.strictEqual(
        yield* OEffect.catchAll(Effect.fail("e"), (e) => Effect.succeed(`caught ${e}`)),
        "caught e"
      )
      assert.strictEqual(
        yield* OEffect.catchAllCause(Effect.die("d"), () => Effect.succeed("cause")),
        "cause"
      )
      assert.strictEqual(
        yield* OEffect.catchAllDefect(Effect.die("d"), (d) => Effect.succeed(`defect ${d}`)),
        "defect d"
      )
      assert.deepStrictEqual(yield* OEffect.either(Effect.fail("e")), Either.left("e"))
      assert.deepStrictEqual(yield* OEffect.either(Effect.succeed(1)), Either.right(1))
    })
  )

  it.effect("forkDaemon outlives its parent; interruptFork interrupts without waiting", () =>
    Effect.gen(function* () {
      const done = yield* Deferred.make<void>()
      const daemon = yield* Effect.forkChild(OEffect.forkDaemon(Deferred.await(done)))
      const fiber = yield* Fiber.join(daemon)
      assert.isUndefined(fiber.pollUnsafe(), "still running after its parent ended")
      yield* OFiber.interruptFork(fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.hasInterrupts(exit))
    })
  )

  it.effect("runtime and Runtime.runFork start a fiber with the caller's services and references", () =>
    Effect.gen(function* () {
      class Region extends Context.Service<Region, string>()("test/Region") {}
      const Tenant = Context.Reference<string>("test/Tenant", { defaultValue: () => "none" })
      const runtime = yield* OEffect.runtime<Region>().pipe(
        Effect.provideService(Region, "eu-1"),
        Effect.provideService(Tenant, "acme")
      )
      // started from outside any fiber, as a synchronous stage starts its retry
      const fiber = ORuntime.runFork(runtime)(
        Effect.gen(function* () {
          return [yield* Region, yield* Tenant, yield* Clock.currentTimeMillis]
        })
      )
      const now = yield* Clock.currentTimeMillis
      // the caller's clock too: TestClock time, not the wall clock
      assert.deepStrictEqual(yield* Fiber.join(fiber), ["eu-1", "acme", now])
    })
  )

  it.effect("timeoutFail fails with the value given once the duration has passed", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        Effect.never.pipe(
          OEffect.timeoutFail({ duration: "1 second", onTimeout: () => "too slow" }),
          Effect.flip
        )
      )
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "too slow")
    })
  )

  it.effect(
    "disconnect lets an interrupted caller go on while the effect is interrupted in the background",
    () =>
      Effect.gen(function* () {
        const started = yield* Deferred.make<void>()
        const released = yield* Deferred.make<void>()
        const slowRelease = Effect.onInterrupt(
          Effect.andThen(Deferred.succeed(started, undefined), Effect.never),
          () => Deferred.await(released)
        )
        const caller = yield* Effect.forkChild(OEffect.disconnect(slowRelease))
        yield* Deferred.await(started)
        // the caller is interrupted at once, though the effect's release is still waiting
        yield* Fiber.interrupt(caller)
        assert.isTrue(Exit.hasInterrupts(yield* Fiber.await(caller)))
        yield* Deferred.succeed(released, undefined)
        assert.strictEqual(yield* OEffect.disconnect(Effect.succeed(5)), 5)
      })
  )

  it.effect("withConfigProvider, data first and data last", () =>
    Effect.gen(function* () {
      const provider = OConfigProvider.fromMap(new Map([["A__B", "nested"]]), { pathDelim: "__" })
      const read = Config.nested(OConfig.string("B"), "A")
      assert.strictEqual(yield* OEffect.withConfigProvider(read, provider), "nested")
      assert.strictEqual(yield* read.pipe(OEffect.withConfigProvider(provider)), "nested")
    })
  )
})

describe("ConfigProvider", () => {
  it.effect("fromEnv joins a path with pathDelim over the process environment; fromMap with '.'", () =>
    Effect.gen(function* () {
      process.env.FAPILOG_OVERLAY__PROBE = "from env"
      const value = yield* OEffect.withConfigProvider(
        Config.option(Config.nested(OConfig.string("PROBE"), "FAPILOG_OVERLAY")),
        OConfigProvider.fromEnv({ pathDelim: "__", seqDelim: "," })
      )
      delete process.env.FAPILOG_OVERLAY__PROBE
      assert.deepStrictEqual(value, Option.some("from env"))
      const flat = OConfigProvider.fromEnv()
      assert.isTrue(
        Option.isNone(
          yield* OEffect.withConfigProvider(Config.option(OConfig.string("NO_SUCH_VAR_X1")), flat)
        )
      )
      const map = OConfigProvider.fromMap(new Map([["a.b", "dotted"]]))
      assert.strictEqual(
        yield* OEffect.withConfigProvider(Config.nested(OConfig.string("b"), "a"), map),
        "dotted"
      )
    })
  )
})

describe("Cause", () => {
  it.effect("failures, defects and the predicates read Effect 4's list of reasons", () =>
    Effect.gen(function* () {
      const failed = (yield* Effect.exit(Effect.fail("f"))) as Exit.Failure<never, string>
      const died = (yield* Effect.exit(Effect.die("d"))) as Exit.Failure<never, never>
      const interrupted = (yield* Effect.exit(Effect.interrupt)) as Exit.Failure<never, never>
      const both = OCause.combine(failed.cause, died.cause)
      assert.deepStrictEqual([...OCause.failures(both)], ["f"])
      assert.deepStrictEqual([...OCause.defects(both)], ["d"])
      assert.isTrue(OCause.isEmpty(OCause.empty))
      assert.isFalse(OCause.isEmpty(both))
      assert.isTrue(OCause.isInterrupted(interrupted.cause) && OCause.isInterruptedOnly(interrupted.cause))
      assert.isFalse(OCause.isInterruptedOnly(both))
      assert.isTrue(OCause.isDie(died.cause) && !OCause.isDie(failed.cause))
      const timedOut = yield* Effect.flip(
        Effect.timeout(Effect.never, "1 millis").pipe(
          Effect.forkChild,
          Effect.tap(() => TestClock.adjust("1 millis")),
          Effect.flatMap(Fiber.join)
        )
      )
      assert.isTrue(OCause.isTimeoutException(timedOut))
    })
  )
})

describe("Cause: Effect 3's single failure and UnknownException", () => {
  it.effect(
    "isFailType and failureOption; try and tryPromise with a bare thunk keep the thrown value as error",
    () =>
      Effect.gen(function* () {
        const failed = (yield* Effect.exit(Effect.fail("f"))) as Exit.Failure<never, string>
        const died = (yield* Effect.exit(Effect.die("d"))) as Exit.Failure<never, never>
        const both = OCause.combine(died.cause, failed.cause)
        assert.isTrue(OCause.isFailType(failed.cause))
        assert.isFalse(OCause.isFailType(died.cause) || OCause.isFailType(both))
        assert.deepStrictEqual(OCause.failureOption(both), Option.some("f"))
        assert.deepStrictEqual(OCause.failureOption(died.cause), Option.none())
        const boom = new Error("boom")
        const rejected = yield* Effect.flip(OEffect.tryPromise(() => Promise.reject(boom)))
        assert.instanceOf(rejected, OCause.UnknownException)
        assert.strictEqual(rejected.error, boom)
        assert.strictEqual(rejected._tag, "UnknownError")
        const thrown = yield* Effect.flip(
          OEffect.try(() => {
            throw boom
          })
        )
        assert.strictEqual(thrown.error, boom)
        // with a catch, both are Effect 4's
        assert.strictEqual(
          yield* Effect.flip(OEffect.tryPromise({ try: () => Promise.reject(boom), catch: () => "mapped" })),
          "mapped"
        )
        assert.strictEqual(
          yield* Effect.flip(
            OEffect.try({
              try: () => {
                throw boom
              },
              catch: () => "mapped"
            })
          ),
          "mapped"
        )
        assert.strictEqual(yield* OEffect.tryPromise(() => Promise.resolve(2)), 2)
      })
  )
})

describe("Schema and ParseResult", () => {
  const Level = OSchema.declare((u: unknown): u is "a" | "b" => u === "a" || u === "b", {
    identifier: "Level",
    message: (issue: { readonly actual: unknown }) => `${JSON.stringify(issue.actual)} is not a or b`
  })
  const Shape = Schema.Struct({ level: Level, note: OSchema.optionalWith(Schema.String, { exact: true }) })

  it("a declaration's message function names the rejected value, at its path", () => {
    const decoded = OSchema.decodeUnknownEither(Shape)({ level: "c" })
    assert.isTrue(Either.isLeft(decoded))
    if (!Either.isLeft(decoded)) return
    assert.deepStrictEqual(ParseResult.ArrayFormatter.formatErrorSync(decoded.left), [
      { _tag: "Issue", path: ["level"], message: '"c" is not a or b' }
    ])
  })

  it("optionalWith { exact: true }: absent is fine, undefined is not; plain declarations keep Effect 4's message", () => {
    assert.deepStrictEqual(OSchema.decodeUnknownEither(Shape)({ level: "a" }), Either.right({ level: "a" }))
    assert.isTrue(Either.isLeft(OSchema.decodeUnknownEither(Shape)({ level: "a", note: undefined })))
    const Plain = OSchema.declare((u: unknown): u is 1 => u === 1, { message: "not one" })
    const plain = OSchema.decodeUnknownEither(Plain)(2)
    assert.deepStrictEqual(
      Either.isLeft(plain)
        ? ParseResult.ArrayFormatter.formatErrorSync(plain.left).map((i) => i.message)
        : [],
      ["not one"]
    )
    const bare = OSchema.decodeUnknownEither(OSchema.declare((u: unknown): u is 1 => u === 1))(2)
    assert.strictEqual(
      Either.isLeft(bare) ? ParseResult.ArrayFormatter.formatErrorSync(bare.left).length : 0,
      1
    )
    assert.throws(() => OSchema.optionalWith(Schema.String, { exact: false } as never))
  })

  it("pattern checks a string with a message function; Record({ key, value }) takes .annotations", () => {
    const Token = Schema.String.pipe(
      OSchema.pattern(/^[a-z]+$/, { message: (issue) => `${JSON.stringify(issue.actual)} is not a token` })
    )
    const Headers = OSchema.Record({ key: Token, value: Schema.String }).annotations({
      identifier: "Headers"
    })
    assert.deepStrictEqual(OSchema.decodeUnknownEither(Headers)({ ok: "1" }), Either.right({ ok: "1" }))
    assert.strictEqual(SchemaAST.resolveIdentifier(Headers.ast), "Headers")
    const bad = OSchema.decodeUnknownEither(Token)("Bad Name")
    assert.deepStrictEqual(
      Either.isLeft(bad) ? ParseResult.ArrayFormatter.formatErrorSync(bad.left).map((i) => i.message) : [],
      ['"Bad Name" is not a token']
    )
    const plain = OSchema.decodeUnknownEither(Schema.String.pipe(OSchema.pattern(/^a$/)))("b")
    assert.deepStrictEqual(
      Either.isLeft(plain)
        ? ParseResult.ArrayFormatter.formatErrorSync(plain.left).map((i) => i.message)
        : [],
      ["must match /^a$/"]
    )
  })
})

describe("Schedule", () => {
  /** The delays before each retry of an effect failing `failures` times, read off the TestClock. */
  const delays = (schedule: OSchedule.Schedule<unknown, unknown>, failures: number) =>
    Effect.gen(function* () {
      const times: Array<number> = []
      const attempt = Effect.flatMap(Clock.currentTimeMillis, (now) => {
        times.push(now)
        return times.length <= failures ? Effect.fail("again") : Effect.succeed(times.length)
      })
      const fiber = yield* Effect.forkChild(Effect.result(Effect.retry(attempt, schedule)))
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)
      return { seen: times.slice(1).map((t, i) => t - (times[i] as number)), result }
    })

  it.effect("union takes the shorter delay, intersect the longer and stops when either stops", () =>
    Effect.gen(function* () {
      const schedule = OSchedule.spaced(Duration.millis(50)).pipe(
        OSchedule.union(OSchedule.spaced(Duration.millis(10))),
        OSchedule.intersect(OSchedule.recurs(2))
      )
      const { seen, result } = yield* delays(schedule, 5)
      assert.deepStrictEqual(seen, [10, 10])
      assert.isTrue(Result.isFailure(result), "two retries, then the failure")
      const longer = OSchedule.intersect(
        OSchedule.spaced(Duration.millis(5)),
        OSchedule.spaced(Duration.millis(20))
      )
      assert.deepStrictEqual((yield* delays(longer, 2)).seen, [20, 20])
    })
  )

  it.effect(
    "intersect and union output both outputs; identity, whileInput and modifyDelay over (output, delay)",
    () =>
      Effect.gen(function* () {
        // the network sink's shape: a retry schedule paired with the failure, which decides
        // whether to go on and may replace the delay (a Retry-After)
        type Failure = { readonly retryable: boolean; readonly afterMs?: number }
        const failures: Array<Failure> = [
          { retryable: true },
          { retryable: true, afterMs: 300 },
          { retryable: false }
        ]
        const schedule = OSchedule.spaced(Duration.millis(10)).pipe(
          OSchedule.intersect(OSchedule.identity<Failure>()),
          OSchedule.whileInput((f: Failure) => f.retryable),
          OSchedule.modifyDelay(([, failure]: readonly [unknown, Failure], delay: Duration.Duration) =>
            failure.afterMs === undefined ? delay : Duration.millis(failure.afterMs)
          )
        )
        const times: Array<number> = []
        const attempt = Effect.flatMap(Clock.currentTimeMillis, (now) => {
          times.push(now)
          return Effect.fail(failures[times.length - 1] as Failure)
        })
        const fiber = yield* Effect.forkChild(Effect.flip(Effect.retry(attempt, schedule)))
        yield* TestClock.adjust("1 minute")
        assert.deepStrictEqual(yield* Fiber.join(fiber), { retryable: false })
        assert.deepStrictEqual(
          times.slice(1).map((t, i) => t - (times[i] as number)),
          [10, 300]
        )
        // the outputs, as Effect 3 gives them: a pair, each side's own
        const outputs: Array<unknown> = []
        const paired = OSchedule.union(OSchedule.recurs(1), OSchedule.identity<string>()).pipe(
          OSchedule.intersect(OSchedule.recurs(2)),
          Schedule.tap((meta) => Effect.sync(() => void outputs.push(meta.output)))
        )
        yield* Effect.repeat(Effect.succeed("x"), paired)
        assert.deepStrictEqual(outputs, [
          [[0, "x"], 0],
          [[undefined, "x"], 1]
        ])
      })
  )
})

describe("the small ones", () => {
  it.effect("Context.Tag and GenericTag, Layer.scoped and unwrapEffect, Scope.extend, Duration.decode", () =>
    Effect.gen(function* () {
      class Greeting extends OContext.Tag("test/Greeting")<Greeting, string>() {}
      const Generic = OContext.GenericTag<"Generic", number>("test/Generic")
      let released = false
      const scoped = OLayer.scoped(
        Generic,
        Effect.acquireRelease(Effect.succeed(3), () => Effect.sync(() => void (released = true)))
      )
      const unwrapped = OLayer.unwrapEffect(Effect.succeed(Layer.succeed(Greeting, "hi")))
      const [greeting, n] = yield* Effect.all([Greeting, Generic]).pipe(
        Effect.provide(Layer.merge(unwrapped, scoped))
      )
      assert.deepStrictEqual([greeting, n, released], ["hi", 3, true])
      const scope = yield* OScope.make()
      const extended = yield* Effect.succeed(1).pipe(OScope.extend(scope))
      yield* OScope.close(scope, Exit.void)
      assert.strictEqual(extended, 1)
      assert.strictEqual(Duration.toMillis(ODuration.decode("2 seconds")), 2000)
      const child = yield* OScope.fork(yield* OScope.make(), ExecutionStrategy.sequential)
      assert.strictEqual(ExecutionStrategy.parallel, "parallel")
      yield* OScope.close(child, Exit.void)
    })
  )

  it("List, GlobalValue and FiberRefs", () => {
    const spans = List.fromIterable(new Set([{ label: "a", startTime: 1 }]))
    assert.deepStrictEqual([...spans], [{ label: "a", startTime: 1 }])
    assert.isFalse(List.isNil(spans))
    assert.isTrue(List.isNil(List.fromIterable([])))
    const key = Symbol("overlay test")
    const first = globalValue(key, () => ({ made: 1 }))
    assert.strictEqual(
      globalValue(key, () => ({ made: 2 })),
      first
    )
    const Ref = Context.Reference<string>("test/Ref", { defaultValue: () => "default" })
    assert.strictEqual(FiberRefs.getOrDefault(Context.empty(), Ref), "default")
    assert.strictEqual(FiberRefs.getOrDefault(Context.make(Ref, "set"), Ref), "set")
  })
})

describe("the translations plugins and LogEvent need", () => {
  it("Schema.filter: true passes; a string, a { path, message } or a list of them fails at its path", () => {
    const Pair = OSchema.Struct({ a: Schema.Number, b: Schema.Number }).pipe(
      OSchema.filter((p) =>
        p.a < p.b ? true : p.a === p.b ? "a equals b" : [{ path: ["b"], message: "b is below a" }]
      )
    )
    const messages = (u: unknown) => {
      const r = OSchema.decodeUnknownEither(Pair)(u)
      return Either.isLeft(r)
        ? ParseResult.ArrayFormatter.formatErrorSync(r.left).map((i) => [i.path.join("."), i.message])
        : []
    }
    assert.deepStrictEqual(messages({ a: 1, b: 2 }), [])
    assert.deepStrictEqual(messages({ a: 1, b: 1 }), [["", "a equals b"]])
    assert.deepStrictEqual(messages({ a: 2, b: 1 }), [["b", "b is below a"]])
    const Single = Schema.String.pipe(
      OSchema.filter((s) => (s === "" ? { path: [], message: "empty" } : undefined))
    )
    assert.deepStrictEqual(OSchema.decodeUnknownEither(Single)("x"), Either.right("x"))
    assert.isTrue(Either.isLeft(OSchema.decodeUnknownEither(Single)("")))
  })

  it("Literal takes one or several values; Struct and Schema.annotations give .annotations", () => {
    const One = OSchema.Literal("webhook")
    const Many = OSchema.Literal("a", "b")
    assert.isTrue(Schema.is(One)("webhook") && !Schema.is(One)("a"))
    assert.isTrue(Schema.is(Many)("b") && !Schema.is(Many)("c"))
    const Named = OSchema.Struct({ x: Schema.Number }).annotations({ identifier: "Named" })
    assert.strictEqual(SchemaAST.resolveIdentifier(Named.ast), "Named")
    const Piped = Schema.String.pipe(OSchema.annotations({ identifier: "Piped" }))
    assert.strictEqual(SchemaAST.resolveIdentifier(Piped.ast), "Piped")
    assert.strictEqual(SchemaAST.resolveIdentifier(Piped.annotations({ identifier: "Again" }).ast), "Again")
  })

  it("new ParseResult.ParseError({ issue: new ParseResult.Type(...) }) is Effect 4's SchemaError with that message", () => {
    const error = new ParseResult.ParseError({
      issue: new ParseResult.Type(Schema.String.ast, "x", "not JSON")
    })
    assert.instanceOf(error, Schema.SchemaError)
    assert.deepStrictEqual(
      ParseResult.ArrayFormatter.formatErrorSync(error).map((i) => i.message),
      ["not JSON"]
    )
  })

  it("Either.try with a bare thunk keeps the throw as the Left", () => {
    const thrown = new Error("bad")
    assert.deepStrictEqual(
      Either.try(() => 1),
      Either.right(1)
    )
    assert.deepStrictEqual(
      Either.try(() => {
        throw thrown
      }),
      Either.left(thrown)
    )
  })

  it.effect("Context.Reference<Self>()(key, { defaultValue }): a class-style key read with its default", () =>
    Effect.gen(function* () {
      class Depth extends OContext.Reference<Depth>()("test/Depth", { defaultValue: () => 0 }) {}
      assert.strictEqual(yield* Depth, 0)
      const provided = yield* Effect.gen(function* () {
        return yield* Depth
      }).pipe(Effect.provideService(Depth, 3))
      assert.strictEqual(provided, 3)
    })
  )
})
