import { assert, describe, it } from "@effect/vitest"
import { Formatter, type LogEvent } from "fapilog"
import * as Testing from "fapilog/testing"
import * as decrypt from "../../src/internal/decrypt.js"
import * as envelope from "../../src/internal/envelope.js"
import * as processor from "../../src/internal/processor.js"
import { assertNotInClear, ringA, ringAB, ringB } from "../rings.js"

const FIELDS = ["card", "user.email", "message", "payload"] as const

/**
 * Events with the fields encrypted and without: reserved names, nesting, odd values. Each
 * message has a space, which no ciphertext (base64url) has: a test that the message is not in
 * clear cannot be fooled by a ciphertext that happens to spell it.
 */
const events: ReadonlyArray<LogEvent.LogEvent> = [
  Testing.event({
    message: "order paid",
    fields: { card: "4111 1111 1111 1111", user: { email: "ada@example.com", id: 7 }, orderId: "o-1" }
  }),
  // "message" is a reserved name: the json layout writes it under "fields"
  Testing.event({
    level: "warn",
    message: "an odd one",
    fields: { message: "secret text", payload: { a: [1, 2], b: "é\n" } }
  }),
  Testing.event({ level: "debug", message: "none of them", fields: { other: true } })
]

/** The layouts whose lines decryptLine restores exactly. */
const layouts: ReadonlyArray<readonly [string, Formatter.Formatter]> = [
  ["json", Formatter.json],
  ["ecs", Formatter.ecs()],
  ["otel", Formatter.otel()],
  ["pino", Formatter.pino()]
]

const failuresOf = (r: decrypt.DecryptedLine): ReadonlyArray<string> =>
  r.failures.map((f) => `${f.path}: ${f.reason}`)

