import { assert, describe, it } from "@effect/vitest"
import { Cause, Either, List, LogSpan } from "effect"
import { defaultLimits } from "../../src/internal/json.js"
import * as L from "../../src/internal/level.js"
import {
  Bindings,
  type Fields,
  formatJsonLine,
  isoTime,
  keepJsonLine,
  LogRecord,
  materialize,
  messageText,
  recordOf
} from "../../src/internal/record.js"
import { compile } from "../../src/internal/redact.js"
import * as LogEvent from "../../src/LogEvent.js"

interface Parts {
  readonly message?: unknown
  readonly fields?: Fields
  readonly bindings?: Fields
  readonly context?: Fields
  readonly annotations?: Fields
  readonly error?: unknown
  readonly traceId?: string
  readonly spanId?: string
  readonly spans?: List.List<LogSpan.LogSpan>
}

const record = (p: Parts): LogRecord =>
  recordOf(L.INFO, p.message ?? "msg", {
    time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    logger: "app",
    fields: p.fields,
    bindings: p.bindings,
    context: p.context,
    annotations: p.annotations,
    error: p.error,
    traceId: p.traceId,
    spanId: p.spanId,
    spans: p.spans
  })

const line = (p: Parts): Record<string, unknown> => JSON.parse(formatJsonLine(record(p)))

describe("the record's rare parts", () => {
  const rare = [
    "annotations",
    "error",
    "spans",
    "extra",
    "callSite",
    "correlationId",
    "truncatedTo",
    "givenId",
    "event",
    "kept"
  ] as const
  const held = (r: LogRecord): unknown => (r as unknown as { readonly rare: unknown }).rare

  it("a record given none holds none, and setting one to undefined makes none", () => {
    const r = new LogRecord(0, L.levels.info, "m", "app")
    for (const k of rare) assert.strictEqual(r[k], undefined, k)
    for (const k of rare) (r as unknown as Record<string, unknown>)[k] = undefined
    assert.strictEqual(held(r), undefined)
  })

  it("each reads back what was set, alone, and can be set back to undefined", () => {
    for (const k of rare) {
      const r = new LogRecord(0, L.levels.info, "m", "app")
      const value = { part: k }
      ;(r as unknown as Record<string, unknown>)[k] = value
      for (const other of rare)
        assert.strictEqual(r[other], other === k ? value : undefined, `${k}: ${other}`)
      ;(r as unknown as Record<string, unknown>)[k] = undefined
      assert.strictEqual(r[k], undefined, k)
    }
  })
})

