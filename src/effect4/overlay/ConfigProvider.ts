/**
 * Overlay (see effect4/resolution.ts): Effect 4's `ConfigProvider` module plus the Effect 3
 * constructors the shared sources use. Effect 4's `fromEnv` joins a path with `_` and lost
 * `pathDelim`, so `FAPILOG_FILE__PATH` (the path `FAPILOG_FILE`, `PATH`) would not be found;
 * `fromMap` is gone. Both are written here over `ConfigProvider.make`, joining a path with the
 * delimiter given. The port moves fapilog's environment provider into the kernel and deletes
 * this file.
 */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"

export * from "effect/ConfigProvider"

const fromLookup = (
  lookup: (name: string) => string | undefined,
  pathDelim: string
): ConfigProvider.ConfigProvider =>
  ConfigProvider.make((path) =>
    Effect.sync(() => {
      const value = lookup(path.map(String).join(pathDelim))
      return value === undefined ? undefined : ConfigProvider.makeValue(value)
    })
  )

/** Effect 3 `ConfigProvider.fromEnv({ pathDelim })` over the process environment (read at each load). */
export const fromEnv = (options?: {
  readonly pathDelim?: string | undefined
  readonly seqDelim?: string | undefined
}): ConfigProvider.ConfigProvider => fromLookup((name) => process.env[name], options?.pathDelim ?? "_")

/** Effect 3 `ConfigProvider.fromMap(map, { pathDelim })`. */
export const fromMap = (
  map: ReadonlyMap<string, string>,
  options?: { readonly pathDelim?: string | undefined }
): ConfigProvider.ConfigProvider => fromLookup((name) => map.get(name), options?.pathDelim ?? ".")