describe("decryptLine", () => {
  for (const [name, formatter] of layouts)
    it(`${name}: a line with encrypted fields restores to the line written in clear`, () => {
      const process = processor.make(ringA, FIELDS)
      for (const e of events) {
        const encrypted = formatter.format(process(e) as LogEvent.LogEvent)
        const plain = formatter.format(e)
        for (const secret of ["4111", "ada@", "secret text"]) assertNotInClear(encrypted, secret)
        const back = decrypt.decryptLine(encrypted, ringA)
        assert.deepStrictEqual(back.failures, [])
        assert.strictEqual(back.line, plain)
      }
    })

  for (const [name, formatter] of layouts)
    it(`${name}: an event encrypted whole restores to its json line`, () => {
      const process = processor.make(ringA, undefined)
      for (const e of events) {
        const encrypted = formatter.format(process(e) as LogEvent.LogEvent)
        assertNotInClear(encrypted, e.message)
        const back = decrypt.decryptLine(encrypted, ringA)
        assert.deepStrictEqual(back, { line: Formatter.json.format(e), restored: 1, failures: [] })
      }
    })

  it("logfmt: values are encrypted (nothing in clear) and open one by one with decryptValue", () => {
    const out = processor.make(ringA, FIELDS)(events[0] as LogEvent.LogEvent) as LogEvent.LogEvent
    const line = Formatter.logfmt().format(out)
    assertNotInClear(line, "4111")
    assertNotInClear(line, "ada@")
    const token = /user\.email=(fapilog-enc:\S+)/.exec(line)?.[1] as string
    assert.deepStrictEqual(decrypt.decryptValue(token, "user.email", ringA), {
      ok: true,
      value: "ada@example.com",
      keyId: "A"
    })
    assert.deepStrictEqual(decrypt.decryptLine(line, ringA), {
      line,
      restored: 0,
      failures: [
        {
          path: "",
          reason: "not a JSON line: only lines of the json, ecs, otel and pino layouts are restored"
        }
      ]
    })
  })

  it("rotation: A's lines and B's lines both open under [A, B]; A's fail under [B] alone, with the reason", () => {
    const underA = events.map((e) =>
      Formatter.json.format(processor.make(ringA, FIELDS)(e) as LogEvent.LogEvent)
    )
    // the ring rotated to [A, B]: B (newest) encrypts
    const underB = events.map((e) =>
      Formatter.json.format(processor.make(ringAB, FIELDS)(e) as LogEvent.LogEvent)
    )
    assert.include(underB[0], ":v1:f:B:")
    assert.notInclude(underB[0], ":v1:f:A:")
    events.forEach((e, i) => {
      assert.strictEqual(decrypt.decryptLine(underA[i] as string, ringAB).line, Formatter.json.format(e))
      assert.strictEqual(decrypt.decryptLine(underB[i] as string, ringAB).line, Formatter.json.format(e))
      assert.strictEqual(decrypt.decryptLine(underB[i] as string, ringB).line, Formatter.json.format(e))
    })
    const old = decrypt.decryptLine(underA[0] as string, ringB)
    assert.strictEqual(old.line, underA[0], "a line it cannot open comes back unchanged")
    assert.strictEqual(old.restored, 0)
    assert.deepStrictEqual(failuresOf(old), [
      'card: key id "A" is not in the key ring (keys holds B): add the key that encrypted it',
      'user.email: key id "A" is not in the key ring (keys holds B): add the key that encrypted it'
    ])
  })

  it("a flipped byte fails authentication, and the line comes back unchanged", () => {
    const line = Formatter.json.format(
      processor.make(ringA, ["card"])(events[0] as LogEvent.LogEvent) as LogEvent.LogEvent
    )
    const sealed = /"card":"([^"]+)"/.exec(line)?.[1] as string
    const last = sealed.at(-2) === "A" ? "B" : "A"
    const tampered = line.replace(sealed, `${sealed.slice(0, -2)}${last}${sealed.slice(-1)}`)
    const back = decrypt.decryptLine(tampered, ringA)
    assert.strictEqual(back.line, tampered)
    assert.deepStrictEqual(failuresOf(back), [
      'card: authentication failed under key "A": the envelope was altered, moved from another field, or the ring\'s key "A" is not the one that encrypted it'
    ])
  })

  it("an envelope moved to another field does not open", () => {
    const out = processor.make(ringA, ["card"])(events[0] as LogEvent.LogEvent) as LogEvent.LogEvent
    const moved = { ...out, fields: { ...out.fields, orderId: out.fields.card } }
    const back = decrypt.decryptLine(Formatter.json.format(moved), ringA)
    assert.strictEqual(back.restored, 0)
    assert.deepStrictEqual(
      back.failures.map((f) => f.path),
      ["orderId"]
    )
    assert.deepStrictEqual(
      decrypt.decryptEvent(moved, ringA).failures.map((f) => f.path),
      ["orderId"]
    )
  })

  it("lines without envelopes come back as they are; lines that are not objects are named", () => {
    const plain = Formatter.json.format(events[0] as LogEvent.LogEvent)
    assert.deepStrictEqual(decrypt.decryptLine(plain, ringA), { line: plain, restored: 0, failures: [] })
    assert.deepStrictEqual(decrypt.decryptLine("", ringA), { line: "", restored: 0, failures: [] })
    assert.strictEqual(decrypt.decryptLine('["fapilog-enc:v1"]', ringA).failures.length, 1)
    assert.strictEqual(decrypt.decryptLine("fapilog-enc:v1 {", ringA).failures.length, 1)
  })
})

describe("decryptEvent", () => {
  it("opens field envelopes of an event read back from its line, and never mutates it", () => {
    const out = processor.make(ringAB, FIELDS)(events[1] as LogEvent.LogEvent) as LogEvent.LogEvent
    const read = Testing.event(out)
    Object.freeze(read.fields)
    const back = decrypt.decryptEvent(read, ringAB)
    assert.deepStrictEqual(back.failures, [])
    assert.strictEqual(back.restored, 2)
    assert.deepStrictEqual(back.event.fields, (events[1] as LogEvent.LogEvent).fields)
    assert.isTrue(envelope.isEnvelope(read.fields.payload))
  })

  it("an event encrypted whole, read back from any JSON line, comes back whole; its failures are named", () => {
    const e = events[0] as LogEvent.LogEvent
    const out = processor.make(ringA, undefined)({ ...e, id: "id-1" }) as LogEvent.LogEvent
    assert.deepStrictEqual(decrypt.decryptEvent(out, ringA).event, { ...e, id: "id-1" })
    const failed = decrypt.decryptEvent(out, ringB)
    assert.strictEqual(failed.event, out)
    assert.deepStrictEqual(
      failed.failures.map((f) => f.path),
      ["encrypted"]
    )
    // a whole-event envelope is not a field value
    const value = decrypt.decryptValue(out.fields.encrypted as string, "encrypted", ringA)
    assert.deepStrictEqual(value, {
      ok: false,
      reason: "holds a whole event: decrypt it with decryptEvent or decryptLine"
    })
  })
})
