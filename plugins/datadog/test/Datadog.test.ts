import { gunzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import type { Answer, Received } from "../../../test/internal/networkServer.js"
import { fast, logThrough, refusedSettings } from "../../../test/support/networkPlugin.js"
import * as Datadog from "../src/index.js"
import { endpointOf } from "../src/internal/config.js"
import { failureOf } from "../src/internal/sink.js"
import { datadog } from "./delivery.js"
import { API_KEY, entriesOf, intakeAnswer, MAX_ENTRIES, MAX_PAYLOAD_BYTES } from "./intake.js"

const messages = (requests: ReadonlyArray<Received>): Array<string> =>
  requests.flatMap((r) => entriesOf(r).map((e) => e.message as string))

const intake =
  (counters = { oversized: 0 }) =>
  (r: Received): Answer =>
    intakeAnswer(r, API_KEY, counters)

describe("@fapilog/datadog", () => {
  it("posts to the site's logs intake v2, or to `url` when given", () => {
    const base = { apiKey: API_KEY }
    assert.strictEqual(endpointOf(base), "https://http-intake.logs.datadoghq.com/api/v2/logs")
    const expected: Record<(typeof Datadog.SITES)[number], string> = {
      "datadoghq.com": "https://http-intake.logs.datadoghq.com/api/v2/logs",
      "us3.datadoghq.com": "https://http-intake.logs.us3.datadoghq.com/api/v2/logs",
      "us5.datadoghq.com": "https://http-intake.logs.us5.datadoghq.com/api/v2/logs",
      "datadoghq.eu": "https://http-intake.logs.datadoghq.eu/api/v2/logs",
      "ap1.datadoghq.com": "https://http-intake.logs.ap1.datadoghq.com/api/v2/logs",
      "ap2.datadoghq.com": "https://http-intake.logs.ap2.datadoghq.com/api/v2/logs",
      "ddog-gov.com": "https://http-intake.logs.ddog-gov.com/api/v2/logs"
    }
    for (const site of Datadog.SITES) {
      assert.strictEqual(endpointOf({ ...base, site }), expected[site])
      assert.strictEqual(Datadog.intakeUrl(site), expected[site])
    }
    assert.strictEqual(
      endpointOf({ ...base, site: "datadoghq.eu", url: "http://127.0.0.1:1/api/v2/logs" }),
      "http://127.0.0.1:1/api/v2/logs"
    )
  })

  it("refuses bad settings, naming the field and what it accepts", async () => {
    const missing = await refusedSettings(datadog, {})
    assert.include(missing.at("apiKey"), "is missing")
    const site = await refusedSettings(datadog, { apiKey: API_KEY, site: "datadoghq.org" })
    assert.include(site.at("site"), "datadoghq.eu")
    assert.include(site.at("site"), "ddog-gov.com")
    const limits = await refusedSettings(datadog, {
      apiKey: API_KEY,
      batch: { maxEvents: 5000, maxBytes: 10_000_000 }
    })
    assert.include(limits.at("batch.maxEvents"), "1000")
    assert.include(limits.at("batch.maxBytes"), "5000000")
    const key = await refusedSettings(datadog, { apiKey: "a\nb" })
    assert.include(key.at("apiKey"), "without control characters")
    const tags = await refusedSettings(datadog, { apiKey: API_KEY, ddtags: ["env:prod", "a,b"] })
    assert.include(tags.at("ddtags"), "list of tags")
    const compression = await refusedSettings(datadog, { apiKey: API_KEY, compression: "br" })
    assert.include(compression.at("compression"), "gzip")
  })

  it('{ type: "datadog" }: gzip entries with the API key, attributes, status and decimal trace ids', async () => {
    const { server, log } = await logThrough(
      datadog,
      (url) => [
        {
          type: "datadog",
          apiKey: API_KEY,
          url,
          hostname: "web-1",
          ddsource: "node",
          ddtags: ["env:test", "team:api"],
          ...fast
        }
      ],
      (log) => {
        for (let i = 0; i < 20; i++) log.info(`event ${i}`, { i })
        log.error("failed", {
          traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
          spanId: "00f067aa0ba902b7",
          status: 502
        })
      },
      { settings: { enrich: { service: "checkout" } }, answer: intake() }
    )
    assert.isAbove(server.requests.length, 0)
    for (const r of server.requests) {
      assert.strictEqual(r.status, 202)
      assert.strictEqual(r.headers["content-encoding"], "gzip")
      assert.strictEqual(r.headers["dd-api-key"], API_KEY)
      // really gzip: the body inflates to the JSON array
      assert.isTrue(Array.isArray(JSON.parse(gunzipSync(r.body).toString("utf8"))))
    }
    const entries = server.requests.flatMap(entriesOf)
    assert.deepStrictEqual(
      entries.map((e) => e.message),
      [...Array.from({ length: 20 }, (_, i) => `event ${i}`), "failed"]
    )
    for (const e of entries) {
      assert.strictEqual(e.service, "checkout")
      assert.strictEqual(e.hostname, "web-1")
      assert.strictEqual(e.ddsource, "node")
      assert.strictEqual(e.ddtags, "env:test,team:api")
    }
    const failed = entries.at(-1)!
    assert.strictEqual(failed.status, "error")
    assert.deepStrictEqual(failed.dd, { trace_id: "11803532876627986230", span_id: "67667974448284343" })
    assert.strictEqual(failed["field.status"], 502)
    assert.strictEqual(log.health().stats.lost, 0)
  })

  it('compression: "none" posts the JSON array as it is', async () => {
    const { server } = await logThrough(
      datadog,
      (url) => [{ type: "datadog", apiKey: API_KEY, url, compression: "none", ...fast }],
      (log) => log.info("plain"),
      { answer: intake() }
    )
    assert.isUndefined(server.requests[0]?.headers["content-encoding"])
    assert.strictEqual(
      (JSON.parse(server.requests[0]!.body.toString("utf8")) as Array<{ message: string }>)[0]?.message,
      "plain"
    )
  })

  it("keeps Datadog's limits: at most 1000 entries and 5 MB uncompressed per request, 1 MB per entry", async () => {
    const counters = { oversized: 0 }
    const big = "z".repeat(400_000)
    const { server, log } = await logThrough(
      datadog,
      (url) => [{ type: "datadog", apiKey: API_KEY, url, ...fast }],
      (log) => {
        for (let i = 0; i < 2500; i++) log.info(`small ${i}`)
        // 30 entries of ~400 KB: 12 MB, more than two requests' worth
        for (let i = 0; i < 30; i++) log.info(`big ${i}`, { big })
        // one entry of ~3 MB: cut to 1 MB
        log.info("huge", { a: "h".repeat(900_000), b: "h".repeat(900_000), c: "h".repeat(900_000) })
      },
      { answer: intake(counters) }
    )
    assert.isTrue(
      server.requests.every((r) => r.status === 202),
      "no request refused (413)"
    )
    for (const r of server.requests) {
      assert.isAtMost(entriesOf(r).length, MAX_ENTRIES)
      assert.isAtMost(gunzipSync(r.body).byteLength, MAX_PAYLOAD_BYTES)
    }
    assert.strictEqual(counters.oversized, 0)
    const got = messages(server.requests)
    assert.deepStrictEqual(got, [
      ...Array.from({ length: 2500 }, (_, i) => `small ${i}`),
      ...Array.from({ length: 30 }, (_, i) => `big ${i}`),
      "huge"
    ])
    const huge = server.requests.flatMap(entriesOf).at(-1)!
    assert.isAbove(huge.fapilog_truncated_bytes as number, 2_700_000)
    assert.strictEqual(log.health().stats.lost, 0)
  })

  it("403 (the API key): the events are counted lost, never retried", async () => {
    const { server, log } = await logThrough(
      datadog,
      (url) => [{ type: "datadog", apiKey: API_KEY, url, ...fast }],
      (log) => {
        for (let i = 0; i < 5; i++) log.info(`denied ${i}`)
      },
      { answer: (r) => intakeAnswer(r, "another-key") }
    )
    assert.deepStrictEqual(
      server.requests.map((r) => r.status),
      [403]
    )
    assert.strictEqual(log.health().stats.lost, 5)
  })

  it("400 and 413 are refusals, 408, 429 and 5xx are retried", () => {
    assert.isUndefined(failureOf(202, "{}", null))
    assert.strictEqual(failureOf(400, "bad", null)?._tag, "Permanent")
    assert.strictEqual(failureOf(413, "too large", null)?._tag, "Permanent")
    assert.include(failureOf(403, "", null)?.detail ?? "", "API key")
    assert.include(failureOf(401, "", null)?.detail ?? "", "API key")
    for (const status of [408, 500, 502, 504])
      assert.strictEqual(failureOf(status, "", null)?._tag, "Retryable")
    assert.deepStrictEqual(failureOf(429, "", "2"), {
      _tag: "Retryable",
      detail: "HTTP 429",
      retryAfterMs: 2000
    })
    const unavailable = failureOf(503, "down", "Thu, 01 Jan 2099 00:00:00 GMT")
    assert.strictEqual(unavailable?._tag === "Retryable" ? unavailable.retryAfterMs : -1, 300_000)
    const unparsable = failureOf(429, "", "garbage")
    assert.strictEqual(unparsable?._tag === "Retryable" ? unparsable.retryAfterMs : -1, undefined)
  })

  it("a 500 then a 429 without Retry-After: retried with the same entries, delivered once", async () => {
    const { server, log } = await logThrough(
      datadog,
      (url) => [{ type: "datadog", apiKey: API_KEY, url, ...fast }],
      (log) => {
        for (let i = 0; i < 10; i++) log.info(`retried ${i}`)
      },
      {
        answer: (r, n) =>
          n === 0 ? { status: 500, body: "internal" } : n === 1 ? { status: 429 } : intakeAnswer(r)
      }
    )
    assert.deepStrictEqual(
      server.requests.map((r) => r.status),
      [500, 429, 202]
    )
    assert.deepStrictEqual(
      messages(server.accepted()),
      Array.from({ length: 10 }, (_, i) => `retried ${i}`)
    )
    assert.strictEqual(log.health().stats.lost, 0)
  })
})
