/**
 * fapilog for Effect programs: a layer that installs fapilog as Effect's logger, a service
 * to flush, inspect and re-level it, and `Fapilog.info(message, fields)` style helpers for
 * structured fields in one call (including the `audit` and `security` levels Effect lacks).
 *
 * Both Effect lines export this module; only the body of {@link layer} differs between them
 * (`src/internal/fapilogLayer.ts` on Effect 3, `src/effect4/fapilogLayer.ts` on Effect 4).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 *
 * const program = Effect.gen(function* () {
 *   yield* Effect.log("started")                              // through fapilog
 *   yield* Fapilog.info("user signed in", { userId: 42 })     // structured fields
 *   yield* Fapilog.audit("role granted", { userId: 42, role: "admin" })
 * })
 *
 * Effect.runPromise(program.pipe(Effect.provide(Fapilog.layer({ level: "debug" }))))
 * ```
 * @since 0.1.0
 */
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { ConfigError, SinkError } from "./Errors.js"
import type { CategoryPath as CategoryPathData, LevelState } from "./internal/categories.js"
import * as bridge from "./internal/effectLogger.js"
import type { Extensions } from "./internal/extensions.js"
import * as adapter from "./internal/fapilogLayer.js"
import type { CallFields as CallFieldsData } from "./internal/lazyFields.js"
import * as L from "./internal/level.js"
import type { Pipeline, PipelineHealth, PipelineStats } from "./internal/pipeline.js"
import type { Fields } from "./internal/record.js"
import type { ResolvedSettings } from "./internal/settings/index.js"
import type { Level } from "./Level.js"
import type { Settings } from "./Settings.js"

const pipelineKey: typeof bridge.pipelineKey = bridge.pipelineKey

/**
 * The running logger of a fapilog layer.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 *
 * const drainNow = Effect.flatMap(Fapilog.Fapilog, (fapilog) => fapilog.flush)
 * ```
 * @since 0.1.0
 * @category models
 */
export interface FapilogService {
  /** The settings in force after environment and defaults were applied. */
  readonly settings: ResolvedSettings
  /** Completes when every event logged so far has been handed to every sink. */
  readonly flush: Effect.Effect<void>
  /** The default level of fapilog's pipeline now (that of every category no category level covers). */
  readonly level: Effect.Effect<Level>
  /** The default level and every category level now. */
  readonly levels: Effect.Effect<Levels>
  /**
   * Changes the default level of fapilog's pipeline, or, given a category (a full path such as
   * `"app.db"`), the level of that category and those below it (see `docs/effect.md` for
   * Effect's own minimum). A category that is no category path dies with a TypeError.
   */
  readonly setLevel: (level: Level, category?: CategoryPath) => Effect.Effect<void>
  /** Counters: accepted, settled, queued, refused, lost, sink errors. */
  readonly stats: Effect.Effect<PipelineStats>
  /** Each sink's state (ok, degraded, circuit-open) and counters. */
  readonly health: Effect.Effect<PipelineHealth>
  /** @internal */
  readonly [pipelineKey]: Pipeline
}

/**
 * Counters of a pipeline.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 * const queued = Effect.map(Fapilog.stats, (s: Fapilog.Stats) => s.queued)
 * ```
 * @since 0.1.0
 * @category models
 */
export type Stats = PipelineStats

/**
 * The default level and the level of each category prefix, as `FapilogService.levels` gives
 * them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 * const program = Effect.flatMap(Fapilog.Fapilog, (f) => f.levels).pipe(
 *   Effect.map((levels: Fapilog.Levels) => levels.categories["app.db"] ?? levels.level)
 * )
 * ```
 * @since 0.1.0
 * @category models
 */
export type Levels = LevelState

/**
 * A category path: dotted (`"db.pool"`) or as segments (`["db", "pool"]`).
 *
 * @example
 * ```ts
 * import type { Fapilog } from "fapilog"
 * const category: Fapilog.CategoryPath = ["db", "pool"]
 * ```
 * @since 0.1.0
 * @category models
 */
