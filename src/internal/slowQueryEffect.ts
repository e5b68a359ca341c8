/**
 * The Effect side of slow-query logging, shared by both lines' `@effect/sql` hooks
 * (src/internal/sqlEffect.ts on Effect 3, src/effect4/sql.ts on Effect 4): what a statement's
 * span end means (its duration, then its result or failure) and the `Fapilog` call that logs a
 * slow one, in the sub-category of the options below the fiber's.
 */
import * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fapilog from "../Fapilog.js"
import type { LevelName } from "./level.js"
import { fieldsOf, isSlow, message, type ResolvedSlowQuery, rowsOf } from "./slowQuery.js"

const logAt: Readonly<Record<LevelName, typeof Fapilog.warn>> = {
  trace: Fapilog.trace,
  debug: Fapilog.debug,
  info: Fapilog.info,
  warn: Fapilog.warn,
  error: Fapilog.error,
  fatal: Fapilog.fatal,
  audit: Fapilog.audit,
  security: Fapilog.security
}

/**
 * The logging of a statement whose span ended after `durationMs` with `exit`, or undefined
 * when it was not slow. `compile` gives its text and parameters (called only for a slow one).
 */
export const slowStatement = (
  resolved: ResolvedSlowQuery,
  compile: () => readonly [string, ReadonlyArray<unknown>],
  durationMs: number,
  exit: unknown
): Effect.Effect<void> | undefined => {
  if (!isSlow(resolved, durationMs)) return undefined
  const [sql, params] = compile()
  const done = Exit.isExit(exit) ? exit : undefined
  const fields = fieldsOf(resolved, {
    sql,
    params,
    durationMs,
    rows: done !== undefined && Exit.isSuccess(done) ? rowsOf(done.value) : undefined,
    error: done !== undefined && Exit.isFailure(done) ? Cause.squash(done.cause) : undefined
  })
  return Fapilog.withLogger(logAt[resolved.level](message, fields), resolved.category)
}
