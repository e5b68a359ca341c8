/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Fiber` module plus Effect 3's
 * `Fiber.interruptFork` and `RuntimeFiber` (every Effect 4 fiber is one). The port uses the
 * kernel's names and deletes this file.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

export * from "effect/Fiber"

export type RuntimeFiber<A, E = never> = Fiber.Fiber<A, E>

/** Effect 3 `Fiber.interruptFork`: interrupts `self` from a detached fiber, without waiting. */
export const interruptFork = <A, E>(self: Fiber.Fiber<A, E>): Effect.Effect<void> =>
  Effect.asVoid(Effect.forkDetach(Fiber.interrupt(self)))
