/**
 * The `@effect/sql` hook of slow-query logging on Effect 3 (`Sql.layerSlowQueries`; its Effect
 * 4 counterpart is src/effect4/sql.ts). `@effect/sql` runs each statement inside a span of its
 * own and ends that span with the statement's exit; a statement transformer, which it calls
 * with that span before it runs the statement, wraps the span's `end`, so the statement is
 * timed from just before it is compiled and run until its result. A slow one is compiled
 * again (only then) for its text and parameters and logged by a fiber forked with the
 * statement fiber's runtime: its fapilog layer, category, context and annotations.
 */
import * as Statement from "@effect/sql/Statement"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import {
  type EndingSpan,
  onSpanEnd,
  type ResolvedSlowQuery,
  resolve,
  type SlowQueryOptions
} from "./slowQuery.js"
import { slowStatement } from "./slowQueryEffect.js"

const transformer =
  (
    resolved: ResolvedSlowQuery,
    previous: Option.Option<Statement.Statement.Transformer>
  ): Statement.Statement.Transformer =>
  (self, sql, refs, span) =>
    Effect.flatMap(
      previous._tag === "Some" ? previous.value(self, sql, refs, span) : Effect.succeed(self),
      (statement) =>
        Effect.map(Effect.runtime<never>(), (runtime) => {
          onSpanEnd(span as unknown as EndingSpan, (durationMs, exit) => {
            const log = slowStatement(resolved, () => statement.compile(), durationMs, exit)
            if (log !== undefined) Runtime.runFork(runtime)(log)
          })
          return statement
        })
    )

export const layerSlowQueries = (options?: SlowQueryOptions): Layer.Layer<never> => {
  const resolved = resolve(options, "Sql.layerSlowQueries")
  return Layer.unwrapEffect(
    Effect.map(FiberRef.get(Statement.currentTransformer), (previous) =>
      Statement.setTransformer(transformer(resolved, previous))
    )
  )
}
