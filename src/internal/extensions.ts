import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { Processor } from "../Processor.js"
import type { Sink } from "../Sink.js"
import type { CallSiteEnricher, NamedEnricher } from "./enrichers.js"

/**
 * What an extension layer gives the fapilog layer it is provided to: a sink, an enricher
 * (run in the worker, or at the call) or a processor, with its place among its kind.
 */
export type Extension =
  | { readonly kind: "sink"; readonly order: number; readonly sink: Sink }
  | { readonly kind: "enricher"; readonly order: number; readonly enricher: NamedEnricher }
  | { readonly kind: "callSite"; readonly order: number; readonly enricher: CallSiteEnricher }
  | { readonly kind: "processor"; readonly order: number; readonly processor: Processor }

/**
 * The service an extension layer provides. Each layer provides it under a key of its own,
 * so that any number of them accumulate however they are combined (`Layer.merge`,
 * `Layer.provide`); the fapilog layer collects every one in its context.
 */
export interface Extensions {
  readonly _: unique symbol
}

const keyPrefix = "fapilog/Extension/"
let nextKey = 0

/** A layer providing the extension `make` builds (in the layer's scope: released after the drain). */
export const layer = <E, R>(
  make: Effect.Effect<Extension, E, R>
): Layer.Layer<Extensions, E, Exclude<R, Scope.Scope>> =>
  Layer.scoped(Context.GenericTag<Extensions, Extension>(`${keyPrefix}${++nextKey}`), make)

const nameOf = (e: Extension): string =>
  e.kind === "sink" ? e.sink.name : e.kind === "processor" ? e.processor.name : e.enricher.name

/**
 * Every extension among the entries of a Context (keys and services), by kind, each list in
 * its run order: by `order`, ties by name. Each Effect line's layer passes its Context's
 * entries (`unsafeMap` on Effect 3, `mapUnsafe` on Effect 4).
 */
export const collect = (entries: Iterable<readonly [string, unknown]>) => {
  const all: Array<Extension> = []
  for (const [key, value] of entries) if (key.startsWith(keyPrefix)) all.push(value as Extension)
  all.sort((a, b) => a.order - b.order || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0))
  const of = <K extends Extension["kind"]>(kind: K) =>
    all.filter((e): e is Extract<Extension, { kind: K }> => e.kind === kind)
  return {
    sinks: of("sink").map((e) => e.sink),
    enrichers: of("enricher").map((e) => e.enricher),
    callSite: of("callSite").map((e) => e.enricher),
    processors: of("processor").map((e) => ({ ...e.processor, order: e.order }))
  }
}
