/**
 * A trail in PostgreSQL, over a bounded `pg` pool as @fapilog/postgres opens it: records in
 * `<table>` (segment, seq, line: the record's exact line), list-partitioned by segment (one
 * partition `<table>_s000001` per segment, so retention drops a segment's partition), the
 * signed manifests in `<table>_manifests` and the head in `<table>_head`. Tables are created
 * on start, idempotently, under an advisory lock. A batch is one transaction, committed
 * before the write resolves (`synchronous_commit` as the server has it; per record: one
 * transaction per record; `fsync: "none"`: `synchronous_commit = off` for the trail's
 * transactions). The verifier reads the same tables (`snapshotOf`).
 */
import * as crypto from "node:crypto"
import type pg from "pg"
import { quote } from "../../../postgres/src/internal/table.js"
import type { Fsync, RemovedSegment, Snapshot, Store, StoredSegment } from "./store.js"

export interface PgTarget {
  readonly connectionString: string
  readonly table?: string | undefined
  readonly schema?: string | undefined
}

interface Names {
  readonly records: string
  readonly manifests: string
  readonly head: string
  readonly partition: (segment: number) => string
  /** The partition's name as reports give it, unquoted: `public.fapilog_audit_s000001`. */
  readonly partitionName: (segment: number) => string
  /** The manifests table's name as reports give it, unquoted. */
  readonly manifestsName: string
  readonly lock: string
}

export const namesOf = (t: PgTarget): Names => {
  const schema = t.schema ?? "public"
  const table = t.table ?? "fapilog_audit"
  return {
    records: `${quote(schema)}.${quote(table)}`,
    manifests: `${quote(schema)}.${quote(`${table}_manifests`)}`,
    head: `${quote(schema)}.${quote(`${table}_head`)}`,
    partition: (segment) => `${quote(schema)}.${quote(`${table}_s${String(segment).padStart(6, "0")}`)}`,
    partitionName: (segment) => `${schema}.${table}_s${String(segment).padStart(6, "0")}`,
    manifestsName: `${schema}.${table}_manifests`,
    lock: `fapilog-audit:${schema}.${table}`
  }
}

const migration = (n: Names, schema: string): ReadonlyArray<string> => [
  `CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`,
  `CREATE TABLE IF NOT EXISTS ${n.records} (segment integer NOT NULL, seq bigint NOT NULL, line text NOT NULL, PRIMARY KEY (segment, seq)) PARTITION BY LIST (segment)`,
  `CREATE TABLE IF NOT EXISTS ${n.manifests} (segment integer PRIMARY KEY, manifest text NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${n.head} (id integer PRIMARY KEY CHECK (id = 1), manifest text NOT NULL)`
]

/** Reads the stored trail through `client` (the verifier's view; also the writer's on start). */
export const snapshotOf = async (client: pg.ClientBase, target: PgTarget): Promise<Snapshot> => {
  const n = namesOf(target)
  const exists = await client.query(`SELECT to_regclass($1) AS t`, [n.records])
  if (exists.rows[0].t === null) return { segments: [] }
  const rows = await client.query(`SELECT segment, line FROM ${n.records} ORDER BY segment, seq`)
  const manifests = await client.query(`SELECT segment, manifest FROM ${n.manifests} ORDER BY segment`)
  const head = await client.query(`SELECT manifest FROM ${n.head} WHERE id = 1`)
  const bySegment = new Map<number, Array<string>>()
  for (const r of rows.rows as Array<{ segment: number; line: string }>) {
    const lines = bySegment.get(r.segment) ?? []
    lines.push(r.line)
    bySegment.set(r.segment, lines)
  }
  const manifestOf = new Map<number, string>(
    (manifests.rows as Array<{ segment: number; manifest: string }>).map((m) => [m.segment, m.manifest])
  )
  // a sealed segment whose rows were all deleted is still a segment: its manifest says so
  const numbers = [...new Set([...bySegment.keys(), ...manifestOf.keys()])].sort((a, b) => a - b)
  const segments: Array<StoredSegment> = numbers.map((segment) => {
    const lines = bySegment.get(segment) ?? []
    // the segment's bytes as a file of the same records would hold them
    const text = lines.length === 0 ? "" : `${lines.join("\n")}\n`
    return {
      segment,
      lines: [...lines, ""],
      sha256: crypto.createHash("sha256").update(text).digest("hex"),
      bytes: Buffer.byteLength(text),
      manifest: manifestOf.get(segment)
    }
  })
  return { segments, head: head.rows[0]?.manifest }
}

