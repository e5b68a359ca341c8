/**
 * `npm run bench:sinks` (not part of `npm run bench`: it starts servers): throughput of the
 * network sinks against real local servers, started with the plugins' own test helpers
 * (Debian's rsyslog and PostgreSQL, as their tests do), each contender against a peer that
 * does the same work without fapilog.
 *
 * - syslog: BENCH_SINK_EVENTS (default 100000) events of about 200 bytes, RFC 5424 over TCP
 *   with octet counting, timed from the first call until rsyslog has written the last line to
 *   its file. Peer: pino writing fapilog's JSON line (`sameLine`) into a destination stream that wraps it in the
 *   same RFC 5424 header and writes it to a TCP socket (pino-syslog + pino-socket are not
 *   dependencies of this repository; the stream does what they do together, in-process).
 * - postgres: the same events, timed until the last row is committed. Peer: plain `pg` with
 *   the same rows (id, timestamp, level, logger, message, correlation id, jsonb event) in a
 *   multi-row `INSERT ... VALUES ... ON CONFLICT DO NOTHING` per 1,000, into a table made by
 *   the sink's own migration (same keys and indexes).
 * - postgres-insert: the statement alone, on rows prepared in advance, per 1,000 rows:
 *   `json_to_recordset` of one JSON parameter sent as UTF-8 bytes, the event embedded as it is
 *   (what the sink runs), `unnest` of one array per column (what it ran before), and multi-row
 *   `VALUES`; all with ON CONFLICT DO NOTHING.
 *
 * - elasticsearch: the same events as `_bulk` requests (1,000 documents per request, ECS
 *   documents, op create) to a local server in a child process that answers as Elasticsearch
 *   does (per-item `create` results), timed until it has taken the last document. Peer:
 *   `pino-elasticsearch` with `@elastic/ecs-pino-format` (the official client's bulk helper;
 *   `flushBytes` 1 MiB, op create), from npm.
 * - splunk: the same events to a local HTTP Event Collector stand-in (same child process),
 *   1,000 per request. Peer: pino whose destination hands each line, parsed, to
 *   `splunk-logging` (Splunk's own client, from npm; `maxBatchCount` 1,000), as a pino
 *   transport to HEC does; and `splunk-logging` alone (an object per call, no logger).
 *
 * - nats: the same events into a JetStream stream (file storage) of Debian's nats-server,
 *   timed until the stream has acknowledged the last one. Peer: pino writing fapilog's line
 *   (`sameLine`) into a destination stream that publishes each line with the plain client (`@nats-io/jetstream`, the same
 *   `Nats-Msg-Id` de-duplication, acknowledgements awaited per 1,000), what a pino transport for
 *   JetStream does, in process (no such transport is maintained on npm).
 * - redis: the same events into a Redis stream of Debian's redis-server (append-only file on),
 *   timed until the last entry is added: the sink by default (a script per batch, added once)
 *   and with `dedupe: "none"` (pipelined XADDs). Peer: pino writing fapilog's line (`sameLine`) into a destination stream
 *   that sends `XADD ... MAXLEN ~ ... * id level event` with the plain client (`@redis/client`,
 *   pipelined, replies awaited per 1,000), in process (no maintained pino transport for Redis
 *   Streams is on npm).
 *
 * - kafka: the same events, produced to the protocol-spec test broker of the Kafka plugin's
 *   tests (in this process: no Kafka broker installs here), timed until the broker has stored
 *   the last message. Both contenders use `@platformatic/kafka` with an idempotent producer
 *   (acks=all), no compression, no keys, 1,000 messages per request, each request's messages
 *   in one partition. Peer: pino writing fapilog's JSON line (`sameLine`: the same bytes per
 *   message) into a destination that collects them into batches of 1,000 and sends each with
 *   `producer.send`, one after the other (an idempotent producer's sequence numbers need one
 *   send at a time per partition).
 *
 * - audit: the same events at level `audit` into a tamper-evident trail in a temporary
 *   directory (HMAC-SHA256 and SHA-256 chain per record, segments of 64 MiB), timed from the
 *   first call until the logger has closed (every batch durable, the segment sealed): with
 *   `fsync: "batch"` (the default: one fdatasync per batch) and `fsync: "none"`. Peer: pino
 *   writing its JSON lines to a file through `pino.destination({ sync: false })` (no fsync,
 *   no chain), timed until the destination has closed.
 *
 * Each section runs in a Node process of its own (this script runs itself once per section
 * enabled, with BENCH_ONLY naming it): the plugins are imported from their sources here, so
 * in one process they would share one copy of the code they have in common (the request
 * writers' base class, the network foundation), which an installed plugin bundles for itself,
 * and each section would run on the code, heap and compiled state the sections before it left.
 * Within its process each contender runs BENCH_SINK_ROUNDS (default 5) times, the contenders
 * of a section taking turns to go first, each round after a full garbage collection (see `inTurn`);
 * the median is printed, with the ratio fapilog / peer (above 1: fapilog faster). An
 * in-process stand-in (the Kafka broker, CloudWatch Logs) forgets what it stored once a round
 * is counted. The syslog, kafka and cloudwatch sections also print each contender's median
 * CPU time (this process's, so the in-process server's share too, the same work for both),
 * steadier under other load.
 */
import { spawnSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as net from "node:net"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { ecsFormat } from "@elastic/ecs-pino-format"
import { jetstream, jetstreamManager } from "@nats-io/jetstream"
import { connect as natsConnect } from "@nats-io/transport-node"
import { Producer } from "@platformatic/kafka"
import { createClient as redisClient } from "@redis/client"
import pg from "pg"
import pino from "pino"
import type PinoElasticsearch from "pino-elasticsearch"
import { Logger as SplunkLogger } from "splunk-logging"
import * as Audit from "../plugins/audit/src/index.js"
import * as Elasticsearch from "../plugins/elasticsearch/src/index.js"
import * as Kafka from "../plugins/kafka/src/index.js"
import { startKafkaBroker } from "../plugins/kafka/test/kafkaBroker.js"
import * as Nats from "../plugins/nats/src/index.js"
import { startNats } from "../plugins/nats/test/natsServer.js"
import * as Postgres from "../plugins/postgres/src/index.js"
import { migration } from "../plugins/postgres/src/internal/table.js"
import { startPostgres } from "../plugins/postgres/test/postgresServer.js"
import * as Redis from "../plugins/redis/src/index.js"
import { startRedis } from "../plugins/redis/test/redisServer.js"
import * as Splunk from "../plugins/splunk/src/index.js"
import * as Syslog from "../plugins/syslog/src/index.js"
import { startRsyslog } from "../plugins/syslog/test/rsyslog.js"
import { fapilog, median } from "./common.js"

const EVENTS = Number(process.env.BENCH_SINK_EVENTS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_SINK_ROUNDS ?? 5)
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim())
const enabled = (section: string): boolean => only === undefined || only.includes(section)

/** About 200 bytes as a JSON line: a message and four fields. */
const fields = (i: number) => ({ i, user: "alice", route: "/api/orders/42", status: 200, ms: 12.5 })
const MESSAGE = "request handled"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Lines counted so far per file, and up to where: a file only grows, so each count reads only what was added. */
const counted = new Map<string, { bytes: number; lines: number }>()

/** The lines in a file that is only appended to (the count is polled while a round runs: it must cost little). */
const lines = (file: string): number => {
  if (!fs.existsSync(file)) return 0
  let c = counted.get(file)
  const size = fs.statSync(file).size
  if (c === undefined || size < c.bytes) counted.set(file, (c = { bytes: 0, lines: 0 }))
  if (size > c.bytes) {
    const b = Buffer.allocUnsafe(size - c.bytes)
    const fd = fs.openSync(file, "r")
    try {
      const read = fs.readSync(fd, b, 0, b.length, c.bytes)
      for (let i = b.indexOf(10); i >= 0 && i < read; i = b.indexOf(10, i + 1)) c.lines++
      c.bytes += read
    } finally {
      fs.closeSync(fd)
    }
  }
  return c.lines
}

const waitLines = async (file: string, n: number) => {
  const until = Date.now() + 120_000
  while (lines(file) < n) {
    if (Date.now() > until) throw new Error(`${file}: ${lines(file)} of ${n} lines`)
    await sleep(20)
  }
}

const rate = (ms: number) => Math.round((EVENTS / ms) * 1000)

const report = (section: string, rows: Record<string, number>, fapilogKey: string, peerKey: string) => {
  for (const [k, v] of Object.entries(rows))
    console.log(`${section}  ${k.padEnd(28)} ${String(v).padStart(9)} events/s`)
  console.log(
    `${section}  ratio ${fapilogKey} / ${peerKey}: ${(rows[fapilogKey]! / rows[peerKey]!).toFixed(2)}`
  )
}

/**
 * pino options that make the line fapilog writes for the same call: the same keys and values
 * (the time as ISO 8601 under `timestamp`, the level's name, `logger`, the message under
 * `message`, then the fields), in another order, so the same bytes go on the wire. Every peer
 * that sends the JSON line as it is (syslog, nats, redis, kafka, cloudwatch) uses them: pino's
 * default line (`"level":30,"time":<epoch>`, `msg`, no logger) is about 35 bytes shorter than
 * fapilog's, less for the peer to send and for the server to parse and store.
 */
const sameLine: pino.LoggerOptions = {
  base: { logger: "app" },
  messageKey: "message",
  timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
  formatters: { level: (label) => ({ level: label }) }
}

// a full collection on demand, outside the timed part (the flag set now, as `--expose-gc` would)
v8.setFlagsFromString("--expose-gc")
const collect = vm.runInNewContext("gc") as () => void

/**
 * Runs one round of the contenders of a section, each after a full garbage collection, the
 * first of them in turn (round 0 starts with the first, round 1 with the second...): none
 * pays, within its timed run, for the garbage another left, and what else one leaves behind
 * (a grown heap, a warm JIT) weighs on each in turn, not always on the same one.
 */
const inTurn = async (round: number, contenders: ReadonlyArray<() => Promise<void>>) => {
  for (let k = 0; k < contenders.length; k++) {
    collect()
    await contenders[(round + k) % contenders.length]!()
  }
}

/** CPU milliseconds (user and system) of this process since `since` (`process.cpuUsage()`). */
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1000
}

/** The median CPU time of each contender, and their ratio (CPU per event, above 1: fapilog cheaper). */
const reportCpu = (
  section: string,
  cpu: Record<string, Array<number>>,
  fapilogKey: string,
  peerKey: string
) => {
  const m = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]))
  for (const [k, v] of Object.entries(m))
    console.log(`${section}  cpu ${k.padEnd(24)} ${String(Math.round(v)).padStart(9)} ms`)
  console.log(
    `${section}  cpu ratio ${peerKey} / ${fapilogKey}: ${(m[peerKey]! / m[fapilogKey]!).toFixed(2)}`
  )
}

// ---- syslog ----

