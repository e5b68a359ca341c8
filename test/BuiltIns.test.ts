import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import logfmt from "logfmt"
import type { ConfigError } from "../src/Errors.js"
import { createLogger, Enricher, Fapilog, Processor, Sink, withContext } from "../src/index.js"
import { readLines } from "./support/script.js"

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-builtins-"))
const lines = (file: string) => fs.readFileSync(file, "utf8").trimEnd().split("\n")

describe("built-in components through settings", () => {
  it("each sink takes its own level and format", async () => {
    const dir = tmp()
    const log = await createLogger({
      level: "debug",
      sinks: [
        { type: "file", path: path.join(dir, "all.logfmt"), format: "logfmt" },
        { type: "file", path: path.join(dir, "errors.json"), level: "error" },
        { type: "file", path: path.join(dir, "ecs.json"), layout: "ecs" }
      ]
    })
    log.debug("details", { q: "a b" })
    log.error("failed", { code: 7 })
    await log.close()
    const all = lines(path.join(dir, "all.logfmt")).map((l) => logfmt.parse(l))
    assert.deepStrictEqual(
      all.map((e) => [e.level, e.message]),
      [
        ["debug", "details"],
        ["error", "failed"]
      ]
    )
    assert.strictEqual(all[0]?.q, "a b")
    const errors = readLines(path.join(dir, "errors.json"))
    assert.deepStrictEqual(
      errors.map((e) => e.message),
      ["failed"]
    )
    const ecs = readLines(path.join(dir, "ecs.json"))
    assert.strictEqual(ecs[1]?.["log.level"], "error")
  })

  it("routes events by level", async () => {
    const dir = tmp()
    const high = path.join(dir, "high.log")
    const low = path.join(dir, "low.log")
    const log = await createLogger({
      level: "trace",
      sinks: [
        {
          type: "route",
          routes: [
            { minLevel: "error", sinks: [{ type: "file", path: high }] },
            { levels: ["trace", "debug", "info", "warn"], sinks: [{ type: "file", path: low }] }
          ]
        }
      ]
    })
    for (const level of ["trace", "info", "warn", "error", "fatal", "audit"] as const) log[level](level)
    await log.close()
    assert.deepStrictEqual(
      readLines(high).map((e) => e.message),
      ["error", "fatal", "audit"]
    )
    assert.deepStrictEqual(
      readLines(low).map((e) => e.message),
      ["trace", "info", "warn"]
    )
  })

  it("rotates files by size without splitting lines, keeps maxFiles and gzips them", async () => {
    const dir = tmp()
    const file = path.join(dir, "app.log")
    const log = await createLogger({
      sinks: [{ type: "file", path: file, maxBytes: "4 KB", maxFiles: 3, compress: true }],
      capacity: 10
    })
    for (let i = 0; i < 300; i++) log.info("event", { i, pad: "x".repeat(40) })
    await log.close()
    const rotated = fs.readdirSync(dir).filter((f) => f !== "app.log")
    assert.strictEqual(rotated.length, 3)
    assert.isTrue(rotated.every((f) => f.endsWith(".gz")))
    const kept = [
      ...rotated.sort().map((f) => zlib.gunzipSync(fs.readFileSync(path.join(dir, f))).toString()),
      fs.readFileSync(file, "utf8")
    ]
    for (const chunk of kept) assert.isAtMost(Buffer.byteLength(chunk), 4096)
    const ids = kept
      .join("")
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as { i: number }).i)
    assert.deepStrictEqual(
      ids,
      Array.from({ length: ids.length }, (_, k) => 300 - ids.length + k),
      "the newest lines, in order"
    )
  })

  it("redacts, enriches and guards size for every sink", async () => {
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      redact: { paths: ["card.number"], keys: ["password"] },
      enrich: { service: "billing", version: "1.0.0", pid: true },
      enrichers: [(e) => ({ region: "eu-1", levelSeen: e.level })],
      maxEventBytes: 2048
    })
    const input = { card: { number: "4111", brand: "visa" }, password: "p" }
    log.info("paid", input)
    log.info("huge", { blob: "y".repeat(10_000) })
    await log.close()
    const [paid, huge] = memory.events()
    assert.deepStrictEqual(paid?.fields, {
      service: "billing",
      version: "1.0.0",
      pid: process.pid,
      region: "eu-1",
      levelSeen: "info",
      card: { number: "[REDACTED]", brand: "visa" },
      password: "[REDACTED]"
    })
    assert.strictEqual(input.card.number, "4111", "the caller's object is untouched")
    assert.include(memory.lines()[0], '"number":"[REDACTED]"')
    assert.strictEqual(huge?.message, "huge")
    const hugeLine = memory.lines()[1] as string
    assert.isAtMost(Buffer.byteLength(hugeLine), 2048)
    assert.strictEqual(JSON.parse(hugeLine).truncated, true)
  })

  it("the size guard can drop oversized events, counting them and saying so in the log", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ sinks: [memory], maxEventBytes: "1 KB", oversize: "drop" })
    log.info("small")
    log.info("huge", { blob: "z".repeat(5000) })
    log.info("huge too", { blob: "z".repeat(5000) })
    await log.close()
    assert.deepStrictEqual(
      memory.lines().map((l) => JSON.parse(l).message),
      ["small", "size guard dropped events"]
    )
    assert.strictEqual(JSON.parse(memory.lines()[1] as string).dropped, 2)
    assert.strictEqual(log.stats().filtered, 2)
  })

  it("sampling, throttling and dedupe thin output and say so", async () => {
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      sampling: { kind: "rate", every: 10 },
      dedupe: { windowMs: 60_000 }
    })
    for (let i = 0; i < 100; i++) log.info("sampled", { i })
    for (let i = 0; i < 5; i++) log.warn("same warning")
    await log.close()
    const messages = memory.events().map((e) => e.message)
    assert.strictEqual(messages.filter((m) => m === "sampled").length, 10)
    assert.strictEqual(messages.filter((m) => m === "same warning").length, 1)
    assert.isTrue(messages.some((m) => m.includes("repeated 4 times")))
    assert.isTrue(messages.includes("sampling dropped events"))
    assert.strictEqual(log.stats().filtered, 94)
  })

  it("custom enrichers as a Layer for Effect users", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const memory = Sink.memory()
        yield* Effect.log("hello").pipe(
          Effect.zipRight(Fapilog.flush),
          Effect.provide(
            Fapilog.layer({ sinks: [memory] }).pipe(
              Layer.provide(Enricher.layer("region", () => ({ region: "us-2" })))
            )
          )
        )
        assert.strictEqual(memory.events()[0]?.fields.region, "us-2")
      })
    ))
})

