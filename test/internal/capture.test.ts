import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fc from "fast-check"
import { createLogger, Fapilog, Sink, withContext } from "../../src/index.js"
import {
  captureError,
  captureFields,
  captureValue,
  isError,
  listableFields
} from "../../src/internal/capture.js"
import { CapturedError, toErrorInfo } from "../../src/internal/errorInfo.js"
import { defaultLimits, type JsonLimits, stringify } from "../../src/internal/json.js"

const small: JsonLimits = { maxDepth: 4, maxKeys: 5, maxArrayLength: 4, maxStringLength: 50 }

/** Values of every kind the writer handles, nested. */
const anyValue = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  maxDepth: 6,
  maxKeys: 8
})

const withErrors = fc.oneof(
  anyValue,
  fc.record({ err: fc.string().map((m) => new Error(m)), v: anyValue }),
  fc.tuple(fc.string(), anyValue).map(([m, v]) => {
    const e = new TypeError(m, { cause: new RangeError("inner") })
    Object.assign(e, { status: 400, detail: v })
    return e
  })
)

describe("capture writes what the value itself would write", () => {
  it("for any value, under the default and under small limits", () => {
    fc.assert(
      fc.property(withErrors, (v) => {
        for (const limits of [defaultLimits, small]) {
          assert.strictEqual(stringify(captureValue(v, limits), limits), stringify(v, limits))
        }
      }),
      { numRuns: 400 }
    )
  })

  it("for what the limits cut: depth, keys, items, Map entries, Sets, typed arrays", () => {
    const deep: Record<string, unknown> = {}
    let at = deep
    for (let i = 0; i < 20; i++) at = (at.next = { i }) as Record<string, unknown>
    const wide = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i]))
    const values: ReadonlyArray<unknown> = [
      deep,
      wide,
      { nested: wide },
      Array.from({ length: 10 }, (_, i) => ({ i })),
      new Map(Array.from({ length: 9 }, (_, i) => [`m${i}`, { i }])),
      new Map<unknown, unknown>([
        [{ a: 1 }, "object key"],
        [2, "number key"],
        [undefined, "undefined key"]
      ]),
      new Set(Array.from({ length: 7 }, (_, i) => i)),
      new Float64Array([1.5, Number.NaN, 3, 4, 5, 6]),
      new BigInt64Array([1n, 2n]),
      new DataView(new ArrayBuffer(8)),
      { toJSON: () => ({ replaced: wide }) },
      { "…": "a user key that looks like the marker", rest: wide }
    ]
    for (const v of values) {
      for (const limits of [defaultLimits, small]) {
        assert.strictEqual(stringify(captureValue(v, limits), limits), stringify(v, limits))
      }
    }
  })

  it("cut by capture and cut again by tighter writer limits, the summaries still add up", () => {
    const wide = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]))
    const map = new Map(Array.from({ length: 30 }, (_, i) => [`m${i}`, i]))
    const tight: JsonLimits = { ...small, maxKeys: 2, maxArrayLength: 2 }
    const cutTwice = (v: unknown) => JSON.parse(stringify(captureValue(v, small), tight) as string)
    assert.deepStrictEqual(cutTwice(wide), { k0: 0, k1: 1, "…": "[28 more keys]" })
    assert.deepStrictEqual(cutTwice(Array.from({ length: 30 }, (_, i) => i)), [0, 1, "[…28 more]"])
    assert.deepStrictEqual(cutTwice(map), { m0: 0, m1: 1, "…": "[28 more entries]" })
  })

  it("fields that cannot be listed at all are withheld under the … key, never thrown", () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    assert.isFalse(isError(proxy), "a revoked proxy is no Error, and asking does not throw")
    assert.isTrue(isError(new TypeError("t")))
    assert.deepStrictEqual(captureFields(proxy, defaultLimits), {
      "…": "[Unserializable: [Threw: Cannot perform 'ownKeys' on a proxy that has been revoked]]"
    })
    // keys listed, then a read that traps: what was read stands, the rest is noted
    const partial = new Proxy(
      { a: 1, b: 2 },
      {
        getOwnPropertyDescriptor(target, key) {
          if (key === "b") throw new Error("no b")
          return Reflect.getOwnPropertyDescriptor(target, key)
        }
      }
    )
    assert.deepStrictEqual(captureFields(partial, defaultLimits), {
      a: 1,
      "…": "[Unserializable: [Threw: no b]]"
    })
  })

  it("hostile values: cycles, throwing getters and toJSON, proxies, functions, symbols", () => {
    const cycle: Record<string, unknown> = { name: "loop" }
    cycle.self = cycle
    const throwing = Object.defineProperty({ ok: 1 }, "bad", {
      enumerable: true,
      get() {
        throw new Error("getter exploded")
      }
    })
    const unlisted = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys for you")
        }
      }
    )
    const hostile = {
      cycle,
      throwing,
      unlisted,
      toJsonThrows: {
        toJSON() {
          throw new Error("toJSON exploded")
        }
      },
      fn: function named() {},
      sym: Symbol("s"),
      big: 10n ** 30n
    }
    const captured = captureFields(hostile, defaultLimits)
    assert.strictEqual(stringify(captured), stringify(hostile))
    const parsed = JSON.parse(stringify(captured) as string)
    assert.deepStrictEqual(parsed.cycle, { name: "loop", self: "[Circular]" })
    assert.deepStrictEqual(parsed.throwing, { ok: 1, bad: "[Threw: getter exploded]" })
    assert.strictEqual(parsed.toJsonThrows, "[Threw: toJSON exploded]")
    assert.strictEqual(parsed.fn, "[Function named]")
    assert.strictEqual(parsed.big, "1000000000000000000000000000000")
  })

  it("a fields object whose own getter throws, or a proxy refusing its keys, never throws into the caller", () => {
    const fields = Object.defineProperty({ a: 1 }, "b", {
      enumerable: true,
      get() {
        throw new Error("nope")
      }
    })
    assert.deepStrictEqual(JSON.parse(stringify(captureFields(fields, defaultLimits)) as string), {
      a: 1,
      b: "[Threw: nope]"
    })
    const proxy = new Proxy({ a: 1 }, { ownKeys: () => [1 as never] })
    assert.doesNotThrow(() => captureFields(proxy, defaultLimits))
  })

  it("a __proto__ key stays an ordinary field and pollutes nothing", () => {
    const fields = JSON.parse('{"__proto__":{"polluted":true},"a":{"__proto__":{"x":1}}}')
    const captured = captureFields(fields, defaultLimits)
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined)
    assert.strictEqual(Object.getPrototypeOf(captured), Object.prototype)
    assert.strictEqual(stringify(captured), '{"__proto__":{"polluted":true},"a":{"__proto__":{"x":1}}}')
  })

  it("huge values cost what the limits allow", () => {
    const huge = Array.from({ length: 1_000_000 }, (_, i) => ({ i }))
    const captured = captureValue(huge, defaultLimits) as ReadonlyArray<unknown>
    assert.strictEqual(captured.length, defaultLimits.maxArrayLength + 1)
    let deep: Record<string, unknown> = {}
    const top = deep
    for (let i = 0; i < 100_000; i++) deep = (deep.d = {}) as Record<string, unknown>
    assert.strictEqual(stringify(captureValue(top, defaultLimits)), stringify(top))
  })

  it("strings, numbers and other primitives are shared, not copied", () => {
    const s = "x".repeat(1000)
    assert.strictEqual(captureValue(s, defaultLimits), s)
    assert.strictEqual(captureValue(42, defaultLimits), 42)
    const fields = { s, n: 1 }
    const captured = captureFields(fields, defaultLimits)
    assert.notStrictEqual(captured, fields)
    assert.strictEqual(captured.s, s)
  })

  it("an error is read at the call: message, stack, code, cause chain, own properties", () => {
    const inner = new Error("inner")
    const error = Object.assign(new Error("outer", { cause: inner }), { code: "E_X", detail: { n: 1 } })
    const captured = captureError(error, defaultLimits)
    assert.instanceOf(captured, CapturedError)
    assert.instanceOf(captured, Error)
    const before = structuredClone(toErrorInfo(error))
    error.message = "changed"
    inner.message = "changed too"
    error.detail.n = 2
    assert.deepStrictEqual(toErrorInfo(captured), before)
    assert.strictEqual((captured as Error).message, "outer")
    // a thrown string cannot change: it is kept as it is
    assert.strictEqual(captureError("plain", defaultLimits), "plain")
  })
})

