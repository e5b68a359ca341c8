import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { createLogger, Errors } from "fapilog"
import { listen, type Received } from "../../../test/internal/networkServer.js"
import * as Webhook from "../src/index.js"
import { makeEncoder, nameOf } from "../src/internal/sink.js"

const secret = "receiver-shares-this-secret-0123"
const fast = { batch: { maxWaitMs: 20 }, retry: { initialDelayMs: 10, maxDelayMs: 50 } }

const authentic = (r: Received): boolean =>
  Webhook.verify({
    secret,
    body: r.body,
    timestamp: r.headers[Webhook.headerNames.timestamp] as string | undefined,
    signature: r.headers[Webhook.headerNames.signature] as string | undefined
  })

const messagesOf = (requests: ReadonlyArray<Received>): Array<string> =>
  requests.flatMap((r) => (JSON.parse(r.body.toString()) as Array<{ message: string }>).map((e) => e.message))

/** A receiver that refuses (401) any request whose signature does not verify. */
const verifyingReceiver = (
  answer: (n: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 204 })
) => {
  let forged = 0
  return listen({
    answer: (r, n) => {
      if (!authentic(r)) {
        forged++
        return { status: 401 }
      }
      return answer(n)
    }
  }).then((server) => ({ server, forged: () => forged }))
}