describe("JSON line", () => {
  it("writes core keys first, then user fields", () => {
    const text = formatJsonLine(record({ fields: { userId: 7 } }))
    assert.strictEqual(
      text,
      '{"timestamp":"2026-01-02T03:04:05.006Z","level":"info","logger":"app","message":"msg","userId":7}'
    )
  })

  it("merges call fields > annotations > context > bindings, without duplicate keys", () => {
    const out = line({
      bindings: { a: "binding", b: "binding", c: "binding", d: "binding" },
      context: { b: "context", c: "context", d: "context" },
      annotations: { c: "annotation", d: "annotation" },
      fields: { d: "call" }
    })
    assert.deepInclude(out, { a: "binding", b: "context", c: "annotation", d: "call" })
    const text = formatJsonLine(
      record({ bindings: { d: 1 }, context: { d: 2 }, annotations: { d: 3 }, fields: { d: 4 } })
    )
    assert.strictEqual(text.match(/"d":/g)?.length, 1)
  })

  it("never lets a user key overwrite a core key and keeps it under fields", () => {
    const out = line({
      fields: { level: "fake", message: "fake", timestamp: 1, logger: "x", fields: 2, spans: 3 }
    })
    assert.strictEqual(out.level, "info")
    assert.strictEqual(out.message, "msg")
    assert.deepStrictEqual(out.fields, {
      level: "fake",
      message: "fake",
      timestamp: 1,
      logger: "x",
      fields: 2,
      spans: 3
    })
  })

  it("promotes correlation and trace ids from user data into empty core slots", () => {
    const out = line({ bindings: { correlationId: "c-1" }, fields: { traceId: "t-user" } })
    assert.strictEqual(out.correlationId, "c-1")
    assert.strictEqual(out.traceId, "t-user")
    const withSpan = line({ traceId: "t-span", spanId: "s-span", fields: { traceId: "t-user" } })
    assert.strictEqual(withSpan.traceId, "t-span")
    assert.deepStrictEqual(withSpan.fields, { traceId: "t-user" })
    const notString = line({ fields: { correlationId: 42 } })
    assert.isUndefined(notString.correlationId)
    assert.deepStrictEqual(notString.fields, { correlationId: 42 })
  })

  it("turns an Error under error or err into the core error", () => {
    assert.strictEqual(
      (line({ fields: { err: new Error("e1") } }).error as { message: string }).message,
      "e1"
    )
    assert.strictEqual(
      (line({ fields: { error: new Error("e2") } }).error as { message: string }).message,
      "e2"
    )
    const plain = line({ fields: { error: "just text", err: "text" } })
    assert.strictEqual(plain.err, "text")
    assert.deepStrictEqual(plain.fields, { error: "just text" })
    const both = line({ error: new Error("cause"), fields: { error: new Error("user") } })
    assert.strictEqual((both.error as { message: string }).message, "cause")
    assert.strictEqual(
      ((both.fields as Record<string, { message: string }>).error as { message: string }).message,
      "user"
    )
  })

  it("writes log spans as durations and Effect causes as errors", () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5, 6)
    const out = line({ spans: List.make(LogSpan.make("db", t - 25)), error: Cause.fail(new RangeError("r")) })
    assert.deepStrictEqual(out.spans, { db: 25 })
    assert.strictEqual((out.error as { type: string }).type, "RangeError")
  })

  it("renders message parts of any type as text", () => {
    assert.strictEqual(messageText(["a", 1, { b: 2 }]), 'a 1 {"b":2}')
    assert.strictEqual(messageText(undefined), "undefined")
    assert.strictEqual(line({ message: "line\nbreak" }).message, "line\nbreak")
  })

  it("snapshots bindings when they are made", () => {
    const source: Record<string, unknown> = { a: 1, gone: 1 }
    const b = Bindings.extend(undefined, source)
    source.a = 2
    const child = Bindings.extend(b, { gone: undefined, c: 3 })
    assert.deepStrictEqual({ ...child.fields }, { a: 1, c: 3 })
    assert.deepStrictEqual({ ...Bindings.extend(undefined, "not an object").fields }, {})
  })

  it("bindings that cannot be listed are kept as the withheld marker, over the parent's", () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {})
    revoke()
    const child = Bindings.extend(Bindings.extend(undefined, { parent: 1 }), proxy)
    assert.deepStrictEqual(Object.keys(child.fields), ["parent", "…"])
    assert.match(String(child.fields["…"]), /^\[Unserializable: \[Threw: .*revoked.*\]\]$/)
  })

  it("always yields a valid line, even when everything is hostile", () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap")
        }
      }
    )
    const out = line({ fields: hostile as Fields, message: { toString: null } })
    assert.strictEqual(out.level, "info")
  })
})

describe("message text reused between lines", () => {
  it("depends on the redaction and the string limit, not only on the message", () => {
    const message = "fetch https://user:secret@example.com/x"
    const r = recordOf(L.INFO, message, { time: 0 })
    const redact = compile({ paths: ["a"] })
    const tight = { ...defaultLimits, maxStringLength: 5 }
    assert.include(formatJsonLine(r), "user:secret@")
    assert.notInclude(formatJsonLine(r, defaultLimits, redact), "user:secret@")
    assert.include(formatJsonLine(r), "user:secret@")
    assert.include(formatJsonLine(r, tight), '"message":"fetch…[truncated')
    assert.include(formatJsonLine(recordOf(L.INFO, "other", { time: 0 })), '"message":"other"')
  })
})

