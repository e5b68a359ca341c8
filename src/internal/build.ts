import type * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { ConfigError, SinkError } from "../Errors.js"
import type { Sink } from "../Sink.js"
import * as pipeline from "./pipeline.js"
import { type ResolvedSettings, resolve, type SinkSetting } from "./settings.js"
import * as sinks from "./sink.js"

const acquireSink = (setting: SinkSetting): Effect.Effect<Sink, SinkError, Scope.Scope> => {
  if (setting === "stdout") return Effect.succeed(sinks.stdout())
  if (setting === "stderr") return Effect.succeed(sinks.stderr())
  if (setting === "null") return Effect.succeed(sinks.discard)
  if (Effect.isEffect(setting)) return setting
  if ("type" in setting && setting.type === "file") return sinks.file(setting)
  return Effect.succeed(setting as Sink)
}

/**
 * Resolves settings, opens every sink in the current scope, then builds the pipeline in
 * the same scope, so that closing it drains first and releases the sinks after.
 */
export const fromResolved = (
  settings: ResolvedSettings
): Effect.Effect<pipeline.Pipeline, SinkError, Scope.Scope> =>
  Effect.forEach(settings.sinks, acquireSink).pipe(
    Effect.flatMap((opened) =>
      pipeline.make({
        name: settings.name,
        level: settings.level,
        capacity: settings.capacity,
        shutdownTimeout: settings.shutdownTimeoutMs,
        sinks: opened
      })
    )
  )

export const build = (
  input: unknown,
  provider?: ConfigProvider.ConfigProvider
): Effect.Effect<
  { readonly pipeline: pipeline.Pipeline; readonly settings: ResolvedSettings },
  ConfigError | SinkError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const settings = yield* resolve(input, provider)
    const p = yield* fromResolved(settings)
    return { pipeline: p, settings }
  })
