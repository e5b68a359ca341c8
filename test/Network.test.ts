import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { createLogger, Fapilog, type Logger, Plugin, type Settings } from "../src/index.js"
import { BatchImpl } from "../src/internal/batch.js"
import { approximateBytes } from "../src/internal/json.js"
import { INFO } from "../src/internal/level.js"
import { parseRetryAfter } from "../src/internal/network.js"
import { recordOf } from "../src/internal/record.js"
import { encodeFrame, spoolFileName } from "../src/internal/spool.js"
import type { LogEvent } from "../src/LogEvent.js"
import * as Network from "../src/Network.js"
import type { Batch } from "../src/Sink.js"
import { freePort, type Received, type Receiver, receiver } from "./internal/networkServer.js"
import { sampleEvent } from "./support/events.js"

const events = (n: number, prefix = "e"): Array<LogEvent> =>
  Array.from({ length: n }, (_, i) => sampleEvent({ message: `${prefix}${i}` }))

const batchOf = (list: ReadonlyArray<LogEvent>): Batch => ({
  size: list.length,
  events: list,
  text: () => ""
})

const encode = (list: ReadonlyArray<LogEvent>): Network.Request => ({
  body: JSON.stringify(list.map((e) => e.message)),
  contentType: "application/json"
})

const messages = (received: ReadonlyArray<Received>): Array<string> =>
  received.flatMap((r) => JSON.parse(r.body.toString("utf8")) as Array<string>)

/** A network sink named "t" posting JSON arrays of messages to `url`. */
const open = (url: string, options: Omit<Partial<Network.Options>, "url"> = {}) =>
  Network.make({ name: "t", url, encode, ...options })

/** The server accepted exactly these events (or messages), once each, in order. */
const arrived = (server: Receiver, expected: ReadonlyArray<LogEvent | string>): void =>
  assert.deepStrictEqual(
    messages(server.accepted()),
    expected.map((e) => (typeof e === "string" ? e : e.message))
  )

/** An endpoint nothing listens on (yet): its port, to listen on later, and its URL. */
const unreachable = Effect.map(Effect.promise(freePort), (port) => ({
  port,
  url: `http://127.0.0.1:${port}/ingest`
}))

const waitFor = (condition: () => boolean, timeoutMs = 5000): Effect.Effect<void> =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error("condition not met in time"))
      yield* Effect.sleep(10)
    }
  })

/** A promise resolved when `release` is called. */
const gated = (): { readonly gate: Promise<void>; readonly release: () => void } => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  return { gate, release: () => release() }
}

/** A receiver holding every answer until `release` is called. */
const gatedReceiver = Effect.gen(function* () {
  const { gate, release } = gated()
  const server = yield* receiver({ answer: () => gate.then(() => ({ status: 200 })) })
  return { server, release }
})

const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-net-"))

const reports = () => {
  const list: Array<string> = []
  return { list, report: (message: string) => void list.push(message) }
}

const fast = { initialDelayMs: 10, maxDelayMs: 50 }

/** Two quick attempts per request; the breaker opens after two failures, for 100 ms. */
const shortOutage = {
  retry: { maxAttempts: 2, ...fast },
  circuitBreaker: { failureThreshold: 2, resetMs: 100 }
}

/** One attempt per request; the first failure opens the breaker for a minute. */
const giveUpAtOnce = {
  retry: { maxAttempts: 1, ...fast },
  circuitBreaker: { failureThreshold: 1, resetMs: 60_000 }
}

