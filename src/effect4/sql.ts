/**
 * The Effect 4 counterpart of src/internal/sqlEffect.ts (`Sql.layerSlowQueries`): the same
 * hook on Effect 4's `effect/sql`, whose statement transformer is a `Context.Reference`
 * (`Statement.CurrentTransformer`) handed the statement's fiber. A slow statement is logged
 * by a fiber forked with that fiber's Context, which on Effect 4 holds its fapilog layer,
 * category, bindings and annotations.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Statement from "effect/sql/Statement"
import {
  type EndingSpan,
  onSpanEnd,
  type ResolvedSlowQuery,
  resolve,
  type SlowQueryOptions
} from "../internal/slowQuery.js"
import { slowStatement } from "../internal/slowQueryEffect.js"

const transformer =
  (resolved: ResolvedSlowQuery, previous: Statement.Transformer | undefined): Statement.Transformer =>
  (self, sql, fiber, span) =>
    Effect.map(
      previous === undefined ? Effect.succeed(self) : previous(self, sql, fiber, span),
      (statement) => {
        const context = fiber.context
        onSpanEnd(span as unknown as EndingSpan, (durationMs, exit) => {
          const log = slowStatement(resolved, () => statement.compile(), durationMs, exit)
          if (log !== undefined) Effect.runForkWith(context)(log)
        })
        return statement
      }
    )

export const layerSlowQueries = (options?: SlowQueryOptions): Layer.Layer<never> => {
  const resolved = resolve(options, "Sql.layerSlowQueries")
  return Layer.effect(Statement.CurrentTransformer)(
    Effect.withFiber((fiber) =>
      Effect.succeed(transformer(resolved, fiber.getRef(Statement.CurrentTransformer)))
    )
  ) as Layer.Layer<never>
}
