/**
 * @fapilog/postgres under fapilog/testing's plugin and sink conformance suites, against a
 * PostgreSQL the test starts; the same suites run on Effect 4 from
 * test/effect4/plugins/postgres.test.ts.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { describePostgresConformance } from "./conformance.js"
import { type Postgres, startPostgres } from "./postgresServer.js"

let server: Postgres | undefined
beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.close())

describePostgresConformance(() => server!, 3, Testing)
