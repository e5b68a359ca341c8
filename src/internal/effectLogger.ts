import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import { dual } from "effect/Function"
import * as HashMap from "effect/HashMap"
import * as List from "effect/List"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import type * as LogSpan from "effect/LogSpan"
import { pipeArguments } from "effect/Pipeable"
import * as Tracer from "effect/Tracer"
import { captureAnnotations, captureError, captureFields, captureMessage, isError } from "./capture.js"
import { type CategoryPath, categoryArgument, type ResolvedCategory } from "./categories.js"
import { runCallSiteEnrichers } from "./enrichers.js"
import { currentContext } from "./facade.js"
import { defaultLimits } from "./json.js"
import { type CallFields, evaluateFields } from "./lazyFields.js"
import * as L from "./level.js"
import type { Pipeline } from "./pipeline.js"
import { Bindings, type Fields, LogRecord, messageText } from "./record.js"

/**
 * Fields bound to a fiber and every fiber it forks (`Fapilog.withContext`): serialized once
 * when bound, read once per line. They live in the fiber's Context, which forked fibers
 * inherit. Below them come the fields of the HTTP request being served
 * ({@link RequestScope}), then the Promise side's `withContext` (AsyncLocalStorage).
 */
export class CurrentBindings extends Context.Reference<CurrentBindings>()("fapilog/currentBindings", {
  defaultValue: (): Bindings | undefined => undefined
}) {}

/**
 * What the HTTP middleware knows of the request being served: the fields every line logged
 * while serving it carries (the correlation id, trace ids).
 */
export interface RequestScope {
  readonly correlationId: string
  /** The request's fields, on top of {@link outer}. */
  readonly bindings: Bindings
  /** The fields bound where the request was taken up (a server run inside `withContext`). */
  readonly outer: Bindings | undefined
  /** The request has been answered: a later request on the same object is not nested in it. */
  readonly finished: boolean
}

/**
 * Where a request's scope is kept on the request's underlying object
 * (`HttpServerRequest.source`: Node's IncomingMessage, or the web Request). A platform server
 * already puts the request in the Context of every fiber that serves it, forked ones
 * included, so the middleware attaches its scope there instead of changing the fiber's
 * Context: in Effect 3 every FiberRef write copies all of the fiber's FiberRefs, which is
 * most of what a middleware costs per request. A registered symbol, so that the ES module
 * and CommonJS builds find each other's scopes; an own property rather than a WeakMap entry,
 * which costs the garbage collector more at every young collection.
 */
const requestScopeKey: unique symbol = Symbol.for("fapilog/requestScope")

/** Attaches `scope` to a request's source object (see {@link requestScopeKey}). */
export const setRequestScope = (source: object, scope: RequestScope): void => {
  ;(source as { [requestScopeKey]?: RequestScope })[requestScopeKey] = scope
}

const requestScopeOf = (source: object): RequestScope | undefined =>
  (source as { readonly [requestScopeKey]?: RequestScope })[requestScopeKey]

/** A request scope carried in the Context itself, for requests whose source is no object. */
export class CurrentRequestScope extends Context.Reference<CurrentRequestScope>()(
  "fapilog/currentRequestScope",
  {
    defaultValue: (): RequestScope | undefined => undefined
  }
) {}

/**
 * The service under `key` in `context`, or undefined: one map lookup. On a logging call this
 * replaces `Context.get`/`getOption`, which check the tag's kind, look up a Reference's
 * default and allocate an Option each time. Only for services whose absence means undefined
 * (the References read here default to undefined).
 */
const serviceIn = <A>(context: Context.Context<never>, key: string): A | undefined =>
  context.unsafeMap.get(key) as A | undefined

/**
 * The services of the fiber whose FiberRefs are `refs` (what a Logger is given): read from
 * the FiberRefs' own map, without the Option `FiberRefs.getOrDefault` makes per call.
 */
const servicesOf = (refs: FiberRefs.FiberRefs): Context.Context<never> => {
  const stack = (
    refs as unknown as { readonly locals?: Map<unknown, ReadonlyArray<readonly [unknown, unknown]>> }
  ).locals?.get(FiberRef.currentContext)
  return stack === undefined
    ? FiberRefs.getOrDefault(refs, FiberRef.currentContext)
    : (stack[0]?.[1] as Context.Context<never>)
}

