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
import * as textRewrite from "./internal/textRewrite.js"
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
  /**
   * Set by {@link text}: the processor rewrites the texts of events. The pipeline then runs
   * it on its own records, without building events, and `process` serves direct calls.
   */
  readonly text?: Text | undefined
}

/**
 * What a text rewrite returns to leave a string out: its field (or array item, or Map entry)
 * is removed; a message or an error's text becomes "".
 *
 * @example
 * ```ts
 * import { Processor } from "fapilog"
 * const noTokens = Processor.text("no-tokens", (s) => (s.startsWith("tok_") ? Processor.removed : s))
 * ```
 * @since 0.1.0
 * @category models
 */
export const removed: typeof textRewrite.removed = textRewrite.removed

/**
 * A value a text processor's walk could not scan (nested deeper than `maxDepth`, a cycle,
 * more than 100,000 nested values, or reading it threw): `path` says where
 * (`message`, `error`, `fields.<top-level key>`), `reason` why.
 *
 * @example
 * ```ts
 * import { Processor } from "fapilog"
 * const strict = Processor.text("strict", (s) => s, {
 *   unscannable: (e: Processor.Unscannable) => {
 *     throw e // fail the event: onError "drop" withholds it
 *   },
 *   onError: "drop"
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export const Unscannable: typeof textRewrite.Unscannable = textRewrite.Unscannable

/**
 * @since 0.1.0
 * @category models
 */
export type Unscannable = textRewrite.Unscannable

/**
 * Options of a text processor (see {@link text}).
 *
 * @example
 * ```ts
 * import type { Processor } from "fapilog"
 * const options: Processor.TextOptions = { maxDepth: 8, onError: "drop" }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface TextOptions extends Options {
  /** How deep the walk goes into nested values; deeper ones are unscannable. Default 32. */
  readonly maxDepth?: number | undefined
  /**
   * What an unscannable value becomes. Throw to fail the event (`onError` then keeps or drops
   * it). Default: the text "[unscannable]".
   */
  readonly unscannable?: ((error: Unscannable) => unknown) | undefined
}

/**
 * A text processor's rewrite and options, as {@link text} records them on the processor.
 *
 * @example
 * ```ts
 * import { Processor } from "fapilog"
 * const upper = Processor.text("upper", (s) => s.toUpperCase())
 * const rewrite = upper.text?.rewrite
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Text extends TextOptions {
  readonly rewrite: (text: string) => string | typeof removed
}

/**
 * A text processor: `rewrite` is given every string of an event (its message, every string
 * value at any depth of its fields, whatever their source: call, child bindings, context,
 * annotations, enrichment; and the texts of its error: message, stack, code, causes,
 * details) and returns the same string to keep it, another one to replace it, or
 * {@link removed}. Keys, the level, the logger name, ids and the time are not given to it.
 *
 * This is the form for scrubbers (personal data, secrets): the pipeline runs it on its
 * own copy of the event's values, without building the structured event a `process`
 * processor gets, so it costs a read of the strings when nothing changes. The caller's
 * objects are never changed (copy on write). A child logger's bindings are shared by many
 * events and rewritten once: `rewrite` must give the same result for the same text.
 *
 * The processor's `process` applies the same rewrite to an event, for direct calls.
 *
 * @example
 * ```ts
 * import { createLogger, Processor } from "fapilog"
 *
 * const noCards = Processor.text("no-cards", (s) => s.replace(/\b\d{4}(?:[ -]?\d{4}){3}\b/g, "[card]"))
 * const log = await createLogger({ processors: [noCards] })
 * log.info("paid with 4111 1111 1111 1111") // "paid with [card]"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const text = (
  name: string,
  rewrite: (text: string) => string | typeof removed,
  options?: TextOptions
): Processor => {
  const walk = new textRewrite.TextWalk(rewrite, options)
  return {
    name,
    order: options?.order,
    onError: options?.onError,
    process: (event) => walk.event(event),
    text: { ...options, rewrite }
  }
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
