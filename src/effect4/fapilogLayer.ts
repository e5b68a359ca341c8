/**
 * The Effect 4 counterpart of `src/internal/fapilogLayer.ts` (effect4/resolution.ts resolves
 * that module to this one): `Fapilog.layer` installed the Effect 4 way, with `Logger.layer`,
 * `Logger.CurrentLoggers` and `References.MinimumLogLevel`. `src/Fapilog.ts`, which both lines
 * share, exports it as `Fapilog.layer`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import type { ConfigError, SinkError } from "../Errors.js"
import { Fapilog, type LayerOptions } from "../Fapilog.js"
import { build } from "../internal/build.js"
import * as extensions from "../internal/extensions.js"
import { serviceOf } from "../internal/service.js"
import type { Settings } from "../Settings.js"
import { envProvider } from "./configProvider.js"
import * as bridge from "./logger.js"

/** The body of `Fapilog.layer` (see its documentation in `src/Fapilog.ts`). */
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