describe("Network.make", () => {
  it.live("batches by count: requests of at most maxEvents, in order", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const sink = yield* open(server.url, { batch: { maxEvents: 3, maxWaitMs: 20 } })
          yield* sink.write(batchOf(events(7)))
          yield* waitFor(() => sink.stats().delivered === 7)
          assert.deepStrictEqual(
            server.accepted().map((r) => (JSON.parse(r.body.toString()) as Array<string>).length),
            [3, 3, 1]
          )
          assert.strictEqual(sink.stats().delivered, 7)
          assert.strictEqual(sink.stats().requests, 3)
        })
      )
      arrived(server, events(7))
      assert.strictEqual(server.requests[0]?.headers["content-type"], "application/json")
    }).pipe(Effect.scoped)
  )

  it.live("a request takes events across batches, and a batch across requests, in order", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const all = events(9)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const sink = yield* open(server.url, { batch: { maxEvents: 4, maxWaitMs: 60_000 } })
          yield* sink.write(batchOf(all.slice(0, 2)))
          yield* sink.write(batchOf(all.slice(2, 3)))
          yield* sink.write(batchOf(all.slice(3, 9)))
          yield* waitFor(() => sink.stats().delivered === 8)
          assert.strictEqual(sink.stats().queued, 1)
        })
      )
      // the last event went at close, without waiting for maxWaitMs
      assert.deepStrictEqual(
        server.accepted().map((r) => (JSON.parse(r.body.toString()) as Array<string>).length),
        [4, 4, 1]
      )
      arrived(server, all)
    }).pipe(Effect.scoped)
  )

  it.live("batches by bytes: no body over maxBytes while events fit one each", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const big = Array.from({ length: 10 }, (_, i) => sampleEvent({ message: `${i}`.padEnd(100, "x") }))
      yield* Effect.scoped(
        Effect.gen(function* () {
          const sink = yield* open(server.url, { batch: { maxEvents: 1000, maxBytes: 350, maxWaitMs: 20 } })
          yield* sink.write(batchOf(big))
          yield* waitFor(() => messages(server.accepted()).length === 10)
        })
      )
      assert.isAbove(server.accepted().length, 3)
      for (const r of server.accepted()) assert.isAtMost(r.body.length, 350)
      assert.deepStrictEqual(
        messages(server.accepted()),
        big.map((e) => e.message)
      )
    }).pipe(Effect.scoped)
  )

  it.live("batches by time: a partial request waits maxWaitMs, then goes", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const sink = yield* open(server.url, { batch: { maxEvents: 100, maxWaitMs: 300 } })
      const start = Date.now()
      yield* sink.write(batchOf(events(2, "a")))
      yield* Effect.sleep(100)
      yield* sink.write(batchOf(events(2, "b")))
      yield* Effect.sleep(100)
      assert.strictEqual(server.requests.length, 0)
      yield* waitFor(() => server.accepted().length === 1)
      const waited = server.accepted()[0]!.at - start
      assert.isAtLeast(waited, 280)
      assert.isBelow(waited, 1500)
      assert.deepStrictEqual(messages(server.accepted()), ["a0", "a1", "b0", "b1"])
    }).pipe(Effect.scoped)
  )

  it.live(
    "429 with Retry-After: 1, then 503, then 200: every event once, the wait honoured, the same body",
    () =>
      Effect.gen(function* () {
        const server = yield* receiver({
          answer: (_, n) =>
            n === 0
              ? { status: 429, headers: { "retry-after": "1" } }
              : n === 1
                ? { status: 503 }
                : { status: 200 }
        })
        const signed: Array<number> = []
        yield* Effect.scoped(
          Effect.gen(function* () {
            const sink = yield* open(server.url, {
              batch: { maxWaitMs: 0 },
              retry: fast,
              sign: (_, attempt) => {
                signed.push(attempt)
                return { "x-attempt": String(attempt) }
              }
            })
            yield* sink.write(batchOf(events(5)))
            yield* waitFor(() => sink.stats().delivered === 5)
            assert.strictEqual(sink.stats().retries, 2)
            assert.strictEqual(sink.stats().delivered, 5)
            assert.strictEqual(sink.stats().lost, 0)
          })
        )
        assert.strictEqual(server.requests.length, 3)
        assert.isAtLeast(server.requests[1]!.at - server.requests[0]!.at, 950)
        assert.isBelow(server.requests[2]!.at - server.requests[1]!.at, 900)
        arrived(server, events(5))
        const bodies = new Set(server.requests.map((r) => r.body.toString()))
        assert.strictEqual(bodies.size, 1)
        assert.deepStrictEqual(signed, [1, 2, 3])
        assert.deepStrictEqual(
          server.requests.map((r) => r.headers["x-attempt"]),
          ["1", "2", "3"]
        )
      }).pipe(Effect.scoped)
  )

  it.live("Retry-After as an HTTP-date is honoured", () =>
    Effect.gen(function* () {
      const server = yield* receiver({
        answer: (_, n) =>
          n === 0
            ? { status: 503, headers: { "retry-after": new Date(Date.now() + 2000).toUTCString() } }
            : { status: 200 }
      })
      const sink = yield* open(server.url, { batch: { maxWaitMs: 0 }, retry: fast })
      yield* sink.write(batchOf(events(1)))
      yield* waitFor(() => server.accepted().length === 1)
      // HTTP-dates have whole seconds: at least one second, at most two
      const gap = server.requests[1]!.at - server.requests[0]!.at
      assert.isAtLeast(gap, 950)
      assert.isBelow(gap, 2600)
    }).pipe(Effect.scoped)
  )

  it.live("a permanent 400 is tried once, reported and counted as lost", () =>
    Effect.gen(function* () {
      const server = yield* receiver({ answer: () => ({ status: 400, body: "bad labels" }) })
      const r = reports()
      const sink = yield* open(server.url, { batch: { maxWaitMs: 0 }, retry: fast, report: r.report })
      yield* sink.write(batchOf(events(4)))
      yield* waitFor(() => sink.stats().lost === 4)
      yield* Effect.sleep(100)
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(sink.stats().rejected, 4)
      assert.strictEqual(sink.stats().circuit, "closed")
      assert.isTrue(r.list.some((m) => m.includes("HTTP 400: bad labels")))
    }).pipe(Effect.scoped)
  )

  it.live("a server that never answers: the request times out and is resent", () =>
    Effect.gen(function* () {
      const server = yield* receiver({ answer: (_, n) => (n === 0 ? "hang" : { status: 200 }) })
      const sink = yield* open(server.url, { batch: { maxWaitMs: 0 }, retry: fast, timeoutMs: 200 })
      const start = Date.now()
      yield* sink.write(batchOf(events(3)))
      yield* waitFor(() => sink.stats().delivered === 3)
      assert.isAtLeast(server.requests[1]!.at - start, 190)
      assert.strictEqual(server.requests.length, 2)
      assert.strictEqual(server.requests[0]!.body.toString(), server.requests[1]!.body.toString())
      assert.strictEqual(sink.stats().delivered, 3)
    }).pipe(Effect.scoped)
  )

  it.live("without a spool, a request is held while the endpoint is down and delivered when it is back", () =>
    Effect.gen(function* () {
      const { port, url: down } = yield* unreachable
      const r = reports()
      const sink = yield* open(down, {
        batch: { maxWaitMs: 0, maxEvents: 2 },
        ...shortOutage,
        report: r.report
      })
      yield* sink.write(batchOf(events(6)))
      yield* waitFor(() => r.list.some((m) => m.includes("held")))
      assert.strictEqual(sink.stats().delivered, 0)
      assert.strictEqual(sink.stats().queued, 6)
      const server = yield* receiver({ port })
      yield* waitFor(() => sink.stats().delivered === 6)
      arrived(server, events(6))
      assert.strictEqual(sink.stats().lost, 0)
    }).pipe(Effect.scoped)
  )

  it.live(
    "with a spool, an outage is spooled and replayed once the endpoint is back: no loss, no duplicate",
    () =>
      Effect.gen(function* () {
        const { port, url: down } = yield* unreachable
        const dir = tmpDir()
        const sink = yield* open(down, {
          batch: { maxWaitMs: 0, maxEvents: 2 },
          ...shortOutage,
          spool: { directory: dir },
          report: () => {}
        })
        yield* sink.write(batchOf(events(6, "down")))
        yield* waitFor(() => sink.stats().spooled === 6)
        assert.strictEqual(sink.stats().spoolPending, 3)
        assert.isAbove(fs.readdirSync(dir).length, 0)
        const server = yield* receiver({ port })
        yield* sink.write(batchOf(events(2, "up")))
        yield* waitFor(() => sink.stats().delivered === 8)
        const got = messages(server.accepted())
        assert.sameMembers(
          got,
          [...events(6, "down"), ...events(2, "up")].map((e) => e.message)
        )
        assert.strictEqual(new Set(got).size, got.length)
        // the events written while the breaker was still open were spooled too
        assert.isAtLeast(sink.stats().replayed, 6)
        assert.strictEqual(sink.stats().spoolPending, 0)
        assert.strictEqual(sink.stats().spoolBytes, 0)
      }).pipe(Effect.scoped)
  )

  it.live("the spool written by one run is replayed by the next", () =>
    Effect.gen(function* () {
      const { url: down } = yield* unreachable
      const dir = tmpDir()
      const options = {
        name: "restart",
        encode,
        batch: { maxWaitMs: 0, maxEvents: 3 },
        ...giveUpAtOnce,
        spool: { directory: dir },
        report: () => {}
      }
      const first = yield* Effect.scoped(
        Effect.gen(function* () {
          const sink = yield* Network.make({ ...options, url: down })
          yield* sink.write(batchOf(events(7)))
          return sink
        })
      )
      assert.strictEqual(first.stats().spooled, 7)
      assert.strictEqual(first.stats().lost, 0)
      const server = yield* receiver()
      const second = yield* Network.make({ ...options, url: server.url })
      yield* waitFor(() => second.stats().replayed === 7)
      arrived(server, events(7))
      assert.strictEqual(second.stats().spoolPending, 0)
    }).pipe(Effect.scoped)
  )

  it.live("a flush right after the first write sends at once, though maxWaitMs is a minute", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const sink = yield* open(server.url, { batch: { maxWaitMs: 60_000 } })
      // the flush, from another fiber, signals the sender while it is between its check and
      // its pause: the signal is not lost
      yield* sink.write(batchOf(events(2)))
      yield* Fiber.join(yield* Effect.fork(sink.flush ?? Effect.void))
      arrived(server, events(2))
    }).pipe(Effect.scoped)
  )

  for (const [what, damaged] of [
    ["a damaged spool found at start", true],
    ["a spooled request of an earlier run refused on replay", false]
  ] as const)
    it.live(`flush still waits for this run's events after ${what}`, () =>
      Effect.gen(function* () {
        const dir = tmpDir()
        const frame = encodeFrame({
          body: Buffer.from('["old0","old1","old2"]'),
          contentType: "application/json",
          events: 3
        })
        // a flipped payload bit, or an intact request the server will refuse
        if (damaged) frame[frame.length - 2] = (frame[frame.length - 2] as number) ^ 0xff
        fs.writeFileSync(path.join(dir, spoolFileName("t")), frame)
        const { gate, release } = gated()
        const server = yield* receiver({
          answer: (r) =>
            r.body.toString("utf8").includes("old") ? { status: 400 } : gate.then(() => ({ status: 200 }))
        })
        const sink = yield* open(server.url, {
          batch: { maxWaitMs: 0 },
          spool: { directory: dir },
          report: () => {}
        })
        // the earlier run's three events are lost now (damaged, or refused), before ours are sent
        yield* waitFor(() => sink.stats().lost === 3)
        yield* sink.write(batchOf(events(2)))
        const flushing = yield* Effect.fork(sink.flush ?? Effect.void)
        yield* waitFor(() => server.requests.some((r) => r.body.toString("utf8").includes("e0")))
        assert.isTrue(
          Option.isNone(yield* Fiber.poll(flushing)),
          "flush waits while our request is unanswered"
        )
        release()
        yield* Fiber.join(flushing)
        assert.strictEqual(sink.stats().delivered, 2)
        assert.strictEqual(sink.stats().lost, 3)
      }).pipe(Effect.scoped)
    )

  it.live("a full spool refuses the request and counts its events as lost", () =>
    Effect.gen(function* () {
      const { url: down } = yield* unreachable
      const r = reports()
      const sink = yield* open(down, {
        batch: { maxWaitMs: 0, maxEvents: 5 },
        ...giveUpAtOnce,
        spool: { directory: tmpDir(), maxBytes: 300 },
        report: r.report
      })
      yield* sink.write(batchOf(events(20)))
      yield* waitFor(() => sink.stats().spooled + sink.stats().lost === 20)
      assert.isAbove(sink.stats().spooled, 0)
      assert.isAbove(sink.stats().lost, 0)
      assert.isAtMost(sink.stats().spoolBytes, 300)
      assert.isTrue(r.list.some((m) => m.includes("spool full")))
    }).pipe(Effect.scoped)
  )

  it.live("drain on close: everything queued is delivered before the scope closes", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const stats = yield* Effect.scoped(
        Effect.gen(function* () {
          const sink = yield* open(server.url, { batch: { maxEvents: 10, maxWaitMs: 60_000 } })
          yield* sink.write(batchOf(events(25)))
          // two full requests go at once; the last 5 would wait a minute but for the close
          yield* waitFor(() => server.requests.length === 2)
          yield* Effect.sleep(50)
          assert.strictEqual(server.requests.length, 2)
          return sink.stats
        })
      )
      arrived(server, events(25))
      assert.strictEqual(stats().delivered, 25)
      assert.strictEqual(stats().queued, 0)
    }).pipe(Effect.scoped)
  )

  it.live("drain timeout: close gives up in bounded time and reports the lost events", () =>
    Effect.gen(function* () {
      const server = yield* receiver({ answer: () => "hang" })
      const r = reports()
      const start = Date.now()
      const stats = yield* Effect.scoped(
        Effect.gen(function* () {
          const sink = yield* open(server.url, {
            batch: { maxWaitMs: 0 },
            drainTimeoutMs: 200,
            report: r.report
          })
          yield* sink.write(batchOf(events(4)))
          yield* waitFor(() => server.requests.length === 1)
          return sink.stats
        })
      )
      assert.isBelow(Date.now() - start, 2000)
      assert.strictEqual(stats().lost, 4)
      assert.isTrue(r.list.some((m) => m.includes("4 event(s) lost") && m.includes("drain timeout")))
    }).pipe(Effect.scoped)
  )

  it.live("drain timeout with a spool: what is left goes to the spool", () =>
    Effect.gen(function* () {
      const server = yield* receiver({ answer: () => "hang" })
      const dir = tmpDir()
      const stats = yield* Effect.scoped(
        Effect.gen(function* () {
          const sink = yield* open(server.url, {
            batch: { maxWaitMs: 0, maxEvents: 2 },
            drainTimeoutMs: 200,
            spool: { directory: dir },
            report: () => {}
          })
          yield* sink.write(batchOf(events(5)))
          yield* waitFor(() => server.requests.length === 1)
          return sink.stats
        })
      )
      assert.strictEqual(stats().spooled, 5)
      assert.strictEqual(stats().lost, 0)
    }).pipe(Effect.scoped)
  )

  it.live("backpressure: with the queue at capacity, write waits until the sender takes events", () =>
    Effect.gen(function* () {
      const { server, release } = yield* gatedReceiver
      const sink = yield* open(server.url, { capacity: 5, batch: { maxEvents: 5, maxWaitMs: 0 } })
      yield* sink.write(batchOf(events(5, "a")))
      yield* waitFor(() => server.requests.length === 1)
      yield* sink.write(batchOf(events(5, "b")))
      const blocked = yield* Effect.fork(sink.write(batchOf(events(3, "c"))))
      yield* Effect.sleep(200)
      assert.isNull(blocked.unsafePoll())
      assert.strictEqual(sink.stats().queued, 10)
      release()
      yield* Fiber.join(blocked)
      yield* waitFor(() => sink.stats().delivered === 13)
      arrived(server, [...events(5, "a"), ...events(5, "b"), ...events(3, "c")])
    }).pipe(Effect.scoped)
  )

  it.live(
    "a write interrupted while waiting for room takes none of its events (a retry cannot duplicate)",
    () =>
      Effect.gen(function* () {
        const { server, release } = yield* gatedReceiver
        const sink = yield* open(server.url, { capacity: 4, batch: { maxEvents: 4, maxWaitMs: 0 } })
        yield* sink.write(batchOf(events(4, "a")))
        yield* waitFor(() => server.requests.length === 1)
        yield* sink.write(batchOf(events(3, "b")))
        const timedOut = yield* sink.write(batchOf(events(3, "c"))).pipe(Effect.timeoutOption(100))
        assert.isTrue(timedOut._tag === "None")
        assert.strictEqual(sink.stats().accepted, 7)
        release()
        // the pipeline retries the batch: it goes in once
        yield* sink.write(batchOf(events(3, "c")))
        yield* waitFor(() => sink.stats().delivered === 10)
        arrived(server, [...events(4, "a"), ...events(3, "b"), ...events(3, "c")])
      }).pipe(Effect.scoped)
  )

  it.live("a throwing encoder costs only the events it cannot encode", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const r = reports()
      const sink = yield* open(server.url, {
        batch: { maxWaitMs: 0 },
        encode: (list) => {
          if (list.some((e) => e.message === "e3")) throw new Error("cannot encode e3")
          return encode(list)
        },
        report: r.report
      })
      yield* sink.write(batchOf(events(8)))
      yield* waitFor(() => sink.stats().delivered + sink.stats().lost === 8)
      assert.strictEqual(sink.stats().encodeFailures, 1)
      assert.deepStrictEqual(
        messages(server.accepted()),
        events(8)
          .map((e) => e.message)
          .filter((m) => m !== "e3")
      )
      assert.isTrue(r.list.some((m) => m.includes("encoder failed")))
    }).pipe(Effect.scoped)
  )

  it.live("hostile encoder results and a throwing report function do not stop the sender", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const sink = yield* open(server.url, {
        batch: { maxWaitMs: 0, maxEvents: 1 },
        encode: (list) => {
          const m = list[0]?.message
          if (m === "e1") return { body: 42, contentType: "text/plain" } as never
          if (m === "e2")
            return {
              body: "x",
              get contentType(): string {
                throw new Error("getter")
              }
            }
          if (m === "e3") return { body: "x", contentType: "text/plain", headers: { a: 1 } } as never
          return encode(list)
        },
        report: () => {
          throw new Error("report broke")
        }
      })
      yield* sink.write(batchOf(events(5)))
      yield* waitFor(() => sink.stats().delivered + sink.stats().lost === 5)
      assert.strictEqual(sink.stats().encodeFailures, 3)
      assert.deepStrictEqual(messages(server.accepted()), ["e0", "e4"])
      yield* sink.write(batchOf(events(1, "later")))
      yield* waitFor(() => sink.stats().delivered === 3)
    }).pipe(Effect.scoped)
  )

  it.live("static and per-body headers are sent", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const sink = yield* open(server.url, {
        batch: { maxWaitMs: 0 },
        headers: { authorization: "Bearer abc", "x-scope-orgid": "tenant" },
        encode: (list) => ({ ...encode(list), headers: { "content-encoding": "identity" } })
      })
      yield* sink.write(batchOf(events(1)))
      yield* waitFor(() => server.accepted().length === 1)
      const h = server.requests[0]!.headers
      assert.strictEqual(h.authorization, "Bearer abc")
      assert.strictEqual(h["x-scope-orgid"], "tenant")
      assert.strictEqual(h["content-encoding"], "identity")
    }).pipe(Effect.scoped)
  )

  it.live("a request whose headers the HTTP client refuses is given up at once, not retried", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const r = reports()
      const sink = yield* open(server.url, {
        batch: { maxWaitMs: 0 },
        encode: (list) => ({ ...encode(list), headers: { "x-bad": "a\nb" } }),
        report: r.report
      })
      yield* sink.write(batchOf(events(2)))
      yield* waitFor(() => sink.stats().lost === 2)
      assert.strictEqual(server.requests.length, 0)
      assert.strictEqual(sink.stats().retries, 0)
      assert.isTrue(r.list.some((m) => m.includes("cannot form the request headers")))
    }).pipe(Effect.scoped)
  )

  it.live("an invalid url is refused when the sink is opened", () =>
    Effect.gen(function* () {
      const bad = yield* Effect.exit(open("not a url", {}))
      assert.isTrue(Exit.isFailure(bad))
      const ftp = yield* Effect.exit(open("ftp://host/x", {}))
      assert.isTrue(Exit.isFailure(ftp))
      const header = yield* Effect.exit(open("http://127.0.0.1/x", { headers: { "x-a": "1\r\nx-b: 2" } }))
      assert.isTrue(Exit.isFailure(header))
    }).pipe(Effect.scoped)
  )

  it.live("through a logger: every event arrives once, after close", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const log = yield* Effect.promise(() =>
        createLogger({
          sinks: [open(server.url, { batch: { maxEvents: 50, maxWaitMs: 10 } })]
        })
      )
      for (let i = 0; i < 200; i++) log.info(`m${i}`)
      yield* Effect.promise(() => log.close())
      assert.deepStrictEqual(
        messages(server.accepted()),
        Array.from({ length: 200 }, (_, i) => `m${i}`)
      )
    }).pipe(Effect.scoped)
  )
})

