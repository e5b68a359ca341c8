import { assert, describe, it } from "@effect/vitest"
import { continuationPrefix, makeMinimal, makePretty, shouldColor } from "../../src/internal/pretty.js"
import { sampleEvent as event } from "../support/events.js"

const plain = makePretty({ colors: false }).format
const colored = makePretty({ colors: true }).format
const multiline = makePretty({ colors: false, multiline: true }).format
const minimal = makeMinimal().format

const ESC = "\u001b"
const BREAKS = /[\n\r\u2028\u2029\u0085]/
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const hostile = [
  "line1\nline2",
  "cr\rlf\n",
  "tab\there",
  `${ESC}[31mred${ESC}[0m`,
  `${ESC}]0;title\u0007`,
  "nel\u0085 ls\u2028 ps\u2029",
  "nul\u0000 del\u007f",
  "lone \ud800 surrogate",
  "fake\n03:04:05.006 ERROR app: forged"
]

const stackOf = (header: string) => `${header}\n    at f (/src/a.ts:1:2)\n    at g (/src/b.ts:3:4)`

const failing = event({
  level: "error",
  message: "request failed",
  fields: { user: 7 },
  error: {
    type: "TypeError",
    message: "boom",
    stack: stackOf("TypeError: boom"),
    cause: { type: "Error", message: "inner", stack: stackOf("Error: inner") }
  }
})

