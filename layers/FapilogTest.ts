import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Fapilog from "../src/Fapilog.js"
import type { Level } from "../src/Level.js"
import type { LogEvent } from "../src/LogEvent.js"
import type { Settings } from "../src/Settings.js"
import * as Sink from "../src/Sink.js"

/**
 * What tests read: the events captured by the memory sink of {@link FapilogTest}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CapturedLogs } from "fapilog"
 * const count = Effect.flatMap(CapturedLogs, (logs) => logs.events).pipe(Effect.map((e) => e.length))
 * ```
 * @since 0.1.0
 * @category models
 */
export interface CapturedLogsService {
  /** Every event logged so far (flushes the pipeline first). */
  readonly events: Effect.Effect<ReadonlyArray<LogEvent>>
  /** The JSON lines of those events. */
  readonly lines: Effect.Effect<ReadonlyArray<string>>
  /** Forgets what was captured. */
  readonly clear: Effect.Effect<void>
}

/**
 * The tag under which {@link FapilogTest} exposes the captured events.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CapturedLogs } from "fapilog"
 * const messages = Effect.flatMap(CapturedLogs, (logs) => logs.events).pipe(Effect.map((es) => es.map((e) => e.message)))
 * ```
 * @since 0.1.0
 * @category tags
 */
export class CapturedLogs extends Context.Tag("fapilog/CapturedLogs")<CapturedLogs, CapturedLogsService>() {}

/**
 * A fapilog layer for tests: every level from `trace` up goes to a memory sink (nothing to
 * stdout), the environment is ignored, and `CapturedLogs` reads what was logged.
 *
 * @example
 * ```ts
 * import { it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { CapturedLogs, FapilogTest } from "fapilog"
 *
 * it.effect("logs the sign-in", () =>
 *   Effect.gen(function* () {
 *     yield* Effect.logInfo("signed in").pipe(Effect.annotateLogs({ userId: 1 }))
 *     const events = yield* Effect.flatMap(CapturedLogs, (logs) => logs.events)
 *     // events[0].fields.userId === 1
 *   }).pipe(Effect.provide(FapilogTest))
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const FapilogTest: Layer.Layer<Fapilog.Fapilog | CapturedLogs> = makeFapilogTest()

/**
 * {@link FapilogTest} with another threshold (the default captures everything) and, when
 * given, more settings (redaction, limits, processors...); the sinks are always the memory
 * sink `CapturedLogs` reads.
 *
 * @example
 * ```ts
 * import { makeFapilogTest } from "fapilog"
 * const WarnAndUp = makeFapilogTest("warn")
 * const Redacting = makeFapilogTest("trace", { redact: { keys: ["password"] } })
 * ```
 * @since 0.1.0
 * @category layers
 */
export function makeFapilogTest(
  level: Level = "trace",
  settings?: Omit<Settings, "sinks" | "level"> | undefined
): Layer.Layer<Fapilog.Fapilog | CapturedLogs> {
  return Layer.unwrapEffect(
    Effect.sync(() => {
      const memory = Sink.memory()
      const fapilog = Fapilog.layer(
        { name: "test", ...settings, level, sinks: [memory] },
        { configProvider: ConfigProvider.fromMap(new Map()) }
      )
      const captured = Layer.effect(
        CapturedLogs,
        Effect.map(Fapilog.Fapilog, (service) => ({
          events: Effect.map(service.flush, () => [...memory.events()]),
          lines: Effect.map(service.flush, () => [...memory.lines()]),
          clear: Effect.sync(() => memory.clear())
        }))
      )
      return Layer.provideMerge(captured, fapilog)
    })
  ).pipe(Layer.orDie)
}
