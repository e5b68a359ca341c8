/**
 * Schemas for settings and plugin configs whose failures are one message naming the bad
 * value and what is accepted (`0 is not a whole number of events between 1 and 1000000`):
 * Schema's own messages for unions, refinements and optional keys name only a part, or add
 * noise.
 */
import * as Schema from "effect/Schema"

/** A value as a config message shows it: JSON where it can be, never a throw. */
export const show = (u: unknown): string => {
  try {
    if (typeof u === "function") return "a function"
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}

/** The values `is` accepts; anything else fails with `<value> is not <expected>`. */
export const accepted = <A>(
  identifier: string,
  is: (u: unknown) => u is A,
  expected: string,
  description?: string
): Schema.Schema<A> =>
  Schema.declare(is, {
    identifier,
    ...(description === undefined ? {} : { description }),
    message: (issue) => `${show(issue.actual)} is not ${expected}`
  })

/** One of the given strings. */
export const oneOf = <const A extends ReadonlyArray<string>>(
  values: A,
  description?: string
): Schema.Schema<A[number]> =>
  accepted(
    values.map((v) => JSON.stringify(v)).join(" | "),
    (u: unknown): u is A[number] => typeof u === "string" && values.includes(u),
    `one of ${values.join(", ")}`,
    description
  )

/** A whole number from `min` to `max`, counted in `unit` (named in the message). */
export const wholeNumber = (
  min: number,
  max: number,
  unit: string,
  description?: string
): Schema.Schema<number> =>
  accepted(
    `Int(${min}..${max})`,
    (u: unknown): u is number => Number.isInteger(u) && (u as number) >= min && (u as number) <= max,
    `a whole number of ${unit} between ${min} and ${max}`,
    description
  )

/** A positive finite number, counted in `unit`. */
export const positive = (unit: string, description?: string): Schema.Schema<number> =>
  accepted(
    "Positive",
    (u: unknown): u is number => typeof u === "number" && Number.isFinite(u) && u > 0,
    `a positive number of ${unit}`,
    description
  )

/** Any string. */
export const text = (description?: string): Schema.Schema<string> =>
  accepted("Text", (u: unknown): u is string => typeof u === "string", "a string", description)

/** `true` or `false`. */
export const flag = (description?: string): Schema.Schema<boolean> =>
  accepted("Boolean", (u: unknown): u is boolean => typeof u === "boolean", "true or false", description)

/**
 * An optional key that is absent or valid (`undefined` is not a value): a bad value is one
 * issue, without "Expected undefined" for the key and each struct around it.
 */
export const optional = <S extends Schema.Schema.AnyNoContext>(schema: S) =>
  Schema.optionalWith(schema, { exact: true })
