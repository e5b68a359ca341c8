/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Effect` module plus the Effect 3 names the
 * shared sources still call, each written over Effect 4. The port replaces every call site
 * with the adapter kernel's name (docs/effect4-design.md, "The seam") and deletes this file.
 */
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Result from "effect/Result"
import { UnknownException } from "./Cause.js"
import * as Either from "./Either.js"
import type * as Runtime from "./Runtime.js"

export * from "effect/Effect"

/**
 * Effect 3 `Effect.runtime<R>()`: what a fiber runs with, to start other fibers with it
 * (`Runtime.runFork`). On Effect 4 that is the fiber's Context (overlay Runtime.ts).
 */
export const runtime = <R = never>(): Effect.Effect<Runtime.Runtime<R>, never, R> => Effect.context<R>()

/**
 * Effect 3 `Effect.gen(self, body)` (`this` in the body is `self`) is Effect 4
 * `Effect.gen({ self }, body)`: Effect 4 would read a `self` field of the object given.
 */
export const gen: typeof Effect.gen &
  (<Self, Eff extends Effect.Effect<unknown, unknown, unknown>, AEff>(
    self: Self,
    body: (this: Self) => Generator<Eff, AEff, never>
  ) => Effect.Effect<
    AEff,
    Eff extends Effect.Effect<infer _A, infer E, infer _R> ? E : never,
    Eff extends Effect.Effect<infer _A, infer _E, infer R> ? R : never
  >) = ((...args: Array<unknown>) =>
  args.length === 1 ? Effect.gen(args[0] as never) : Effect.gen({ self: args[0] }, args[1] as never)) as never

/** Effect 3 `Effect.async`: Effect 4 `Effect.callback` (same resume and cleanup contract). */
export const async: <A, E = never, R = never>(
  register: (resume: (effect: Effect.Effect<A, E, R>) => void) => void | Effect.Effect<void, never, R>
) => Effect.Effect<A, E, R> = (register) => Effect.callback((resume) => register(resume))

/** Effect 3 `Effect.zipRight`: Effect 4 `Effect.andThen` with an effect. */
export const zipRight: {
  <X, E2, R2>(
    that: Effect.Effect<X, E2, R2>
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<X, E | E2, R | R2>
  <A, E, R, X, E2, R2>(
    self: Effect.Effect<A, E, R>,
    that: Effect.Effect<X, E2, R2>
  ): Effect.Effect<X, E | E2, R | R2>
} = Effect.andThen as never

/** Effect 3 `Effect.catchAllCause`: Effect 4 `Effect.catchCause`. */
export const catchAllCause: typeof Effect.catchCause = Effect.catchCause

/** Effect 3 `Effect.catchAll`: Effect 4 `Effect.catch`. */
export const catchAll: typeof Effect.catch = Effect.catch

/** Effect 3 `Effect.catchAllDefect`: Effect 4 `Effect.catchDefect`. */
export const catchAllDefect: typeof Effect.catchDefect = Effect.catchDefect

/**
 * Effect 3 `Effect.fork`: Effect 4 `Effect.forkChild` (a fiber interrupted when its parent
 * ends), started at once. Effect 3 starts the child in a microtask; Effect 4 would start it on
 * the scheduler's next macrotask, which a page being left never runs (a network sink's
 * pagehide flush must reach `fetch` within the event).
 */
export const fork = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Fiber.Fiber<A, E>, never, R> =>
  Effect.forkChild(self, { startImmediately: true })

/** Effect 3 `Effect.forkDaemon`: Effect 4 `Effect.forkDetach` (a fiber outside any parent's scope). */
export const forkDaemon: typeof Effect.forkDetach = Effect.forkDetach

/** Effect 3 `Effect.either`: Effect 4 `Effect.result`, as the overlay's Either. */
export const either = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Either.Either<A, E>, never, R> =>
  Effect.map(Effect.result(self), (r) =>
    Result.isSuccess(r) ? Either.right(r.success) : Either.left(r.failure)
  )

/**
 * Effect 3 `Effect.disconnect`: runs `self` in a fiber of its own, so that interrupting the
 * caller returns at once while `self` is interrupted in the background.
 */
export const disconnect = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Effect.forkDetach(restore(self)), (fiber) =>
      Effect.onInterrupt(restore(Fiber.join(fiber)), () => Effect.forkDetach(Fiber.interrupt(fiber)))
    )
  )

/** Effect 3 `Effect.timeoutFail`: Effect 4 `Effect.timeoutOrElse` failing with `onTimeout()`. */
export const timeoutFail: <E2>(options: {
  readonly duration: Duration.Input
  readonly onTimeout: () => E2
}) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | E2, R> = (options) => (self) =>
  Effect.timeoutOrElse(self, { duration: options.duration, orElse: () => Effect.fail(options.onTimeout()) })

/** Effect 3 `Effect.withConfigProvider`: Effect 4 provides the `ConfigProvider` reference. */
export const withConfigProvider: {
  (provider: ConfigProvider.ConfigProvider): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, provider: ConfigProvider.ConfigProvider): Effect.Effect<A, E, R>
} = ((...args: Array<unknown>) => {
  if (args.length === 1)
    return (self: Effect.Effect<unknown, unknown, unknown>) =>
      Effect.provideService(self, ConfigProvider.ConfigProvider, args[0] as ConfigProvider.ConfigProvider)
  return Effect.provideService(
    args[0] as Effect.Effect<unknown, unknown, unknown>,
    ConfigProvider.ConfigProvider,
    args[1] as ConfigProvider.ConfigProvider
  )
}) as never

/**
 * Effect 3 `Effect.tryPromise`: given a bare thunk, it fails with Effect 3's
 * `UnknownException` (the rejection as `error`), where Effect 4's fails with an
 * `UnknownError` that keeps it as `cause`; given `{ try, catch }`, it is Effect 4's.
 */
export const tryPromise: {
  <A>(evaluate: (signal: AbortSignal) => PromiseLike<A>): Effect.Effect<A, UnknownException>
  <A, E>(options: {
    readonly try: (signal: AbortSignal) => PromiseLike<A>
    readonly catch: (error: unknown) => E
  }): Effect.Effect<A, E>
} = ((arg: unknown) =>
  typeof arg === "function"
    ? Effect.tryPromise({
        try: arg as (signal: AbortSignal) => PromiseLike<unknown>,
        catch: (error) => new UnknownException(error)
      })
    : Effect.tryPromise(arg as never)) as never

/** Effect 3 `Effect.try`: a bare thunk fails with `UnknownException`, as {@link tryPromise}. */
const try_: {
  <A>(evaluate: () => A): Effect.Effect<A, UnknownException>
  <A, E>(options: { readonly try: () => A; readonly catch: (error: unknown) => E }): Effect.Effect<A, E>
} = ((arg: unknown) =>
  typeof arg === "function"
    ? Effect.try({ try: arg as () => unknown, catch: (error) => new UnknownException(error) })
    : Effect.try(arg as never)) as never

export { try_ as try }

/**
 * Effect 3 `Effect.clock`: the fiber's Clock (a `TestClock` under `@effect/vitest`), read now
 * with Effect 3's `unsafeCurrentTimeMillis` (Effect 4 calls it `currentTimeMillisUnsafe`).
 */
export const clock: Effect.Effect<{ readonly unsafeCurrentTimeMillis: () => number }> = Effect.clockWith(
  (c) => Effect.succeed({ unsafeCurrentTimeMillis: () => c.currentTimeMillisUnsafe() })
)
