/** Key rings the tests share: fixed keys A and B (never use such keys outside tests). */
import { assert } from "@effect/vitest"
import { KeyRing } from "../src/index.js"

export const KEY_A = "a1".repeat(32)
export const KEY_B = "b2".repeat(32)

/** A ring holding only key "A". */
export const ringA = KeyRing.fromKeys([{ id: "A", key: KEY_A }])
/** Rotated: A kept to decrypt, B (newest) encrypts. */
export const ringAB = KeyRing.fromKeys([
  { id: "A", key: KEY_A },
  { id: "B", key: KEY_B }
])
/** A dropped: only B. */
export const ringB = KeyRing.fromKeys([{ id: "B", key: KEY_B }])

/**
 * Asserts that `secret` is nowhere in `text` in clear. The envelopes are taken out first: a
 * ciphertext (base64url) may happen to spell a short secret such as "4111", which would fail
 * the test once in a while for nothing.
 */
export const assertNotInClear = (text: string, secret: string): void =>
  assert.notInclude(text.replace(/fapilog-enc:[A-Za-z0-9_:-]+/g, "fapilog-enc:(envelope)"), secret)
