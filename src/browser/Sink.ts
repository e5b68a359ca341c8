/**
 * The sinks of fapilog's browser build (`fapilog/browser`, and `fapilog` under the `browser`,
 * `worker`, `workerd` and `edge-light` conditions): the console, memory and the combinators,
 * with the same `Sink` interface as the Node build. An HTTP collector is a settings entry
 * (`{ type: "http", url }`); files and standard streams are Node's.
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog/browser"
 * const memory = Sink.memory()
 * const log = await createLogger({ sinks: ["console", memory] })
 * ```
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { consoleSink } from "../internal/consoleSink.js"
import * as extensions from "../internal/extensions.js"
import * as internal from "../internal/sink.js"
import type { Level } from "../Level.js"
import type { Batch, FormatOptions, LayerOptions, MemorySink, Sink } from "../Sink.js"

export type { Batch, FormatOptions, LayerOptions, MemorySink, Sink, State } from "../Sink.js"

/**
 * Writes each event as one JSON line with the console method of its level (`console.debug`
 * for trace and debug, `console.info`, `console.warn`, `console.error` for error and fatal).
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog/browser"
 * const log = await createLogger({ sinks: [Sink.console()] })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const console: (options?: FormatOptions) => Sink = consoleSink

/**
 * Keeps every event in memory (`events()`, `lines()`, `clear()`).
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog/browser"
 * const memory = Sink.memory()
 * const log = await createLogger({ sinks: [memory] })
 * log.info("hi")
 * await log.flush()
 * memory.events()[0]?.message // "hi"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const memory: (options?: FormatOptions) => MemorySink = internal.memory

/**
 * A sink whose only work is synchronous.
 *
 * @example
 * ```ts
 * import { Sink } from "fapilog/browser"
 * const counter = Sink.makeSync("counter", (batch) => void batch.size)
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const makeSync: (name: string, writeSync: (batch: Batch) => void) => Sink = internal.makeSync

/**
 * Discards every event.
 *
 * @example
 * ```ts
 * import { createLogger, Sink } from "fapilog/browser"
 * const log = await createLogger({ sinks: [Sink.discard] })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const discard: Sink = internal.discard

/**
 * A sink that only receives events at `level` or above.
 *
 * @example
 * ```ts
 * import { Sink } from "fapilog/browser"
 * const warnings = Sink.withMinLevel(Sink.console(), "warn")
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withMinLevel: (sink: Sink, level: Level) => Sink = internal.withMinLevel

/**
 * A sink that only receives the events `keep` accepts (both argument orders work).
 *
 * @example
 * ```ts
 * import { Sink } from "fapilog/browser"
 * const checkout = Sink.withFilter(Sink.console(), (e) => e.logger === "checkout")
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withFilter: typeof internal.withFilter = internal.withFilter

/**
 * Provides a sink to the fapilog layer it is provided to, in addition to the settings' sinks.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Fapilog, Sink } from "fapilog/browser"
 * const memory = Sink.memory()
 * const Live = Fapilog.layer({ sinks: [] }).pipe(Layer.provide(Sink.layer(Effect.succeed(memory))))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = <E, R>(
  make: Effect.Effect<Sink, E, R>,
  options?: LayerOptions
): Layer.Layer<extensions.Extensions, E, Exclude<R, Scope.Scope>> =>
  extensions.layer(Effect.map(make, (sink) => ({ kind: "sink", order: options?.order ?? 0, sink })))
