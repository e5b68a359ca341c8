/**
 * Effect 3's Schema type names, restated over Effect 4 for the shared sources' types (the
 * overlay's Schema.ts re-exports them; values are its business). Effect 3's
 * `Schema.Schema<A, I, R>` is Effect 4's `Codec<A, I, R, R>`, and
 * `Schema.Schema.AnyNoContext` any `Codec` needing no services. The port deletes this with the
 * overlay.
 */
import type * as S from "effect/Schema"

/** Effect 3 `Schema.Schema<A, I, R>`: a schema decoding `I` into `A`, needing `R`. */
export type Schema<A, I = A, R = never> = S.Codec<A, I, R, R>

export declare namespace Schema {
  /** Effect 3 `Schema.Schema.AnyNoContext`: any schema that needs no services. */
  export type AnyNoContext = S.Codec<unknown, unknown, never, never>
  /** Effect 3 `Schema.Schema.Type<S>`. */
  export type Type<T> = T extends { readonly Type: infer A } ? A : never
  /** Effect 3 `Schema.Schema.Encoded<S>`. */
  export type Encoded<T> = T extends { readonly Encoded: infer I } ? I : never
}
