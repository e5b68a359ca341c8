/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Runtime` module plus Effect 3's `Runtime`
 * (what `Effect.runtime()` captures) and `Runtime.runFork`. On Effect 4 a fiber's services and
 * its references (level, clock, loggers...) all live in its Context, so the captured runtime
 * is that Context and `runFork` is `Effect.runForkWith`. The port uses the kernel's names and
 * deletes this file.
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"

export * from "effect/Runtime"

/** Effect 3 `Runtime<R>`: on Effect 4, the Context a fiber runs with. */
export type Runtime<R> = Context.Context<R>

/** Effect 3 `Runtime.runFork(runtime)(effect)`: starts `effect` with `runtime`'s services and references. */
export const runFork =
  <R>(runtime: Runtime<R>) =>
  <A, E>(effect: Effect.Effect<A, E, R>): Fiber.Fiber<A, E> =>
    Effect.runForkWith(runtime)(effect)
