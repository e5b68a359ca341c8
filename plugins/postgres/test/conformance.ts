/**
 * The conformance suites of fapilog/testing for @fapilog/postgres, on the Effect line the
 * suite runs; the caller passes its line's `fapilog/testing`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as TestingModule from "fapilog/testing"
import pg from "pg"
import { batchingSinkRules, itPassesPluginConformance } from "../../../test/support/pluginConformance.js"
import * as Postgres from "../src/index.js"
import type { Postgres as Server } from "./postgresServer.js"

const fast = { batch: { maxWaitMs: 20 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }

export const describePostgresConformance = (
  server: () => Server,
  effect: 3 | 4,
  Testing: typeof TestingModule
): void => {
  describe("@fapilog/postgres: plugin and sink conformance", () => {
    itPassesPluginConformance("postgres", Postgres, effect, Testing)

    it.live("the sink passes the sink conformance suite against PostgreSQL", () =>
      Effect.gen(function* () {
        const table = `conformance_e${effect}`
        const received = Effect.promise(async () => {
          const c = new pg.Client({ connectionString: server().url })
          c.on("error", () => {})
          await c.connect()
          try {
            const { rows } = await c.query(`SELECT event::text AS e FROM ${table} ORDER BY seq`)
            return rows.map((r: { e: string }) => r.e)
          } finally {
            await c.end()
          }
        })
        const report = yield* Testing.sinkConformance({
          make: Postgres.sink({ connectionString: server().url, table, ...fast }),
          received,
          // a database that does not exist: every insert fails, held until close
          failing: Postgres.sink({
            connectionString: `${server().url}_missing`,
            table,
            drainTimeoutMs: 200,
            ...fast
          })
        })
        assert.deepStrictEqual([...report.passed], batchingSinkRules)
      })
    )
  })
}
