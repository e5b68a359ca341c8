/** Key rings the tests share: fixed keys A and B (never use such keys outside tests). */
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
