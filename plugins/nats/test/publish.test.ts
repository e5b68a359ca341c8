/**
 * The NATS sink's publish of one request (`publishAcknowledged`): plain publishes whose replies
 * come back on one inbox subscription, against Debian's nats-server -js; and how a reply is
 * read (`ackFailure`).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { JetStreamApiError, jetstreamManager } from "@nats-io/jetstream"
import { connect, headers, type NatsConnection } from "@nats-io/transport-node"
import { ackFailure, isPermanent, publishAcknowledged } from "../src/internal/sink.js"
import { type NatsServer, readStream, startNats } from "./natsServer.js"

const encoder = new TextEncoder()
const messages = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, data: encoder.encode(JSON.stringify({ i })) }))

describe("publishing a request's messages to JetStream", () => {
  let server: NatsServer
  let nc: NatsConnection
  beforeAll(async () => {
    server = await startNats()
    nc = await connect({ servers: server.url })
    const jsm = await jetstreamManager(nc)
    await jsm.streams.add({ name: "PUB", subjects: ["pub.>"] })
    await jsm.streams.add({ name: "ELSE", subjects: ["else.>"] })
  }, 60_000)
  afterAll(async () => {
    await nc?.close()
    await server?.close()
  })

  it("every message stored once, in order, with its id; a message id already stored is acknowledged, not stored again", async () => {
    const first = await publishAcknowledged(nc, "pub.a", messages("a", 300), {
      stream: "PUB",
      timeoutMs: 5000
    })
    assert.deepStrictEqual(first, new Array(300).fill(undefined))
    // the same request again (a retry after a lost acknowledgement): acknowledged as duplicates
    const again = await publishAcknowledged(nc, "pub.a", messages("a", 300), {
      stream: "PUB",
      timeoutMs: 5000
    })
    assert.deepStrictEqual(again, new Array(300).fill(undefined))
    const stored = (await readStream(server.url, "PUB")).filter((m) => m.subject === "pub.a")
    assert.deepStrictEqual(
      stored.map((m) => m.msgId),
      Array.from({ length: 300 }, (_, i) => `a-${i}`)
    )
    assert.deepStrictEqual(
      stored.map((m) => (JSON.parse(m.data) as { i: number }).i),
      Array.from({ length: 300 }, (_, i) => i)
    )
  })

  it("a stream other than the expected one: each message refused by JetStream with 400, a permanent failure", async () => {
    const failures = await publishAcknowledged(nc, "else.x", messages("b", 3), {
      stream: "PUB",
      timeoutMs: 5000
    })
    assert.strictEqual(failures.length, 3)
    for (const f of failures) {
      assert.instanceOf(f, JetStreamApiError)
      assert.strictEqual((f as JetStreamApiError).status, 400)
      assert.isTrue(isPermanent(f))
    }
    assert.strictEqual((await readStream(server.url, "ELSE")).length, 0)
  })

  it("no stream captures the subject: each message fails as 'no responders', which a retry may fix", async () => {
    const failures = await publishAcknowledged(nc, "nowhere.x", messages("c", 4), {
      stream: undefined,
      timeoutMs: 5000
    })
    assert.strictEqual(failures.length, 4)
    for (const f of failures) {
      assert.match(String(f), /no responders/)
      assert.isFalse(isPermanent(f))
    }
  })

  it("no answer within the timeout (a plain subscriber on the subject, no stream): every message unacknowledged", async () => {
    const quiet = nc.subscribe("quiet.>")
    try {
      const failures = await publishAcknowledged(nc, "quiet.x", messages("d", 5), {
        stream: undefined,
        timeoutMs: 200
      })
      assert.strictEqual(failures.length, 5)
      for (const f of failures) assert.match(String(f), /no acknowledgement within 200 ms/)
    } finally {
      quiet.unsubscribe()
    }
  })

  it("an empty request resolves at once; a publish the connection refuses rejects", async () => {
    assert.deepStrictEqual(await publishAcknowledged(nc, "pub.e", [], { stream: "PUB", timeoutMs: 100 }), [])
    const closed = await connect({ servers: server.url })
    await closed.close()
    await publishAcknowledged(closed, "pub.e", messages("e", 2), { stream: "PUB", timeoutMs: 1000 }).then(
      () => assert.fail("a closed connection cannot publish"),
      (e: unknown) => assert.match(String(e), /closed/i)
    )
  })
})

describe("reading a reply", () => {
  const reply = (data: string, code?: number) => {
    const data_ = encoder.encode(data)
    return code === undefined ? { data: data_ } : { data: data_, headers: headers(code, "status") }
  }

  it("an acknowledgement (also of a duplicate) is no failure", () => {
    assert.isUndefined(ackFailure(reply('{"stream":"S","seq":3}')))
    assert.isUndefined(ackFailure(reply('{"stream":"S","seq":3,"duplicate":true}')))
  })

  it("JetStream's error: the API error, with its status and code", () => {
    const f = ackFailure(
      reply('{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}')
    )
    assert.instanceOf(f, JetStreamApiError)
    assert.strictEqual((f as JetStreamApiError).status, 503)
    assert.strictEqual((f as JetStreamApiError).code, 10077)
    assert.isFalse(isPermanent(f))
  })

  it("a status message, a reply that is not JSON, an acknowledgement with no stream: failures", () => {
    assert.match(String(ackFailure(reply("", 503))), /no responders/)
    assert.match(String(ackFailure(reply("", 408))), /status 408/)
    assert.match(String(ackFailure(reply("<html>"))), /not JSON/)
    assert.match(String(ackFailure(reply('{"stream":""}'))), /invalid acknowledgement/)
    assert.match(String(ackFailure(reply("null"))), /invalid acknowledgement/)
  })
})
