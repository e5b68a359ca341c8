/**
 * The config of the "pii" processor: one Schema, the types derived from it.
 */
import * as Schema from "effect/Schema"
import { Plugin } from "fapilog"
import { type DetectorName, detectorNames } from "./detectors.js"

/** What a detector does with what it finds; `off` turns it off. */
export const actions = ["censor", "remove", "hash", "mask", "off"] as const
export type Action = (typeof actions)[number]

/** The detectors on by default: all but the IP addresses. */
export const defaultOff: ReadonlySet<DetectorName> = new Set(["ipv4", "ipv6"])

const action = Plugin.optional(
  Plugin.oneOf(
    actions,
    "censor (the default), remove, hash (HMAC-SHA256 pseudonym), mask (keep the last 4) or off."
  )
)

const detectorFields = Object.fromEntries(detectorNames.map((name) => [name, action])) as {
  readonly [K in DetectorName]: typeof action
}

const HEX_KEY = /^(?:[0-9a-fA-F]{2}){32,}$/

/** The HMAC key's bytes from its setting: hex, or `env:NAME` naming a variable holding hex. */
export const keyBytes = (setting: string, env: NodeJS.ProcessEnv = process.env): Buffer | string => {
  const hex = setting.startsWith("env:") ? env[setting.slice(4)] : setting
  if (hex === undefined || hex === "") return `the variable ${setting.slice(4)} is not set`
  if (!HEX_KEY.test(hex))
    return setting.startsWith("env:")
      ? `the variable ${setting.slice(4)} is not a hex key of at least 32 bytes (64 hex digits)`
      : "is not a hex key of at least 32 bytes (64 hex digits) or env:NAME"
  return Buffer.from(hex, "hex")
}

const Key = Plugin.accepted(
  "PiiKey",
  (u): u is string => typeof u === "string" && (u.startsWith("env:") ? u.length > 4 : HEX_KEY.test(u)),
  "a hex key of at least 32 bytes (64 hex digits) or env:NAME",
  "The HMAC-SHA256 key of the hash action: hex, or env:NAME to read it from a variable when the logger starts."
)

const fields = {
  /** Per detector, its action (default `censor`; `ipv4` and `ipv6` default to `off`). */
  detectors: Plugin.optional(Schema.Struct(detectorFields)),
  /** The action of every detector not named in `detectors` (default `censor`). */
  action: Plugin.optional(
    Plugin.oneOf(["censor", "remove", "hash", "mask"], "The default action of the detectors.")
  ),
  /** The HMAC key of the `hash` action. */
  key: Plugin.optional(Key),
  /** The text a censored match becomes; default `[REDACTED:<detector>]`. */
  censor: Plugin.optional(Schema.String),
  /** How deep nested values are scanned; deeper is an event it cannot scan. Default 32. */
  maxDepth: Plugin.optional(Plugin.wholeNumber(1, 1000, "levels")),
  /**
   * An event it cannot scan (too deep, a value that throws when read) is withheld, counted
   * under "pii" in `stats().filteredBy` and reported (fail closed). Default false: the value
   * it cannot scan is replaced by the censor and the event goes on, reported (fail open).
   */
  failClosed: Plugin.optional(Schema.Boolean)
}

/** The processor's config: every key of its entry except `type`, `order` and `onError`. */
export const Config = Schema.Struct(fields).pipe(
  Schema.filter((config) => {
    const hashing =
      config.action === "hash" || Object.values(config.detectors ?? {}).some((a) => a === "hash")
    if (hashing && config.key === undefined)
      return { path: ["key"], message: "is missing: the hash action needs a key (hex, or env:NAME)" }
    if (config.key !== undefined && hashing) {
      const bytes = keyBytes(config.key)
      if (typeof bytes === "string") return { path: ["key"], message: bytes }
    }
    return true
  })
)

export type Config = typeof Config.Type
export type ConfigInput = typeof Config.Encoded

/** The action of each detector under `config`. */
export const actionsOf = (config: Config): ReadonlyMap<DetectorName, Exclude<Action, "off">> => {
  const out = new Map<DetectorName, Exclude<Action, "off">>()
  for (const name of detectorNames) {
    const a = config.detectors?.[name] ?? (defaultOff.has(name) ? "off" : (config.action ?? "censor"))
    if (a !== "off") out.set(name, a)
  }
  return out
}
