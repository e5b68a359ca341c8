/**
 * The key ring: AES-256 keys by id, newest last. The newest key encrypts; every key of the
 * ring decrypts, so a ring rotated from `[A]` to `[A, B]` still reads what A wrote.
 *
 * Where a ring comes from (`spec`):
 * - `env:NAME`: the variable NAME holds the ring, either compact (`id:hex,id:hex`) or as the
 *   JSON document below;
 * - `file:/path/keys.json`: the file holds the JSON document
 *   `{ "keys": [{ "id": "2026-11", "key": "<64 hex digits>" }, ...] }` (or the compact text).
 *
 * Every problem of a ring is collected (not only the first) and named by where it is
 * (`keys[1].key`, `entry 2`), with what is accepted.
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"

/** A key id: what the envelopes carry in clear to say which key decrypts them. */
export const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/

/** What a key id may be, for messages. */
export const keyIdAccepted = "1 to 64 letters, digits, '.', '_' or '-'"

const HEX_KEY = /^[0-9a-fA-F]{64}$/

/** One key of a ring: its id and its 32 bytes, held as a secret KeyObject (never printed). */
export interface RingKey {
  readonly id: string
  readonly key: crypto.KeyObject
}

/** Keys by id, newest last; the newest encrypts. */
export class KeyRing {
  readonly #byId: ReadonlyMap<string, crypto.KeyObject>
  /** The key ids, oldest first. */
  readonly ids: ReadonlyArray<string>
  /** The id of the key that encrypts: the newest. */
  readonly current: string
  /** Where the ring came from (`env:NAME`, `file:...`, `keys`), for messages. */
  readonly source: string

  constructor(keys: ReadonlyArray<RingKey>, source: string) {
    const last = keys[keys.length - 1]
    if (last === undefined) throw new KeyRingError(source, ["the ring holds no key"])
    this.#byId = new Map(keys.map((k) => [k.id, k.key]))
    this.ids = Object.freeze(keys.map((k) => k.id))
    this.current = last.id
    this.source = source
    Object.freeze(this)
  }

  /** The key with this id, if the ring holds it. */
  key(id: string): crypto.KeyObject | undefined {
    return this.#byId.get(id)
  }

  /** What the ring prints as: its ids and source, never its keys. */
  toJSON(): { readonly source: string; readonly ids: ReadonlyArray<string>; readonly current: string } {
    return { source: this.source, ids: this.ids, current: this.current }
  }

  toString(): string {
    return `KeyRing(${this.source}: ${this.ids.join(", ")}; encrypts with ${this.current})`
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString()
  }
}

/** A key ring that cannot be read or is invalid: every problem, each naming where it is. */
export class KeyRingError extends Error {
  override readonly name = "KeyRingError"
  constructor(
    readonly source: string,
    readonly problems: ReadonlyArray<string>
  ) {
    super(`invalid key ring ${source}: ${problems.join("; ")}`)
  }
}

/** The problems of one key written as hex, named by `where`. */
const hexKeyProblem = (where: string, key: unknown): string | undefined => {
  if (typeof key !== "string") return `${where}: is not a string of 64 hex digits (a 32-byte AES-256 key)`
  if (HEX_KEY.test(key)) return undefined
  if (!/^[0-9a-fA-F]*$/.test(key)) return `${where}: is not hex (64 digits 0-9, a-f: a 32-byte AES-256 key)`
  return `${where}: is ${key.length} hex digits (${Math.floor(key.length / 2)} bytes); an AES-256 key is 64 hex digits (32 bytes)`
}

const idProblem = (where: string, id: unknown): string | undefined =>
  typeof id === "string" && KEY_ID.test(id)
    ? undefined
    : `${where}: ${JSON.stringify(id) ?? String(id)} is not a key id (${keyIdAccepted})`

