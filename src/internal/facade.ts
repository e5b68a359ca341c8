import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { build } from "./build.js"
import { captureError, captureFields, captureMessage, isError } from "./capture.js"
import {
  type CategoryLevels,
  type CategoryPath,
  categoryArgument,
  isCategoryPath,
  type LevelState,
  subCategory
} from "./categories.js"
import { runCallSiteEnrichers } from "./enrichers.js"
import { defaultLimits } from "./json.js"
import { type CallFields, evaluateFields } from "./lazyFields.js"
import type { LevelName } from "./level.js"
import * as L from "./level.js"
import type { Pipeline, PipelineHealth, PipelineStats } from "./pipeline.js"
import { type ContextStore, makeContextStore } from "./platform.js"
import { Bindings, type Fields, LogRecord, messageText } from "./record.js"
import { type TraceContext, traceContext } from "./traceContext.js"

export type { CallFields, LazyFields } from "./lazyFields.js"

/** A running measurement of one operation, from `Logger.time`. */
export interface Timer {
  /** What the timer measures: the default message, and the `label` field of its line. */
  readonly label: string
  /**
   * Logs the end of the operation at `level` (default info) with `durationMs` and `label`
   * (which win over fields of the same name), once: returns true when this call ended the
   * timer, false (logging nothing) when it had already ended.
   */
  done(message?: string, fields?: CallFields, level?: LevelName): boolean
}

/** The Promise-side logger. */
export interface Logger extends AsyncDisposable {
  /** The category of this logger's events, written in their `logger` key. */
  readonly category: string
  trace(message: string, fields?: CallFields): void
  debug(message: string, fields?: CallFields): void
  info(message: string, fields?: CallFields): void
  warn(message: string, fields?: CallFields): void
  error(message: string, fields?: CallFields): void
  fatal(message: string, fields?: CallFields): void
  audit(message: string, fields?: CallFields): void
  security(message: string, fields?: CallFields): void
  /** Whether a call at `level` would be written by this logger (its category's level). */
  isLevelEnabled(level: LevelName): boolean
  /** Sets the default level, or the level of the category prefix `category` (a full path). */
  setLevel(level: LevelName, category?: CategoryPath): void
  /** The default level and every category level in force. */
  levels(): LevelState
  /** The logger of the sub-category `category` of this one's, with this one's bindings. */
  child(category: CategoryPath): Logger
  /** A logger of this one's category whose events carry `bindings`. */
  child(bindings: Fields): Logger
  /** Starts a timer whose `done` logs `label` and `durationMs`. */
  time(label: string): Timer
  flush(): Promise<void>
  close(): Promise<void>
  stats(): PipelineStats
  health(): PipelineHealth
}

/** What the root logger and its children share: one pipeline and the scope owning it. */
interface Shared {
  readonly pipeline: Pipeline
  readonly scope: Scope.CloseableScope
  /** OpenTelemetry's context, when `@opentelemetry/api` is installed. */
  readonly trace: TraceContext | undefined
  closing: Promise<void> | undefined
}

// one store per process, shared by the ESM and CommonJS builds should an app load both
// (AsyncLocalStorage on Node; in the browser build, the innermost withContext on the stack)
const contextStorage: ContextStore<Bindings> = globalValue(Symbol.for("fapilog/contextStorage"), () =>
  makeContextStore<Bindings>()
)

export const withContext = <R>(fields: Fields, fn: () => R): R =>
  contextStorage.run(Bindings.extend(contextStorage.getStore(), fields), fn)

export const currentContext = (): Bindings | undefined => contextStorage.getStore()

class FacadeLogger implements Logger {
  private readonly levelState: CategoryLevels
  /** The rank this logger's category must reach, resolved at `version` of the levels. */
  private rank = 0
  private version = -1

  constructor(
    private readonly shared: Shared,
    private readonly bindings: Bindings | undefined,
    private readonly root: boolean,
    readonly category: string
  ) {
    this.levelState = shared.pipeline.levels
  }

  /** The rank of this logger's category now: resolved again only after a level changed. */
  private threshold(): number {
    const levels = this.levelState
    if (levels.version !== this.version) {
      this.rank = levels.rankOf(this.category)
      this.version = levels.version
    }
    return this.rank
  }

  private log(level: L.LevelInfo, message: string, fields: CallFields | undefined): void {
    if (this.levelState.version !== this.version) this.threshold()
    if (level.rank < this.rank) return
    this.write(level, message, typeof fields === "function" ? this.evaluate(fields) : fields, undefined)
  }

  private evaluate(fields: CallFields): Fields | Error | undefined {
    const diagnostics = this.shared.pipeline.diagnostics
    return evaluateFields(fields, (problem, e) => diagnostics.report("fields", problem, e))
  }

