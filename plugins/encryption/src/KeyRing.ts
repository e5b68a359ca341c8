/**
 * Key rings of `@fapilog/encryption`: AES-256 keys by id, newest last. The newest encrypts;
 * every key of the ring decrypts, which is how keys rotate.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/keyRing.js"

/**
 * A key ring: its `ids` (oldest first), the id that encrypts (`current`, the newest) and where
 * it came from (`source`). It prints its ids, never its keys.
 *
 * @example
 * ```ts
 * import { KeyRing } from "@fapilog/encryption"
 *
 * const ring = KeyRing.parse(`2026-11:${"a".repeat(64)},2026-12:${"b".repeat(64)}`)
 * ring.current // "2026-12"
 * ring.ids // ["2026-11", "2026-12"]
 * ```
 * @since 0.1.0
 * @category models
 */
export type KeyRing = internal.KeyRing

/**
 * A key ring that cannot be read or is invalid: `problems` lists each one, named by where it
 * is (`keys[1].key: is 62 hex digits (31 bytes); an AES-256 key is 64 hex digits (32 bytes)`).
 *
 * @example
 * ```ts
 * import { KeyRing } from "@fapilog/encryption"
 *
 * try {
 *   KeyRing.parse("k1:abc")
 * } catch (e) {
 *   if (e instanceof KeyRing.KeyRingError) console.error(e.problems.join("\n"))
 * }
 * ```
 * @since 0.1.0
 * @category errors
 */
export const KeyRingError: typeof internal.KeyRingError = internal.KeyRingError

/**
 * A {@link KeyRingError} instance.
 *
 * @example
 * ```ts
 * import { KeyRing } from "@fapilog/encryption"
 * const describe = (e: KeyRing.KeyRingError) => e.problems.join("; ")
 * ```
 * @since 0.1.0
 * @category errors
 */
export type KeyRingError = internal.KeyRingError

/**
 * Reads the ring a spec names: `"env:NAME"` (the variable holds `id:hex,id:hex`, newest last,
 * or the JSON document) or `"file:/path/keys.json"` (the JSON document
 * `{ "keys": [{ "id": "2026-12", "key": "<64 hex digits>" }] }`, newest last). Throws a
 * {@link KeyRingError} naming every problem: variable unset, file unreadable, not JSON, a key
 * that is not 64 hex digits, an id that is not 1 to 64 of `A-Z a-z 0-9 . _ -`, a duplicate id,
 * an empty ring. `env` defaults to `process.env`.
 *
 * @example
 * ```ts
 * import { KeyRing } from "@fapilog/encryption"
 *
 * const ring = KeyRing.load("env:FAPILOG_LOG_KEYS") // FAPILOG_LOG_KEYS=2026-12:<64 hex>
 * const fromFile = KeyRing.load("file:/etc/app/log-keys.json")
 * const inTests = KeyRing.load("env:KEYS", { KEYS: `k1:${"0".repeat(64)}` })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const load: (spec: string, env?: Readonly<Record<string, string | undefined>>) => KeyRing =
  internal.load

/**
 * A ring from its text: the JSON document or the compact `id:hex,id:hex` form, newest last.
 * `source` names it in messages. Throws a {@link KeyRingError}.
 *
 * @example
 * ```ts
 * import { KeyRing } from "@fapilog/encryption"
 *
 * const ring = KeyRing.parse(JSON.stringify({ keys: [{ id: "2026-12", key: "c".repeat(64) }] }), "vault")
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const parse: (text: string, source?: string) => KeyRing = internal.parse

/**
 * A ring from `{ id, key }` entries (`key`: 64 hex digits), newest last. Throws a
 * {@link KeyRingError}.
 *
 * @example
 * ```ts
 * import { KeyRing } from "@fapilog/encryption"
 *
 * const ring = KeyRing.fromKeys([
 *   { id: "2026-11", key: "a".repeat(64) },
 *   { id: "2026-12", key: "b".repeat(64) }
 * ])
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const fromKeys: (
  keys: ReadonlyArray<{ readonly id: string; readonly key: string }>,
  source?: string
) => KeyRing = internal.fromKeys
