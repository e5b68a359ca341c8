import { assert, describe, it } from "@effect/vitest"
import { Formatter, type LogEvent } from "fapilog"
import { LIMITS } from "../src/internal/config.js"
import {
  callsOf,
  decodeLogEvents,
  eventBytes,
  isOneCall,
  type LogEventEntry,
  LogEventsWriter,
  logEventOf,
  rejectedCount
} from "../src/internal/logEvents.js"

// a stream name with characters the request's JSON escapes
const writer = new LogEventsWriter("/app", 'host "7" \\ é')
const encodeLogEvents = (events: ReadonlyArray<LogEvent.LogEvent>) => writer.events(events)
const encodeEntries = (entries: ReadonlyArray<LogEventEntry>) => writer.entries(entries)

/** A call's whole request JSON, read back. */
const requestOf = (json: Uint8Array) =>
  JSON.parse(Buffer.from(json).toString("utf8")) as {
    logGroupName: string
    logStreamName: string
    logEvents: Array<LogEventEntry>
  }

const event = (
  timestamp: string,
  message = "m",
  fields: Record<string, unknown> = {}
): LogEvent.LogEvent => ({
  timestamp,
  level: "info",
  message,
  logger: "app",
  fields
})

const HOUR = 3_600_000

describe("logEventOf", () => {
  it("is the event's time in epoch milliseconds and its JSON line", () => {
    const e = logEventOf(event("2026-12-06T10:00:00.123Z", "hello", { a: 1 }))
    assert.strictEqual(e.timestamp, Date.parse("2026-12-06T10:00:00.123Z"))
    assert.deepStrictEqual(JSON.parse(e.message), {
      timestamp: "2026-12-06T10:00:00.123Z",
      level: "info",
      logger: "app",
      message: "hello",
      a: 1
    })
  })

  it("cuts a message so that the event is within 256 KB with its 26 bytes", () => {
    const e = logEventOf(event("2026-12-06T10:00:00.000Z", "€".repeat(200_000)))
    assert.isAtMost(eventBytes(e), LIMITS.maxEventBytes)
    assert.isAbove(
      (JSON.parse(e.message) as { fapilog_truncated_bytes: number }).fapilog_truncated_bytes,
      600_000
    )
  })
})