/** A sink plugin built on Network.make: settings name it `{ type: "net", url, ...network settings }`. */
const netPlugin = Plugin.sink({
  name: "fapilog-plugin-net",
  type: "net",
  version: "1.0.0",
  apiVersion: "1.0",
  description: "Posts messages as JSON arrays",
  config: Schema.Struct({ url: Schema.String, ...Network.configFields }),
  make: (config) =>
    Network.make({ name: "net", url: config.url, encode, ...Network.optionsFromConfig(config) })
})

type NetConfig = Network.Config & { readonly url: string }

/**
 * A logger whose only sink is a network sink with `config`: given directly, or named by
 * type (the plugin loader wraps it, with a write timeout of 150 ms, shorter than any wait below).
 */
const ways: Record<string, (config: NetConfig, settings: Settings.Settings) => Promise<Logger.Logger>> = {
  "given directly": (config, settings) =>
    createLogger({
      ...settings,
      sinks: [Network.make({ name: "net", url: config.url, encode, ...Network.optionsFromConfig(config) })]
    }),
  "loaded by type": (config, settings) =>
    createLogger({
      ...settings,
      sinks: [Plugin.entry("net", config)],
      plugins: { use: [netPlugin], timeoutMs: 150 }
    })
}

for (const [way, logger] of Object.entries(ways)) {
  describe(`a network sink ${way}: the logger sees its flush, health and backpressure`, () => {
    it.live("log.flush() returns with every event delivered, though batch.maxWaitMs is a minute", () =>
      Effect.gen(function* () {
        const server = yield* receiver()
        const log = yield* Effect.promise(() =>
          logger({ url: server.url, batch: { maxEvents: 1000, maxWaitMs: 60_000 } }, {})
        )
        log.info("a")
        log.info("b")
        yield* Effect.promise(() => log.flush())
        arrived(server, ["a", "b"])
        log.info("c")
        yield* Effect.promise(() => log.flush())
        arrived(server, ["a", "b", "c"])
        yield* Effect.promise(() => log.close())
      }).pipe(Effect.scoped)
    )

    it.live(
      "log.health() shows the circuit open during an outage behind the queue; flush stays bounded",
      () =>
        Effect.gen(function* () {
          const server = yield* receiver({ answer: () => ({ status: 503 }) })
          const log = yield* Effect.promise(() =>
            logger(
              {
                url: server.url,
                batch: { maxWaitMs: 0 },
                retry: { maxAttempts: 2, ...fast },
                circuitBreaker: { failureThreshold: 1, resetMs: 60_000 },
                drainTimeoutMs: 200
              },
              { shutdownTimeoutMs: 300 }
            )
          )
          log.info("x")
          // returns although the endpoint never accepts: the wait is bounded by shutdownTimeoutMs
          yield* Effect.promise(() => log.flush())
          const health = log.health()
          assert.strictEqual(health.sinks[0]?.status, "circuit-open")
          assert.strictEqual(
            health.sinks[0]?.failures,
            0,
            "every write was taken: the outage is behind the queue"
          )
          assert.strictEqual(health.status, "failing")
          yield* Effect.promise(() => log.close())
        }).pipe(Effect.scoped)
    )

    it.live("a write waiting for room longer than the plugin write timeout is not a SinkError", () =>
      Effect.gen(function* () {
        // each request is answered after 400 ms; the sink holds 4 events and sends 2 a request
        const server = yield* receiver({
          answer: () => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 400))
        })
        const log = yield* Effect.promise(() =>
          logger(
            { url: server.url, capacity: 4, batch: { maxEvents: 2, maxWaitMs: 0 } },
            // no retries by the pipeline: a write it saw fail would go to the fallback at once
            { retry: { attempts: 0 }, fallback: "null" }
          )
        )
        for (let i = 0; i < 4; i++) log.info(`a${i}`)
        // the first request is in flight, two events wait in the sink's queue
        yield* Effect.sleep(50)
        for (let i = 0; i < 8; i++) log.info(`b${i}`)
        yield* Effect.sleep(250)
        const waiting = log.health().stats.queued
        yield* Effect.promise(() => log.flush())
        const health = log.health()
        yield* Effect.promise(() => log.close())
        assert.isAbove(waiting, 0, "past the write timeout, the pipeline still waits for room in the sink")
        assert.strictEqual(health.sinks[0]?.failures, 0)
        assert.strictEqual(health.stats.sinkErrors, 0)
        assert.strictEqual(health.stats.lost, 0)
        arrived(server, [
          ...Array.from({ length: 4 }, (_, i) => `a${i}`),
          ...Array.from({ length: 8 }, (_, i) => `b${i}`)
        ])
      }).pipe(Effect.scoped)
    )

    it.live(
      "under block, the facade past the full backlog spills to the spool: nothing refused, all delivered once",
      () =>
        Effect.gen(function* () {
          const { server, release } = yield* gatedReceiver
          const dir = tmpDir()
          const log = yield* Effect.promise(() =>
            logger(
              {
                url: server.url,
                capacity: 4,
                batch: { maxEvents: 4, maxWaitMs: 0 },
                spool: { directory: dir }
              },
              // a backlog of 4 x 4 events: the sink holds every answer, so the 300 calls outrun it
              { capacity: 4, fallback: "null" }
            )
          )
          const n = 300
          for (let i = 0; i < n; i++) log.info(`s${i}`)
          const mid = log.stats()
          release()
          yield* Effect.promise(() => log.flush())
          yield* waitFor(() => messages(server.accepted()).length >= n)
          yield* Effect.promise(() => log.close())
          assert.strictEqual(mid.refused, 0, "nothing refused while the spool had room")
          assert.strictEqual(mid.accepted, n)
          const got = messages(server.accepted()).filter((m) => m.startsWith("s"))
          assert.strictEqual(got.length, n, "each delivered once")
          assert.deepStrictEqual(
            [...new Set(got)].sort(),
            Array.from({ length: n }, (_, i) => `s${i}`).sort()
          )
          assert.strictEqual(log.stats().lost, 0)
        }).pipe(Effect.scoped)
    )

    it.live(
      "events found damaged in the spool at start are counted in the logger's lost, under the sink's name",
      () =>
        Effect.gen(function* () {
          const { url: down } = yield* unreachable
          const dir = tmpDir()
          const config = { batch: { maxWaitMs: 0, maxEvents: 3 }, ...giveUpAtOnce, spool: { directory: dir } }
          const first = yield* Effect.promise(() => logger({ url: down, ...config }, { fallback: "null" }))
          for (let i = 0; i < 7; i++) first.info(`d${i}`)
          yield* Effect.promise(() => first.close())
          // a flipped bit in the second request, d3 to d5
          const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith(".spool")) as string)
          const bytes = fs.readFileSync(file)
          const at = bytes.indexOf('"d4"')
          bytes[at + 1] = "x".charCodeAt(0)
          fs.writeFileSync(file, bytes)
          const server = yield* receiver()
          const second = yield* Effect.promise(() =>
            logger({ url: server.url, ...config }, { fallback: "null" })
          )
          yield* waitFor(() => messages(server.accepted()).length === 4)
          const stats = second.stats()
          yield* Effect.promise(() => second.close())
          arrived(server, ["d0", "d1", "d2", "d6"])
          assert.strictEqual(stats.lost, 3)
          assert.deepStrictEqual(stats.lostBy, { net: 3 })
          assert.isTrue(
            fs.readdirSync(dir).some((f) => f.includes(".damaged-")),
            "the damaged file is kept"
          )
        }).pipe(Effect.scoped)
    )
  })
}

