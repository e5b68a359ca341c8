/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Scope` module plus Effect 3's
 * `Scope.extend` (Effect 4 `Scope.provide`) and `CloseableScope` (Effect 4 `Closeable`).
 * The port uses the kernel's names and deletes this file.
 */
import * as Scope from "effect/Scope"

export * from "effect/Scope"

export type CloseableScope = Scope.Closeable

/** Effect 3 `Scope.extend`: Effect 4 `Scope.provide`. */
export const extend: typeof Scope.provide = Scope.provide
