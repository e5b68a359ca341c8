/**
 * The `logfmt` formatter against go-logfmt, the reference decoder that Grafana Loki's
 * `| logfmt` parser follows: every line is decoded with the rules of its decode.go and
 * jsonstring.go (test/support/goLogfmt.ts), and must decode without error, give every key
 * once, and give back every value. Where a rule comes from go-logfmt's encoder (encode.go),
 * the test says so.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { logfmtKey, makeLogfmt } from "../../../src/internal/logfmt.js"
import { sampleEvent as event } from "../../support/events.js"
import { decodeLogfmt, type LogfmtPair, LogfmtSyntaxError } from "../../support/goLogfmt.js"
import { isValidUtf8Text, wellFormed } from "../../support/text.js"

const format = makeLogfmt().format

/** Decodes a line as go-logfmt would; every key once, every pair with a value. */
const decode = (line: string): Map<string, LogfmtPair> => {
  assert.isTrue(isValidUtf8Text(line), "valid UTF-8")
  assert.notInclude(line, "\n")
  const pairs = decodeLogfmt(line)
  const byKey = new Map<string, LogfmtPair>()
  for (const pair of pairs) {
    assert.isFalse(byKey.has(pair.key), `key ${JSON.stringify(pair.key)} written twice in ${line}`)
    byKey.set(pair.key, pair)
  }
  return byKey
}
const valueAt = (pairs: Map<string, LogfmtPair>, key: string): string | undefined => {
  const pair = pairs.get(key)
  // go-logfmt gives no value for an empty one (`k=""`): the empty string
  return pair === undefined ? undefined : (pair.value ?? "")
}

describe("go-logfmt decoder (the test's own, from decode.go)", () => {
  // go-logfmt decode_test.go, TestDecoder_scan and TestDecoder_errors, some of their cases
  it("reads what go-logfmt reads and refuses what it refuses", () => {
    assert.deepStrictEqual(decodeLogfmt('a=1 b="bar" ƒ=2h3s r="esc\\t" d x=sf   '), [
      { key: "a", value: "1", quoted: false },
      { key: "b", value: "bar", quoted: true },
      { key: "ƒ", value: "2h3s", quoted: false },
      { key: "r", value: "esc\t", quoted: true },
      { key: "d", value: undefined, quoted: false },
      { key: "x", value: "sf", quoted: false }
    ])
    assert.deepStrictEqual(decodeLogfmt('y="\\ud800 \\ud83d\\ude00"'), [
      { key: "y", value: "\ufffd 😀", quoted: true }
    ])
    for (const bad of ["=", 'a"b=1', "a=b=c", 'a=b"c', 'a="x', 'a="\\x"', "k\ufffd=1", 'a="\\u12"'])
      assert.throws(() => decodeLogfmt(bad), LogfmtSyntaxError, undefined, bad)
  })
})

describe("logfmt formatter: go-logfmt reads every line", () => {
  it("gives back any string value, lone surrogates as U+FFFD", () => {
    const piece = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom(
        "\n",
        "\r",
        "\t",
        "\u001b",
        '"',
        "\\",
        "=",
        " ",
        "\u2028",
        "\u0085",
        "\u007f",
        "\ufffd",
        "null"
      )
    )
    fc.assert(
      fc.property(
        fc.array(piece).map((parts) => parts.join("")),
        (s) => {
          const pairs = decode(format(event({ message: s, fields: { s, nested: { s } } })))
          assert.strictEqual(valueAt(pairs, "message"), wellFormed(s))
          assert.strictEqual(valueAt(pairs, "s"), wellFormed(s))
          assert.strictEqual(valueAt(pairs, "nested.s"), wellFormed(s))
        }
      ),
      { numRuns: 500 }
    )
  })

  it("any key: a valid go-logfmt key, written once, and no value lost", () => {
    const key = fc.oneof(
      fc.string({ unit: "binary", maxLength: 6 }),
      fc.constantFrom(
        "",
        "_",
        "a b",
        "a_b",
        "a.b",
        "a",
        "b",
        "\ufffd",
        "\ud800",
        "=",
        '"',
        "a~2",
        "…",
        "user id",
        "user_id"
      )
    )
    let leaf = 0
    const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.constant(null).map(() => leaf++),
        fc.dictionary(key, tie("node"), { maxKeys: 4 })
      )
    })).node
    const numbersOf = (v: unknown): Array<number> =>
      typeof v === "number"
        ? [v]
        : typeof v === "object" && v !== null
          ? Object.values(v).flatMap(numbersOf)
          : []
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 6 }), (fields) => {
        const pairs = decode(format(event({ fields })))
        for (const k of pairs.keys()) {
          // go-logfmt's decoder refuses these in a key; its encoder also leaves out `=` and DEL
          assert.notMatch(k, /[\u0000-\u0020="\u007f\ufffd]/, k)
        }
        const written = [...pairs.values()]
          .filter((p) => !p.quoted && /^\d+$/.test(p.value ?? ""))
          .map((p) => Number(p.value))
        assert.sameMembers(written, numbersOf(fields))
      }),
      { numRuns: 300 }
    )
  })
})

