/**
 * @fapilog/audit with its trail in PostgreSQL (Debian's server, started by the test as
 * plugins/postgres/test does): the trail verifies, an edited or deleted row is found, and
 * retention drops the oldest segments' partitions, each reported as an audit event of
 * `fapilog.retention`, while an attacker's drop is still found.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type LogEvent, Sink } from "fapilog"
import pg from "pg"
import { type Postgres as Server, startPostgres } from "../../postgres/test/postgresServer.js"
import { formatReport, type Report, verifyTrail } from "../src/index.js"
import { KEY, writeTrail } from "./trail.js"

const broken = (report: Report) => {
  if (report.ok) return assert.fail(`expected a broken trail, got ${formatReport(report).text}`)
  return report
}

describe("@fapilog/audit on PostgreSQL", () => {
  let server: Server
  let client: pg.Client
  beforeAll(async () => {
    server = await startPostgres()
    client = new pg.Client({ connectionString: server.url })
    client.on("error", () => {})
    await client.connect()
  }, 120_000)
  afterAll(async () => {
    await client?.end().catch(() => {})
    server?.close()
  })

  const storage = (table: string) => ({ connectionString: server.url, table })
  const trail = async (table: string, more: Record<string, unknown> = {}) => {
    for (let run = 0; run < 2; run++)
      await writeTrail({ postgres: storage(table), segmentMaxBytes: 1024, ...more }, 12, run * 12)
  }
  const verify = (table: string) => verifyTrail({ postgres: storage(table) }, { key: KEY })

  it("the trail verifies: one partition per segment, the manifests and the head beside it", async () => {
    await trail("audit_ok")
    const report = await verify("audit_ok")
    assert.isTrue(report.ok, formatReport(report).text)
    if (!report.ok) return
    assert.deepStrictEqual([report.records, report.firstSeq, report.lastSeq], [24, 1, 24])
    assert.strictEqual(report.sealed, report.segments)
    assert.match(
      formatReport(report).text,
      /^OK postgres:\/\/127\.0\.0\.1:\d+\/postgres#"public"\."audit_ok": 24 records/
    )
    const parts = await client.query(
      `SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'audit_ok'`
    )
    assert.strictEqual(parts.rows[0].n, report.segments)
    const levels = await client.query(
      `SELECT DISTINCT (line::json->'event'->>'level') AS l FROM audit_ok ORDER BY 1`
    )
    assert.deepStrictEqual(
      levels.rows.map((r) => r.l),
      ["audit", "security"]
    )
  })

  it("a table that does not exist is refused, naming it", async () => {
    const error = await verify("audit_none").then(
      () => assert.fail("should refuse"),
      (e: unknown) => e as Error
    )
    assert.match(error.message, /^postgres\.table: "public"\."audit_none" does not exist/)
  })

  it("edit: a row's event changed", async () => {
    await trail("audit_edit")
    await client.query(`UPDATE audit_edit SET line = replace(line, '"i":5,', '"i":6,') WHERE seq = 6`)
    const report = broken(await verify("audit_edit"))
    assert.deepStrictEqual([report.damage, report.seq], ["edited", 6])
    assert.strictEqual(formatReport(report).exitCode, 1)
  })

  it("deletion: a row removed", async () => {
    await trail("audit_delete")
    await client.query(`DELETE FROM audit_delete WHERE seq = 9`)
    const report = broken(await verify("audit_delete"))
    assert.deepStrictEqual([report.damage, report.seq], ["deleted", 10])
    assert.match(report.reason, /record 9 is missing/)
  })

  it("deletion: the newest rows removed (the sealed segment no longer matches its manifest)", async () => {
    await trail("audit_tail")
    await client.query(`DELETE FROM audit_tail WHERE seq = 24`)
    const report = broken(await verify("audit_tail"))
    assert.strictEqual(report.damage, "truncated")
  })

  it("retention drops the oldest segments' partitions, records it, reports each as an audit event, and the trail verifies; a partition an attacker drops is found", async () => {
    const reports: Array<LogEvent.LogEvent> = []
    const stats = { files: 0, partitions: 0, bytes: 0, maxTotalBytes: 0 }
    for (let run = 0; run < 4; run++) {
      const memory = Sink.memory()
      const { retention } = await writeTrail(
        { postgres: storage("audit_ret"), segmentMaxBytes: 1024, retention: { maxTotalBytes: "2 KB" } },
        12,
        run * 12,
        [memory]
      )
      reports.push(...memory.events().filter((e) => e.logger === "fapilog.retention"))
      stats.files += retention?.files ?? 0
      stats.partitions += retention?.partitions ?? 0
      stats.bytes += retention?.bytes ?? 0
      stats.maxTotalBytes += retention?.byPolicy.maxTotalBytes ?? 0
    }
    const report = await verify("audit_ret")
    assert.isTrue(report.ok, formatReport(report).text)
    if (!report.ok) return
    assert.isAbove(report.removedByRetention, 0)
    const first = report.removedByRetention + 1
    const parts = await client.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'audit_ret' ORDER BY 1`
    )
    assert.strictEqual(parts.rows[0].relname, `audit_ret_s${String(first).padStart(6, "0")}`)

    // each dropped partition reported once, oldest first, once its drop committed
    const dropped = Array.from({ length: first - 1 }, (_, i) => i + 1)
    assert.deepStrictEqual(
      reports.map((e) => [e.fields.segment, e.fields.partition]),
      dropped.map((n) => [n, `public.audit_ret_s${String(n).padStart(6, "0")}`])
    )
    for (const e of reports) {
      assert.deepStrictEqual(
        [e.level, e.message, e.fields.eventCategory, e.fields.policy, e.fields.manifest],
        [
          "audit",
          "retention deleted a partition",
          "compliance",
          "maxTotalBytes",
          "public.audit_ret_manifests"
        ]
      )
      assert.match(
        String(e.fields.sink),
        /^audit:postgres:\/\/127\.0\.0\.1:\d+\/postgres#"public"\."audit_ret"$/
      )
      // the partition's size as PostgreSQL counted it: at least a page of its rows and one of its key
      assert.isAtLeast(e.fields.bytes as number, 16_384)
      const gone = await client.query(`SELECT to_regclass($1) AS t`, [e.fields.partition])
      assert.isNull(gone.rows[0].t)
    }
    assert.deepStrictEqual(stats, {
      files: 0,
      partitions: dropped.length,
      bytes: reports.reduce((n, e) => n + (e.fields.bytes as number), 0),
      maxTotalBytes: dropped.length
    })

    await client.query(`DROP TABLE audit_ret_s${String(first).padStart(6, "0")}`)
    await client.query(`DELETE FROM audit_ret_manifests WHERE segment = $1`, [first])
    const attacked = broken(await verify("audit_ret"))
    assert.deepStrictEqual([attacked.damage, attacked.segment], ["segment-removed", first + 1])
  })
})
