import { AsyncLocalStorage } from "node:async_hooks"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { build } from "./build.js"
import { captureError, captureFields, captureMessage, isError } from "./capture.js"
import { runCallSiteEnrichers } from "./enrichers.js"
import type { LevelName } from "./level.js"
import * as L from "./level.js"
import type { Pipeline, PipelineHealth, PipelineStats } from "./pipeline.js"
import { Bindings, type Fields, LogRecord, messageText } from "./record.js"

/** Fields for one call; an Error passed instead becomes the event's `error`. */
export type CallFields = Fields | Error

/** The Promise-side logger. */
export interface Logger extends AsyncDisposable {
  trace(message: string, fields?: CallFields): void
  debug(message: string, fields?: CallFields): void
  info(message: string, fields?: CallFields): void
  warn(message: string, fields?: CallFields): void
  error(message: string, fields?: CallFields): void
  fatal(message: string, fields?: CallFields): void
  audit(message: string, fields?: CallFields): void
  security(message: string, fields?: CallFields): void
  isLevelEnabled(level: LevelName): boolean
  setLevel(level: LevelName): void
  child(bindings: Fields): Logger
  flush(): Promise<void>
  close(): Promise<void>
  stats(): PipelineStats
  health(): PipelineHealth
}

/** What the root logger and its children share: one pipeline and the scope owning it. */
interface Shared {
  readonly pipeline: Pipeline
  readonly scope: Scope.CloseableScope
  closing: Promise<void> | undefined
}

// one store per process, shared by the ESM and CommonJS builds should an app load both
const contextStorage: AsyncLocalStorage<Bindings> = globalValue(
  Symbol.for("fapilog/contextStorage"),
  () => new AsyncLocalStorage<Bindings>()
)

export const withContext = <R>(fields: Fields, fn: () => R): R =>
  contextStorage.run(Bindings.extend(contextStorage.getStore(), fields), fn)

export const currentContext = (): Bindings | undefined => contextStorage.getStore()

class FacadeLogger implements Logger {
  constructor(
    private readonly shared: Shared,
    private readonly bindings: Bindings | undefined,
    private readonly root: boolean
  ) {}

  private log(level: L.LevelInfo, message: string, fields: CallFields | undefined): void {
    const p = this.shared.pipeline
    if (level.rank < p.minRank) return
    const limits = p.capturing
    const r = new LogRecord(
      Date.now(),
      level,
      typeof message === "string" ? message : captureMessage(message, messageText),
      p.name
    )
    if (isError(fields)) {
      r.error = limits === undefined ? fields : captureError(fields, limits)
    } else if (fields !== undefined) {
      const own = p.serializers === undefined ? fields : p.serializers.fields(fields)
      r.fields = limits === undefined ? own : captureFields(own, limits)
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
    return L.isLevelName(level) && L.rankOf(level) >= this.shared.pipeline.minRank
  }

  setLevel(level: LevelName): void {
    if (!L.isLevelName(level))
      throw new TypeError(`"${String(level)}" is not one of ${L.levelNames.join(", ")}`)
    this.shared.pipeline.setLevel(level)
  }

  child(bindings: Fields): Logger {
    const p = this.shared.pipeline
    const own = p.serializers === undefined ? bindings : p.serializers.fields(bindings)
    return new FacadeLogger(this.shared, Bindings.extend(this.bindings, own, p.capturing), false)
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
}

export const createLogger = async (settings?: unknown): Promise<Logger> => {
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
  return new FacadeLogger({ pipeline: exit.value.pipeline, scope, closing: undefined }, undefined, true)
}