const syslogBench = async () => {
  const r = await startRsyslog()
  const output = `${r.dir}/out.jsonl`
  const host = os.hostname()
  const times: Record<string, Array<number>> = { "fapilog syslog": [], "pino + rfc5424 socket": [] }
  const cpu: Record<string, Array<number>> = { "fapilog syslog": [], "pino + rfc5424 socket": [] }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const fapilogRound = async () => {
        const before = lines(output)
        const log = await fapilog.createLogger({
          // the calls come in one synchronous loop: a backlog that holds them all, as pino's socket buffer does
          capacity: EVENTS + 1000,
          shutdownTimeoutMs: 300_000,
          plugins: { use: [Syslog.plugin] },
          sinks: [
            fapilog.Plugin.entry("syslog", {
              host: "127.0.0.1",
              port: r.tcpPort,
              protocol: "tcp",
              hostname: host,
              appName: "bench",
              drainTimeoutMs: 300_000
            })
          ]
        })
        const start = performance.now()
        const cpuStart = process.cpuUsage()
        for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, fields(i))
        await log.close()
        const { lost, refused } = log.health().stats as { lost: number; refused: number }
        if (lost + refused > 0) throw new Error(`fapilog syslog: ${lost} lost, ${refused} refused`)
        await waitLines(output, before + EVENTS)
        times["fapilog syslog"]!.push(performance.now() - start)
        cpu["fapilog syslog"]!.push(cpuMs(cpuStart))
      }
      const peerRound = async () => {
        const before = lines(output)
        const socket = net.connect({ host: "127.0.0.1", port: r.tcpPort })
        await new Promise((resolve) => socket.once("connect", resolve))
        const header = `<14>1 %T ${host} bench ${process.pid} - - \uFEFF`
        const destination = {
          write: (line: string) => {
            // pino's line ends with a newline; the message is the JSON line without it
            const ts = new Date().toISOString()
            const message = Buffer.from(header.replace("%T", ts) + line.slice(0, -1))
            socket.write(`${message.length} `)
            socket.write(message)
          }
        }
        const log = pino(sameLine, destination)
        const start = performance.now()
        const cpuStart = process.cpuUsage()
        for (let i = 0; i < EVENTS; i++) log.info(fields(i), MESSAGE)
        await new Promise<void>((resolve) => socket.end(resolve))
        await waitLines(output, before + EVENTS)
        times["pino + rfc5424 socket"]!.push(performance.now() - start)
        cpu["pino + rfc5424 socket"]!.push(cpuMs(cpuStart))
      }
      await inTurn(round, [fapilogRound, peerRound])
    }
  } finally {
    await r.close()
  }
  const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
  report("syslog", rows, "fapilog syslog", "pino + rfc5424 socket")
  reportCpu("syslog", cpu, "fapilog syslog", "pino + rfc5424 socket")
}

// ---- postgres ----

const COLUMNS = `id, "timestamp", level, logger, message, correlation_id, event`

interface Row {
  readonly id: string
  readonly timestamp: string
  readonly message: string
  readonly event: string
}

const rowsFor = (n: number): Array<Row> =>
  Array.from({ length: n }, (_, i) => {
    const timestamp = new Date().toISOString()
    const id = randomUUID()
    return {
      id,
      timestamp,
      message: MESSAGE,
      event: JSON.stringify({ timestamp, level: "info", logger: "app", message: MESSAGE, id, ...fields(i) })
    }
  })

/** The sink's own table (same columns, keys and indexes), created by its migration. */
const createPeerTable = async (client: pg.Client, table: string) => {
  await client.query(`DROP TABLE IF EXISTS ${table}`)
  for (const statement of migration({ schema: "public", table, partitioning: "none" }))
    await client.query(statement)
}

const valuesInsert = (client: pg.Client, table: string, rows: ReadonlyArray<Row>) => {
  const params: Array<unknown> = []
  const tuples: Array<string> = []
  for (const row of rows) {
    const b = params.length
    tuples.push(`($${b + 1}, $${b + 2}, 'info', 'app', $${b + 3}, NULL, $${b + 4})`)
    params.push(row.id, row.timestamp, row.message, row.event)
  }
  return client.query(
    `INSERT INTO ${table} (${COLUMNS}) VALUES ${tuples.join(", ")} ON CONFLICT DO NOTHING`,
    params
  )
}

const unnestInsert = (client: pg.Client, table: string, rows: ReadonlyArray<Row>) =>
  client.query(
    `INSERT INTO ${table} (${COLUMNS}) SELECT id, ts, 'info', 'app', message, NULL, event::jsonb FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[]) AS t(id, ts, message, event) ON CONFLICT DO NOTHING`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.timestamp),
      rows.map((r) => r.message),
      rows.map((r) => r.event)
    ]
  )

const jsonInsert = (client: pg.Client, table: string, rows: ReadonlyArray<Row>) =>
  client.query(
    `INSERT INTO ${table} (${COLUMNS}) SELECT id, "timestamp", 'info', 'app', message, NULL, event FROM json_to_recordset($1::json) AS t(id text, "timestamp" timestamptz, message text, event jsonb) ON CONFLICT DO NOTHING`,
    [
      Buffer.from(
        `[${rows.map((r) => `{"id":${JSON.stringify(r.id)},"timestamp":"${r.timestamp}","message":${JSON.stringify(r.message)},"event":${r.event}}`).join(",")}]`
      )
    ]
  )

