/**
 * Fields added to every event (docs/enrichers.md): the built-in `enrich` switches, and
 * `enrichers`, custom functions or enricher plugin entries. Enricher plugins join the
 * written union by augmenting `PluginEnrichers` (declared in src/Settings.ts).
 */
import type { PluginEnrichers } from "../../Settings.js"
import { show, wholeNumber } from "../configSchema.js"
import type { CallSite, Enricher, NamedEnricher } from "../enrichers.js"

/** What `mixin` is: a call-site enricher function. */
export type CallSiteFunction = (call: CallSite) => Record<string, unknown> | undefined

import { type Entry, isPluginType, origins } from "../plugin.js"
import {
  by,
  type Check,
  type Checked,
  check,
  isRecord,
  type ObjectCheck,
  object,
  required,
  fields as shared,
  type Written
} from "./shape.js"
import { pluginTypeRule } from "./sinks.js"

export const fields = {
  runtimeIntervalMs: wholeNumber(
    100,
    86_400_000,
    "milliseconds",
    "How often the runtime snapshot is sampled."
  )
}

const runtimeEvery = object(
  { intervalMs: required(by(fields.runtimeIntervalMs)) },
  "true, false or { intervalMs }"
)

const runtime: Check<boolean | Checked<typeof runtimeEvery>, boolean | Written<typeof runtimeEvery>> = (
  v,
  at,
  issues
) => (typeof v === "boolean" ? v : runtimeEvery(v, at, issues))

const enrich = {
  /** Adds `hostname`. */
  hostname: by(shared.flag),
  /** Adds `pid`. */
  pid: by(shared.flag),
  /** Adds `service` ("" leaves it out). */
  service: by(shared.text),
  /** Adds `env`. */
  env: by(shared.text),
  /** Adds `version`. */
  version: by(shared.text),
  /** Adds `k8s` from POD_NAME, POD_NAMESPACE and NODE_NAME. */
  kubernetes: by(shared.flag),
  /** Adds a `runtime` snapshot: true samples every 10000 ms, or give `{ intervalMs }`. */
  runtime
}

const enrichSetting: ObjectCheck<typeof enrich> = object(enrich, "an enrich setting")

/** The built-in enrichers: each key turns one on. */
export type EnrichSettings = Written<typeof enrichSetting>

/**
 * An enricher entry of a plugin whose package adds its types, or a
 * `Plugin.entry(type, config)` value for one that adds none.
 */
export type PluginEnricherSetting =
  | {
      readonly [K in keyof PluginEnrichers]: { readonly type: K } & PluginEnrichers[K]
    }[keyof PluginEnrichers]
  | Entry

/** An enricher plugin entry as checked at run time, wherever it came from. */
export interface ValidPluginEnricher {
  readonly type: string
  readonly [key: string]: unknown
}

/** One entry of `enrichers`, as written in code. */
export type EnricherSetting = Enricher | NamedEnricher | PluginEnricherSetting

/** Functions are named (for diagnostics), plugin entries remember where they are. */
const enrichers: Check<ReadonlyArray<NamedEnricher | ValidPluginEnricher>, ReadonlyArray<EnricherSetting>> = (
  v,
  at,
  issues
) => {
  if (!Array.isArray(v)) {
    issues.push({ path: at, message: `${show(v)} is not a list of enricher functions` })
    return undefined
  }
  const out: Array<NamedEnricher | ValidPluginEnricher> = []
  v.forEach((e, i) => {
    if (typeof e === "function") out.push({ name: e.name || `enrichers[${i}]`, enrich: e as Enricher })
    else if (isRecord(e) && typeof e.name === "string" && typeof e.enrich === "function")
      out.push(e as unknown as NamedEnricher)
    else if (isRecord(e) && e.type !== undefined && e.enrich === undefined) {
      if (!isPluginType(e.type)) {
        issues.push({ path: `${at}[${i}].type`, message: `${show(e.type)} is not ${pluginTypeRule}` })
        return
      }
      const spec = { ...e } as ValidPluginEnricher
      origins.set(spec, { at: `${at}[${i}]`, typeAt: `${at}[${i}].type` })
      out.push(spec)
    } else
      issues.push({
        path: `${at}[${i}]`,
        message: `${show(e)} is not a function, a { name, enrich } object or a plugin { type, ... } object`
      })
  })
  // with problems, the valid entries: their plugins are looked up in the same pass
  return out
}

/** A call-site enricher for the Promise facade, as pino's `mixin`. */
const mixin = check<CallSiteFunction>((v, at, issues) => {
  if (typeof v === "function") return v as CallSiteFunction
  issues.push({ path: at, message: `${show(v)} is not a function (call) => fields` })
  return undefined
})

export const shape = {
  /** The built-in enrichers (merged key by key across sources). */
  enrich: enrichSetting,
  /** Custom enrichers, in order: functions, `{ name, enrich }` objects, or plugin entries. */
  enrichers,
  /**
   * A function run at every call, on the caller's side, whose fields the event gets (as
   * pino's `mixin`): it sees the call (level, message, logger, time, the `withContext`
   * fields) and whatever the calling code can see at that moment. Its result is captured.
   */
  mixin
}

export const defaults = { enrichers: Object.freeze([]) }