describe("timestamps", () => {
  it("are Date's toISOString for every millisecond, before 1970 and at the edges of its range", () => {
    const times = [0, 1, 999, 1000, -1, -999, -1000, -1001, 1.7, -1.7, 8.64e15, -8.64e15, 253402300800000]
    for (let i = 0; i < 20_000; i++) times.push(Math.random() * 4e12 - 1e12)
    // runs within one second, as a busy logger writes them
    for (let i = 0; i < 3_000; i++) times.push(1_733_300_000_000 + i)
    for (const t of times) assert.strictEqual(isoTime(t), new Date(t).toISOString(), `at ${t}`)
  })

  it("write the current time for a time no Date holds, and the line stays valid", () => {
    const before = Date.now()
    for (const t of [8.64e15 + 1000, 8.64e15 + 1, -(8.64e15 + 1), Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new Date(t).toISOString(), RangeError)
      // twice: an out-of-range value is not remembered as a good one
      for (let i = 0; i < 2; i++) {
        const at = Date.parse(isoTime(t))
        assert.isAtLeast(at, before)
        assert.isAtMost(at, Date.now())
      }
      const line = JSON.parse(formatJsonLine(recordOf(L.INFO, "far", { time: t }))) as Record<string, unknown>
      assert.strictEqual(line.message, "far")
      assert.isAtLeast(Date.parse(line.timestamp as string), before)
    }
    assert.strictEqual(isoTime(8.64e15), new Date(8.64e15).toISOString())
    assert.strictEqual(isoTime(-8.64e15), new Date(-8.64e15).toISOString())
  })
})

describe("key plans remembered between lines", () => {
  const r = (fields: Fields) => recordOf(L.INFO, "m", { time: 0, fields })

  it("a key written under one limit is still cut under a tighter one", () => {
    const fields = { requestIdentifier: 1 }
    assert.include(formatJsonLine(r(fields)), '"requestIdentifier":1')
    const tight = { ...defaultLimits, maxStringLength: 7 }
    assert.include(formatJsonLine(r(fields), tight), '"request…[truncated 10 chars]":1')
    assert.include(formatJsonLine(r(fields)), '"requestIdentifier":1')
  })

  it("each redaction decides for itself about the same key name", () => {
    const fields = { secret: "s", card: { number: "4111", brand: "visa" } }
    const censor = compile({ paths: ["secret", "card.number"] })
    const remove = compile({ keys: ["SECRET"], remove: true })
    const plain = JSON.parse(formatJsonLine(r(fields)))
    assert.deepStrictEqual(plain.card, { number: "4111", brand: "visa" })
    const censored = JSON.parse(formatJsonLine(r(fields), defaultLimits, censor))
    assert.strictEqual(censored.secret, "[REDACTED]")
    assert.deepStrictEqual(censored.card, { number: "[REDACTED]", brand: "visa" })
    const removed = JSON.parse(formatJsonLine(r(fields), defaultLimits, remove))
    assert.isFalse("secret" in removed)
    assert.deepStrictEqual(removed.card, { number: "4111", brand: "visa" })
    assert.strictEqual(JSON.parse(formatJsonLine(r(fields))).secret, "s")
  })

  it("err is a field when it holds no error and the core error when it does, line after line", () => {
    assert.strictEqual(line({ fields: { err: "text" } }).err, "text")
    assert.strictEqual((line({ fields: { err: new Error("e") } }).error as { message: string }).message, "e")
    assert.strictEqual(line({ fields: { err: 42 } }).err, 42)
  })

  it("more key names than are remembered, and names that need escaping, are all written", () => {
    const many: Record<string, number> = {}
    for (let i = 0; i < 5000; i++) many[`k${i}`] = i
    many['quote"and\nline'] = -1
    const out = JSON.parse(formatJsonLine(r(many)))
    assert.strictEqual(Object.keys(out).length - 4, 5001)
    assert.strictEqual(out.k4999, 4999)
    assert.strictEqual(out['quote"and\nline'], -1)
    const again = JSON.parse(formatJsonLine(r({ k4999: 1, fresh: 2 })))
    assert.deepStrictEqual([again.k4999, again.fresh], [1, 2])
  })
})

