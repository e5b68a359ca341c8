/**
 * Overlay (see effect4/resolution.ts): Effect 3's `Either`, which Effect 4 replaced by
 * `Result`, reduced to what the shared sources use. The shared sources only build and read
 * these values themselves (settings checks, plugin loading); none reaches a public type of the
 * Effect 4 line. The port replaces them with `Result` through the kernel and deletes this file.
 */
export type Either<A, E> = Left<E> | Right<A>

export interface Left<E> {
  readonly _tag: "Left"
  readonly left: E
}

export interface Right<A> {
  readonly _tag: "Right"
  readonly right: A
}

export const left = <E>(left: E): Either<never, E> => ({ _tag: "Left", left })

export const right = <A>(right: A): Either<A, never> => ({ _tag: "Right", right })

export const isLeft = <A, E>(self: Either<A, E>): self is Left<E> => self._tag === "Left"

export const isRight = <A, E>(self: Either<A, E>): self is Right<A> => self._tag === "Right"

export const getOrUndefined = <A, E>(self: Either<A, E>): A | undefined =>
  self._tag === "Right" ? self.right : undefined

export const map: {
  <A, B>(f: (a: A) => B): <E>(self: Either<A, E>) => Either<B, E>
  <A, E, B>(self: Either<A, E>, f: (a: A) => B): Either<B, E>
} = function (this: unknown, ...args: Array<unknown>) {
  if (args.length === 1) {
    const f = args[0] as (a: unknown) => unknown
    return (self: Either<unknown, unknown>) => (self._tag === "Right" ? right(f(self.right)) : self)
  }
  const [self, f] = args as [Either<unknown, unknown>, (a: unknown) => unknown]
  return self._tag === "Right" ? right(f(self.right)) : self
} as never

/** Effect 3 `Either.try`: `{ try, catch }`, or a bare thunk whose throw is the `Left` as is. */
const try_: {
  <A, E>(options: { readonly try: () => A; readonly catch: (error: unknown) => E }): Either<A, E>
  <A>(evaluate: () => A): Either<A, unknown>
} = <A, E>(
  options: { readonly try: () => A; readonly catch: (error: unknown) => E } | (() => A)
): Either<A, unknown> => {
  const evaluate = typeof options === "function" ? options : options.try
  try {
    return right(evaluate())
  } catch (error) {
    return left(typeof options === "function" ? error : options.catch(error))
  }
}

export { try_ as try }
