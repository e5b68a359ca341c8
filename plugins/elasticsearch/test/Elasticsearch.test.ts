import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { createLogger, Formatter, Plugin, withContext } from "fapilog"
import * as Testing from "fapilog/testing"
import { fast, refusedSettings } from "../../../test/support/networkPlugin.js"
import * as Elasticsearch from "../src/index.js"
import { itemsOf, makeItems, outcomeOf, readAnswer } from "../src/internal/bulk.js"
import { bulkUrl, Config } from "../src/internal/config.js"
import { indexPatternProblem, makeIndexName } from "../src/internal/indexName.js"
import { type DeadLetter, deadLetterLine, make, makeEncoder, nameOf } from "../src/internal/sink.js"
import { type BulkServerOptions, bodyText, startBulkServer } from "./bulkServer.js"
import { documentsOf, elasticsearch } from "./delivery.js"

const waitFor = (condition: () => boolean, timeoutMs = 10_000): Effect.Effect<void> =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error("condition not met in time"))
      yield* Effect.sleep(10)
    }
  })

/**
 * The sink opened on a bulk server (`server`), its dead letters and reports kept; `events`
 * written as one batch, then waits until every one is delivered or lost.
 */
const run = (
  server: BulkServerOptions,
  settings: Record<string, unknown>,
  events: ReadonlyArray<Testing.EventInput> | number
) =>
  Effect.gen(function* () {
    const bulk = yield* Effect.acquireRelease(
      Effect.promise(() => startBulkServer(server)),
      (s) => Effect.promise(() => s.stop())
    )
    const reports: Array<string> = []
    const config = Schema.decodeUnknownSync(Config)({
      url: `http://127.0.0.1:${bulk.port}`,
      ...fast,
      ...settings
    })
    const letters: Array<DeadLetter> = []
    const sink = yield* make(
      config,
      {
        logger: "app",
        service: undefined,
        report: (m) => reports.push(m),
        fallback: () => {}
      },
      (d) => letters.push(d)
    )
    const batch = Testing.batch(events)
    yield* sink.write(batch)
    yield* waitFor(() => sink.stats().delivered + sink.stats().lost === batch.events.length)
    return { bulk, sink, reports, letters, stats: sink.stats() }
  })

