/**
 * Overlay (see effect4/resolution.ts): Effect 4 has no `ParseResult`; a decoding failure is a
 * `SchemaError` holding an issue tree. This gives the shared sources Effect 3's
 * `ArrayFormatter`: one `{ path, message }` per problem, where a declaration's message
 * function (Schema.ts) gets the rejected value. The port moves the formatting into the kernel
 * and deletes this file.
 */
import type * as Schema from "effect/Schema"
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
