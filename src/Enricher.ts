/**
 * Custom enrichers: functions that add fields to every event. Two kinds:
 * - batch enrichers run in the pipeline's worker, never on the caller's stack, and see the
 *   event's level, message, logger and time;
 * - call-site enrichers run on the caller's side, at the call, and can read the calling
 *   fiber's FiberRefs (Effect) or the calling async context (Promise facade: the `mixin`
 *   setting), at the cost of running on every call.
 *
 * Their fields rank above the built-in enrichers and below everything the caller bound or
 * passed (call-site ones above batch ones). A throwing enricher is skipped for that event
 * and reported; the event is still written. Several of a kind run by `order`, then name.
 *
 * Promise users pass functions in settings (`enrichers: [fn]`, `mixin: fn`); Effect users
 * provide layers, which accumulate.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Enricher, Fapilog } from "fapilog"
 *
 * const Live = Fapilog.layer().pipe(Layer.provide(Enricher.layer("region", () => ({ region: "eu-1" }))))
 * Effect.runPromise(Effect.log("hello").pipe(Effect.provide(Live)))
 * ```
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as internal from "./internal/enrichers.js"
import type { Extensions } from "./internal/extensions.js"
import * as extensions from "./internal/extensions.js"

/**
 * What an enricher sees of an event: level, message, logger name and time (epoch ms).
 *
 * @example
 * ```ts
 * import type { Enricher } from "fapilog"
 * const tagErrors: Enricher.Enricher = (e: Enricher.Input) => (e.level === "error" ? { alert: true } : undefined)
 * ```
 * @since 0.1.0
 * @category models
 */
export type Input = internal.EnricherInput

/**
 * An enricher: returns fields to add, or undefined to add none.
 *
 * @example
 * ```ts
 * import type { Enricher } from "fapilog"
 * const region: Enricher.Enricher = () => ({ region: process.env.REGION })
 * ```
 * @since 0.1.0
 * @category models
 */
export type Enricher = internal.Enricher

/**
 * A named enricher (the name appears in diagnostics when it fails).
 *
 * @example
 * ```ts
 * import type { Enricher } from "fapilog"
 * const named: Enricher.Named = { name: "region", enrich: () => ({ region: "eu-1" }) }
 * ```
 * @since 0.1.0
 * @category models
 */
export type Named = internal.NamedEnricher

/**
 * Where an enricher runs among the enrichers of its kind.
 *
 * @example
 * ```ts
 * import type { Enricher } from "fapilog"
 * const late: Enricher.Options = { order: 10 }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Lower runs first (a later one wins on a key); default 0. Ties run in name order. */
  readonly order?: number | undefined
}

/**
 * Provides a batch enricher (run in the worker, for every event) to the fapilog layer it is
 * provided to. Any number of enricher layers accumulate, whether merged or provided in turn.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Enricher, Fapilog } from "fapilog"
 * const Live = Fapilog.layer().pipe(Layer.provide(Enricher.layer("host", () => ({ rack: "r1" }))))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (name: string, enrich: Enricher, options?: Options): Layer.Layer<Extensions> =>
  layerEffect(name, Effect.succeed(enrich), options)

/**
 * Provides a batch enricher built by an effect: its requirements show in the layer's type,
 * and what it acquires in the layer's scope is released after the logger drained.
 *
 * @example
 * ```ts
 * import { Config, Effect, Layer } from "effect"
 * import { Enricher, Fapilog } from "fapilog"
 *
 * const Region = Enricher.layerEffect(
 *   "region",
 *   Effect.map(Config.string("REGION"), (region) => () => ({ region }))
 * )
 * const Live = Fapilog.layer().pipe(Layer.provide(Region)) // fails with a ConfigError without REGION
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerEffect = <E, R>(
  name: string,
  make: Effect.Effect<Enricher, E, R>,
  options?: Options
): Layer.Layer<Extensions, E, Exclude<R, Scope.Scope>> =>
  extensions.layer(
    Effect.map(make, (enrich) => ({
      kind: "enricher",
      order: options?.order ?? 0,
      enricher: { name, enrich }
    }))
  )

/**
 * What a call-site enricher sees: level, message, logger, time, the fields bound where the
 * call was made, and (for calls from Effect) the calling fiber's FiberRefs.
 *
 * @example
 * ```ts
 * import type { Enricher } from "fapilog"
 * const tenantOf = (call: Enricher.CallSite) => call.context.tenant
 * ```
 * @since 0.1.0
 * @category models
 */
export type CallSite = internal.CallSite

/**
 * A call-site enricher: runs on the caller's side, at the call, so it can read what only
 * the caller has (the calling fiber's FiberRefs, the calling async context, the caller's
 * own state as it is at the call). Its fields are captured at the call too. Keep it cheap:
 * it runs on every call that passes the level.
 *
 * @example
 * ```ts
 * import type { Enricher } from "fapilog"
 * let requests = 0
 * const inFlight: Enricher.CallSiteEnricher = () => ({ requestsSoFar: requests })
 * ```
 * @since 0.1.0
 * @category models
 */
export type CallSiteEnricher = (call: CallSite) => Record<string, unknown> | undefined

/**
 * Provides a call-site enricher to the fapilog layer it is provided to. Its fields rank
 * above batch enrichers and below everything the caller bound or passed.
 *
 * @example
 * ```ts
 * import { FiberRef, Layer } from "effect"
 * import { Enricher, Fapilog } from "fapilog"
 *
 * const Tenant = FiberRef.unsafeMake<string>("none")
 * const Live = Fapilog.layer().pipe(
 *   Layer.provide(Enricher.layerCallSite("tenant", Enricher.fromFiberRef(Tenant, (tenant) => ({ tenant }))))
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerCallSite = (
  name: string,
  enrich: CallSiteEnricher,
  options?: Options
): Layer.Layer<Extensions> =>
  extensions.layer(
    Effect.succeed({ kind: "callSite", order: options?.order ?? 0, enricher: { name, enrich } })
  )

/**
 * A call-site enricher reading one FiberRef of the calling fiber. Calls that do not come
 * from a fiber (the Promise facade) get nothing from it.
 *
 * @example
 * ```ts
 * import { FiberRef } from "effect"
 * import { Enricher } from "fapilog"
 * const Shard = FiberRef.unsafeMake(0)
 * const shard = Enricher.fromFiberRef(Shard, (n) => ({ shard: n }))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const fromFiberRef =
  <A>(
    ref: FiberRef.FiberRef<A>,
    toFields: (value: A) => Record<string, unknown> | undefined
  ): CallSiteEnricher =>
  (call) =>
    call.fiberRefs === undefined ? undefined : toFields(FiberRefs.getOrDefault(call.fiberRefs, ref))