export type CategoryPath = CategoryPathData

/**
 * The service tag of a running fapilog layer.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 * const program = Effect.flatMap(Fapilog.Fapilog, (f) => f.setLevel("debug"))
 * ```
 * @since 0.1.0
 * @category tags
 */
export class Fapilog extends Context.Tag(bridge.fapilogServiceKey)<Fapilog, FapilogService>() {}

const lookup = bridge.pipelineIn

/**
 * What extension layers provide to the fapilog layer: `Sink.layer`, `Enricher.layer`,
 * `Enricher.layerCallSite`, `Processor.layer` and their `Effect` variants all give a
 * `Layer<Fapilog.Extension, E, R>`. Provide any number of them to `Fapilog.layer` (with
 * `Layer.provide`; `Layer.merge` them first as you like): each adds to what the settings
 * give, none replaces another, and their requirements `R` remain in the layer's type until
 * provided.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Enricher, Fapilog, Sink } from "fapilog"
 *
 * const extensions = Layer.mergeAll(
 *   Sink.layer(Sink.file({ path: "logs/audit.log" })),
 *   Enricher.layer("region", () => ({ region: "eu-1" }))
 * )
 * const Live = Fapilog.layer().pipe(Layer.provide(extensions))
 * ```
 * @since 0.1.0
 * @category models
 */
export type Extension = Extensions

/**
 * Flushes the fapilog layer in scope (a no-op without one).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 * const program = Effect.log("x").pipe(Effect.zipRight(Fapilog.flush))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const flush: Effect.Effect<void> = Effect.flatMap(Effect.serviceOption(Fapilog), (service) =>
  service._tag === "Some" ? service.value.flush : Effect.void
)

/**
 * The counters of the fapilog layer in scope.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 * const program = Effect.flatMap(Fapilog.stats, (s) => Effect.log(`queued: ${s.queued}`))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const stats: Effect.Effect<Stats, never, Fapilog> = Effect.flatMap(Fapilog, (s) => s.stats)

/**
 * The health of the fapilog layer in scope: each sink's state and the counters.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 * const program = Effect.flatMap(Fapilog.health, (h) => Effect.log(`logging is ${h.status}`))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const health: Effect.Effect<PipelineHealth, never, Fapilog> = Effect.flatMap(Fapilog, (s) => s.health)

/**
 * Binds fields to an effect and to every fiber it forks: each line they log carries them
 * (at the precedence of the Promise side's `withContext`, below annotations and call
 * fields). The fields are serialized once, here, not per line, which makes this the cheap
 * way to give a whole request or job its context; nested calls add to the outer fields.
 * A `correlationId` string fills the event's core slot.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 *
 * const handle = Effect.all([Effect.log("start"), Effect.fork(Effect.log("in a child fiber"))]).pipe(
 *   Fapilog.withContext({ correlationId: "req-7", tenant: "acme" })
 * )
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withContext: {
  (fields: Fields): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, fields: Fields): Effect.Effect<A, E, R>
} = bridge.withBindings

/**
 * Runs an effect, and every fiber it forks, in a sub-category of the current one (at first
 * the logger's name, `"app"`): the `logger` key of their events is `"app.db"` below
 * `Fapilog.withLogger("db")`, and their calls are held to that category's level
 * (`categoryLevels`). Nested calls go deeper (`"app.db.pool"`). The category is a dotted path
 * or its segments; one that is not (an empty segment) throws a TypeError when the combinator
 * is applied. A `logger` annotation stays a user field: it never replaces the category.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fapilog } from "fapilog"
 *
 * const query = Effect.logDebug("query planned").pipe(Fapilog.withLogger("db"))
 * const program = query.pipe(Effect.provide(Fapilog.layer({ categoryLevels: { "app.db": "debug" } })))
 * ```
 * @since 0.1.0
 * @category combinators
 */
export const withLogger: {
  (category: CategoryPath): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, category: CategoryPath): Effect.Effect<A, E, R>
} = bridge.withCategory

