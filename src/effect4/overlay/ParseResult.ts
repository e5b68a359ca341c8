/**
 * Overlay (see effect4/resolution.ts): Effect 4 has no `ParseResult`; a decoding failure is a
 * `SchemaError` holding an issue tree. This gives the shared sources Effect 3's
 * `ArrayFormatter`: one `{ path, message }` per problem, where a declaration's message
 * function (Schema.ts) gets the rejected value. The port moves the formatting into the kernel
 * and deletes this file.
 */
import type * as Schema from "effect/Schema"
import { SchemaError } from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { messageFunction } from "./Schema.js"

export type ParseError = Schema.SchemaError

export interface ArrayFormatterIssue {
  readonly _tag: string
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

const leafHook: SchemaIssue.LeafHook = (issue) => {
  const annotations =
    "ast" in issue ? (issue.ast.annotations as Record<PropertyKey, unknown> | undefined) : undefined
  const message = annotations?.[messageFunction]
  return typeof message === "function"
    ? (message as (issue: { readonly actual: unknown }) => string)({ actual: issue.input })
    : SchemaIssue.defaultLeafHook(issue)
}

const format = SchemaIssue.makeFormatterStandardSchemaV1({ leafHook })

export const ArrayFormatter = {
  formatErrorSync: (error: ParseError): Array<ArrayFormatterIssue> =>
    format(error.issue).issues.map((issue) => ({
      _tag: "Issue",
      path: (issue.path ?? []).map((p) => (typeof p === "object" ? p.key : p)),
      message: issue.message
    }))
}

/**
 * Effect 3 `new ParseResult.ParseError({ issue })`: Effect 4's `SchemaError` of that issue (a
 * constructor returning another object gives that object to `new`).
 */
export const ParseError: new (args: { readonly issue: SchemaIssue.Issue }) => ParseError = class {
  constructor(args: { readonly issue: SchemaIssue.Issue }) {
    // biome-ignore lint/correctness/noConstructorReturn: `new` must give Effect 4's own error
    return new SchemaError(args.issue)
  }
} as never

/**
 * Effect 3 `new ParseResult.Type(ast, actual, message)`, a value of the wrong kind: Effect 4's
 * `InvalidValue` of it, with that message.
 */
export const Type: new (ast: unknown, actual: unknown, message?: string) => SchemaIssue.Issue = class {
  constructor(_ast: unknown, actual: unknown, message?: string) {
    // biome-ignore lint/correctness/noConstructorReturn: `new` must give Effect 4's own issue
    return new SchemaIssue.InvalidValue(message === undefined ? undefined : { message }, actual)
  }
} as never
