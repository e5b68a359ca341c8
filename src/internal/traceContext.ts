/**
 * The active OpenTelemetry span, for the Promise side (the facade, Express, Fastify), read
 * through `@opentelemetry/api` when the application has it installed: an optional peer, never
 * imported at module load. `traceContext()` loads it once per process, the first time a logger
 * is created; without it (or with something that does not look like it) the result is
 * undefined and the facade reads nothing per event.
 *
 * Only the few functions used here are typed (structurally), so no type of the package leaks
 * into fapilog's declarations and any 1.x version of the API fits.
 */
import type { TraceParent } from "./http.js"

/** The ids of a span, as the core keys of an event carry them. */
export interface SpanIds {
  readonly traceId: string
  readonly spanId: string
}

/** What fapilog does with OpenTelemetry's context. */
export interface TraceContext {
  /** The ids of the active span when there is one with valid ids, else undefined. */
  readonly activeIds: () => SpanIds | undefined
  /**
   * Runs `fn` in a context whose active span is the remote caller's (an incoming
   * `traceparent`), so that spans started in it continue the caller's trace. `fn` learns
   * whether that context took effect: not without a context manager (OpenTelemetry's SDK
   * registers one), where `fn` still runs, in the context it was called in.
   */
  readonly withRemoteParent: (parent: TraceParent, fn: (inEffect: boolean) => void) => void
}

/** The part of `@opentelemetry/api` used here. */
interface SpanContextLike {
  readonly traceId: string
  readonly spanId: string
  readonly traceFlags: number
  readonly isRemote?: boolean | undefined
}
interface SpanLike {
  spanContext(): SpanContextLike
}
interface OtelApiLike {
  readonly trace: {
    getActiveSpan(): SpanLike | undefined
    isSpanContextValid(spanContext: SpanContextLike): boolean
    setSpanContext(context: unknown, spanContext: SpanContextLike): unknown
  }
  readonly context: {
    active(): unknown
    with<R>(context: unknown, fn: () => R): R
  }
}

const isFunction = (u: unknown): boolean => typeof u === "function"

/** Whether a loaded module offers what {@link TraceContext} calls. */
const apiOf = (module: unknown): OtelApiLike | undefined => {
  if (typeof module !== "object" || module === null) return undefined
  // an ES module namespace, or CommonJS exports seen through a default export
  const m = module as { readonly trace?: unknown; readonly context?: unknown; readonly default?: unknown }
  const api = m.trace === undefined && typeof m.default === "object" ? (m.default as typeof m) : m
  const trace = api.trace as Partial<OtelApiLike["trace"]> | undefined
  const context = api.context as Partial<OtelApiLike["context"]> | undefined
  if (
    typeof trace !== "object" ||
    trace === null ||
    typeof context !== "object" ||
    context === null ||
    !isFunction(trace.getActiveSpan) ||
    !isFunction(trace.isSpanContextValid) ||
    !isFunction(trace.setSpanContext) ||
    !isFunction(context.active) ||
    !isFunction(context.with)
  )
    return undefined
  return api as OtelApiLike
}

/** W3C trace flags: bit 0 is "sampled". */
const sampledFlag = 1

const fromApi = (api: OtelApiLike): TraceContext => {
  const { trace, context } = api
  // a process logs many lines within one span: its ids are checked once
  let lastSpan: SpanLike | undefined
  let lastIds: SpanIds | undefined
  const activeIds = (): SpanIds | undefined => {
    let span: SpanLike | undefined
    try {
      span = trace.getActiveSpan()
      if (span === undefined) return undefined
      if (span === lastSpan) return lastIds
      const sc = span.spanContext()
      lastIds = trace.isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId } : undefined
    } catch {
      // a broken span or context manager never fails a log call
      lastIds = undefined
    }
    lastSpan = span
    return lastIds
  }
  const withRemoteParent = (parent: TraceParent, fn: (inEffect: boolean) => void): void => {
    let ctx: unknown
    try {
      ctx = trace.setSpanContext(context.active(), {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.sampled ? sampledFlag : 0,
        isRemote: true
      })
    } catch {
      fn(false)
      return
    }
    context.with(ctx, () => fn(activeIds()?.spanId === parent.spanId))
  }
  return { activeIds, withRemoteParent }
}

/**
 * A {@link TraceContext} over the module `load` gives, or undefined when it fails (the package
 * is not installed) or gives something else than `@opentelemetry/api`.
 */
export const resolveTraceContext = async (
  load: () => Promise<unknown>
): Promise<TraceContext | undefined> => {
  let module: unknown
  try {
    module = await load()
  } catch {
    return undefined
  }
  const api = apiOf(module)
  return api === undefined ? undefined : fromApi(api)
}

// a specifier bundlers do not follow: an application bundled without `@opentelemetry/api`
// (an optional peer) builds, and one that has it installed loads it at run time
const OTEL_API: string = "@opentelemetry/api"
const importApi = (): Promise<unknown> => import(OTEL_API)

let loading: Promise<TraceContext | undefined> | undefined

/** OpenTelemetry's context when `@opentelemetry/api` is installed; loaded once per process. */
export const traceContext = (): Promise<TraceContext | undefined> =>
  (loading ??= resolveTraceContext(importApi))
