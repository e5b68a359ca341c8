/**
 * The trail's keys. `key` (config) is the HMAC-SHA256 key of the records; the Ed25519 key
 * that signs segment manifests is derived from it (its seed is HMAC(key, a fixed label)), so
 * whoever holds `key` can verify both, and `publicKeyOf(key)` gives the public half to hand
 * to someone who should check manifests without being able to write records.
 */
import * as crypto from "node:crypto"

/** Accepted forms of `key`, as error messages state them. */
export const KEY_ACCEPTED =
  'a hex string of at least 32 bytes (64 hex digits), or "env:NAME" naming an environment variable that holds one'

const HEX = /^(?:[0-9a-fA-F]{2}){32,}$/

/** The key bytes of `value` (hex or `env:NAME`), or undefined when it is not one of the accepted forms. */
export const keyBytes = (value: unknown, env: NodeJS.ProcessEnv = process.env): Buffer | undefined => {
  if (typeof value !== "string") return undefined
  const hex = value.startsWith("env:") ? env[value.slice(4)]?.trim() : value
  if (hex === undefined || !HEX.test(hex)) return undefined
  return Buffer.from(hex, "hex")
}

/** `keyBytes`, throwing a RangeError naming the field and the accepted forms. */
export const resolveKey = (value: unknown, field = "key"): Buffer => {
  const bytes = keyBytes(value)
  if (bytes !== undefined) return bytes
  const shown =
    typeof value === "string" && value.startsWith("env:")
      ? `${JSON.stringify(value)} (the variable is ${process.env[value.slice(4)] === undefined ? "not set" : "not such a key"})`
      : typeof value === "string"
        ? "the given string"
        : String(value)
  throw new RangeError(`${field}: ${shown} is not a key; accepted: ${KEY_ACCEPTED}`)
}

/** The DER prefix of a PKCS#8 Ed25519 private key, followed by its 32-byte seed (RFC 8410). */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex")

/** The Ed25519 key pair of the manifests, derived from the HMAC key. */
export const signingKeyOf = (key: Uint8Array): crypto.KeyObject => {
  const seed = crypto.createHmac("sha256", key).update("fapilog-audit manifest signing key v1").digest()
  return crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" })
}

/** The public half of the manifest signing key, as a PEM (SPKI) string. */
export const publicKeyPem = (key: Uint8Array): string =>
  crypto.createPublicKey(signingKeyOf(key)).export({ format: "pem", type: "spki" }).toString()

export const hmacHex = (key: Uint8Array, text: string): string =>
  crypto.createHmac("sha256", key).update(text).digest("hex")

export const sha256Hex = (data: string | Uint8Array): string =>
  crypto.createHash("sha256").update(data).digest("hex")
