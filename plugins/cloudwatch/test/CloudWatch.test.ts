import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { createLogger, type LogEvent, type Logger, Plugin, type Sink } from "fapilog"
import { refusedSettings } from "../../../test/support/networkPlugin.js"
import * as CloudWatch from "../src/index.js"
import { type CloudWatchServer, CREDENTIALS, type Fault, startCloudWatch } from "./cloudwatchServer.js"
import { settingsFor } from "./delivery.js"

const GROUP = "/fapilog/test"
const STREAM = "tests"

/** A logger on the server's endpoint; `write` logs, then it is closed. */
const logTo = async (
  server: CloudWatchServer,
  write: (log: Logger.Logger) => void | Promise<void>,
  more: Record<string, unknown> = {}
): Promise<Logger.Logger> => {
  const log = await createLogger({
    plugins: { use: [CloudWatch.plugin] },
    sinks: [Plugin.entry("cloudwatch", { ...settingsFor(server.endpoint, GROUP, STREAM), ...more })]
  })
  await write(log)
  await log.close()
  return log
}

const withServer = async (
  test: (server: CloudWatchServer) => Promise<void>,
  options: Parameters<typeof startCloudWatch>[0] = {}
): Promise<void> => {
  const server = await startCloudWatch(options)
  try {
    await test(server)
  } finally {
    await server.stop()
  }
}

const event = (timestamp: number, message: string): LogEvent.LogEvent => ({
  timestamp: new Date(timestamp).toISOString(),
  level: "info",
  message,
  logger: "app",
  fields: {}
})

const batch = (events: ReadonlyArray<LogEvent.LogEvent>): Sink.Batch => ({
  size: events.length,
  events,
  text: () => ""
})

/** Writes `events` to a sink opened on the server and closes it (it drains). */
const writeThroughSink = (server: CloudWatchServer, events: ReadonlyArray<LogEvent.LogEvent>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const sink = yield* CloudWatch.sink(settingsFor(server.endpoint, GROUP, STREAM))
        yield* sink.write(batch(events))
      })
    )
  )

const operations = (server: CloudWatchServer) =>
  server.calls.map((c) => `${c.operation} ${c.error ?? c.status}`)