describe("spilling past the pipeline's backlog", () => {
  it.live("a spill after the sink closed answers false and counts its events as lost", () =>
    Effect.gen(function* () {
      const server = yield* receiver()
      const sink = yield* Effect.scoped(
        open(server.url, { spool: { directory: tmpDir() }, report: () => {} })
      )
      assert.isFalse(sink.spill?.(batchOf(events(3))))
      assert.strictEqual(sink.stats().lost, 3)
      assert.strictEqual(sink.health?.().lost, 3)
    }).pipe(Effect.scoped)
  )

  it.live("Effect.log* under block spills to the spool instead of being refused; counts add up", () =>
    Effect.gen(function* () {
      const { server, release } = yield* gatedReceiver
      const sink = yield* open(server.url, {
        capacity: 4,
        batch: { maxEvents: 4, maxWaitMs: 0 },
        spool: { directory: tmpDir() }
      })
      const n = 400
      const stats = yield* Effect.gen(function* () {
        yield* Effect.forEach(
          Array.from({ length: n }, (_, i) => i),
          (i) => Effect.logInfo(`f${i}`),
          { concurrency: "unbounded", discard: true }
        )
        const mid = yield* Fapilog.stats
        release()
        yield* Fapilog.flush
        return mid
      }).pipe(Effect.provide(Fapilog.layer({ sinks: [sink], capacity: 4, fallback: "null" })))
      yield* waitFor(() => sink.stats().delivered === n)
      assert.strictEqual(stats.refused, 0, "no Effect.logInfo refused")
      assert.strictEqual(stats.accepted, n)
      assert.isAbove(sink.stats().spilled, 0, "the backlog was full: batches went to the spool")
      assert.strictEqual(sink.stats().lost, 0)
      const got = messages(server.accepted())
      assert.strictEqual(got.length, n)
      assert.strictEqual(new Set(got).size, n, "each once")
    }).pipe(Effect.scoped)
  )

  it.live(
    "once the spool's budget is spent, calls are refused again; every call is delivered, lost or refused",
    () =>
      Effect.gen(function* () {
        const { server, release } = yield* gatedReceiver
        const sink = yield* open(server.url, {
          capacity: 4,
          batch: { maxEvents: 4, maxWaitMs: 0 },
          spool: { directory: tmpDir(), maxBytes: 2000 },
          report: () => {}
        })
        const n = 400
        const stats = yield* Effect.gen(function* () {
          for (let i = 0; i < n; i++) yield* Effect.logInfo(`g${i}`)
          const mid = yield* Fapilog.stats
          release()
          yield* Fapilog.flush
          return mid
        }).pipe(Effect.provide(Fapilog.layer({ sinks: [sink], capacity: 4, fallback: "null" })))
        yield* waitFor(() => sink.stats().queued === 0 && sink.stats().spoolPending === 0)
        const s = sink.stats()
        assert.isAbove(stats.refusedBy.overflow?.info ?? 0, 0, "refused once the disk budget was spent")
        assert.strictEqual(stats.accepted + stats.refused, n)
        assert.isAbove(s.spilled, 0)
        assert.strictEqual(
          s.delivered + s.lost,
          s.accepted,
          "everything the sink took was delivered or counted lost"
        )
        // what the sink took beyond the calls: the pipeline's own summaries of the refusals
        const calls = messages(server.accepted()).filter((m) => m.startsWith("g"))
        assert.strictEqual(new Set(calls).size, calls.length, "each once")
        assert.isAtLeast(
          calls.length + s.lost,
          stats.accepted,
          "every accepted call delivered or counted lost"
        )
      }).pipe(Effect.scoped)
  )
})