const postgresBench = async () => {
  const server = await startPostgres()
  const client = new pg.Client({ connectionString: server.url })
  await client.connect()
  try {
    if (enabled("postgres")) {
      const times: Record<string, Array<number>> = { "fapilog postgres": [], "pg multi-row VALUES": [] }
      for (let round = 0; round < ROUNDS; round++) {
        const fapilogRound = async () => {
          const table = `bench_fapilog_${round}`
          const log = await fapilog.createLogger({
            capacity: EVENTS + 1000,
            shutdownTimeoutMs: 300_000,
            plugins: { use: [Postgres.plugin] },
            sinks: [
              fapilog.Plugin.entry("postgres", {
                connectionString: server.url,
                table,
                drainTimeoutMs: 300_000
              })
            ]
          })
          // the table is created before the first insert: let it exist before timing
          log.info("warm-up")
          await log.flush()
          const start = performance.now()
          for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, fields(i))
          await log.close()
          times["fapilog postgres"]!.push(performance.now() - start)
          const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`)
          if (rows[0].n !== EVENTS + 1)
            throw new Error(`fapilog postgres: ${rows[0].n} rows, not ${EVENTS + 1}`)
        }
        const peerRound = async () => {
          const table = `bench_peer_${round}`
          await createPeerTable(client, table)
          const peer = new pg.Client({ connectionString: server.url })
          await peer.connect()
          const start = performance.now()
          // the peer forms its rows as the events come, 1,000 per insert, one insert at a time
          for (let i = 0; i < EVENTS; i += 1000)
            await valuesInsert(peer, table, rowsFor(Math.min(1000, EVENTS - i)))
          times["pg multi-row VALUES"]!.push(performance.now() - start)
          await peer.end()
        }
        await inTurn(round, [fapilogRound, peerRound])
      }
      const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
      report("postgres", rows, "fapilog postgres", "pg multi-row VALUES")
    }
    if (enabled("postgres-insert")) {
      const batches = Array.from({ length: Math.ceil(EVENTS / 1000) }, () => rowsFor(1000))
      const ways = { json_to_recordset: jsonInsert, unnest: unnestInsert, "multi-row VALUES": valuesInsert }
      const times: Record<string, Array<number>> = {
        json_to_recordset: [],
        unnest: [],
        "multi-row VALUES": []
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, insert] of Object.entries(ways)) {
          const table = `bench_insert_${round}_${name.replace(/\W/g, "_").toLowerCase()}`
          await createPeerTable(client, table)
          const start = performance.now()
          for (const batch of batches) await insert(client, table, batch)
          times[name]!.push(performance.now() - start)
        }
      }
      const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
      report("postgres-insert", rows, "json_to_recordset", "multi-row VALUES")
    }
  } finally {
    await client.end()
    server.close()
  }
}

// ---- elasticsearch and splunk: a local server in a child process ----

/**
 * An HTTP server in a child process (its parsing does not share the contenders' event loop):
 * `_bulk` answered item by item as Elasticsearch does, `_refresh` answered, HEC event bodies
 * answered `{"text":"Success","code":0}`; `GET /count` gives the documents and envelopes taken.
 */
const SERVER = `
const http = require("node:http")
let count = 0
const server = http.createServer((req, res) => {
  const chunks = []
  req.on("data", (c) => chunks.push(c))
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8")
    const json = (status, value) => {
      res.writeHead(status, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" })
      res.end(JSON.stringify(value))
    }
    if (req.url === "/count") return json(200, { count })
    if (req.url.startsWith("/_bulk")) {
      const lines = body.split("\\n").filter((l) => l !== "")
      const items = []
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i])
        const op = Object.keys(action)[0]
        items.push({ [op]: { _index: action[op]._index, _id: action[op]._id ?? String(count), status: 201, result: "created" } })
        count++
      }
      return json(200, { took: 1, errors: false, items })
    }
    if (req.url.includes("/_refresh")) return json(200, { _shards: { total: 1, successful: 1, failed: 0 } })
    if (req.url.startsWith("/services/collector")) {
      count += body.split('"event":').length - 1
      return json(200, { text: "Success", code: 0 })
    }
    json(404, {})
  })
})
server.keepAliveTimeout = 60000
server.listen(0, "127.0.0.1", function () { process.send(this.address().port) })
`

// a CommonJS module whose declarations say `export default`: required as it runs
const pinoElasticsearch = createRequire(import.meta.url)(
  "pino-elasticsearch"
) as typeof PinoElasticsearch.default

const startServer = async () => {
  const { spawn } = await import("node:child_process")
  const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "inherit", "inherit", "ipc"] })
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(Number(m))))
  const count = async (): Promise<number> => {
    try {
      return ((await (await fetch(`http://127.0.0.1:${port}/count`)).json()) as { count: number }).count
    } catch {
      // a kept-alive connection the server closed meanwhile: ask again
      await sleep(50)
      return count()
    }
  }
  const waitCount = async (n: number) => {
    const until = Date.now() + 120_000
    while ((await count()) < n) {
      if (Date.now() > until) throw new Error(`${await count()} of ${n} taken`)
      await sleep(20)
    }
  }
  return { port, count, waitCount, close: () => child.kill() }
}

/** One fapilog round through a plugin sink: logged in one loop, timed until the server has every event. */
const httpSinkRound = async (
  server: Awaited<ReturnType<typeof startServer>>,
  plugin: unknown,
  entry: ReturnType<typeof fapilog.Plugin.entry>
): Promise<number> => {
  const before = await server.count()
  const log = await fapilog.createLogger({
    capacity: EVENTS + 1000,
    shutdownTimeoutMs: 300_000,
    plugins: { use: [plugin as never] },
    sinks: [entry]
  })
  const start = performance.now()
  for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, fields(i))
  await log.close()
  const { lost, refused } = log.health().stats as { lost: number; refused: number }
  if (lost + refused > 0) throw new Error(`${entry.type}: ${lost} lost, ${refused} refused`)
  await server.waitCount(before + EVENTS)
  return performance.now() - start
}

const elasticsearchBench = async () => {
  const server = await startServer()
  const times: Record<string, Array<number>> = {
    "fapilog elasticsearch": [],
    "pino-elasticsearch + ecs": []
  }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const fapilogRound = async () => {
        times["fapilog elasticsearch"]!.push(
          await httpSinkRound(
            server,
            Elasticsearch.plugin,
            fapilog.Plugin.entry("elasticsearch", {
              url: `http://127.0.0.1:${server.port}`,
              index: "bench",
              drainTimeoutMs: 300_000
            })
          )
        )
      }
      const peerRound = async () => {
        const before = await server.count()
        const stream = pinoElasticsearch({
          node: `http://127.0.0.1:${server.port}`,
          index: "bench",
          esVersion: 8,
          opType: "create",
          flushBytes: 1024 * 1024,
          flushInterval: 1000
        })
        const log = pino({ ...ecsFormat() }, stream)
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) log.info(fields(i), MESSAGE)
        stream.end()
        await server.waitCount(before + EVENTS)
        times["pino-elasticsearch + ecs"]!.push(performance.now() - start)
      }
      await inTurn(round, [fapilogRound, peerRound])
    }
  } finally {
    server.close()
  }
  const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
  report("elasticsearch", rows, "fapilog elasticsearch", "pino-elasticsearch + ecs")
}

