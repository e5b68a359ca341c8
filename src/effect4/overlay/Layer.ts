/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Layer` module plus Effect 3's
 * `Layer.unwrapEffect` (Effect 4 `Layer.unwrap`), `Layer.scoped` (Effect 4 `Layer.effect`,
 * whose effect may use the layer's Scope) and `Layer.scopedDiscard` (Effect 4
 * `Layer.effectDiscard`). The port uses the kernel's names and deletes
 * this file.
 */
import * as Layer from "effect/Layer"

export * from "effect/Layer"

/** Effect 3 `Layer.unwrapEffect`: Effect 4 `Layer.unwrap`. */
export const unwrapEffect: typeof Layer.unwrap = Layer.unwrap

/** Effect 3 `Layer.scoped`: Effect 4 `Layer.effect`. */
export const scoped: typeof Layer.effect = Layer.effect

/** Effect 3 `Layer.scopedDiscard`: Effect 4 `Layer.effectDiscard`. */
export const scopedDiscard: typeof Layer.effectDiscard = Layer.effectDiscard