describe("Network config", () => {
  const Config = Schema.Struct({ url: Schema.String, ...Network.configFields })

  it("decodes the shared fields and turns them into options", () => {
    const config = Schema.decodeUnknownSync(Config)({
      url: "http://x",
      batch: { maxEvents: 10 },
      retry: { maxAttempts: 3 },
      spool: { directory: "/tmp/s" },
      headers: { a: "b" }
    })
    const options = Network.optionsFromConfig(config)
    assert.deepStrictEqual(options, {
      batch: { maxEvents: 10 },
      retry: { maxAttempts: 3 },
      spool: { directory: "/tmp/s" },
      headers: { a: "b" }
    })
  })

  it("url: http(s) only, no credentials, the message naming the value", () => {
    const Url = Network.url({ credentials: "auth: { bearer }" })
    const message = (u: unknown) => {
      const r = Schema.decodeUnknownEither(Url)(u)
      return r._tag === "Left" ? r.left.message : "accepted"
    }
    assert.strictEqual(message("https://h.example/x"), "accepted")
    assert.include(message("ftp://h/x"), '"ftp://h/x" is not an http:// or https:// URL')
    assert.include(message("http://u:p@h/x"), "must not carry credentials: use auth: { bearer }")
    assert.include(message(42), "42 is not an http:// or https:// URL")
  })

  it("a bad value is one clean issue naming its path and the accepted values", () => {
    const issues = (input: unknown) => {
      const result = Schema.decodeUnknownEither(Config, { errors: "all" })(input)
      return result._tag === "Left" ? ParseResult.ArrayFormatter.formatErrorSync(result.left) : []
    }
    assert.deepStrictEqual(issues({ url: "http://x", batch: { maxEvents: 0 } }), [
      {
        _tag: "Type",
        path: ["batch", "maxEvents"],
        message: "0 is not a whole number of events between 1 and 1000000"
      }
    ])
    assert.deepStrictEqual(
      issues({ url: "http://x", retry: { maxDelayMs: 1.5 }, spool: { directory: "" } }).map((i) => [
        i.path.join("."),
        i.message
      ]),
      [
        ["retry.maxDelayMs", "1.5 is not a whole number of milliseconds between 1 and 3600000"],
        ["spool.directory", '"" is not a directory path']
      ]
    )
    // absent is absent: an explicit undefined is not a value
    assert.deepStrictEqual(
      issues({ url: "http://x", timeoutMs: undefined }).map((i) => i.message),
      ["undefined is not a whole number of milliseconds between 1 and 3600000"]
    )
  })
})

