import type * as Layer from "effect/Layer"
import type { ConfigError, SinkError } from "../src/Errors.js"
import * as Fapilog from "../src/Fapilog.js"

/**
 * fapilog with zero configuration, as Effect's logger: JSON lines on stdout at `info`
 * (or whatever `FAPILOG_*` environment variables say). Every `Effect.log*`,
 * `Effect.annotateLogs`, `Effect.withLogSpan`, span and `Cause` lands in the pipeline, and
 * every accepted event is drained when the layer's scope closes (for example when
 * `NodeRuntime.runMain` receives SIGINT or SIGTERM).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FapilogLive } from "fapilog"
 *
 * const program = Effect.log("hello").pipe(Effect.annotateLogs({ userId: 42 }))
 * Effect.runPromise(program.pipe(Effect.provide(FapilogLive)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const FapilogLive: Layer.Layer<Fapilog.Fapilog, ConfigError | SinkError> = Fapilog.layer()
