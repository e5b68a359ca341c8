/**
 * Redaction against fast-redact (the redaction library pino uses), run in the test as an
 * oracle: for the same paths and the same fields, the user fields of fapilog's JSON line and
 * of its structured event must be what fast-redact's output is. Where fapilog deliberately
 * differs, a test below says how and why.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import fastRedact from "fast-redact"
import * as L from "../../../src/internal/level.js"
import { type Fields, formatJsonLine, materialize, recordOf } from "../../../src/internal/record.js"
import { compile } from "../../../src/internal/redact.js"

const CORE = new Set(["timestamp", "level", "logger", "message"])

/** The user fields of fapilog's JSON line for `fields`, redacted with `paths`. */
const ours = (fields: Fields, paths: ReadonlyArray<string>, remove = false): unknown => {
  const line = JSON.parse(
    formatJsonLine(recordOf(L.INFO, "m", { time: 0, fields }), undefined, compile({ paths, remove }))
  ) as Record<string, unknown>
  return Object.fromEntries(Object.entries(line).filter(([k]) => !CORE.has(k)))
}

/** The user fields of the structured event (what logfmt, pretty, the layouts and sinks see). */
const oursStructured = (fields: Fields, paths: ReadonlyArray<string>, remove = false): unknown =>
  JSON.parse(
    JSON.stringify(materialize(recordOf(L.INFO, "m", { time: 0, fields }), compile({ paths, remove })).fields)
  )

/** fast-redact's JSON for the same fields (it mutates, serializes, then restores its input). */
const oracle = (fields: Fields, paths: ReadonlyArray<string>, remove = false): unknown =>
  JSON.parse(fastRedact({ paths: [...paths], remove })(structuredClone(fields)) as string)

const key = fc.constantFrom("a", "b", "c")
const leaf = (withUndefined: boolean) =>
  withUndefined
    ? fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(undefined))
    : fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.boolean())
const fieldsArb = (withUndefined: boolean): fc.Arbitrary<Fields> => {
  const tree = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      leaf(withUndefined),
      fc.dictionary(key, tie("node"), { maxKeys: 3 }),
      fc.array(tie("node"), { maxLength: 3 })
    )
  })).node
  return fc.dictionary(key, tree, { maxKeys: 3 }) as fc.Arbitrary<Fields>
}

/** `a`, `a.b`, `a[1]`, `a[0].c`: explicit paths in the syntax both libraries read. */
const explicitPath = (arrayItems: boolean) =>
  fc
    .tuple(
      key,
      fc.array(
        arrayItems
          ? fc.oneof(
              key.map((k) => `.${k}`),
              fc.constantFrom("[0]", "[1]")
            )
          : key.map((k) => `.${k}`),
        {
          maxLength: 2
        }
      )
    )
    .map(([first, rest]) => first + rest.join(""))

/** Paths with a wildcard: `*.b`, `a.*`, `a[*]`, `a[*].b`. */
const wildcardPath = fc.oneof(
  key.map((k) => `*.${k}`),
  key.map((k) => `${k}.*`),
  key.map((k) => `${k}[*]`),
  fc.tuple(key, key).map(([k, j]) => `${k}[*].${j}`)
)

describe("redaction, with fast-redact as the oracle", () => {
  it("explicit paths, values undefined included: the same line as fast-redact", () => {
    fc.assert(
      fc.property(
        fieldsArb(true),
        fc.array(explicitPath(true), { minLength: 1, maxLength: 3 }),
        (fields, paths) => {
          const expected = oracle(fields, paths)
          assert.deepStrictEqual(ours(fields, paths), expected)
          assert.deepStrictEqual(oursStructured(fields, paths), expected)
        }
      ),
      { numRuns: 500 }
    )
  })

  it("explicit paths with remove: the same line as fast-redact", () => {
    fc.assert(
      fc.property(
        fieldsArb(true),
        fc.array(explicitPath(false), { minLength: 1, maxLength: 3 }),
        (fields, paths) => {
          const expected = oracle(fields, paths, true)
          assert.deepStrictEqual(ours(fields, paths, true), expected)
          assert.deepStrictEqual(oursStructured(fields, paths, true), expected)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("wildcard paths over defined values: the same line as fast-redact", () => {
    fc.assert(
      fc.property(
        fieldsArb(false),
        fc.array(wildcardPath, { minLength: 1, maxLength: 2 }),
        (fields, paths) => {
          const expected = oracle(fields, paths)
          assert.deepStrictEqual(ours(fields, paths), expected)
          assert.deepStrictEqual(oursStructured(fields, paths), expected)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("a censored key holding undefined is left out, as fast-redact does for explicit paths", () => {
    const fields = { foo: { bar: undefined, baz: 1 }, list: [undefined, 2] }
    const paths = ["foo.bar", "list[0]"]
    assert.deepStrictEqual(oracle(fields, paths), { foo: { baz: 1 }, list: [null, 2] })
    assert.deepStrictEqual(ours(fields, paths), { foo: { baz: 1 }, list: [null, 2] })
    assert.deepStrictEqual(oursStructured(fields, paths), { foo: { baz: 1 }, list: [null, 2] })
    // and so is one matched by a key rule, at any depth
    const byKey = JSON.parse(
      formatJsonLine(
        recordOf(L.INFO, "m", {
          time: 0,
          fields: { a: { password: undefined }, m: new Map([["password", undefined]]) }
        }),
        undefined,
        compile({ keys: ["password"] })
      )
    ) as Record<string, unknown>
    assert.deepStrictEqual(byKey.a, {})
    assert.deepStrictEqual(byKey.m, {})
  })

  // Deliberate differences, each against the rule it keeps.
  it("differs from fast-redact where a wildcard would add a key the line does not have", () => {
    // fast-redact's wildcard code censors an undefined value, adding a key that the line
    // without redaction does not have; issue 22: "a censor must never add a key that would
    // not have been written"
    const fields = { foo: { bar: undefined }, x: { bar: 1 } }
    assert.deepStrictEqual(oracle(fields, ["*.bar"]), {
      foo: { bar: "[REDACTED]" },
      x: { bar: "[REDACTED]" }
    })
    assert.deepStrictEqual(ours(fields, ["*.bar"]), { foo: {}, x: { bar: "[REDACTED]" } })
    assert.deepStrictEqual(oursStructured(fields, ["*.bar"]), { foo: {}, x: { bar: "[REDACTED]" } })
  })

  it("differs from fast-redact by censoring null: a censored line does not tell whether the secret was set", () => {
    assert.deepStrictEqual(oracle({ foo: { bar: null } }, ["foo.bar"]), { foo: { bar: null } })
    assert.deepStrictEqual(ours({ foo: { bar: null } }, ["foo.bar"]), { foo: { bar: "[REDACTED]" } })
  })

  it("never adds a key, whatever the paths", () => {
    const keysOf = (v: unknown, path = ""): Array<string> =>
      typeof v === "object" && v !== null
        ? Object.entries(v).flatMap(([k, x]) => [`${path}/${k}`, ...keysOf(x, `${path}/${k}`)])
        : []
    fc.assert(
      fc.property(
        fieldsArb(true),
        fc.array(fc.oneof(explicitPath(true), wildcardPath), { minLength: 1, maxLength: 3 }),
        (fields, paths) => {
          const plain = new Set(keysOf(ours(fields, [])))
          for (const k of keysOf(ours(fields, paths))) assert.isTrue(plain.has(k), k)
          for (const k of keysOf(oursStructured(fields, paths))) assert.isTrue(plain.has(k), k)
        }
      ),
      { numRuns: 300 }
    )
  })
})