const splunkBench = async () => {
  const server = await startServer()
  const token = "00000000-0000-0000-0000-000000000000"
  const times: Record<string, Array<number>> = {
    "fapilog splunk": [],
    "pino + splunk-logging": [],
    "splunk-logging alone": []
  }
  const splunkLogger = () => {
    const logger = new SplunkLogger({
      token,
      url: `http://127.0.0.1:${server.port}`,
      maxBatchCount: 1000,
      maxRetries: 0
    })
    logger.error = (e: unknown) => {
      throw e
    }
    return logger
  }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const fapilogRound = async () => {
        times["fapilog splunk"]!.push(
          await httpSinkRound(
            server,
            Splunk.plugin,
            fapilog.Plugin.entry("splunk", {
              url: `http://127.0.0.1:${server.port}`,
              token,
              drainTimeoutMs: 300_000
            })
          )
        )
      }
      const peerRound = async () => {
        // a logger in front of Splunk's client, as a pino transport to HEC does: each JSON line
        // read back and sent as the event
        const before = await server.count()
        const splunk = splunkLogger()
        const log = pino(
          { base: null },
          { write: (line: string) => splunk.send({ message: JSON.parse(line), severity: "info" }) }
        )
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) log.info(fields(i), MESSAGE)
        splunk.flush()
        await server.waitCount(before + EVENTS)
        times["pino + splunk-logging"]!.push(performance.now() - start)
      }
      const clientRound = async () => {
        // the client alone: no logger (no timestamps, levels or line), an object per call
        const before = await server.count()
        const splunk = splunkLogger()
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++)
          splunk.send({ message: { msg: MESSAGE, ...fields(i) }, severity: "info" })
        splunk.flush()
        await server.waitCount(before + EVENTS)
        times["splunk-logging alone"]!.push(performance.now() - start)
      }
      await inTurn(round, [fapilogRound, peerRound, clientRound])
    }
  } finally {
    server.close()
  }
  const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
  report("splunk", rows, "fapilog splunk", "pino + splunk-logging")
  console.log(
    `splunk  ratio fapilog splunk / splunk-logging alone: ${(rows["fapilog splunk"]! / rows["splunk-logging alone"]!).toFixed(2)}`
  )
}

// ---- nats ----

const natsBench = async () => {
  const server = await startNats()
  const nc = await natsConnect({ servers: server.url })
  const jsm = await jetstreamManager(nc)
  const count = async (stream: string) => (await jsm.streams.info(stream)).state.messages
  const times: Record<string, Array<number>> = { "fapilog nats": [], "pino + jetstream publish": [] }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const fapilogRound = async () => {
        const stream = `BENCH_FAPILOG_${round}`
        const log = await fapilog.createLogger({
          capacity: EVENTS + 1000,
          shutdownTimeoutMs: 300_000,
          plugins: { use: [Nats.plugin] },
          sinks: [
            fapilog.Plugin.entry("nats", {
              servers: server.url,
              subject: `bench.fapilog.${round}`,
              stream,
              drainTimeoutMs: 300_000
            })
          ]
        })
        // the stream is created before the first publish: let it exist before timing
        log.info("warm-up")
        await log.flush()
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, fields(i))
        await log.close()
        times["fapilog nats"]!.push(performance.now() - start)
        const n = await count(stream)
        if (n !== EVENTS + 1) throw new Error(`fapilog nats: ${n} messages, not ${EVENTS + 1}`)
      }
      const peerRound = async () => {
        const stream = `BENCH_PEER_${round}`
        const subject = `bench.peer.${round}`
        await jsm.streams.add({ name: stream, subjects: [subject] })
        const js = jetstream(nc)
        let pending: Array<Promise<unknown>> = []
        let seq = 0
        const destination = {
          write: (line: string) => {
            pending.push(js.publish(subject, line.slice(0, -1), { msgID: `peer-${round}-${seq++}` }))
          }
        }
        const log = pino(sameLine, destination)
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) {
          log.info(fields(i), MESSAGE)
          if (pending.length === 1000) {
            await Promise.all(pending)
            pending = []
          }
        }
        await Promise.all(pending)
        times["pino + jetstream publish"]!.push(performance.now() - start)
        const n = await count(stream)
        if (n !== EVENTS) throw new Error(`pino + jetstream: ${n} messages, not ${EVENTS}`)
      }
      await inTurn(round, [fapilogRound, peerRound])
    }
  } finally {
    await nc.close()
    await server.close()
  }
  const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
  report("nats", rows, "fapilog nats", "pino + jetstream publish")
}

// ---- redis ----

