/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Context` module plus Effect 3's
 * `Context.Tag(key)<Self, Shape>()` class form (Effect 4 `Context.Service<Self, Shape>()(key)`)
 * and `Context.GenericTag(key)` (Effect 4 `Context.Service(key)`).
 * The port writes the Effect 4 form in the adapter and deletes this file.
 */
import * as Context from "effect/Context"

export * from "effect/Context"

/** Effect 3 `class X extends Context.Tag("key")<X, Shape>() {}` on Effect 4. */
export const Tag =
  <const Key extends string>(key: Key) =>
  <Self, Shape>(): Context.ServiceClass<Self, Key, Shape> =>
    Context.Service<Self, Shape>()(key)

/** Effect 3 `Context.GenericTag<Identifier, Shape>(key)`: Effect 4 `Context.Service(key)`. */
export const GenericTag = <Identifier, Shape = Identifier>(key: string): Context.Service<Identifier, Shape> =>
  Context.Service<Identifier, Shape>(key)

/**
 * Effect 3 `class X extends Context.Reference<X>()(key, { defaultValue })` on Effect 4, whose
 * `Reference` is that two-stage `Service` given a default (the one-stage
 * `Context.Reference(key, { defaultValue })` is Effect 4's own).
 */
export const Reference: typeof Context.Reference &
  (<_Self>() => <Shape>(
    key: string,
    options: { readonly defaultValue: () => Shape }
  ) => Context.Reference<Shape>) = Context.Reference as never
