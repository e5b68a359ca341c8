/**
 * The Effect 3 adapter of `Fapilog.layer` (the Effect 4 line resolves this module to
 * `src/effect4/fapilogLayer.ts`, effect4/resolution.ts): installing fapilog as Effect's
 * logger is about Effect's own API (FiberRefs here, `Logger.layer` and References there).
 * `src/Fapilog.ts`, which both lines share, exports it as `Fapilog.layer`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type { ConfigError, SinkError } from "../Errors.js"
import { Fapilog, type LayerOptions } from "../Fapilog.js"
import type { Settings } from "../Settings.js"
import { build } from "./build.js"
import * as bridge from "./effectLogger.js"
import * as extensions from "./extensions.js"
import { serviceOf } from "./service.js"

/** The body of `Fapilog.layer` (see its documentation in `src/Fapilog.ts`). */
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
