/**
 * @fapilog/postgres on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites against a PostgreSQL the test starts (the same suites as its Effect 3
 * tests, plugins/postgres/test/conformance.test.ts), and its `slowQueries` wrapper of `pg`
 * passes the tests of plugins/postgres/test/slowQueries.ts, and the retention of its daily
 * partitions those of plugins/postgres/test/retention.ts.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { describePostgresConformance } from "../../../plugins/postgres/test/conformance.js"
import { type Postgres, startPostgres } from "../../../plugins/postgres/test/postgresServer.js"
import { describePostgresRetention } from "../../../plugins/postgres/test/retention.js"
import { describeSlowQueries } from "../../../plugins/postgres/test/slowQueries.js"

let server: Postgres | undefined
beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.close())

describePostgresConformance(() => server!, 4, Testing)
describeSlowQueries(() => server!)
describePostgresRetention(() => server!, 4)
