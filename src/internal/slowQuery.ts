/**
 * Slow-query logging, the part every driver shares: the options (checked once), whether a
 * statement was slow, and the fields of its event. The drivers' hooks (`fapilog/sql` for
 * `@effect/sql`, `@fapilog/postgres`'s `slowQueries` for `pg`) time the statement and hand
 * the result here; the event goes through the logger's pipeline, whose redaction settings
 * apply to the parameters like to any field.
 */
import { ConfigError, type ConfigIssue } from "../Errors.js"
import type { Logger } from "./facade.js"
import { isLevelName, type LevelName, levelNames } from "./level.js"
import { analyze, defaultMaxFingerprintLength } from "./sqlFingerprint.js"

/** How slow-query logging behaves; every option has a default. */
export interface SlowQueryOptions {
  /** A statement taking at least this long is logged; default 500 (milliseconds, 0 logs every statement). */
  readonly thresholdMs?: number | undefined
  /** The level of the event; default `"warn"`. */
  readonly level?: LevelName | undefined
  /** The sub-category the events are logged in, below the logger's; default `"db.slow-query"`. */
  readonly category?: string | undefined
  /** Log the statement's parameters (through the redaction settings); default true. */
  readonly params?: boolean | undefined
  /** At most this many parameters are logged (the rest are counted in `paramsOmitted`); default 100. */
  readonly maxParams?: number | undefined
  /** The fingerprint is cut at this many characters (and ends with `…`); default 2048. */
  readonly maxFingerprintLength?: number | undefined
}

/** The options with their defaults. */
export interface ResolvedSlowQuery {
  readonly thresholdMs: number
  readonly level: LevelName
  readonly category: string
  readonly params: boolean
  readonly maxParams: number
  readonly maxFingerprintLength: number
}

export const defaults: ResolvedSlowQuery = {
  thresholdMs: 500,
  level: "warn",
  category: "db.slow-query",
  params: true,
  maxParams: 100,
  maxFingerprintLength: defaultMaxFingerprintLength
}

/** The message of every slow-query event. */
export const message = "slow query"

const CATEGORY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/

/** The options with their defaults; a ConfigError lists every bad one (paths under `where`). */
export const resolve = (options: SlowQueryOptions | undefined, where: string): ResolvedSlowQuery => {
  const issues: Array<ConfigIssue> = []
  const o = (options ?? {}) as Partial<Record<keyof SlowQueryOptions, unknown>>
  const number = (
    key: "thresholdMs" | "maxParams" | "maxFingerprintLength",
    min: number,
    integer: boolean
  ) => {
    const v = o[key] ?? defaults[key]
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      issues.push({
        path: `${where}.${key}`,
        message: `${JSON.stringify(v) ?? String(v)} is not ${integer ? "an integer" : "a number"} of at least ${min}`
      })
      return defaults[key]
    }
    return v
  }
  const thresholdMs = number("thresholdMs", 0, false)
  const maxParams = number("maxParams", 0, true)
  const maxFingerprintLength = number("maxFingerprintLength", 16, true)
  const level = o.level ?? defaults.level
  if (!isLevelName(level))
    issues.push({
      path: `${where}.level`,
      message: `${JSON.stringify(level) ?? String(level)} is not a level (${levelNames.join(", ")})`
    })
  const category = o.category ?? defaults.category
  if (typeof category !== "string" || !CATEGORY.test(category))
    issues.push({
      path: `${where}.category`,
      message: `${JSON.stringify(category) ?? String(category)} is not a dotted category such as "db.slow-query"`
    })
  const params = o.params ?? defaults.params
  if (typeof params !== "boolean")
    issues.push({
      path: `${where}.params`,
      message: `${JSON.stringify(params) ?? String(params)} is not true or false`
    })
  if (issues.length > 0) throw new ConfigError({ issues })
  return {
    thresholdMs,
    maxParams,
    maxFingerprintLength,
    level: level as LevelName,
    category: category as string,
    params: params as boolean
  }
}

/** One statement as a driver saw it. */
export interface QueryObservation {
  /** The statement's text as sent. */
  readonly sql: string
  /** Its parameters (`$1` is the first). */
  readonly params?: ReadonlyArray<unknown> | undefined
  /** From the call until its result (or failure), in milliseconds. */
  readonly durationMs: number
  /** The rows it returned or changed, when the driver says. */
  readonly rows?: number | undefined
  /** Why it failed, when it did. */
  readonly error?: unknown
}

/** Whether `durationMs` is at or above the threshold. */
export const isSlow = (resolved: ResolvedSlowQuery, durationMs: number): boolean =>
  durationMs >= resolved.thresholdMs

