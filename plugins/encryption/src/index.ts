/**
 * `@fapilog/encryption`: a fapilog processor that encrypts, with AES-256-GCM (`node:crypto`),
 * the values of chosen fields or the whole event, before any sink (the fallback sink
 * included) sees them. Each value becomes an envelope string carrying the key id, a random
 * IV, the ciphertext and the tag, bound to its field path; keys come from a key ring in an
 * environment variable or a file, newest last, and rotate (the newest encrypts, every key
 * decrypts). `decryptLine`, `decryptEvent` and `decryptValue` read them back (the
 * `fapilog decrypt` command is built on `decryptLine`).
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import type {} from "@fapilog/encryption" // the types of its entry
 *
 * // FAPILOG_LOG_KEYS=2026-12:<64 hex digits>
 * const log = await createLogger({
 *   processors: [{ type: "encryption", keys: "env:FAPILOG_LOG_KEYS", fields: ["card", "user.email"] }]
 * })
 * log.info("paid", { card: "4111 1111 1111 1111", user: { email: "ada@example.com" }, orderId: 7 })
 * await log.close()
 * ```
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { type LogEvent, Plugin, Processor } from "fapilog"
import * as config from "./internal/config.js"
import * as decrypt from "./internal/decrypt.js"
import * as keyRing from "./internal/keyRing.js"
import * as processor from "./internal/processor.js"
import type { KeyRing as Ring } from "./KeyRing.js"

export * as KeyRing from "./KeyRing.js"

/**
 * The processor's settings as written: `keys` (required), `"env:NAME"` or
 * `"file:/path/keys.json"`; `fields` (optional), the user fields to encrypt (`"card"`,
 * `"user.email"`); without `fields` the whole event is encrypted. `order` and `onError` are
 * fapilog's (this plugin's `onError` is `"drop"`).
 *
 * @example
 * ```ts
 * import type * as Encryption from "@fapilog/encryption"
 * const entry: Encryption.ConfigInput = { keys: "file:/etc/app/log-keys.json", fields: ["card"] }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ConfigInput = config.ConfigInput

/**
 * The processor's settings, decoded.
 *
 * @example
 * ```ts
 * import type * as Encryption from "@fapilog/encryption"
 * const whole: Encryption.Config = { keys: "env:FAPILOG_LOG_KEYS" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Config = config.Config

/**
 * The config Schema: decoding it reads and checks the key ring, so a bad ring is a
 * `ConfigError` at `processors[i].keys` naming each problem.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Config } from "@fapilog/encryption"
 *
 * Schema.decodeUnknownSync(Config)({ keys: "env:FAPILOG_LOG_KEYS", fields: ["card"] })
 * ```
 * @since 0.1.0
 * @category config
 */
export const Config: typeof config.Config = config.Config

// with this package imported, `{ type: "encryption", keys, fields? }` is a `processors` entry the compiler checks
declare module "fapilog" {
  interface PluginProcessors {
    encryption: config.ConfigInput
  }
}

/**
 * The field under which an event encrypted whole carries its envelope (`fields.encrypted`);
 * its message reads {@link encryptedMessage}.
 *
 * @example
 * ```ts
 * import { eventField } from "@fapilog/encryption"
 * const isWhole = (line: Record<string, unknown>) => typeof line[eventField] === "string"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const eventField: string = processor.EVENT_FIELD

/**
 * The message of an event encrypted whole: `"[encrypted]"`.
 *
 * @example
 * ```ts
 * import { encryptedMessage } from "@fapilog/encryption"
 * encryptedMessage // "[encrypted]"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const encryptedMessage: string = processor.ENCRYPTED_MESSAGE

/**
 * The encryption processor plugin, `type: "encryption"`. Its `onError` is `"drop"`: an event
 * it cannot process (a field whose reading throws), and every event while its start fails,
 * is withheld and counted under `stats().filteredBy.encryption`, never sent in clear.
 *
 * @example
 * ```ts
 * import { createLogger } from "fapilog"
 * import { plugin } from "@fapilog/encryption"
 *
 * // bundled applications: register the plugin instead of relying on discovery
 * const log = await createLogger({
 *   processors: [{ type: "encryption", keys: "file:/etc/app/log-keys.json" }],
 *   plugins: { use: [plugin] }
 * })
 * ```
 * @since 0.1.0
 * @category plugin
 */
export const plugin = Plugin.processor({
  name: "@fapilog/encryption",
  type: "encryption",
  version: "0.1.0",
  // the plugin API this code was written against (a literal: fapilog checks it on load)
  apiVersion: "1.0",
  description: "AES-256-GCM of chosen fields or of the whole event, with key ids and a rotating key ring",
  keywords: ["encryption", "aes-256-gcm", "compliance"],
  onError: "drop",
  config: config.Config,
  make: (c) =>
    Effect.try({
      try: () => Processor.make("encryption", processor.make(keyRing.load(c.keys), c.fields)),
      catch: (cause) => cause
    })
})