const redisBench = async () => {
  const server = await startRedis()
  const client = redisClient({ url: server.url })
  await client.connect()
  const length = async (stream: string) => Number(await client.sendCommand(["XLEN", stream]))
  const times: Record<string, Array<number>> = {
    "fapilog redis": [],
    "fapilog redis dedupe:none": [],
    "pino + XADD stream": []
  }
  try {
    const dedupes = ["batch", "none"] as const
    for (let round = 0; round < ROUNDS; round++) {
      const fapilogRound = (dedupe: (typeof dedupes)[number]) => async () => {
        const stream = `bench:fapilog:${dedupe}:${round}`
        const log = await fapilog.createLogger({
          capacity: EVENTS + 1000,
          shutdownTimeoutMs: 300_000,
          plugins: { use: [Redis.plugin] },
          sinks: [fapilog.Plugin.entry("redis", { url: server.url, stream, dedupe, drainTimeoutMs: 300_000 })]
        })
        log.info("warm-up")
        await log.flush()
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, fields(i))
        await log.close()
        times[dedupe === "batch" ? "fapilog redis" : "fapilog redis dedupe:none"]!.push(
          performance.now() - start
        )
        const n = await length(stream)
        if (n !== EVENTS + 1) throw new Error(`fapilog redis: ${n} entries, not ${EVENTS + 1}`)
      }
      const peerRound = async () => {
        const stream = `bench:peer:${round}`
        const peer = redisClient({ url: server.url })
        await peer.connect()
        let pending: Array<Promise<unknown>> = []
        let seq = 0
        const destination = {
          write: (line: string) => {
            pending.push(
              peer.sendCommand([
                "XADD",
                stream,
                "MAXLEN",
                "~",
                "1000000",
                "*",
                "id",
                `peer-${round}-${seq++}`,
                "level",
                "info",
                "event",
                line.slice(0, -1)
              ])
            )
          }
        }
        const log = pino(sameLine, destination)
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) {
          log.info(fields(i), MESSAGE)
          if (pending.length === 1000) {
            await Promise.all(pending)
            pending = []
          }
        }
        await Promise.all(pending)
        times["pino + XADD stream"]!.push(performance.now() - start)
        await peer.close()
        const n = await length(stream)
        if (n !== EVENTS) throw new Error(`pino + XADD: ${n} entries, not ${EVENTS}`)
      }
      await inTurn(round, [...dedupes.map(fapilogRound), peerRound])
    }
  } finally {
    await client.close()
    await server.close()
  }
  const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
  report("redis", rows, "fapilog redis", "pino + XADD stream")
}

// ---- kafka ----

const kafkaBench = async () => {
  const PARTITIONS = 3
  const broker = await startKafkaBroker({ topic: "bench", partitions: PARTITIONS })
  const times: Record<string, Array<number>> = { "fapilog kafka": [], "pino + @platformatic/kafka": [] }
  const cpu: Record<string, Array<number>> = { "fapilog kafka": [], "pino + @platformatic/kafka": [] }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const fapilogRound = async () => {
        const before = broker.stored().length
        const log = await fapilog.createLogger({
          // the calls come in one synchronous loop: a backlog that holds them all, as the peer's array does
          capacity: EVENTS + 1000,
          shutdownTimeoutMs: 300_000,
          plugins: { use: [Kafka.plugin] },
          sinks: [
            fapilog.Plugin.entry("kafka", {
              brokers: [broker.address],
              topic: "bench",
              keyField: false,
              batch: { maxEvents: 1000 },
              drainTimeoutMs: 300_000
            })
          ]
        })
        const start = performance.now()
        const cpuStart = process.cpuUsage()
        for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, fields(i))
        await log.close()
        const { lost, refused } = log.health().stats as { lost: number; refused: number }
        if (lost + refused > 0) throw new Error(`fapilog kafka: ${lost} lost, ${refused} refused`)
        await broker.waitFor(before + EVENTS, 300_000)
        times["fapilog kafka"]!.push(performance.now() - start)
        cpu["fapilog kafka"]!.push(cpuMs(cpuStart))
        broker.forget()
      }
      const peerRound = async () => {
        const before = broker.stored().length
        const producer = new Producer({
          clientId: "bench-peer",
          bootstrapBrokers: [broker.address],
          idempotent: true,
          compression: "none"
        })
        let batch: Array<{ topic: string; partition: number; value: Buffer }> = []
        let sent = 0
        let chain: Promise<unknown> = Promise.resolve()
        const flush = () => {
          const messages = batch
          batch = []
          chain = chain.then(() => producer.send({ messages }))
        }
        const destination = {
          write: (line: string) => {
            batch.push({
              topic: "bench",
              partition: sent % PARTITIONS,
              value: Buffer.from(line.slice(0, -1))
            })
            if (batch.length === 1000) {
              sent++
              flush()
            }
          }
        }
        const log = pino(sameLine, destination)
        const start = performance.now()
        const cpuStart = process.cpuUsage()
        for (let i = 0; i < EVENTS; i++) log.info(fields(i), MESSAGE)
        if (batch.length > 0) flush()
        await chain
        await broker.waitFor(before + EVENTS, 300_000)
        times["pino + @platformatic/kafka"]!.push(performance.now() - start)
        cpu["pino + @platformatic/kafka"]!.push(cpuMs(cpuStart))
        await producer.close()
        broker.forget()
      }
      await inTurn(round, [fapilogRound, peerRound])
    }
  } finally {
    await broker.close()
  }
  const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
  report("kafka", rows, "fapilog kafka", "pino + @platformatic/kafka")
  reportCpu("kafka", cpu, "fapilog kafka", "pino + @platformatic/kafka")
}

// ---- datadog ----
// fapilog's datadog sink (gzip, its defaults: 1000 entries or 5 MB per request, 1 s wait) to
// a local stand-in for the logs intake (it inflates each request, reads its entries and
// answers 202), timed until the intake has every entry. Peer: pino with pino-datadog-transport
// (the stream its transport builds, used in-process as pino's destination; the Datadog API
// client it sends with pointed at the same intake, gzip, 995 entries or 5 MB per request,
// sendIntervalMs 1000 like the sink's wait).