describe("LogEventsWriter.events", () => {
  it("keeps the events of a request in the order they were written", () => {
    const body = encodeLogEvents([
      event("2026-12-06T10:00:02.000Z", "b"),
      event("2026-12-06T10:00:01.000Z", "a")
    ])
    assert.deepStrictEqual(
      decodeLogEvents(body.body).map((e) => (JSON.parse(e.message) as { message: string }).message),
      ["b", "a"]
    )
  })

  it("writes at least 26 bytes per event more than the message, so the body bounds the call", () => {
    const events = Array.from({ length: 100 }, (_, i) => event("2026-12-06T10:00:00.000Z", `"quoted" ${i}`))
    const { body } = encodeLogEvents(events)
    const call = decodeLogEvents(body).reduce((n, e) => n + eventBytes(e), 0)
    assert.isAtLeast(body.byteLength, call)
  })

  it("writes each event's JSON line as its message, as the JSON formatter makes it, whatever the line holds", () => {
    const events = [
      event("2026-12-06T10:00:00.001Z", 'quotes " and \\ backslash', { path: "C:\\tmp", q: '"x"' }),
      event("2026-12-06T10:00:00.002Z", "control \u0000\u0007\n\t\u001f del \u007f c1 \u0085", {
        ls: "\u2028\u2029"
      }),
      event("2026-12-06T10:00:00.003Z", "utf-8 € 𝄞 日本 and a lone \ud800 surrogate", { emoji: "😀" }),
      event("not a time", "unparsed time", { nested: { a: [1, "two", null] } })
    ]
    const written = encodeLogEvents(events)
    const decoded = decodeLogEvents(written.body)
    assert.deepStrictEqual(
      decoded.map((e) => e.message),
      events.map((e) => Formatter.json.format(e))
    )
    assert.deepStrictEqual(
      decoded.slice(0, 3).map((e) => e.timestamp),
      events.slice(0, 3).map((e) => Date.parse(e.timestamp))
    )
    assert.isTrue(Number.isSafeInteger(decoded[3]!.timestamp))
    assert.deepStrictEqual(
      [...written.timestamps],
      decoded.map((e) => e.timestamp)
    )
    // what PutLogEvents counts, at most: each message as the body holds it (escaped)
    assert.deepStrictEqual(
      [...written.sizes],
      decoded.map((e) => Buffer.byteLength(JSON.stringify(e.message)) - 2 + LIMITS.eventOverhead)
    )
    for (const [i, e] of decoded.entries()) assert.isAtLeast(written.sizes[i]!, eventBytes(e))
    assert.deepStrictEqual(requestOf(written.request), {
      logGroupName: "/app",
      logStreamName: 'host "7" \\ é',
      logEvents: decoded
    })
  })

  it("cuts a line over 256 KB in the body as logEventOf cuts it", () => {
    const big = event("2026-12-06T10:00:00.000Z", "€".repeat(200_000))
    const written = encodeLogEvents([event("2026-12-06T10:00:00.000Z", "small"), big])
    const decoded = decodeLogEvents(written.body)
    assert.strictEqual(decoded[1]!.message, logEventOf(big).message)
    assert.isAtMost(eventBytes(decoded[1]!), LIMITS.maxEventBytes)
    assert.isAtLeast(written.sizes[1]!, eventBytes(decoded[1]!))
    // a line under the limit but over it once escaped is measured as it is, not cut
    const quoted = event("2026-12-06T10:00:00.000Z", '"'.repeat(100_000))
    const line = Formatter.json.format(quoted)
    assert.isBelow(Buffer.byteLength(line) + LIMITS.eventOverhead, LIMITS.maxEventBytes)
    assert.strictEqual(decodeLogEvents(encodeLogEvents([quoted]).body)[0]!.message, line)
  })

  it("writes log events read back from a body as the events wrote them", () => {
    const events = Array.from({ length: 50 }, (_, i) =>
      event("2026-12-06T10:00:00.000Z", `"m" ${i} é`, { i })
    )
    const written = encodeLogEvents(events)
    const again = encodeEntries(decodeLogEvents(written.body))
    assert.deepStrictEqual(Buffer.from(again.body), Buffer.from(written.body))
    assert.deepStrictEqual(again.starts, written.starts)
    assert.deepStrictEqual(again.sizes, written.sizes)
  })

  it("refuses a body that is not log events", () => {
    assert.throws(() => decodeLogEvents(Buffer.from("{}")), /not a batch of log events/)
    assert.throws(() => decodeLogEvents(Buffer.from('[{"timestamp":"x","message":"m"}]')), /not a batch/)
    assert.throws(() => decodeLogEvents(Buffer.from("not json")))
  })
})

describe("callsOf", () => {
  const at = (t: number, message = "m"): LogEventEntry => ({ timestamp: t, message })

  it("keeps a request within 24 hours in one call, and splits a longer span", () => {
    const t = Date.parse("2026-12-01T00:00:00.000Z")
    assert.strictEqual(callsOf([at(t), at(t + 24 * HOUR)]).length, 1)
    const calls = callsOf([at(t), at(t + HOUR), at(t + 25 * HOUR), at(t + 50 * HOUR), at(t + 50 * HOUR)])
    assert.deepStrictEqual(
      calls.map((c) => c.map((e) => (e.timestamp - t) / HOUR)),
      [[0, 1], [25], [50, 50]]
    )
  })

  it("starts a new call at an event older than the one before it: chronological calls in written order", () => {
    const t = Date.parse("2026-12-01T00:00:00.000Z")
    assert.deepStrictEqual(
      callsOf([at(t + 2), at(t + 5), at(t + 5), at(t + 1), at(t + 3), at(t)]).map((c) =>
        c.map((e) => e.timestamp - t)
      ),
      [[2, 5, 5], [1, 3], [0]]
    )
  })

  it("splits by 10,000 events and by 1,048,576 bytes with 26 per event", () => {
    const t = Date.now()
    assert.deepStrictEqual(
      callsOf(Array.from({ length: 25_000 }, () => at(t))).map((c) => c.length),
      [10_000, 10_000, 5_000]
    )
    const big = "x".repeat(100_000 - 26)
    const calls = callsOf(Array.from({ length: 25 }, () => at(t, big)))
    assert.deepStrictEqual(
      calls.map((c) => c.length),
      [10, 10, 5]
    )
    for (const c of calls)
      assert.isAtMost(
        c.reduce((n, e) => n + eventBytes(e), 0),
        LIMITS.maxBatchBytes
      )
    assert.deepStrictEqual(callsOf([]), [])
  })
})

