/**
 * The tests of `slowQueries` against Debian's PostgreSQL, on the Effect line the suite runs
 * (plugins/postgres/test/slowQueries.test.ts on Effect 3, test/effect4/plugins/postgres.test.ts
 * on Effect 4): `pg_sleep` statements above and below the threshold through a wrapped `Pool`, a
 * checked-out `PoolClient` and a `Client`, in the Promise and callback forms; exactly the slow
 * ones are logged, with their fingerprint, row count and parameters, a secret one censored by
 * the logger's redaction settings.
 */
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { createLogger, Errors, Sink } from "fapilog"
import pg from "pg"
import { slowQueries } from "../src/index.js"
import type { Postgres as Server } from "./postgresServer.js"

export const describeSlowQueries = (postgres: () => Server): void => {
  describe("slowQueries (pg) against Debian's PostgreSQL", () => {
    const server = {
      get url() {
        return postgres().url
      }
    }
    beforeAll(async () => {
      const setup = new pg.Client({ connectionString: server.url })
      await setup.connect()
      await setup.query(
        "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, password text NOT NULL)"
      )
      await setup.query(
        "INSERT INTO users (name, password) SELECT 'user' || i, 'pw' || i FROM generate_series(1, 5) AS i"
      )
      await setup.end()
    })

    const logged = async () => {
      const memory = Sink.memory()
      const log = await createLogger({ sinks: [memory], redact: { keys: ["password"] } })
      return {
        log,
        memory,
        events: () => memory.lines().map((l) => JSON.parse(l) as Record<string, unknown>)
      }
    }

    it("a Pool: only the statements at or above the threshold are logged, with fingerprint, rows and redacted params", async () => {
      const { log, events } = await logged()
      // its connection made before the hook, so that no statement is slow for a reason of the machine's
      const raw = new pg.Pool({ connectionString: server.url, max: 1 })
      await raw.query("SELECT 0")
      const pool = slowQueries(raw, { logger: log, thresholdMs: 500 })
      try {
        // fast
        await pool.query("SELECT 1")
        await pool.query("SELECT pg_sleep(0.01), name FROM users WHERE id = $1", [1])
        // slow: three rows, a secret parameter
        const slow = await pool.query(
          "SELECT pg_sleep(0.6), name FROM users WHERE password <> $1 AND id IN (1, 2, 3) -- three users",
          ["s3cret-value"]
        )
        assert.strictEqual(slow.rowCount, 3)
        // slow, changing rows, parameters bound by an UPDATE
        await pool.query("UPDATE users SET password = $1 WHERE id <= $2 AND pg_sleep(0.6) IS NOT NULL", [
          "n3w-secret",
          2
        ])
        await log.flush()
        const lines = events()
        assert.strictEqual(lines.length, 2, JSON.stringify(lines))
        const [select, update] = lines as [Record<string, unknown>, Record<string, unknown>]
        assert.strictEqual(select.level, "warn")
        assert.strictEqual(select.logger, "app.db.slow-query")
        assert.strictEqual(select.message, "slow query")
        assert.strictEqual(
          select.fingerprint,
          "select pg_sleep(?), name from users where password <> ? and id in (?)"
        )
        assert.strictEqual(select.rows, 3)
        assert.deepStrictEqual(select.params, { password: "[REDACTED]" })
        assert.strictEqual(select.thresholdMs, 500)
        assert.isAtLeast(select.durationMs as number, 500)
        assert.notInclude(JSON.stringify(lines), "s3cret-value")
        assert.notInclude(JSON.stringify(lines), "n3w-secret")
        assert.strictEqual(
          update.fingerprint,
          "update users set password = ? where id <= ? and pg_sleep(?) is not null"
        )
        assert.strictEqual(update.rows, 2)
        assert.deepStrictEqual(update.params, { password: "[REDACTED]", id: 2 })
      } finally {
        await pool.end()
        await log.close()
      }
    })

    it("a checked-out PoolClient, the callback form and a failing statement", async () => {
      const { log, events } = await logged()
      const pool = slowQueries(new pg.Pool({ connectionString: server.url, max: 1 }), {
        logger: log,
        thresholdMs: 100
      })
      const client = await pool.connect()
      try {
        await client.query({ text: "SELECT pg_sleep(0.15) AS a, $1::text AS b", values: ["x"] })
        await client.query("SELECT 2")
        const viaCallback = await new Promise<number | null>((resolve, reject) =>
          client.query("SELECT pg_sleep(0.15), 'literal'", (error: Error | null, result: pg.QueryResult) =>
            error ? reject(error) : resolve(result.rowCount)
          )
        )
        assert.strictEqual(viaCallback, 1)
        const failure = await client.query("SELECT (pg_sleep(0.15)::text || 'x')::int").then(
          () => undefined,
          (error: Error) => error
        )
        assert.instanceOf(failure, Error)
      } finally {
        client.release()
        await pool.end()
      }
      await log.flush()
      const lines = events()
      assert.deepStrictEqual(
        lines.map((l) => l.fingerprint),
        [
          "select pg_sleep(?) as a, ?::text as b",
          "select pg_sleep(?), ?",
          "select (pg_sleep(?)::text || ?)::int"
        ]
      )
      assert.deepStrictEqual(lines[0]?.params, { $1: "x" })
      assert.strictEqual(lines[1]?.rows, 1)
      assert.strictEqual(lines[2]?.failed, true)
      const error = lines[2]?.error as { readonly code?: unknown; readonly message?: unknown } | undefined
      assert.strictEqual(error?.code, "22P02")
      assert.match(String(error?.message), /invalid input syntax for type integer/)
      assert.notProperty(lines[2], "rows")
      await log.close()
    })

    it("a Client keeps its API (connect, events, end) and logs through its own category and level", async () => {
      const { log, events } = await logged()
      const client = slowQueries(new pg.Client({ connectionString: server.url }), {
        logger: log,
        thresholdMs: 100,
        level: "error",
        category: "sql",
        params: false
      })
      assert.instanceOf(client, pg.Client)
      await client.connect()
      let ended = false
      client.on("end", () => {
        ended = true
      })
      await client.query("SELECT pg_sleep(0.15), password FROM users WHERE name = $1", ["user5"])
      await client.end()
      assert.isTrue(ended)
      await log.flush()
      const [line, ...rest] = events()
      assert.deepStrictEqual(rest, [])
      assert.strictEqual(line?.level, "error")
      assert.strictEqual(line?.logger, "app.sql")
      assert.strictEqual(line?.rows, 1)
      assert.notProperty(line, "params")
      await log.close()
    })

    it("bad options are a ConfigError naming each one", async () => {
      const log = await createLogger({ sinks: [Sink.memory()] })
      try {
        const pool = new pg.Pool({ connectionString: server.url })
        const error = (() => {
          try {
            slowQueries(pool, { logger: log, thresholdMs: -1, level: "loud" as never })
          } catch (e) {
            return e
          }
        })()
        assert.instanceOf(error, Errors.ConfigError)
        assert.deepStrictEqual(
          (error as Errors.ConfigError).issues.map((i) => i.path),
          ["slowQueries.thresholdMs", "slowQueries.level"]
        )
        await pool.end()
      } finally {
        await log.close()
      }
    })
  })
}
