/**
 * The plugin packages some commands need (`@fapilog/audit` for `verify`, `@fapilog/encryption`
 * for `decrypt`): loaded when the command runs, so the cli does not install them, and a clear
 * wrong-use error (exit 2) with the install line when they are missing.
 */
import * as Effect from "effect/Effect"
import { type CliFailure, usage } from "./failure.js"

/** The package `name`, loaded by `load` (an `import()` of it), or the error naming its install. */
export const loadPlugin = <A>(name: string, load: () => Promise<unknown>): Effect.Effect<A, CliFailure> =>
  Effect.tryPromise({
    try: async () => (await load()) as A,
    catch: (e) =>
      usage(
        `this command needs ${name}, which could not be loaded (${(e as Error).message?.split("\n")[0] ?? String(e)}): npm install ${name}`
      )
  })
