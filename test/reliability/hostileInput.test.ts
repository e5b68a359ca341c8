import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import fc from "fast-check"
import { createLogger, Fapilog, Sink } from "../../src/index.js"
import { BatchImpl } from "../../src/internal/batch.js"
import * as L from "../../src/internal/level.js"
import { recordOf } from "../../src/internal/record.js"
import { compile } from "../../src/internal/redact.js"
import { allFormatters } from "../support/events.js"

/** Values JSON cannot hold, or that fight back when read. */
const hostileLeaf = fc.oneof(
  fc.bigInt(),
  fc.constant(Symbol("s")),
  fc.constant(() => 1),
  fc.constant(Number.NaN),
  fc.constant(new Date(Number.NaN)),
  fc.constant(Object.create(null)),
  fc.constant(new Map<unknown, unknown>([[{}, 1]])),
  fc.constant(new Set([1, "a"])),
  fc.constant(Buffer.from("buf")),
  fc.constant(new Uint16Array([1, 2])),
  fc.constant(new Error("e", { cause: new AggregateError([new Error("x")]) })),
  fc.constant({
    get boom() {
      throw new Error("getter")
    },
    [fc.toStringMethod]: () => "{ get boom() { throw } }"
  }),
  fc.constant({
    toJSON() {
      throw new Error("toJSON")
    },
    [fc.toStringMethod]: () => "{ toJSON() { throw } }"
  }),
  fc.constant(
    new Proxy(
      { [fc.toStringMethod]: () => "Proxy(ownKeys throws)" },
      {
        ownKeys() {
          throw new Error("trap")
        }
      }
    )
  ),
  fc.string({ unit: "binary" }),
  fc.constantFrom("\u001b[31mred", "line\nbreak", "\r\n", "\u2028", "\ud800", "\u0000", '"quoted"', "a=b c")
)

const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    hostileLeaf,
    fc.jsonValue(),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "binary" }), tie("value"), { maxKeys: 4 })
  )
})).value

const hostileFields = fc.dictionary(
  fc.oneof(
    fc.string({ unit: "binary" }),
    fc.constantFrom("__proto__", "constructor", "level", "message", "error", "err", "fields")
  ),
  hostileValue,
  { maxKeys: 6 }
)

const formatters = allFormatters()

const jsonLike = new Set(["json", "ecs", "otel", "pino"])

describe("hostile input, every formatter", () => {
  it("never throws, never pollutes prototypes, and writes exactly one valid line per event", () => {
    fc.assert(
      fc.property(hostileFields, fc.string({ unit: "binary" }), hostileValue, (fields, message, binding) => {
        const records = [
          recordOf(L.INFO, message, { fields, bindings: { b: binding }, annotations: { a: binding } }),
          recordOf(L.ERROR, [message, binding], { fields: { err: new Error(message) } })
        ]
        for (const redact of [undefined, compile({ keys: ["password"], paths: ["*.token"] })]) {
          const batch = new BatchImpl(records, { redact })
          for (const f of formatters) {
            const text = batch.text(f)
            const lines = text.split("\n")
            assert.strictEqual(lines.pop(), "", `${f.name}: ends with a newline`)
            assert.strictEqual(lines.length, records.length, `${f.name}: one line per event`)
            for (const line of lines) {
              assert.notMatch(line, /[\r\u2028\u2029]/, `${f.name}: no raw line breaks`)
              if (f.name !== "pretty") assert.notMatch(line, /\u001b/, `${f.name}: no raw escape`)
              if (jsonLike.has(f.name)) JSON.parse(line)
            }
          }
        }
        assert.isUndefined(({} as Record<string, unknown>).polluted)
        assert.strictEqual(Object.getPrototypeOf({}), Object.prototype)
      }),
      { numRuns: 300 }
    )
  })

  it("5,000-deep nesting and multi-megabyte strings stay bounded", () => {
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let i = 0; i < 5000; i++) deep = deep.next = {}
    const big = "x".repeat(3 * 1024 * 1024)
    const batch = new BatchImpl([recordOf(L.INFO, big, { fields: { root, big } })])
    for (const f of formatters) {
      const text = batch.text(f)
      assert.isBelow(text.length, 2_500_000, `${f.name}: strings are capped`)
      assert.strictEqual(text.split("\n").length, 2)
    }
  })
})

