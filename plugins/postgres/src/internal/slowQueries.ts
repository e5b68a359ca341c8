/**
 * Slow-query logging for `pg`: a `Pool`, `Client` or `PoolClient` seen through a proxy whose
 * `query` times each statement (both the Promise and the callback forms) and hands it to
 * fapilog's `SlowQuery.recorder`. A pool's `connect` gives its clients the same proxy, so
 * statements on a checked-out client are timed too; everything else is the object itself
 * (its methods called on it, not on the proxy). Submittables (`pg-cursor`, `pg-query-stream`)
 * pass through untimed: they are read piece by piece, after `query` returns.
 */
import { type Logger, SlowQuery } from "fapilog"

/** The options of {@link slowQueries}: the logger to log through and slow-query logging's options. */
export interface SlowQueriesOptions extends SlowQuery.Options {
  /** The fapilog logger (from `createLogger`) the events go through; its redaction settings apply. */
  readonly logger: Logger.Logger
}

/**
 * What {@link slowQueries} wraps: an object with a `query` method, such as `pg`'s `Pool`,
 * `Client` and `PoolClient` (typed structurally, so the declarations need no `@types/pg`).
 */
export interface Queryable {
  query(...args: never): unknown
}

/** A checked-out client as a pool's `connect` gives it. */
type Connect = (...args: Array<unknown>) => unknown

type Callback = (error: Error | null, result?: unknown) => void

interface Statement {
  readonly text: string
  readonly values: ReadonlyArray<unknown> | undefined
}

/** The statement of a `query` call, or undefined for a submittable (or something `pg` will refuse). */
const statementOf = (first: unknown, second: unknown): Statement | undefined => {
  const values = Array.isArray(second) ? (second as ReadonlyArray<unknown>) : undefined
  if (typeof first === "string") return { text: first, values }
  if (typeof first !== "object" || first === null) return undefined
  const config = first as { readonly text?: unknown; readonly values?: unknown; readonly submit?: unknown }
  if (typeof config.submit === "function" || typeof config.text !== "string") return undefined
  return {
    text: config.text,
    values: values ?? (Array.isArray(config.values) ? (config.values as ReadonlyArray<unknown>) : undefined)
  }
}

/** The row count of `pg`'s result: `rowCount` (rows returned or changed), summed over a multi-statement result. */
const rowsOf = (result: unknown): number | undefined => {
  const one = (r: unknown): number | undefined => {
    if (typeof r !== "object" || r === null) return undefined
    const { rowCount, rows } = r as { readonly rowCount?: unknown; readonly rows?: unknown }
    return typeof rowCount === "number" ? rowCount : Array.isArray(rows) ? rows.length : undefined
  }
  if (!Array.isArray(result)) return one(result)
  let total = 0
  for (const r of result) {
    const n = one(r)
    if (n === undefined) return undefined
    total += n
  }
  return total
}

const wrap = <T extends Queryable>(target: T, recorder: SlowQuery.Recorder, pool: boolean): T => {
  const query = (...args: Array<unknown>): unknown => {
    const run = target.query as unknown as (...a: Array<unknown>) => unknown
    const statement = statementOf(args[0], args[1])
    if (statement === undefined) return run.apply(target, args)
    const started = performance.now()
    const record = (result: unknown, error: unknown) =>
      recorder.record({
        sql: statement.text,
        params: statement.values,
        durationMs: performance.now() - started,
        rows: error === undefined ? rowsOf(result) : undefined,
        error
      })
    const last = args.length - 1
    const callback = args[last]
    if (typeof callback === "function") {
      const given = callback as Callback
      const timed: Callback = (error, result) => {
        record(result, error ?? undefined)
        given(error, result)
      }
      return run.apply(target, [...args.slice(0, last), timed])
    }
    const pending = run.apply(target, args)
    if (pending instanceof Promise)
      pending.then(
        (result) => record(result, undefined),
        (error: unknown) => record(undefined, error ?? new Error("query failed"))
      )
    return pending
  }
  const connect = (...args: Array<unknown>): unknown => {
    const open = (target as unknown as { readonly connect: Connect }).connect
    const callback = args[0]
    if (typeof callback === "function") {
      return open.call(target, (error: Error | undefined, client: Queryable | undefined, done: unknown) =>
        (callback as (...a: Array<unknown>) => void)(
          error,
          client === undefined ? client : wrap(client, recorder, false),
          done
        )
      )
    }
    return (open.call(target) as Promise<Queryable>).then((client) => wrap(client, recorder, false))
  }
  return new Proxy(target, {
    get(object, key) {
      if (key === "query") return query
      if (key === "connect" && pool) return connect
      const value: unknown = Reflect.get(object, key, object)
      return typeof value === "function" ? value.bind(object) : value
    }
  })
}

const isPool = (target: Queryable): boolean =>
  typeof target === "object" && target !== null && "totalCount" in target && "idleCount" in target

export const slowQueries = <T extends Queryable>(target: T, options: SlowQueriesOptions): T => {
  const { logger, ...rest } = options ?? ({} as SlowQueriesOptions)
  const recorder = SlowQuery.recorder(logger, rest)
  if (typeof target !== "object" || target === null || typeof target.query !== "function")
    throw new TypeError(
      "slowQueries: the first argument is not a pg Pool, Client or PoolClient (it has no query method)"
    )
  return wrap(target, recorder, isPool(target))
}