describe("@fapilog/elasticsearch against a _bulk endpoint that follows the documented API", () => {
  it.live(
    "per-item answers: 429 and 503 items alone are sent again, refused documents are dead-lettered with the reason",
    () =>
      Effect.gen(function* () {
        const { bulk, stats, letters, reports } = yield* run(
          {
            itemStatus: (doc, attempt) => {
              const m = String(doc.source.message)
              if (m === "m1" || m === "m7") return 400
              if (m === "m2" && attempt <= 2) return 429
              if (m === "m4" && attempt === 1) return 503
              return undefined
            }
          },
          { index: "app-logs" },
          10
        )
        // every document once, but the two refused
        assert.deepStrictEqual(
          bulk.documents.map((d) => d.source.message),
          ["m0", "m3", "m5", "m6", "m8", "m9", "m4", "m2"]
        )
        // the second request holds only the retried items; the third only the one still refused
        const bodies = bulk.receiver.requests.map((r) => documentsOf([r]).map((d) => d.source.message))
        assert.deepStrictEqual(bodies.slice(1), [["m2", "m4"], ["m2"]])
        assert.deepStrictEqual(
          letters.map((d) => [d.status, d.reason.split(":")[0], JSON.parse(d.document).message]),
          [
            [400, "mapper_parsing_exception", "m1"],
            [400, "mapper_parsing_exception", "m7"]
          ]
        )
        assert.strictEqual(letters[0]?.index, "app-logs")
        assert.deepInclude(stats, { delivered: 8, rejected: 2, lost: 2, requests: 1, retries: 2 })
        assert.isTrue(reports.some((r) => r.includes("2 event(s) lost") && r.includes("dead-lettered")))
      }).pipe(Effect.scoped)
  )

  it.live(
    "an answer lost after the cluster created the documents: the resend is answered 409, nothing twice",
    () =>
      Effect.gen(function* () {
        // the first request is processed, but a proxy answers 502 in its place
        const { bulk, stats } = yield* run({ dropAnswer: (n) => n === 0 }, {}, 5)
        assert.deepStrictEqual(
          bulk.receiver.requests.map((r) => r.status),
          [502, 200]
        )
        assert.deepStrictEqual(
          (bulk.answers[1] as { items: Array<{ create: { status: number } }> }).items.map(
            (i) => i.create.status
          ),
          [409, 409, 409, 409, 409]
        )
        assert.strictEqual(bulk.documents.length, 5)
        assert.deepInclude(stats, { delivered: 5, lost: 0 })
      }).pipe(Effect.scoped)
  )

  it.live("by default a dead letter goes to the logger's fallback (Plugin.Context.fallback)", () =>
    Effect.gen(function* () {
      const bulk = yield* Effect.acquireRelease(
        Effect.promise(() =>
          startBulkServer({ itemStatus: (doc) => (String(doc.source.message) === "m1" ? 400 : undefined) })
        ),
        (s) => Effect.promise(() => s.stop())
      )
      const config = Schema.decodeUnknownSync(Config)({ url: `http://127.0.0.1:${bulk.port}`, ...fast })
      const fallback: Array<string> = []
      const sink = yield* make(config, {
        logger: "app",
        service: undefined,
        report: () => {},
        fallback: (line) => fallback.push(line)
      })
      const batch = Testing.batch(3)
      yield* sink.write(batch)
      yield* waitFor(() => sink.stats().delivered + sink.stats().lost === 3)
      assert.strictEqual(fallback.length, 1)
      const letter = JSON.parse(fallback[0] ?? "{}")
      assert.deepInclude(letter, { logger: "fapilog.dead-letter", status: 400 })
      assert.strictEqual(letter.document.message, "m1")
    }).pipe(Effect.scoped)
  )

  it.live(
    "a request over http.max_content_length (413) is split in halves; a document too large alone is dead-lettered",
    () =>
      Effect.gen(function* () {
        const big = "x".repeat(3000)
        const { bulk, stats, letters } = yield* run({ maxContentLength: 2500 }, { index: "split" }, [
          ...Array.from({ length: 12 }, (_, i) => ({ message: `small ${i}` })),
          { message: "huge", fields: { big } }
        ])
        assert.deepStrictEqual(
          bulk.documents.map((d) => d.source.message),
          Array.from({ length: 12 }, (_, i) => `small ${i}`)
        )
        assert.isTrue(bulk.receiver.requests.some((r) => r.status === 413))
        assert.deepStrictEqual(
          letters.map((d) => [d.status, JSON.parse(d.document).message]),
          [[413, "huge"]]
        )
        assert.deepInclude(stats, { delivered: 12, lost: 1, rejected: 1 })
      }).pipe(Effect.scoped)
  )

  it.live(
    "gzip bodies with an API key; basic auth; a wrong credential refuses the request (401), never retried",
    () =>
      Effect.gen(function* () {
        const gz = yield* run(
          { authorization: "ApiKey c2VjcmV0LWtleQ==" },
          {
            compression: "gzip",
            auth: { apiKey: "c2VjcmV0LWtleQ==" }
          },
          3
        )
        assert.strictEqual(gz.bulk.receiver.requests[0]?.headers["content-encoding"], "gzip")
        assert.strictEqual(gz.bulk.documents.length, 3)
        const basic = `Basic ${Buffer.from("elastic:changeme").toString("base64")}`
        const ok = yield* run(
          { authorization: basic },
          { auth: { username: "elastic", password: "changeme" } },
          2
        )
        assert.strictEqual(ok.bulk.documents.length, 2)
        const wrong = yield* run(
          { authorization: basic },
          { auth: { username: "elastic", password: "nope" } },
          2
        )
        assert.strictEqual(wrong.bulk.receiver.requests.length, 1)
        assert.deepStrictEqual(
          wrong.letters.map((d) => d.status),
          [401, 401]
        )
        assert.include(wrong.letters[0]?.reason, "security_exception")
        assert.deepInclude(wrong.stats, { delivered: 0, lost: 2 })
      }).pipe(Effect.scoped)
  )

  it.live("a gzipped request with a retried item sends the rest again gzipped", () =>
    Effect.gen(function* () {
      const { bulk, stats } = yield* run(
        { itemStatus: (doc, attempt) => (doc.source.message === "m1" && attempt === 1 ? 429 : undefined) },
        { compression: "gzip" },
        3
      )
      assert.deepStrictEqual(
        bulk.receiver.requests.map((r) => [r.headers["content-encoding"], documentsOf([r]).length]),
        [
          ["gzip", 3],
          ["gzip", 1]
        ]
      )
      assert.deepInclude(stats, { delivered: 3, lost: 0 })
    }).pipe(Effect.scoped)
  )

  it("ECS documents into dated indices, by each event's own UTC day; data streams take op create", async () => {
    const bulk = await startBulkServer()
    try {
      const log = await createLogger({
        enrich: { service: "checkout" },
        plugins: { use: [Elasticsearch.plugin] },
        sinks: [
          Plugin.entry("elasticsearch", {
            url: `http://127.0.0.1:${bulk.port}`,
            index: "logs-%{+yyyy.MM.dd}",
            ...fast
          })
        ]
      })
      withContext({ correlationId: "req-9" }, () =>
        log.error("failed", {
          traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
          orderId: 7,
          error: new Error("boom")
        })
      )
      await log.close()
    } finally {
      await bulk.stop()
    }
    const doc = bulk.documents[0]!
    assert.strictEqual(doc.index, `logs-${new Date().toISOString().slice(0, 10).replace(/-/g, ".")}`)
    assert.deepInclude(doc.source, {
      "log.level": "error",
      message: "failed",
      "ecs.version": "8.11.0",
      "service.name": "checkout",
      "labels.correlation_id": "req-9",
      orderId: 7,
      "error.message": "boom"
    })
    const index = makeIndexName("logs-%{+yyyy.MM.dd}-%{+HH}")
    assert.strictEqual(index("2026-01-31T23:59:59.999Z"), "logs-2026.01.31-23")
    assert.strictEqual(index("2026-02-01T00:00:00.000Z"), "logs-2026.02.01-00")
    assert.strictEqual(index("2026-02-01T00:30:00.000Z"), "logs-2026.02.01-00")
    assert.strictEqual(makeIndexName("logs-%{+yy-MM}")("2026-03-04T05:06:07Z"), "logs-26-03")
    assert.strictEqual(makeIndexName("static")("whenever"), "static")
  })

  it("bulk bodies: one action and one document line per event, whatever the fields hold", () => {
    const cyclic: Record<string, unknown> = { name: "loop" }
    cyclic.self = cyclic
    const hostile = {
      get boom(): never {
        throw new Error("getter")
      }
    }
    const encode = makeEncoder({ dataStream: "logs-app-default" })
    const events = [
      Testing.event({ message: "line\nbreak\u0000\u2028", fields: { cyclic, big: 10n, hostile } }),
      Testing.event({ id: "fixed-id", message: "two" })
    ]
    const body = String(encode(events).body)
    const items = itemsOf(body)
    assert.strictEqual(items.length, 2)
    assert.strictEqual(body.split("\n").length, 5)
    for (const line of body.split("\n").slice(0, -1)) JSON.parse(line)
    assert.deepStrictEqual(JSON.parse(body.split("\n")[2]!), {
      create: { _index: "logs-app-default", _id: "fixed-id" }
    })
    assert.strictEqual(JSON.parse(body.split("\n")[1]!).message, "line\nbreak\u0000\u2028")
    // the json layout: fapilog's own line
    const json = makeItems(Formatter.json, () => "i")([Testing.event({ message: "j" })])
    assert.strictEqual(JSON.parse(json[0]!.split("\n")[1]!).message, "j")
  })

  it("answers read item by item: 409 on create is delivered, 429 and 5xx retried, other statuses refused", () => {
    assert.deepStrictEqual(outcomeOf({ create: { status: 201 } }), { _tag: "Delivered" })
    assert.deepStrictEqual(outcomeOf({ create: { status: 409, error: { type: "version_conflict" } } }), {
      _tag: "Delivered"
    })
    assert.strictEqual(outcomeOf({ create: { status: 429, error: {} } })._tag, "Retry")
    assert.strictEqual(outcomeOf({ index: { status: 502, error: "bad gateway" } })._tag, "Retry")
    assert.deepInclude(
      outcomeOf({
        create: {
          status: 400,
          error: { type: "mapper_parsing_exception", reason: "bad", caused_by: { reason: "NaN" } }
        }
      }),
      { _tag: "Refused", status: 400, reason: "mapper_parsing_exception: bad (caused by: NaN)" }
    )
    assert.strictEqual(readAnswer('{"errors":false,"items":[]}', 3).length, 3)
    assert.strictEqual(readAnswer("<html>", 1), "the answer is not JSON")
    assert.strictEqual(readAnswer('{"errors":true,"items":[{}]}', 2), "the answer has 1 items for 2 sent")
  })

  it("dead letters are fapilog JSON lines with the reason and the document", () => {
    const line = deadLetterLine(
      "elasticsearch:http://es:9200/app",
      {
        index: "app",
        id: "x1",
        status: 400,
        reason: "mapper_parsing_exception: bad",
        document: '{"message":"m"}'
      },
      new Date(Testing.baseTime)
    )
    assert.isTrue(line.endsWith("\n"))
    assert.deepInclude(JSON.parse(line), {
      level: "error",
      logger: "fapilog.dead-letter",
      status: 400,
      reason: "mapper_parsing_exception: bad",
      index: "app",
      id: "x1",
      document: { message: "m" }
    })
  })

  it("settings: URL, index names, data streams, auth; refusals name the field and what is accepted", async () => {
    const refusal = (settings: Record<string, unknown>) => refusedSettings(elasticsearch, settings)
    assert.include(
      (await refusal({ url: "http://u:p@es:9200" })).at("sinks[0].url"),
      "auth: { apiKey } or auth: { username, password }"
    )
    assert.include((await refusal({ url: "http://es", index: "Logs" })).at("sinks[0].index"), "lowercase")
    assert.include(
      (await refusal({ url: "http://es", index: "logs-%{+yyyy.MM.dd.mmm}" })).at("sinks[0].index"),
      "may hold only yyyy, yy, MM, dd, HH"
    )
    assert.include(
      (await refusal({ url: "http://es", dataStream: "logs-%{+yyyy}" })).at("sinks[0].dataStream"),
      "is not a data stream name"
    )
    assert.include(
      (await refusal({ url: "http://es", index: "a", dataStream: "b" })).at("sinks[0].dataStream"),
      "give index or dataStream, not both"
    )
    const auth = (await refusal({ url: "http://es", auth: { apiKey: "a\nb" } })).at("sinks[0].auth")
    assert.include(auth, "{ apiKey }")
    assert.notInclude(auth, "a\nb")
    assert.include(
      (await refusal({ url: "http://es", compression: "br" })).at("sinks[0].compression"),
      "is not one of none, gzip"
    )
    assert.strictEqual(indexPatternProblem("_x"), "it may not start with -, _ or +")
    assert.strictEqual(
      indexPatternProblem("a b"),
      '" " is not allowed (none of \\ / * ? " < > | , # : or spaces)'
    )
    assert.isUndefined(indexPatternProblem("logs-%{+yyyy.MM.dd}"))
    assert.strictEqual(
      bulkUrl("http://es:9200/prefix/", "geoip"),
      "http://es:9200/prefix/_bulk?pipeline=geoip"
    )
    assert.strictEqual(bulkUrl("http://es:9200/_bulk", undefined), "http://es:9200/_bulk")
    assert.strictEqual(
      nameOf(Schema.decodeUnknownSync(Config)({ url: "https://es:9200?x=1", dataStream: "logs-a-b" })),
      "elasticsearch:https://es:9200/logs-a-b"
    )
  })

  it("the body text of a request, gzipped or not, reads back the same", () => {
    const encode = makeEncoder({ compression: "gzip" })
    const request = encode([Testing.event({ message: "z" })])
    const text = bodyText({
      body: Buffer.from(request.body as Uint8Array),
      headers: { "content-encoding": "gzip" },
      url: "/_bulk",
      at: 0,
      status: undefined
    })
    assert.strictEqual(JSON.parse(text.split("\n")[1]!).message, "z")
  })
})
