/**
 * The table, its indexes and its daily partitions, as SQL: created or migrated on start,
 * idempotently (IF NOT EXISTS everywhere, under an advisory lock so that processes starting
 * together do not race), and partitions created ahead as the days of the events require.
 *
 * Columns: `seq` (the order rows were inserted in, from a sequence), `id` (the event's id, stable through retries), `timestamp` (timestamptz), `level`,
 * `logger`, `message`, `correlation_id`, `trace_id`, `span_id`, and `event` (jsonb, the whole
 * event as its JSON line). The primary key is (`id`, `timestamp`): a partitioned table's
 * unique keys must hold its partition key, and an event keeps both through its retries, so a
 * batch sent again inserts nothing twice (`ON CONFLICT DO NOTHING`).
 */

/** A quoted identifier (the config admits only letters, digits and _, so nothing to escape). */
export const quote = (name: string): string => `"${name}"`

export interface TableOptions {
  readonly schema: string
  readonly table: string
  readonly partitioning: "none" | "daily"
}

export const qualified = (o: TableOptions): string => `${quote(o.schema)}.${quote(o.table)}`

/** Extracted columns that migration adds to an older table when missing. */
const columns: ReadonlyArray<readonly [string, string]> = [
  ["seq", "bigserial NOT NULL"],
  ["level", "text NOT NULL DEFAULT 'info'"],
  ["logger", "text NOT NULL DEFAULT ''"],
  ["message", "text NOT NULL DEFAULT ''"],
  ["correlation_id", "text"],
  ["trace_id", "text"],
  ["span_id", "text"],
  ["event", "jsonb NOT NULL DEFAULT '{}'::jsonb"]
]

/** The statements of the migration, in order; each is idempotent. */
export const migration = (o: TableOptions): Array<string> => {
  const t = qualified(o)
  const index = (suffix: string, on: string, where = "") =>
    `CREATE INDEX IF NOT EXISTS ${quote(`${o.table}_${suffix}`)} ON ${t} ${on}${where}`
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quote(o.schema)}`,
    `CREATE TABLE IF NOT EXISTS ${t} (
      seq bigserial NOT NULL,
      id text NOT NULL,
      "timestamp" timestamptz NOT NULL,
      level text NOT NULL,
      logger text NOT NULL,
      message text NOT NULL,
      correlation_id text,
      trace_id text,
      span_id text,
      event jsonb NOT NULL,
      PRIMARY KEY (id, "timestamp")
    )${o.partitioning === "daily" ? ` PARTITION BY RANGE ("timestamp")` : ""}`,
    ...columns.map(([name, type]) => `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${name} ${type}`),
    index("timestamp_idx", `("timestamp")`),
    index("correlation_id_idx", "(correlation_id)", " WHERE correlation_id IS NOT NULL"),
    index("trace_id_idx", "(trace_id)", " WHERE trace_id IS NOT NULL"),
    index("level_timestamp_idx", `(level, "timestamp")`),
    // a partitioned table needs a partition for every row: the default one takes the days
    // that have none (an event from far in the past or future)
    ...(o.partitioning === "daily"
      ? [
          `CREATE TABLE IF NOT EXISTS ${quote(o.schema)}.${quote(`${o.table}_default`)} PARTITION OF ${t} DEFAULT`
        ]
      : [])
  ]
}

/** The partition of one UTC day (`2026-01-02`): `<table>_20260102`, [day, day + 1). */
export const partitionOf = (o: TableOptions, day: string): string => {
  const next = new Date(`${day}T00:00:00.000Z`)
  next.setUTCDate(next.getUTCDate() + 1)
  const to = next.toISOString().slice(0, 10)
  return `CREATE TABLE IF NOT EXISTS ${quote(o.schema)}.${quote(`${o.table}_${day.replace(/-/g, "")}`)} PARTITION OF ${qualified(o)} FOR VALUES FROM ('${day}T00:00:00Z') TO ('${to}T00:00:00Z')`
}

/** The UTC days from `from` (`YYYY-MM-DD`) for `count` days. */
export const daysFrom = (from: string, count: number): Array<string> => {
  const d = new Date(`${from}T00:00:00.000Z`)
  const out: Array<string> = []
  for (let i = 0; i < count; i++) {
    out.push(d.toISOString().slice(0, 10))
    d.setUTCDate(d.getUTCDate() + 1)
  }
  return out
}

/**
 * The insert of one batch: one statement, one `json` parameter (the rows of the request
 * body), read by `json_to_recordset` in the order of the array.
 */
export const insert = (o: TableOptions): string =>
  `INSERT INTO ${qualified(o)} (id, "timestamp", level, logger, message, correlation_id, trace_id, span_id, event)
   SELECT id, ts, level, logger, message, correlation_id, trace_id, span_id, event
   FROM ROWS FROM (json_to_recordset($1::json) AS (id text, "timestamp" timestamptz, level text, logger text,
       message text, "correlationId" text, "traceId" text, "spanId" text, event jsonb))
     WITH ORDINALITY AS r(id, ts, level, logger, message, correlation_id, trace_id, span_id, event, n)
   ORDER BY n
   ON CONFLICT (id, "timestamp") DO NOTHING`
