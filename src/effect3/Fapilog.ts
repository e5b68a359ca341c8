/**
 * fapilog for Effect 3 programs: the shared `Fapilog` module (the `Fapilog` service, `flush`,
 * `stats`, `health`, `withContext`, `trace` ... `security`) with the layer that installs
 * fapilog the Effect 3 way. This is the `Fapilog` module of `fapilog`; the Effect 4 line
 * resolves it to `src/effect4/Fapilog.ts` (effect4/resolution.ts).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 *
 * const program = Effect.gen(function* () {
 *   yield* Effect.log("started")                              // through fapilog
 *   yield* Fapilog.info("user signed in", { userId: 42 })     // structured fields
 * })
 *
 * Effect.runPromise(program.pipe(Effect.provide(Fapilog.layer({ level: "debug" }))))
 * ```
 * @since 0.1.0
 */
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type { ConfigError, SinkError } from "../Errors.js"
import { Fapilog } from "../Fapilog.js"
import { build } from "../internal/build.js"
import * as bridge from "../internal/effectLogger.js"
import * as extensions from "../internal/extensions.js"
import { serviceOf } from "../internal/service.js"
import type { Settings } from "../Settings.js"

export * from "../Fapilog.js"

/**
 * Options of {@link layer} that are not settings.
 *
 * @example
 * ```ts
 * import { ConfigProvider } from "effect"
 * import { Fapilog } from "fapilog"
 * const layer = Fapilog.layer({}, { configProvider: ConfigProvider.fromMap(new Map([["FAPILOG_LEVEL", "debug"]])) })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions {
  /**
   * Where `FAPILOG_*` settings are read from. Default: the process environment, with `__`
   * between nested names and `,` between list items.
   */
  readonly configProvider?: ConfigProvider.ConfigProvider | undefined
}

/**
 * fapilog as Effect's logger, configured: replaces Effect's default logger, ties Effect's
 * minimum log level to fapilog's threshold (one switch: `setLevel` governs `Effect.log*`
 * too), and drains every accepted event when the layer's scope closes (then releases the
 * sinks). Settings: programmatic > `FAPILOG_*` environment > config file > preset >
 * defaults; invalid values fail the layer with a `ConfigError`. Sinks, enrichers and
 * processors provided as layers ({@link Extension}) are added to those the settings give.
 *
 * The logger and minimum level are set for the scope of the layer and restored when it
 * closes: `Effect.provide(effect, Fapilog.layer())` leaves the enclosing fiber as it was.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 *
 * const Live = Fapilog.layer({ level: "debug", sinks: ["stdout", { type: "file", path: "logs/app.log" }] })
 * Effect.runPromise(Effect.logDebug("visible").pipe(Effect.provide(Live)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  settings?: Settings,
  options?: LayerOptions
): Layer.Layer<Fapilog, ConfigError | SinkError> =>
  // One effect in one fiber, not merged layers: Layer.merge builds its parts in other fibers
  // and closes them there, where restoring a FiberRef would not reach the caller's fiber.
  Layer.scopedContext(
    Effect.gen(function* () {
      const additions = extensions.collect((yield* Effect.context<never>()).unsafeMap)
      const { pipeline, settings: resolved } = yield* build(settings, options?.configProvider, additions)
      const service = serviceOf(pipeline, resolved)
      const logger = bridge.make(pipeline)
      yield* Effect.locallyScopedWith(FiberRef.currentLoggers, (loggers) =>
        HashSet.add(
          // Effect's default logger (platform runtimes such as NodeRuntime.runMain swap in the
          // pretty one) and an enclosing fapilog layer's give way; loggers the app added stay
          HashSet.filter(
            loggers,
            (l) =>
              l !== Logger.defaultLogger && l !== Logger.prettyLoggerDefault && !bridge.isFapilogLogger(l)
          ),
          logger
        )
      )
      yield* Effect.locallyScoped(FiberRef.currentMinimumLogLevel, bridge.liveLevel(pipeline))
      return Context.make(Fapilog, service)
    })
  )