describe("child bindings with call fields (the direct path)", () => {
  it("writes the bindings' fragment, then the call fields", () => {
    const text = formatJsonLine(record({ bindings: { requestId: "r-1", n: 1 }, fields: { user: "u" } }))
    assert.isTrue(text.endsWith(',"requestId":"r-1","n":1,"user":"u"}'))
  })

  it("a call field that shadows a binding wins, once", () => {
    const text = formatJsonLine(record({ bindings: { a: 1, b: 2 }, fields: { b: 3 } }))
    assert.isTrue(text.endsWith(',"a":1,"b":3}'))
  })

  it("reserved keys in bindings alone fill the core slots once, with or without call fields", () => {
    for (const fields of [undefined, {}, { n: 1 }]) {
      const out = line({ bindings: { correlationId: "c-1", level: "x" }, ...(fields ? { fields } : {}) })
      assert.strictEqual(out.correlationId, "c-1")
      assert.deepStrictEqual(out.fields, { level: "x" })
      assert.strictEqual(out.level, "info")
    }
  })

  it("call fields claim core slots after the bindings", () => {
    const out = line({ bindings: { correlationId: "from-binding" }, fields: { correlationId: "from-call" } })
    assert.strictEqual(out.correlationId, "from-call")
  })
})

describe("enrichment, one snapshot and call fields (the direct path)", () => {
  // an empty annotations object changes nothing in the line but takes the general merge
  const both = (p: Parts, enrichment: Fields) => {
    const direct = record(p)
    direct.enrichment = Bindings.extend(undefined, enrichment)
    const general = record({ ...p, annotations: {} })
    general.enrichment = direct.enrichment
    return [formatJsonLine(direct), formatJsonLine(general)] as const
  }

  it("writes what the general merge writes, overlapping keys and reserved names included", () => {
    const enrichments: ReadonlyArray<Fields> = [
      { hostname: "vm", pid: 1 },
      { hostname: "vm", user: "enriched" },
      { correlationId: "e-1", service: "api" }
    ]
    const parts: ReadonlyArray<Parts> = [
      { fields: { user: "u", n: 1 } },
      { bindings: { requestId: "r-1" }, fields: { user: "u" } },
      { bindings: { hostname: "child" }, fields: { n: 2 } },
      { context: { tenant: "t" }, fields: { tenant: "call" } },
      { bindings: { correlationId: "b-1" } },
      { fields: { correlationId: "c-1", error: new Error("boom") } },
      {}
    ]
    for (const enrichment of enrichments)
      for (const p of parts) {
        const [direct, general] = both(p, enrichment)
        assert.strictEqual(direct, general, JSON.stringify({ enrichment, p }))
      }
  })

  it("the enrichment comes first, then the snapshot, then the call's fields", () => {
    const [direct] = both({ bindings: { requestId: "r-1" }, fields: { user: "u" } }, { hostname: "vm" })
    assert.isTrue(direct.endsWith(',"hostname":"vm","requestId":"r-1","user":"u"}'), direct)
  })
})

describe("a kept line (the size guard's)", () => {
  it("is what a sink formatting the same way writes, without formatting again", () => {
    const r = record({ fields: { user: "u" } })
    const kept = keepJsonLine(r, defaultLimits, undefined)
    // a change no processor makes (they rewrite through TextWalk, which drops the kept line)
    ;(r.fields as Record<string, unknown>).user = "changed"
    assert.strictEqual(formatJsonLine(r, defaultLimits, undefined), kept)
    // formatted another way: written again
    assert.include(formatJsonLine(r, { ...defaultLimits }, undefined), '"user":"changed"')
    assert.include(formatJsonLine(r, defaultLimits, compile({ keys: ["other"] })), '"user":"changed"')
  })

  it("is not kept for a record the size guard cut", () => {
    const r = record({ fields: { user: "u" } })
    r.truncatedTo = defaultLimits
    keepJsonLine(r, defaultLimits, undefined)
    assert.isUndefined(r.kept)
  })
})

