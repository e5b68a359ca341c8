/**
 * The Effect 4 bridge: Effect's `Logger` feeding a fapilog pipeline, `Fapilog.*` calls, and
 * the fields bound to a fiber. The Effect 4 counterpart of `src/internal/effectLogger.ts`,
 * exporting the names the shared sources use from it (the Effect 4 line resolves that module
 * to this one: effect4/resolution.ts).
 *
 * What differs from Effect 3 (docs/effect4-design.md has the whole table):
 * - a logger is handed the calling fiber (`options.fiber`) instead of its FiberRefs, its
 *   annotations (a record, not a HashMap), log spans (`[label, start]` pairs, not a List) and
 *   context; levels are strings (`"Warn"`, not `LogLevel.Warning`);
 * - per-fiber values are `Context.Reference`s read from the fiber's Context, so the bound
 *   fields are one (`CurrentBindings`) and `withContext` is `Effect.updateContext`;
 * - Effect reads the minimum level once per fiber Context, as a string: it cannot follow
 *   `setLevel`, so the fapilog layer opens it fully (`"All"`) and this logger, and every
 *   other logger the layer keeps (through {@link gate}), compare against the pipeline's
 *   threshold at each call. One switch still governs every `Effect.log*`.
 *
 * The level mapping, `splitMessage`, `recordOf` and `bindingsIn` do not
 * depend on the Effect major: the port moves them, with Effect 3's copies, into one shared
 * module (docs/effect4-design.md, "The seam").
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import {
  captureAnnotations,
  captureError,
  captureFields,
  captureMessage,
  isError
} from "../internal/capture.js"
import { type CategoryPath, categoryArgument, type ResolvedCategory } from "../internal/categories.js"
import { runCallSiteEnrichers } from "../internal/enrichers.js"
import { currentContext } from "../internal/facade.js"
import { defaultLimits } from "../internal/json.js"
import { type CallFields, evaluateFields } from "../internal/lazyFields.js"
import * as L from "../internal/level.js"
import type { Pipeline } from "../internal/pipeline.js"
import { Bindings, type Fields, LogRecord, type LogSpan, messageText } from "../internal/record.js"

/**
 * Fields bound to a fiber and every fiber it forks (`Fapilog.withContext`): serialized once
 * when bound, read once per line. Below them come the Promise side's `withContext`
 * (AsyncLocalStorage).
 */
export const CurrentBindings: Context.Reference<Bindings | undefined> = Context.Reference<
  Bindings | undefined
>("fapilog/currentBindings", { defaultValue: () => undefined })

/** The fields bound in `context`: `withContext`, else the Promise side's. */
export const bindingsIn = (context: Context.Context<never>): Bindings | undefined =>
  Context.getOrUndefined(context, CurrentBindings) ?? currentContext()

/** `context` with `fields` added to its bound fields (inner values win). */
export const addBindings = (context: Context.Context<never>, fields: Fields): Context.Context<never> =>
  Context.add(context, CurrentBindings, Bindings.extend(bindingsIn(context), fields))

/** Runs `self` with `fields` added to the fiber's bound context (inner values win). */
export const withBindings: {
  (fields: Fields): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, fields: Fields): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, fields: Fields) =>
  Effect.updateContext(
    self,
    // adds a reference: the services the effect needs are the ones it had
    (context: Context.Context<R>) =>
      addBindings(context as Context.Context<never>, fields) as Context.Context<R>
  )
)

/**
 * The category of a fiber and every fiber it forks (`Fapilog.withLogger`), relative to the
 * logger's name (undefined: the name itself). Relative, so that it means the same under any
 * fapilog layer, including one provided inside it.
 */
export const CurrentCategory: Context.Reference<string | undefined> = Context.Reference<string | undefined>(
  "fapilog/currentCategory",
  { defaultValue: () => undefined }
)

/** The category of the fiber whose Context is `context`, and the rank a call in it must reach. */
export const categoryIn = (pipeline: Pipeline, context: Context.Context<never>): ResolvedCategory =>
  pipeline.levels.scoped(Context.getOrUndefined(context, CurrentCategory))

/** Runs `self` in the sub-category `category` of the current one. */
export const withCategory: {
  (category: CategoryPath): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, category: CategoryPath): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, category: CategoryPath) => {
  const relative = categoryArgument(category, "withLogger(category)")
  return Effect.updateContext(self, (context: Context.Context<R>) => {
    const current = Context.getOrUndefined(context as Context.Context<never>, CurrentCategory)
    // adds a reference: the services the effect needs are the ones it had
    return Context.add(
      context as Context.Context<never>,
      CurrentCategory,
      current === undefined ? relative : `${current}.${relative}`
    ) as Context.Context<R>
  })
})

/** Where the fapilog service keeps its pipeline (the same registered symbol on both lines). */
export const pipelineKey: unique symbol = Symbol.for("fapilog/Fapilog/pipeline")

/** The key of the `Fapilog` service. */
export const fapilogServiceKey = "fapilog/Fapilog"

