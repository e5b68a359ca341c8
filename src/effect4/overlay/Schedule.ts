/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Schedule` module plus the Effect 3 names the
 * shared sources use, with Effect 3's outputs:
 * - `union` (recur while either does, the shorter delay) and `intersect` (recur while both do,
 *   the longer delay) output the pair of both outputs, as on Effect 3 (Effect 4's `min` and
 *   `max` output the delay), so that a later step can read either (the network sink reads
 *   the failure it paired with its retry schedule);
 * - `identity` (outputs its input, forever, no delay), `whileInput`, and `modifyDelay` over
 *   `(output, delay)` (Effect 4's reads the schedule's metadata and returns an Effect).
 * The port uses the kernel's names and deletes this file.
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Pull from "effect/Pull"
import * as Schedule from "effect/Schedule"

export * from "effect/Schedule"

type Combined<O1, I1, E1, R1, O2, I2, E2, R2> = Schedule.Schedule<
  readonly [O1, O2],
  I1 & I2,
  E1 | E2,
  R1 | R2
>

type Combinator = {
  <O2, I2, E2, R2>(
    that: Schedule.Schedule<O2, I2, E2, R2>
  ): <O1, I1, E1, R1>(self: Schedule.Schedule<O1, I1, E1, R1>) => Combined<O1, I1, E1, R1, O2, I2, E2, R2>
  <O1, I1, E1, R1, O2, I2, E2, R2>(
    self: Schedule.Schedule<O1, I1, E1, R1>,
    that: Schedule.Schedule<O2, I2, E2, R2>
  ): Combined<O1, I1, E1, R1, O2, I2, E2, R2>
}

type AnySchedule = Schedule.Schedule<unknown, unknown, unknown, unknown>
type Step = readonly [unknown, Duration.Duration]

/** One step of a schedule: its output and delay, or undefined once it is done. */
const stepOf = (
  pull: Pull.Pull<Step, unknown, unknown, unknown>
): Effect.Effect<Step | undefined, unknown, unknown> =>
  Pull.matchEffect(pull, {
    onSuccess: (step) => Effect.succeed(step),
    onDone: () => Effect.succeed(undefined),
    onFailure: Effect.failCause
  })

/** Both schedules stepped together; `delayOf` picks the delay, or ends the pair (undefined). */
const paired = (
  self: AnySchedule,
  that: AnySchedule,
  delayOf: (
    a: Duration.Duration | undefined,
    b: Duration.Duration | undefined
  ) => Duration.Duration | undefined
): AnySchedule =>
  Schedule.fromStep(
    Effect.map(Effect.all([Schedule.toStep(self), Schedule.toStep(that)]), ([first, second]) => {
      return (now: number, input: unknown) =>
        Effect.flatMap(
          Effect.all([stepOf(first(now, input) as never), stepOf(second(now, input) as never)]),
          ([a, b]) => {
            const output = [a?.[0], b?.[0]] as const
            const delay = delayOf(a?.[1], b?.[1])
            return delay === undefined ? Cause.done(output) : Effect.succeed([output, delay] as const)
          }
        )
    }) as never
  ) as AnySchedule

/** Effect 3 `Schedule.union`: recurs while either does, with the shorter delay. */
export const union: Combinator = dual(2, (self: AnySchedule, that: AnySchedule) =>
  paired(self, that, (a, b) => (a === undefined ? b : b === undefined ? a : Duration.min(a, b)))
)

/** Effect 3 `Schedule.intersect`: recurs while both do, with the longer delay. */
export const intersect: Combinator = dual(2, (self: AnySchedule, that: AnySchedule) =>
  paired(self, that, (a, b) => (a === undefined || b === undefined ? undefined : Duration.max(a, b)))
)

/** Effect 3 `Schedule.identity<A>()`: outputs its input, recurs forever, without delay. */
export const identity = <A>(): Schedule.Schedule<A, A> =>
  Schedule.passthrough(Schedule.forever as Schedule.Schedule<number, A>)

/** Effect 3 `Schedule.whileInput`: recurs while the input satisfies `predicate`. */
export const whileInput: {
  <I>(
    predicate: (input: I) => boolean
  ): <O, I2 extends I, E, R>(self: Schedule.Schedule<O, I2, E, R>) => Schedule.Schedule<O, I2, E, R>
  <O, I, E, R>(
    self: Schedule.Schedule<O, I, E, R>,
    predicate: (input: I) => boolean
  ): Schedule.Schedule<O, I, E, R>
} = dual(2, (self: AnySchedule, predicate: (input: unknown) => boolean) =>
  Schedule.while(self, (meta) => predicate(meta.input))
)

/** Effect 3 `Schedule.modifyDelay`: the next delay as a function of the output and the delay computed. */
export const modifyDelay: {
  <O>(
    f: (output: O, delay: Duration.Duration) => Duration.Input
  ): <I, E, R>(self: Schedule.Schedule<O, I, E, R>) => Schedule.Schedule<O, I, E, R>
  <O, I, E, R>(
    self: Schedule.Schedule<O, I, E, R>,
    f: (output: O, delay: Duration.Duration) => Duration.Input
  ): Schedule.Schedule<O, I, E, R>
} = dual(2, (self: AnySchedule, f: (output: unknown, delay: Duration.Duration) => Duration.Input) =>
  Schedule.modifyDelay(self, (meta) => Effect.succeed(f(meta.output, meta.duration)))
)