describe("Network.post", () => {
  /** A server answering each request with `answer`; what it received, body bytes included. */
  const serve = async (answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) => {
    const received: Array<{ readonly headers: http.IncomingHttpHeaders; readonly body: Buffer }> = []
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) })
        answer(req, res)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const { port } = server.address() as { port: number }
    return {
      url: `http://127.0.0.1:${port}/in`,
      received,
      close: () => {
        server.closeAllConnections()
        server.close()
      }
    }
  }

  it("sends a byte or text body as it is, with its length and headers, and reads the answer whole", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(429, { "retry-after": "7", "content-type": "text/plain" })
      res.end("slow down: ünïcode")
    })
    try {
      const bytes = new Uint8Array([0x7b, 0x7d, 0x0a, 0xc3, 0xa9])
      // a view into a larger buffer: only its own bytes go
      const padded = new Uint8Array(16)
      padded.set(bytes, 4)
      const a = await Network.post(s.url, { body: padded.subarray(4, 9), headers: { "x-tenant": "t1" } })
      const b = await Network.post(s.url, { body: "é\n", headers: { "content-type": "text/plain" } })
      assert.deepStrictEqual(a, { status: 429, retryAfter: "7", text: "slow down: ünïcode" })
      assert.strictEqual(b.status, 429)
      assert.deepStrictEqual([...(s.received[0]?.body ?? [])], [...bytes])
      assert.strictEqual(s.received[0]?.headers["content-length"], "5")
      assert.strictEqual(s.received[0]?.headers["x-tenant"], "t1")
      assert.strictEqual(s.received[1]?.body.toString("utf8"), "é\n")
      assert.strictEqual(s.received[1]?.headers["content-length"], "3")
    } finally {
      s.close()
    }
  })

  it("does not follow a redirect, and gives no Retry-After as null", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(302, { location: "/elsewhere" })
      res.end()
    })
    try {
      assert.deepStrictEqual(await Network.post(s.url, { body: "x", headers: {} }), {
        status: 302,
        retryAfter: null,
        text: ""
      })
      assert.strictEqual(s.received.length, 1)
    } finally {
      s.close()
    }
  })

  it("rejects when the signal aborts, when the answer is cut off, and for a refused header or url", async () => {
    const silent = await serve(() => {})
    const cut = await serve((_req, res) => {
      res.writeHead(200, { "content-length": "100" })
      res.write("partial")
      setTimeout(() => res.destroy(), 20)
    })
    const rejects = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p
      } catch (e) {
        return e instanceof Error ? e.message : String(e)
      }
      return "resolved"
    }
    try {
      const aborted = await rejects(
        Network.post(silent.url, { body: "x", headers: {}, signal: AbortSignal.timeout(50) })
      )
      assert.notStrictEqual(aborted, "resolved")
      const partial = await rejects(Network.post(cut.url, { body: "x", headers: {} }))
      assert.notStrictEqual(partial, "resolved")
      assert.match(await rejects(Network.post(cut.url, { body: "x", headers: { "x-bad": "a\nb" } })), /x-bad/)
      assert.match(await rejects(Network.post("ftp://127.0.0.1/x", { body: "x", headers: {} })), /ftp:/)
      // nothing reached the server from the refused requests
      assert.strictEqual(cut.received.length, 1)
    } finally {
      silent.close()
      cut.close()
    }
  })
})

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP-dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z")
    assert.strictEqual(parseRetryAfter("3", now), 3000)
    assert.strictEqual(parseRetryAfter(" 0 ", now), 0)
    assert.strictEqual(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now), 5000)
    assert.strictEqual(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now), 0)
    assert.strictEqual(parseRetryAfter("soon", now), undefined)
    assert.strictEqual(parseRetryAfter(null, now), undefined)
    assert.strictEqual(parseRetryAfter("999999", now), 300_000)
  })

  it("approximates event sizes without throwing on cycles or odd values", () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    assert.isAbove(approximateBytes(cyclic), 0)
    assert.isAbove(approximateBytes(sampleEvent({ message: "x".repeat(100) })), 100)
    assert.strictEqual(approximateBytes(undefined), 4)
  })
})

