/**
 * The Effect 4 counterpart of src/internal/sqlEffect.ts (`Sql.layerSlowQueries`): the same
 * hook on Effect 4's `effect/sql`, whose statement transformer is a `Context.Reference`
 * (`Statement.CurrentTransformer`) handed the statement's fiber. A slow statement is logged
 * by a fiber forked with that fiber's Context, which on Effect 4 holds its fapilog layer,
 * category, bindings and annotations.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Statement from "effect/sql/Statement"
import * as Fapilog from "../Fapilog.js"
import {
  type EndingSpan,
  fieldsOf,
  isSlow,
  message,
  onSpanEnd,
  type ResolvedSlowQuery,
  resolve,
  rowsOf,
  type SlowQueryOptions
} from "../internal/slowQuery.js"

const transformer =
  (resolved: ResolvedSlowQuery, previous: Statement.Transformer | undefined): Statement.Transformer =>
  (self, sql, fiber, span) =>
    Effect.map(previous === undefined ? Effect.succeed(self) : previous(self, sql, fiber, span), (statement) => {
      const context = fiber.context
      onSpanEnd(span as unknown as EndingSpan, (durationMs, exit) => {
        if (!isSlow(resolved, durationMs)) return
        const [text, params] = statement.compile()
        const done = Exit.isExit(exit) ? exit : undefined
        const fields = fieldsOf(resolved, {
          sql: text,
          params,
          durationMs,
          rows: done !== undefined && Exit.isSuccess(done) ? rowsOf(done.value) : undefined,
          error: done !== undefined && Exit.isFailure(done) ? Cause.squash(done.cause) : undefined
        })
        Effect.runForkWith(context)(Fapilog.withLogger(Fapilog[resolved.level](message, fields), resolved.category))
      })
      return statement
    })

export const layerSlowQueries = (options?: SlowQueryOptions): Layer.Layer<never> => {
  const resolved = resolve(options, "Sql.layerSlowQueries")
  return Layer.effect(Statement.CurrentTransformer)(
    Effect.withFiber((fiber) =>
      Effect.succeed(transformer(resolved, fiber.getRef(Statement.CurrentTransformer)))
    )
  ) as Layer.Layer<never>
}
