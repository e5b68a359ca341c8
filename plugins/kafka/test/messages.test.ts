/** The request body of the Kafka sink (src/internal/messages.ts): self-contained, decoded back exactly. */
import { assert, describe, it } from "@effect/vitest"
import { Formatter, type LogEvent } from "fapilog"
import { encodeMessages, keyOf, messageKey, readBody } from "../src/internal/messages.js"
import { isPermanent } from "../src/internal/sink.js"

/** A body's seed and messages (timestamp, key, value), read back with `readBody`. */
const decodeMessages = (bytes: Uint8Array) => {
  const body = readBody(bytes)
  const messages = Array.from({ length: body.count }, (_, i) => ({
    timestamp: body.timestamps[i]!,
    key: messageKey(body, i),
    value: body.bytes.subarray(body.valueAt[i]!, body.valueAt[i]! + body.valueLength[i]!)
  }))
  return { seed: body.seed, messages }
}

const event = (i: number, more: Partial<LogEvent.LogEvent> = {}): LogEvent.LogEvent => ({
  timestamp: `2026-03-01T10:15:30.${String(i % 1000).padStart(3, "0")}Z`,
  level: "info",
  logger: "app",
  message: `event ${i} é 😀`,
  fields: { i },
  ...more
})

describe("Kafka request bodies", () => {
  it("decode to each event's JSON line, key and timestamp, with the request's seed", () => {
    const events = [event(1, { correlationId: "c-1" }), event(2), event(3, { correlationId: "ü" })]
    const { seed, messages } = decodeMessages(encodeMessages(events, "correlationId", 4_000_000_000))
    assert.strictEqual(seed, 4_000_000_000)
    assert.deepStrictEqual(
      messages.map((m) => [
        m.key?.toString("utf8"),
        JSON.parse(m.value.toString("utf8")).message,
        m.timestamp
      ]),
      [
        ["c-1", "event 1 é 😀", Date.parse("2026-03-01T10:15:30.001Z")],
        [undefined, "event 2 é 😀", Date.parse("2026-03-01T10:15:30.002Z")],
        ["ü", "event 3 é 😀", Date.parse("2026-03-01T10:15:30.003Z")]
      ]
    )
    assert.isFalse(
      messages[0]!.value.toString("utf8").endsWith("\n"),
      "the value is the line without its break"
    )
  })

  it("each value is the JSON formatter's line, whatever the event holds, in bodies of any size", () => {
    const events = [
      event(1, { message: 'quotes " \\ and controls \u0000\u0007\n\u007f\u0085\u2028 and a lone \ud800' }),
      event(2, { fields: { nested: { a: [1, "two", null, { deep: true }] }, big: 2n ** 70n } }),
      // more than the writer's first megabyte: it grows, and every value stays whole
      ...Array.from({ length: 8_000 }, (_, i) => event(i, { message: `${"€".repeat(i % 200)} ${i}` }))
    ]
    const { messages } = decodeMessages(encodeMessages(events, false, 3))
    assert.strictEqual(messages.length, events.length)
    assert.deepStrictEqual(
      messages.map((m) => m.value.toString("utf8")),
      events.map((e) => Formatter.json.format(e))
    )
  })

  it("keyField: false gives no keys; an empty request is a valid body", () => {
    assert.isTrue(
      decodeMessages(encodeMessages([event(1, { correlationId: "c" })], false, 1)).messages.every(
        (m) => m.key === undefined
      )
    )
    assert.deepStrictEqual(decodeMessages(encodeMessages([], "correlationId", 9)), { seed: 9, messages: [] })
  })

  it("keys of any value: text as is, numbers and booleans written out, objects as their JSON, a throwing getter never throws", () => {
    const line = (e: LogEvent.LogEvent) => JSON.stringify({ ...e.fields })
    const e = (v: unknown) => event(0, { fields: { k: v } })
    assert.strictEqual(
      keyOf(e("t-1"), "k", () => line(e("t-1"))),
      "t-1"
    )
    assert.strictEqual(
      keyOf(e(42), "k", () => line(e(42))),
      "42"
    )
    assert.strictEqual(
      keyOf(e(false), "k", () => line(e(false))),
      "false"
    )
    assert.strictEqual(
      keyOf(e(2n ** 70n), "k", () => "{}"),
      "1180591620717411303424"
    )
    assert.strictEqual(
      keyOf(e({ a: 1 }), "k", () => '{"k":{"a":1}}'),
      '{"a":1}'
    )
    assert.strictEqual(
      keyOf(event(0), "k", () => "{}"),
      undefined
    )
    assert.strictEqual(
      keyOf(event(0, { logger: "billing" }), "logger", () => "{}"),
      "billing"
    )
    const throwing = Object.defineProperty(
      { timestamp: "2026-03-01T10:15:30.000Z", level: "info", logger: "a", message: "m" },
      "fields",
      {
        get() {
          throw new Error("no fields")
        }
      }
    ) as LogEvent.LogEvent
    assert.strictEqual(
      keyOf(throwing, "k", () => '{"k":"from the line"}'),
      '"from the line"'
    )
  })

  it("anything else is refused: another sink's body, a body cut short, trailing bytes, a time out of range", () => {
    const body = Buffer.from(encodeMessages([event(1), event(2)], "correlationId", 1))
    assert.throws(
      () => decodeMessages(new TextEncoder().encode('[{"a":1}]')),
      /not a Kafka sink request body/
    )
    assert.throws(() => decodeMessages(body.subarray(0, body.length - 3)), /cut short/)
    // a time no record batch can carry (a damaged spool file): refused, for good
    for (const time of [Number.NaN, Number.POSITIVE_INFINITY, 1e20]) {
      const damaged = Buffer.from(body)
      damaged.writeDoubleBE(time, 9)
      try {
        readBody(damaged)
        assert.fail("the body should be refused")
      } catch (e) {
        assert.match((e as Error).message, /timestamp out of range/)
        assert.isTrue(isPermanent(e))
      }
    }
    assert.throws(() => decodeMessages(Buffer.concat([body, Buffer.from([0])])), /trailing bytes/)
  })
})
