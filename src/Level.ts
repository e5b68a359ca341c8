/**
 * Log levels, in rank order: `trace < debug < info < warn < error < fatal < audit < security`.
 *
 * `audit` and `security` rank highest on purpose: a threshold of `error` or `fatal` still lets
 * audit trails and security events through.
 *
 * @example
 * ```ts
 * import { Level } from "fapilog"
 *
 * Level.rank("warn") > Level.rank("info") // true
 * Level.isEnabled("audit", "fatal")        // true: audit outranks fatal
 * ```
 * @since 0.1.0
 */
import * as layouts from "./internal/layouts.js"
import * as internal from "./internal/level.js"

/**
 * The name of a level.
 *
 * @example
 * ```ts
 * import type { Level } from "fapilog"
 * const threshold: Level.Level = "warn"
 * ```
 * @since 0.1.0
 * @category models
 */
export type Level = internal.LevelName

/**
 * All level names, lowest rank first.
 *
 * @example
 * ```ts
 * import { Level } from "fapilog"
 * Level.all.join(", ") // "trace, debug, info, warn, error, fatal, audit, security"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const all: ReadonlyArray<Level> = internal.levelNames

/**
 * The numeric rank of a level (trace = 10 … security = 80).
 *
 * @example
 * ```ts
 * import { Level } from "fapilog"
 * Level.rank("error") // 50
 * ```
 * @since 0.1.0
 * @category getters
 */
export const rank: (level: Level) => number = internal.rankOf

/**
 * Whether events at `level` pass a logger whose threshold is `threshold`.
 *
 * @example
 * ```ts
 * import { Level } from "fapilog"
 * Level.isEnabled("debug", "info") // false
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const isEnabled = (level: Level, threshold: Level): boolean =>
  internal.rankOf(level) >= internal.rankOf(threshold)

/**
 * Refines an unknown value to a level name.
 *
 * @example
 * ```ts
 * import { Level } from "fapilog"
 * Level.isLevel("warn") // true
 * Level.isLevel("loud") // false
 * ```
 * @since 0.1.0
 * @category predicates
 */
export const isLevel: (u: unknown) => u is Level = internal.isLevelName

/**
 * The OpenTelemetry severity number of each level, as the `otel` layout and OTLP exporters
 * write it: `audit` at the top of the INFO range (12, INFO4), `security` at the top of the
 * ERROR range (20, ERROR4); the severity text keeps the fapilog name.
 *
 * @example
 * ```ts
 * import { Level } from "fapilog"
 * Level.otelSeverity.warn  // 13
 * Level.otelSeverity.audit // 12
 * ```
 * @since 0.1.0
 * @category conversions
 */
export const otelSeverity: Readonly<Record<Level, number>> = layouts.otelSeverity