  /** One event that passed its level; `timed` (a timer's fields) wins over the call's fields. */
  private write(
    level: L.LevelInfo,
    message: string,
    fields: Fields | Error | undefined,
    timed: Fields | undefined
  ): void {
    const p = this.shared.pipeline
    const limits = p.capturing
    const r = new LogRecord(
      Date.now(),
      level,
      typeof message === "string" ? message : captureMessage(message, messageText),
      this.category
    )
    if (isError(fields)) {
      r.error = limits === undefined ? fields : captureError(fields, limits)
      r.fields = timed
    } else {
      const own = fields === undefined || p.serializers === undefined ? fields : p.serializers.fields(fields)
      if (timed !== undefined)
        // captured first: spreading the caller's object could meet a throwing getter
        r.fields = own === undefined ? timed : { ...captureFields(own, limits ?? defaultLimits), ...timed }
      else if (own !== undefined) r.fields = limits === undefined ? own : captureFields(own, limits)
    }
    const trace = this.shared.trace
    if (trace !== undefined) {
      // the active span's ids fill the core slots first: a user's traceId or spanId that
      // differs is kept under `fields`, as beside an Effect span
      const ids = trace.activeIds()
      if (ids !== undefined) {
        r.traceId = ids.traceId
        r.spanId = ids.spanId
      }
    }
    r.bindings = this.bindings
    r.context =
      p.serializers === undefined
        ? contextStorage.getStore()
        : p.serializers.bindings(contextStorage.getStore())
    if (p.callSite.length > 0)
      runCallSiteEnrichers(r, p.callSite, undefined, limits, (name, e) =>
        p.diagnostics.report(`enricher ${name}`, "failed at the call", e)
      )
    p.offer(r)
  }

  /** A timer's line: `durationMs` and `label` with the call's fields, if its level passes. */
  logTimed(level: L.LevelInfo, message: string, fields: CallFields | undefined, timed: Fields): void {
    if (level.rank < this.threshold()) return
    this.write(level, message, typeof fields === "function" ? this.evaluate(fields) : fields, timed)
  }

  trace(message: string, fields?: CallFields): void {
    this.log(L.TRACE, message, fields)
  }

  debug(message: string, fields?: CallFields): void {
    this.log(L.DEBUG, message, fields)
  }

  info(message: string, fields?: CallFields): void {
    this.log(L.INFO, message, fields)
  }

  warn(message: string, fields?: CallFields): void {
    this.log(L.WARN, message, fields)
  }

  error(message: string, fields?: CallFields): void {
    this.log(L.ERROR, message, fields)
  }

  fatal(message: string, fields?: CallFields): void {
    this.log(L.FATAL, message, fields)
  }

  audit(message: string, fields?: CallFields): void {
    this.log(L.AUDIT, message, fields)
  }

  security(message: string, fields?: CallFields): void {
    this.log(L.SECURITY, message, fields)
  }

  isLevelEnabled(level: LevelName): boolean {
    return L.isLevelName(level) && L.rankOf(level) >= this.threshold()
  }

  setLevel(level: LevelName, category?: CategoryPath): void {
    if (!L.isLevelName(level))
      throw new TypeError(`"${String(level)}" is not one of ${L.levelNames.join(", ")}`)
    this.shared.pipeline.setLevel(
      level,
      category === undefined ? undefined : categoryArgument(category, "setLevel(level, category)")
    )
  }

  levels(): LevelState {
    return this.levelState.state()
  }

  child(arg: CategoryPath | Fields): Logger {
    if (isCategoryPath(arg))
      return new FacadeLogger(
        this.shared,
        this.bindings,
        false,
        subCategory(this.category, categoryArgument(arg, "child(category)"))
      )
    const p = this.shared.pipeline
    const own = p.serializers === undefined ? arg : p.serializers.fields(arg)
    return new FacadeLogger(
      this.shared,
      Bindings.extend(this.bindings, own, p.capturing),
      false,
      this.category
    )
  }

  time(label: string): Timer {
    return new FacadeTimer(this, typeof label === "string" ? label : String(label))
  }

  flush(): Promise<void> {
    return Effect.runPromise(this.shared.pipeline.flush)
  }

  close(): Promise<void> {
    if (!this.root) return this.flush()
    this.shared.closing ??= Effect.runPromise(Scope.close(this.shared.scope, Exit.void))
    return this.shared.closing
  }

  stats(): PipelineStats {
    return this.shared.pipeline.stats()
  }

  health(): PipelineHealth {
    return this.shared.pipeline.health()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** OpenTelemetry's context as this logger reads it (for the HTTP adapters). */
  get traceContext(): TraceContext | undefined {
    return this.shared.trace
  }
}

/** OpenTelemetry's context of a logger made by {@link createLogger}; undefined for any other. */
export const traceContextOf = (logger: Logger): TraceContext | undefined =>
  logger instanceof FacadeLogger ? logger.traceContext : undefined

/** Milliseconds with microsecond precision: what `performance.now()` can tell apart. */
const durationSince = (start: number): number => Math.round((performance.now() - start) * 1000) / 1000

class FacadeTimer implements Timer {
  private readonly start = performance.now()
  private ended = false

  constructor(
    private readonly logger: FacadeLogger,
    readonly label: string
  ) {}

  done(message?: string, fields?: CallFields, level: LevelName = "info"): boolean {
    if (!L.isLevelName(level))
      throw new TypeError(`"${String(level)}" is not one of ${L.levelNames.join(", ")}`)
    if (this.ended) return false
    this.ended = true
    const durationMs = durationSince(this.start)
    this.logger.logTimed(L.levels[level], message ?? this.label, fields, { label: this.label, durationMs })
    return true
  }
}

export const createLogger = async (settings?: unknown): Promise<Logger> => {
  const trace = await traceContext()
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(build(settings).pipe(Scope.extend(scope)))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    // a settings or sink error as it is; anything else (a defect, an interruption) wrapped
    const failure = Cause.isFailType(exit.cause) ? Cause.failureOption(exit.cause) : Option.none()
    throw Option.isSome(failure)
      ? failure.value
      : new Error("fapilog: createLogger failed", { cause: exit.cause })
  }
  const pipeline = exit.value.pipeline
  return new FacadeLogger({ pipeline, scope, trace, closing: undefined }, undefined, true, pipeline.name)
}
