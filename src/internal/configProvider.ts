/**
 * The Effect 3 adapter for a `ConfigProvider` given to `Settings.resolve` or `Fapilog.layer`
 * (the Effect 4 line resolves this module to `src/effect4/configProvider.ts`,
 * effect4/resolution.ts). Effect 3's providers already answer fapilog's nested names
 * (`ConfigProvider.fromEnv({ pathDelim: "__" })` reads `FAPILOG_FILE__PATH`), so the
 * provider is used as given.
 */
import type * as ConfigProvider from "effect/ConfigProvider"

/** `provider` itself: on Effect 3 nothing needs translating. */
export const envProvider = (provider: ConfigProvider.ConfigProvider): ConfigProvider.ConfigProvider =>
  provider
