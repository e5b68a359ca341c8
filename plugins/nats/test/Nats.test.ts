import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { jetstreamManager } from "@nats-io/jetstream"
import { connect } from "@nats-io/transport-node"
import { createLogger, Errors, Plugin, withContext } from "fapilog"
import * as Nats from "../src/index.js"
import { payloadOf } from "../src/internal/sink.js"
import { subjectMatches } from "../src/internal/stream.js"
import { type NatsServer, readStream, startNats } from "./natsServer.js"

const fast = {
  batch: { maxWaitMs: 20 },
  retry: { initialDelayMs: 20, maxDelayMs: 200 },
  circuitBreaker: { resetMs: 200 }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("@fapilog/nats against Debian's nats-server -js", () => {
  let server: NatsServer
  beforeAll(async () => {
    server = await startNats()
  }, 60_000)
  afterAll(() => server?.close())

  const logger = (more: Record<string, unknown>) =>
    createLogger({
      plugins: { use: [Nats.plugin] },
      sinks: [Plugin.entry("nats", { servers: server.url, ...fast, ...more })]
    })

  const indexes = (messages: ReadonlyArray<{ data: string }>) =>
    messages.map((m) => (JSON.parse(m.data) as { i: number }).i).sort((a, b) => a - b)

  it("every event one message, its id as Nats-Msg-Id; the stream created with its duplicate window, then found", async () => {
    for (let run = 0; run < 2; run++) {
      const log = await logger({ subject: "logs.a", stream: "LOGS_A", duplicateWindowMs: 60_000 })
      for (let i = 0; i < 500; i++) log.info(`event ${run} ${i}`, { i, run, nested: { ok: true } })
      withContext({ correlationId: "req-7" }, () => log.warn("correlated", { i: 500, run }))
      await log.close()
      assert.strictEqual(log.health().stats.lost, 0)
    }
    const messages = await readStream(server.url, "LOGS_A")
    assert.strictEqual(messages.length, 2 * 501)
    assert.strictEqual(new Set(messages.map((m) => m.msgId)).size, messages.length)
    for (const m of messages) {
      assert.strictEqual(m.subject, "logs.a")
      assert.match(m.msgId ?? "", /^[0-9a-f]{16}-/)
    }
    const first = JSON.parse(messages.find((m) => m.data.includes('"event 0 3"'))!.data)
    assert.deepStrictEqual(
      { level: first.level, logger: first.logger, i: first.i, nested: first.nested },
      { level: "info", logger: "app", i: 3, nested: { ok: true } }
    )
    assert.strictEqual(messages.filter((m) => JSON.parse(m.data).correlationId === "req-7").length, 2)
    const nc = await connect({ servers: server.url })
    const info = await (await jetstreamManager(nc)).streams.info("LOGS_A")
    await nc.close()
    assert.deepStrictEqual(
      [info.config.subjects, info.config.storage, info.config.duplicate_window],
      [["logs.a"], "file", 60_000 * 1_000_000]
    )
  })

  it("a message id the stream has seen is not stored again, also after a restart (what a retry after a lost acknowledgement sends)", async () => {
    const log = await logger({ subject: "logs.dup", stream: "LOGS_DUP" })
    log.info("once", { i: 0 })
    await log.close()
    const [stored] = await readStream(server.url, "LOGS_DUP")
    // the stream rebuilds its de-duplication ids from its messages when the server starts again
    await server.stop()
    await server.start()
    const nc = await connect({ servers: server.url })
    const { jetstream } = await import("@nats-io/jetstream")
    const ack = await jetstream(nc).publish("logs.dup", stored!.data, { msgID: stored!.msgId! })
    await nc.close()
    assert.isTrue(ack.duplicate)
    assert.strictEqual((await readStream(server.url, "LOGS_DUP")).length, 1)
  })

  it("a server restart mid-stream: every event stored once", async () => {
    // an acknowledgement the stopped server never sends is given up on after timeoutMs
    const log = await logger({ subject: "logs.restart", stream: "LOGS_RESTART", timeoutMs: 1000 })
    for (let i = 0; i < 300; i++) log.info(`r ${i}`, { i })
    await log.flush()
    for (let i = 300; i < 450; i++) log.info(`r ${i}`, { i })
    await server.stop()
    for (let i = 450; i < 600; i++) log.info(`r ${i}`, { i })
    await sleep(100)
    await server.start()
    for (let i = 600; i < 900; i++) log.info(`r ${i}`, { i })
    await log.close()
    const messages = await readStream(server.url, "LOGS_RESTART")
    assert.deepStrictEqual(
      indexes(messages),
      Array.from({ length: 900 }, (_, i) => i)
    )
    assert.strictEqual(log.health().stats.lost, 0)
  }, 60_000)

  it("with a spool: events logged while the server is down are published by the next run, once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-nats-spool-"))
    const spooled = {
      subject: "logs.spool",
      stream: "LOGS_SPOOL",
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
    // the replay of the earlier run's requests is not part of this run's flush: wait for it
    for (let tries = 0; tries < 400; tries++) {
      if ((await readStream(server.url, "LOGS_SPOOL")).length >= 250) break
      await sleep(25)
    }
    await second.close()
    assert.deepStrictEqual(
      indexes(await readStream(server.url, "LOGS_SPOOL")),
      Array.from({ length: 250 }, (_, i) => i)
    )
    assert.strictEqual(second.health().stats.lost, 0)
  }, 60_000)

  it("a stream that does not capture the subject is refused, not retried: its events are lost and counted", async () => {
    const nc = await connect({ servers: server.url })
    await (await jetstreamManager(nc)).streams.add({ name: "OTHER", subjects: ["other.>"] })
    await nc.close()
    const log = await logger({ subject: "logs.elsewhere", stream: "OTHER" })
    for (let i = 0; i < 10; i++) log.info(`x ${i}`)
    await log.close()
    assert.strictEqual(log.health().stats.lost, 10)
    assert.strictEqual((await readStream(server.url, "OTHER")).length, 0)
  })

  it("without a stream setting: published to whatever stream captures the subject", async () => {
    const nc = await connect({ servers: server.url })
    await (await jetstreamManager(nc)).streams.add({ name: "WILD", subjects: ["wild.*.logs"] })
    await nc.close()
    const log = await logger({ subject: "wild.checkout.logs" })
    log.info("in", { i: 1 })
    await log.close()
    assert.deepStrictEqual(indexes(await readStream(server.url, "WILD")), [1])
  })

  it("hostile values and an event larger than the server's max_payload: valid JSON, never a failed batch", async () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const log = await logger({ subject: "logs.hostile", stream: "LOGS_HOSTILE" })
    log.info("control \u0000\u001b chars", { cycle, big: 10n, lone: "x\ud800y" })
    log.info("huge", { blob: "x".repeat(2 * 1024 * 1024) })
    log.info("after")
    await log.close()
    const messages = (await readStream(server.url, "LOGS_HOSTILE")).map(
      (m) => JSON.parse(m.data) as Record<string, unknown>
    )
    assert.deepStrictEqual(
      messages.map((m) => m.message),
      ["control \u0000\u001b chars", "huge", "after"]
    )
    assert.strictEqual(messages[0]!.big, "10")
    // fapilog shortens the huge string; a line still larger than max_payload is replaced by one that says so
    const line = {
      id: "x",
      level: "warn",
      json: Buffer.from(
        JSON.stringify({ timestamp: "t", logger: "a", message: "m".repeat(2000), blob: "b".repeat(5000) })
      )
    }
    const replaced = JSON.parse(new TextDecoder().decode(payloadOf(line, 4096)))
    assert.deepStrictEqual(replaced, {
      timestamp: "t",
      level: "warn",
      logger: "a",
      message: `${"m".repeat(1024)}…`,
      truncated: { bytes: line.json.length, maxPayload: 4096 }
    })
    assert.strictEqual(payloadOf(line, 1 << 20).length, line.json.length)
  })

  it("token authentication: the right token delivers; a wrong one is retried, then its events are counted lost", async () => {
    const guarded = await startNats(["--auth", "s3cret"])
    try {
      const entry = (token: string) =>
        createLogger({
          plugins: { use: [Nats.plugin] },
          sinks: [
            Plugin.entry("nats", {
              servers: guarded.url,
              subject: "logs.auth",
              stream: "LOGS_AUTH",
              token,
              ...fast,
              retry: { maxAttempts: 2, initialDelayMs: 20 },
              timeoutMs: 2000
            })
          ]
        })
      const good = await entry("s3cret")
      good.info("in", { i: 0 })
      await good.close()
      const bad = await entry("wrong")
      bad.info("out", { i: 1 })
      await bad.close()
      assert.strictEqual(bad.health().stats.lost, 1)
      const nc = await connect({ servers: guarded.url, token: "s3cret" })
      const info = await (await jetstreamManager(nc)).streams.info("LOGS_AUTH")
      await nc.close()
      assert.strictEqual(info.state.messages, 1)
    } finally {
      await guarded.close()
    }
  }, 60_000)

  it("subjects under wildcards", () => {
    assert.isTrue(subjectMatches("logs.>", "logs.a.b"))
    assert.isTrue(subjectMatches("logs.*", "logs.a"))
    assert.isTrue(subjectMatches("logs.a", "logs.a"))
    assert.isFalse(subjectMatches("logs.>", "logs"))
    assert.isFalse(subjectMatches("logs.*", "logs.a.b"))
    assert.isFalse(subjectMatches("logs.a", "logs.a.b"))
    assert.isFalse(subjectMatches("logs.a.b", "logs.a"))
  })

  it("invalid settings fail fast, each issue naming its field", async () => {
    const refuse = async (entry: Record<string, unknown>) =>
      createLogger({ plugins: { use: [Nats.plugin] }, sinks: [Plugin.entry("nats", entry)] }).then(
        () => assert.fail("should refuse"),
        (e: unknown) => e as Errors.ConfigError
      )
    const error = await refuse({
      servers: ["http://x:4222"],
      subject: "logs.*",
      stream: "a.b",
      storage: "disk",
      duplicateWindowMs: 10
    })
    assert.instanceOf(error, Errors.ConfigError)
    const at = (e: Errors.ConfigError, p: string) =>
      e.issues.find((i) => i.path === p)?.message ?? `none at ${p}: ${JSON.stringify(e.issues)}`
    assert.match(at(error, "sinks[0].servers"), /is not a nats:\/\/ or tls:\/\/ server URL, or a list/)
    assert.match(at(error, "sinks[0].subject"), /"logs.\*" is not a NATS subject/)
    assert.match(at(error, "sinks[0].stream"), /"a.b" is not a JetStream stream name/)
    assert.match(at(error, "sinks[0].storage"), /"disk" is not one of file, memory/)
    assert.match(
      at(error, "sinks[0].duplicateWindowMs"),
      /10 is not a whole number of milliseconds between 1000/
    )
    const both = await refuse({ servers: "nats://x", subject: "a", token: "t", user: "u", password: "p" })
    assert.match(at(both, "sinks[0].token"), /give one way to authenticate/)
    const alone = await refuse({ servers: "nats://x", subject: "a", createStream: false })
    assert.match(at(alone, "sinks[0].stream"), /apply to a stream: name it/)
  })
})
