/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Config` module plus Effect 3's
 * `Config.string` (Effect 4 `Config.String`). The port uses the kernel's name and deletes
 * this file.
 */
import * as Config from "effect/Config"

export * from "effect/Config"

/** Effect 3 `Config.string`: Effect 4 `Config.String`. */
export const string = (name?: string): Config.Config<string> => Config.String(name)