describe("@fapilog/cloudwatch", () => {
  it("refuses bad settings, naming the field and what it accepts", async () => {
    const c = { type: "cloudwatch", module: CloudWatch } as never
    const missing = await refusedSettings(c, {})
    assert.include(missing.at("region"), "is missing")
    assert.include(missing.at("logGroup"), "is missing")
    const bad = await refusedSettings(c, {
      region: "Europe",
      logGroup: "bad group!",
      logStream: "a:b",
      endpoint: "ftp://x",
      credentials: { accessKeyId: "k" },
      batch: { maxEvents: 20_000, maxBytes: 100_000_000 }
    })
    assert.include(bad.at("region"), "us-east-1")
    assert.include(bad.at("logGroup"), "512")
    assert.include(bad.at("logStream"), "without :")
    assert.include(bad.at("endpoint"), "http://")
    assert.include(bad.at("credentials"), "secretAccessKey")
    assert.include(bad.at("batch.maxEvents"), "10000")
    assert.include(bad.at("batch.maxBytes"), "67108864")
  })

  it("creates the missing group and stream, then delivers every event once, in order, signed", () =>
    withServer(async (server) => {
      const log = await logTo(server, (log) => {
        for (let i = 0; i < 300; i++) log.info(`event ${i}`, { i })
      })
      assert.deepStrictEqual(operations(server).slice(0, 4), [
        "PutLogEvents ResourceNotFoundException",
        "CreateLogGroup 200",
        "CreateLogStream 200",
        "PutLogEvents 200"
      ])
      assert.deepStrictEqual(
        server.messages(GROUP, STREAM),
        Array.from({ length: 300 }, (_, i) => `event ${i}`)
      )
      assert.strictEqual(log.health().stats.lost, 0)
    }))

  it("tolerates a group that exists (ResourceAlreadyExistsException) and creates only the stream", () =>
    withServer(
      async (server) => {
        await logTo(server, (log) => log.info("into an existing group"))
        assert.deepStrictEqual(operations(server), [
          "PutLogEvents ResourceNotFoundException",
          "CreateLogGroup ResourceAlreadyExistsException",
          "CreateLogStream 200",
          "PutLogEvents 200"
        ])
        assert.deepStrictEqual(server.messages(GROUP, STREAM), ["into an existing group"])
      },
      { existing: { [GROUP]: ["other"] } }
    ))

  it("retries ThrottlingException and ServiceUnavailableException with the same events, delivered once", () =>
    withServer(
      async (server) => {
        const log = await logTo(server, (log) => {
          for (let i = 0; i < 50; i++) log.info(`throttled ${i}`)
        })
        assert.deepStrictEqual(operations(server), [
          "PutLogEvents ThrottlingException",
          "PutLogEvents ServiceUnavailableException",
          "PutLogEvents 200"
        ])
        assert.deepStrictEqual(server.calls[0]?.input, server.calls[2]?.input)
        assert.deepStrictEqual(
          server.messages(GROUP, STREAM),
          Array.from({ length: 50 }, (_, i) => `throttled ${i}`)
        )
        assert.strictEqual(log.health().stats.lost, 0)
      },
      {
        existing: { [GROUP]: [STREAM] },
        fault: (operation, n): Fault | undefined =>
          operation !== "PutLogEvents"
            ? undefined
            : n === 0
              ? { status: 400, type: "ThrottlingException", message: "Rate exceeded" }
              : n === 1
                ? { status: 503, type: "ServiceUnavailableException", message: "The service is unavailable" }
                : undefined
      }
    ))

  it("keeps PutLogEvents' limits: 10,000 events and 1,048,576 bytes per call, 256 KB per event", () =>
    withServer(
      async (server) => {
        const big = "b".repeat(150_000)
        const log = await logTo(
          server,
          async (log) => {
            // within the logger's own queue: flushed every 2000
            for (let i = 0; i < 12_000; i++) {
              log.info(`small ${i}`)
              if (i % 2000 === 1999) await log.flush()
            }
            for (let i = 0; i < 20; i++) log.info(`big ${i}`, { big })
            log.info("huge", { huge: "h".repeat(400_000) })
          },
          { capacity: 20_000 }
        )
        const puts = server.calls.filter((c) => c.operation === "PutLogEvents")
        assert.isTrue(
          puts.every((c) => c.status === 200),
          `every call taken: ${operations(server).join(", ")}`
        )
        for (const c of puts) assert.isAtMost((c.input.logEvents as Array<unknown>).length, 10_000)
        const messages = server.messages(GROUP, STREAM)
        assert.deepStrictEqual(messages, [
          ...Array.from({ length: 12_000 }, (_, i) => `small ${i}`),
          ...Array.from({ length: 20 }, (_, i) => `big ${i}`),
          "huge"
        ])
        const huge = JSON.parse(server.groups.get(GROUP)!.get(STREAM)!.at(-1)!.message) as Record<
          string,
          unknown
        >
        assert.isAbove(huge.fapilog_truncated_bytes as number, 400_000)
        assert.strictEqual(log.health().stats.lost, 0)
      },
      { existing: { [GROUP]: [STREAM] } }
    ))

  it("sends a request out of chronological order, or spanning days, in chronological calls within 24 hours, in written order", () =>
    withServer(
      async (server) => {
        const now = Date.now()
        const day = 24 * 3_600_000
        await writeThroughSink(server, [
          event(now - 3 * day, "a"),
          event(now - 1.5 * day, "b"),
          event(now - 2000, "c"),
          event(now - 3000, "d"),
          event(now - 1000, "e")
        ])
        const puts = server.calls.filter((c) => c.operation === "PutLogEvents")
        assert.deepStrictEqual(
          puts.map((c) => (c.input.logEvents as Array<unknown>).length),
          [1, 1, 1, 2]
        )
        assert.deepStrictEqual(server.messages(GROUP, STREAM), ["a", "b", "c", "d", "e"])
      },
      { existing: { [GROUP]: [STREAM] } }
    ))

  it("a retry after a partial request sends only the calls not yet taken", () =>
    withServer(
      async (server) => {
        const now = Date.now()
        const day = 24 * 3_600_000
        await writeThroughSink(server, [event(now - 2 * day, "first call"), event(now, "second call")])
        assert.deepStrictEqual(operations(server), [
          "PutLogEvents 200",
          "PutLogEvents ThrottlingException",
          "PutLogEvents 200"
        ])
        assert.deepStrictEqual(server.messages(GROUP, STREAM), ["first call", "second call"])
      },
      {
        existing: { [GROUP]: [STREAM] },
        fault: (operation, n) =>
          operation === "PutLogEvents" && n === 1 ? { status: 400, type: "ThrottlingException" } : undefined
      }
    ))

  it("reports the events CloudWatch Logs refuses for their time (rejectedLogEventsInfo) and stores the rest", () => {
    const base = Date.UTC(2026, 10, 1)
    const minute = 60_000
    return withServer(
      async (server) => {
        // the server's clock is 14 days and 10 minutes after base: older than base + 10 min is too
        // old, later than 2 hours 10 minutes after base + 14 days is too new
        await writeThroughSink(server, [event(base, "too old"), event(base + 20 * minute, "kept")])
        await writeThroughSink(server, [
          event(base + 14 * 24 * 60 * minute, "kept too"),
          event(base + (14 * 24 * 60 + 180) * minute, "too new")
        ])
        assert.deepStrictEqual(operations(server), ["PutLogEvents 200", "PutLogEvents 200"])
        assert.deepStrictEqual(server.messages(GROUP, STREAM), ["kept", "kept too"])
      },
      { existing: { [GROUP]: [STREAM] }, now: () => base + (14 * 24 * 60 + 10) * minute }
    )
  })

  it("a signature CloudWatch Logs refuses (InvalidSignatureException) is retried, a skewed clock heals so; nothing stored", () =>
    withServer(async (server) => {
      const log = await logTo(server, (log) => log.info("unsigned"), {
        credentials: { ...CREDENTIALS, secretAccessKey: "wrong" },
        retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
        drainTimeoutMs: 300
      })
      assert.isAtLeast(server.calls.length, 2)
      assert.isTrue(server.calls.every((c) => c.error === "InvalidSignatureException"))
      assert.strictEqual(server.groups.size, 0)
      assert.strictEqual(log.health().stats.lost, 1)
    }))

  it("an unknown access key (UnrecognizedClientException) is refused for good: counted lost, not retried", () =>
    withServer(async (server) => {
      const log = await logTo(server, (log) => log.info("unknown key"), {
        credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" }
      })
      assert.deepStrictEqual(operations(server), ["PutLogEvents UnrecognizedClientException"])
      assert.strictEqual(log.health().stats.lost, 1)
    }))
})
