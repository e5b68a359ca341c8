/**
 * `fapilog/sql` on Effect 4: `Sql.layerSlowQueries` with `@effect/sql-pg` 4 (a client of
 * `effect/sql`) against Debian's PostgreSQL, started by the test: the statements at or above
 * the threshold, and only those, are logged with their fingerprint, row count and parameters
 * (a secret one censored by the redaction settings), in the fiber's category, context and
 * annotations; a failed one with its error.
 */
import { PgClient } from "@effect/sql-pg"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { Fapilog, Sink } from "fapilog"
import * as Sql from "fapilog/sql"
import { type Postgres, startPostgres } from "../../plugins/postgres/test/postgresServer.js"

describe("Sql.layerSlowQueries (@effect/sql-pg 4, Effect 4) against Debian's PostgreSQL", () => {
  let server: Postgres
  beforeAll(async () => {
    server = await startPostgres()
  }, 120_000)
  afterAll(() => server?.close())

  const setup = (sql: SqlClient.SqlClient) =>
    Effect.gen(function* () {
      yield* sql`DROP TABLE IF EXISTS accounts`
      yield* sql`CREATE TABLE accounts (id serial PRIMARY KEY, name text, password text)`
      yield* sql`INSERT INTO accounts (name, password) SELECT 'user' || i, 'pw' || i FROM generate_series(1, 5) AS i`
    })

  const run = async (
    options: Sql.Options,
    program: (sql: SqlClient.SqlClient) => Effect.Effect<void, unknown>
  ): Promise<ReadonlyArray<Record<string, unknown>>> => {
    const memory = Sink.memory()
    const layers = PgClient.layer({ url: Redacted.make(server.url) }).pipe(
      Layer.provideMerge(Fapilog.layer({ sinks: [memory], redact: { keys: ["password"] } }))
    )
    await Effect.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* setup(sql)
        // the hook covers the program only: the pool's first connection and the table are
        // made before it, so that no statement is slow for a reason of the machine's
        yield* program(sql).pipe(Effect.provide(Sql.layerSlowQueries(options)))
        yield* Fapilog.flush
      }).pipe(Effect.provide(layers))
    )
    return memory.lines().map((line) => JSON.parse(line) as Record<string, unknown>)
  }

  it("exactly the statements at or above the threshold are logged, with fingerprint, rows and redacted params", async () => {
    const lines = await run({ thresholdMs: 500 }, (sql) =>
      Effect.gen(function* () {
        yield* sql`SELECT 1`
        yield* sql`SELECT pg_sleep(0.01), name FROM accounts WHERE id = ${1}`
        const rows =
          yield* sql`SELECT pg_sleep(0.6), name FROM accounts WHERE password <> ${"s3cret-value"} AND id IN ${sql.in([1, 2, 3])}`.pipe(
            Fapilog.withContext({ requestId: "r-4" }),
            Effect.annotateLogs({ job: "report" })
          )
        assert.strictEqual(rows.length, 3)
        yield* sql`UPDATE accounts SET password = ${"n3w-secret"} WHERE id <= ${2} AND pg_sleep(0.6) IS NOT NULL`
          .raw
      })
    )
    assert.strictEqual(lines.length, 2, JSON.stringify(lines))
    const [select, update] = lines as [Record<string, unknown>, Record<string, unknown>]
    assert.deepInclude(select, {
      level: "warn",
      logger: "app.db.slow-query",
      message: "slow query",
      fingerprint: "select pg_sleep(?), name from accounts where password <> ? and id in (?)",
      rows: 3,
      thresholdMs: 500,
      requestId: "r-4",
      job: "report"
    })
    assert.deepStrictEqual(select.params, { password: "[REDACTED]", $2: 1, $3: 2, $4: 3 })
    assert.isAtLeast(select.durationMs as number, 500)
    assert.deepInclude(update, {
      fingerprint: "update accounts set password = ? where id <= ? and pg_sleep(?) is not null",
      rows: 2
    })
    assert.deepStrictEqual(update.params, { password: "[REDACTED]", id: 2 })
    assert.notInclude(JSON.stringify(lines), "s3cret-value")
    assert.notInclude(JSON.stringify(lines), "n3w-secret")
  })

  it("a failed slow statement is logged with its error; level, category and params are settable", async () => {
    const lines = await run({ thresholdMs: 100, level: "error", category: "sql", params: false }, (sql) =>
      Effect.gen(function* () {
        yield* Effect.flip(sql`SELECT (pg_sleep(0.15)::text || ${"x"})::int`)
        yield* sql`SELECT pg_sleep(0.15), ${"kept out"} AS secret`
      })
    )
    assert.strictEqual(lines.length, 2, JSON.stringify(lines))
    const [failed, ok] = lines as [Record<string, unknown>, Record<string, unknown>]
    assert.deepInclude(failed, { level: "error", logger: "app.sql", failed: true })
    assert.notProperty(failed, "rows")
    assert.match(JSON.stringify(failed.error), /invalid input syntax for type integer/)
    assert.deepInclude(ok, { rows: 1, fingerprint: "select pg_sleep(?), ? as secret" })
    assert.notProperty(ok, "params")
  })
})
