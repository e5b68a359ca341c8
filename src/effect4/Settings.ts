/**
 * Settings of a logger on Effect 4, for `createLogger(settings)` and `Fapilog.layer(settings)`:
 * the Effect 3 line's module (the same types, `settingKeys`, `presets`, `defaults` and the
 * schema of each setting in `fields`), with {@link resolve} taking an Effect 4
 * `ConfigProvider`. Precedence, the `FAPILOG_*` variables, config files, presets and every
 * error message are the Effect 3 line's, word for word. See `docs/settings.md`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Settings } from "fapilog-effect4"
 *
 * const resolved = Effect.runSync(Settings.resolve({ name: "billing", level: "debug" }))
 * ```
 * @since 0.1.0
 */
import type * as ConfigProvider from "effect/ConfigProvider"
import type * as Effect from "effect/Effect"
import type { ConfigError } from "../Errors.js"
import * as internal from "../internal/settings/index.js"
import type { Resolved, Settings } from "../Settings.js"
import { envProvider } from "./configProvider.js"

export * from "../Settings.js"

/**
 * Resolves settings against the environment and the defaults. The environment is read
 * through `configProvider`, by default the process environment (`FAPILOG_FILE__PATH` for a
 * nested name, commas between list items). An Effect 4 provider such as
 * `ConfigProvider.fromEnv({ env })` joins nested names with `_`: each nested variable is asked
 * for by its whole name (`FAPILOG_FILE__PATH`) first, so the documented names work through it.
 * Fails with one `ConfigError` listing every problem of every source.
 *
 * @example
 * ```ts
 * import { ConfigProvider, Effect } from "effect"
 * import { Settings } from "fapilog-effect4"
 *
 * const env = ConfigProvider.fromEnv({ env: { FAPILOG_LEVEL: "debug", FAPILOG_FILE__PATH: "logs/app.log" } })
 * const resolved = Effect.runSync(Settings.resolve({ name: "api" }, env)) // level "debug"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (
  settings?: Settings,
  configProvider?: ConfigProvider.ConfigProvider
): Effect.Effect<Resolved, ConfigError> =>
  internal.resolve(settings, configProvider === undefined ? undefined : envProvider(configProvider))
