import { assert, describe, it } from "@effect/vitest"
import { fast, logThrough, refusedSettings } from "../../../test/support/networkPlugin.js"
import * as Webhook from "../src/index.js"
import { makeEncoder, nameOf } from "../src/internal/sink.js"
import { authentic, webhook } from "./delivery.js"

describe("@fapilog/webhook", () => {
  it("ndjson and wrapped bodies", async () => {
    const { server } = await logThrough(
      webhook,
      (url) => [
        Webhook.sink({ url: `${url}?f=ndjson`, body: "ndjson", ...fast }),
        Webhook.sink({ url: `${url}?f=wrapped`, body: "wrapped", eventLayout: "ecs", ...fast })
      ],
      (log) => {
        log.info("one", { k: 1 })
        log.info("two")
      }
    )
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
    const refusal = (settings: Record<string, unknown>) => refusedSettings(webhook, settings)
    assert.include(
      (await refusal({ url: "ftp://x" })).at("sinks[0].url"),
      "is not an http:// or https:// URL"
    )
    assert.include(
      (await refusal({ url: "http://x", headers: { "x-bad": "a\r\nb" } })).at("sinks[0].headers.x-bad"),
      "control characters"
    )
    // one issue per bad value, naming its path and what is accepted
    assert.deepStrictEqual(
      (await refusal({ url: "http://x", body: "xml", secret: "short", retry: { maxAttempts: 0 } })).issues,
      [
        {
          path: "sinks[0].body",
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

  it("a receiver that refuses forged requests: a wrong secret is rejected once, not retried", async () => {
    const { server } = await logThrough(
      webhook,
      (url) => [Webhook.sink({ url, secret: "not-the-receivers-secret", ...fast })],
      (log) => log.info("x"),
      { answer: (r) => (authentic(r) ? { status: 204 } : { status: 401 }) }
    )
    assert.deepStrictEqual(
      server.requests.map((r) => r.status),
      [401]
    )
  })
})
