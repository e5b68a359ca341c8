/**
 * Formatters turn one event into one line of text. A formatter must escape control
 * characters and newlines so that one event is always exactly one line.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 *
 * const upper = Formatter.make("upper", (event) => `${event.level.toUpperCase()} ${JSON.stringify(event.message)}`)
 * ```
 * @since 0.1.0
 */
import * as internal from "./internal/formatter.js"
import type { JsonLimits } from "./internal/json.js"
import type { LogEvent } from "./LogEvent.js"

/**
 * A formatter: a name and a pure `event → line` function (no trailing newline).
 *
 * @example
 * ```ts
 * import type { Formatter } from "fapilog"
 * const f: Formatter.Formatter = { name: "msg", format: (e) => JSON.stringify(e.message) }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Formatter {
  readonly name: string
  readonly format: (event: LogEvent) => string
}

/**
 * Limits applied to user data when it is serialized (depth, keys, array items, string
 * length).
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const compact = Formatter.jsonWith({ ...Formatter.defaultLimits, maxDepth: 4 })
 * ```
 * @since 0.1.0
 * @category models
 */
export type Limits = JsonLimits

/**
 * The default serialization limits: depth 10, 1000 keys per object, 1000 items per
 * array, 1,000,000 characters per string.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * Formatter.defaultLimits.maxDepth // 10
 * ```
 * @since 0.1.0
 * @category constants
 */
export { defaultLimits } from "./internal/json.js"

/**
 * Builds a formatter from a function.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const simple = Formatter.make("simple", (e) => `${e.timestamp} ${e.level} ${JSON.stringify(e.message)}`)
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (name: string, format: (event: LogEvent) => string): Formatter => ({ name, format })

/**
 * NDJSON: one JSON object per line, core keys first, user fields at the top level, any
 * user key named like a core key kept under `fields`. Control characters, DEL, C1 controls
 * and U+2028/U+2029 are escaped.
 *
 * @example
 * ```ts
 * import { createLogger, Formatter } from "fapilog"
 * Formatter.json.name // "json"
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const json: Formatter = internal.json

/**
 * The JSON formatter with custom serialization limits.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const shallow = Formatter.jsonWith({ ...Formatter.defaultLimits, maxDepth: 3 })
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const jsonWith: (limits: Limits) => Formatter = internal.makeJson
