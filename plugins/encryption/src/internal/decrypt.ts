/**
 * Reading envelopes back: one value, a structured event, or a written line.
 *
 * A line is restored in place: each envelope's JSON string is replaced by the JSON text it
 * holds, and everything else on the line is kept byte for byte, so a restored line is the
 * line the layout would have written without encryption (json, ecs, otel and pino layouts;
 * the place of user fields in each is known: the top level, `fields` for reserved names,
 * `Attributes` in otel). A whole-event envelope restores to the event's `json` line. A line
 * with an envelope it cannot open comes back unchanged, with the reasons.
 */
import * as Either from "effect/Either"
import { LogEvent } from "fapilog"
import { isEnvelope, open, PREFIX } from "./envelope.js"
import type { KeyRing } from "./keyRing.js"
import { EVENT_FIELD } from "./processor.js"

/** What one value decrypts to, or why it does not. */
export type DecryptedValue =
  | { readonly ok: true; readonly value: unknown; readonly keyId: string }
  | { readonly ok: false; readonly reason: string }

/** An envelope that could not be opened: where it is and why. */
export interface Failure {
  readonly path: string
  readonly reason: string
}

/** A structured event with its envelopes opened, and those that could not be. */
export interface DecryptedEvent {
  readonly event: LogEvent.LogEvent
  readonly restored: number
  readonly failures: ReadonlyArray<Failure>
}

/** A line restored, or the line unchanged with the reasons it could not be. */
export interface DecryptedLine {
  readonly line: string
  readonly restored: number
  readonly failures: ReadonlyArray<Failure>
}

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

