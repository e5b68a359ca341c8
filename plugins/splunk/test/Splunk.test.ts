import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Formatter } from "fapilog"
import * as Testing from "fapilog/testing"
import { fast, refusedSettings } from "../../../test/support/networkPlugin.js"
import { Config, collectorUrl } from "../src/internal/config.js"
import { epochSeconds, makeEventBody, makeRawBody } from "../src/internal/hec.js"
import { make, nameOf } from "../src/internal/sink.js"
import { envelopes, splunk, token } from "./delivery.js"
import { envelopesOf, type HecServerOptions, startHecServer } from "./hecServer.js"

const waitFor = (condition: () => boolean, timeoutMs = 10_000): Effect.Effect<void> =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error("condition not met in time"))
      yield* Effect.sleep(10)
    }
  })

/** The sink opened on a HEC stand-in; `events` written as one batch, then waits until each is delivered or lost. */
const run = (
  server: Omit<HecServerOptions, "token"> & { readonly token?: string },
  settings: Record<string, unknown>,
  events: ReadonlyArray<Testing.EventInput> | number
) =>
  Effect.gen(function* () {
    const hec = yield* Effect.acquireRelease(
      Effect.promise(() => startHecServer({ token, ...server })),
      (s) => Effect.promise(() => s.stop())
    )
    const reports: Array<string> = []
    const config = Schema.decodeUnknownSync(Config)({
      url: `http://127.0.0.1:${hec.port}`,
      token,
      ...fast,
      ...settings
    })
    const sink = yield* make(config, {
      logger: "checkout",
      service: undefined,
      report: (m) => reports.push(m),
      fallback: () => {}
    })
    const batch = Testing.batch(events)
    yield* sink.write(batch)
    yield* waitFor(() => sink.stats().delivered + sink.stats().lost === batch.events.length)
    return { hec, reports, stats: sink.stats() }
  })

