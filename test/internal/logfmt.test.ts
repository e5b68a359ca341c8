import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import logfmt from "logfmt"
import { defaultLimits } from "../../src/internal/json.js"
import * as L from "../../src/internal/level.js"
import { logfmtKey, logfmtValue, makeLogfmt } from "../../src/internal/logfmt.js"
import { materialize, recordOf } from "../../src/internal/record.js"
import { sampleEvent as event } from "../support/events.js"
import { decodeLogfmt } from "../support/goLogfmt.js"
import { LONE_SURROGATE, wellFormed } from "../support/text.js"

const format = makeLogfmt().format

/** The pairs of a line as go-logfmt decodes them (test/support/goLogfmt.ts); an empty value is "". */
const decode = (line: string): Map<string, string> =>
  new Map(decodeLogfmt(line).map((p) => [p.key, p.value ?? ""]))

const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

const assertOneSafeLine = (line: string) => {
  assert.notMatch(line, LINE_BREAKING)
  assert.notMatch(line, LONE_SURROGATE)
}

// Hostile text the npm `logfmt` parser gives back exactly.
const printable = [
  "two words",
  'say "hi"',
  "k=v",
  "a=b c=d",
  "back\\slash",
  "ends with \\",
  '\\"',
  "ünïcödé ✓ 😀 中文",
  "",
  " ",
  "=",
  '"',
  "level=error",
  "null",
  "{}"
]

// Text with control characters, line separators and lone surrogates.
const controls = [
  "line1\nline2",
  "tab\there",
  "carriage\rreturn",
  "crlf\r\n",
  "\u001b[31mred\u001b[0m",
  "nul\u0000byte",
  "del\u007f c1\u0085",
  "ls\u2028ps\u2029",
  "lone \ud800 high",
  "lone \udc00 low",
  "emoji 😀 then lone \ud83d",
  'fake" injected=1 level="fatal'
]