/** Decrypts the envelope of the field `path` (`"card"`, `"user.email"`); never throws. */
export const decryptValue = (envelope: string, path: string, ring: KeyRing): DecryptedValue => {
  const opened = open(ring, envelope, path)
  if (!opened.ok) return opened
  if (opened.kind !== "f")
    return { ok: false, reason: `holds a whole event: decrypt it with decryptEvent or decryptLine` }
  const parsed = parseJson(opened.plaintext)
  return parsed.ok
    ? { ok: true, value: parsed.value, keyId: opened.keyId }
    : { ok: false, reason: "decrypted, but the plaintext is not JSON" }
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** The fields with their field envelopes opened (copy on write), counting into `state`. */
const openFields = (
  ring: KeyRing,
  fields: Readonly<Record<string, unknown>>,
  prefix: string,
  depth: number,
  state: { restored: number; readonly failures: Array<Failure> }
): Readonly<Record<string, unknown>> => {
  let out: Record<string, unknown> | undefined
  for (const key of Object.keys(fields)) {
    const value = fields[key]
    const path = prefix === "" ? key : `${prefix}.${key}`
    let next = value
    if (isEnvelope(value)) {
      const result = decryptValue(value, path, ring)
      if (result.ok) {
        next = result.value
        state.restored++
      } else state.failures.push({ path, reason: result.reason })
    } else if (isRecord(value) && depth < 64) next = openFields(ring, value, path, depth + 1, state)
    if (next !== value) {
      out ??= { ...fields }
      out[key] = next
    }
  }
  return out ?? fields
}

/** The event an `e` envelope held, over the clear parts of the event carrying it. */
const restoreWhole = (carrier: LogEvent.LogEvent, plaintext: string): LogEvent.LogEvent | string => {
  const parsed = LogEvent.fromJsonLine(plaintext)
  if (Either.isLeft(parsed)) {
    const note = parseJson(plaintext)
    // a value over the size bound was encrypted as a note of its length (a JSON string)
    return note.ok && typeof note.value === "string"
      ? { ...carrier, message: note.value, fields: {} }
      : "decrypted, but the plaintext is not an event's JSON line"
  }
  return { ...parsed.right, ...(carrier.id === undefined ? {} : { id: carrier.id }) }
}

/**
 * The event with its envelopes opened: a whole-event envelope (under `fields.encrypted`)
 * gives the event back; field envelopes give their values back. Never mutates `event`.
 */
export const decryptEvent = (event: LogEvent.LogEvent, ring: KeyRing): DecryptedEvent => {
  const state = { restored: 0, failures: [] as Array<Failure> }
  let current = event
  const whole = event.fields[EVENT_FIELD]
  if (isEnvelope(whole)) {
    const opened = open(ring, whole, EVENT_FIELD)
    if (opened.ok && opened.kind === "e") {
      const restored = restoreWhole(event, opened.plaintext)
      if (typeof restored === "string") state.failures.push({ path: EVENT_FIELD, reason: restored })
      else {
        current = restored
        state.restored++
      }
    }
    // one that cannot be opened stays, and the field walk below says why
  }
  const fields = openFields(ring, current.fields, "", 0, state)
  return {
    event: fields === current.fields ? current : { ...current, fields },
    restored: state.restored,
    failures: state.failures
  }
}

/**
 * Where user fields sit in the JSON layouts: an envelope at the JSON path `at` may be the
 * field `at` (json, ecs, pino top level), or below `fields` (reserved names), `Attributes`
 * (otel) or `Attributes.fields`.
 */
const fieldPathsOf = (at: ReadonlyArray<string>): ReadonlyArray<string> => {
  const candidates = [at.join(".")]
  if (at.length > 1 && (at[0] === "fields" || at[0] === "Attributes")) candidates.push(at.slice(1).join("."))
  if (at.length > 2 && at[0] === "Attributes" && at[1] === "fields") candidates.push(at.slice(2).join("."))
  return candidates
}

/** Every envelope string in a parsed line, with its JSON path. */
const envelopesIn = (
  value: unknown,
  at: Array<string>,
  found: Array<{ readonly at: ReadonlyArray<string>; readonly envelope: string }>
): void => {
  if (isEnvelope(value)) found.push({ at: [...at], envelope: value })
  else if (isRecord(value) && at.length < 64)
    for (const key of Object.keys(value)) {
      at.push(key)
      envelopesIn(value[key], at, found)
      at.pop()
    }
}

/**
 * The line with its envelopes opened. A line without envelopes comes back as it is; a line
 * with one that cannot be opened (unknown key id, altered, moved, not a JSON line) comes back
 * unchanged with the reasons in `failures`. Never throws.
 */
export const decryptLine = (line: string, ring: KeyRing): DecryptedLine => {
  if (!line.includes(PREFIX)) return { line, restored: 0, failures: [] }
  const parsed = parseJson(line)
  if (!parsed.ok || !isRecord(parsed.value))
    return {
      line,
      restored: 0,
      failures: [
        {
          path: "",
          reason: "not a JSON line: only lines of the json, ecs, otel and pino layouts are restored"
        }
      ]
    }
  const found: Array<{ readonly at: ReadonlyArray<string>; readonly envelope: string }> = []
  envelopesIn(parsed.value, [], found)
  const failures: Array<Failure> = []
  const replacements: Array<readonly [string, string]> = []
  for (const { at, envelope } of found) {
    let reason = ""
    let done = false
    for (const path of fieldPathsOf(at)) {
      const opened = open(ring, envelope, path)
      if (!opened.ok) {
        reason ||= opened.reason
        continue
      }
      if (opened.kind === "e") {
        // the whole event: its json line is the restored line
        if (Either.isRight(LogEvent.fromJsonLine(opened.plaintext)))
          return { line: opened.plaintext, restored: 1, failures: [] }
        reason = "decrypted, but the plaintext is not an event's JSON line"
        continue
      }
      if (!parseJson(opened.plaintext).ok) {
        reason = "decrypted, but the plaintext is not JSON"
        continue
      }
      replacements.push([`"${envelope}"`, opened.plaintext])
      done = true
      break
    }
    if (!done) failures.push({ path: at.join("."), reason })
  }
  if (failures.length > 0) return { line, restored: 0, failures }
  let restored = line
  for (const [from, to] of replacements) restored = restored.replace(from, () => to)
  return { line: restored, restored: replacements.length, failures: [] }
}
