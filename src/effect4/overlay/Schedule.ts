/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Schedule` module plus Effect 3's `union`
 * (Effect 4 `min`: recur while either does, the shorter delay) and `intersect` (Effect 4 `max`:
 * recur while both do, the longer delay). The port uses the kernel's names and deletes this
 * file.
 */
import * as Schedule from "effect/Schedule"

export * from "effect/Schedule"

type Any = Schedule.Schedule<unknown, never, unknown, unknown>

const pairwise =
  (combine: (schedules: readonly [Any, Any]) => Any) =>
  (...args: ReadonlyArray<unknown>): unknown =>
    args.length === 1 ? (self: Any) => combine([self, args[0] as Any]) : combine([args[0] as Any, args[1] as Any])

/** Effect 3 `Schedule.union`: Effect 4 `Schedule.min`. */
export const union: {
  (that: Any): (self: Any) => Any
  (self: Any, that: Any): Any
} = pairwise((schedules) => Schedule.min(schedules) as Any) as never

/** Effect 3 `Schedule.intersect`: Effect 4 `Schedule.max`. */
export const intersect: {
  (that: Any): (self: Any) => Any
  (self: Any, that: Any): Any
} = pairwise((schedules) => Schedule.max(schedules) as Any) as never
