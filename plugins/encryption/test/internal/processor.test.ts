import { assert, describe, it } from "@effect/vitest"
import { Formatter, type LogEvent } from "fapilog"
import * as Testing from "fapilog/testing"
import * as decrypt from "../../src/internal/decrypt.js"
import * as envelope from "../../src/internal/envelope.js"
import * as processor from "../../src/internal/processor.js"
import { assertNotInClear, ringA } from "../rings.js"

/** Freezes a value and everything under it, as the caller's objects must be left. */
const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

const event = (fields: Record<string, unknown>, over: Partial<LogEvent.LogEvent> = {}): LogEvent.LogEvent =>
  deepFreeze(Testing.event({ id: "e-1", message: "paid", fields, ...over }))

describe("processor", () => {
  it("replaces each named field's value, nested ones too, and nothing else", () => {
    const process = processor.make(ringA, ["card", "user.email", "absent", "user.absent.deeper"])
    const given = event({
      card: "4111 1111 1111 1111",
      user: { email: "ada@example.com", name: "Ada" },
      orderId: 7
    })
    const out = process(given)
    assert.isDefined(out)
    if (out === undefined) return
    assert.strictEqual(out.id, "e-1")
    assert.strictEqual(out.message, "paid")
    assert.strictEqual(out.fields.orderId, 7)
    const user = out.fields.user as Record<string, unknown>
    assert.strictEqual(user.name, "Ada")
    assert.isTrue(envelope.isEnvelope(out.fields.card))
    assert.isTrue(envelope.isEnvelope(user.email))
    assertNotInClear(Formatter.json.format(out), "4111")
    assertNotInClear(Formatter.json.format(out), "ada@")
    assert.deepStrictEqual(decrypt.decryptEvent(out, ringA).event, given)
    // the caller's objects are untouched (frozen: a write would have thrown)
    assert.strictEqual((given.fields.user as Record<string, unknown>).email, "ada@example.com")
  })

  it("encrypts any JSON value, as the json formatter writes it", () => {
    const process = processor.make(ringA, ["v"])
    const values: ReadonlyArray<unknown> = [
      "plain",
      'line\nbreak \u2028 "quoted" \ud800',
      0,
      -1.5e300,
      Number.NaN,
      true,
      null,
      [1, "two", { three: 3 }],
      { nested: { deep: [null] } },
      12345678901234567890n,
      new Date(0)
    ]
    for (const v of values) {
      const given = event({ v })
      const out = process(given)
      assert.isDefined(out)
      const sealed = out?.fields.v
      assert.isTrue(envelope.isEnvelope(sealed), String(v))
      const plainLine = Formatter.json.format(given)
      const restored = decrypt.decryptLine(Formatter.json.format(out as LogEvent.LogEvent), ringA)
      assert.strictEqual(restored.line, plainLine)
    }
  })

  it("keeps an event without the named fields as it is, and leaves undefined alone", () => {
    const process = processor.make(ringA, ["card", "a.b"])
    const given = event({ other: 1, a: { c: 2 }, card: undefined })
    assert.strictEqual(process(given), given)
    const notObject = event({ a: "text" })
    assert.strictEqual(process(notObject), notObject)
    const arrayOnPath = event({ a: [{ b: 1 }] })
    assert.strictEqual(process(arrayOnPath), arrayOnPath)
  })

  it("a field of the exact dotted name wins over the nested value", () => {
    const out = processor.make(ringA, ["user.email"])(
      event({ "user.email": "flat@x", user: { email: "nested@x" } })
    )
    assert.isTrue(envelope.isEnvelope(out?.fields["user.email"]))
    assert.deepStrictEqual(out?.fields.user, { email: "nested@x" })
  })

  it("hostile values never throw and never leave in clear", () => {
    const fieldMode = processor.make(ringA, ["v"])
    const wholeMode = processor.make(ringA, undefined)
    for (const h of Testing.hostileValues) {
      const given = Testing.event({ message: h.name, fields: { v: h.make() } })
      const out = fieldMode(given)
      if (out !== undefined && out.fields.v !== undefined)
        assert.isTrue(envelope.isEnvelope(out.fields.v), h.name)
      const whole = wholeMode(given)
      assert.isTrue(envelope.isEnvelope(whole?.fields.encrypted), h.name)
      assert.strictEqual(whole?.message, "[encrypted]")
    }
  })

  it("withholds an event whose path cannot be read (a throwing getter)", () => {
    const fields = {}
    Object.defineProperty(fields, "user", {
      enumerable: true,
      get: () => {
        throw new Error("hostile getter")
      }
    })
    assert.isUndefined(processor.make(ringA, ["user.email"])(Testing.event({ fields })))
  })

  it("whole event: keeps what collectors route by, encrypts the rest into fields.encrypted", () => {
    const given = event(
      { user: "ada", card: "4111" },
      {
        correlationId: "c-1",
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        spanId: "00f067aa0ba902b7",
        spans: { charge: 12 },
        error: { type: "Error", message: "card 4111 declined" },
        level: "error",
        logger: "app.pay"
      }
    )
    const out = processor.make(ringA, undefined)(given)
    assert.isDefined(out)
    if (out === undefined) return
    assert.deepStrictEqual(Object.keys(out).sort(), [
      "correlationId",
      "fields",
      "id",
      "level",
      "logger",
      "message",
      "spanId",
      "timestamp",
      "traceId"
    ])
    assert.strictEqual(out.message, "[encrypted]")
    assert.deepStrictEqual(Object.keys(out.fields), ["encrypted"])
    assertNotInClear(Formatter.json.format(out), "4111")
    assertNotInClear(Formatter.json.format(out), "ada")
    const back = decrypt.decryptEvent(out, ringA)
    assert.deepStrictEqual(back.failures, [])
    assert.deepStrictEqual(back.event, given)
    assert.strictEqual(
      decrypt.decryptLine(Formatter.json.format(out), ringA).line,
      Formatter.json.format(given)
    )
  })

  it("a value too large for one envelope is encrypted as a note of its size", () => {
    const out = processor.make(ringA, ["v"])(
      Testing.event({ fields: { v: "x".repeat(processor.MAX_PLAINTEXT) } })
    )
    const sealed = out?.fields.v as string
    assert.isBelow(sealed.length, 1_000_000)
    const back = decrypt.decryptValue(sealed, "v", ringA)
    assert.deepStrictEqual(back, {
      ok: true,
      keyId: "A",
      value: `[fapilog encryption: value of ${processor.MAX_PLAINTEXT + 2} characters not kept, over ${processor.MAX_PLAINTEXT}]`
    })
  })

  it("jsonTextOf writes what the json formatter writes", () => {
    assert.strictEqual(processor.jsonTextOf("a"), '"a"')
    assert.strictEqual(processor.jsonTextOf(undefined), undefined)
    for (const v of [Number.POSITIVE_INFINITY, () => 1, Symbol("s"), new Map([[1, 2]])])
      assert.strictEqual(
        processor.jsonTextOf(v),
        /"v":(.*)}$/.exec(Formatter.json.format(Testing.event({ message: "", fields: { v } })))?.[1]
      )
  })
})