describe("logfmt formatter: keys", () => {
  it("keeps two keys that become the same: the key written as given keeps it, the renamed one takes a suffix", () => {
    const pairs = decode(format(event({ fields: { "user id": 1, user_id: 2 } })))
    assert.strictEqual(valueAt(pairs, "user_id"), "2")
    assert.strictEqual(valueAt(pairs, "user_id~2"), "1")
  })

  it("keeps a dotted key and the flattened path that spells it: the first keeps it", () => {
    const pairs = decode(format(event({ fields: { "a.b": 1, a: { b: 2 } } })))
    assert.strictEqual(valueAt(pairs, "a.b"), "1")
    assert.strictEqual(valueAt(pairs, "a.b~2"), "2")
    const nested = decode(format(event({ fields: { x: { "a b": 1, a_b: 2, "": 3, _: 4 } } })))
    assert.deepInclude(Object.fromEntries([...nested].map(([k, p]) => [k, p.value])), {
      "x.a_b": "2",
      "x.a_b~2": "1",
      "x._": "4",
      "x._~2": "3"
    })
  })

  it("replaces U+FFFD and lone surrogates in keys, which go-logfmt refuses", () => {
    assert.strictEqual(logfmtKey("a\ufffdb"), "a_b")
    assert.strictEqual(logfmtKey("a\ud800b"), "a_b")
    assert.strictEqual(logfmtKey("a\u007fb"), "a_b")
    const pairs = decode(format(event({ fields: { "k\ufffd": 1, "k\ud800": 2 } })))
    assert.strictEqual(valueAt(pairs, "k_"), "1")
    assert.strictEqual(valueAt(pairs, "k_~2"), "2")
  })

  it("keeps a key that only looks like a core key a user key, and the core keys their own", () => {
    const pairs = decode(format(event({ fields: { "level ": 1, level: 2, "message\n": 3 } })))
    assert.strictEqual(valueAt(pairs, "level"), "info")
    assert.strictEqual(valueAt(pairs, "fields.level"), "2")
    assert.strictEqual(valueAt(pairs, "level_"), "1")
    assert.strictEqual(valueAt(pairs, "message_"), "3")
  })
})

describe("logfmt formatter: values", () => {
  // go-logfmt encode.go, writeStringValue: `if ok && value == "null"` it writes `"null"`,
  // so that the string reads apart from a nil value, which it writes as bare null.
  it('writes the string "null" quoted and the value null bare', () => {
    const line = format(event({ fields: { s: "null", n: null, t: "true", u: undefined } }))
    assert.include(line, ' s="null" ')
    assert.include(line, " n=null ")
    const pairs = decode(line)
    assert.deepStrictEqual(pairs.get("s"), { key: "s", value: "null", quoted: true })
    assert.deepStrictEqual(pairs.get("n"), { key: "n", value: "null", quoted: false })
    assert.isFalse(pairs.has("u"))
    const nested = decode(format(event({ fields: { o: { s: "null", n: null } } })))
    assert.isTrue(nested.get("o.s")?.quoted)
    assert.isFalse(nested.get("o.n")?.quoted)
  })

  // encode.go, needsQuotedValueRune: U+FFFD (utf8.RuneError) is quoted
  it("quotes a value holding U+FFFD", () => {
    assert.include(format(event({ fields: { r: "a\ufffdb", l: "a\ud800b" } })), ' r="a\ufffdb" l="a\ufffdb"')
  })
})
