/**
 * The processor's config: one Schema, its types derived. The key ring a spec names is read
 * and checked while the settings are decoded, so a bad ring fails the logger's start with a
 * `ConfigError` at `processors[i].keys` naming each problem.
 */
import * as Schema from "effect/Schema"
import { Plugin } from "fapilog"
import * as keyRing from "./keyRing.js"

const FIELD_PATH = /^[^.]+(\.[^.]+)*$/

const isFieldList = (u: unknown): u is ReadonlyArray<string> =>
  Array.isArray(u) &&
  u.length > 0 &&
  u.every((f) => typeof f === "string" && FIELD_PATH.test(f)) &&
  new Set(u).size === u.length

/** The config of the processor: every key of its settings entry except `type`, `order` and `onError`. */
export const Config = Schema.Struct({
  keys: Plugin.accepted(
    "KeyRingSpec",
    keyRing.isSpec,
    keyRing.specAccepted,
    "Where the key ring is read from; the newest key encrypts, every key decrypts."
  ),
  fields: Plugin.optional(
    Plugin.accepted(
      "FieldPaths",
      isFieldList,
      'a non-empty list of distinct field paths ("card", "user.email")',
      "The user fields whose values are encrypted; without it, the whole event is."
    )
  )
}).pipe(
  Schema.filter((config) => {
    const problem = keyRing.check(config.keys)
    return problem === undefined ? true : { path: ["keys"], message: `${config.keys}: ${problem}` }
  })
)

/** The decoded config. */
export type Config = typeof Config.Type

/** What the config is written as. */
export type ConfigInput = typeof Config.Encoded
