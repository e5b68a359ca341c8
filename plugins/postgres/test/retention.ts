/**
 * Retention of @fapilog/postgres's daily partitions against a real PostgreSQL, on the
 * Effect line the suite runs (`fapilog` is that line's: test/effect4/plugins/postgres.test.ts
 * runs it on Effect 4, retention.test.ts on Effect 3).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { createLogger, Errors, type LogEvent, Plugin, Sink } from "fapilog"
import pg from "pg"
import * as Postgres from "../src/index.js"
import { partitionOf } from "../src/internal/table.js"
import type { Postgres as Server } from "./postgresServer.js"

const fast = { batch: { maxWaitMs: 20 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }
const DAY = 86_400_000

/** The UTC day `offset` days from today, `2026-11-05`. */
const day = (offset: number): string => {
  const now = new Date()
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset))
    .toISOString()
    .slice(0, 10)
}
const partitionName = (table: string, offset: number) => `${table}_${day(offset).replace(/-/g, "")}`

/** Waits (polling, at most ~20 s) until `ready` holds; the test then asserts on what it waits for. */
const until = async (ready: () => boolean): Promise<void> => {
  for (let i = 0; i < 2000 && !ready(); i++) await new Promise((r) => setTimeout(r, 10))
}

const reportsOf = (events: ReadonlyArray<LogEvent.LogEvent>) =>
  events.filter((e) => e.logger === "fapilog.retention")