describe("serialization limits as settings", () => {
  it("depth, keys, array items and string length are bounded per logger", async () => {
    // sinks built from settings use the logger's limits (a Sink object brings its own formatter)
    const file = path.join(tmp(), "limits.log")
    const log = await createLogger({
      sinks: [{ type: "file", path: file }],
      limits: { maxDepth: 2, maxKeys: 2, maxArrayLength: 2, maxStringLength: 16 }
    })
    log.info("bounded", {
      deep: { a: { b: { c: 1 } } },
      wide: { k1: 1, k2: 2, k3: 3 },
      list: [1, 2, 3],
      s: "x".repeat(40)
    })
    await log.close()
    const line = readLines(file)[0] as Record<string, unknown>
    assert.deepStrictEqual(line.deep, { a: { b: "[Object]" } }, "two levels inside the field")
    assert.deepStrictEqual(line.wide, { k1: 1, k2: 2, "…": "[1 more keys]" })
    assert.deepStrictEqual(line.list, [1, 2, "[…1 more]"])
    assert.strictEqual(line.s, `${"x".repeat(16)}…[truncated 24 chars]`)
  })
})

describe("fingersCrossed through settings", () => {
  it("writes a request's low-level lines only when it fails, before the error, and counts what it holds", async () => {
    const file = path.join(tmp(), "fc.log")
    const log = await createLogger({
      level: "debug",
      sinks: [{ type: "file", path: file }],
      fingersCrossed: {}
    })
    for (const id of ["r-ok", "r-bad"])
      withContext({ correlationId: id }, () => {
        log.debug("query", { sql: "select 1" })
        log.info("cache miss")
        log.warn("slow")
      })
    withContext({ correlationId: "r-bad" }, () => log.error("failed", { code: 7 }))
    await log.flush()
    const before = log.stats()
    assert.strictEqual(before.held, 2, "r-ok's debug and info")
    assert.strictEqual(
      before.settled,
      before.accepted,
      "held events are settled: flush does not wait for them"
    )
    assert.strictEqual(before.queued, 0)
    assert.strictEqual(before.filtered, 0)
    await log.close()
    const lines = readLines(file)
    assert.deepStrictEqual(
      lines.map((l) => [l.correlationId, l.message]),
      [
        ["r-ok", "slow"],
        ["r-bad", "slow"],
        ["r-bad", "query"],
        ["r-bad", "cache miss"],
        ["r-bad", "failed"],
        [undefined, "fingers-crossed discarded events"]
      ]
    )
    assert.strictEqual(lines.at(-1)?.discarded, 2)
    const after = log.stats()
    assert.strictEqual(after.held, 0)
    assert.strictEqual(after.filtered, 2)
    assert.deepStrictEqual(after.filteredBy, { "fingers-crossed": 2 })
    assert.strictEqual(after.lost, 0)
    assert.strictEqual(after.accepted, after.settled)
  })

  it("with flushOnClose, writes what it holds when the logger closes, through the processors after it", async () => {
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      fingersCrossed: { by: "logger", flushOnClose: true },
      maxEventBytes: 600,
      processors: [Processor.make("tag", (e) => ({ ...e, fields: { ...e.fields, tagged: true } }))]
    })
    log.child({}).info("short")
    log.info("long", { blob: "x".repeat(1_000) })
    await log.flush()
    assert.strictEqual(memory.events().length, 0)
    await log.close()
    const events = memory.events()
    assert.deepStrictEqual(
      events.map((e) => [e.message, e.fields.truncated === true, e.fields.tagged]),
      [
        ["short", false, true],
        ["long", true, true]
      ]
    )
    assert.deepStrictEqual(log.stats().filteredBy, {})
    assert.strictEqual(log.stats().held, 0)
  })

  it("names every problem of its settings", async () => {
    const error = await createLogger({
      fingersCrossed: {
        triggerLevel: "loud" as never,
        bufferSize: 0,
        by: { field: "" },
        passThroughMs: -1,
        flushOnClose: "yes" as never
      }
    }).then(
      () => assert.fail("expected a ConfigError"),
      (e: ConfigError) => e
    )
    assert.deepStrictEqual(
      error.issues.map((i) => `${i.path}: ${i.message}`),
      [
        'fingersCrossed.triggerLevel: "loud" is not one of trace, debug, info, warn, error, fatal, audit, security',
        "fingersCrossed.bufferSize: 0 is not a whole number of events between 1 and 1000000",
        'fingersCrossed.by.field: "" is not a field name (a non-empty string)',
        "fingersCrossed.passThroughMs: -1 is not a whole number of milliseconds between 0 and 86400000",
        'fingersCrossed.flushOnClose: "yes" is not true or false'
      ]
    )
    const levels = await createLogger({
      fingersCrossed: { triggerLevel: "warn", levels: ["info", "warn", "error"] }
    }).then(
      () => assert.fail("expected a ConfigError"),
      (e: ConfigError) => e
    )
    assert.deepStrictEqual(
      levels.issues.map((i) => `${i.path}: ${i.message}`),
      [
        'fingersCrossed.levels: "warn", "error" are not below triggerLevel (warn): events at the trigger level or above release the buffer, they are never held'
      ]
    )
    const by = await createLogger({ fingersCrossed: { by: "request" as never } }).then(
      () => assert.fail("expected a ConfigError"),
      (e: ConfigError) => e
    )
    assert.deepStrictEqual(
      by.issues.map((i) => `${i.path}: ${i.message}`),
      [
        'fingersCrossed.by: "request" is not one of correlationId, traceId, logger, or { field: "<a field name>" }'
      ]
    )
  })
})

