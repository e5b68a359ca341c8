/**
 * Overlay (see effect4/resolution.ts): Effect 4 has no FiberRefs. A fiber's per-fiber values
 * are `Context.Reference`s in its Context, so on the Effect 4 line a call-site enricher is
 * handed the calling fiber's Context where Effect 3 hands its FiberRefs, and
 * `Enricher.fromFiberRef` reads a `Context.Reference`. The port gives the call site a field of
 * its own per line (docs/effect4-design.md) and deletes this file.
 */
import * as Context from "effect/Context"

export type FiberRefs = Context.Context<never>

/** The value of `ref` in `self`: its default when the fiber never set it. */
export const getOrDefault = <A>(self: FiberRefs, ref: Context.Reference<A>): A => Context.get(self, ref)
