import { assert, describe, it } from "@effect/vitest"
import { makeJson } from "../../src/internal/formatter.js"
import { defaultLimits } from "../../src/internal/json.js"
import * as L from "../../src/internal/level.js"
import {
  compileLineKeys,
  defaultLineKeys,
  keyNameProblems,
  keyNamesId,
  presets,
  withPreset
} from "../../src/internal/lineKeys.js"
import { Bindings, formatJsonLine, recordOf } from "../../src/internal/record.js"
import { compile } from "../../src/internal/redact.js"
import { sampleEvent } from "../support/events.js"

const TIME = Date.UTC(2026, 0, 2, 3, 4, 5, 6)

const parse = (line: string): Record<string, unknown> => {
  assert.notMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, "one line, control characters escaped")
  const value: unknown = JSON.parse(line)
  assert.isObject(value)
  return value as Record<string, unknown>
}

describe("lineKeys", () => {
  it("the default keys write fapilog's own line", () => {
    const r = recordOf(L.WARN, "hi", { time: TIME, fields: { a: 1 } })
    assert.strictEqual(
      formatJsonLine(r, defaultLimits, undefined, defaultLineKeys),
      formatJsonLine(r, defaultLimits, undefined)
    )
    assert.strictEqual(
      formatJsonLine(r),
      '{"timestamp":"2026-01-02T03:04:05.006Z","level":"warn","logger":"app","message":"hi","a":1}'
    )
  })

  it("renames message, level and time, with level names and epoch milliseconds, in the core order", () => {
    const keys = compileLineKeys({
      messageKey: "msg",
      levelKey: "severity",
      timestampKey: "ts",
      timestampFormat: "epochMs",
      levelNames: { warn: "WARNING" }
    })
    const line = formatJsonLine(
      recordOf(L.WARN, "hi", { time: TIME, fields: { a: 1 } }),
      defaultLimits,
      undefined,
      keys
    )
    assert.strictEqual(line, `{"ts":${TIME},"severity":"WARNING","logger":"app","msg":"hi","a":1}`)
    const info = parse(formatJsonLine(recordOf(L.INFO, "x", { time: TIME }), defaultLimits, undefined, keys))
    assert.strictEqual(info.severity, "info", "a level without a name of its own keeps fapilog's")
  })

  it("the gcp preset writes severity names and an RFC 3339 time under time", () => {
    const keys = compileLineKeys({ keys: "gcp" })
    const names = L.levelNames.map((l) =>
      parse(formatJsonLine(recordOf(L.levels[l], "m", { time: TIME }), defaultLimits, undefined, keys))
    )
    assert.deepStrictEqual(
      names.map((o) => o.severity),
      ["DEBUG", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NOTICE", "ALERT"]
    )
    assert.strictEqual(names[0]?.time, "2026-01-02T03:04:05.006Z")
    assert.strictEqual(names[0]?.message, "m")
    assert.isUndefined(names[0]?.level)
    assert.isUndefined(names[0]?.timestamp)
  })

  it("the datadog preset writes status with syslog names; explicit options override a preset", () => {
    const keys = compileLineKeys({ keys: "datadog", levelNames: { fatal: "emergency" }, messageKey: "msg" })
    const line = parse(
      formatJsonLine(recordOf(L.FATAL, "down", { time: TIME }), defaultLimits, undefined, keys)
    )
    assert.deepStrictEqual(line, {
      timestamp: "2026-01-02T03:04:05.006Z",
      status: "emergency",
      logger: "app",
      msg: "down"
    })
    const warn = parse(formatJsonLine(recordOf(L.WARN, "w", { time: TIME }), defaultLimits, undefined, keys))
    assert.strictEqual(warn.status, "warning")
    assert.deepStrictEqual(withPreset({ keys: "datadog" }).levelNames, presets.datadog.levelNames)
  })

  it("user fields never overwrite a renamed core key, from any source", () => {
    const keys = compileLineKeys({ keys: "gcp", messageKey: "msg" })
    const r = recordOf(L.INFO, "real", {
      time: TIME,
      fields: { severity: "fake", msg: "fake msg", time: 1, ok: true },
      bindings: { severity: "bound" },
      context: { time: "ctx" }
    })
    const line = parse(formatJsonLine(r, defaultLimits, undefined, keys))
    assert.strictEqual(line.severity, "INFO")
    assert.strictEqual(line.msg, "real")
    assert.strictEqual(line.time, "2026-01-02T03:04:05.006Z")
    assert.strictEqual(line.ok, true)
    assert.deepStrictEqual(line.fields, { severity: "fake", msg: "fake msg", time: 1 })
  })

  it("a child's bindings holding a renamed key go under fields, the ready fragment is not used", () => {
    const keys = compileLineKeys({ levelKey: "status" })
    const r = recordOf(L.INFO, "m", { time: TIME, bindings: { status: "bound", user: "ann" } })
    const line = parse(formatJsonLine(r, defaultLimits, undefined, keys))
    assert.strictEqual(line.status, "info")
    assert.strictEqual(line.user, "ann")
    assert.deepStrictEqual(line.fields, { status: "bound" })
    // the same bindings on a default sink keep their own key
    const plain = parse(formatJsonLine(r))
    assert.strictEqual(plain.status, "bound")
  })

  it("fapilog's own names stay reserved: a user field `level` goes under fields on a renamed sink", () => {
    const keys = compileLineKeys({ levelKey: "severity" })
    const line = parse(
      formatJsonLine(
        recordOf(L.INFO, "m", { time: TIME, fields: { level: "x" } }),
        defaultLimits,
        undefined,
        keys
      )
    )
    assert.deepStrictEqual(line.fields, { level: "x" })
    assert.strictEqual(line.severity, "info")
  })

  it("redaction applies to a user field moved under fields", () => {
    const keys = compileLineKeys({ levelKey: "severity" })
    const redact = compile({ keys: ["severity"] })
    const line = parse(
      formatJsonLine(
        recordOf(L.INFO, "m", { time: TIME, fields: { severity: "secret" } }),
        defaultLimits,
        redact,
        keys
      )
    )
    assert.strictEqual(line.severity, "info")
    assert.deepStrictEqual(line.fields, { severity: "[REDACTED]" })
  })

  it("hostile key names and level names are escaped: the line stays one valid JSON object", () => {
    const keys = compileLineKeys({ messageKey: 'm"\\sg', levelNames: { info: '"I"\u2028' } })
    const line = formatJsonLine(
      recordOf(L.INFO, "a\nb", { time: TIME, fields: { big: 10n, self: undefined } }),
      defaultLimits,
      undefined,
      keys
    )
    const o = parse(line)
    assert.strictEqual(o['m"\\sg'], "a\nb")
    assert.strictEqual(o.level, '"I"\u2028')
    assert.strictEqual(o.big, "10")
  })

  it("a time no Date holds is written as the current time, in either format", () => {
    const keys = compileLineKeys({ timestampFormat: "epochMs" })
    const before = Date.now()
    const o = parse(
      formatJsonLine(recordOf(L.INFO, "m", { time: Number.NaN }), defaultLimits, undefined, keys)
    )
    assert.isAtLeast(o.timestamp as number, before)
    const fractional = parse(
      formatJsonLine(recordOf(L.INFO, "m", { time: TIME + 0.7 }), defaultLimits, undefined, keys)
    )
    assert.strictEqual(fractional.timestamp, TIME)
  })

  it("the structured event path writes the same line as the record path", () => {
    const keys = compileLineKeys({ keys: "gcp", timestampFormat: "epochMs", messageKey: "msg" })
    const f = makeJson(defaultLimits, keys)
    const e = sampleEvent({ level: "warn", message: "m", fields: { severity: "user", a: 1 } })
    const o = parse(f.format(e))
    assert.strictEqual(o.severity, "WARNING")
    assert.strictEqual(o.msg, "m")
    assert.strictEqual(o.time, Date.parse(e.timestamp))
    assert.deepStrictEqual(o.fields, { severity: "user" })
  })

  it("the line written when an event cannot be formatted keeps the sink's key names", () => {
    const keys = compileLineKeys({ keys: "gcp" })
    const r = recordOf(L.ERROR, "m", { time: TIME })
    Object.defineProperty(r, "spans", {
      get() {
        throw new Error("boom")
      }
    })
    const o = parse(formatJsonLine(r, defaultLimits, undefined, keys))
    assert.strictEqual(o.severity, "ERROR")
    assert.strictEqual(o.time, "2026-01-02T03:04:05.006Z")
    assert.match(o.message as string, /could not be formatted/)
  })

  it("renamed keys must not collide with each other or with the other core keys", () => {
    assert.deepStrictEqual(keyNameProblems({ messageKey: "msg", levelKey: "severity" }), [])
    assert.deepStrictEqual(
      keyNameProblems({ messageKey: "logger" }).map((p) => p.option),
      ["messageKey"]
    )
    assert.deepStrictEqual(
      keyNameProblems({ levelKey: "message" }).map((p) => p.option),
      ["levelKey"]
    )
    assert.deepStrictEqual(
      keyNameProblems({ keys: "gcp", messageKey: "time" }).map((p) => p.option),
      ["messageKey"]
    )
    assert.deepStrictEqual(
      keyNameProblems({ timestampKey: "fields" }).map((p) => p.option),
      ["timestampKey"]
    )
    // swapping two names is no collision
    assert.deepStrictEqual(keyNameProblems({ levelKey: "message", messageKey: "level" }), [])
  })

  it("equal options share one id, different ones do not", () => {
    assert.strictEqual(
      keyNamesId({ keys: "gcp" }),
      keyNamesId({ levelKey: "severity", timestampKey: "time", levelNames: presets.gcp.levelNames })
    )
    assert.notStrictEqual(keyNamesId({ keys: "gcp" }), keyNamesId({ keys: "datadog" }))
  })

  it("Bindings written for a default sink are reused after a renamed sink wrote them", () => {
    const b = Bindings.extend(undefined, { user: "ann" })
    const keys = compileLineKeys({ levelKey: "severity" })
    const r = recordOf(L.INFO, "m", { time: TIME })
    r.bindings = b
    assert.strictEqual(parse(formatJsonLine(r, defaultLimits, undefined, keys)).user, "ann")
    assert.strictEqual(parse(formatJsonLine(r)).user, "ann")
  })
})