/** A revoked proxy, and one whose every trap throws: neither can say what it is or list its keys. */
const unreadable = (): ReadonlyArray<readonly [string, object]> => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  const trap = (name: string) => () => {
    throw new Error(`${name} trap`)
  }
  const trapping = new Proxy(
    {},
    {
      getPrototypeOf: trap("getPrototypeOf"),
      ownKeys: trap("ownKeys"),
      get: trap("get"),
      has: trap("has"),
      getOwnPropertyDescriptor: trap("getOwnPropertyDescriptor")
    }
  )
  return [
    ["revoked proxy", proxy],
    ["trapping proxy", trapping]
  ]
}

/** What a line holds for fields that could not be read: the `…` key, saying why. */
const assertWithheld = (fields: Readonly<Record<string, unknown>>, what: string) => {
  assert.match(String(fields["…"]), /^\[Unserializable: \[Threw: .+\]\]$/, what)
}

describe("a value that cannot be read as the fields argument", () => {
  it("the Promise facade never throws; the line says the fields were withheld", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ sinks: [memory, { type: "stdout", format: "logfmt" }], level: "info" })
    for (const [name, value] of unreadable()) {
      assert.doesNotThrow(() => log.info(name, value as never), name)
      assert.doesNotThrow(() => log.child({ bound: 1 }).warn(name, value as never), name)
    }
    await log.close()
    const events = memory.events()
    assert.strictEqual(events.length, 4)
    for (const e of events) assertWithheld(e.fields, e.message)
    assert.strictEqual(events[1]?.fields.bound, 1, "bound fields are kept")
  })

  it('with capture "late" too, and as a child\'s bindings, the line says the fields were withheld', async () => {
    for (const capture of ["call", "late"] as const) {
      const memory = Sink.memory()
      const log = await createLogger({
        sinks: [memory, { type: "stdout", format: "logfmt" }],
        level: "info",
        capture
      })
      for (const [name, value] of unreadable()) {
        assert.doesNotThrow(() => log.info(name, value as never), name)
        assert.doesNotThrow(() => log.child(value as never).info(`child of ${name}`, { own: 1 }), name)
      }
      await log.close()
      const events = memory.events()
      assert.strictEqual(events.length, 4)
      for (const e of events) assertWithheld(e.fields, `${capture}: ${e.message}`)
      assert.strictEqual(events[1]?.fields.own, 1, "the call's own fields are kept")
    }
  })

  it.effect("Fapilog.* never fails the fiber; the line says the fields were withheld", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const exits = yield* Effect.forEach(unreadable(), ([name, value]) =>
        Effect.exit(Fapilog.info(name, value as never))
      ).pipe(Effect.provide(Fapilog.layer({ sinks: [memory] })))
      for (const exit of exits) assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(memory.events().length, 2)
      for (const e of memory.events()) assertWithheld(e.fields, e.message)
      // without a fapilog layer, Effect's own logger gets the fields, captured
      const fallback = yield* Effect.forEach(unreadable(), ([name, value]) =>
        Effect.exit(Fapilog.info(name, value as never))
      )
      for (const exit of fallback) assert.isTrue(Exit.isSuccess(exit))
    })
  )

  it.effect("an Effect.annotateLogs value that cannot be read is written withheld", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      yield* Effect.forEach(unreadable(), ([name, value]) =>
        // Effect itself fails this fiber afterwards (its FiberRefs compare the annotation
        // values when annotateLogs restores them, and hash the proxy), with or without
        // fapilog: run it apart, and look at fapilog's part, the line
        Effect.fork(Effect.logInfo(name).pipe(Effect.annotateLogs("hostile", value))).pipe(
          Effect.flatMap(Fiber.await)
        )
      ).pipe(Effect.provide(Fapilog.layer({ sinks: [memory] })))
      assert.strictEqual(memory.events().length, 2)
      for (const e of memory.events())
        assert.match(String(e.fields.hostile), /^\[Unserializable: \[Threw: .+\]\]$/, e.message)
    })
  )
})
