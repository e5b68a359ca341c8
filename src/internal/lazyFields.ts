/**
 * Fields given as a function (`log.debug("x", () => ({ dump: expensive() }))`): called on the
 * caller's side, at the call, and only once the event has passed its level, so that a call
 * below it costs nothing of what the fields would. A function that throws never throws into
 * the caller: the event is written with the failure where its fields would be (the `…` key,
 * as fields that cannot be listed are written) and the diagnostics report it.
 */

import { withheld } from "./capture.js"
import { Elided } from "./json.js"
import type { Fields } from "./record.js"

/**
 * Fields computed only when the event is written: a function returning them, or an Error
 * (which becomes the event's `error`, as when an Error is passed).
 */
export type LazyFields = () => Fields | Error

/** The fields argument of a log call: fields, an Error that becomes the event's `error`, or a function returning either. */
export type CallFields = Fields | Error | LazyFields

/**
 * What `fields` gives now: itself, or what the function returns. A function's failure is
 * handed to `report` and written in the fields; a result that is neither an object nor
 * undefined is reported and left out.
 */
export const evaluateFields = (
  fields: CallFields | undefined,
  report: ((problem: string, error?: unknown) => void) | undefined
): Fields | Error | undefined => {
  if (typeof fields !== "function") return fields
  let result: unknown
  try {
    result = fields()
  } catch (e) {
    report?.("a fields function threw: the event is written without its fields", e)
    return { [Elided.key]: withheld(e) }
  }
  if (result === undefined || result === null) return undefined
  if (typeof result === "object") return result as Fields | Error
  report?.(
    `a fields function returned ${typeof result} instead of an object: the event is written without it`
  )
  return undefined
}
