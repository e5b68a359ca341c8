/**
 * The envelope: one AES-256-GCM encryption of a value's JSON text, written as one string
 *
 *     fapilog-enc:v1:<kind>:<key id>:<iv>:<tag>:<ciphertext>
 *
 * `kind` is `f` (the value of one field) or `e` (the whole event); iv (12 random bytes per
 * value), tag (16 bytes) and ciphertext are base64url without padding. The additional
 * authenticated data binds the version, kind, key id and the field path
 * (`fapilog-enc:v1:<kind>:<key id>:<path>`): an envelope moved to another field, a key id
 * rewritten, or any flipped byte fails authentication. A string because every layout keeps a
 * string field as it is (JSON, ECS, OTel, pino, logfmt: only letters, digits and `.:_-`).
 */
import * as crypto from "node:crypto"
import type { KeyRing } from "./keyRing.js"

/** Every envelope starts with this. */
export const PREFIX = "fapilog-enc:"

const VERSION = "v1"

/** What an envelope holds: the value of one field, or the whole event. */
export type Kind = "f" | "e"

const ENVELOPE = /^fapilog-enc:([^:]*):([^:]*):([^:]*):([^:]*):([^:]*):([^:]*)$/
const B64URL = /^[A-Za-z0-9_-]*$/

/** Whether a value looks like an envelope (it may still fail to decrypt). */
export const isEnvelope = (u: unknown): u is string => typeof u === "string" && u.startsWith(PREFIX)

const aad = (kind: Kind, keyId: string, path: string): Buffer =>
  Buffer.from(`${PREFIX}${VERSION}:${kind}:${keyId}:${path}`, "utf8")

/**
 * Fresh random IVs, 12 bytes each, cut from a pool that one `randomFillSync` call refills
 * (a call per value costs as much as the encryption itself); each byte is used once.
 */
const IV_BYTES = 12
const IV_POOL = IV_BYTES * 512
let pool = Buffer.alloc(0)
let poolAt = IV_POOL
const freshIv = (): Buffer => {
  if (poolAt === IV_POOL) {
    pool = crypto.randomFillSync(Buffer.allocUnsafe(IV_POOL))
    poolAt = 0
  }
  const iv = pool.subarray(poolAt, poolAt + IV_BYTES)
  poolAt += IV_BYTES
  return iv
}

/** Encrypts `plaintext` (a value's JSON text) for the field `path` with the ring's newest key. */
export const seal = (ring: KeyRing, kind: Kind, path: string, plaintext: string): string => {
  const keyId = ring.current
  const iv = freshIv()
  const cipher = crypto.createCipheriv("aes-256-gcm", ring.key(keyId) as crypto.KeyObject, iv)
  cipher.setAAD(aad(kind, keyId, path))
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
  const tag = cipher.getAuthTag()
  return `${PREFIX}${VERSION}:${kind}:${keyId}:${iv.toString("base64url")}:${tag.toString("base64url")}:${ciphertext.toString("base64url")}`
}

/** What opening an envelope gives: the plaintext, or why not. */
export type Opened =
  | { readonly ok: true; readonly kind: Kind; readonly keyId: string; readonly plaintext: string }
  | { readonly ok: false; readonly reason: string }

/** The envelope's kind, without decrypting it (undefined when it is not one). */
export const kindOf = (envelope: string): Kind | undefined => {
  const m = ENVELOPE.exec(envelope)
  return m !== null && (m[2] === "f" || m[2] === "e") ? m[2] : undefined
}

/** Decrypts an envelope found at the field `path`; never throws. */
export const open = (ring: KeyRing, envelope: string, path: string): Opened => {
  const m = ENVELOPE.exec(envelope)
  if (m === null)
    return { ok: false, reason: "is not an envelope (fapilog-enc:v1:kind:keyId:iv:tag:ciphertext)" }
  const [, version, kind, keyId = "", iv = "", tag = "", ciphertext = ""] = m
  if (version !== VERSION)
    return { ok: false, reason: `envelope version ${version} is not supported (this reads v1)` }
  if (kind !== "f" && kind !== "e")
    return { ok: false, reason: `envelope kind ${kind} is not f (field) or e (event)` }
  if (!B64URL.test(iv) || !B64URL.test(tag) || !B64URL.test(ciphertext))
    return { ok: false, reason: "the envelope is damaged (iv, tag or ciphertext is not base64url)" }
  const key = ring.key(keyId)
  if (key === undefined)
    return {
      ok: false,
      reason: `key id "${keyId}" is not in the key ring (${ring.source} holds ${ring.ids.join(", ")}): add the key that encrypted it`
    }
  const ivBytes = Buffer.from(iv, "base64url")
  const tagBytes = Buffer.from(tag, "base64url")
  if (ivBytes.length !== 12 || tagBytes.length !== 16)
    return { ok: false, reason: "the envelope is damaged (the iv must be 12 bytes and the tag 16)" }
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, ivBytes)
    decipher.setAAD(aad(kind, keyId, path))
    decipher.setAuthTag(tagBytes)
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final()
    ]).toString("utf8")
    return { ok: true, kind, keyId, plaintext }
  } catch {
    return {
      ok: false,
      reason: `authentication failed under key "${keyId}": the envelope was altered, moved from another field, or the ring's key "${keyId}" is not the one that encrypted it`
    }
  }
}
