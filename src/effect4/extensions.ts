/**
 * Extension layers on Effect 4 (`Sink.layer`, `Enricher.layer`, `Processor.layer`...): the
 * Effect 4 line resolves `src/internal/extensions.ts` to this module (effect4/resolution.ts).
 * Building an extension layer is the shared module's own (its `Layer.scoped` and
 * `Context.GenericTag` are Effect 4's `Layer.effect` and `Context.Service`); collecting them
 * differs only in how a Context lists its entries (`mapUnsafe` on Effect 4, `unsafeMap` on
 * Effect 3). The port makes the shared `collect` take the entries and deletes this module.
 */
import type * as Context from "effect/Context"
import * as shared from "../internal/extensions.js"

export type { Extension, Extensions } from "../internal/extensions.js"

export const layer: typeof shared.layer = shared.layer

/** Every extension in `context`, by kind, each list in its run order. */
export const collect = (context: Context.Context<never>): ReturnType<typeof shared.collect> =>
  shared.collect({ unsafeMap: context.mapUnsafe } as never)
