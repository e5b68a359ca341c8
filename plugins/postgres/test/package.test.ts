/**
 * The packed @fapilog/postgres installed next to the packed fapilog in a scratch project (its
 * `pg` dependency installed with it; test/support/pluginInstall.ts), named only by
 * `type: "postgres"` in the settings (found by discovery), from plain node as an ES module and
 * as CommonJS: every event is one row in Debian's PostgreSQL. The same installation is
 * type-checked: importing the package makes `{ type: "postgres", ... }` a `sinks` entry.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import { afterAll, assert, beforeAll } from "vitest"
import {
  CONSUMERS,
  consumerScripts,
  describeInstalled,
  runConsumer
} from "../../../test/support/pluginInstall.js"
import { type Postgres, startPostgres } from "./postgresServer.js"

let server: Postgres | undefined

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => {
  server?.close()
})

const scripts = consumerScripts(
  `{ sinks: [{ type: "postgres", connectionString: process.env.PG_URL, table: process.env.TABLE }] }`,
  `for (let i = 0; i < 100; i++) log.info("installed " + process.env.RUN + " " + i, { i })`
)

describeInstalled({
  type: "postgres",
  title: '(pg with it) and inserts into PostgreSQL through { type: "postgres" }',
  typed: `export const entry: Settings.SinkSetting = { type: "postgres", connectionString: "postgres://app@db/logs", table: "events", partitioning: "daily", spool: { directory: "/var/spool/app" } }
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { type: "postgres", connectionString: "postgres://app@db/logs", tabel: "events" }
// @ts-expect-error not a partitioning
export const wrong: Settings.SinkSetting = { type: "postgres", connectionString: "postgres://app@db/logs", partitioning: "hourly" }
export const retained: Settings.SinkSetting = { type: "postgres", connectionString: "postgres://app@db/logs", partitioning: "daily", retention: { maxAge: "30d", maxTotalBytes: 1073741824 } }
// @ts-expect-error an age is a number or a string
export const ageless: Settings.SinkSetting = { type: "postgres", connectionString: "postgres://app@db/logs", partitioning: "daily", retention: { maxAge: true } }
`,
  check: async (scratch) => {
    const client = new pg.Client({ connectionString: server!.url })
    await client.connect()
    try {
      for (const file of CONSUMERS) {
        fs.writeFileSync(path.join(scratch, file), scripts[file])
        const table = `installed_${file.replace(".", "_")}`
        await runConsumer(scratch, file, { PG_URL: server!.url, TABLE: table, RUN: file })
        const { rows } = await client.query(
          `SELECT message, (event->>'i')::int AS i FROM ${table} ORDER BY (event->>'i')::int`
        )
        assert.deepStrictEqual(
          rows.map((r) => r.message),
          Array.from({ length: 100 }, (_, i) => `installed ${file} ${i}`)
        )
      }
    } finally {
      await client.end()
    }
  }
})
