/**
 * The shape checks every settings family is written with. A `Check` reads one value as the
 * user wrote it, pushes an issue (path and message) for each problem, and returns the value
 * to use. The written and the checked type of a setting are derived from its check, so a
 * setting is declared once: its check, with a doc comment, in its family's module.
 *
 * Checks never stop at the first problem, so one `ConfigError` lists them all. A check that
 * pushed issues returns undefined, except a list, which returns its valid entries: resolution
 * fails anyway, but finds the plugins those entries name first, so that a missing plugin is
 * reported in the same pass as the other problems.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ConfigIssue } from "../../Errors.js"
import { accepted, flag, oneOf, show, text, wholeNumber } from "../configSchema.js"
import { type LevelName, levelNames } from "../level.js"
import { parseAge, parseBytes, parseInterval } from "../rotatingFile.js"

export type Issues = Array<ConfigIssue>

/** Reads a value written as `I` into an `A`, or pushes issues naming `at`. */
export interface Check<A, I = A> {
  (value: unknown, at: string, issues: Issues): A | undefined
  /** Type only: the value as written. */
  readonly "~written"?: I
}

/** What a setting is written as. */
export type Written<C> = C extends Check<infer _A, infer I> ? I : never

/** What a setting is after its check. */
export type Checked<C> = C extends Check<infer A, infer _I> ? A : never

/** A key that an object cannot do without, and what its absence reports. */
export interface Needed {
  readonly missing: string
}

/** A table of key checks: an object setting. */
export type Shape = { readonly [key: string]: Check<unknown, unknown> }

type NeededKeys<S> = { [K in keyof S]: S[K] extends Needed ? K : never }[keyof S]

export type Simplify<T> = { [K in keyof T]: T[K] } & {}

/** The written type of an object shape: needed keys required, the others optional. */
export type WrittenObject<S> = Simplify<
  { readonly [K in keyof S as K extends NeededKeys<S> ? never : K]?: Written<S[K]> | undefined } & {
    readonly [K in keyof S as K extends NeededKeys<S> ? K : never]: Written<S[K]>
  }
>

/** The checked type of an object shape. */
export type CheckedObject<S> = Simplify<
  { readonly [K in keyof S as K extends NeededKeys<S> ? never : K]?: Checked<S[K]> } & {
    readonly [K in keyof S as K extends NeededKeys<S> ? K : never]: Checked<S[K]>
  }
>

/**
 * A shape with exactly the keys of `T`, each checked into `T`'s type: ties the shape of a
 * setting to the options interface of the module that uses it (a missing or extra key, or a
 * type that differs, fails to compile).
 */
export type ShapeOf<T> = { readonly [K in keyof Required<T>]: Check<Exclude<T[K], undefined>, unknown> }

/** A check from a function; `I` is the written type when it differs from the checked one. */
export const check = <A, I = A>(
  f: (value: unknown, at: string, issues: Issues) => A | undefined
): Check<A, I> => f

export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** A check by a Schema: its first message names the bad value and what is accepted. */
export const by = <A>(schema: Schema.Schema<A>): Check<A> => {
  const decode = Schema.decodeUnknownEither(schema)
  return (value, at, issues) => {
    const result = decode(value)
    if (Either.isRight(result)) return result.right
    const first = ParseResult.ArrayFormatter.formatErrorSync(result.left)[0]
    issues.push({ path: at, message: first?.message ?? `${show(value)} is not valid` })
    return undefined
  }
}

/** A key the object needs; without it, `missing` is reported (after the object's other problems). */
export const required = <A, I>(c: Check<A, I>, missing = "is required"): Check<A, I> & Needed =>
  Object.assign((value: unknown, at: string, issues: Issues) => c(value, at, issues), { missing })

/** One of the given strings, as the discriminant `type` of an object entry. */
export const literal = <const L extends ReadonlyArray<string>>(...values: L): Check<L[number]> =>
  by(oneOf(values, "The kind of entry."))

/**
 * Checks the keys of `value` against `shape` and returns the valid ones: unknown keys first,
 * then each key in the shape's order, then the needed keys that are missing.
 */
