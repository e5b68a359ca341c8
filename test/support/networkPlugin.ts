/**
 * One description per first-party network plugin (Loki, OTLP, webhook) and the tests every
 * one of them runs: the plugin and sink conformance suites of fapilog/testing, and the
 * issue's delivery scenario (429 with Retry-After, then 503, then accepted: every event
 * exactly once, the same body resent). The same scenario runs against the packed and
 * installed package in test/support/pluginInstall.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { createLogger, Errors, type Logger, Plugin, type Settings, type Sink } from "fapilog"
import * as Testing from "fapilog/testing"
import { type Answer, listen, type Received, type Receiver, receiver } from "../internal/networkServer.js"
import { itPassesPluginConformance } from "./pluginConformance.js"

export interface NetworkPluginCase {
  /** The plugin's type: its directory under plugins/ and its package @fapilog/<type>. */
  readonly type: string
  /** The plugin's module: its plugin object (also the default export) and sink constructor. */
  readonly module: {
    readonly plugin: Plugin.Plugin
    readonly default: unknown
    readonly sink: (settings: never) => Effect.Effect<Sink.Sink, Errors.ConfigError, Scope.Scope>
  }
  /** The `url` setting, given the port the receiver listens on. */
  readonly url: (port: number) => string
  /** More keys of every sink's settings (a `secret`...), JSON values only. */
  readonly settings?: Readonly<Record<string, unknown>> | undefined
  /** More keys for the delivery scenario only (`labelKeys`...), JSON values only. */
  readonly scenarioSettings?: Readonly<Record<string, unknown>> | undefined
  /** The status the receiver accepts with. */
  readonly accept: number
  /** The body of an accepting answer, when the plugin reads one (a bulk API's per-item results). */
  readonly acceptBody?: ((request: Received) => string) | undefined
  /** Whether a request is genuine (a valid signature); the receiver answers 401 otherwise. */
  readonly authentic?: ((request: Received) => boolean) | undefined
  /** Checks every request (each attempt) of the delivery scenario: path, headers, body. */
  readonly checkRequest: (request: Received) => void
  /** Checks the attempts of one request beyond the same body (headers per attempt...). */
  readonly checkResent?: ((attempts: ReadonlyArray<Received>) => void) | undefined
  /** The messages of the accepted requests, in order, decoded as the receiver would. */
  readonly messages: (accepted: ReadonlyArray<Received>) => Array<string>
}

/** Short batching and retry delays, so the scenario takes about a second. */
export const fast = { batch: { maxWaitMs: 50 }, retry: { initialDelayMs: 20, maxDelayMs: 200 } }

/** Events of the delivery scenario, all at info from a service named e2e. */
export const EVENTS = 200
export const eventMessage = (i: number): string => `event ${i}`

/** The settings entry of the scenario, without its `url`. */
export const entryOf = (c: NetworkPluginCase): { readonly type: string } & Record<string, unknown> => ({
  type: c.type,
  ...c.settings,
  ...c.scenarioSettings,
  ...fast
})

/** The receiver's answers: 429 with Retry-After: 1, then 503, then `accept`; 401 to forgeries. */
export const scenarioAnswers =
  (c: NetworkPluginCase) =>
  (request: Received, n: number): Answer =>
    c.authentic !== undefined && !c.authentic(request)
      ? { status: 401 }
      : n === 0
        ? { status: 429, headers: { "Retry-After": "1" } }
        : n === 1
          ? { status: 503 }
          : accepted(c, request)

/** The accepting answer of `c`'s receiver to `request`. */
export const accepted = (c: NetworkPluginCase, request: Received): Answer => ({
  status: c.accept,
  body: c.acceptBody?.(request)
})

/** What a receiver must have seen after the scenario: every event once, the same body resent. */
export const checkScenario = (
  c: NetworkPluginCase,
  requests: ReadonlyArray<Received>,
  what: string
): void => {
  assert.deepStrictEqual(
    requests.slice(0, 3).map((r) => r.status),
    [429, 503, c.accept],
    `${what}: the first request refused twice, then accepted`
  )
  assert.isFalse(
    requests.some((r) => r.status === 401),
    `${what}: every request is authentic`
  )
  const [first, second, third] = requests
  assert.isAtLeast((second?.at ?? 0) - (first?.at ?? 0), 950, `${what}: Retry-After: 1 honoured`)
  assert.deepStrictEqual(second?.body, first?.body, `${what}: the same body resent`)
  assert.deepStrictEqual(third?.body, first?.body, `${what}: the same body resent`)
  c.checkResent?.(requests.slice(0, 3))
  for (const r of requests) c.checkRequest(r)
  assert.deepStrictEqual(
    c.messages(requests.filter((r) => r.status === c.accept)),
    Array.from({ length: EVENTS }, (_, i) => eventMessage(i)),
    `${what}: every event exactly once, in order`
  )
}

