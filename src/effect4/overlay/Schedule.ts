/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Schedule` module plus Effect 3's `union`
 * (Effect 4 `min`: recur while either does, the shorter delay) and `intersect` (Effect 4 `max`:
 * recur while both do, the longer delay). The port uses the kernel's names and deletes this
 * file.
 */
import { dual } from "effect/Function"
import * as Schedule from "effect/Schedule"

export * from "effect/Schedule"

type Combined<I1, E1, R1, I2, E2, R2> = Schedule.Schedule<unknown, I1 & I2, E1 | E2, R1 | R2>

type Combinator = {
  <O2, I2, E2, R2>(
    that: Schedule.Schedule<O2, I2, E2, R2>
  ): <O1, I1, E1, R1>(self: Schedule.Schedule<O1, I1, E1, R1>) => Combined<I1, E1, R1, I2, E2, R2>
  <O1, I1, E1, R1, O2, I2, E2, R2>(
    self: Schedule.Schedule<O1, I1, E1, R1>,
    that: Schedule.Schedule<O2, I2, E2, R2>
  ): Combined<I1, E1, R1, I2, E2, R2>
}

/** Effect 3 `Schedule.union`: Effect 4 `Schedule.min`. */
export const union: Combinator = dual(
  2,
  (self: Schedule.Schedule<unknown>, that: Schedule.Schedule<unknown>) => Schedule.min([self, that])
)

/** Effect 3 `Schedule.intersect`: Effect 4 `Schedule.max`. */
export const intersect: Combinator = dual(
  2,
  (self: Schedule.Schedule<unknown>, that: Schedule.Schedule<unknown>) => Schedule.max([self, that])
)
