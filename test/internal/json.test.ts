import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { defaultLimits, quote, stringify } from "../../src/internal/json.js"
import { isValidUtf8Text, wellFormed } from "../support/text.js"

const parse = (value: unknown, limits = defaultLimits): unknown => {
  const text = stringify(value, limits)
  assert.isString(text)
  return JSON.parse(text as string)
}

describe("json.quote", () => {
  it("leaves plain text alone and escapes quotes and backslashes", () => {
    assert.strictEqual(quote("plain"), '"plain"')
    assert.strictEqual(JSON.parse(quote('a "b" \\ c')), 'a "b" \\ c')
  })

  it("escapes every control character, DEL, C1 and line separators", () => {
    const hostile = "a\nb\rc\u0000d\u001b[31me\u007ff\u0085g\u2028h\u2029i"
    const q = quote(hostile)
    assert.notMatch(q, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
    assert.strictEqual(JSON.parse(q), hostile)
  })

  // RFC 8259 section 8.1: JSON exchanged between systems "MUST be encoded using UTF-8";
  // section 8.2: a string with an unpaired surrogate has unpredictable behaviour in readers.
  // OTLP strings are protobuf `string`s, which must be valid UTF-8
  // (https://protobuf.dev/programming-guides/proto3/#scalar). So a lone surrogate is written as
  // U+FFFD, as WHATWG Infra converts a string to a scalar value string.
  it("replaces lone surrogates with U+FFFD and keeps valid pairs", () => {
    assert.strictEqual(quote("\ud800"), '"\ufffd"')
    assert.strictEqual(quote("a\udc00b"), '"a\ufffdb"')
    assert.strictEqual(quote("end \ud83d"), '"end \ufffd"')
    assert.strictEqual(quote("\udc00\ud800"), '"\ufffd\ufffd"')
    assert.strictEqual(quote('q" \ud800\n'), '"q\\" \ufffd\\n"')
    assert.strictEqual(quote("smile 😀"), '"smile 😀"')
    assert.strictEqual(JSON.parse(quote("smile 😀 \ud800")), "smile 😀 \ufffd")
  })

  it("writes valid UTF-8 for any string, and gives back the text with lone surrogates replaced", () => {
    const piece = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom("😀", "\n", '"', "\\", "\u2028", "\u0085", "\\ud800")
    )
    fc.assert(
      fc.property(
        fc.array(piece).map((parts) => parts.join("")),
        (s) => {
          const q = quote(s)
          assert.isTrue(isValidUtf8Text(q))
          assert.strictEqual(JSON.parse(q), wellFormed(s))
        }
      ),
      { numRuns: 500 }
    )
  })

  it("replaces lone surrogates in keys and nested values too", () => {
    const text = stringify({ "k\ud800": ["v\udfff", { "\ud83d": "😀" }] })
    assert.strictEqual(text, '{"k\ufffd":["v\ufffd",{"\ufffd":"😀"}]}')
  })

  it("truncates long strings with a marker", () => {
    const q = JSON.parse(quote("x".repeat(50), 10)) as string
    assert.strictEqual(q, `${"x".repeat(10)}…[truncated 40 chars]`)
  })
})

describe("json.stringify", () => {
  it("writes primitives, including the ones JSON cannot hold", () => {
    assert.deepStrictEqual(parse([1, "s", true, null, 10n, Number.NaN, Number.POSITIVE_INFINITY]), [
      1,
      "s",
      true,
      null,
      "10",
      "NaN",
      "Infinity"
    ])
    assert.strictEqual(stringify(undefined), undefined)
    assert.deepStrictEqual(parse({ a: undefined, b: 1 }), { b: 1 })
    assert.deepStrictEqual(parse([undefined]), [null])
    assert.deepStrictEqual(parse({ s: Symbol("tag"), f: function named() {}, g: () => 1 }), {
      s: "Symbol(tag)",
      f: "[Function named]",
      g: "[Function g]"
    })
  })

  it("marks cycles but not shared references", () => {
    const shared = { n: 1 }
    const o: Record<string, unknown> = { a: shared, b: shared }
    o.self = o
    assert.deepStrictEqual(parse(o), { a: { n: 1 }, b: { n: 1 }, self: "[Circular]" })
  })

  it("bounds depth, keys, array items and never overflows the stack", () => {
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let i = 0; i < 5000; i++) {
      const next = {}
      deep.next = next
      deep = next
    }
    const text = stringify(root) as string
    assert.include(text, '"[Object]"')
    const limits = { ...defaultLimits, maxKeys: 2, maxArrayLength: 2 }
    assert.deepStrictEqual(parse({ a: 1, b: 2, c: 3 }, limits), { a: 1, b: 2, "…": "[1 more keys]" })
    assert.deepStrictEqual(parse([1, 2, 3, 4], limits), [1, 2, "[…2 more]"])
  })

  it("survives throwing getters, throwing toJSON and hostile proxies", () => {
    const getter = {
      ok: 1,
      get bad() {
        throw new Error("no access")
      }
    }
    assert.deepStrictEqual(parse(getter), { ok: 1, bad: "[Threw: no access]" })
    const toJSON = {
      toJSON() {
        throw new Error("nope")
      }
    }
    assert.strictEqual(parse(toJSON), "[Threw: nope]")
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap")
        }
      }
    )
    assert.strictEqual(parse(proxy), "[Unserializable: [Threw: trap]]")
    const revocable = Proxy.revocable({}, {})
    revocable.revoke()
    assert.isString(parse({ p: revocable.proxy }) && "ok")
  })

  it("writes Dates, Maps, Sets, typed arrays, Buffers and errors", () => {
    const value = {
      d: new Date(0),
      bad: new Date(Number.NaN),
      m: new Map<unknown, unknown>([
        ["k", 1],
        [2, "two"]
      ]),
      s: new Set([1, 2]),
      t: new Uint8Array([1, 2]),
      b: Buffer.from("hi"),
      dv: new DataView(new ArrayBuffer(4)),
      e: new TypeError("bad type")
    }
    const out = parse(value) as Record<string, unknown>
    assert.strictEqual(out.d, "1970-01-01T00:00:00.000Z")
    assert.strictEqual(out.bad, "Invalid Date")
    assert.deepStrictEqual(out.m, { k: 1, "2": "two" })
    assert.deepStrictEqual(out.s, [1, 2])
    assert.deepStrictEqual(out.t, [1, 2])
    assert.deepStrictEqual(out.b, [104, 105])
    assert.strictEqual(out.dv, "[DataView 4 bytes]")
    assert.strictEqual((out.e as { type: string }).type, "TypeError")
  })

  it("keeps __proto__ and constructor keys as data without touching prototypes", () => {
    const hostile = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}')
    const out = parse(hostile) as Record<string, unknown>
    assert.deepStrictEqual(Object.keys(out), ["__proto__", "constructor"])
    assert.isUndefined(({} as Record<string, unknown>).polluted)
    const nullProto = Object.create(null)
    nullProto.a = 1
    assert.deepStrictEqual(parse(nullProto), { a: 1 })
  })
})