export default plugin

/**
 * What {@link decryptValue} gives: `{ ok: true, value, keyId }` or `{ ok: false, reason }`.
 *
 * @example
 * ```ts
 * import type { DecryptedValue } from "@fapilog/encryption"
 * const show = (r: DecryptedValue) => (r.ok ? JSON.stringify(r.value) : r.reason)
 * ```
 * @since 0.1.0
 * @category models
 */
export type DecryptedValue = decrypt.DecryptedValue

/**
 * An envelope that could not be opened: its `path` in the event or line and the `reason`
 * (unknown key id, authentication failed, damaged, not a JSON line).
 *
 * @example
 * ```ts
 * import type { Failure } from "@fapilog/encryption"
 * const print = (f: Failure) => `${f.path}: ${f.reason}`
 * ```
 * @since 0.1.0
 * @category models
 */
export type Failure = decrypt.Failure

/**
 * What {@link decryptEvent} gives: the `event` with what could be opened opened, how many
 * envelopes were `restored`, and the `failures`.
 *
 * @example
 * ```ts
 * import type { DecryptedEvent } from "@fapilog/encryption"
 * const complete = (r: DecryptedEvent) => r.failures.length === 0
 * ```
 * @since 0.1.0
 * @category models
 */
export type DecryptedEvent = decrypt.DecryptedEvent

/**
 * What {@link decryptLine} gives: the restored `line` and how many envelopes were `restored`,
 * or, when any envelope could not be opened, the line unchanged, `restored: 0` and the
 * `failures` to print.
 *
 * @example
 * ```ts
 * import type { DecryptedLine } from "@fapilog/encryption"
 * const report = (r: DecryptedLine) => r.failures.map((f) => `${f.path}: ${f.reason}`).join("; ")
 * ```
 * @since 0.1.0
 * @category models
 */
export type DecryptedLine = decrypt.DecryptedLine

/**
 * Decrypts one field envelope found at the field `path` (the path it was encrypted under:
 * `"card"`, `"user.email"`), for lines no JSON parser reads (logfmt's
 * `card=fapilog-enc:v1:...`). Never throws.
 *
 * @example
 * ```ts
 * import { decryptValue, KeyRing } from "@fapilog/encryption"
 *
 * const ring = KeyRing.load("env:FAPILOG_LOG_KEYS")
 * const result = decryptValue("fapilog-enc:v1:f:2026-12:...", "card", ring)
 * console.log(result.ok ? result.value : result.reason)
 * ```
 * @since 0.1.0
 * @category decrypting
 */
export const decryptValue: (envelope: string, path: string, ring: Ring) => DecryptedValue =
  decrypt.decryptValue

/**
 * Opens the envelopes of a structured event (as sinks receive it, or as
 * `LogEvent.fromJsonLine` reads it back): an event encrypted whole comes back whole (its
 * `id` kept), field envelopes give back their values. Never mutates `event`, never throws.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { LogEvent } from "fapilog"
 * import { decryptEvent, KeyRing } from "@fapilog/encryption"
 *
 * const ring = KeyRing.load("file:/etc/app/log-keys.json")
 * const read = LogEvent.fromJsonLine(line)
 * if (Either.isRight(read)) {
 *   const { event, failures } = decryptEvent(read.right, ring)
 *   console.log(event.fields.card, failures)
 * }
 * ```
 * @since 0.1.0
 * @category decrypting
 */
export const decryptEvent: (event: LogEvent.LogEvent, ring: Ring) => DecryptedEvent = decrypt.decryptEvent

/**
 * Restores a written line: each field envelope's JSON string is replaced by the JSON text of
 * its value, the rest of the line kept byte for byte, so the result is the line the layout
 * would have written in clear (the `json`, `ecs`, `otel` and `pino` layouts); an event
 * encrypted whole comes back as its `json` line. A line without envelopes comes back as it
 * is. A line with an envelope that cannot be opened (a key id not in the ring, a flipped
 * byte, an envelope moved to another field, a logfmt line) comes back **unchanged**, with
 * `restored: 0` and the reasons in `failures`. Never throws. This is what `fapilog decrypt`
 * runs on every line.
 *
 * @example
 * ```ts
 * import * as fs from "node:fs"
 * import { decryptLine, KeyRing } from "@fapilog/encryption"
 *
 * const ring = KeyRing.load("env:FAPILOG_LOG_KEYS")
 * fs.readFileSync("logs/app.log", "utf8").split("\n").forEach((line, i) => {
 *   const { line: restored, failures } = decryptLine(line, ring)
 *   for (const f of failures) console.error(`line ${i + 1}: ${f.path}: ${f.reason}`)
 *   console.log(restored)
 * })
 * ```
 * @since 0.1.0
 * @category decrypting
 */
export const decryptLine: (line: string, ring: Ring) => DecryptedLine = decrypt.decryptLine