describe("pretty formatter", () => {
  it("writes time, level, logger, message and fields", () => {
    assert.strictEqual(
      plain(event({ fields: { user: 7, name: "Ada L" } })),
      '03:04:05.006 INFO  app: hello user=7 name="Ada L"'
    )
    assert.strictEqual(plain(event({ level: "security", logger: "" })), "03:04:05.006 SECURITY hello")
  })

  it("appends spans and ids after the fields", () => {
    const line = plain(
      event({ correlationId: "c-1", traceId: "t", spanId: "s", spans: { db: 12 }, fields: { a: 1 } })
    )
    assert.strictEqual(line, "03:04:05.006 INFO  app: hello a=1 db=12ms correlationId=c-1 traceId=t spanId=s")
  })

  it("flattens nested fields and routes core-named keys under fields.", () => {
    const line = plain(event({ fields: { user: { id: 1, tags: ["a"] }, level: "gold" } }))
    assert.strictEqual(
      line,
      '03:04:05.006 INFO  app: hello user.id=1 user.tags="[\\"a\\"]" fields.level=gold'
    )
  })

  it("uses colours only when asked", () => {
    const line = plain(failing)
    assert.notInclude(line, ESC)
    const withColors = colored(failing)
    assert.include(withColors, `${ESC}[31mERROR`)
    assert.include(withColors, `${ESC}[0m`)
    assert.notInclude(makePretty({ colors: false, multiline: true }).format(failing), ESC)
  })

  it("escapes user text so it can neither colour the terminal nor forge a line", () => {
    for (const h of hostile) {
      const e = event({ message: h, logger: h, fields: { [h]: h, nested: { v: h } }, correlationId: h })
      for (const line of [plain(e), minimal(e)]) {
        assert.notMatch(line, CONTROLS, JSON.stringify(line))
        assert.notMatch(line, LONE_SURROGATE)
      }
      // With colours on, every escape sequence in the line is one of ours.
      const withColors = colored(e)
      assert.notMatch(withColors, BREAKS)
      const stripped = withColors.replace(/\u001b\[[0-9;]*m/g, "")
      assert.notMatch(stripped, CONTROLS)
      assert.strictEqual(stripped, plain(e))
    }
    assert.include(plain(event({ message: "a\nb" })), "a\\nb")
    assert.include(plain(event({ message: `${ESC}[31m` })), "\\u001b[31m")
  })

  it("keeps quotes in messages readable", () => {
    assert.strictEqual(
      plain(event({ message: 'user "bob" said \\o/' })),
      '03:04:05.006 INFO  app: user "bob" said \\o/'
    )
  })

  it("keeps an error on the same line by default, frames joined with ⏎", () => {
    const line = plain(failing)
    assert.notMatch(line, BREAKS)
    assert.strictEqual(
      line,
      "03:04:05.006 ERROR app: request failed user=7 ⏎ TypeError: boom ⏎ at f (/src/a.ts:1:2) ⏎ at g (/src/b.ts:3:4) ⏎ caused by: Error: inner ⏎ at f (/src/a.ts:1:2) ⏎ at g (/src/b.ts:3:4)"
    )
  })

  it("puts error lines on marked continuation lines only when multiline is on", () => {
    const lines = multiline(failing).split("\n")
    assert.deepStrictEqual(lines, [
      "03:04:05.006 ERROR app: request failed user=7",
      `${continuationPrefix}TypeError: boom`,
      `${continuationPrefix}  at f (/src/a.ts:1:2)`,
      `${continuationPrefix}  at g (/src/b.ts:3:4)`,
      `${continuationPrefix}caused by: Error: inner`,
      `${continuationPrefix}  at f (/src/a.ts:1:2)`,
      `${continuationPrefix}  at g (/src/b.ts:3:4)`
    ])
    // Without an error, multiline output is still one line.
    assert.notInclude(multiline(event()), "\n")
  })

  it("escapes hostile error text and stacks in both modes", () => {
    const e = event({
      level: "error",
      error: {
        type: `Bad${ESC}[2J`,
        message: "m\nforged line",
        code: "E\r1",
        stack: `Bad: m\n    at h (${ESC}[31m.js)\u2028x\n    at i (j.js)`,
        details: { status: 500, "bad key": "a\nb" },
        errors: [{ type: "A", message: "first" }]
      }
    })
    const one = plain(e)
    assert.notMatch(one, CONTROLS)
    assert.include(one, 'Bad\\u001b[2J: m\\nforged line [E\\r1] status=500 bad_key="a\\nb"')
    assert.include(one, "[0] A: first")
    const lines = multiline(e).split("\n")
    assert.isAbove(lines.length, 1)
    for (const l of lines.slice(1)) assert.isTrue(l.startsWith(continuationPrefix), l)
    for (const l of lines) assert.notMatch(l, CONTROLS)
  })

  it("shows an unparseable timestamp escaped", () => {
    assert.isTrue(plain(event({ timestamp: "bad\ntime" })).startsWith("bad\\ntime INFO"))
  })
})

describe("minimal formatter", () => {
  it("writes the level, the message and the fields, nothing else", () => {
    assert.strictEqual(
      minimal(event({ fields: { user: 7, name: "Ada L" }, traceId: "t" })),
      'INFO hello user=7 name="Ada L"'
    )
  })

  it("adds the error type and message, without the stack", () => {
    assert.strictEqual(
      minimal(failing),
      "ERROR request failed user=7 error.type=TypeError error.message=boom"
    )
  })

  it("routes core-named keys under fields.", () => {
    assert.strictEqual(
      minimal(event({ fields: { level: 1, "error.type": "x" } })),
      "INFO hello fields.level=1 fields.error.type=x"
    )
  })
})

describe("shouldColor", () => {
  const tty = { isTTY: true }
  const pipe = { isTTY: false }
  it("follows the stream by default", () => {
    assert.isTrue(shouldColor(tty, {}))
    assert.isFalse(shouldColor(pipe, {}))
    assert.isFalse(shouldColor({}, {}))
  })
  it("honours NO_COLOR, NODE_DISABLE_COLORS and TERM=dumb", () => {
    assert.isFalse(shouldColor(tty, { NO_COLOR: "1" }))
    assert.isTrue(shouldColor(tty, { NO_COLOR: "" }))
    assert.isFalse(shouldColor(tty, { NODE_DISABLE_COLORS: "1" }))
    assert.isFalse(shouldColor(tty, { TERM: "dumb" }))
  })
  it("lets FORCE_COLOR win either way", () => {
    assert.isTrue(shouldColor(pipe, { FORCE_COLOR: "1" }))
    assert.isTrue(shouldColor(pipe, { FORCE_COLOR: "" }))
    assert.isTrue(shouldColor(pipe, { FORCE_COLOR: "3", NO_COLOR: "1" }))
    assert.isFalse(shouldColor(tty, { FORCE_COLOR: "0" }))
    assert.isFalse(shouldColor(tty, { FORCE_COLOR: "false" }))
  })
})
