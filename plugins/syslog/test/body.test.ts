import { assert, describe, it } from "@effect/vitest"
import { Formatter, type LogEvent } from "fapilog"
import { type Framing, MessagesWriter } from "../src/internal/body.js"
import { facilities, type LineOptions, makeFormatter } from "../src/internal/format.js"
import { unframeOctetCounted } from "../src/internal/transport.js"
import { base, event } from "./lineOptions.js"
import { parse5424 } from "./rfc5424.js"

/** The framing as RFC 6587 states it, over the formatter's messages: the body the writer must write. */
const framed = (messages: ReadonlyArray<Buffer>, framing: Framing): string =>
  messages
    .map((m) =>
      framing === "octet-counting"
        ? `${m.length} ${m.toString("utf8")}`
        : `${m.toString("utf8").replace(/\n/g, " ")}\n`
    )
    .join("")

const events: ReadonlyArray<LogEvent.LogEvent> = [
  event(),
  event({ level: "error", message: 'quotes " and \\ backslash', fields: { path: "C:\\tmp", n: 1.5 } }),
  event({
    level: "security",
    message: "é 日本 😀 and a line\nfeed",
    fields: { nested: { a: [1, "two", null] } }
  }),
  event({ level: "audit", correlationId: "req-1", traceId: "t", spanId: "s" }),
  event({ level: "notice" as LogEvent.LogEvent["level"], message: "a level of another system" }),
  // a timestamp not in fapilog's form: written whole by the formatter, as a valid TIMESTAMP
  event({ timestamp: "2026-01-02 03:04:05Z" }),
  event({ timestamp: "" }),
  event({ timestamp: "2026-01-02T03:04:05.0x6Z" }),
  // over the message limit: cut and marked by the formatter
  event({ message: "x".repeat(9000) }),
  event({ message: "€".repeat(3000) }),
  event({ message: "" })
]

describe("MessagesWriter", () => {
  it("writes the formatter's messages, framed, in one body, whatever the options", () => {
    const options: ReadonlyArray<LineOptions> = [
      base,
      { ...base, bom: false, severity: { info: 0, notice: 5 }, facility: facilities.audit },
      { ...base, hostname: "h st\u00e9", appName: "x".repeat(80), procId: "", msgId: "ORDER" },
      { ...base, maxMessageBytes: 300 },
      { ...base, message: "text" },
      { ...base, msgId: "DEFAULT", msgIdKey: "kind" },
      { ...base, structuredData: { id: "x@1", keys: ["n", "path"] } },
      { ...base, rfc: "3164", maxMessageBytes: 1024 }
    ]
    for (const o of options)
      for (const framing of ["octet-counting", "lf"] as const) {
        const writer = new MessagesWriter(o, framing)
        const format = makeFormatter(o)
        const body = writer.body(events)
        assert.strictEqual(body.toString("utf8"), framed(events.map(format), framing), JSON.stringify(o))
        // a second body from the same writer owns its bytes: the first is unchanged
        const again = writer.body(events.slice(0, 2))
        assert.strictEqual(again.toString("utf8"), framed(events.slice(0, 2).map(format), framing))
        assert.strictEqual(body.toString("utf8"), framed(events.map(format), framing))
      }
  })

  it("writes RFC 5424 messages a parser reads back, each within the limit", () => {
    const body = new MessagesWriter({ ...base, maxMessageBytes: 2048 }, "octet-counting").body(events)
    const messages = unframeOctetCounted(body)
    assert.strictEqual(messages.length, events.length)
    for (const [i, m] of messages.entries()) {
      assert.isAtMost(m.length, 2048)
      const parsed = parse5424(m.toString("utf8"))
      assert.strictEqual(parsed.hostname, "web-1")
      // the usual messages carry the event's JSON line as their MSG
      if (i < 5) assert.strictEqual(parsed.msg?.replace(/^\uFEFF/, ""), Formatter.json.format(events[i]!))
    }
    assert.strictEqual(parse5424(messages[0]!.toString("utf8")).pri, facilities.local0 * 8 + 6)
    assert.strictEqual(parse5424(messages[5]!.toString("utf8")).timestamp, "2026-01-02T03:04:05.000Z")
    assert.strictEqual(parse5424(messages[6]!.toString("utf8")).timestamp, "-")
    assert.strictEqual(parse5424(messages[2]!.toString("utf8")).pri, facilities.local0 * 8 + 1)
  })

  it("remembers the start of at most 64 levels, and writes every other level's all the same", () => {
    const levels = Array.from({ length: 100 }, (_, i) =>
      event({ level: `custom-${i}` as LogEvent.LogEvent["level"] })
    )
    const writer = new MessagesWriter(base, "octet-counting")
    const body = writer.body(levels)
    assert.strictEqual(body.toString("utf8"), framed(levels.map(makeFormatter(base)), "octet-counting"))
    assert.strictEqual((writer as unknown as { starts: Map<string, Uint8Array> }).starts.size, 64)
  })

  it("grows for a line longer than its buffer, within the limit", () => {
    const long = event({ message: "y".repeat(200_000) })
    const o = { ...base, maxMessageBytes: 300_000 }
    const body = new MessagesWriter(o, "lf").body([long, event()])
    assert.strictEqual(body.toString("utf8"), framed([long, event()].map(makeFormatter(o)), "lf"))
  })
})

describe("octet-counted bodies", () => {
  it("split back into their messages for UDP (a request, as sent and spooled)", () => {
    const body = Buffer.from(
      framed([Buffer.from("<14>1 - - - - - - é"), Buffer.from(""), Buffer.from("a 12 b")], "octet-counting")
    )
    assert.deepStrictEqual(
      unframeOctetCounted(body.subarray(0)).map((m) => m.toString()),
      ["<14>1 - - - - - - é", "", "a 12 b"]
    )
    assert.deepStrictEqual(unframeOctetCounted(new Uint8Array(0)), [])
    assert.throws(() => unframeOctetCounted(Buffer.from("5 abc")), /not an octet-counted frame at byte 0/)
    const code = (() => {
      try {
        unframeOctetCounted(Buffer.from("x"))
      } catch (e) {
        return (e as { code?: unknown }).code
      }
    })()
    assert.strictEqual(code, "EBADFRAME")
    assert.throws(() => unframeOctetCounted(Buffer.from("3 abcx")), /at byte 5/)
  })
})