export const describePostgresRetention = (server: () => Server, effect: 3 | 4): void => {
  describe("@fapilog/postgres: retention of daily partitions", () => {
    let client: pg.Client
    beforeAll(async () => {
      client = new pg.Client({ connectionString: server().url })
      client.on("error", () => {})
      await client.connect()
    })
    afterAll(async () => {
      await client?.end().catch(() => {})
    })

    const logger = (table: string, more: Record<string, unknown>, memory: Sink.MemorySink) =>
      createLogger({
        plugins: { use: [Postgres.plugin] },
        sinks: [
          Plugin.entry("postgres", {
            connectionString: server().url,
            table,
            partitioning: "daily",
            ...fast,
            ...more
          }),
          memory
        ]
      })

    /**
     * The table as a first run leaves it (today's partition and those ahead, the default one,
     * one event of today), plus the partitions of the past days `offsets` with `rows` rows each;
     * vacuumed, so that sizes do not change under the test.
     */
    const setup = async (table: string, offsets: ReadonlyArray<number>, rows: (offset: number) => number) => {
      const first = await logger(table, {}, Sink.memory())
      first.info("today's event")
      await first.close()
      const options = { schema: "public", table, partitioning: "daily" as const }
      for (const offset of offsets) {
        await client.query(partitionOf(options, day(offset)))
        await client.query(
          `INSERT INTO ${table} (id, "timestamp", level, logger, message, event)
           SELECT 'old-' || $1 || '-' || g, $1::timestamptz + interval '1 hour', 'info', 'app', 'old', '{}'::jsonb
           FROM generate_series(1, $2::int) g`,
          [day(offset), rows(offset)]
        )
      }
      await client.query(`VACUUM ${table}`)
    }

    /** The table's partitions with their sizes, by name. */
    const partitions = async (table: string): Promise<Map<string, number>> => {
      const { rows } = await client.query(
        `SELECT c.relname AS name, pg_total_relation_size(c.oid)::float8 AS bytes FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
        [table]
      )
      return new Map(rows.map((r: { name: string; bytes: number }) => [r.name, r.bytes]))
    }

    /** Rows of the application (not retention reports) by partition. */
    const rowsByPartition = async (table: string): Promise<Record<string, number>> => {
      const { rows } = await client.query(
        `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM ${table} WHERE logger = 'app' GROUP BY 1`
      )
      return Object.fromEntries(rows.map((r: { part: string; n: number }) => [r.part, r.n]))
    }

    it("maxAge drops exactly the partitions of days that ended longer ago, each reported once as an audit event", async () => {
      const table = `ret_age_e${effect}`
      await setup(table, [-10, -5, -3, -2, -1], (o) => 10 - o)
      const before = await partitions(table)
      const memory = Sink.memory()
      const log = await logger(table, { retention: { maxAge: "3d" } }, memory)
      await until(() => reportsOf(memory.events()).length >= 2)
      await log.flush()
      const stats = log.stats().retention
      await log.close()

      const expired = [partitionName(table, -10), partitionName(table, -5)]
      const after = await partitions(table)
      assert.deepStrictEqual([...before.keys()].filter((n) => !after.has(n)).sort(), expired)
      assert.deepStrictEqual(
        [...after.keys()].sort(),
        [...before.keys()].filter((n) => !expired.includes(n)).sort()
      )
      assert.isTrue(after.has(partitionName(table, 0)))
      assert.isTrue(after.has(`${table}_default`))

      const reports = reportsOf(memory.events())
      assert.strictEqual(reports.length, 2)
      assert.deepStrictEqual(
        reports.map((e) => [e.level, e.message, e.fields.eventCategory, e.fields.policy]),
        [
          ["audit", "retention deleted a partition", "compliance", "maxAge"],
          ["audit", "retention deleted a partition", "compliance", "maxAge"]
        ]
      )
      assert.deepStrictEqual(
        reports.map((e) => [e.fields.partition, e.fields.day, e.fields.bytes, e.fields.table]),
        [
          [`public.${expired[0]}`, day(-10), before.get(expired[0]!), `public.${table}`],
          [`public.${expired[1]}`, day(-5), before.get(expired[1]!), `public.${table}`]
        ]
      )
      for (const e of reports) {
        assert.match(
          String(e.fields.sink),
          new RegExp(`^postgres://127\\.0\\.0\\.1:\\d+/postgres#public\\.${table}$`)
        )
        assert.isAbove(Number(e.fields.ageMs), 3 * DAY)
      }
      const [older, newer] = reports.map((e) => Number(e.fields.ageMs))
      assert.isAbove(older! - newer!, 5 * DAY - 60_000)
      assert.deepStrictEqual(stats, {
        files: 0,
        partitions: 2,
        bytes: before.get(expired[0]!)! + before.get(expired[1]!)!,
        byPolicy: { maxAge: 2 }
      })

      // the rows of the kept partitions are all there, and the reports went to the table too
      assert.deepStrictEqual(await rowsByPartition(table), {
        [partitionName(table, -3)]: 13,
        [partitionName(table, -2)]: 12,
        [partitionName(table, -1)]: 11,
        [partitionName(table, 0)]: 1
      })
      const stored = await client.query(
        `SELECT event->>'partition' AS p FROM ${table} WHERE logger = 'fapilog.retention' ORDER BY seq`
      )
      assert.deepStrictEqual(
        stored.rows.map((r: { p: string }) => r.p),
        expired.map((n) => `public.${n}`)
      )
    })

    it("maxTotalBytes drops the oldest partitions until the table's partitions total at most it", async () => {
      const table = `ret_size_e${effect}`
      await setup(table, [-6, -5, -4, -3, -2, -1], () => 300)
      const before = await partitions(table)
      const total = [...before.values()].reduce((a, b) => a + b, 0)
      const oldest = [partitionName(table, -6), partitionName(table, -5)]
      // exactly the total without the two oldest: dropping them is enough, and needed
      const maxTotalBytes = total - before.get(oldest[0]!)! - before.get(oldest[1]!)!
      const memory = Sink.memory()
      const log = await logger(table, { retention: { maxTotalBytes, maxAge: "30d" } }, memory)
      await until(() => reportsOf(memory.events()).length >= 2)
      await log.close()
      const reports = reportsOf(memory.events())
      assert.deepStrictEqual(
        reports.map((e) => [e.fields.partition, e.fields.policy, e.fields.bytes]),
        oldest.map((n) => [`public.${n}`, "maxTotalBytes", before.get(n)])
      )
      const after = await partitions(table)
      assert.deepStrictEqual([...before.keys()].filter((n) => !after.has(n)).sort(), oldest)
      assert.deepStrictEqual(log.stats().retention?.byPolicy, { maxTotalBytes: 2 })
      const kept = await rowsByPartition(table)
      for (const o of [-4, -3, -2, -1]) assert.strictEqual(kept[partitionName(table, o)], 300)
    })

    it("the current day's partition, those ahead and the default one are never dropped, whatever the size", async () => {
      const table = `ret_keep_e${effect}`
      await setup(table, [-2, -1], () => 5)
      // an event of a day without a partition: in the default partition
      await client.query(
        `INSERT INTO ${table} (id, "timestamp", level, logger, message, event) VALUES ('far', '2001-01-01T00:00:00Z', 'info', 'app', 'far', '{}')`
      )
      const memory = Sink.memory()
      const log = await logger(table, { retention: { maxTotalBytes: "1 B" }, partitionsAhead: 2 }, memory)
      await until(() => reportsOf(memory.events()).length >= 2)
      await log.close()
      assert.deepStrictEqual(
        reportsOf(memory.events()).map((e) => e.fields.partition),
        [`public.${partitionName(table, -2)}`, `public.${partitionName(table, -1)}`]
      )
      assert.deepStrictEqual(
        [...(await partitions(table)).keys()].sort(),
        [partitionName(table, 0), partitionName(table, 1), partitionName(table, 2), `${table}_default`].sort()
      )
      assert.deepStrictEqual(await rowsByPartition(table), {
        [partitionName(table, 0)]: 1,
        [`${table}_default`]: 1
      })
    })

    it("runs again on its timer (every maxAge when shorter than an hour): a partition that expires later is dropped too", async () => {
      const table = `ret_timer_e${effect}`
      await setup(table, [], () => 0)
      const memory = Sink.memory()
      const { rows: started } = await client.query("SELECT now() AS t")
      const log = await logger(table, { retention: { maxAge: "1s" } }, memory)
      // the start's run is over (its connection's last statement, as the server shows it, is
      // the release of the retention lock), having found nothing to drop; this partition
      // appears after it
      let ended = false
      for (let i = 0; i < 2000 && !ended; i++) {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_advisory_unlock%' AND backend_start >= $1",
          [started[0].t]
        )
        ended = rows[0].n > 0
        if (!ended) await new Promise((r) => setTimeout(r, 10))
      }
      assert.isTrue(ended)
      assert.deepStrictEqual(reportsOf(memory.events()), [])
      await client.query(partitionOf({ schema: "public", table, partitioning: "daily" }, day(-3)))
      await until(() => reportsOf(memory.events()).length >= 1)
      await log.close()
      assert.deepStrictEqual(
        reportsOf(memory.events()).map((e) => [e.fields.partition, e.fields.policy]),
        [[`public.${partitionName(table, -3)}`, "maxAge"]]
      )
      assert.notInclude([...(await partitions(table)).keys()], partitionName(table, -3))
    })

    it("two processes running retention at once: each partition dropped and reported once", async () => {
      const table = `ret_two_e${effect}`
      const offsets = [-9, -8, -7, -6, -5, -4]
      await setup(table, offsets, () => 3)
      const memories = [Sink.memory(), Sink.memory()]
      const logs = await Promise.all(memories.map((m) => logger(table, { retention: { maxAge: "2d" } }, m)))
      const all = () => memories.flatMap((m) => reportsOf(m.events()))
      await until(() => all().length >= offsets.length)
      await Promise.all(logs.map((l) => l.close()))
      const names = all().map((e) => String(e.fields.partition))
      assert.deepStrictEqual(names.sort(), offsets.map((o) => `public.${partitionName(table, o)}`).sort())
      const left = [...(await partitions(table)).keys()]
      for (const o of offsets) assert.notInclude(left, partitionName(table, o))
      assert.include(left, partitionName(table, 0))
    })

    it("invalid retention settings fail fast, each naming its field and what is accepted", async () => {
      const refused = (entry: Record<string, unknown>) =>
        createLogger({
          plugins: { use: [Postgres.plugin] },
          sinks: [Plugin.entry("postgres", { connectionString: server().url, ...entry })]
        }).then(
          () => assert.fail("should refuse"),
          (e: unknown) => e as Errors.ConfigError
        )
      const at = (error: Errors.ConfigError, p: string) =>
        error.issues.find((i) => i.path === p)?.message ?? `none at ${p}: ${JSON.stringify(error.issues)}`

      const undivided = await refused({ retention: { maxAge: "30d" } })
      assert.instanceOf(undivided, Errors.ConfigError)
      assert.strictEqual(
        at(undivided, "sinks[0].retention"),
        'plugin @fapilog/postgres@0.1.0: drops daily partitions: it needs partitioning "daily" (partitioning is "none"; accepted: "daily")'
      )
      const empty = await refused({ partitioning: "daily", retention: {} })
      assert.match(
        at(empty, "sinks[0].retention"),
        /has no policy: give maxAge \(such as "30d"\), maxTotalBytes/
      )
      const bad = await refused({
        partitioning: "daily",
        retention: { maxAge: "soon", maxTotalBytes: "lots" }
      })
      assert.match(
        at(bad, "sinks[0].retention.maxAge"),
        /^plugin @fapilog\/postgres@0.1.0: "soon" is not an age: a number of milliseconds or a number with a unit ms, s, m, h, d or w/
      )
      assert.match(
        at(bad, "sinks[0].retention.maxTotalBytes"),
        /^plugin @fapilog\/postgres@0.1.0: "lots" is not a size: a number of bytes or a string such as "500 MB"/
      )
      const negative = await refused({ partitioning: "daily", retention: { maxAge: -1 } })
      assert.match(
        at(negative, "sinks[0].retention.maxAge"),
        /^plugin @fapilog\/postgres@0.1.0: -1 is not an age/
      )
    })
  })
}