describe("@fapilog/webhook", () => {
  it("plugin metadata matches package.json", async () => {
    const pkg = (await import("../package.json", { with: { type: "json" } })).default
    assert.strictEqual(Webhook.plugin.name, pkg.name)
    assert.strictEqual(Webhook.plugin.version, pkg.version)
    assert.strictEqual(Webhook.plugin.type, pkg.fapilog.type)
    assert.strictEqual(Webhook.plugin.apiVersion, pkg.fapilog.apiVersion)
    assert.strictEqual(Webhook.plugin.kind, pkg.fapilog.kind)
    assert.strictEqual(Webhook.default, Webhook.plugin)
  })

  it("Webhook.sink through a logger: every request verifies, every event arrives once", async () => {
    const { server, forged } = await verifyingReceiver()
    try {
      const log = await createLogger({ sinks: [Webhook.sink({ url: server.url, secret, ...fast })] })
      for (let i = 0; i < 120; i++) log.info(`m${i}`, { i })
      await log.close()
      assert.strictEqual(forged(), 0)
      assert.isAbove(server.requests.length, 0)
      for (const r of server.requests) {
        assert.strictEqual(r.headers["content-type"], "application/json")
        assert.match(String(r.headers[Webhook.headerNames.deliveryId]), /^[0-9a-f]{32}$/)
      }
      assert.deepStrictEqual(
        messagesOf(server.accepted()),
        Array.from({ length: 120 }, (_, i) => `m${i}`)
      )
    } finally {
      await server.stop()
    }
  })

  it('{ type: "webhook" } in settings: 429 with Retry-After, then 503, then accepted: every event exactly once', async () => {
    const { server, forged } = await verifyingReceiver((n) =>
      n === 0 ? { status: 429, headers: { "retry-after": "1" } } : n === 1 ? { status: 503 } : { status: 200 }
    )
    try {
      const log = await createLogger({
        plugins: { use: [Webhook.plugin] },
        sinks: [
          { type: "webhook", url: server.url, secret, format: "array", ...fast, batch: { maxWaitMs: 50 } }
        ]
      })
      for (let i = 0; i < 10; i++) log.warn(`w${i}`)
      await log.close()
      assert.strictEqual(forged(), 0)
      assert.strictEqual(server.requests.length, 3)
      assert.isAtLeast(server.requests[1]!.at - server.requests[0]!.at, 950)
      // the same request each time: same body, same delivery id, a fresh signature per attempt
      assert.strictEqual(new Set(server.requests.map((r) => r.body.toString())).size, 1)
      assert.strictEqual(
        new Set(server.requests.map((r) => r.headers[Webhook.headerNames.deliveryId])).size,
        1
      )
      assert.deepStrictEqual(
        server.requests.map((r) => r.headers[Webhook.headerNames.attempt]),
        ["1", "2", "3"]
      )
      assert.deepStrictEqual(
        messagesOf(server.accepted()),
        Array.from({ length: 10 }, (_, i) => `w${i}`)
      )
    } finally {
      await server.stop()
    }
  })

  it("ndjson and wrapped bodies", async () => {
    const server = await listen()
    try {
      const log = await createLogger({
        sinks: [
          Webhook.sink({ url: `${server.url}?f=ndjson`, format: "ndjson", ...fast }),
          Webhook.sink({ url: `${server.url}?f=wrapped`, format: "wrapped", layout: "ecs", ...fast })
        ]
      })
      log.info("one", { k: 1 })
      log.info("two")
      await log.close()
      const nd = server.accepted().filter((r) => r.url.endsWith("ndjson"))
      const wrapped = server.accepted().filter((r) => r.url.endsWith("wrapped"))
      assert.strictEqual(nd[0]?.headers["content-type"], "application/x-ndjson")
      const lines = nd.flatMap((r) =>
        r.body
          .toString()
          .split("\n")
          .filter((l) => l !== "")
      )
      assert.deepStrictEqual(
        lines.map((l) => (JSON.parse(l) as { message: string }).message),
        ["one", "two"]
      )
      assert.strictEqual((JSON.parse(lines[0]!) as { k: number }).k, 1)
      const body = JSON.parse(wrapped[0]!.body.toString()) as {
        id: string
        count: number
        events: Array<Record<string, unknown>>
      }
      assert.match(body.id, /^[0-9a-f-]{36}$/)
      assert.strictEqual(body.count, 2)
      assert.strictEqual(body.events[0]?.message, "one")
      assert.property(body.events[0], "@timestamp")
      // no secret: unsigned, but still a delivery id
      assert.isUndefined(wrapped[0]!.headers[Webhook.headerNames.signature])
      assert.isDefined(wrapped[0]!.headers[Webhook.headerNames.deliveryId])
    } finally {
      await server.stop()
    }
  })

  it("hostile fields (cycles, BigInt, throwing getters) still give valid JSON", () => {
    const cyclic: Record<string, unknown> = { name: "loop" }
    cyclic.self = cyclic
    const hostile = {
      get boom(): never {
        throw new Error("getter")
      }
    }
    const encode = makeEncoder("array", undefined)
    const request = encode([
      {
        timestamp: "2026-01-01T00:00:00.000Z",
        level: "info",
        logger: "app",
        message: "x",
        fields: { cyclic, big: 10n, hostile }
      }
    ])
    const parsed = JSON.parse(String(request.body)) as Array<{ message: string }>
    assert.strictEqual(parsed[0]?.message, "x")
  })

  it("invalid settings fail with a ConfigError naming the field and the accepted values", async () => {
    const refusal = (settings: Record<string, unknown>) =>
      createLogger({ plugins: { use: [Webhook.plugin] }, sinks: [{ type: "webhook", ...settings }] }).then(
        () => assert.fail("accepted"),
        (e: unknown) => {
          assert.instanceOf(e, Errors.ConfigError)
          return e as Errors.ConfigError
        }
      )
    assert.include((await refusal({ url: "ftp://x" })).message, "is not an http:// or https:// URL")
    assert.include(
      (await refusal({ url: "http://x", headers: { "x-bad": "a\r\nb" } })).message,
      "control characters"
    )
    // one issue per bad value, naming its path and what is accepted
    assert.deepStrictEqual(
      (await refusal({ url: "http://x", format: "xml", secret: "short", retry: { maxAttempts: 0 } })).issues,
      [
        {
          path: "sinks[0].format",
          message: 'plugin @fapilog/webhook@0.1.0: "xml" is not one of array, ndjson, wrapped'
        },
        {
          path: "sinks[0].secret",
          message: "plugin @fapilog/webhook@0.1.0: is not a secret of 16 to 4096 characters"
        },
        {
          path: "sinks[0].retry.maxAttempts",
          message: "plugin @fapilog/webhook@0.1.0: 0 is not a whole number of attempts between 1 and 1000"
        }
      ]
    )
  })

  it("the sink name leaves the query (which may hold a token) out of diagnostics", () => {
    assert.strictEqual(nameOf("https://h.example/hook?token=secret"), "webhook:https://h.example/hook")
  })

  it.live("a receiver that refuses forged requests: a wrong secret is rejected once, not retried", () =>
    Effect.gen(function* () {
      const { server, forged } = yield* Effect.promise(() => verifyingReceiver())
      yield* Effect.addFinalizer(() => Effect.promise(() => server.stop()))
      const log = yield* Effect.promise(() =>
        createLogger({
          sinks: [Webhook.sink({ url: server.url, secret: "not-the-receivers-secret", ...fast })]
        })
      )
      log.info("x")
      yield* Effect.promise(() => log.close())
      assert.strictEqual(forged(), 1)
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(server.accepted().length, 0)
    }).pipe(Effect.scoped)
  )
})
