/**
 * The processor: with `fields`, each named field's value becomes an envelope of its JSON text
 * (copy on write along the field's path: the caller's objects are never touched); without,
 * the whole event's JSON line becomes one envelope under `fields.encrypted`, and only what a
 * collector routes and correlates by stays in clear (timestamp, level, logger, correlationId,
 * traceId, spanId, truncated), with the message replaced by `[encrypted]`.
 *
 * A value's JSON text is what fapilog's `json` formatter writes for it (cycles, BigInt,
 * throwing getters and the rest handled there), so a decrypted line reads as the plain line
 * would have. An event whose field cannot be read (a throwing getter or proxy on the path)
 * is dropped: nothing leaves in clear.
 */
import { Formatter, type LogEvent } from "fapilog"
import { seal } from "./envelope.js"
import type { KeyRing } from "./keyRing.js"

/** The field the whole event's envelope goes to. */
export const EVENT_FIELD = "encrypted"

/** The message of an event encrypted whole. */
export const ENCRYPTED_MESSAGE = "[encrypted]"

/**
 * The longest JSON text encrypted as it is: its envelope stays under the `json` formatter's
 * 1,000,000-character string limit (base64 grows it by a third). A longer value is encrypted
 * as a note of its length, since a cut envelope could never be decrypted.
 */
export const MAX_PLAINTEXT = 740_000

const SIMPLE_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

const PROBE_PREFIX = '{"timestamp":"","level":"info","logger":"","message":"","v":'

/** The JSON text fapilog's `json` formatter writes for `value`; undefined when it writes nothing. */
export const jsonTextOf = (value: unknown): string | undefined => {
  if (value === null) return "null"
  switch (typeof value) {
    case "string":
      if (SIMPLE_STRING.test(value) && value.length <= 1_000_000) return `"${value}"`
      break
    case "boolean":
      return value ? "true" : "false"
    case "number":
      if (Number.isFinite(value)) return String(value)
      break
    case "undefined":
      return undefined
  }
  const line = Formatter.json.format({
    timestamp: "",
    level: "info",
    logger: "",
    message: "",
    fields: { v: value }
  } as LogEvent.LogEvent)
  return line.startsWith(PROBE_PREFIX) ? line.slice(PROBE_PREFIX.length, -1) : undefined
}

const bounded = (text: string): string =>
  text.length <= MAX_PLAINTEXT
    ? text
    : JSON.stringify(
        `[fapilog encryption: value of ${text.length} characters not kept, over ${MAX_PLAINTEXT}]`
      )

/** One configured field: its path as written (the AAD) and its keys. */
interface FieldPath {
  readonly path: string
  readonly keys: ReadonlyArray<string>
}

/**
 * The fields with `path`'s value sealed, or the same object when the event has no such field.
 * A field of that exact name wins over the nested value its dots spell.
 */
const sealField = (
  ring: KeyRing,
  fields: Readonly<Record<string, unknown>>,
  field: FieldPath
): Record<string, unknown> => {
  if (Object.hasOwn(fields, field.path)) {
    const text = jsonTextOf(fields[field.path])
    return text === undefined
      ? fields
      : { ...fields, [field.path]: seal(ring, "f", field.path, bounded(text)) }
  }
  if (field.keys.length < 2) return fields
  const replace = (at: Readonly<Record<string, unknown>>, depth: number): Record<string, unknown> => {
    const key = field.keys[depth] as string
    if (!Object.hasOwn(at, key)) return at
    const value = at[key]
    if (depth === field.keys.length - 1) {
      const text = jsonTextOf(value)
      return text === undefined ? at : { ...at, [key]: seal(ring, "f", field.path, bounded(text)) }
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return at
    const inner = replace(value as Record<string, unknown>, depth + 1)
    return inner === value ? at : { ...at, [key]: inner }
  }
  return replace(fields, 0)
}

/** The per-event function of the processor; `undefined` drops the event (it could not be read). */
export const make = (
  ring: KeyRing,
  fields: ReadonlyArray<string> | undefined
): ((event: LogEvent.LogEvent) => LogEvent.LogEvent | undefined) => {
  if (fields === undefined)
    return (event) => {
      const { id, message: _message, error: _error, spans: _spans, fields: _fields, ...kept } = event
      const envelope = seal(ring, "e", EVENT_FIELD, bounded(Formatter.json.format(event)))
      return {
        ...(id === undefined ? {} : { id }),
        ...kept,
        message: ENCRYPTED_MESSAGE,
        fields: { [EVENT_FIELD]: envelope }
      }
    }
  const paths: ReadonlyArray<FieldPath> = fields.map((path) => ({ path, keys: path.split(".") }))
  return (event) => {
    try {
      let out = event.fields
      for (const field of paths) out = sealField(ring, out, field)
      return out === event.fields ? event : { ...event, fields: out }
    } catch {
      // a getter or proxy of the caller's threw on the path: withhold the event rather than
      // let the field through in clear (counted as filtered under "encryption")
      return undefined
    }
  }
}