describe("Network.make with a transport of its own", () => {
  /** A transport recording every attempt's body; `answer` decides each attempt's outcome. */
  const recording = (answer: (attempt: number, n: number) => Network.TransportFailure | undefined) => {
    const sent: Array<{ readonly body: string; readonly attempt: number }> = []
    const transport: Network.Transport = {
      send: (request, attempt) =>
        Effect.suspend(() => {
          sent.push({ body: Buffer.from(request.body).toString("utf8"), attempt })
          const failure = answer(attempt, sent.length)
          return failure === undefined ? Effect.void : Effect.fail(failure)
        })
    }
    const delivered = (): Array<string> =>
      sent
        .filter((s, i) => answer(s.attempt, i + 1) === undefined)
        .flatMap((s) => JSON.parse(s.body) as Array<string>)
    return { sent, transport, delivered }
  }

  const withTransport = (transport: Network.Transport, options: Omit<Partial<Network.Options>, "url"> = {}) =>
    Network.make({ name: "t", transport, encode, batch: { maxWaitMs: 0 }, ...options })

  it.live("a retryable failure is retried with the same body until the transport takes it", () =>
    Effect.gen(function* () {
      const t = recording((_, n) => (n <= 2 ? { _tag: "Retryable", detail: "busy" } : undefined))
      const sink = yield* withTransport(t.transport, { retry: fast, report: () => {} })
      yield* sink.write(batchOf(events(3)))
      yield* waitFor(() => sink.stats().delivered === 3)
      assert.deepStrictEqual(
        t.sent.map((s) => s.attempt),
        [1, 2, 3]
      )
      assert.strictEqual(new Set(t.sent.map((s) => s.body)).size, 1, "every attempt sends the same body")
      assert.deepInclude(sink.stats(), { delivered: 3, retries: 2, requests: 1, lost: 0 })
    }).pipe(Effect.scoped)
  )

  it.live(
    "a permanent failure loses the request's events at once, and does not count against the breaker",
    () =>
      Effect.gen(function* () {
        const r = reports()
        const t = recording((_, n) => (n === 1 ? { _tag: "Permanent", detail: "SQLSTATE 22P02" } : undefined))
        const sink = yield* withTransport(t.transport, { ...giveUpAtOnce, report: r.report })
        yield* sink.write(batchOf(events(2)))
        yield* waitFor(() => sink.stats().lost === 2)
        yield* sink.write(batchOf(events(1, "next")))
        yield* waitFor(() => sink.stats().delivered === 1)
        assert.deepInclude(sink.stats(), { rejected: 2, retries: 0, circuit: "closed" })
        assert.isTrue(r.list.some((m) => m.includes("refused the request (SQLSTATE 22P02)")))
      }).pipe(Effect.scoped)
  )

  it.live("a retry-after from the transport replaces the backoff delay", () =>
    Effect.gen(function* () {
      // the backoff alone would wait an hour before the second attempt
      const t = recording((_, n) =>
        n === 1 ? { _tag: "Retryable", detail: "slow down", retryAfterMs: 0 } : undefined
      )
      const sink = yield* withTransport(t.transport, {
        retry: { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000 },
        report: () => {}
      })
      yield* sink.write(batchOf(events(1)))
      yield* waitFor(() => sink.stats().delivered === 1)
      assert.strictEqual(sink.stats().retries, 1)
    }).pipe(Effect.scoped)
  )

  it.live(
    "an attempt that does not finish within timeoutMs is interrupted and retried; a throw is retryable",
    () =>
      Effect.gen(function* () {
        let interrupted = 0
        let calls = 0
        const transport: Network.Transport = {
          send: () =>
            Effect.suspend(() => {
              calls++
              if (calls === 1)
                return Effect.async<void, Network.TransportFailure>(() =>
                  Effect.sync(() => {
                    interrupted++
                  })
                )
              if (calls === 2) throw new Error("socket gone")
              return Effect.void
            })
        }
        const r = reports()
        const sink = yield* withTransport(transport, { timeoutMs: 50, retry: fast, report: r.report })
        yield* sink.write(batchOf(events(1)))
        yield* waitFor(() => sink.stats().delivered === 1)
        assert.strictEqual(interrupted, 1)
        assert.deepInclude(sink.stats(), { retries: 2, lost: 0 })
      }).pipe(Effect.scoped)
  )

  it.live(
    "an outage is spooled and replayed by the next run; the transport's resources close after the drain",
    () =>
      Effect.gen(function* () {
        const dir = tmpDir()
        const order: Array<string> = []
        const down = recording(() => ({ _tag: "Retryable", detail: "connection refused" }))
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* Effect.acquireRelease(Effect.void, () => Effect.sync(() => order.push("transport closed")))
            const sink = yield* withTransport(down.transport, {
              ...giveUpAtOnce,
              spool: { directory: dir },
              report: () => {}
            })
            yield* Effect.addFinalizer(() =>
              Effect.sync(() => order.push(`sink closed, ${sink.stats().spooled} spooled`))
            )
            yield* sink.write(batchOf(events(4)))
            yield* waitFor(() => sink.stats().spooled === 4)
          })
        )
        assert.deepStrictEqual(order, ["sink closed, 4 spooled", "transport closed"])
        const up = recording(() => undefined)
        const sink = yield* withTransport(up.transport, { spool: { directory: dir } })
        yield* waitFor(() => sink.stats().replayed === 4)
        assert.deepStrictEqual(up.delivered(), ["e0", "e1", "e2", "e3"])
        assert.strictEqual(sink.stats().spoolPending, 0)
      }).pipe(Effect.scoped)
  )

  it.live(
    "a transport that took a request but refused some events: those are rejected and lost, the rest delivered",
    () =>
      Effect.gen(function* () {
        const r = reports()
        let calls = 0
        const transport: Network.Transport = {
          send: () =>
            Effect.sync(() => {
              calls++
              // a transport's count beyond the request's own is not believed
              return calls === 1
                ? ({ _tag: "Refused", events: 2, detail: "mapper_parsing_exception" } as const)
                : ({ _tag: "Refused", events: 99, detail: "all of them" } as const)
            })
        }
        const sink = yield* withTransport(transport, { report: r.report })
        yield* sink.write(batchOf(events(5)))
        yield* waitFor(() => sink.stats().delivered + sink.stats().lost === 5)
        assert.deepInclude(sink.stats(), {
          delivered: 3,
          rejected: 2,
          lost: 2,
          requests: 1,
          circuit: "closed"
        })
        assert.isTrue(
          r.list.some((m) => m.includes("refused part of the request (mapper_parsing_exception)"))
        )
        yield* sink.write(batchOf(events(1, "next")))
        yield* waitFor(() => sink.stats().requests === 2)
        assert.deepInclude(sink.stats(), { delivered: 3, rejected: 3, lost: 3, requests: 2 })
      }).pipe(Effect.scoped)
  )

  it.live(
    "the next request is encoded while one is in flight, and sent after it; a close mid-flight keeps both",
    () =>
      Effect.gen(function* () {
        const dir = tmpDir()
        let encodes = 0
        const sent: Array<Array<string>> = []
        const { gate, release } = gated()
        const transport: Network.Transport = {
          send: (request) =>
            Effect.promise(async () => {
              sent.push(JSON.parse(Buffer.from(request.body).toString("utf8")) as Array<string>)
              if (sent.length === 1) await gate
            })
        }
        const counting = (list: ReadonlyArray<LogEvent>) => {
          encodes++
          return encode(list)
        }
        yield* Effect.scoped(
          Effect.gen(function* () {
            const sink = yield* Network.make({
              name: "t",
              transport,
              encode: counting,
              batch: { maxEvents: 2, maxWaitMs: 0 }
            })
            yield* sink.write(batchOf(events(6)))
            // the second request is ready while the first waits for its answer, and not sent
            yield* waitFor(() => encodes === 2)
            yield* Effect.sleep(20)
            assert.strictEqual(encodes, 2, "one request ahead, no more")
            assert.strictEqual(sent.length, 1)
            assert.strictEqual(sink.stats().queued, 6)
            release()
            yield* waitFor(() => sink.stats().delivered === 6)
            assert.deepStrictEqual(sent, [
              ["e0", "e1"],
              ["e2", "e3"],
              ["e4", "e5"]
            ])
            assert.deepInclude(sink.stats(), { requests: 3, queued: 0, lost: 0 })
          })
        )
        // an answer that never comes: the request in flight, the one encoded behind it and the
        // events still queued all go to the spool at close, in order
        const hung: Array<Array<string>> = []
        const stats = yield* Effect.scoped(
          Effect.gen(function* () {
            const sink = yield* Network.make({
              name: "t",
              transport: {
                send: (request) =>
                  Effect.suspend(() => {
                    hung.push(JSON.parse(Buffer.from(request.body).toString("utf8")) as Array<string>)
                    return Effect.never
                  })
              },
              encode: counting,
              batch: { maxEvents: 2, maxWaitMs: 0 },
              timeoutMs: 60_000,
              drainTimeoutMs: 100,
              spool: { directory: dir },
              report: () => {}
            })
            encodes = 0
            yield* sink.write(batchOf(events(5)))
            yield* waitFor(() => encodes === 2)
            return sink.stats
          })
        )
        assert.deepStrictEqual(hung, [["e0", "e1"]])
        assert.deepInclude(stats(), { spooled: 5, lost: 0, queued: 0 })
        const up = recording(() => undefined)
        const replay = yield* withTransport(up.transport, { spool: { directory: dir } })
        yield* waitFor(() => replay.stats().replayed === 5)
        assert.deepStrictEqual(up.delivered(), ["e0", "e1", "e2", "e3", "e4"])
      }).pipe(Effect.scoped)
  )

  it.live("a pipeline's batch is built one event at a time, as its requests are formed", () =>
    Effect.gen(function* () {
      const records = Array.from({ length: 6 }, (_, i) =>
        recordOf(INFO, `r${i}`, { fields: { i, user: "alice" } })
      )
      const batch = new BatchImpl(records)
      const t = recording(() => undefined)
      const { gate, release } = gated()
      const transport: Network.Transport = {
        send: (request, attempt) =>
          t.transport.send(request, attempt).pipe(Effect.zipRight(Effect.promise(() => gate)))
      }
      const sink = yield* withTransport(transport, { batch: { maxEvents: 2, maxWaitMs: 0 } })
      yield* sink.write(batch)
      yield* waitFor(() => t.sent.length === 1)
      assert.isUndefined(
        (batch as unknown as { materialized?: unknown }).materialized,
        "the batch is not built whole when the sink takes it"
      )
      release()
      yield* waitFor(() => sink.stats().delivered === 6)
      assert.deepStrictEqual(
        t.delivered(),
        records.map((r) => r.message)
      )
    }).pipe(Effect.scoped)
  )

  it.live("url and transport together, or neither, are refused when the sink is opened", () =>
    Effect.gen(function* () {
      const transport: Network.Transport = { send: () => Effect.void }
      const both = yield* Effect.exit(
        Network.make({ name: "t", url: "http://127.0.0.1/x", transport, encode })
      )
      assert.isTrue(Exit.isFailure(both) && String(both.cause).includes("either url or transport"))
      const neither = yield* Effect.exit(Network.make({ name: "t", encode }))
      assert.isTrue(Exit.isFailure(neither) && String(neither.cause).includes("url is missing"))
    }).pipe(Effect.scoped)
  )
})
