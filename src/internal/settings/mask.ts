/**
 * Settings made safe to show (`Settings.mask`, used by `fapilog config check`): the values of
 * secret-looking keys at any depth and the credentials in URLs replaced with the redactor's
 * own rules (src/internal/redact.ts), so a printed configuration never holds a secret.
 */
import { compile, redactValue } from "../redact.js"
import { sensitiveKeys } from "./presets.js"

/** What a masked value reads as. */
export const maskCensor = "[MASKED]"

// the presets' keys, plus the names settings give keys and passphrases (the audit sink's `key`)
const masking = compile({
  keys: [...sensitiveKeys, "key", "passphrase", "credentials", "keyRing"],
  urls: true,
  censor: maskCensor
})

/** A copy of `value` with every secret masked; the caller's objects are never changed. */
export const mask = (value: unknown): unknown =>
  masking === undefined ? value : redactValue(masking, value, masking.root, 0, 32)
