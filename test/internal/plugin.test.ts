import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Exit, Schema, Scope } from "effect"
import { Errors, Plugin, Sink } from "fapilog"
import { Diagnostics } from "../../src/internal/diagnostics.js"
import * as internal from "../../src/internal/plugin.js"
import * as Testing from "../../src/Testing.js"

const collect = () => {
  const lines: Array<Record<string, unknown>> = []
  const diagnostics = new Diagnostics(
    "t",
    (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    0
  )
  const host: internal.Host = {
    logger: "orders",
    service: "shop",
    diagnostics,
    settings: { timeoutMs: 200 },
    shutdownTimeoutMs: 500,
    at: undefined
  }
  return { lines, host }
}

const sinkPlugin = (make: Plugin.SinkPlugin<unknown>["make"]) =>
  Plugin.sink({
    name: "fapilog-plugin-unit",
    type: "unit",
    version: "1.0.0",
    apiVersion: "1.0",
    description: "unit",
    config: Schema.Unknown,
    make
  })

describe("apiVersion rule", () => {
  it("same major, minor at most ours; reasons say which", () => {
    assert.isUndefined(internal.incompatibility("1.0"))
    assert.isUndefined(internal.incompatibility("1.2", "1.3"))
    assert.match(
      internal.incompatibility("1.4", "1.3") ?? "",
      /newer than this fapilog's 1.3: upgrade fapilog/
    )
    assert.match(internal.incompatibility("2.0") ?? "", /the major versions must be equal/)
    assert.match(internal.incompatibility("0.9") ?? "", /the major versions must be equal/)
    assert.match(internal.incompatibility(1) ?? "", /its apiVersion 1 is not a "major.minor" version/)
    assert.match(internal.incompatibility("latest") ?? "", /is not a "major.minor" version/)
  })
})

describe("readPlugin", () => {
  it("lists everything a plugin object lacks", () => {
    const read = internal.readPlugin({ name: "p", type: "Bad Type", kind: "filter" })
    assert.isTrue(Either.isLeft(read))
    assert.strictEqual(
      Either.isLeft(read) ? read.left : "",
      "\"p\" is not a valid plugin object: it needs type (lowercase letters, digits, '.', '_', '-'), kind (sink or enricher), version (a string), apiVersion (a string such as \"1.0\"), description (a string), config (an effect Schema), make (a function)"
    )
  })

  it("a hostile object is a problem reported, never an exception", () => {
    const proxy = new Proxy(
      {},
      {
        get: () => {
          throw new Error("trap")
        }
      }
    )
    const read = internal.readPlugin(proxy)
    assert.strictEqual(
      Either.isLeft(read) ? read.left : "",
      "is not a readable plugin object: reading it threw Error: trap"
    )
    assert.strictEqual(Either.isLeft(internal.readPlugin(null)) ? "left" : "right", "left")
  })

  it("takes a frozen copy: later changes to the object do not change what was checked", () => {
    const p = { ...sinkPlugin(() => Effect.succeed(Sink.memory())) }
    const read = internal.readPlugin(p)
    ;(p as { apiVersion: string }).apiVersion = "9.0"
    assert.strictEqual(Either.isRight(read) ? read.right.apiVersion : "", "1.0")
    assert.isTrue(Object.isFrozen(Either.isRight(read) ? read.right : undefined))
  })
})

describe("policy", () => {
  it("deny wins over allow; either list matches type or package name", () => {
    assert.isUndefined(internal.policyRefusal(["loki", "@fapilog/loki"], undefined))
    assert.isUndefined(internal.policyRefusal(["loki", "@fapilog/loki"], { allow: ["@fapilog/loki"] }))
    assert.match(
      internal.policyRefusal(["loki"], { allow: ["loki"], deny: ["loki"] }) ?? "",
      /denied by plugins.deny/
    )
    assert.strictEqual(internal.policyRefusal(["loki"], { allow: [] }), "is not in plugins.allow (empty)")
  })
})

describe("openSink", () => {
  it.live("gives the plugin its context; report goes to the logger's diagnostics", () =>
    Effect.gen(function* () {
      const { lines, host } = collect()
      const seen: Array<string> = []
      const plugin = sinkPlugin((_, context) =>
        Effect.sync(() => {
          seen.push(`${context.logger}/${context.service}`)
          context.report("warming up", new Error("slow"))
          return Sink.memory()
        })
      )
      yield* Effect.scoped(internal.openSink(plugin as Plugin.Plugin, {}, host))
      assert.deepStrictEqual(seen, ["orders/shop"])
      assert.strictEqual(lines[0]?.message, "plugin fapilog-plugin-unit: warming up")
      assert.strictEqual((lines[0]?.error as { message: string } | undefined)?.message, "slow")
    })
  )

  it.live("a failed start reports, fails writes with a SinkError, then starts after the interval", () =>
    Effect.gen(function* () {
      const { lines, host } = collect()
      let attempts = 0
      const memory = Sink.memory()
      const plugin = sinkPlugin(() =>
        Effect.suspend(() =>
          ++attempts === 1
            ? Effect.fail(new Errors.SinkError({ sink: "unit", reason: "refused" }))
            : Effect.succeed(memory)
        )
      )
      const scope = yield* Scope.make()
      const sink = yield* internal.openSink(plugin as Plugin.Plugin, {}, host).pipe(Scope.extend(scope))
      assert.strictEqual(sink.name, "unit(fapilog-plugin-unit)")
      assert.isUndefined(sink.writeSync)
      assert.match(
        String(lines[0]?.message),
        /start failed; its sink fails every write and the start is retried/
      )
      const early = yield* Effect.exit(sink.write(Testing.batch(1)))
      assert.isTrue(Exit.isFailure(early))
      assert.strictEqual(attempts, 1, "no new attempt before the interval")
      yield* Effect.sleep(internal.restartIntervalMs + 100)
      yield* sink.write(Testing.batch(2))
      assert.strictEqual(attempts, 2)
      assert.strictEqual(memory.events().length, 2)
      assert.strictEqual(sink.name, "memory")
      assert.match(String(lines.at(-1)?.message), /started after 2 attempts/)
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.live("a write that hangs past plugins.timeoutMs fails with a SinkError", () =>
    Effect.gen(function* () {
      const { host } = collect()
      const plugin = sinkPlugin(() => Effect.succeed({ name: "slow", write: () => Effect.never }))
      const exit = yield* Effect.scoped(
        internal
          .openSink(plugin as Plugin.Plugin, {}, host)
          .pipe(Effect.flatMap((s) => Effect.exit(s.write(Testing.batch(1)))))
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.instanceOf(error, Errors.SinkError)
      assert.strictEqual((error as Errors.SinkError).reason, "write did not complete within 200 ms")
    })
  )

  it.live("resources acquired by a start that fails are released at once", () =>
    Effect.gen(function* () {
      const { host } = collect()
      const events: Array<string> = []
      const plugin = sinkPlugin(() =>
        Effect.acquireRelease(
          Effect.sync(() => events.push("acquired")),
          () => Effect.sync(() => events.push("released"))
        ).pipe(Effect.zipRight(Effect.fail(new Errors.SinkError({ sink: "unit", reason: "half-open" }))))
      )
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* internal.openSink(plugin as Plugin.Plugin, {}, host)
          assert.deepStrictEqual(events, ["acquired", "released"])
        })
      )
    })
  )
})