const intakeServer = async (apiKey: string) => {
  const http = await import("node:http")
  const zlib = await import("node:zlib")
  let entries = 0
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      if (req.headers["dd-api-key"] !== apiKey) {
        res.writeHead(403).end()
        return
      }
      const body = Buffer.concat(chunks)
      const json = req.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(body) : body
      const value = JSON.parse(json.toString("utf8")) as unknown
      entries += Array.isArray(value) ? value.length : 1
      res.writeHead(202, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as import("node:net").AddressInfo).port
  return {
    port,
    entries: () => entries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

const waitFor = async (what: string, count: () => number, n: number) => {
  const until = Date.now() + 300_000
  while (count() < n) {
    if (Date.now() > until) throw new Error(`${what}: ${count()} of ${n}`)
    await sleep(5)
  }
}

const datadogBench = async () => {
  const Datadog = await import("../plugins/datadog/src/index.js")
  const { default: pinoDatadog } = await import("pino-datadog-transport")
  const { client } = await import("@datadog/datadog-api-client")
  const apiKey = "bench-api-key"
  const intake = await intakeServer(apiKey)
  const times: Record<string, Array<number>> = { "fapilog datadog": [], "pino-datadog-transport": [] }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const fapilogRound = async () => {
        const before = intake.entries()
        const log = await fapilog.createLogger({
          capacity: EVENTS + 1000,
          shutdownTimeoutMs: 300_000,
          plugins: { use: [Datadog.plugin] },
          sinks: [
            fapilog.Plugin.entry("datadog", {
              apiKey,
              url: `http://127.0.0.1:${intake.port}/api/v2/logs`,
              service: "bench",
              drainTimeoutMs: 300_000
            })
          ]
        })
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, fields(i))
        await log.close()
        const { lost, refused } = log.health().stats as { lost: number; refused: number }
        if (lost + refused > 0) throw new Error(`fapilog datadog: ${lost} lost, ${refused} refused`)
        await waitFor("fapilog datadog", intake.entries, before + EVENTS)
        times["fapilog datadog"]!.push(performance.now() - start)
      }
      const peerRound = async () => {
        const before = intake.entries()
        // the transport's send timer is never cleared (it runs until the process exits): keep
        // hold of it to clear it after the round
        const timers: Array<ReturnType<typeof setInterval>> = []
        const setIntervalBefore = globalThis.setInterval
        globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
          const t = setIntervalBefore(...args)
          timers.push(t)
          return t
        }) as typeof setInterval
        let errors = 0
        let destination: Awaited<ReturnType<typeof pinoDatadog>>
        try {
          destination = await pinoDatadog({
            ddClientConf: {
              authMethods: { apiKeyAuth: apiKey },
              baseServer: new client.BaseServerConfiguration(`http://127.0.0.1:${intake.port}`, {})
            },
            service: "bench",
            ddsource: "nodejs",
            sendIntervalMs: 1000,
            onError: () => {
              errors++
            }
          })
        } finally {
          globalThis.setInterval = setIntervalBefore
        }
        const log = pino({ base: null }, destination)
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) log.info(fields(i), MESSAGE)
        await waitFor("pino-datadog-transport", intake.entries, before + EVENTS)
        times["pino-datadog-transport"]!.push(performance.now() - start)
        for (const t of timers) clearInterval(t)
        if (errors > 0) throw new Error(`pino-datadog-transport: ${errors} errors`)
      }
      await inTurn(round, [fapilogRound, peerRound])
    }
  } finally {
    await intake.close()
  }
  const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
  report("datadog", rows, "fapilog datadog", "pino-datadog-transport")
}

// ---- cloudwatch ----
// fapilog's cloudwatch sink (its defaults: 10,000 events or 1,048,576 bytes per PutLogEvents
// call, 1 s wait) to the local stand-in for CloudWatch Logs that its tests use (AWS JSON 1.1,
// every request's SigV4 signature checked), timed until the stand-in has stored every event.
// Peer: pino-cloudwatch is built on the AWS SDK v2, which is not a dependency here, so the
// peer is its equivalent in-process: pino writing fapilog's line (`sameLine`, the same bytes
// per event) into a destination that collects the lines into PutLogEvents batches under the
// same limits and sends them, one call at a time, with the same SDK v3 client
// (@aws-sdk/client-cloudwatch-logs) to the same stand-in.

const cloudwatchBench = async () => {
  const CloudWatch = await import("../plugins/cloudwatch/src/index.js")
  const { CloudWatchLogsClient, PutLogEventsCommand } = await import("@aws-sdk/client-cloudwatch-logs")
  const { CREDENTIALS, REGION, startCloudWatch } = await import(
    "../plugins/cloudwatch/test/cloudwatchServer.js"
  )
  const server = await startCloudWatch({ existing: { "/bench": ["fapilog", "peer"] } })
  const stored = (stream: string) => () => server.groups.get("/bench")?.get(stream)?.length ?? 0
  // the stand-in keeps every event and call it takes, for the tests: once a round is counted
  // they are dropped, so that this process's heap, and what each garbage collection has to
  // mark, does not grow round by round with what the real service would hold elsewhere
  const forget = () => {
    for (const stream of server.groups.get("/bench")?.values() ?? []) stream.length = 0
    server.calls.length = 0
  }
  const times: Record<string, Array<number>> = { "fapilog cloudwatch": [], "pino + SDK PutLogEvents": [] }
  const cpu: Record<string, Array<number>> = { "fapilog cloudwatch": [], "pino + SDK PutLogEvents": [] }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const fapilogRound = async () => {
        const before = stored("fapilog")()
        const log = await fapilog.createLogger({
          capacity: EVENTS + 1000,
          shutdownTimeoutMs: 300_000,
          plugins: { use: [CloudWatch.plugin] },
          sinks: [
            fapilog.Plugin.entry("cloudwatch", {
              region: REGION,
              logGroup: "/bench",
              logStream: "fapilog",
              endpoint: server.endpoint,
              credentials: { ...CREDENTIALS },
              drainTimeoutMs: 300_000
            })
          ]
        })
        const start = performance.now()
        const cpuStart = process.cpuUsage()
        for (let i = 0; i < EVENTS; i++) log.info(MESSAGE, fields(i))
        await log.close()
        const { lost, refused } = log.health().stats as { lost: number; refused: number }
        if (lost + refused > 0) throw new Error(`fapilog cloudwatch: ${lost} lost, ${refused} refused`)
        await waitFor("fapilog cloudwatch", stored("fapilog"), before + EVENTS)
        times["fapilog cloudwatch"]!.push(performance.now() - start)
        cpu["fapilog cloudwatch"]!.push(cpuMs(cpuStart))
        forget()
      }
      const peerRound = async () => {
        const before = stored("peer")()
        const client = new CloudWatchLogsClient({
          region: REGION,
          endpoint: server.endpoint,
          credentials: { ...CREDENTIALS }
        })
        let batch: Array<{ timestamp: number; message: string }> = []
        let bytes = 0
        let sending = Promise.resolve()
        const send = () => {
          const logEvents = batch
          batch = []
          bytes = 0
          sending = sending.then(async () => {
            await client.send(
              new PutLogEventsCommand({ logGroupName: "/bench", logStreamName: "peer", logEvents })
            )
          })
        }
        const destination = {
          write: (line: string) => {
            const message = line.slice(0, -1)
            const size = Buffer.byteLength(message) + 26
            if (batch.length === 10_000 || bytes + size > 1_048_576) send()
            batch.push({ timestamp: Date.now(), message })
            bytes += size
          }
        }
        const log = pino(sameLine, destination)
        const start = performance.now()
        const cpuStart = process.cpuUsage()
        for (let i = 0; i < EVENTS; i++) log.info(fields(i), MESSAGE)
        if (batch.length > 0) send()
        await sending
        await waitFor("pino + SDK PutLogEvents", stored("peer"), before + EVENTS)
        times["pino + SDK PutLogEvents"]!.push(performance.now() - start)
        cpu["pino + SDK PutLogEvents"]!.push(cpuMs(cpuStart))
        forget()
        client.destroy()
      }
      await inTurn(round, [fapilogRound, peerRound])
    }
  } finally {
    await server.stop()
  }
  const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
  report("cloudwatch", rows, "fapilog cloudwatch", "pino + SDK PutLogEvents")
  reportCpu("cloudwatch", cpu, "fapilog cloudwatch", "pino + SDK PutLogEvents")
}

