import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ErrorReply } from "@redis/client"
import { createLogger, Errors, type Network, Plugin, withContext } from "fapilog"
import * as Redis from "../src/index.js"
import { bodyDigest, digestOf, isPermanent, requestKey, SCRIPT } from "../src/internal/sink.js"
import { command, type RedisServer, readStream, startRedis } from "./redisServer.js"

const fast = {
  batch: { maxWaitMs: 20 },
  retry: { initialDelayMs: 20, maxDelayMs: 200 },
  circuitBreaker: { resetMs: 200 }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("@fapilog/redis against Debian's redis-server", () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedis()
  }, 60_000)
  afterAll(() => server?.close())

  const logger = (more: Record<string, unknown>) =>
    createLogger({
      plugins: { use: [Redis.plugin] },
      sinks: [Plugin.entry("redis", { url: server.url, ...fast, ...more })]
    })

  const indexes = (entries: ReadonlyArray<{ event: string }>) =>
    entries.map((e) => (JSON.parse(e.event) as { i: number }).i).sort((a, b) => a - b)

  it("every event one entry: its id, level and JSON line as fields", async () => {
    const log = await logger({ stream: "logs:a" })
    for (let i = 0; i < 500; i++) log.info(`event ${i}`, { i, nested: { ok: true } })
    withContext({ correlationId: "req-7" }, () => log.warn("correlated", { i: 500 }))
    await log.close()
    assert.strictEqual(log.health().stats.lost, 0)
    const entries = await readStream(server.url, "logs:a")
    assert.deepStrictEqual(
      indexes(entries),
      Array.from({ length: 501 }, (_, i) => i)
    )
    assert.strictEqual(new Set(entries.map((e) => e.id)).size, 501)
    for (const e of entries) assert.match(e.id, /^[0-9a-f]{16}-/)
    const last = entries.at(-1)!
    assert.strictEqual(last.level, "warn")
    assert.deepStrictEqual(
      (({ message, correlationId, logger }) => ({ message, correlationId, logger }))(JSON.parse(last.event)),
      { message: "correlated", correlationId: "req-7", logger: "app" }
    )
  })

  it("a batch the server has added is not added again, also after a restart (what a retry after a lost reply sends)", async () => {
    const log = await logger({ stream: "logs:dup" })
    log.info("once", { i: 0 })
    await log.close()
    // the append-only file keeps the entries and the batch's key across a restart
    await server.stop()
    await server.start()
    const [entry] = await readStream(server.url, "logs:dup")
    // the request's body, as the sink encoded it: the key is a hash of it
    const body = Buffer.from(`${JSON.stringify(entry!.id)}\tinfo\t${entry!.event}\n`)
    const key = requestKey("logs:dup", bodyDigest(body))
    assert.strictEqual(await command(server.url, ["EXISTS", key]), 1)
    const pttl = (await command(server.url, ["PTTL", key])) as number
    assert.isAbove(pttl, 86_000_000)
    const again = await command(server.url, ["EVAL", SCRIPT, "2", "logs:dup", key, "86400000", "1000", body])
    assert.strictEqual(again, 0)
    assert.strictEqual((await readStream(server.url, "logs:dup")).length, 1)
  })

  it("a request's digest: the one its encoder carried in a header, else made from the body (a request spooled without it)", () => {
    const body = Buffer.from(`"a-1"\tinfo\t{}\n`)
    const made = bodyDigest(body)
    assert.match(made, /^[\w-]{43}$/)
    const encoded = (headers?: Record<string, string>): Network.Encoded => ({
      body,
      contentType: "text/plain",
      events: 1,
      ...(headers === undefined ? {} : { headers })
    })
    const carried = "A".repeat(43)
    assert.strictEqual(digestOf(body, encoded({ "fapilog-body-sha256": carried })), carried)
    assert.strictEqual(digestOf(body, encoded()), made)
    assert.strictEqual(digestOf(body, encoded({ "fapilog-body-sha256": "not a digest" })), made)
  })

  it("the script reads every line before adding one: a body that is not event lines adds nothing, refused for good", async () => {
    // plain ids (the script's pattern reads them), one with characters JSON escapes (read as JSON)
    const good = `${JSON.stringify("a-1")}\tinfo\t{"message":"first"}\n${JSON.stringify('odd"\t\\id é')}\twarn\t{}\n"ü-2"\tdebug\t{"x":"\\u0001"}\n`
    for (const [bad, why] of [
      [`${good}"a-2"\tinfo {"message":"no second tab"}\n`, /^FAPILOG not an event line at offset \d+$/],
      [`${good}7\tinfo\t{}\n`, /^FAPILOG not an event id at offset \d+$/],
      [`${good}"a-3"\tinfo\t{}`, /^FAPILOG not an event line at offset \d+$/]
    ] as const) {
      const refused = await command(server.url, [
        "EVAL",
        SCRIPT,
        "2",
        "logs:bad",
        "logs:bad:key",
        "1000",
        "1000",
        bad
      ]).then(
        () => undefined,
        (e: unknown) => e
      )
      assert.instanceOf(refused, ErrorReply)
      assert.match((refused as ErrorReply).message, why)
      assert.isTrue(isPermanent(refused), "no retry fixes it")
    }
    assert.deepStrictEqual(await readStream(server.url, "logs:bad"), [])
    assert.strictEqual(await command(server.url, ["EXISTS", "logs:bad:key"]), 0)
    // the good lines alone are added: ids and fields as they were written
    assert.strictEqual(
      await command(server.url, ["EVAL", SCRIPT, "2", "logs:bad", "logs:bad:key", "1000", "1000", good]),
      3
    )
    assert.deepStrictEqual(await readStream(server.url, "logs:bad"), [
      { id: "a-1", level: "info", event: '{"message":"first"}' },
      { id: 'odd"\t\\id é', level: "warn", event: "{}" },
      { id: "ü-2", level: "debug", event: '{"x":"\\u0001"}' }
    ])
  })

  it("a server restart mid-stream: every event added once", async () => {
    const log = await logger({ stream: "logs:restart", timeoutMs: 1000 })
    for (let i = 0; i < 300; i++) log.info(`r ${i}`, { i })
    await log.flush()
    for (let i = 300; i < 450; i++) log.info(`r ${i}`, { i })
    await server.stop()
    for (let i = 450; i < 600; i++) log.info(`r ${i}`, { i })
    await sleep(100)
    await server.start()
    for (let i = 600; i < 900; i++) log.info(`r ${i}`, { i })
    await log.close()
    assert.deepStrictEqual(
      indexes(await readStream(server.url, "logs:restart")),
      Array.from({ length: 900 }, (_, i) => i)
    )
    assert.strictEqual(log.health().stats.lost, 0)
  }, 60_000)

  it("with a spool: events logged while the server is down are added by the next run, once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-redis-spool-"))
    const spooled = {
      stream: "logs:spool",
      spool: { directory: dir },
      retry: { maxAttempts: 1, initialDelayMs: 20 },
      timeoutMs: 500
    }
    const setup = await logger(spooled)
    setup.info("s 0", { i: 0 })
    await setup.close()
    await server.stop()
    const first = await logger(spooled)
    for (let i = 1; i < 200; i++) first.info(`s ${i}`, { i })
    await first.close()
    assert.strictEqual(first.health().stats.lost, 0)
    await server.start()
    const second = await logger(spooled)
    for (let i = 200; i < 250; i++) second.info(`s ${i}`, { i })
    await second.flush()
    for (let tries = 0; tries < 400; tries++) {
      if ((await readStream(server.url, "logs:spool")).length >= 250) break
      await sleep(25)
    }
    await second.close()
    assert.deepStrictEqual(
      indexes(await readStream(server.url, "logs:spool")),
      Array.from({ length: 250 }, (_, i) => i)
    )
    assert.strictEqual(second.health().stats.lost, 0)
  }, 60_000)

  it("MAXLEN ~ trims the stream to about maxLen entries", async () => {
    const log = await logger({ stream: "logs:trim", maxLen: 100, batch: { maxEvents: 50, maxWaitMs: 20 } })
    for (let i = 0; i < 2000; i++) log.info(`t ${i}`, { i })
    await log.close()
    const entries = await readStream(server.url, "logs:trim")
    // approximate trimming removes whole nodes of the stream (100 entries each by default)
    assert.isAtLeast(entries.length, 100)
    assert.isBelow(entries.length, 400)
    assert.strictEqual(indexes(entries).at(-1), 1999)
  })

  it('dedupe: "none": pipelined XADDs, no keys besides the stream', async () => {
    const log = await logger({ stream: "logs:plain", dedupe: "none" })
    for (let i = 0; i < 300; i++) log.info(`p ${i}`, { i })
    await log.close()
    assert.deepStrictEqual(
      indexes(await readStream(server.url, "logs:plain")),
      Array.from({ length: 300 }, (_, i) => i)
    )
    assert.deepStrictEqual(await command(server.url, ["KEYS", "logs:plain:*"]), [])
  })

  it("a key of another type is refused, not retried: its events are lost and counted", async () => {
    await command(server.url, ["SET", "logs:string", "x"])
    for (const dedupe of ["batch", "none"]) {
      const log = await logger({ stream: "logs:string", dedupe })
      for (let i = 0; i < 10; i++) log.info(`x ${i}`)
      await log.close()
      assert.strictEqual(log.health().stats.lost, 10)
    }
  })

  it("hostile values: valid JSON in the event field", async () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const log = await logger({ stream: "logs:hostile" })
    log.info("control \u0000\u001b chars", { cycle, big: 10n, lone: "x\ud800y", tab: "a\tb\nc" })
    log.info("after")
    await log.close()
    const events = (await readStream(server.url, "logs:hostile")).map(
      (e) => JSON.parse(e.event) as Record<string, unknown>
    )
    assert.deepStrictEqual(
      events.map((e) => [e.message, e.big, e.tab]),
      [
        ["control \u0000\u001b chars", "10", "a\tb\nc"],
        ["after", undefined, undefined]
      ]
    )
  })

  it("invalid settings fail fast, each issue naming its field", async () => {
    const refuse = async (entry: Record<string, unknown>) =>
      createLogger({ plugins: { use: [Redis.plugin] }, sinks: [Plugin.entry("redis", entry)] }).then(
        () => assert.fail("should refuse"),
        (e: unknown) => e as Errors.ConfigError
      )
    const at = (e: Errors.ConfigError, p: string) =>
      e.issues.find((i) => i.path === p)?.message ?? `none at ${p}: ${JSON.stringify(e.issues)}`
    const error = await refuse({ url: "http://x:6379", stream: "", maxLen: 0, dedupe: "event" })
    assert.instanceOf(error, Errors.ConfigError)
    assert.match(at(error, "sinks[0].url"), /is not a redis:\/\/ or rediss:\/\/ \(TLS\) URL/)
    assert.match(at(error, "sinks[0].stream"), /"" is not a stream key of 1 to 512 characters/)
    assert.match(at(error, "sinks[0].maxLen"), /0 is not a whole number of entries/)
    assert.match(at(error, "sinks[0].dedupe"), /"event" is not one of batch, none/)
    const tls = await refuse({ url: "redis://x", stream: "s", tls: { caFile: "/ca.pem" } })
    assert.match(at(tls, "sinks[0].tls"), /only read with a rediss:\/\/ url/)
  })
})