// @effect/platform's HttpServerRequest tag (an optional peer, so no import; a test checks the key)
export const platformRequestKey = "@effect/platform/HttpServerRequest"

/** The source object of the platform request in `context`, if there is one. */
export const requestSource = (context: Context.Context<never>): object | undefined => {
  const request: unknown = context.unsafeMap.get(platformRequestKey)
  if (typeof request !== "object" || request === null) return undefined
  const source: unknown = (request as { readonly source?: unknown }).source
  return typeof source === "object" && source !== null ? source : undefined
}

/** The scope of the HTTP request being served in `context`, if any. */
export const requestScopeIn = (context: Context.Context<never>): RequestScope | undefined => {
  const carried = serviceIn<RequestScope>(context, CurrentRequestScope.key)
  if (carried !== undefined) return carried
  const source = requestSource(context)
  return source === undefined ? undefined : requestScopeOf(source)
}

/**
 * The fields bound in `context`: those of `withContext` calls made while serving the
 * request (they extend the request's), else the request's (which extend whatever was bound
 * outside the server), else the Promise side's.
 */
export const bindingsIn = (context: Context.Context<never>): Bindings | undefined => {
  const bound = serviceIn<Bindings>(context, CurrentBindings.key)
  const scope = requestScopeIn(context)
  if (scope !== undefined && (bound === undefined || bound === scope.outer)) return scope.bindings
  return bound ?? currentContext()
}

/** The fields bound in `context` apart from any request's: `withContext`, else the Promise side's. */
export const bindingsBesideRequests = (context: Context.Context<never>): Bindings | undefined =>
  serviceIn<Bindings>(context, CurrentBindings.key) ?? currentContext()

/** `context` with `fields` added to its bound fields (inner values win). */
export const addBindings = (context: Context.Context<never>, fields: Fields): Context.Context<never> =>
  Context.add(context, CurrentBindings, Bindings.extend(bindingsIn(context), fields))

/** Runs `self` with `fields` added to the fiber's bound context (inner values win). */
export const withBindings: {
  (fields: Fields): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, fields: Fields): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, fields: Fields) =>
  Effect.locallyWith(self, FiberRef.currentContext, (context) => addBindings(context, fields))
)

/**
 * The category of a fiber and every fiber it forks (`Fapilog.withLogger`), relative to the
 * logger's name (undefined: the name itself). Relative, so that it means the same under any
 * fapilog layer, including one provided inside it.
 */
export class CurrentCategory extends Context.Reference<CurrentCategory>()("fapilog/currentCategory", {
  defaultValue: (): string | undefined => undefined
}) {}

/** The category of the fiber whose services are `context`, and the rank a call in it must reach. */
export const categoryIn = (pipeline: Pipeline, context: Context.Context<never>): ResolvedCategory =>
  pipeline.levels.scoped(serviceIn<string>(context, CurrentCategory.key))

/** `context` with its category extended by `relative`. */
const addCategory = (context: Context.Context<never>, relative: string): Context.Context<never> => {
  const current = serviceIn<string>(context, CurrentCategory.key)
  return Context.add(context, CurrentCategory, current === undefined ? relative : `${current}.${relative}`)
}

/** Runs `self` in the sub-category `category` of the current one. */
export const withCategory: {
  (category: CategoryPath): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, category: CategoryPath): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, category: CategoryPath) => {
  const relative = categoryArgument(category, "withLogger(category)")
  return Effect.locallyWith(self, FiberRef.currentContext, (context) => addCategory(context, relative))
})

/** Where the fapilog service keeps its pipeline (not part of the public interface). */
export const pipelineKey: unique symbol = Symbol.for("fapilog/Fapilog/pipeline")

/** The key of the `Fapilog` service tag. */
export const fapilogServiceKey = "fapilog/Fapilog"

/** The pipeline of the fapilog layer in `context`: the `Fapilog` service, found by its key. */
export const pipelineIn = (context: Context.Context<never>): Pipeline | undefined =>
  (context.unsafeMap.get(fapilogServiceKey) as { readonly [pipelineKey]: Pipeline } | undefined)?.[
    pipelineKey
  ]