describe("materialize agrees with the JSON line", () => {
  const scenarios: ReadonlyArray<Parts> = [
    {},
    { fields: { a: 1, nested: { b: [1, 2] } } },
    { bindings: { requestId: "r", correlationId: "c" }, fields: { requestId: "override", n: 1 } },
    { context: { tenant: "t", level: "x" }, annotations: { userId: 9 }, fields: { err: new Error("e") } },
    { traceId: "t", spanId: "s", fields: { traceId: "user", message: "m", fields: { x: 1 } } },
    { error: Cause.die(new Error("defect")), fields: { error: "text" } },
    { bindings: { a: 1, b: 2 }, context: { b: 3 }, annotations: { a: 4 } },
    { bindings: { correlationId: "c", level: "x", a: 1 }, fields: { b: 2 } },
    { bindings: { correlationId: "c" }, fields: { correlationId: "d", a: 1 } },
    { fields: JSON.parse('{"__proto__":"data","constructor":"c"}') as Fields },
    // a bound context alone with call fields (an HTTP request's): the direct path
    { context: { correlationId: "req-1", tenant: "t" }, fields: { tenant: "call", n: 1 } },
    { context: { correlationId: "req-2", traceId: "tr" }, fields: { q: "x", err: new Error("e") } },
    { context: { correlationId: "req-3" } },
    // call fields alone (the usual event, built without merging), reserved names among them
    {
      fields: { correlationId: "c", traceId: "t", err: new Error("e"), error: "text", gone: undefined, n: 1 }
    },
    { traceId: "t", fields: { traceId: "t", spanId: 7, level: "x", timestamp: "y" } }
  ]
  const redaction = compile({ paths: ["password", "card.number", "*.apiKey"], keys: ["Secret"] })
  for (const [i, parts] of scenarios.entries()) {
    it(`scenario ${i}`, () => {
      const r = record(parts)
      const decoded = Either.getOrThrow(LogEvent.fromJsonLine(formatJsonLine(r)))
      const model = JSON.parse(JSON.stringify(materialize(r)))
      assert.deepStrictEqual(decoded, model)
    })
  }
  it("call fields alone build the same event as the merge of every source", () => {
    const redactCorrelation = compile({ paths: ["correlationId", "card.number"] })
    for (const fields of [
      { correlationId: "c", err: new Error("e"), n: 1, gone: undefined },
      { error: new Error("x"), traceId: "t", card: { number: "1" } },
      JSON.parse('{"__proto__":"data","a":1}') as Fields
    ]) {
      for (const redact of [undefined, redactCorrelation]) {
        const alone = record({ fields })
        // an empty enrichment snapshot adds no field but takes the merging path
        const merged = record({ fields })
        merged.enrichment = Bindings.of({})
        assert.deepStrictEqual(materialize(alone, redact), materialize(merged, redact))
      }
    }
  })
  it("captured call fields that need no change are the event's own, and an event equal to the copying build", () => {
    const redact = compile({ paths: ["card.number"] })
    for (const fields of [
      { a: 1, s: "x", nested: { b: [1, 2] } },
      { card: { number: "4111", brand: "v" }, n: 1 },
      { correlationId: "c", n: 1 },
      { err: "not an error", n: 1 },
      { gone: undefined, n: 1 },
      JSON.parse('{"__proto__":"data","a":1}') as Fields
    ]) {
      for (const redaction of [undefined, redact]) {
        const r = record({ fields })
        const before = JSON.stringify(r.fields)
        const shared = materialize(r, redaction, true)
        assert.deepStrictEqual(shared, materialize(r, redaction))
        // nothing done to the event's fields reaches the record's (redaction copies)
        assert.strictEqual(JSON.stringify(r.fields), before)
        const claimedOrUndefined = "correlationId" in fields || "err" in fields || "gone" in fields
        if (redaction === undefined) assert.strictEqual(shared.fields === r.fields, !claimedOrUndefined)
        else if ("card" in fields) assert.notStrictEqual(shared.fields, r.fields)
      }
    }
  })
  const secrets: ReadonlyArray<Parts> = [
    { fields: { password: "p", card: { number: "4111", brand: "v" }, user: { apiKey: "k", name: "n" } } },
    { context: { secret: "s", correlationId: "c" }, fields: { password: "p", ok: true } },
    { bindings: { SECRET: "s" }, fields: { card: { number: "1" }, deep: { secret: { x: 1 } } } },
    { fields: { password: "p", correlationId: "c", err: new Error("e"), secret: "s" } }
  ]
  for (const [i, parts] of secrets.entries()) {
    it(`with redaction, scenario ${i}`, () => {
      const r = record(parts)
      const line = formatJsonLine(r, defaultLimits, redaction)
      assert.notMatch(line, /"(p|4111|k|s|1)"/, "no secret value is written")
      const decoded = Either.getOrThrow(LogEvent.fromJsonLine(line))
      const model = JSON.parse(JSON.stringify(materialize(r, redaction)))
      assert.deepStrictEqual(decoded, model)
    })
  }
})
