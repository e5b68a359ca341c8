/**
 * Overlay (see effect4/resolution.ts): Effect 4's `Duration` module plus Effect 3's
 * `Duration.decode` and `DurationInput` (Effect 4 `fromInputUnsafe` and `Input`). The port
 * uses the kernel's names and deletes this file.
 */
import * as Duration from "effect/Duration"

export * from "effect/Duration"

export type DurationInput = Duration.Input

/** Effect 3 `Duration.decode`: Effect 4 `Duration.fromInputUnsafe`. */
export const decode: (input: Duration.Input) => Duration.Duration = Duration.fromInputUnsafe