export const checkKeys = (
  shape: Shape,
  value: Record<string, unknown>,
  pathOf: (key: string) => string,
  unknownKey: string,
  issues: Issues
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(value)) {
    if (!Object.hasOwn(shape, k)) issues.push({ path: pathOf(k), message: unknownKey })
  }
  for (const [k, c] of Object.entries(shape)) {
    if (value[k] === undefined) continue
    const parsed = c(value[k], pathOf(k), issues)
    if (parsed !== undefined) out[k] = parsed
  }
  for (const [k, c] of Object.entries(shape)) {
    const missing = (c as Partial<Needed>).missing
    if (missing !== undefined && value[k] === undefined) issues.push({ path: pathOf(k), message: missing })
  }
  return out
}

/** The check of an object setting of shape `S`. */
export type ObjectCheck<S> = Check<CheckedObject<S>, WrittenObject<S>>

/** An object setting: `what` names it in messages ("a retry setting"); unknown keys are reported. */
export const object = <S extends Shape>(
  shape: S,
  what: string
): Check<CheckedObject<S>, WrittenObject<S>> => {
  const unknownKey = `is not a key of ${what}; accepted: ${Object.keys(shape).join(", ")}`
  return (value, at, issues) => {
    if (!isRecord(value)) {
      issues.push({ path: at, message: `${show(value)} is not ${what}` })
      return undefined
    }
    const before = issues.length
    const out = checkKeys(shape, value, (k) => `${at}.${k}`, unknownKey, issues)
    return issues.length > before ? undefined : (out as CheckedObject<S>)
  }
}

/** A size: a number of bytes or a string such as "10 MB" (1024-based). */
export const bytes: Check<number, number | string> = (value, at, issues) => {
  try {
    return parseBytes(value as number | string)
  } catch {
    issues.push({
      path: at,
      message: `${show(value)} is not a size: use a number of bytes or a string such as "10 MB"`
    })
    return undefined
  }
}

/** A period: milliseconds, or a string such as "15m", "1h", "daily". */
export const interval: Check<number, number | string> = (value, at, issues) => {
  try {
    return parseInterval(value as number | string)
  } catch {
    issues.push({
      path: at,
      message: `${show(value)} is not an interval: use "15m", "1h", "2d", "hourly", "daily", "weekly" or milliseconds`
    })
    return undefined
  }
}

/** An age: milliseconds, or a string such as "12h", "30d", "2w". */
export const age: Check<number, number | string> = (value, at, issues) => {
  try {
    return parseAge(value as number | string)
  } catch {
    issues.push({
      path: at,
      message: `${show(value)} is not an age: use a number of milliseconds or a number with a unit ms, s, m, h, d or w, such as "12h", "30d" or "2w"`
    })
    return undefined
  }
}

/** The schemas shared by several families (each family holds its own). */
export const fields = {
  level: oneOf(levelNames, "Lowest level written."),
  filePath: accepted(
    "FilePath",
    (u: unknown): u is string => typeof u === "string" && u.length > 0 && !u.includes("\0"),
    "a file path",
    "Path of a file; relative paths resolve against the working directory."
  ),
  flag: flag("A switch."),
  text: text("A string."),
  intervalMs: wholeNumber(1, 86_400_000, "milliseconds", "A period.")
}

export const level = by(fields.level)

export const levelList: Check<ReadonlyArray<LevelName>> = (value, at, issues) => {
  if (!Array.isArray(value)) {
    issues.push({ path: at, message: `${show(value)} is not a list of levels` })
    return undefined
  }
  const out: Array<LevelName> = []
  value.forEach((l, i) => {
    const parsed = level(l, `${at}[${i}]`, issues)
    if (parsed !== undefined) out.push(parsed)
  })
  return out.length === value.length ? out : undefined
}

export const stringList: Check<ReadonlyArray<string>> = (value, at, issues) => {
  if (!Array.isArray(value) || !value.every((s) => typeof s === "string" && s.length > 0)) {
    issues.push({ path: at, message: `${show(value)} is not a list of non-empty strings` })
    return undefined
  }
  return value
}
