/**
 * The network sink on Effect 4 (the engine's `Network.make`, run through the overlay): a
 * real HTTP receiver on 127.0.0.1, `Effect.log*` lines delivered through the fapilog layer,
 * retries after a 503 (Effect 4's `Schedule` under the overlay's Effect 3 names), and the
 * durable spool written by one run and replayed by the next.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Fapilog, Network } from "../../src/effect4/index.js"
import type { LogEvent } from "../../src/LogEvent.js"
import { freePort, listen, type Received, type Receiver } from "../internal/networkServer.js"

const dirs: Array<string> = []
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})
const tmpDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-effect4-net-"))
  dirs.push(dir)
  return dir
}

const encode = (list: ReadonlyArray<LogEvent>): Network.Request => ({
  body: JSON.stringify(list.map((e) => e.message)),
  contentType: "application/json"
})

const messages = (received: ReadonlyArray<Received>): Array<string> =>
  received.flatMap((r) => JSON.parse(r.body.toString("utf8")) as Array<string>)

/** A receiver for the test's scope. */
const receiver = (options?: Parameters<typeof listen>[0]) =>
  Effect.acquireRelease(
    Effect.promise(() => listen(options)),
    (server: Receiver) => Effect.promise(() => server.stop())
  )

/** Effect.log lines through a fapilog layer whose only sink is `network`. */
const logThrough = (network: ReturnType<typeof Network.make>, lines: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    for (const line of lines) yield* Effect.log(line)
    yield* Fapilog.flush
  }).pipe(Effect.provide(Fapilog.layer({ sinks: [network] })))

describe("Network.make on Effect 4", () => {
  it.live("Effect.log lines are delivered once each, in order, a 503 retried", () =>
    Effect.gen(function* () {
      const server = yield* receiver({ answer: (_, n) => ({ status: n === 0 ? 503 : 200 }) })
      yield* logThrough(
        Network.make({
          name: "collector",
          url: server.url,
          encode,
          batch: { maxWaitMs: 0 },
          retry: { initialDelayMs: 10, maxDelayMs: 50 }
        }),
        ["one", "two", "three"]
      )
      assert.deepStrictEqual(
        server.requests.map((r) => r.status),
        [503, 200]
      )
      assert.deepStrictEqual(messages(server.accepted()), ["one", "two", "three"])
      assert.strictEqual(server.requests[0]?.body.toString(), server.requests[1]?.body.toString())
    }).pipe(Effect.scoped)
  )

  it.live("the spool written while the endpoint is down is replayed by the next run", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(freePort)
      const dir = tmpDir()
      const options = {
        name: "restart",
        url: `http://127.0.0.1:${port}/logs`,
        encode,
        batch: { maxWaitMs: 0, maxEvents: 2 },
        retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 50 },
        circuitBreaker: { failureThreshold: 1, resetMs: 60_000 },
        spool: { directory: dir },
        report: () => {}
      }
      const first = yield* Effect.scoped(
        Effect.gen(function* () {
          const sink = yield* Network.make(options)
          yield* sink.write({ size: 3, events: ["a", "b", "c"].map(event), text: () => "" })
          return sink
        })
      )
      assert.strictEqual(first.stats().spooled, 3)
      assert.strictEqual(first.stats().lost, 0)
      const server = yield* receiver({ port })
      const second = yield* Network.make(options)
      yield* waitFor(() => second.stats().replayed === 3)
      assert.deepStrictEqual(messages(server.accepted()), ["a", "b", "c"])
      assert.strictEqual(second.stats().spoolPending, 0)
    }).pipe(Effect.scoped)
  )

  it.live(
    "a transport of its own: its retry-after replaces the backoff; an attempt past timeoutMs is interrupted",
    () =>
      Effect.gen(function* () {
        const taken: Array<string> = []
        const take = (request: Network.Encoded) =>
          Effect.sync(
            () =>
              void taken.push(...(JSON.parse(Buffer.from(request.body).toString("utf8")) as Array<string>))
          )
        // the backoff alone would wait an hour: only the retry-after of 0 lets the second attempt come
        const slowDown: Network.Transport = {
          send: (request, attempt) =>
            attempt === 1
              ? Effect.fail<Network.TransportFailure>({ _tag: "Retryable", detail: "busy", retryAfterMs: 0 })
              : take(request)
        }
        yield* logThrough(
          Network.make({
            name: "slow-down",
            transport: slowDown,
            encode,
            batch: { maxWaitMs: 0 },
            retry: { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000 }
          }),
          ["one", "two"]
        )
        assert.deepStrictEqual(taken, ["one", "two"])
        let interrupted = 0
        const hangsOnce: Network.Transport = {
          send: (request, attempt) =>
            attempt === 1
              ? Effect.never.pipe(
                  Effect.onInterrupt(() =>
                    Effect.sync(() => {
                      interrupted++
                    })
                  )
                )
              : take(request)
        }
        yield* logThrough(
          Network.make({
            name: "hangs-once",
            transport: hangsOnce,
            encode,
            timeoutMs: 50,
            batch: { maxWaitMs: 0 },
            retry: { initialDelayMs: 10, maxDelayMs: 50 }
          }),
          ["three"]
        )
        assert.strictEqual(interrupted, 1)
        assert.deepStrictEqual(taken, ["one", "two", "three"])
      }).pipe(Effect.scoped)
  )

  it.live("a transport of its own: what it cannot deliver is spooled, and the next run replays it", () =>
    Effect.gen(function* () {
      const dir = tmpDir()
      const options = {
        name: "own-spool",
        encode,
        batch: { maxWaitMs: 0 },
        retry: { maxAttempts: 1 },
        spool: { directory: dir }
      }
      const down: Network.Transport = { send: () => Effect.fail({ _tag: "Retryable", detail: "down" }) }
      yield* logThrough(Network.make({ ...options, transport: down }), ["kept"])
      const replayed: Array<string> = []
      const up: Network.Transport = {
        send: (request) => Effect.sync(() => void replayed.push(Buffer.from(request.body).toString("utf8")))
      }
      const sink = yield* Network.make({ ...options, transport: up })
      yield* waitFor(() => sink.stats().replayed === 1)
      assert.deepStrictEqual(
        replayed.flatMap((b) => JSON.parse(b) as Array<string>),
        ["kept"]
      )
    }).pipe(Effect.scoped)
  )
})

const event = (message: string): LogEvent => ({
  timestamp: "2026-01-01T00:00:00.000Z",
  level: "info",
  message,
  logger: "app",
  fields: {}
})

const waitFor = (condition: () => boolean, timeoutMs = 5000): Effect.Effect<void> =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error("condition not met in time"))
      yield* Effect.sleep(10)
    }
  })