/** The `Fapilog` service's key, for lookups that must not depend on the public module. */
const fapilogKey = Context.Service<never, { readonly [pipelineKey]: Pipeline }>(fapilogServiceKey)

/** The pipeline of the fapilog layer in `context`. */
export const pipelineIn = (context: Context.Context<never>): Pipeline | undefined =>
  Context.getOrUndefined(context, fapilogKey)?.[pipelineKey]

export const fromEffectLevel = (level: LogLevel.LogLevel): L.LevelInfo | undefined => {
  switch (level) {
    case "All":
    case "Trace":
      return L.TRACE
    case "Debug":
      return L.DEBUG
    case "Info":
      return L.INFO
    case "Warn":
      return L.WARN
    case "Error":
      return L.ERROR
    case "Fatal":
      return L.FATAL
    default:
      return undefined
  }
}

/** Effect has no audit or security level: they map to Fatal, the highest it has. */
export const toEffectLevel = (level: L.LevelName): LogLevel.Severity => {
  switch (level) {
    case "trace":
      return "Trace"
    case "debug":
      return "Debug"
    case "info":
      return "Info"
    case "warn":
      return "Warn"
    case "error":
      return "Error"
    default:
      return "Fatal"
  }
}

/** The pipeline's default level. */
export const levelOf = (pipeline: Pipeline): L.LevelName => pipeline.levels.defaultLevel()

/** Whether a call at `level` by `fiber` passes the level of its category now. */
const passes = (
  pipeline: Pipeline,
  level: LogLevel.LogLevel,
  fiber: Fiber.Fiber<unknown, unknown>
): boolean => {
  const info = fromEffectLevel(level)
  return (
    info !== undefined &&
    info.rank >= pipeline.minRank &&
    info.rank >= categoryIn(pipeline, fiber.context).rank
  )
}

/**
 * `Effect.logError("failed", error)` passes the Error as a message part: it becomes the
 * event's error (when the call has no Cause) instead of being flattened into the text.
 */
const splitMessage = (message: unknown, hasCause: boolean): readonly [unknown, unknown] => {
  if (hasCause || !Array.isArray(message)) return [message, undefined]
  const at = message.findIndex((part) => part instanceof Error)
  if (at < 0) return [message, undefined]
  return [message.filter((_, i) => i !== at), message[at]]
}

/**
 * The record of one call, its values captured (unless the pipeline reads late): the fiber's
 * annotations, bound fields, log spans and current span, and the call's own.
 */
const recordOf = (
  pipeline: Pipeline,
  logger: string,
  time: number,
  level: L.LevelInfo,
  message: unknown,
  fiber: Fiber.Fiber<unknown, unknown>,
  fields: Fields | undefined,
  fresh: boolean,
  error: unknown
): LogRecord => {
  const limits = pipeline.capturing
  const context = fiber.context
  const r = new LogRecord(time, level, captureMessage(message, messageText), logger)
  const serializers = pipeline.serializers
  const own = fields === undefined || serializers === undefined ? fields : serializers.fields(fields)
  // a serializer's result is the user's object again: captured even in fresh fields
  if (own !== undefined)
    r.fields = limits === undefined || (fresh && own === fields) ? own : captureFields(own, limits)
  r.context = serializers === undefined ? bindingsIn(context) : serializers.bindings(bindingsIn(context))
  const annotations = fiber.getRef(References.CurrentLogAnnotations)
  for (const _ in annotations) {
    // the shared capture reads [key, value] pairs (Effect 3 hands over a HashMap)
    r.annotations = captureAnnotations(Object.entries(annotations) as never, limits, serializers)
    break
  }
  if (error !== undefined) r.error = limits === undefined ? error : captureError(error, limits)
  const span = Context.getOrUndefined(context, Tracer.ParentSpan)
  if (span !== undefined) {
    r.traceId = span.traceId
    r.spanId = span.spanId
  }
  const spans = fiber.getRef(References.CurrentLogSpans)
  // innermost first, as on Effect 3
  if (spans.length > 0) r.spans = spans.map(([label, startTime]): LogSpan => ({ label, startTime }))
  if (pipeline.callSite.length > 0)
    // a call-site enricher is handed the calling fiber's Context where Effect 3 hands its FiberRefs
    runCallSiteEnrichers(r, pipeline.callSite, context as never, limits, (name, e) =>
      pipeline.diagnostics.report(`enricher ${name}`, "failed at the call", e)
    )
  return r
}

/** Marks the Effect loggers fapilog makes, so that a fapilog layer replaces any other one's. */
const fapilogLoggerKey: unique symbol = Symbol.for("fapilog/Logger")

/** Whether `logger` is one of fapilog's (of any build of fapilog loaded in the process). */
export const isFapilogLogger = (logger: Logger.Logger<unknown, unknown>): boolean =>
  (logger as { readonly [fapilogLoggerKey]?: true })[fapilogLoggerKey] === true

