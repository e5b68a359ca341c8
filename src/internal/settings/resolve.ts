/**
 * Resolution (docs/settings.md#precedence): programmatic > environment > config file >
 * preset > defaults. Each key comes from the highest source that sets it; `enrich` and
 * `plugins` merge key by key; `compliance` profiles of every source add up, and are then
 * applied to the final settings (compliance.ts); `retry` and `circuitBreaker` keep the defaults of the keys they
 * leave out. Every source is checked, even one that a higher source overrides, and every
 * problem of every source is collected before anything fails.
 */
import * as path from "node:path"
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import { ConfigError, type ConfigIssue } from "../../Errors.js"
import { type CategoryLevelMap, covers } from "../categories.js"
import { applyProfiles } from "./compliance.js"
import * as enrichment from "./enrichment.js"
import { envProvider, fromEnv } from "./env.js"
import { fromFile } from "./file.js"
import * as logger from "./logger.js"
import { categoryKeyPath, defaultFormat, type Format } from "./logger.js"
import { presets } from "./presets.js"
import * as processors from "./processors.js"
import * as reliability from "./reliability.js"
import { settingKeys, type ValidSettings, validate } from "./schema.js"
import type { Issues, Simplify } from "./shape.js"
import * as sinks from "./sinks.js"

/** The keys with a default, from each family. */
const filled = {
  ...logger.defaults,
  ...sinks.defaults,
  ...reliability.defaults,
  ...enrichment.defaults,
  ...processors.defaults
}

/** A default value is whole: an object default has every key. */
type Complete<T> =
  T extends ReadonlyArray<unknown>
    ? T
    : T extends object
      ? { readonly [K in keyof T]-?: Exclude<T[K], undefined> }
      : T

/** Settings after resolution: a value for every key that has a default. */
export type ResolvedSettings = Simplify<
  {
    readonly [K in keyof ValidSettings]-?: K extends keyof typeof filled
      ? Complete<Exclude<ValidSettings[K], undefined>>
      : ValidSettings[K] | undefined
  } & {
    /** The format of stdout and stderr sinks: `format`, or pretty on a terminal when none was given. */
    readonly terminalFormat: Format
  }
>

/**
 * The zero-configuration defaults. `format` is decided when settings are resolved: pretty
 * on an interactive terminal, JSON lines otherwise (and always when CI is set).
 */
export const defaults: ResolvedSettings = Object.freeze({
  ...(Object.fromEntries(settingKeys.map((k) => [k, undefined])) as {
    readonly [K in keyof ResolvedSettings]: undefined
  }),
  ...filled,
  terminalFormat: "json"
})

/** Layers sources over `base`, key by key; an undefined value leaves the value below. */
const overlay = (base: ResolvedSettings, ...layers: ReadonlyArray<ValidSettings>): ResolvedSettings => {
  const out: Record<string, unknown> = { ...base }
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v
  }
  return out as ResolvedSettings
}

/** An object setting merged key by key across sources, lowest first. */
const merged = <T extends object>(...layers: ReadonlyArray<T | undefined>): T | undefined => {
  const present = layers.filter((l): l is T => l !== undefined)
  return present.length === 0 ? undefined : Object.assign({}, ...present)
}

/**
 * The category levels, each of which must name `name`, a category below it or one above it:
 * every category of a logger named `name` starts with it, so another key would never apply.
 */
const categoriesUnder = (name: string, categories: CategoryLevelMap, issues: Issues): CategoryLevelMap => {
  for (const category of Object.keys(categories))
    if (!covers(name, category) && !covers(category, name))
      issues.push({
        path: categoryKeyPath("categoryLevels", category),
        message: `is not under the logger's name ${JSON.stringify(name)}: write the full path, such as "${name}.${category}"`
      })
  return categories
}

