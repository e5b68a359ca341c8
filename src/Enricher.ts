/**
 * Custom enrichers: functions that add fields to every event, run in the pipeline's worker
 * (never on the caller's stack). Their fields rank above the built-in enrichers and below
 * everything the caller bound or passed. A throwing enricher is skipped for that event and
 * reported; the event is still written.
 *
 * Promise users pass functions in settings (`enrichers: [fn]`); Effect users provide a Layer.
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
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import type * as internal from "./internal/enrichers.js"

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
 * The enrichers a fapilog layer picks up from its context.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Enricher } from "fapilog"
 * const none = Layer.succeed(Enricher.Enrichers, [])
 * ```
 * @since 0.1.0
 * @category tags
 */
export class Enrichers extends Context.Tag("fapilog/Enrichers")<Enrichers, ReadonlyArray<Named>>() {}

/**
 * Provides one enricher to the fapilog layer it is provided to.
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
export const layer = (name: string, enrich: Enricher): Layer.Layer<Enrichers> =>
  Layer.succeed(Enrichers, [{ name, enrich }])

/**
 * Provides several enrichers at once, run in the given order (later ones win on a key).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Enricher, Fapilog } from "fapilog"
 * const Live = Fapilog.layer().pipe(
 *   Layer.provide(Enricher.layerAll([{ name: "a", enrich: () => ({ a: 1 }) }, { name: "b", enrich: () => ({ b: 2 }) }]))
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerAll = (enrichers: ReadonlyArray<Named>): Layer.Layer<Enrichers> =>
  Layer.succeed(Enrichers, enrichers)