/** Effect's `Logger` that feeds a pipeline: one record per `Effect.log*` call. */
export const make = (pipeline: Pipeline): Logger.Logger<unknown, void> =>
  Object.assign(
    Logger.make<unknown, void>(({ cause, date, fiber, logLevel, message }) => {
      const level = fromEffectLevel(logLevel)
      if (level === undefined || level.rank < pipeline.minRank) return
      const category = categoryIn(pipeline, fiber.context)
      if (level.rank < category.rank) return
      const hasCause = cause.reasons.length > 0
      const [text, error] = splitMessage(message, hasCause)
      pipeline.offer(
        recordOf(
          pipeline,
          category.name,
          date.getTime(),
          level,
          text,
          fiber,
          undefined,
          false,
          hasCause ? cause : error
        )
      )
    }),
    { [fapilogLoggerKey]: true as const }
  )

/** Where a gated logger keeps the logger it gates. */
const gatedKey: unique symbol = Symbol.for("fapilog/effect4/gated")

/** The logger `logger` gates, or `logger` itself. */
export const ungated = (logger: Logger.Logger<unknown, unknown>): Logger.Logger<unknown, unknown> =>
  (logger as { readonly [gatedKey]?: Logger.Logger<unknown, unknown> })[gatedKey] ?? logger

/**
 * `logger` behind the pipeline's threshold: the loggers an app keeps beside fapilog (the
 * tracer's span events, its own) see the calls fapilog lets through, as they would under
 * Effect 3's minimum level, which fapilog ties to its threshold.
 */
export const gate = (
  logger: Logger.Logger<unknown, unknown>,
  pipeline: Pipeline
): Logger.Logger<unknown, void> =>
  Object.assign(
    Logger.make<unknown, void>((options) => {
      if (passes(pipeline, options.logLevel, options.fiber)) logger.log(options)
    }),
    { [gatedKey]: logger }
  )

/**
 * The loggers a fapilog layer installs over `current`: its own, and every other logger in
 * place gated by its threshold, except Effect's default logger and any enclosing fapilog
 * layer's (which give way, as on Effect 3).
 */
export const loggersFor = (
  pipeline: Pipeline,
  current: Iterable<Logger.Logger<unknown, unknown>>
): ReadonlySet<Logger.Logger<unknown, unknown>> => {
  const next = new Set<Logger.Logger<unknown, unknown>>()
  for (const logger of current) {
    const inner = ungated(logger)
    if (inner !== Logger.defaultLogger && !isFapilogLogger(inner)) next.add(gate(inner, pipeline))
  }
  next.add(make(pipeline))
  return next
}

/**
 * `Fapilog.info(message, fields)` and friends: one record carrying the call's fields and the
 * fiber's annotations, log spans and current span. Without a fapilog layer it falls back to
 * Effect's logger with the fields as annotations.
 */
export const logAt =
  (level: L.LevelInfo, lookup: (context: Context.Context<never>) => Pipeline | undefined) =>
  (message: string, fields?: CallFields): Effect.Effect<void> =>
    Effect.withFiber((fiber) => logIn(fiber, level, lookup, message, fields) ?? Effect.void)

/**
 * The body of a `Fapilog.*` call made by `fiber`, run now: undefined once the record is
 * offered (or below the threshold), otherwise what remains to run (Effect's logger when there
 * is no fapilog layer, or the wait for room under "block"). Fields given as a function are
 * called only once the call has passed its category's level.
 */
export const logIn = (
  fiber: Fiber.Fiber<unknown, unknown>,
  level: L.LevelInfo,
  lookup: (context: Context.Context<never>) => Pipeline | undefined,
  message: string,
  given: CallFields | undefined,
  fresh = false
): Effect.Effect<void> | undefined => {
  const pipeline = lookup(fiber.context)
  if (pipeline === undefined) {
    // Effect's own minimum level decides; a fields function is not called below it
    if (
      typeof given === "function" &&
      LogLevel.isLessThan(toEffectLevel(level.name), fiber.getRef(References.MinimumLogLevel))
    )
      return undefined
    const fields = evaluateFields(given, undefined)
    const error = isError(fields) ? fields : undefined
    const own = error === undefined ? (fields as Fields | undefined) : undefined
    const logged = Effect.logWithLevel(toEffectLevel(level.name))(
      message,
      ...(error ? [Cause.fail(error)] : [])
    )
    // captured: Effect reads annotations with no guard against a value that throws
    return own === undefined
      ? logged
      : Effect.annotateLogs(logged, captureFields(own, defaultLimits) as Record<string, unknown>)
  }
  if (level.rank < pipeline.minRank) return undefined
  const category = categoryIn(pipeline, fiber.context)
  if (level.rank < category.rank) return undefined
  const fields =
    typeof given === "function"
      ? evaluateFields(given, (problem, e) => pipeline.diagnostics.report("fields", problem, e))
      : given
  const error = isError(fields) ? fields : undefined
  const own = error === undefined ? (fields as Fields | undefined) : undefined
  // the fiber's Clock, as Effect.log uses: TestClock time in tests, like every other line
  const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
  const record = recordOf(pipeline, category.name, now, level, message, fiber, own, fresh, error)
  // under "block", an Effect caller waits for room rather than being refused
  if (pipeline.mustWait(level)) return pipeline.offerWhenRoom(record)
  pipeline.offer(record)
  return undefined
}
