import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"

/** How a failed write is retried: `attempts` more tries, exponential from `baseDelayMs`, each delay at most `maxDelayMs`. */
export interface RetryOptions {
  readonly attempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const defaultRetry: RetryOptions = Object.freeze({ attempts: 3, baseDelayMs: 100, maxDelayMs: 5000 })

/** Exponential from `baseDelayMs`, jittered, each delay capped at `maxDelayMs`, `attempts` retries. */
export const retrySchedule = (o: RetryOptions): Schedule.Schedule<unknown> =>
  Schedule.exponential(Duration.millis(o.baseDelayMs)).pipe(
    Schedule.jittered,
    Schedule.union(Schedule.spaced(Duration.millis(o.maxDelayMs))),
    Schedule.intersect(Schedule.recurs(o.attempts))
  )
