/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Cause` module plus the Effect 3 queries
 * the shared sources make. An Effect 4 cause is a flat list of reasons (failures, defects,
 * interruptions) instead of Effect 3's tree; each query reads that list. The port moves the
 * queries into the kernel and deletes this file.
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Option from "effect/Option"

export * from "effect/Cause"

/** The errors the cause failed with, in order (Effect 3 `Cause.failures`). */
export const failures = <E>(self: Cause.Cause<E>): Chunk.Chunk<E> =>
  Chunk.fromIterable(self.reasons.filter(Cause.isFailReason).map((r) => r.error))

/** The defects of the cause, in order (Effect 3 `Cause.defects`). */
export const defects = <E>(self: Cause.Cause<E>): Chunk.Chunk<unknown> =>
  Chunk.fromIterable(self.reasons.filter(Cause.isDieReason).map((r) => r.defect))

/** Effect 3 `Cause.isEmpty`. */
export const isEmpty = <E>(self: Cause.Cause<E>): boolean => self.reasons.length === 0

/** Effect 3 `Cause.isInterrupted`: Effect 4 `Cause.hasInterrupts`. */
export const isInterrupted: <E>(self: Cause.Cause<E>) => boolean = Cause.hasInterrupts

/** Effect 3 `Cause.isInterruptedOnly`: Effect 4 `Cause.hasInterruptsOnly`. */
export const isInterruptedOnly: <E>(self: Cause.Cause<E>) => boolean = Cause.hasInterruptsOnly

/** Effect 3 `Cause.isDie`: Effect 4 `Cause.hasDies`. */
export const isDie: <E>(self: Cause.Cause<E>) => boolean = Cause.hasDies

/** Effect 3 `Cause.isTimeoutException`: Effect 4 `Cause.isTimeoutError`. */
export const isTimeoutException: (u: unknown) => u is Cause.TimeoutError = Cause.isTimeoutError

/** Effect 3 `Cause.isFailType`: the cause is one failure and nothing else. */
export const isFailType = <E>(self: Cause.Cause<E>): boolean =>
  self.reasons.length === 1 && Cause.isFailReason(self.reasons[0] as Cause.Reason<E>)

/** The first error the cause failed with (Effect 3 `Cause.failureOption`). */
export const failureOption = <E>(self: Cause.Cause<E>): Option.Option<E> => {
  const reason = self.reasons.find(Cause.isFailReason)
  return reason === undefined ? Option.none() : Option.some(reason.error)
}

/**
 * Effect 3 `Cause.UnknownException`, what `Effect.try(thunk)` and `Effect.tryPromise(thunk)`
 * fail with: Effect 4's `UnknownError`, whose thrown value Effect 3 code reads as `error`.
 */
export class UnknownException extends Cause.UnknownError {
  get error(): unknown {
    return this.cause
  }
}