describe("@fapilog/splunk against a collector following the HEC documentation", () => {
  it.live(
    "indexer acknowledgement: polled with the ackId on the channel; a request not acknowledged in time is sent again",
    () =>
      Effect.gen(function* () {
        const { hec, stats, reports } = yield* run(
          // the first request is never indexed; the second one on its third poll
          { ack: true, indexedAt: (id, poll) => id > 0 && poll >= 3 },
          { ack: true, ackTimeoutMs: 300, ackPollMs: 20, channel: "0aa0c0de-0000-4000-8000-00000000beef" },
          3
        )
        assert.deepStrictEqual(
          hec.events.map((e) => [e.ackId, (e.event as { message: string }).message]),
          [
            [0, "m0"],
            [0, "m1"],
            [0, "m2"],
            [1, "m0"],
            [1, "m1"],
            [1, "m2"]
          ]
        )
        assert.deepStrictEqual(
          hec.indexed().map((e) => (e.event as { message: string }).message),
          ["m0", "m1", "m2"]
        )
        assert.isTrue(hec.polls.every((p) => p.channel === "0aa0c0de-0000-4000-8000-00000000beef"))
        assert.deepStrictEqual(hec.polls.at(-1)?.acks, [1])
        assert.deepInclude(stats, { delivered: 3, lost: 0, retries: 1, requests: 1 })
        assert.isEmpty(reports.filter((r) => r.includes("lost")))
      }).pipe(Effect.scoped)
  )

  it.live("ack on for a token without it: delivered, and reported once per request", () =>
    Effect.gen(function* () {
      const { stats, reports } = yield* run({}, { ack: true, ackPollMs: 20 }, 2)
      assert.deepInclude(stats, { delivered: 2, lost: 0 })
      assert.isTrue(reports.some((r) => r.includes("no ackId")))
    }).pipe(Effect.scoped)
  )

  it.live("the raw endpoint: the lines as they are, metadata in the query", () =>
    Effect.gen(function* () {
      const { hec, stats } = yield* run({}, { endpoint: "raw", sourcetype: "fapilog:json", index: "app" }, 2)
      const request = hec.receiver.requests[0]!
      const url = new URL(request.url, "http://x")
      assert.strictEqual(url.pathname, "/services/collector/raw")
      assert.strictEqual(url.searchParams.get("sourcetype"), "fapilog:json")
      assert.strictEqual(url.searchParams.get("index"), "app")
      assert.strictEqual(url.searchParams.get("source"), "checkout")
      assert.deepStrictEqual(
        hec.events.map((e) => (JSON.parse(String(e.event)) as { message: string }).message),
        ["m0", "m1"]
      )
      assert.deepInclude(stats, { delivered: 2 })
    }).pipe(Effect.scoped)
  )

  it.live(
    "answers by HEC code: busy (9, 503) retried; invalid token (4) and invalid data format (6) refused, never retried",
    () =>
      Effect.gen(function* () {
        const busy = yield* run(
          {
            answer: (_, n) =>
              n < 2 ? { status: 503, body: '{"text":"Server is busy","code":9}' } : undefined
          },
          {},
          2
        )
        assert.deepStrictEqual(
          busy.hec.receiver.requests.map((r) => r.status),
          [503, 503, 200]
        )
        assert.deepInclude(busy.stats, { delivered: 2, retries: 2 })
        const forged = yield* run({ token: "another-token" }, {}, 2)
        assert.deepStrictEqual(
          forged.hec.receiver.requests.map((r) => r.status),
          [403]
        )
        assert.deepInclude(forged.stats, { delivered: 0, lost: 2, rejected: 2 })
        assert.isTrue(forged.reports.some((r) => r.includes("HTTP 403: Invalid token (code 4)")))
        const malformed = yield* run(
          {
            answer: () => ({
              status: 400,
              body: '{"text":"Invalid data format","code":6,"invalid-event-number":0}'
            })
          },
          {},
          1
        )
        assert.strictEqual(malformed.hec.receiver.requests.length, 1)
        assert.isTrue(malformed.reports.some((r) => r.includes("Invalid data format (code 6)")))
      }).pipe(Effect.scoped)
  )

  it("envelopes: time in epoch seconds with milliseconds, metadata, the event as fapilog's JSON object", () => {
    assert.strictEqual(epochSeconds("2026-01-02T03:04:05.006Z"), "1767323045.006")
    assert.strictEqual(epochSeconds("2026-01-02T03:04:05.060Z"), "1767323045.060")
    assert.strictEqual(epochSeconds("2026-01-02T03:04:05.600Z"), "1767323045.600")
    assert.strictEqual(epochSeconds("2026-01-02T03:04:05.000Z"), "1767323045.000")
    assert.match(epochSeconds("not a date"), /^\d{10}\.\d{3}$/)
    const cyclic: Record<string, unknown> = { name: "loop" }
    cyclic.self = cyclic
    const body = makeEventBody(Formatter.json, { host: "h", source: "s", sourcetype: "_json" })([
      Testing.event({ message: "a\nb\u0000", fields: { cyclic, big: 10n } }),
      Testing.event({ message: "two" })
    ])
    const parsed = envelopesOf(Buffer.from(body).toString("utf8"))!
    assert.strictEqual(parsed.length, 2)
    assert.deepInclude(parsed[0], { time: 1767323045.006, host: "h", source: "s", sourcetype: "_json" })
    assert.notProperty(parsed[0], "index")
    assert.strictEqual((parsed[0]!.event as { message: string }).message, "a\nb\u0000")
    assert.strictEqual(makeRawBody(Formatter.json)([Testing.event({ message: "r" })]).split("\n").length, 2)
    // the JSON formatter's line is written as bytes; another formatter's as its text: the same body
    const events = [
      Testing.event({ message: "ünïcödé 🚀", fields: { n: 1 } }),
      Testing.event({ message: "two" })
    ]
    const meta = { host: "hôst", source: "s", sourcetype: "_json", index: "main" }
    assert.deepStrictEqual(
      Buffer.from(makeEventBody(Formatter.jsonWith(Formatter.defaultLimits), meta)(events)),
      Buffer.from(makeEventBody(Formatter.json, meta)(events))
    )
  })

  it("settings: refusals name the field and what is accepted; the token never shows", async () => {
    const refusal = (settings: Record<string, unknown>) => refusedSettings(splunk, settings)
    const noToken = await refusal({ url: "http://splunk:8088" })
    assert.include(noToken.at("sinks[0].token"), "is missing")
    const badToken = (await refusal({ url: "http://splunk:8088", token: "se\ncret" })).at("sinks[0].token")
    assert.include(badToken, "is not a HEC token")
    assert.notInclude(badToken, "se\ncret")
    assert.include(
      (await refusal({ url: "http://splunk:8088", token, channel: "abc" })).at("sinks[0].channel"),
      "a GUID"
    )
    assert.include(
      (await refusal({ url: "http://splunk:8088", token, endpoint: "stream" })).at("sinks[0].endpoint"),
      "is not one of event, raw"
    )
    assert.include(
      (await refusal({ url: "http://splunk:8088", token, ackTimeoutMs: 5 })).at("sinks[0].ackTimeoutMs"),
      "between 100 and 600000"
    )
    assert.include((await refusal({ url: "http://u:p@splunk:8088", token })).at("sinks[0].url"), "token")
  })

  it("the collector's address: a base, or an endpoint already named", () => {
    assert.strictEqual(collectorUrl("https://splunk:8088"), "https://splunk:8088/services/collector")
    assert.strictEqual(
      collectorUrl("https://splunk:8088/services/collector/event"),
      "https://splunk:8088/services/collector"
    )
    assert.strictEqual(
      collectorUrl("https://h/proxy/services/collector/raw/1.0?x=1"),
      "https://h/proxy/services/collector"
    )
    assert.strictEqual(
      nameOf(Schema.decodeUnknownSync(Config)({ url: "https://splunk:8088", token, endpoint: "raw" })),
      "splunk:https://splunk:8088/services/collector/raw"
    )
  })

  it("every envelope of the scenario's bodies is read back", () => {
    assert.deepStrictEqual(
      envelopes([
        {
          body: Buffer.from('{"event":{"message":"a"}}{"event":"b"}\n'),
          headers: {},
          url: "/",
          at: 0,
          status: 200
        }
      ]).map((e) => e.event),
      [{ message: "a" }, "b"]
    )
  })
})