/** Checks and builds a ring from `{ id, key }` entries named by `whereOf(i)`. */
const build = (
  entries: ReadonlyArray<{ readonly id: unknown; readonly key: unknown }>,
  source: string,
  whereOf: (i: number, part: "id" | "key") => string
): KeyRing => {
  const problems: Array<string> = []
  const seen = new Set<string>()
  const keys: Array<RingKey> = []
  if (entries.length === 0) problems.push("the ring holds no key (give at least one, newest last)")
  entries.forEach((entry, i) => {
    const bad = [idProblem(whereOf(i, "id"), entry.id), hexKeyProblem(whereOf(i, "key"), entry.key)].filter(
      (p): p is string => p !== undefined
    )
    problems.push(...bad)
    if (typeof entry.id === "string" && KEY_ID.test(entry.id)) {
      if (seen.has(entry.id))
        problems.push(`${whereOf(i, "id")}: "${entry.id}" is a duplicate key id (ids are unique)`)
      seen.add(entry.id)
    }
    if (bad.length === 0)
      keys.push({
        id: entry.id as string,
        key: crypto.createSecretKey(Buffer.from(entry.key as string, "hex"))
      })
  })
  if (problems.length > 0) throw new KeyRingError(source, problems)
  return new KeyRing(keys, source)
}

/** A ring from `{ id, key }` entries (key: 64 hex digits), newest last. */
export const fromKeys = (
  keys: ReadonlyArray<{ readonly id: string; readonly key: string }>,
  source = "keys"
): KeyRing => build(keys, source, (i, part) => `keys[${i}].${part}`)

/** A ring from its text: the JSON document or the compact `id:hex,id:hex` form. */
export const parse = (text: string, source = "text"): KeyRing => {
  const trimmed = text.trim()
  if (trimmed === "")
    throw new KeyRingError(source, [
      'is empty; expected "id:hex,id:hex" or {"keys":[{"id":"...","key":"<64 hex>"}]}'
    ])
  if (trimmed.startsWith("{")) {
    let document: unknown
    try {
      document = JSON.parse(trimmed)
    } catch (e) {
      throw new KeyRingError(source, [`is not valid JSON (${(e as Error).message})`])
    }
    const keys = (document as { readonly keys?: unknown }).keys
    if (!Array.isArray(keys))
      throw new KeyRingError(source, [
        'keys: is missing or not a list; expected {"keys":[{"id":"...","key":"<64 hex>"}]}'
      ])
    const entries = keys.map((k: unknown) =>
      typeof k === "object" && k !== null
        ? (k as { readonly id?: unknown; readonly key?: unknown })
        : { id: k, key: k }
    )
    return build(
      entries.map((e) => ({ id: e.id, key: e.key })),
      source,
      (i, part) => `keys[${i}].${part}`
    )
  }
  const entries = trimmed.split(",").map((part) => {
    const at = part.indexOf(":")
    return at < 0
      ? { id: part.trim(), key: undefined }
      : { id: part.slice(0, at).trim(), key: part.slice(at + 1).trim() }
  })
  return build(entries, source, (i, part) => `entry ${i + 1} ${part}`)
}

/** What a spec may be, for messages. */
export const specAccepted =
  'a key ring: "env:NAME" (a variable holding id:hex,id:hex or the JSON ring) or "file:/path/keys.json"'

/** Whether `u` is written as a spec (`env:NAME`, `file:path`); the ring itself is checked by `load`. */
export const isSpec = (u: unknown): u is string =>
  typeof u === "string" && (/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(u) || /^file:.+$/.test(u))

/** Reads the ring a spec names, from `env` (the process's environment by default). */
export const load = (
  spec: string,
  env: Readonly<Record<string, string | undefined>> = process.env
): KeyRing => {
  if (!isSpec(spec)) throw new KeyRingError(JSON.stringify(spec), [`is not ${specAccepted}`])
  if (spec.startsWith("env:")) {
    const name = spec.slice(4)
    const text = env[name]
    if (text === undefined || text.trim() === "")
      throw new KeyRingError(spec, [
        `the variable ${name} is not set or empty; set it to "id:hex,id:hex" (newest last)`
      ])
    return parse(text, spec)
  }
  const file = spec.slice(5)
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (e) {
    throw new KeyRingError(spec, [
      `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`
    ])
  }
  return parse(text, spec)
}

/** The problems of the ring a spec names, as one message; undefined when it loads. */
export const check = (
  spec: string,
  env?: Readonly<Record<string, string | undefined>>
): string | undefined => {
  try {
    load(spec, env)
    return undefined
  } catch (e) {
    return e instanceof KeyRingError ? e.problems.join("; ") : String(e)
  }
}