export const fromEffectLevel = (level: LogLevel.LogLevel): L.LevelInfo | undefined => {
  switch (level._tag) {
    case "All":
    case "Trace":
      return L.TRACE
    case "Debug":
      return L.DEBUG
    case "Info":
      return L.INFO
    case "Warning":
      return L.WARN
    case "Error":
      return L.ERROR
    case "Fatal":
      return L.FATAL
    default:
      return undefined
  }
}

/** The pipeline's default level. */
export const levelOf = (pipeline: Pipeline): L.LevelName => pipeline.levels.defaultLevel()

/** Effect has no audit or security level: they map to Fatal, the highest it has. */
export const toEffectLevel = (level: L.LevelName): LogLevel.LogLevel => {
  switch (level) {
    case "trace":
      return LogLevel.Trace
    case "debug":
      return LogLevel.Debug
    case "info":
      return LogLevel.Info
    case "warn":
      return LogLevel.Warning
    case "error":
      return LogLevel.Error
    default:
      return LogLevel.Fatal
  }
}

/**
 * Effect's minimum log level tied to a pipeline's threshold (the lowest level of any
 * category): one switch for both. Effect
 * filters `Effect.log*` calls against the fiber's minimum level before any logger sees them,
 * and a fiber's FiberRefs cannot be reached from outside it, so a level set once when the
 * layer is built could never follow `setLevel`. This LogLevel reads the pipeline's
 * threshold each time Effect compares against it (Effect orders levels by `ordinal`), so a
 * call below the threshold still costs only Effect's own check, and `setLevel("debug")`
 * lets `Effect.logDebug` through in every fiber at once.
 */
export const liveLevel = (pipeline: Pipeline): LogLevel.LogLevel => {
  let rank = Number.NaN
  let level: LogLevel.LogLevel = LogLevel.Info
  const current = (): LogLevel.LogLevel => {
    if (pipeline.minRank !== rank) {
      rank = pipeline.minRank
      level = toEffectLevel(L.nameOfRank(rank) ?? "info")
    }
    return level
  }
  return {
    get _tag() {
      return current()._tag
    },
    get label() {
      return current().label
    },
    get ordinal() {
      return current().ordinal
    },
    get syslog() {
      return current().syslog
    },
    pipe() {
      // biome-ignore lint/complexity/noArguments: Pipeable's own signature
      return pipeArguments(this, arguments)
    }
  } as LogLevel.LogLevel
}

const spanIn = (context: Context.Context<never>): Tracer.AnySpan | undefined =>
  serviceIn<Tracer.AnySpan>(context, Tracer.ParentSpan.key)

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

const refsOf = (caller: FiberRefs.FiberRefs | Fiber.RuntimeFiber<unknown, unknown>): FiberRefs.FiberRefs =>
  "getFiberRefs" in caller ? caller.getFiberRefs() : caller

/**
 * The record of one call, its values captured (unless the pipeline reads late): the
 * fiber's annotations, bound fields, log spans and current span, and the call's own.
 */
