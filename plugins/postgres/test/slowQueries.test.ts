/**
 * `slowQueries` (pg) against a PostgreSQL the test starts, on Effect 3; the same tests run on
 * Effect 4 from test/effect4/plugins/postgres.test.ts.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import { type Postgres, startPostgres } from "./postgresServer.js"
import { describeSlowQueries } from "./slowQueries.js"

let server: Postgres | undefined
beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.close())

describeSlowQueries(() => server!)