describe("LogEventsWriter.calls", () => {
  it("is the request itself when it is one call", () => {
    const written = encodeLogEvents([
      event("2026-12-06T10:00:00.000Z", "a"),
      event("2026-12-06T10:00:00.001Z", "b")
    ])
    const calls = writer.calls(written)
    assert.strictEqual(calls.length, 1)
    assert.strictEqual(calls[0]!.json, written.request)
    assert.strictEqual(calls[0]!.events, 2)
  })

  it("cuts a request into calls within PutLogEvents' limits, each a whole request of the events' own bytes", () => {
    const base = Date.parse("2026-12-06T10:00:00.000Z")
    const events = Array.from({ length: 12_000 }, (_, i) =>
      // out of order once, and messages long enough for the byte limit to cut too
      event(new Date(base + (i === 7_000 ? 0 : i)).toISOString(), `"${"x".repeat(i % 300)}"`, { i })
    )
    const written = encodeLogEvents(events)
    const entries = decodeLogEvents(written.body)
    const calls = writer.calls(written)
    assert.isAbove(calls.length, 2)
    const requests = calls.map((c) => requestOf(c.json))
    assert.deepStrictEqual(
      requests.flatMap((r) => r.logEvents),
      entries
    )
    for (const [i, r] of requests.entries()) {
      assert.strictEqual(r.logGroupName, "/app")
      assert.strictEqual(r.logStreamName, 'host "7" \\ é')
      assert.strictEqual(calls[i]!.events, r.logEvents.length)
      assert.isAtMost(r.logEvents.length, LIMITS.maxEvents)
      assert.isAtMost(
        r.logEvents.reduce((n, e) => n + eventBytes(e), 0),
        LIMITS.maxBatchBytes
      )
      for (let k = 1; k < r.logEvents.length; k++)
        assert.isAtLeast(r.logEvents[k]!.timestamp, r.logEvents[k - 1]!.timestamp)
    }
    // the event out of order starts a call
    const firsts = requests.map((r) => (JSON.parse(r.logEvents[0]!.message) as { i: number }).i)
    assert.include(firsts, 7_000)
    // and the calls are as full as the escaped sizes allow (no call could have taken its successor's first event)
    assert.isAtMost(calls.length, callsOf(entries).length + 2)
  })
})

describe("isOneCall", () => {
  const at = (t: number): number => t

  it("is true for chronological events within 24 hours, 10,000 events and a body of 1,048,576 bytes", () => {
    const t = Date.now()
    assert.isTrue(isOneCall([at(t), at(t), at(t + 24 * HOUR)], 100))
    assert.isFalse(isOneCall([at(t + 1), at(t)], 100))
    assert.isFalse(isOneCall([at(t), at(t + 24 * HOUR + 1)], 100))
    assert.isFalse(isOneCall([at(t)], LIMITS.maxBatchBytes + 1))
    assert.isFalse(
      isOneCall(
        Array.from({ length: 10_001 }, () => at(t)),
        100
      )
    )
    assert.isFalse(isOneCall([], 2))
  })
})

describe("rejectedCount", () => {
  it("counts the too old and expired prefix and the too new suffix once", () => {
    assert.strictEqual(rejectedCount(undefined, 10), 0)
    assert.strictEqual(rejectedCount({}, 10), 0)
    assert.strictEqual(rejectedCount({ tooOldLogEventEndIndex: 2 }, 10), 3)
    assert.strictEqual(rejectedCount({ expiredLogEventEndIndex: 4, tooOldLogEventEndIndex: 2 }, 10), 5)
    assert.strictEqual(rejectedCount({ tooNewLogEventStartIndex: 7 }, 10), 3)
    assert.strictEqual(rejectedCount({ tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 8 }, 10), 4)
    assert.strictEqual(rejectedCount({ tooOldLogEventEndIndex: 9, tooNewLogEventStartIndex: 0 }, 10), 10)
  })
})
