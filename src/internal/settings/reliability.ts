/**
 * How the pipeline holds up under load and failure (docs/reliability.md): the buffer and
 * what a full one does, the levels never refused, crash logging, serialization bounds for
 * hostile data, the fallback sink, retries, the circuit breaker, the shutdown timeout, and the
 * self-metrics that tell how it holds up.
 */
import { oneOf, wholeNumber } from "../configSchema.js"
import { levelNames } from "../level.js"
import { by, type ObjectCheck, object, fields as shared } from "./shape.js"

export const fields = {
  capacity: wholeNumber(
    1,
    10_000_000,
    "events",
    "Events buffered before a synchronous caller drains the buffer inline."
  ),
  shutdownTimeoutMs: wholeNumber(
    0,
    600_000,
    "milliseconds",
    "Longest wait for asynchronous sinks when the logger closes."
  ),
  overflow: oneOf(
    ["block", "drop-newest", "drop-oldest"] as const,
    "What a full buffer does: drain inline / wait (block), refuse the new event, or evict the oldest."
  ),
  protectedLevel: oneOf(
    levelNames,
    "Events at or above this level are never refused while lower ones can be."
  )
}

const limits = {
  /** Nesting written before a value is summarised as "[Object]" or "[Array]"; default 10. */
  maxDepth: by(wholeNumber(1, 1000, "levels", "Nesting written before a value is summarised.")),
  /** Keys written per object or Map; default 1000. */
  maxKeys: by(wholeNumber(1, 1_000_000, "keys", "Keys written per object.")),
  /** Items written per array, Set or typed array; default 1000. */
  maxArrayLength: by(wholeNumber(1, 1_000_000, "items", "Items written per array.")),
  /** Characters kept per string; default 1000000. */
  maxStringLength: by(wholeNumber(16, 100_000_000, "characters", "Characters kept per string."))
}

const retry = {
  /** Retries after the first try; default 3. */
  attempts: by(wholeNumber(0, 100, "retries", "Retries of a failed asynchronous write.")),
  /** First delay, doubled for each retry and jittered; default 100 ms. */
  baseDelayMs: by(shared.intervalMs),
  /** Cap on each delay; default 5000 ms. */
  maxDelayMs: by(shared.intervalMs)
}

const circuitBreaker = {
  /** Consecutive failed writes that open the circuit; default 5. */
  failureThreshold: by(wholeNumber(1, 1_000_000, "failures", "Consecutive failures that open the circuit.")),
  /** How long the circuit stays open before one probe write; default 30000 ms. */
  resetTimeoutMs: by(shared.intervalMs)
}

// annotated so that the declarations keep each key's documentation
const limitsSetting: ObjectCheck<typeof limits> = object(limits, "a limits setting")
const retrySetting: ObjectCheck<typeof retry> = object(retry, "a retry setting")
const circuitBreakerSetting: ObjectCheck<typeof circuitBreaker> = object(
  circuitBreaker,
  "a circuitBreaker setting"
)

export const shape = {
  /** Events the buffer holds before `overflow` applies; default 1024. */
  capacity: by(fields.capacity),
  /** What a full buffer does: "block" (default), "drop-newest" or "drop-oldest". */
  overflow: by(fields.overflow),
  /** Write an uncaught exception or unhandled rejection at fatal before the process dies; default false. */
  logCrashes: by(shared.flag),
  /**
   * Count the self-metrics and serve them with every other live logger's (`Metrics.serve`,
   * the HTTP integrations' `metrics` option; docs/metrics.md); default false.
   */
  metrics: by(shared.flag),
  /** Serialization bounds for user data: depth, keys per object, items per array, characters per string. */
  limits: limitsSetting,
  /** Where a failing sink's batches go: "stderr" (default) or "null". */
  fallback: by(oneOf(["stderr", "null"] as const, "Where a failing sink's batches go.")),
  /** Retries of a failed asynchronous write; keys left out keep their defaults. */
  retry: retrySetting,
  /** One breaker per sink; keys left out keep their defaults. */
  circuitBreaker: circuitBreakerSetting,
  /** Events at or above this level are never refused while lower ones can be; default "error". */
  protectedLevel: by(fields.protectedLevel),
  /** Longest wait for asynchronous sinks when the logger closes; default 5000 ms. */
  shutdownTimeoutMs: by(fields.shutdownTimeoutMs)
}

export const defaults = {
  capacity: 1024,
  overflow: "block",
  logCrashes: false,
  metrics: false,
  fallback: "stderr",
  retry: Object.freeze({ attempts: 3, baseDelayMs: 100, maxDelayMs: 5000 }),
  circuitBreaker: Object.freeze({ failureThreshold: 5, resetTimeoutMs: 30_000 }),
  protectedLevel: "error",
  shutdownTimeoutMs: 5000
} as const