describe("fields read late", () => {
  it("are the object itself, or, when they cannot be listed, what capture at the call makes of them", () => {
    const plain = { a: 1 }
    assert.strictEqual(listableFields(plain, defaultLimits), plain)
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {})
    revoke()
    const prototypeThrows = new Proxy(
      { a: 1 },
      {
        getPrototypeOf: () => {
          throw new Error("getPrototypeOf trap")
        }
      }
    )
    assert.deepStrictEqual(Object.keys(listableFields(proxy, defaultLimits)), ["…"])
    for (const unreadable of [proxy, prototypeThrows]) {
      const listed = listableFields(unreadable, defaultLimits)
      assert.deepStrictEqual(
        listed,
        captureFields(unreadable, defaultLimits),
        "as capture at the call writes them"
      )
    }
  })
})

const N = 10_000

/** Every line's `tick` and `nested.n` against its call's index. */
const mismatches = (lines: ReadonlyArray<string>, read: (line: Record<string, unknown>) => unknown) =>
  lines.filter((line, i) => {
    const v = read(JSON.parse(line)) as { tick: number; n: number }
    return v.tick !== i || v.n !== i
  }).length

describe("every line shows the values of its call", () => {
  it("the facade: one object and a nested one mutated after each of 10,000 calls", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ sinks: [memory] })
    const state = { tick: 0, nested: { n: 0 }, list: [0], map: new Map([["n", 0]]), at: new Date(0) }
    for (let i = 0; i < N; i++) {
      state.tick = i
      state.nested.n = i
      state.list.push(i)
      state.map.set("n", i)
      state.at.setTime(i)
      log.info("tick", state)
    }
    await log.close()
    const lines = memory.lines()
    assert.strictEqual(lines.length, N)
    assert.strictEqual(
      mismatches(lines, (l) => ({ tick: l.tick, n: (l.nested as { n: number }).n })),
      0
    )
    const events = memory.events()
    for (const i of [0, 1, 4_999, N - 1]) {
      const fields = events[i]?.fields as Record<string, unknown>
      assert.strictEqual((fields.list as Array<number>).length, Math.min(i + 2, 1001))
      assert.deepStrictEqual(JSON.parse(lines[i] as string).map, { n: i })
      assert.strictEqual(JSON.parse(lines[i] as string).at, new Date(i).toISOString())
    }
  })

  it("child bindings and withContext fields keep the values they had when bound", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ sinks: [memory] })
    const user = { id: 1, roles: ["reader"] }
    const child = log.child({ user })
    user.roles.push("admin")
    user.id = 2
    const request = { id: "r1", tags: { a: 1 } }
    await withContext({ request }, async () => {
      request.tags.a = 2
      child.info("inside")
    })
    await log.close()
    const line = JSON.parse(memory.lines()[0] as string)
    assert.deepStrictEqual(line.user, { id: 1, roles: ["reader"] })
    assert.deepStrictEqual(line.request, { id: "r1", tags: { a: 1 } })
  })

  it("an error changed after it was logged is written as it was", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ sinks: [memory] })
    const error = new Error("first", { cause: new Error("root") })
    log.error("failed", error)
    log.warn("with a field", { err: error, failure: error })
    error.message = "second"
    ;(error.cause as Error).message = "changed"
    await log.close()
    const [first, second] = memory.lines().map((l) => JSON.parse(l))
    assert.strictEqual(first.error.message, "first")
    assert.strictEqual(first.error.cause.message, "root")
    assert.strictEqual(second.error.message, "first")
    assert.strictEqual(second.failure.message, "first")
    assert.strictEqual(memory.events()[0]?.error?.message, "first")
  })

  it.effect("Fapilog.info, annotations and Effect.log message parts: 10,000 calls each", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const state = { tick: 0, nested: { n: 0 } }
      const program = Effect.gen(function* () {
        for (let i = 0; i < N; i++) {
          state.tick = i
          state.nested.n = i
          yield* Fapilog.info("fields", state)
        }
        for (let i = 0; i < N; i++) {
          state.tick = i
          state.nested.n = i
          yield* Effect.log("annotated").pipe(Effect.annotateLogs("state", state))
        }
        yield* Effect.annotateLogs(
          Effect.gen(function* () {
            for (let i = 0; i < N; i++) {
              state.tick = i
              state.nested.n = i
              yield* Effect.log("one annotation scope", state)
            }
          }),
          "scope",
          state
        )
      })
      yield* program.pipe(Effect.provide(Layer.fresh(Fapilog.layer({ sinks: [memory] }))))
      const lines = memory.lines()
      assert.strictEqual(lines.length, 3 * N)
      assert.strictEqual(
        mismatches(lines.slice(0, N), (l) => ({ tick: l.tick, n: (l.nested as { n: number }).n })),
        0
      )
      assert.strictEqual(
        mismatches(lines.slice(N, 2 * N), (l) => {
          const s = l.state as { tick: number; nested: { n: number } }
          return { tick: s.tick, n: s.nested.n }
        }),
        0
      )
      // one annotation scope around all the calls: each line holds the state of its own call
      const third = lines.slice(2 * N)
      assert.strictEqual(
        mismatches(third, (l) => {
          const s = l.scope as { tick: number; nested: { n: number } }
          return { tick: s.tick, n: s.nested.n }
        }),
        0
      )
      assert.strictEqual(
        third.filter(
          (l, i) => JSON.parse(l).message !== `one annotation scope {"tick":${i},"nested":{"n":${i}}}`
        ).length,
        0
      )
    })
  )
})
