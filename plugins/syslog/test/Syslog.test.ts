import * as fs from "node:fs"
import type * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as tls from "node:tls"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { Errors, Plugin, withContext } from "fapilog"
import * as Testing from "fapilog/testing"
import * as Syslog from "../src/index.js"
import { Config } from "../src/internal/config.js"
import { make } from "../src/internal/sink.js"
import { entryFor, eventOf, loggerFor } from "./delivery.js"
import { parse5424 } from "./rfc5424.js"
import { type Rsyslog, startRsyslog } from "./rsyslog.js"

describe("@fapilog/syslog against Debian's rsyslog", () => {
  let plain: Rsyslog
  let secure: Rsyslog
  beforeAll(async () => {
    plain = await startRsyslog()
    secure = await startRsyslog({ tls: true })
  }, 60_000)
  afterAll(async () => {
    await plain?.close()
    await secure?.close()
  })

  for (const protocol of ["udp", "tcp", "tls"] as const) {
    it(`${protocol}: every event once, header, structured data and fields as rsyslog parsed them`, async () => {
      const r = protocol === "tls" ? secure : plain
      const before = r.received().length
      const log = await loggerFor(
        [
          entryFor(r, protocol, {
            facility: "local3",
            appName: "checkout",
            hostname: "web-1",
            procId: 77,
            msgIdKey: "kind",
            structuredData: { id: "fields@32473", keys: ["correlationId", "orderId", "note"] }
          })
        ],
        { level: "trace" }
      )
      const levels = ["trace", "debug", "info", "warn", "error", "fatal", "audit", "security"] as const
      for (let i = 0; i < 200; i++)
        log[levels[i % levels.length]!](`event ${protocol} ${i}`, {
          i,
          orderId: i * 10,
          kind: "order",
          note: 'say "hi" [x] \\ ok',
          nested: { list: [i, "ü"] }
        })
      withContext({ correlationId: "req-42" }, () => log.info(`event ${protocol} correlated`))
      await log.close()
      const got = (await r.waitFor(before + 201)).slice(before)
      assert.strictEqual(got.length, 201)
      assert.isTrue(got.every((m) => m.input === (protocol === "udp" ? "udp" : "tcp")))
      // UDP may reorder; the streams keep the order
      const messages = got.map((m) => eventOf(m).message as string)
      const expected = [
        ...Array.from({ length: 200 }, (_, i) => `event ${protocol} ${i}`),
        `event ${protocol} correlated`
      ]
      assert.deepStrictEqual(
        protocol === "udp" ? [...messages].sort() : messages,
        protocol === "udp" ? [...expected].sort() : expected
      )
      const first = got.find((m) => eventOf(m).message === `event ${protocol} 3`)!
      const parsed = parse5424(first.raw)
      assert.deepStrictEqual(
        { pri: first.pri, facility: first.facility, severity: first.severity, version: first.version },
        { pri: String(19 * 8 + 4), facility: "19", severity: "4", version: "1" }
      )
      assert.deepStrictEqual(
        { host: first.hostname, app: first.appName, proc: first.procId, msgId: first.msgId },
        { host: "web-1", app: "checkout", proc: "77", msgId: "order" }
      )
      const event = eventOf(first)
      assert.strictEqual(first.timestamp, event.timestamp)
      assert.deepStrictEqual(
        { i: event.i, orderId: event.orderId, level: event.level, nested: event.nested },
        { i: 3, orderId: 30, level: "warn", nested: { list: [3, "ü"] } }
      )
      assert.isTrue(parsed.bom)
      assert.deepStrictEqual(parsed.sd, [
        {
          id: "fields@32473",
          params: [
            ["orderId", "30"],
            ["note", 'say "hi" [x] \\ ok']
          ]
        }
      ])
      // rsyslog's own parser of structured data (mmpstrucdata) found the element and its params
      const sd = JSON.parse(first.sdparsed) as Record<string, Record<string, string>>
      assert.deepStrictEqual(Object.keys(sd), ["fields@32473"])
      assert.strictEqual(sd["fields@32473"]?.orderid, "30")
      const correlated = got.find((m) => eventOf(m).message === `event ${protocol} correlated`)!
      assert.deepStrictEqual(parse5424(correlated.raw).sd[0]?.params, [["correlationId", "req-42"]])
      // every severity as mapped
      assert.deepStrictEqual(
        levels.map((l) => got.find((m) => eventOf(m).level === l)?.severity),
        ["7", "7", "6", "4", "3", "2", "5", "1"]
      )
    })
  }

  it("RFC 3164 over UDP with the message only: rsyslog reads PRI, tag and text", async () => {
    const before = plain.received().length
    const log = await loggerFor([
      entryFor(plain, "udp", { rfc: "3164", message: "text", facility: 16, appName: "legacy" })
    ])
    log.error("legacy line")
    await log.close()
    const [m] = (await plain.waitFor(before + 1)).slice(before)
    assert.deepStrictEqual(
      { pri: m?.pri, app: m?.appName, msg: m?.msg.trim(), version: m?.version },
      { pri: String(16 * 8 + 3), app: "legacy", msg: "legacy line", version: "0" }
    )
    assert.match(m?.raw ?? "", /^<131>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ legacy\[\d+\]: legacy line$/)
  })

  it("oversized messages are cut to maxMessageBytes, marked, and still parse", async () => {
    const before = plain.received().length
    const log = await loggerFor([entryFor(plain, "tcp", { maxMessageBytes: 1000 })])
    log.info("big", { blob: "é".repeat(5000) })
    await log.close()
    const [m] = (await plain.waitFor(before + 1)).slice(before)
    assert.isAtMost(Buffer.byteLength(m?.raw ?? "", "utf8"), 1000)
    assert.isTrue(parse5424(m?.raw ?? "").msg?.endsWith("…[truncated]"))
  })

  for (const protocol of ["tcp", "tls"] as const) {
    it(`${protocol}: no event lost across an rsyslog restart (held while it is down, sent once it is back)`, async () => {
      const r = protocol === "tls" ? secure : plain
      const before = r.received().length
      const log = await loggerFor([entryFor(r, protocol)])
      for (let i = 0; i < 100; i++) log.info(`restart ${protocol} ${i}`)
      await log.flush()
      await r.waitFor(before + 100)
      await r.stop()
      // syslog over TCP has no acknowledgement: bytes written before the client has read the
      // server's close are lost unseen (the README's limit); once its event loop has seen the
      // close, the sink drops the connection before its next write
      await new Promise((resolve) => setTimeout(resolve, 300))
      // logged while the server is down: the connection it closed is dropped, new ones are refused
      for (let i = 100; i < 200; i++) log.info(`restart ${protocol} ${i}`)
      const flushed = log.flush()
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.isFalse(log.health().status === "ok" && log.health().stats.lost > 0)
      await r.start()
      await flushed
      for (let i = 200; i < 300; i++) log.info(`restart ${protocol} ${i}`)
      await log.close()
      const got = (await r.waitFor(before + 300)).slice(before)
      assert.deepStrictEqual(
        got.map((m) => eventOf(m).message),
        Array.from({ length: 300 }, (_, i) => `restart ${protocol} ${i}`)
      )
      assert.strictEqual(log.health().stats.lost, 0)
    })
  }

  it("tcp with a spool: events logged while rsyslog is down are kept on disk and sent by the next run, once", async () => {
    const r = plain
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-syslog-spool-"))
    const before = r.received().length
    await r.stop()
    // the first run: rsyslog is down the whole time; one attempt per request, then the spool
    const spooled = { spool: { directory: dir }, retry: { maxAttempts: 1, initialDelayMs: 20 } }
    const first = await loggerFor([entryFor(r, "tcp", spooled)])
    for (let i = 0; i < 50; i++) first.info(`spooled ${i}`)
    await first.close()
    assert.strictEqual(first.health().stats.lost, 0)
    assert.isTrue(fs.readdirSync(dir).some((f) => f.endsWith(".spool")))
    await r.start()
    // the next run (a new process would do the same): the spool is replayed before new events
    const second = await loggerFor([entryFor(r, "tcp", spooled)])
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (let i = 50; i < 60; i++) second.info(`spooled ${i}`)
    await second.close()
    const got = (await r.waitFor(before + 60)).slice(before)
    assert.deepStrictEqual(
      got.map((m) => eventOf(m).message),
      Array.from({ length: 60 }, (_, i) => `spooled ${i}`)
    )
    assert.strictEqual(second.health().stats.lost, 0)
  })

  it.live(
    "a TLS server whose certificate is not trusted gets nothing; the event is held, then lost at close, counted",
    () =>
      Effect.gen(function* () {
        // a TLS server of our own with rsyslog's certificate (rsyslog's gtls stalls on clients
        // that abandon handshakes, which this test makes many of)
        const server = tls.createServer({
          cert: fs.readFileSync(path.join(secure.dir, "cert.pem")),
          key: fs.readFileSync(path.join(secure.dir, "key.pem"))
        })
        let handshakes = 0
        server.on("secureConnection", (s) => {
          handshakes++
          s.destroy()
        })
        server.on("tlsClientError", () => {})
        yield* Effect.acquireRelease(
          Effect.promise(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))),
          () => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
        )
        const scope = yield* Scope.make()
        const reports: Array<string> = []
        const config = Schema.decodeUnknownSync(Config)({
          host: "127.0.0.1",
          port: (server.address() as net.AddressInfo).port,
          protocol: "tls",
          drainTimeoutMs: 300,
          batch: { maxWaitMs: 0 },
          retry: { initialDelayMs: 20, maxDelayMs: 50 }
        })
        const sink = yield* Scope.extend(
          make(config, {
            logger: "app",
            service: undefined,
            report: (m) => reports.push(m),
            fallback: () => {}
          }),
          scope
        )
        yield* sink.write(Testing.batch(1))
        // the first failure is reported: the event is held from then on
        while (reports.length === 0) yield* Effect.sleep(10)
        assert.notStrictEqual(sink.health?.().status, "ok")
        assert.strictEqual(sink.stats().queued, 1)
        yield* Scope.close(scope, Exit.void)
        assert.deepInclude(sink.stats(), { accepted: 1, delivered: 0, lost: 1, queued: 0 })
        assert.match(
          reports[0] ?? "",
          /request of 1 event\(s\) held until the endpoint answers: .*self-signed certificate/
        )
        assert.match(
          reports.at(-1) ?? "",
          /1 event\(s\) lost: (not delivered within the drain timeout \(300 ms\)|circuit open|.*self-signed certificate)/
        )
        assert.strictEqual(handshakes, 0)
      }).pipe(Effect.scoped)
  )

  it("invalid settings fail fast, each issue naming its field and what is accepted", async () => {
    const error = await loggerFor([
      Plugin.entry("syslog", {
        host: "http://x",
        port: 70_000,
        protocol: "sctp",
        rfc: "5425",
        facility: "local9",
        appName: "has space",
        structuredData: { id: "nope", keys: [""] },
        severity: { warn: 9 },
        maxMessageBytes: 100
      })
    ]).then(
      () => assert.fail("should refuse"),
      (e: unknown) => e as Errors.ConfigError
    )
    assert.instanceOf(error, Errors.ConfigError)
    const at = (p: string) =>
      error.issues.find((i) => i.path === p)?.message ?? `none at ${p}: ${JSON.stringify(error.issues)}`
    assert.match(at("sinks[0].host"), /is not a host name or IP address/)
    assert.match(at("sinks[0].port"), /70000 is not a whole number of port between 1 and 65535/)
    assert.match(at("sinks[0].protocol"), /"sctp" is not one of udp, tcp, tls/)
    assert.match(at("sinks[0].rfc"), /is not "5424" or "3164"/)
    assert.match(at("sinks[0].facility"), /"local9" is not a facility name .* or a number from 0 to 23/)
    assert.match(at("sinks[0].appName"), /is not 1 to 48 printable US-ASCII characters/)
    assert.match(
      at("sinks[0].structuredData.id"),
      /is not an SD-ID of the form name@<private enterprise number>/
    )
    assert.match(at("sinks[0].structuredData.keys[0]"), /is not an event key/)
    assert.match(at("sinks[0].severity.warn"), /9 is not a whole number of syslog severity/)
    assert.match(at("sinks[0].maxMessageBytes"), /100 is not a whole number of bytes between 480 and 1048576/)
    for (const i of error.issues) assert.include(i.message, "@fapilog/syslog")
  })

  it("Syslog.sink: rules across fields are a ConfigError too", async () => {
    const run = (settings: Syslog.ConfigInput) =>
      Effect.runPromise(Effect.flip(Effect.scoped(Syslog.sink(settings))))
    assert.match(
      (await run({ host: "h", protocol: "tcp", tls: { rejectUnauthorized: false } })).message,
      /tls: .*only read with protocol: "tls"/
    )
    assert.match(
      (await run({ host: "h", protocol: "tls", tls: { cert: "c.pem" } })).message,
      /cert and key go together/
    )
    assert.match(
      (await run({ host: "h", protocol: "udp", framing: "lf" })).message,
      /framing applies to tcp and tls/
    )
    assert.match(
      (await run({ host: "h", protocol: "udp", maxMessageBytes: 70_000 })).message,
      /more than a UDP datagram carries/
    )
    // a file that cannot be read fails the start (the plugin host then retries it)
    const config = Schema.decodeUnknownSync(Config)({
      host: "h",
      protocol: "tls",
      tls: { ca: "/nonexistent.pem" }
    })
    const error = await Effect.runPromise(
      Effect.flip(
        Effect.scoped(
          make(config, { logger: "app", service: undefined, report: () => {}, fallback: () => {} })
        )
      )
    )
    assert.instanceOf(error, Errors.SinkError)
    assert.match(error.message, /cannot read the TLS files: ENOENT.*nonexistent.pem/)
  })
})
