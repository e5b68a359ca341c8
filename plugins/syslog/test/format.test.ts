import { assert, describe, it } from "@effect/vitest"
import {
  bsdTimestamp,
  headerField,
  isSdName,
  type LineOptions,
  makeFormatter,
  paramName,
  paramValue,
  TRUNCATED
} from "../src/internal/format.js"
import { base, event } from "./lineOptions.js"
import { parse5424 } from "./rfc5424.js"

describe("RFC 5424 lines", () => {
  it("header: PRI from facility and level, VERSION 1, the event's timestamp with ms and Z, NILVALUE SD, BOM and the JSON line", () => {
    const e = event({ fields: { orderId: 7 } })
    const line = makeFormatter(base)(e)
    const p = parse5424(line)
    assert.deepStrictEqual(
      { ...p, msg: JSON.parse(p.msg ?? "") },
      {
        pri: 16 * 8 + 6,
        version: 1,
        timestamp: e.timestamp,
        hostname: "web-1",
        appName: "checkout",
        procId: "4242",
        msgId: "-",
        sd: [],
        bom: true,
        msg: { timestamp: e.timestamp, level: "info", logger: e.logger, message: "order placed", orderId: 7 }
      }
    )
    assert.match(e.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    // the exact bytes: header, SP, NILVALUE, SP, BOM (EF BB BF), MSG
    assert.isTrue(line.toString("utf8").startsWith(`<134>1 ${e.timestamp} web-1 checkout 4242 - - \uFEFF{`))
    assert.deepStrictEqual([...line.subarray(line.indexOf("{") - 3, line.indexOf("{"))], [0xef, 0xbb, 0xbf])
  })

  it("severity of every level, overridable; facility by number", () => {
    const levels = ["trace", "debug", "info", "warn", "error", "fatal", "audit", "security"] as const
    const severitiesOf = (severity: LineOptions["severity"]) => {
      const format = makeFormatter({ ...base, facility: 23, severity })
      return levels.map((level) => parse5424(format(event({ level }))).pri - 23 * 8)
    }
    assert.deepStrictEqual(severitiesOf({}), [7, 7, 6, 4, 3, 2, 5, 1])
    assert.deepStrictEqual(severitiesOf({ security: 2, trace: 0 }), [0, 7, 6, 4, 3, 2, 5, 2])
  })

  it("structured data: chosen keys, escaped values, safe names, objects as JSON; absent keys left out", () => {
    const format = makeFormatter({
      ...base,
      structuredData: {
        id: "fields@32473",
        keys: ["correlationId", "quote", "we ird=name]", "obj", "missing", "level"]
      }
    })
    const p = parse5424(
      format(
        event({
          correlationId: "req-1",
          fields: { quote: 'a "b" \\c] d', "we ird=name]": true, obj: { list: [1, "x]"] } }
        })
      )
    )
    assert.deepStrictEqual(p.sd, [
      {
        id: "fields@32473",
        params: [
          ["correlationId", "req-1"],
          ["quote", 'a "b" \\c] d'],
          ["we_ird_name_", "true"],
          ["obj", '{"list":[1,"x]"]}'],
          ["level", "info"]
        ]
      }
    ])
    assert.strictEqual(paramValue('"\\]'), '\\"\\\\\\]')
    assert.strictEqual(paramName('a b=c]d"é'), "a_b_c_d__")
    assert.strictEqual(paramName("x".repeat(40)).length, 32)
    // no key present: the NILVALUE, not an empty element
    assert.deepStrictEqual(
      parse5424(makeFormatter({ ...base, structuredData: { id: "x@1", keys: ["nope"] } })(event())).sd,
      []
    )
  })

  it("header fields: PRINTUSASCII within their limits, NILVALUE when empty; MSGID fixed or from a key", () => {
    assert.strictEqual(headerField("my host é", 255), "my_host__")
    assert.strictEqual(headerField("", 48), "-")
    assert.strictEqual(headerField("a".repeat(60), 48).length, 48)
    const p = parse5424(
      makeFormatter({ ...base, appName: "x".repeat(80), hostname: "h st", msgId: "ORDER" })(event())
    )
    assert.strictEqual(p.appName, "x".repeat(48))
    assert.strictEqual(p.hostname, "h_st")
    assert.strictEqual(p.msgId, "ORDER")
    const keyed = makeFormatter({ ...base, msgId: "DEFAULT", msgIdKey: "kind" })
    assert.strictEqual(
      parse5424(keyed(event({ fields: { kind: "payment failed" } }))).msgId,
      "payment_failed"
    )
    assert.strictEqual(parse5424(keyed(event())).msgId, "DEFAULT")
    assert.isTrue(isSdName("fields@32473"))
    assert.isFalse(isSdName("a b"))
  })

  it('message: "text" sends the message alone; bom: false leaves the BOM out; an empty MSG is left out', () => {
    const p = parse5424(
      makeFormatter({ ...base, message: "text", bom: false })(event({ message: "héllo\nworld" }))
    )
    assert.strictEqual(p.msg, "héllo\nworld")
    assert.isFalse(p.bom)
    const empty = makeFormatter({ ...base, message: "text" })(event({ message: "" })).toString()
    assert.isTrue(empty.endsWith(" -"))
    assert.isUndefined(parse5424(empty).msg)
  })

  it("maxMessageBytes: the MSG cut on a character boundary and marked; structured data too large is left out", () => {
    const format = makeFormatter({ ...base, message: "text", maxMessageBytes: 600 })
    const line = format(event({ message: "é".repeat(1000) }))
    assert.isAtMost(line.length, 600)
    const p = parse5424(line)
    assert.isTrue(p.msg?.endsWith(TRUNCATED))
    assert.notInclude(p.msg ?? "", "\uFFFD")
    const big = makeFormatter({
      ...base,
      maxMessageBytes: 600,
      structuredData: { id: "f@1", keys: ["blob"] }
    })
    const q = big(event({ fields: { blob: "x".repeat(2000) } }))
    assert.isAtMost(q.length, 600)
    assert.deepStrictEqual(parse5424(q).sd, [])
  })

  it("hostile fields never throw and give a valid line", () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const hostile = {
      get bad(): string {
        throw new Error("hostile")
      }
    }
    const format = makeFormatter({
      ...base,
      structuredData: { id: "f@1", keys: ["cycle", "hostile", "big", "ctl"] }
    })
    const p = parse5424(format(event({ fields: { cycle, hostile, big: 10n, ctl: "a\u0000b\u001b" } })))
    const params = Object.fromEntries(p.sd[0]?.params ?? [])
    assert.strictEqual(params.big, "10")
    assert.strictEqual(params.ctl, "a\u0000b\u001b")
    assert.deepStrictEqual(JSON.parse(params.hostile ?? ""), { bad: "[Threw: hostile]" })
    assert.include(params.cycle ?? "", "Circular")
    assert.strictEqual(JSON.parse(p.msg ?? "").big, "10")
  })
})

describe("RFC 3164 lines", () => {
  it("<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[pid]: MSG, within 1024 bytes, one line", () => {
    const format = makeFormatter({ ...base, rfc: "3164", message: "text", maxMessageBytes: 1024 })
    const e = event({ level: "error", message: "disk\nfull" })
    const line = format(e).toString()
    assert.strictEqual(line, `<131>${bsdTimestamp(e.timestamp)} web-1 checkout[4242]: disk full`)
    assert.match(bsdTimestamp("2026-01-02T03:04:05.006Z"), /^Jan {2}[12] \d\d:\d\d:05$/)
    assert.isAtMost(format(event({ message: "x".repeat(5000) })).length, 1024)
  })
})
