/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Schema` module plus the Effect 3 forms the
 * shared sources use (settings checks, plugin configs). The port moves these into the kernel
 * (one `accepted`, `optional` and `decode` per line) and deletes this file.
 */
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as Either from "./Either.js"

export * from "effect/Schema"

/**
 * The annotation under which a declaration keeps an Effect 3 style message function; the
 * overlay's formatter (ParseResult.ts) calls it with the rejected value. Effect 4 only reads
 * `message` strings.
 */
export const messageFunction: unique symbol = Symbol.for("fapilog/effect4/overlay/messageFunction")

type DeclareAnnotations<A> = Omit<Schema.Annotations.Declaration<A>, "message"> & {
  readonly message?: string | ((issue: { readonly actual: unknown }) => string) | undefined
}

/** Effect 3 `Schema.declare(is, annotations)`, whose `message` may be a function of the issue. */
export const declare = <A>(
  is: (u: unknown) => u is A,
  annotations?: DeclareAnnotations<A>
): Schema.declare<A> => {
  if (annotations === undefined || typeof annotations.message !== "function")
    return Schema.declare(is, annotations as never)
  const { message, ...rest } = annotations
  return Schema.declare(is, { ...rest, [messageFunction]: message } as never)
}

/** Effect 3 `Schema.optionalWith(schema, { exact: true })`: Effect 4 `Schema.optionalKey`. */
export const optionalWith = <S extends Schema.Top>(schema: S, options: { readonly exact: true }) => {
  if (options.exact !== true)
    throw new Error("the Effect 4 overlay supports optionalWith with { exact: true } only")
  return Schema.optionalKey(schema)
}

/**
 * Effect 3 `Schema.decodeUnknownEither`: Effect 4 `Schema.decodeUnknownResult`, as the overlay's
 * Either. It takes any schema, as Effect 3's does a `Schema<A>`: in the shared sources that type
 * (Effect 3's `Schema<A, A, never>`) means a schema that needs no services to decode, which
 * Effect 4's `Schema<A>` does not say.
 */
export const decodeUnknownEither =
  <S extends Schema.Top>(schema: S, options?: SchemaAST.ParseOptions) =>
  (input: unknown, overrides?: SchemaAST.ParseOptions): Either.Either<S["Type"], Schema.SchemaError> => {
    const result = Schema.decodeUnknownResult(schema as unknown as Schema.Decoder<S["Type"]>, {
      ...options,
      reportInput: true
    })(input, overrides)
    return result._tag === "Success" ? Either.right(result.success) : Either.left(result.failure)
  }

type WithAnnotations<S> = S & {
  /** Effect 3 `schema.annotations(...)`: Effect 4 `schema.annotate(...)`. */
  readonly annotations: (annotations: Schema.Annotations.Annotations) => WithAnnotations<S>
}

const withAnnotations = <S extends Schema.Top>(schema: S): WithAnnotations<S> =>
  Object.assign(schema, {
    annotations: (annotations: Schema.Annotations.Annotations) =>
      withAnnotations(schema.annotate(annotations as never) as S)
  })

/** Effect 3 `Schema.Record({ key, value })` (Effect 4 `Schema.Record(key, value)`), with `.annotations`. */
export const Record = <K extends Schema.Record.Key, V extends Schema.Constraint>(options: {
  readonly key: K
  readonly value: V
}): WithAnnotations<Schema.$Record<K, V>> => withAnnotations(Schema.Record(options.key, options.value))

/**
 * Effect 3 `Schema.pattern(regex, annotations)`: a check of a string schema. Its `message`
 * may be a function of the rejected value, as on Effect 3.
 */
export const pattern =
  (
    regex: RegExp,
    annotations?: {
      readonly identifier?: string | undefined
      readonly description?: string | undefined
      readonly message?: string | ((issue: { readonly actual: unknown }) => string) | undefined
    }
  ) =>
  <S extends Schema.Top & { readonly Type: string }>(self: S): S => {
    const { message, ...rest } = annotations ?? {}
    const filter = Schema.makeFilter<string>(
      (s) =>
        regex.test(s) ||
        (typeof message === "function" ? message({ actual: s }) : (message ?? `must match ${String(regex)}`)),
      rest as never
    )
    return (self as unknown as { check: (f: unknown) => S }).check(filter)
  }

/** Effect 3 `Schema.annotations(annotations)`, the pipeable form: Effect 4 `Schema.annotate`. */
export const annotations =
  (annotations: Schema.Annotations.Annotations) =>
  <S extends Schema.Top>(self: S): WithAnnotations<S> =>
    withAnnotations(self.annotate(annotations as never) as S)

/** Effect 3 `Schema.Struct(fields)`, with `.annotations`. */
export const Struct = <const Fields extends Schema.Struct.Fields>(
  fields: Fields
): WithAnnotations<Schema.Struct<Fields>> => withAnnotations(Schema.Struct(fields))

/** The type of a struct schema (Effect 4's, named here beside the constructor above). */
export type Struct<Fields extends Schema.Struct.Fields> = Schema.Struct<Fields>

/** Effect 3's `Schema.Struct` namespace: a struct's fields and its decoded and encoded types. */
export declare namespace Struct {
  type Fields = Schema.Struct.Fields
  type Type<F extends Fields> = Schema.Struct<F>["Type"]
  type Encoded<F extends Fields> = Schema.Struct<F>["Encoded"]
}

/** Effect 3 `Schema.Literal(a, b, ...)`: Effect 4 `Schema.Literal(a)`, or `Schema.Literals([a, b, ...])`. */
export function Literal<L extends SchemaAST.LiteralValue>(literal: L): Schema.Literal<L>
export function Literal<const L extends ReadonlyArray<SchemaAST.LiteralValue>>(
  ...literals: L
): Schema.Literals<L>
export function Literal(...literals: ReadonlyArray<SchemaAST.LiteralValue>): Schema.Top {
  return literals.length === 1
    ? Schema.Literal(literals[0] as SchemaAST.LiteralValue)
    : Schema.Literals(literals)
}

/** What an Effect 3 `Schema.filter` predicate returns: a failure message, with a path or not. */
type FilterResult =
  | undefined
  | boolean
  | string
  | { readonly path: ReadonlyArray<PropertyKey>; readonly message: string }
  | ReadonlyArray<string | { readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>

const filterIssue = (
  r: string | { readonly path: ReadonlyArray<PropertyKey>; readonly message: string }
): Schema.FilterIssue => (typeof r === "string" ? r : { path: r.path, issue: r.message })

/**
 * Effect 3 `Schema.filter(predicate, annotations)`: an Effect 4 check, the predicate's
 * `{ path, message }` results becoming Effect 4's `{ path, issue }`.
 */
export const filter =
  <S extends Schema.Top>(
    predicate: (a: S["Type"]) => FilterResult,
    annotations?: Schema.Annotations.Filter | undefined
  ) =>
  (self: S): WithAnnotations<S> =>
    withAnnotations(
      (self as unknown as { check: (f: unknown) => S }).check(
        Schema.makeFilter<S["Type"]>((a) => {
          const r = predicate(a)
          if (r === undefined || typeof r === "boolean") return r
          return Array.isArray(r) ? r.map(filterIssue) : filterIssue(r as Parameters<typeof filterIssue>[0])
        }, annotations)
      )
    )

/** Effect 3's type names (`Schema.Schema<A, I>`, `Schema.Schema.AnyNoContext`...), restated over Effect 4. */
export type { Schema } from "../schemaTypes.js"

/** Effect 3 `Schema.optionalWith<S, { exact: true }>`, the type of {@link optionalWith}. */
export type optionalWith<S extends Schema.Top, _Options> = Schema.optionalKey<S>
