/**
 * fapilog for Effect 4 programs: the same module as the Effect 3 line's `Fapilog` (the
 * `Fapilog` service, `flush`, `stats`, `health`, `withContext`, `trace` ... `security`, all
 * shared), with the layer that installs fapilog the Effect 4 way: the counterpart of
 * `src/effect3/Fapilog.ts`, to which the Effect 4 line resolves that module for every other
 * module (effect4/resolution.ts).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog-effect4"
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
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import type { ConfigError, SinkError } from "../Errors.js"
import { Fapilog } from "../Fapilog.js"
import { build } from "../internal/build.js"
import * as extensions from "../internal/extensions.js"
import { serviceOf } from "../internal/service.js"
import type { Settings } from "../Settings.js"
import { envProvider } from "./configProvider.js"
import * as bridge from "./logger.js"

export * from "../Fapilog.js"

/**
 * Options of {@link layer} that are not settings.
 *
 * @example
 * ```ts
 * import { ConfigProvider } from "effect"
 * import { Fapilog } from "fapilog-effect4"
 * const layer = Fapilog.layer({}, { configProvider: ConfigProvider.fromEnv({ env: { FAPILOG_LEVEL: "debug" } }) })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions {
  /**
   * Where `FAPILOG_*` settings are read from. Default: the process environment, with `__`
   * between nested names (`FAPILOG_FILE__PATH`) and `,` between list items. An Effect 4
   * provider such as `ConfigProvider.fromEnv({ env })` finds `FAPILOG_FILE__PATH` too,
   * although it joins nested names with `_`.
   */
  readonly configProvider?: ConfigProvider.ConfigProvider | undefined
}

/**
 * fapilog as Effect's logger, configured: its layer provides the `Fapilog` service, Effect's
 * loggers (fapilog's in place of Effect's default logger; the others kept, behind fapilog's
 * threshold) and Effect's minimum level (fully open: fapilog's threshold decides, so that
 * `setLevel` governs `Effect.log*` in every fiber at once). Like every Effect 4 layer it
 * changes only what it is provided to: `Effect.provide(effect, Fapilog.layer())` leaves the
 * enclosing fiber as it was. Every accepted event is drained when the layer's scope closes,
 * then the sinks are released. Settings, their precedence and their errors are the Effect 3
 * line's; sinks, enrichers and processors provided as layers are added to the settings'.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog-effect4"
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
  Layer.effectContext(
    Effect.gen(function* () {
      const additions = extensions.collect((yield* Effect.context<never>()).mapUnsafe)
      const { pipeline, settings: resolved } = yield* build(
        settings,
        options?.configProvider === undefined ? undefined : envProvider(options.configProvider),
        additions
      )
      const service = serviceOf(pipeline, resolved)
      const loggers = bridge.loggersFor(pipeline, yield* Logger.CurrentLoggers)
      return Context.make(Fapilog, service).pipe(
        Context.add(Logger.CurrentLoggers, loggers),
        Context.add(References.MinimumLogLevel, "All")
      )
    })
  )