describe("per-sink categories and filter through settings", () => {
  /** Sets each event's logger (its category) from its `category` field, as a child logger of that category would. */
  const categorized = Processor.make("categorized", (e) =>
    typeof e.fields.category === "string" ? { ...e, logger: e.fields.category } : e
  )

  it("each file takes its own categories and filter, beside its level; what it leaves out is skipped, not lost", async () => {
    const dir = tmp()
    const file = (name: string) => path.join(dir, name)
    const log = await createLogger({
      level: "debug",
      processors: [categorized],
      sinks: [
        { type: "file", path: file("db.log"), categories: ["app.db"], excludeCategories: ["app.db.pool"] },
        { type: "file", path: file("slow.log"), level: "info", filter: (e) => Number(e.fields.ms) > 100 },
        {
          type: "route",
          routes: [
            { levels: "*", sinks: [{ type: "file", path: file("http.log"), categories: ["app.http"] }] }
          ]
        }
      ]
    })
    log.debug("query", { category: "app.db", ms: 500 })
    log.info("acquire", { category: "app.db.pool", ms: 300 })
    log.info("GET /", { category: "app.http", ms: 20 })
    log.info("GET /slow", { category: "app.http", ms: 250 })
    log.info("dbx", { category: "app.dbx", ms: 1 })
    await log.close()
    const messagesOf = (name: string) => readLines(file(name)).map((l) => [l.logger, l.message])
    assert.deepStrictEqual(messagesOf("db.log"), [["app.db", "query"]])
    assert.deepStrictEqual(messagesOf("slow.log"), [
      ["app.db.pool", "acquire"],
      ["app.http", "GET /slow"]
    ])
    assert.deepStrictEqual(messagesOf("http.log"), [
      ["app.http", "GET /"],
      ["app.http", "GET /slow"]
    ])
    const health = log.health()
    assert.deepStrictEqual(
      health.sinks.map((h) => [h.written, h.skipped]),
      [
        [1, 4],
        [2, 3],
        [2, 3]
      ]
    )
    assert.strictEqual(health.stats.filtered, 0, "a sink's selection is not the pipeline's filtering")
    assert.strictEqual(health.stats.lost, 0)
  })

  it("names every problem of a sink's selection, and a filter only in code", async () => {
    const error = await createLogger({
      sinks: [
        { type: "stdout", categories: [], excludeCategories: ["app..db", "ok"] },
        { type: "file", path: "x.log", filter: "level=error" as never, categories: "app" as never }
      ]
    }).then(
      () => assert.fail("expected a ConfigError"),
      (e: ConfigError) => e
    )
    assert.deepStrictEqual(
      error.issues.map((i) => `${i.path}: ${i.message}`),
      [
        'sinks[0].categories: [] is not a list of categories (dotted logger names such as "app.db", no empty segment), with at least one',
        'sinks[0].excludeCategories[0]: "app..db" is not a category (a dotted logger name such as "app.db", no empty segment)',
        'sinks[1].categories: "app" is not a list of categories (dotted logger names such as "app.db", no empty segment), with at least one',
        'sinks[1].filter: "level=error" is not a function (event) => boolean; a filter can only be given in code'
      ]
    )
  })
})