const recordOf = (
  pipeline: Pipeline,
  logger: string,
  time: number,
  level: L.LevelInfo,
  message: unknown,
  services: Context.Context<never>,
  annotations: HashMap.HashMap<string, unknown>,
  spans: List.List<LogSpan.LogSpan>,
  fields: Fields | undefined,
  fresh: boolean,
  error: unknown,
  /** The caller's FiberRefs, or its fiber (whose FiberRefs are read only if an enricher needs them). */
  caller: FiberRefs.FiberRefs | Fiber.RuntimeFiber<unknown, unknown>
): LogRecord => {
  const limits = pipeline.capturing
  const r = new LogRecord(time, level, captureMessage(message, messageText), logger)
  const serializers = pipeline.serializers
  const own = fields === undefined || serializers === undefined ? fields : serializers.fields(fields)
  // a serializer's result is the user's object again: captured even in fresh fields
  if (own !== undefined)
    r.fields = limits === undefined || (fresh && own === fields) ? own : captureFields(own, limits)
  r.context = serializers === undefined ? bindingsIn(services) : serializers.bindings(bindingsIn(services))
  if (!HashMap.isEmpty(annotations)) r.annotations = captureAnnotations(annotations, limits, serializers)
  if (error !== undefined) r.error = limits === undefined ? error : captureError(error, limits)
  const span = spanIn(services)
  if (span !== undefined) {
    r.traceId = span.traceId
    r.spanId = span.spanId
  }
  if (!List.isNil(spans)) r.spans = spans
  if (pipeline.callSite.length > 0)
    runCallSiteEnrichers(r, pipeline.callSite, refsOf(caller), limits, (name, e) =>
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
    Logger.make(({ annotations, cause, context, date, logLevel, message, spans }) => {
      const level = fromEffectLevel(logLevel)
      if (level === undefined || level.rank < pipeline.minRank) return
      const services = servicesOf(context)
      const category = categoryIn(pipeline, services)
      if (level.rank < category.rank) return
      const hasCause = !Cause.isEmpty(cause)
      const [text, error] = splitMessage(message, hasCause)
      pipeline.offer(
        recordOf(
          pipeline,
          category.name,
          date.getTime(),
          level,
          text,
          services,
          annotations,
          spans,
          undefined,
          false,
          hasCause ? cause : error,
          context
        )
      )
    }),
    { [fapilogLoggerKey]: true as const }
  )

/**
 * `Fapilog.info(message, fields)` and friends: one record carrying the call's fields and
 * the fiber's annotations, log spans and current span. Without a fapilog layer it falls
 * back to Effect's logger with the fields as annotations.
 */
export const logAt =
  (level: L.LevelInfo, lookup: (context: Context.Context<never>) => Pipeline | undefined) =>
  (message: string, fields?: CallFields): Effect.Effect<void> =>
    Effect.withFiberRuntime((fiber) => logIn(fiber, level, lookup, message, fields) ?? Effect.void)

/**
 * The body of a `Fapilog.*` call made by `fiber`, run now: undefined once the record is
 * offered (or below the threshold), otherwise what remains to run (Effect's logger when
 * there is no fapilog layer, or the wait for room under "block"). Code that already holds
 * its fiber (the HTTP middleware) logs through it without an Effect of its own.
 *
 * `fresh`: the fields are a new object that fapilog built for this line and that nothing
 * changes afterwards (the middleware's access line), so they need no capture. Fields given
 * as a function are called only once the call has passed its category's level.
 */
export const logIn = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  level: L.LevelInfo,
  lookup: (context: Context.Context<never>) => Pipeline | undefined,
  message: string,
  given: CallFields | undefined,
  fresh = false
): Effect.Effect<void> | undefined => {
  const context = fiber.getFiberRef(FiberRef.currentContext)
  const pipeline = lookup(context)
  if (pipeline === undefined) {
    // Effect's own minimum level decides; a fields function is not called below it
    if (
      typeof given === "function" &&
      LogLevel.lessThan(toEffectLevel(level.name), fiber.getFiberRef(FiberRef.currentMinimumLogLevel))
    )
      return undefined
    const fields = evaluateFields(given, undefined)
    const error = isError(fields) ? fields : undefined
    const own = error === undefined ? (fields as Fields | undefined) : undefined
    const logged = Effect.logWithLevel(
      toEffectLevel(level.name),
      message,
      ...(error ? [Cause.fail(error)] : [])
    )
    // captured: Effect reads annotations with no guard against a value that throws
    return own === undefined
      ? logged
      : Effect.annotateLogs(logged, captureFields(own, defaultLimits) as Record<string, unknown>)
  }
  if (level.rank < pipeline.minRank) return undefined
  const category = categoryIn(pipeline, context)
  if (level.rank < category.rank) return undefined
  const fields =
    typeof given === "function"
      ? evaluateFields(given, (problem, e) => pipeline.diagnostics.report("fields", problem, e))
      : given
  const error = isError(fields) ? fields : undefined
  const own = error === undefined ? (fields as Fields | undefined) : undefined
  // the fiber's Clock, as Effect.log uses: TestClock time in tests, like every other line
  const now = Context.get(
    fiber.getFiberRef(DefaultServices.currentServices),
    Clock.Clock
  ).unsafeCurrentTimeMillis()
  const record = recordOf(
    pipeline,
    category.name,
    now,
    level,
    message,
    context,
    fiber.getFiberRef(FiberRef.currentLogAnnotations),
    fiber.getFiberRef(FiberRef.currentLogSpan),
    own,
    fresh,
    error,
    fiber
  )
  // under "block", an Effect caller waits for room rather than being refused
  if (pipeline.mustWait(level)) return pipeline.offerWhenRoom(record)
  pipeline.offer(record)
  return undefined
}