const errorText = (error: unknown): string => {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`
    if (typeof error === "object" && error !== null && "message" in error) {
      const m = (error as { readonly message: unknown }).message
      if (typeof m === "string") return m
    }
    return String(error)
  } catch {
    return "unknown error"
  }
}

/**
 * The parameters keyed by the column each is bound to (so a redaction key such as
 * `password` covers it), or by its placeholder (`$3`) when the statement does not say;
 * parameters bound to the same column are kept together in an array under its name.
 */
const namedParams = (
  params: ReadonlyArray<unknown>,
  names: ReadonlyArray<string | undefined>,
  max: number
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  const repeated = new Set<string>()
  const define = (key: string, value: unknown) =>
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  for (let i = 0; i < params.length && i < max; i++) {
    const name = names[i]
    const value = params[i]
    if (name === undefined || /^\$\d+$/.test(name)) {
      define(`$${i + 1}`, value)
    } else if (!Object.hasOwn(out, name)) {
      define(name, value)
    } else if (repeated.has(name)) {
      ;(out[name] as Array<unknown>).push(value)
    } else {
      repeated.add(name)
      define(name, [out[name], value])
    }
  }
  return out
}

/** The fields of the event for `q` (see docs/sql.md for each). Never throws. */
export const fieldsOf = (resolved: ResolvedSlowQuery, q: QueryObservation): Record<string, unknown> => {
  const { fingerprint, parameterNames } = analyze(q.sql, resolved.maxFingerprintLength)
  const fields: Record<string, unknown> = {
    durationMs: Math.round(q.durationMs * 1000) / 1000,
    thresholdMs: resolved.thresholdMs,
    fingerprint
  }
  if (q.rows !== undefined) fields.rows = q.rows
  const params = Array.isArray(q.params) ? q.params : []
  if (resolved.params && params.length > 0) {
    fields.params = namedParams(params, parameterNames, resolved.maxParams)
    if (params.length > resolved.maxParams) fields.paramsOmitted = params.length - resolved.maxParams
  }
  if (q.error !== undefined) {
    fields.failed = true
    // an Error in `error` fills the event's error slot (type, message, stack, cause)
    fields.error = q.error instanceof Error ? q.error : new Error(errorText(q.error))
  }
  return fields
}

/** Logs slow statements through a Promise-side fapilog logger (the drivers without Effect). */
export interface SlowQueryRecorder {
  /** The options in force. */
  readonly options: ResolvedSlowQuery
  /** Logs `q` when it was slow; returns whether it did. Never throws. */
  readonly record: (q: QueryObservation) => boolean
}

export const recorder = (logger: Logger, options?: SlowQueryOptions): SlowQueryRecorder => {
  if (typeof logger !== "object" || logger === null || typeof logger.child !== "function")
    throw new ConfigError({
      issues: [{ path: "slowQueries.logger", message: "is not a fapilog logger (createLogger's result)" }]
    })
  const resolved = resolve(options, "slowQueries")
  const log = logger.child(resolved.category)
  return {
    options: resolved,
    record: (q) => {
      if (!isSlow(resolved, q.durationMs)) return false
      try {
        log[resolved.level](message, fieldsOf(resolved, q))
      } catch {
        // logging never fails the caller's query
      }
      return true
    }
  }
}

/** The row count of a statement's result: the rows returned, or a driver result's `rowCount`. */
export const rowsOf = (value: unknown): number | undefined => {
  if (Array.isArray(value)) return value.length
  if (typeof value === "object" && value !== null) {
    try {
      const count = (value as { readonly rowCount?: unknown }).rowCount
      return typeof count === "number" ? count : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

/** The part of a tracing span this module uses (the same on both Effect lines). */
export interface EndingSpan {
  end(endTime: bigint, exit: unknown): void
}

/**
 * Calls `onEnd` once, with the milliseconds since now, when `span` ends (an `@effect/sql`
 * statement's span ends with the statement's exit, after its result or failure). The span
 * is the statement's own (each execution makes a new one), so only its `end` is wrapped;
 * returns false when the span cannot be wrapped (a frozen object), in which case nothing is
 * timed.
 */
export const onSpanEnd = (span: EndingSpan, onEnd: (durationMs: number, exit: unknown) => void): boolean => {
  const started = performance.now()
  const end = span.end
  if (typeof end !== "function") return false
  let ended = false
  try {
    Object.defineProperty(span, "end", {
      configurable: true,
      writable: true,
      value: function (this: unknown, endTime: bigint, exit: unknown) {
        if (!ended) {
          ended = true
          try {
            onEnd(performance.now() - started, exit)
          } catch {
            // slow-query logging never fails the statement
          }
        }
        return end.call(this, endTime, exit)
      }
    })
    return true
  } catch {
    return false
  }
}