/**
 * Registers the in-process tests of a first-party network plugin, on the Effect line the suite
 * runs (`effect`: 4 in the Effect 4 suite, whose plugin package is `plugins/<type>/effect4`).
 */
export const describeNetworkPlugin = (c: NetworkPluginCase, effect: 3 | 4 = 3): void => {
  describe(`@fapilog/${c.type}: plugin conformance and delivery`, () => {
    itPassesPluginConformance(c.type, c.module, effect, Testing)

    it.live("the sink passes the sink conformance suite (delivery, drain, hostile events, refusals)", () =>
      Effect.gen(function* () {
        const accepting = yield* receiver({
          answer: (r) => (c.authentic !== undefined && !c.authentic(r) ? { status: 401 } : accepted(c, r))
        })
        const refusing = yield* receiver({ answer: () => ({ status: 400, body: "refused" }) })
        const settings = { ...c.settings, ...fast, retry: { ...fast.retry, maxAttempts: 2 } }
        const sink = (port: number) => c.module.sink({ ...settings, url: c.url(port) } as never)
        const report = yield* Testing.sinkConformance({
          make: sink(accepting.port),
          received: Effect.sync(() => c.messages(accepting.accepted())),
          failing: sink(refusing.port)
        })
        assert.includeMembers(
          [...report.passed],
          ["delivers-once", "order", "drain-on-close", "hostile-events", "failure-is-sink-error"]
        )
      }).pipe(Effect.scoped)
    )

    it(`{ type: "${c.type}" }: 429 with Retry-After, then 503, then accepted: every event exactly once, the same body resent`, async () => {
      const server = await listen({ answer: scenarioAnswers(c) })
      try {
        const { type, ...config } = entryOf(c)
        const log = await createLogger({
          enrich: { service: "e2e" },
          plugins: { use: [c.module.plugin] },
          sinks: [Plugin.entry(type, { ...config, url: c.url(server.port) })]
        })
        for (let i = 0; i < EVENTS; i++) log.info(eventMessage(i), { i })
        await log.close()
        checkScenario(c, server.requests, "in process")
      } finally {
        await server.stop()
      }
    })
  })
}

/**
 * The issues of a logger refused for the settings `entry` of this plugin's sink (asserts a
 * ConfigError), and the message at a path (or a note listing them all, for the assertion).
 */
export const refusedSettings = async (
  c: NetworkPluginCase,
  entry: Readonly<Record<string, unknown>>
): Promise<{ readonly issues: ReadonlyArray<Errors.ConfigIssue>; readonly at: (path: string) => string }> => {
  const error = await createLogger({
    plugins: { use: [c.module.plugin] },
    sinks: [Plugin.entry(c.type, entry)]
  }).then(
    () => assert.fail("createLogger should reject"),
    (e: unknown) => e
  )
  assert.instanceOf(error, Errors.ConfigError)
  const issues = (error as Errors.ConfigError).issues
  return {
    issues,
    at: (path) =>
      issues.find((i) => i.path === path)?.message ?? `no issue at ${path}: ${JSON.stringify(issues)}`
  }
}

/**
 * Runs a logger (`options.settings`, with this plugin in `plugins.use`) whose `sinks` are
 * given the URL of a receiver (answering `options.answer`, by default accepting everything),
 * lets `write` log, closes the logger and stops the receiver; returns both (the receiver
 * keeps every request).
 */
export const logThrough = async (
  c: NetworkPluginCase,
  sinks: (url: string) => NonNullable<Settings.Settings["sinks"]>,
  write: (log: Logger.Logger) => void,
  options: {
    readonly settings?: Settings.Settings | undefined
    readonly answer?: ((request: Received, n: number) => Answer) | undefined
  } = {}
): Promise<{ readonly server: Receiver; readonly log: Logger.Logger }> => {
  const server = await listen({ answer: options.answer ?? ((r) => accepted(c, r)) })
  try {
    const log = await createLogger({
      ...options.settings,
      plugins: { use: [c.module.plugin] },
      sinks: sinks(c.url(server.port))
    })
    write(log)
    await log.close()
    return { server, log }
  } finally {
    await server.stop()
  }
}