/** The PostgreSQL store of a trail; `pool` is owned by the caller. */
export const pgStore = (pool: pg.Pool, target: PgTarget, fsync: Fsync): Store => {
  const n = namesOf(target)
  const partitions = new Set<number>()
  const transaction = async <A>(work: (c: pg.PoolClient) => Promise<A>): Promise<A> => {
    const client = await pool.connect()
    let broken: Error | undefined
    try {
      await client.query("BEGIN")
      if (fsync === "none") await client.query("SET LOCAL synchronous_commit = off")
      const result = await work(client)
      await client.query("COMMIT")
      return result
    } catch (e) {
      await client.query("ROLLBACK").catch((r) => {
        broken = r instanceof Error ? r : new Error(String(r))
      })
      throw e
    } finally {
      client.release(broken)
    }
  }
  const insert = `INSERT INTO ${n.records} (segment, seq, line) SELECT $1, s, l FROM unnest($2::bigint[], $3::text[]) AS u(s, l)`
  const seqOf = (line: string) => Number(/^\{"seq":(\d+),/.exec(line)?.[1])
  return {
    name: `audit:postgres://${new URL(target.connectionString).host}${new URL(target.connectionString).pathname}#${n.records}`,
    load: () =>
      transaction(async (c) => {
        await c.query("SELECT pg_advisory_xact_lock(hashtext($1))", [n.lock])
        for (const statement of migration(n, target.schema ?? "public")) await c.query(statement)
        return snapshotOf(c, target)
      }),
    append: async (segment, lines) => {
      const ensure = async (c: pg.PoolClient) => {
        if (partitions.has(segment)) return
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${n.partition(segment)} PARTITION OF ${n.records} FOR VALUES IN (${segment})`
        )
        partitions.add(segment)
      }
      if (fsync === "record") {
        for (const line of lines)
          await transaction(async (c) => {
            await ensure(c)
            await c.query(insert, [segment, [seqOf(line)], [line]])
          })
        return
      }
      await transaction(async (c) => {
        await ensure(c)
        await c.query(insert, [segment, lines.map(seqOf), lines])
      })
    },
    seal: (segment, manifest) =>
      transaction(async (c) => {
        await c.query(`INSERT INTO ${n.manifests} (segment, manifest) VALUES ($1, $2)`, [segment, manifest])
        await c.query(
          `INSERT INTO ${n.head} (id, manifest) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET manifest = EXCLUDED.manifest`,
          [manifest]
        )
      }),
    remove: async (segments, told) => {
      const removed = await transaction(async (c) => {
        const done: Array<RemovedSegment> = []
        for (const segment of segments) {
          const size = await c.query(
            `SELECT coalesce(pg_total_relation_size(to_regclass($1)), 0)::float8 AS bytes`,
            [n.partition(segment)]
          )
          // retention drops the segment's partition: no row-by-row delete, no bloat
          await c.query(`DROP TABLE IF EXISTS ${n.partition(segment)}`)
          await c.query(`DELETE FROM ${n.manifests} WHERE segment = $1`, [segment])
          done.push({
            segment,
            kind: "partition",
            name: n.partitionName(segment),
            bytes: Number(size.rows[0].bytes),
            manifest: n.manifestsName
          })
        }
        return done
      })
      // only once the transaction committed (one for all: a rolled back drop deleted nothing)
      for (const r of removed) {
        partitions.delete(r.segment)
        told(r)
      }
    },
    repair: async () => {},
    close: async () => {}
  }
}
