/**
 * Per-key serializers (the `serializers` setting, as pino's): a function applied to the value
 * of a top-level key of the user's fields, on the caller's side at the call, before capture
 * and before redaction (docs/settings.md#serializers).
 *
 * They run on call fields and `Fapilog.*` fields, on a child's bindings when the child is
 * made, on Effect log annotations, and on `withContext` fields (Promise and Effect), once
 * per bound context and logger. A serializer that throws never throws into the caller: the
 * value becomes "[Serializer threw: message]" and diagnostics report it.
 *
 * Without serializers none of this runs: each hook is one `undefined` check.
 */
import { safeRead, thrownNote } from "./json.js"
import { Bindings } from "./record.js"

/** A function from the value of one top-level key to what is logged in its place. */
export type Serializer = (value: never) => unknown

/** The `serializers` setting: a serializer per key name. */
export type SerializerTable = Readonly<Record<string, Serializer>>

export class Serializers {
  private readonly table = new Map<string, (value: unknown) => unknown>()
  /** The key names, for the check of an object (a few `hasOwn` calls, whatever its size). */
  private readonly keys: ReadonlyArray<string>
  /** A bound context as serialized for this logger, worked out once per context. */
  private readonly contexts = new WeakMap<Bindings, Bindings>()

  constructor(
    table: SerializerTable,
    private readonly report: (key: string, error: unknown) => void
  ) {
    for (const k of Object.keys(table)) this.table.set(k, table[k] as (value: unknown) => unknown)
    this.keys = [...this.table.keys()]
  }

  /** Whether `key` has a serializer. */
  has(key: string): boolean {
    return this.table.has(key)
  }

  /** The serialized value of `key` (which has a serializer); a throw becomes a marker, reported. */
  run(key: string, value: unknown): unknown {
    try {
      return (this.table.get(key) as (value: unknown) => unknown)(value)
    } catch (e) {
      try {
        this.report(key, e)
      } catch {
        // diagnostics never throw into the caller
      }
      return thrownNote(e, "Serializer threw")
    }
  }

  /**
   * `fields` with the value of every key that has a serializer replaced by its result: a
   * shallow copy when one applies, `fields` itself when none does. Fields that cannot be read
   * (a hostile proxy) are left to capture, which writes what it can.
   */
  fields<F extends object>(fields: F): F {
    let out: Record<string, unknown> | undefined
    try {
      for (const k of this.keys) {
        if (!Object.hasOwn(fields, k)) continue
        const v = safeRead(fields, k)
        out ??= { ...fields } as Record<string, unknown>
        Object.defineProperty(out, k, {
          value: this.run(k, v),
          enumerable: true,
          writable: true,
          configurable: true
        })
      }
    } catch {
      return fields
    }
    return (out ?? fields) as F
  }

  /**
   * A bound context with its serialized keys: the snapshot itself when it holds none, else
   * one derived from it (remembered, so a context pays once per logger). The serializer sees
   * the value as captured when the context was bound: the Promise side's `withContext` does
   * not know which logger's serializers will apply.
   */
  bindings(b: Bindings | undefined): Bindings | undefined {
    if (b === undefined) return undefined
    const known = this.contexts.get(b)
    if (known !== undefined) return known
    let out = b
    if (this.keys.some((k) => b.has(k))) {
      const changed: Record<string, unknown> = {}
      for (const k of this.keys) if (b.has(k)) changed[k] = this.run(k, b.fields[k])
      out = Bindings.extend(b, changed)
    }
    this.contexts.set(b, out)
    return out
  }
}

/** The serializers of a setting, reporting throws to `report`; undefined for none. */
export const makeSerializers = (
  table: SerializerTable | undefined,
  report: (key: string, error: unknown) => void
): Serializers | undefined =>
  table === undefined || Object.keys(table).length === 0 ? undefined : new Serializers(table, report)