/**
 * The fields argument of `Fapilog.info` and its siblings: fields, an `Error` that becomes the
 * event's `error`, or a function returning either, called only if the event passes its level.
 *
 * @example
 * ```ts
 * import type { Fapilog } from "fapilog"
 * const lazy: Fapilog.CallFields = () => ({ rows: 3 })
 * ```
 * @since 0.1.0
 * @category models
 */
export type CallFields = CallFieldsData

type LogFn = (message: string, fields?: CallFields) => Effect.Effect<void>

/**
 * Logs at `trace` with structured fields. The same holds for every level below: the event
 * also carries the fiber's annotations, log spans and current span (trace and span ids);
 * passing an `Error` instead of fields sets the event's `error`. Fields given as a function
 * (`() => ({ dump: expensive() })`) are computed at the call only if the event passes its
 * category's level; a function that throws never fails the effect: the event is written with
 * the failure in its fields and fapilog's diagnostics report it.
 *
 * @example
 * ```ts
 * import { Fapilog } from "fapilog"
 * const step = Fapilog.trace("cache probe", { key: "user:1", hit: false })
 * const lazy = Fapilog.trace("cache state", () => ({ entries: [...new Map().keys()] }))
 * ```
 * @since 0.1.0
 * @category logging
 */
export const trace: LogFn = bridge.logAt(L.TRACE, lookup)
/**
 * @example
 * ```ts
 * import { Fapilog } from "fapilog"
 * const step = Fapilog.debug("query planned", { table: "users" })
 * ```
 * @since 0.1.0
 * @category logging
 */
export const debug: LogFn = bridge.logAt(L.DEBUG, lookup)
/**
 * @example
 * ```ts
 * import { Fapilog } from "fapilog"
 * const step = Fapilog.info("user signed in", { userId: 42 })
 * ```
 * @since 0.1.0
 * @category logging
 */
export const info: LogFn = bridge.logAt(L.INFO, lookup)
/**
 * @example
 * ```ts
 * import { Fapilog } from "fapilog"
 * const step = Fapilog.warn("slow response", { ms: 1200 })
 * ```
 * @since 0.1.0
 * @category logging
 */
export const warn: LogFn = bridge.logAt(L.WARN, lookup)
/**
 * @example
 * ```ts
 * import { Fapilog } from "fapilog"
 * const step = Fapilog.error("payment failed", new Error("card declined"))
 * ```
 * @since 0.1.0
 * @category logging
 */
export const error: LogFn = bridge.logAt(L.ERROR, lookup)
/**
 * @example
 * ```ts
 * import { Fapilog } from "fapilog"
 * const step = Fapilog.fatal("cannot reach database", { host: "db-1" })
 * ```
 * @since 0.1.0
 * @category logging
 */
export const fatal: LogFn = bridge.logAt(L.FATAL, lookup)
/**
 * Audit events outrank fatal: no level threshold hides them.
 *
 * @example
 * ```ts
 * import { Fapilog } from "fapilog"
 * const step = Fapilog.audit("role granted", { userId: 42, role: "admin" })
 * ```
 * @since 0.1.0
 * @category logging
 */
export const audit: LogFn = bridge.logAt(L.AUDIT, lookup)
/**
 * Security events rank highest of all.
 *
 * @example
 * ```ts
 * import { Fapilog } from "fapilog"
 * const step = Fapilog.security("login throttled", { ip: "203.0.113.7" })
 * ```
 * @since 0.1.0
 * @category logging
 */
export const security: LogFn = bridge.logAt(L.SECURITY, lookup)

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
   * between nested names (`FAPILOG_FILE__PATH`) and `,` between list items. On the Effect 4
   * line this is an Effect 4 provider: `ConfigProvider.fromEnv({ env })` finds
   * `FAPILOG_FILE__PATH` too, although it joins nested names with `_`.
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
): Layer.Layer<Fapilog, ConfigError | SinkError> => adapter.layer(settings, options)
