import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
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