describe("logfmt formatter", () => {
  it("writes the core keys first, in order, then user fields, then the error", () => {
    const line = format(
      event({
        correlationId: "c-1",
        traceId: "t1",
        spanId: "s1",
        message: "two words",
        fields: { user: 7 },
        error: { type: "TypeError", message: "boom", stack: "TypeError: boom\n    at f (a.js:1:2)" }
      })
    )
    assert.strictEqual(
      line,
      'timestamp=2026-01-02T03:04:05.006Z level=info logger=app message="two words" correlationId=c-1 traceId=t1 spanId=s1 user=7 error.type=TypeError error.message=boom error.stack="TypeError: boom\\n    at f (a.js:1:2)"'
    )
  })

  it("round-trips hostile printable values through the npm logfmt parser", () => {
    for (const v of printable) {
      const line = format(event({ message: v, fields: { v, after: "x" } }))
      const parsed = logfmt.parse(line)
      assert.strictEqual(parsed.message, v, line)
      assert.strictEqual(parsed.v, v, line)
      assert.strictEqual(parsed.after, "x", line)
      assert.deepStrictEqual(Object.keys(parsed), ["timestamp", "level", "logger", "message", "v", "after"])
    }
  })

  it("keeps control characters escaped on one line, and no parser sees injected keys", () => {
    for (const v of controls) {
      const line = format(event({ message: v, fields: { v, after: "x" } }))
      assertOneSafeLine(line)
      // The npm parser drops the backslash of `\n`-style escapes, but the pairs stay intact.
      const parsed = logfmt.parse(line)
      assert.deepStrictEqual(
        Object.keys(parsed),
        ["timestamp", "level", "logger", "message", "v", "after"],
        line
      )
      assert.strictEqual(parsed.after, "x")
      // A reader that decodes the escapes gets the exact text back.
      const decoded = decode(line)
      assert.strictEqual(decoded.get("message"), wellFormed(v))
      assert.strictEqual(decoded.get("v"), wellFormed(v))
    }
  })

  it("round-trips any string, including lone surrogates and control characters", () => {
    const piece = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom("\n", "\r", "\t", "\u001b", '"', "\\", "=", " ", "\u2028", "\u0085", "\u007f")
    )
    fc.assert(
      fc.property(
        fc.array(piece).map((parts) => parts.join("")),
        (s) => {
          const line = format(event({ message: s, fields: { s } }))
          assertOneSafeLine(line)
          const decoded = decode(line)
          assert.strictEqual(decoded.get("message"), wellFormed(s))
          assert.strictEqual(decoded.get("s"), wellFormed(s))
          if (!LINE_BREAKING.test(s) && !LONE_SURROGATE.test(s) && s !== "true" && s !== "false") {
            assert.strictEqual(logfmt.parse(line).s, s)
          }
        }
      ),
      { numRuns: 500 }
    )
  })

  it("replaces characters a key cannot hold with _", () => {
    const line = format(
      event({
        fields: { "a b": 1, "k=v": 2, 'q"': 3, "nl\nkey": 4, "": 5, "back\\": 6, "esc\u001b": 7, ключ: 8 }
      })
    )
    assertOneSafeLine(line)
    const parsed = logfmt.parse(line)
    assert.deepInclude(parsed, {
      a_b: "1",
      k_v: "2",
      q_: "3",
      nl_key: "4",
      _: "5",
      back_: "6",
      esc_: "7",
      ключ: "8"
    })
    assert.strictEqual(logfmtKey("ok.key"), "ok.key")
    assert.strictEqual(logfmtKey("lone\ud800"), "lone_")
    assert.strictEqual(logfmtKey("pair😀"), "pair😀")
  })

  it("quotes a value only when it has to", () => {
    assert.strictEqual(logfmtValue("plain"), "plain")
    assert.strictEqual(logfmtValue("😀"), "😀")
    assert.strictEqual(logfmtValue(""), '""')
    assert.strictEqual(logfmtValue("a b"), '"a b"')
    assert.strictEqual(logfmtValue("a=b"), '"a=b"')
    assert.strictEqual(logfmtValue("a\\b"), '"a\\\\b"')
    assert.strictEqual(logfmtValue("a\tb"), '"a\\tb"')
    assert.strictEqual(logfmtValue("\u00a0"), '"\u00a0"')
  })

  it("flattens nested objects to dotted keys and writes other values as JSON text", () => {
    const line = format(
      event({
        fields: {
          user: { id: 7, name: "Ada L", address: { city: "Paris" }, empty: {} },
          tags: ["a", "b c"],
          at: new Date(Date.UTC(2026, 0, 1)),
          big: 10n,
          ok: true,
          nothing: null,
          gone: undefined,
          nan: Number.NaN,
          map: new Map([["k", 1]])
        }
      })
    )
    const parsed = logfmt.parse(line)
    assert.deepInclude(parsed, {
      "user.id": "7",
      "user.name": "Ada L",
      "user.address.city": "Paris",
      "user.empty": "{}",
      at: "2026-01-01T00:00:00.000Z",
      big: "10",
      ok: true,
      nothing: "null",
      nan: "NaN"
    })
    assert.deepStrictEqual(JSON.parse(parsed.tags as string), ["a", "b c"])
    assert.deepStrictEqual(JSON.parse(parsed.map as string), { k: 1 })
    assert.notProperty(parsed, "gone")
  })

  it("bounds flattening by the limits and survives cycles and throwing getters", () => {
    const limits = { ...defaultLimits, maxDepth: 2, maxKeys: 2, maxStringLength: 10 }
    const cyclic: Record<string, unknown> = { n: 1 }
    cyclic.self = cyclic
    const throwing = {
      get bad(): never {
        throw new Error("nope")
      }
    }
    const line = makeLogfmt(limits).format(
      event({
        fields: {
          deep: { a: { b: { c: 1 } }, list: [[[1]]] },
          wide: { a: 1, b: 2, c: 3 },
          long: "x".repeat(50),
          cyclic,
          throwing
        }
      })
    )
    assertOneSafeLine(line)
    const parsed = logfmt.parse(line)
    assert.strictEqual(parsed["deep.a.b"], "[Object]")
    assert.deepInclude(parsed, { "wide.a": "1", "wide.b": "2", "wide.…": "[1 more keys]" })
    assert.strictEqual(parsed.long, `${"x".repeat(10)}…[truncated 40 chars]`)
    assert.strictEqual(parsed["cyclic.n"], "1")
    assert.strictEqual(parsed["cyclic.self"], "[Circular]")
    assert.strictEqual(parsed["throwing.bad"], "[Threw: nope]")
  })

  it("writes user keys named like core keys under fields., after the error", () => {
    const line = format(
      event({
        fields: {
          level: "gold",
          message: "spoof",
          "error.type": "Spoofed",
          timestamp: { a: 1 },
          fields: 1,
          ok: 1
        },
        error: { type: "Error", message: "real" }
      })
    )
    const parsed = logfmt.parse(line)
    assert.strictEqual(parsed.level, "info")
    assert.strictEqual(parsed.message, "hello")
    assert.strictEqual(parsed["error.type"], "Error")
    assert.deepInclude(parsed, {
      "fields.level": "gold",
      "fields.message": "spoof",
      "fields.error.type": "Spoofed",
      "fields.timestamp.a": "1",
      "fields.fields": "1",
      ok: "1"
    })
    assert.isAbove(line.indexOf("fields.level="), line.indexOf("error.message="))
  })

  it("writes the error with its cause chain and spans", () => {
    const line = format(
      event({
        spans: { db: 12 },
        error: {
          type: "Error",
          message: "outer",
          code: "E1",
          cause: { type: "RangeError", message: "inner" },
          errors: [{ type: "A", message: "a" }],
          details: { status: 500 }
        }
      })
    )
    const parsed = logfmt.parse(line)
    assert.deepInclude(parsed, {
      "spans.db": "12",
      "error.code": "E1",
      "error.cause.type": "RangeError",
      "error.cause.message": "inner",
      "error.details.status": "500"
    })
    assert.deepStrictEqual(JSON.parse(parsed["error.errors"] as string), [{ type: "A", message: "a" }])
  })

  it("formats events materialized from records", () => {
    const r = recordOf(L.WARN, "disk low", {
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      logger: "disk",
      fields: { free: 12, path: "/var/log", level: "x" },
      error: new Error("full"),
      traceId: "trace-1",
      spanId: "span-1"
    })
    const parsed = logfmt.parse(format(materialize(r)))
    assert.deepInclude(parsed, {
      timestamp: "2026-01-02T03:04:05.006Z",
      level: "warn",
      logger: "disk",
      message: "disk low",
      traceId: "trace-1",
      spanId: "span-1",
      free: "12",
      path: "/var/log",
      "error.type": "Error",
      "error.message": "full",
      "fields.level": "x"
    })
  })

  it("never throws, even for a proxy that refuses to be read", () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error("no")
        },
        ownKeys() {
          throw new Error("no")
        }
      }
    )
    const line = format(event({ fields: { hostile, after: 1 } }))
    const parsed = logfmt.parse(line)
    assert.strictEqual(parsed.hostile, "[Unserializable]")
    assert.strictEqual(parsed.after, "1")
  })
})