/** The profiles of every source, in order (a source cannot drop a profile a lower one sets). */
const allProfiles = (sources: ReadonlyArray<ValidSettings>): ValidSettings["compliance"] => {
  const names = [...new Set(sources.flatMap((s) => s.compliance ?? []))]
  return names.length === 0 ? undefined : names
}

/** The minimisation allow-lists, each of whose keys ("*" aside) must be under the logger's name. */
const minimiseUnder = (
  name: string,
  m: ValidSettings["minimise"],
  issues: Issues
): ValidSettings["minimise"] => {
  if (m === undefined) return m
  for (const category of Object.keys(m.allow))
    if (category !== "*" && !covers(name, category) && !covers(category, name))
      issues.push({
        path: categoryKeyPath("minimise.allow", category),
        message: `is not under the logger's name ${JSON.stringify(name)}: write the full path, such as "${name}.${category}", or "*" for every logger`
      })
  return m
}

/** Resolved settings with every problem found on the way. */
export interface Collected {
  /** With problems, a best effort (sources' invalid values left out), good only for finding plugins. */
  readonly settings: ResolvedSettings
  readonly issues: ReadonlyArray<ConfigIssue>
  /** The top-level settings that had a problem in some source. */
  readonly failed: ReadonlySet<string>
}

/** Resolves every source and collects every problem without failing. */
export const collect = (
  input: unknown,
  provider: ConfigProvider.ConfigProvider = envProvider
): Effect.Effect<Collected> =>
  Effect.suspend(() => {
    const issues: Issues = []
    const failed = new Set<string>()
    const programmatic = validate(input, issues, "", failed)
    return fromEnv(provider, issues, failed).pipe(
      Effect.map((env): Collected => {
        const configFile = programmatic.configFile ?? env.configFile
        const file = configFile === undefined ? {} : fromFile(configFile, issues, failed)
        const presetName = programmatic.preset ?? env.preset ?? file.preset
        const preset: ValidSettings = presetName === undefined ? {} : presets[presetName]
        const sources = [preset, file, env, programmatic] as const
        const resolved = overlay(defaults, ...sources)
        // without a format anywhere, terminals get pretty output and everything else (files) JSON
        const formatGiven = sources.some((s) => s.format !== undefined)
        sinks.keyNamesOutsideJson(resolved.sinks, resolved, "sinks", issues)
        const settings: ResolvedSettings = {
          ...resolved,
          retry: { ...defaults.retry, ...resolved.retry },
          circuitBreaker: { ...defaults.circuitBreaker, ...resolved.circuitBreaker },
          terminalFormat: formatGiven ? resolved.format : defaultFormat(),
          enrich: merged(...sources.map((s) => s.enrich)),
          categoryLevels: categoriesUnder(
            resolved.name,
            merged(...sources.map((s) => s.categoryLevels)) ?? {},
            issues
          ),
          plugins: merged(...sources.map((s) => s.plugins)),
          minimise: minimiseUnder(resolved.name, resolved.minimise, issues),
          compliance: allProfiles(sources)
        }
        return {
          // the profiles are checked against the final settings, every source applied
          settings: applyProfiles(settings, issues, (key) =>
            configFile !== undefined &&
            file[key as keyof ValidSettings] !== undefined &&
            env[key as keyof ValidSettings] === undefined &&
            programmatic[key as keyof ValidSettings] === undefined
              ? `${path.basename(configFile)}: `
              : ""
          ),
          issues,
          failed
        }
      })
    )
  })

/**
 * Programmatic > environment > config file > preset > defaults. Fails with one ConfigError
 * listing every invalid value across all sources.
 */
export const resolve = (
  input: unknown,
  provider: ConfigProvider.ConfigProvider = envProvider
): Effect.Effect<ResolvedSettings, ConfigError> =>
  collect(input, provider).pipe(
    Effect.flatMap(({ settings, issues }) =>
      issues.length > 0 ? Effect.fail(new ConfigError({ issues })) : Effect.succeed(settings)
    )
  )
