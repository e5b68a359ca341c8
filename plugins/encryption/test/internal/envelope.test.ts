import { assert, describe, it } from "@effect/vitest"
import * as envelope from "../../src/internal/envelope.js"
import { ringA, ringAB, ringB } from "../rings.js"

/** The envelope with the byte at `index` of its part `part` (3 iv, 4 tag, 5 ciphertext) flipped. */
const flip = (sealed: string, part: 3 | 4 | 5, index = 0): string => {
  const parts = sealed.slice(envelope.PREFIX.length).split(":")
  const bytes = Buffer.from(parts[part] as string, "base64url")
  bytes[index] = (bytes[index] as number) ^ 0x01
  parts[part] = bytes.toString("base64url")
  return envelope.PREFIX + parts.join(":")
}

describe("envelope", () => {
  it("seals with the ring's newest key and a fresh IV per value, and opens under the same path", () => {
    const a = envelope.seal(ringAB, "f", "card", '"4111111111111111"')
    const b = envelope.seal(ringAB, "f", "card", '"4111111111111111"')
    assert.notStrictEqual(a, b, "a random IV per value: equal values do not give equal envelopes")
    assert.match(a, /^fapilog-enc:v1:f:B:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/)
    // the ciphertext is not the plaintext (its base64url text may spell anything)
    const ciphertext = Buffer.from(a.split(":").at(-1)!, "base64url")
    assert.isFalse(ciphertext.includes(Buffer.from('"4111111111111111"')))
    assert.strictEqual(ciphertext.length, '"4111111111111111"'.length, "GCM: as long as the plaintext")
    assert.deepStrictEqual(envelope.open(ringAB, a, "card"), {
      ok: true,
      kind: "f",
      keyId: "B",
      plaintext: '"4111111111111111"'
    })
    assert.strictEqual(envelope.kindOf(a), "f")
    assert.isTrue(envelope.isEnvelope(a))
    assert.isFalse(envelope.isEnvelope("fapilog"))
  })

  it("fails authentication when any byte is flipped", () => {
    const sealed = envelope.seal(ringA, "f", "card", '{"number":"4111111111111111","cvc":"123"}')
    for (const part of [3, 4, 5] as const)
      for (const index of [0, 5, 11]) {
        const opened = envelope.open(ringA, flip(sealed, part, index), "card")
        assert.isFalse(opened.ok, `part ${part} byte ${index}`)
        if (!opened.ok) assert.match(opened.reason, /^authentication failed under key "A"/)
      }
  })

  it("fails when moved to another field, its kind or key id rewritten", () => {
    const sealed = envelope.seal(ringAB, "f", "user.email", '"ada@example.com"')
    const moved = envelope.open(ringAB, sealed, "user.name")
    assert.isFalse(moved.ok)
    if (!moved.ok) assert.include(moved.reason, "moved from another field")
    assert.isFalse(envelope.open(ringAB, sealed.replace(":v1:f:", ":v1:e:"), "user.email").ok)
    // the same key under another id: the id is authenticated too
    assert.isFalse(envelope.open(ringAB, sealed.replace(":f:B:", ":f:A:"), "user.email").ok)
  })

  it("names an unknown key id, a damaged or foreign envelope", () => {
    const old = envelope.seal(ringA, "f", "card", '"x"')
    assert.deepStrictEqual(envelope.open(ringB, old, "card"), {
      ok: false,
      reason: 'key id "A" is not in the key ring (keys holds B): add the key that encrypted it'
    })
    assert.deepStrictEqual(envelope.open(ringA, old.replace(":v1:", ":v9:"), "card"), {
      ok: false,
      reason: "envelope version v9 is not supported (this reads v1)"
    })
    assert.deepStrictEqual(envelope.open(ringA, "fapilog-enc:v1:f:A", "card"), {
      ok: false,
      reason: "is not an envelope (fapilog-enc:v1:kind:keyId:iv:tag:ciphertext)"
    })
    assert.isFalse(envelope.open(ringA, `${old.slice(0, -4)}!!!!`, "card").ok)
    assert.isFalse(envelope.open(ringA, old.replace(/:f:A:[^:]+:/, ":f:A:AAAA:"), "card").ok)
    assert.isFalse(envelope.open(ringA, old.replace(":f:", ":x:"), "card").ok)
    assert.isUndefined(envelope.kindOf("plain"))
  })
})
