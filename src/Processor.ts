/**
 * Processors: steps between the buffer and the sinks that filter, transform or drop events.
 * They run in the worker, in order (lower `order` first; the built-in deduplication,
 * sampling, throttling, fingers-crossed and size guard run before processors of order 0),
 * before every sink
 * and before the fallback sink. What a processor drops is counted in `stats().filtered` (and
 * by name in `stats().filteredBy`); a processor that throws costs only the events it throws
 * on (kept as they were, or dropped when `onError: "drop"`), and is reported.
 *
 * Effect programs provide them as layers; Promise apps pass them in `processors` settings.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Fapilog, Processor } from "fapilog"
 *
 * const DropHealthChecks = Processor.layer("drop-health-checks", (event) =>
 *   event.fields.path === "/health" ? undefined : event
 * )
 * const Live = Fapilog.layer().pipe(Layer.provide(DropHealthChecks))
 * Effect.runPromise(Effect.log("ok").pipe(Effect.annotateLogs("path", "/health"), Effect.provide(Live)))
 * ```
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as extensions from "./internal/extensions.js"
import type { Level } from "./Level.js"
import type { LogEvent } from "./LogEvent.js"

/**
 * What a batch processor is given besides the events.
 *
 * @example
 * ```ts
 * import type { Processor } from "fapilog"
 * const report = (context: Processor.Context) =>
 *   context.emit({ level: "warn", message: "held back 3 events", fields: { held: 3 } })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Context {
  /** The time of this batch (or tick), epoch milliseconds. */
  readonly now: number
  /** Adds an event after the batch: a summary of what the processor held back. */
  readonly emit: (event: Emitted) => void
}

/**
 * An event a processor adds (see {@link Context.emit}). The logger defaults to "fapilog".
 *
 * @example
 * ```ts
 * import type { Processor } from "fapilog"
 * const summary: Processor.Emitted = { level: "info", message: "sampled", fields: { dropped: 10 } }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Emitted {
  readonly level: Level
  readonly message: string
  readonly logger?: string | undefined
  readonly fields?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Where a processor runs and what a failure costs.
 *
 * @example
 * ```ts
 * import type { Processor } from "fapilog"
 * const first: Processor.Options = { order: -10, onError: "drop" }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Lower runs first; default 0. Ties run in name order, never in the order layers were combined. */
  readonly order?: number | undefined
  /**
   * An event the processor throws on is kept as it was ("pass", the default) or dropped
   * ("drop": fail closed, for processors that must never let an unprocessed event through).
   */
  readonly onError?: "pass" | "drop" | undefined
}

/**
 * A processor: `process` works on one event at a time (return the event, a new one, or
 * `undefined` to drop it); `processBatch` on a whole batch (events in, events out, in
 * order; summaries through `context.emit`), for processors that hold counts or windows,
 * with `tick` (about once a second) and `flush` (when the logger closes: report everything
 * still held). Give one of `process` and `processBatch`.
 *
 * The events are frozen: to change one, return a new one (`{ ...event, fields: { ... } }`).
 * Their fields are not redacted yet (redaction applies when lines are written).
 *
 * @example
 * ```ts
 * import type { Processor } from "fapilog"
 *
 * const tagSlow: Processor.Processor = {
 *   name: "tag-slow",
 *   process: (event) =>
 *     typeof event.fields.ms === "number" && event.fields.ms > 500
 *       ? { ...event, fields: { ...event.fields, slow: true } }
 *       : event
 * }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Processor extends Options {
  /** Names the processor in `stats().filteredBy` and in diagnostics. */
  readonly name: string
  readonly process?: ((event: LogEvent) => LogEvent | undefined) | undefined
  readonly processBatch?:
    | ((events: ReadonlyArray<LogEvent>, context: Context) => ReadonlyArray<LogEvent>)
    | undefined
  readonly tick?: ((context: Context) => void) | undefined
  readonly flush?: ((context: Context) => void) | undefined
}

/**
 * A per-event processor.
 *
 * @example
 * ```ts
 * import { createLogger, Processor } from "fapilog"
 * const noDebugFromDb = Processor.make("no-debug-from-db", (e) =>
 *   e.level === "debug" && e.logger === "db" ? undefined : e
 * )
 * const log = await createLogger({ processors: [noDebugFromDb] })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  name: string,
  process: (event: LogEvent) => LogEvent | undefined,
  options?: Options
): Processor => ({ name, process, order: options?.order, onError: options?.onError })

/**
 * Provides a per-event processor to the fapilog layer it is provided to.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Fapilog, Processor } from "fapilog"
 * const Live = Fapilog.layer().pipe(
 *   Layer.provide(Processor.layer("no-trace", (e) => (e.level === "trace" ? undefined : e)))
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  name: string,
  process: (event: LogEvent) => LogEvent | undefined,
  options?: Options
): Layer.Layer<extensions.Extensions> => layerEffect(Effect.succeed(make(name, process, options)))

/**
 * Provides a processor built by an effect: its requirements (a service it reads, a resource
 * acquired in the layer's scope) show in the layer's type. The per-event work stays a plain
 * function; only building it is an effect.
 *
 * @example
 * ```ts
 * import { Context, Effect, Layer } from "effect"
 * import { Fapilog, Processor } from "fapilog"
 *
 * class Blocklist extends Context.Tag("Blocklist")<Blocklist, ReadonlySet<string>>() {}
 *
 * const DropBlocked = Processor.layerEffect(
 *   Effect.map(Blocklist, (blocked) => Processor.make("blocklist", (e) => (blocked.has(e.logger) ? undefined : e)))
 * )
 * // Layer<Fapilog, ..., Blocklist> until Blocklist is provided
 * const Live = Fapilog.layer().pipe(Layer.provide(DropBlocked))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerEffect = <E, R>(
  make: Effect.Effect<Processor, E, R>
): Layer.Layer<extensions.Extensions, E, Exclude<R, Scope.Scope>> =>
  extensions.layer(
    Effect.map(make, (processor) => ({ kind: "processor", order: processor.order ?? 0, processor }))
  )