// ---- audit ----

const AUDIT_KEY = "5e".repeat(32)

const auditBench = async () => {
  const times: Record<string, Array<number>> = {
    "fapilog audit, fsync per batch": [],
    "fapilog audit, no fsync": [],
    "pino file (sync:false)": []
  }
  const dirs: Array<string> = []
  const temp = () => {
    const d = fs.mkdtempSync(`${os.tmpdir()}/fapilog-bench-audit-`)
    dirs.push(d)
    return d
  }
  try {
    const fsyncs = ["batch", "none"] as const
    for (let round = 0; round < ROUNDS; round++) {
      const fapilogRound = (fsync: (typeof fsyncs)[number]) => async () => {
        const log = await fapilog.createLogger({
          capacity: EVENTS + 1000,
          shutdownTimeoutMs: 300_000,
          plugins: { use: [Audit.plugin] },
          sinks: [fapilog.Plugin.entry("audit", { path: temp(), key: AUDIT_KEY, fsync })]
        })
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) log.audit(MESSAGE, fields(i))
        await log.close()
        times[fsync === "batch" ? "fapilog audit, fsync per batch" : "fapilog audit, no fsync"]!.push(
          performance.now() - start
        )
        if (log.health().sinks[0]!.written !== EVENTS) throw new Error("audit: not every event was written")
      }
      const peerRound = async () => {
        const file = `${temp()}/pino.log`
        const destination = pino.destination({ dest: file, sync: false })
        const log = pino({ base: null }, destination)
        const start = performance.now()
        for (let i = 0; i < EVENTS; i++) log.info(fields(i), MESSAGE)
        await new Promise<void>((resolve) => {
          destination.once("close", () => resolve())
          destination.end()
        })
        times["pino file (sync:false)"]!.push(performance.now() - start)
      }
      await inTurn(round, [...fsyncs.map(fapilogRound), peerRound])
    }
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
  }
  const rows = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, rate(median(v))]))
  report("audit", rows, "fapilog audit, fsync per batch", "pino file (sync:false)")
  console.log(
    `audit  ratio fapilog audit, no fsync / pino file (sync:false): ${(rows["fapilog audit, no fsync"]! / rows["pino file (sync:false)"]!).toFixed(2)}`
  )
}

/** The sections in the order they run, each in a process of its own (see the header). */
const SECTIONS: ReadonlyArray<ReadonlyArray<string>> = [
  ["syslog"],
  ["postgres", "postgres-insert"],
  ["elasticsearch"],
  ["splunk"],
  ["nats"],
  ["redis"],
  ["kafka"],
  ["datadog"],
  ["cloudwatch"],
  ["audit"]
]
const runs = SECTIONS.map((names) => names.filter(enabled)).filter((names) => names.length > 0)

if (process.env.BENCH_SINKS_SECTION === undefined) {
  console.log(`${EVENTS} events of about 200 bytes, median of ${ROUNDS} rounds, on ${os.cpus().length} cores`)
  for (const names of runs) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      stdio: "inherit",
      env: { ...process.env, BENCH_ONLY: names.join(","), BENCH_SINKS_SECTION: "1" }
    })
    if (child.status !== 0)
      throw new Error(`the ${names.join(", ")} section failed (${child.status ?? child.signal})`)
  }
  process.exit(0)
}
if (enabled("syslog")) await syslogBench()
if (enabled("postgres") || enabled("postgres-insert")) await postgresBench()
if (enabled("elasticsearch")) await elasticsearchBench()
if (enabled("splunk")) await splunkBench()
if (enabled("nats")) await natsBench()
if (enabled("redis")) await redisBench()
if (enabled("kafka")) await kafkaBench()
if (enabled("datadog")) await datadogBench()
if (enabled("cloudwatch")) await cloudwatchBench()
if (enabled("audit")) await auditBench()
