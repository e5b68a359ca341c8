import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { createLogger, Errors, Plugin, withContext } from "fapilog"
import pg from "pg"
import * as Postgres from "../src/index.js"
import { safeJson } from "../src/internal/rows.js"
import { type Postgres as Server, startPostgres } from "./postgresServer.js"

const fast = {
  batch: { maxWaitMs: 20 },
  retry: { initialDelayMs: 20, maxDelayMs: 200 },
  circuitBreaker: { resetMs: 200 }
}

describe("@fapilog/postgres against Debian's PostgreSQL", () => {
  let server: Server
  /** The test's own connection; a restart ends it (its error is expected, and it is replaced). */
  const connect = async () => {
    const c = new pg.Client({ connectionString: server.url })
    c.on("error", () => {})
    await c.connect()
    return c
  }
  let client: pg.Client
  beforeAll(async () => {
    server = await startPostgres()
    client = await connect()
  }, 120_000)
  afterAll(async () => {
    await client?.end().catch(() => {})
    server?.close()
  })

  const logger = (more: Record<string, unknown> = {}) =>
    createLogger({
      plugins: { use: [Postgres.plugin] },
      sinks: [Plugin.entry("postgres", { connectionString: server.url, ...fast, ...more })]
    })

  it("every event one row: extracted columns, the whole event as jsonb; created on start, idempotently", async () => {
    for (let run = 0; run < 2; run++) {
      const log = await logger({ table: "events_a" })
      for (let i = 0; i < 500; i++) log.info(`event ${run} ${i}`, { i, run, nested: { ok: true } })
      withContext({ correlationId: "req-7" }, () => log.warn("correlated", { run }))
      log.error("traced", { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" })
      await log.close()
    }
    const { rows } = await client.query(
      `SELECT id, "timestamp", level, logger, message, correlation_id, trace_id, span_id, event FROM events_a ORDER BY "timestamp", (event->>'i')::int`
    )
    assert.strictEqual(rows.length, 2 * 502)
    const first = rows.find((r) => r.message === "event 0 3")
    assert.deepStrictEqual(
      {
        level: first.level,
        logger: first.logger,
        i: first.event.i,
        nested: first.event.nested,
        ts: first.event.timestamp
      },
      {
        level: "info",
        logger: "app",
        i: 3,
        nested: { ok: true },
        ts: (first.timestamp as Date).toISOString()
      }
    )
    assert.strictEqual(new Set(rows.map((r) => r.id)).size, rows.length)
    const correlated = rows.filter((r) => r.correlation_id === "req-7")
    assert.strictEqual(correlated.length, 2)
    const traced = rows.find((r) => r.message === "traced")
    assert.deepStrictEqual(
      [traced.trace_id, traced.span_id],
      ["4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"]
    )
  })

  it("a query by correlation id uses its index", async () => {
    await client.query("ANALYZE events_a")
    await client.query("SET enable_seqscan = off")
    const { rows } = await client.query("EXPLAIN SELECT * FROM events_a WHERE correlation_id = 'req-7'")
    await client.query("RESET enable_seqscan")
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n")
    assert.match(plan, /Index Scan|Bitmap Index Scan/)
    assert.include(plan, "events_a_correlation_id_idx")
  })

  it("a server restart mid-stream: no event lost, none twice", async () => {
    const log = await logger({ table: "events_restart" })
    for (let i = 0; i < 300; i++) log.info(`r ${i}`, { i })
    await log.flush()
    server.stop()
    for (let i = 300; i < 600; i++) log.info(`r ${i}`, { i })
    server.start()
    for (let i = 600; i < 900; i++) log.info(`r ${i}`, { i })
    await log.close()
    await client.end().catch(() => {})
    client = await connect()
    const { rows } = await client.query(`SELECT (event->>'i')::int AS i FROM events_restart ORDER BY 1`)
    assert.deepStrictEqual(
      rows.map((r) => r.i),
      Array.from({ length: 900 }, (_, i) => i)
    )
    assert.strictEqual(log.health().stats.lost, 0)
  }, 60_000)

  it("with a spool: events logged while the server is down are kept on disk and inserted by the next run, once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-pg-spool-"))
    const spooled = {
      table: "events_spool",
      spool: { directory: dir },
      retry: { maxAttempts: 1, initialDelayMs: 20 }
    }
    // the table exists before the outage (a run that started while the server was up)
    const setup = await logger(spooled)
    setup.info("s 0", { i: 0 })
    await setup.close()
    server.stop()
    const first = await logger(spooled)
    for (let i = 1; i < 200; i++) first.info(`s ${i}`, { i })
    await first.close()
    assert.strictEqual(first.health().stats.lost, 0)
    server.start()
    // the next run (a new process would do the same) replays the spool before new events
    const second = await logger(spooled)
    for (let i = 200; i < 250; i++) second.info(`s ${i}`, { i })
    await second.flush()
    await client.end().catch(() => {})
    client = await connect()
    // the replay of the earlier run's requests is not part of this run's flush: wait for it
    for (let tries = 0; tries < 200; tries++) {
      const { rows } = await client.query("SELECT count(*)::int AS n FROM events_spool")
      if (rows[0].n >= 250) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    await second.close()
    const { rows } = await client.query(`SELECT (event->>'i')::int AS i FROM events_spool ORDER BY 1`)
    assert.deepStrictEqual(
      rows.map((r) => r.i),
      Array.from({ length: 250 }, (_, i) => i)
    )
    assert.strictEqual(second.health().stats.lost, 0)
  }, 60_000)

  it("daily partitions: created ahead, events in their day's partition, others in the default one", async () => {
    const log = await logger({ table: "events_daily", partitioning: "daily", partitionsAhead: 3 })
    log.info("today")
    await log.close()
    const { rows } = await client.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events_daily' ORDER BY 1`
    )
    const today = new Date()
    const day = (offset: number) => {
      const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + offset))
      return `events_daily_${d.toISOString().slice(0, 10).replace(/-/g, "")}`
    }
    assert.includeMembers(
      rows.map((r) => r.relname),
      [day(0), day(1), day(2), day(3), "events_daily_default"]
    )
    const where = await client.query(`SELECT tableoid::regclass::text AS part FROM events_daily`)
    assert.deepStrictEqual(
      where.rows.map((r) => r.part),
      [day(0)]
    )
  })

  it("hostile values: NUL characters and lone surrogates are stored, never a failed batch", async () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const log = await logger({ table: "events_hostile" })
    log.info("nul\u0000in message", { nul: "a\u0000b", lone: "x\ud800y", pair: "😀", cycle, big: 10n })
    log.info("after")
    await log.close()
    const { rows } = await client.query(`SELECT message, event FROM events_hostile ORDER BY "timestamp"`)
    assert.deepStrictEqual(
      rows.map((r) => r.message),
      ["nul\uFFFDin message", "after"]
    )
    assert.deepStrictEqual(
      [rows[0].event.nul, rows[0].event.lone, rows[0].event.pair, rows[0].event.big],
      ["a\uFFFDb", "x\uFFFDy", "😀", "10"]
    )
    assert.strictEqual(
      safeJson(String.raw`"\\u0000 \u0000 \ud83d\ude00 \udc00"`),
      String.raw`"\\u0000 \ufffd \ud83d\ude00 \ufffd"`
    )
  })

  it("invalid settings fail fast, each issue naming its field", async () => {
    const error = await createLogger({
      plugins: { use: [Postgres.plugin] },
      sinks: [
        Plugin.entry("postgres", {
          connectionString: "mysql://x",
          table: "bad-name",
          poolSize: 0,
          partitioning: "hourly"
        })
      ]
    }).then(
      () => assert.fail("should refuse"),
      (e: unknown) => e as Errors.ConfigError
    )
    assert.instanceOf(error, Errors.ConfigError)
    const at = (p: string) =>
      error.issues.find((i) => i.path === p)?.message ?? `none at ${p}: ${JSON.stringify(error.issues)}`
    assert.match(at("sinks[0].connectionString"), /is not a postgres:\/\/ or postgresql:\/\/ connection URL/)
    assert.match(at("sinks[0].table"), /"bad-name" is not a name of letters, digits and _/)
    assert.match(at("sinks[0].poolSize"), /0 is not a whole number of connections between 1 and 100/)
    assert.match(at("sinks[0].partitioning"), /"hourly" is not one of none, daily/)
  })
})
