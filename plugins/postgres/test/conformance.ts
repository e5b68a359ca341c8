/**
 * The conformance suites of fapilog/testing for @fapilog/postgres, on the Effect line the
 * suite runs; the caller passes its line's `fapilog/testing`.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as TestingModule from "fapilog/testing"
import pg from "pg"
import { pluginPackageDir } from "../../../test/support/pack.js"
import * as Postgres from "../src/index.js"
import type { Postgres as Server } from "./postgresServer.js"

const fast = { batch: { maxWaitMs: 20 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }

export const describePostgresConformance = (
  server: () => Server,
  effect: 3 | 4,
  Testing: typeof TestingModule
): void => {
  describe("@fapilog/postgres: plugin and sink conformance", () => {
    it.effect("the plugin object is the default export, agrees with package.json and loads here", () =>
      Effect.gen(function* () {
        assert.strictEqual(Postgres.default, Postgres.plugin)
        const packageJson: unknown = JSON.parse(
          fs.readFileSync(path.join(pluginPackageDir("postgres", effect), "package.json"), "utf8")
        )
        const report = yield* Testing.pluginConformance(Postgres.plugin, { packageJson })
        assert.deepStrictEqual(report.passed, ["plugin-shape", "api-version", "discoverable", "package-json"])
      })
    )

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
        assert.deepStrictEqual(
          [...report.passed],
          [
            "shape",
            "write",
            "empty-batch",
            "delivers-once",
            "order",
            "drain-on-close",
            "close",
            "hostile-events",
            "failure-is-sink-error"
          ]
        )
      })
    )
  })
}
