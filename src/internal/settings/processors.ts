/**
 * The processors (docs/processors.md): the built-in sampling, throttling, deduplication and
 * size guard, whose types are the options interfaces of the processors themselves
 * (sampling.ts, throttle.ts, dedupe.ts; each shape below has exactly their keys), and
 * `processors`: the user's own, as objects (code) or processor plugin entries (code and
 * config files). Processor plugins join the written union by augmenting `PluginProcessors`
 * (declared in src/Settings.ts).
 */
import * as Schema from "effect/Schema"
import type { Processor } from "../../Processor.js"
import type { PluginProcessors } from "../../Settings.js"
import { accepted, flag, oneOf, positive, show, wholeNumber } from "../configSchema.js"
import type { DedupeOptions } from "../dedupe.js"
import {
  defaultTriggerLevel,
  type FingersCrossedContext,
  type FingersCrossedOptions,
  levelsNotBelow
} from "../fingersCrossed.js"
import { anyLogger, type MinimiseOptions, minimiseModes, schemaPaths } from "../minimise.js"
import { type Entry, isPluginType, origins } from "../plugin.js"
import { processorIssue } from "../processor.js"
import type { SamplingOptions } from "../sampling.js"
import type { ThrottleOptions } from "../throttle.js"
import { categoryKeyPath, categoryPath } from "./logger.js"
import {
  by,
  bytes,
  type Check,
  check,
  type Issues,
  isRecord,
  level,
  levelList,
  object,
  required,
  type ShapeOf,
  fields as shared
} from "./shape.js"
import { pluginTypeRule } from "./sinks.js"

export const fields = {
  oversize: oneOf(
    ["truncate", "drop"] as const,
    "What the size guard does with an event over maxEventBytes."
  ),
  probability: accepted(
    "Probability",
    (u: unknown): u is number => typeof u === "number" && u >= 0 && u <= 1,
    "a probability between 0 and 1",
    "Fraction of events kept."
  ),
  every: wholeNumber(1, 1_000_000_000, "events", "Keep one event in this many."),
  ratePerSecond: positive("events per second", "Sustained rate a throttle lets through."),
  burst: wholeNumber(1, 1_000_000_000, "events", "Events a throttle lets through at once."),
  maxKeys: wholeNumber(1, 10_000_000, "keys", "Distinct keys remembered."),
  windowMs: wholeNumber(1, 86_400_000, "milliseconds", "Window in which identical events collapse."),
  bufferSize: wholeNumber(1, 1_000_000, "events", "Events fingers-crossed holds per context."),
  passThroughMs: wholeNumber(
    0,
    86_400_000,
    "milliseconds",
    "After a trigger, how long held-level events of that context pass at once."
  ),
  flushOnClose: flag("Write what fingers-crossed holds when the logger closes, instead of discarding it."),
  minimiseMode: oneOf(
    minimiseModes,
    "What minimisation does with a field off its allow-list: leave it out (enforce) or keep, count and report it (report)."
  )
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** The sampling setting: a sampler's options without its source of randomness. */
export type SamplingSettings = DistributiveOmit<SamplingOptions, "random">

const kind = by(oneOf(["rate", "probabilistic", "trace"] as const, "Sampling strategy."))
const samplingWhat =
  'a sampling setting ({ kind: "rate", every } or { kind: "probabilistic" | "trace", probability })'
const rate = object(
  { kind, every: by(fields.every), levels: levelList, summaryIntervalMs: by(shared.intervalMs) },
  samplingWhat
)
const chance = object(
  { kind, probability: by(fields.probability), levels: levelList, summaryIntervalMs: by(shared.intervalMs) },
  samplingWhat
)

/** Its keys depend on `kind`: `every` for rate, `probability` for the others. */
const sampling: Check<SamplingSettings> = (v, at, issues) => {
  const isRate = isRecord(v) && v.kind === "rate"
  const out = (isRate ? rate : chance)(v, at, issues)
  if (out === undefined) return undefined
  if (out.kind === undefined) {
    issues.push({ path: `${at}.kind`, message: "is required: rate, probabilistic or trace" })
    return undefined
  }
  const needed = isRate ? "every" : "probability"
  if (!(needed in out)) {
    issues.push({ path: `${at}.${needed}`, message: "is required" })
    return undefined
  }
  return out as SamplingSettings
}

const throttle = {
  ratePerSecond: required(by(fields.ratePerSecond)),
  burst: by(fields.burst),
  key: by(shared.text),
  maxKeys: by(fields.maxKeys),
  levels: levelList,
  summaryIntervalMs: by(shared.intervalMs)
} satisfies ShapeOf<ThrottleOptions>

const dedupe = {
  windowMs: required(by(fields.windowMs)),
  levels: levelList,
  maxEntries: by(fields.maxKeys)
} satisfies ShapeOf<DedupeOptions>

const contextKinds = ["correlationId", "traceId", "logger"] as const
const contextRule = `one of ${contextKinds.join(", ")}, or { field: "<a field name>" }`

/** What groups fingers-crossed events: a core key, the logger, or `{ field }`. */
const context = check<FingersCrossedContext>((v, at, issues) => {
  if (typeof v === "string" && (contextKinds as ReadonlyArray<string>).includes(v))
    return v as FingersCrossedContext
  if (isRecord(v)) {
    const keys = Object.keys(v)
    const extra = keys.filter((k) => k !== "field")
    if (extra.length > 0) {
      for (const k of extra)
        issues.push({ path: `${at}.${k}`, message: "is not a key of { field }; accepted: field" })
      return undefined
    }
    if (typeof v.field === "string" && v.field.length > 0) return { field: v.field }
    issues.push({ path: `${at}.field`, message: `${show(v.field)} is not a field name (a non-empty string)` })
    return undefined
  }
  issues.push({ path: at, message: `${show(v)} is not ${contextRule}` })
  return undefined
})

const fingersCrossedShape = {
  triggerLevel: level,
  levels: levelList,
  bufferSize: by(fields.bufferSize),
  by: context,
  maxContexts: by(fields.maxKeys),
  passThroughMs: by(fields.passThroughMs),
  flushOnClose: by(fields.flushOnClose),
  summaryIntervalMs: by(shared.intervalMs)
} satisfies ShapeOf<FingersCrossedOptions>

const fingersCrossedObject = object(fingersCrossedShape, "a fingersCrossed setting")

/** The object's keys, and held levels below the trigger (an event at the trigger cannot be held). */
const fingersCrossed: Check<FingersCrossedOptions> = (v, at, issues) => {
  const out = fingersCrossedObject(v, at, issues)
  if (out === undefined || out.levels === undefined) return out
  const trigger = out.triggerLevel ?? defaultTriggerLevel
  const wrong = levelsNotBelow(out.levels, trigger)
  if (wrong.length === 0) return out
  issues.push({
    path: `${at}.levels`,
    message: `${wrong.map((l) => show(l)).join(", ")} ${wrong.length === 1 ? "is" : "are"} not below triggerLevel (${trigger}): events at the trigger level or above release the buffer, they are never held`
  })
  return undefined
}

/** An allow-list as code may write it: field names and dotted paths, or a Schema of the fields. */
export type AllowedFields = ReadonlyArray<string> | Schema.Schema.AnyNoContext

const allowedRule =
  'a list of field names and dotted paths (such as ["method", "http.status"]) or, in code, an effect/Schema Struct'

/** One path of an allow-list: "."-separated non-empty segments. */
const isAllowPath = (u: unknown): u is string =>
  typeof u === "string" && u.length > 0 && u.length <= 1024 && u.split(".").every((s) => s.length > 0)

const allowedFields = (v: unknown, at: string, issues: Issues): ReadonlyArray<string> | undefined => {
  if (Schema.isSchema(v)) {
    const paths = schemaPaths(v)
    if (paths !== undefined) return paths
    issues.push({
      path: at,
      message: "is a Schema that describes no object fields: use a Schema.Struct of the fields"
    })
    return undefined
  }
  if (!Array.isArray(v)) {
    issues.push({ path: at, message: `${show(v)} is not ${allowedRule}` })
    return undefined
  }
  const before = issues.length
  v.forEach((p, i) => {
    if (!isAllowPath(p))
      issues.push({
        path: `${at}[${i}]`,
        message: `${show(p)} is not a field name or dotted path ("."-separated non-empty names)`
      })
  })
  return issues.length > before ? undefined : (v as ReadonlyArray<string>)
}

/** `{ "app.http": [...], "*": [...] }`: each key a category prefix or "*", each value an allow-list. */
const allowLists: Check<
  Readonly<Record<string, ReadonlyArray<string>>>,
  Readonly<Record<string, AllowedFields>>
> = (v, at, issues) => {
  if (!isRecord(v) || Object.keys(v).length === 0) {
    issues.push({
      path: at,
      message: `${show(v)} is not an object of logger names (category prefixes, or "*" for every other logger) to allow-lists`
    })
    return undefined
  }
  const before = issues.length
  const out: Record<string, ReadonlyArray<string>> = {}
  for (const [key, list] of Object.entries(v)) {
    const path = categoryKeyPath(at, key)
    const category = key === anyLogger ? key : categoryPath(key, path, issues)
    const paths = allowedFields(list, path, issues)
    if (category !== undefined && paths !== undefined) out[category] = paths
  }
  return issues.length > before ? undefined : out
}

const minimiseShape = {
  allow: required(allowLists),
  mode: by(fields.minimiseMode),
  summaryIntervalMs: by(shared.intervalMs)
} satisfies ShapeOf<MinimiseOptions>

const minimiseSetting = object(minimiseShape, "a minimise setting")

/** What fapilog reads in a processor plugin entry; every other key is the plugin's config. */
export interface PluginProcessorOptions {
  /** Where it runs among the processors (lower first); default: the processor's own, else 0. */
  readonly order?: number | undefined
  /**
   * What happens to an event while the processor cannot process it (it threw for that event,
   * or its start failed): kept as it was ("pass") or dropped ("drop": fail closed). Default:
   * the processor's own `onError`, else the plugin's, else "pass".
   */
  readonly onError?: "pass" | "drop" | undefined
}

/**
 * A processor entry of a plugin whose package adds its types, or a
 * `Plugin.entry(type, config)` value for one that adds none. `order` and `onError` are read
 * by fapilog; every other key is the plugin's config.
 */
export type PluginProcessorSetting =
  | {
      readonly [K in keyof PluginProcessors]: { readonly type: K } & PluginProcessorOptions &
        PluginProcessors[K]
    }[keyof PluginProcessors]
  | Entry

/** A processor plugin entry as checked at run time, wherever it came from. */
export interface ValidPluginProcessor extends PluginProcessorOptions {
  readonly type: string
  readonly [key: string]: unknown
}

/** One entry of `processors`, as written in code. */
export type ProcessorSetting = Processor | PluginProcessorSetting

const isProcessorObject = (p: Record<string, unknown>): boolean =>
  p.process !== undefined || p.processBatch !== undefined || p.type === undefined

/**
 * `{ type, order?, onError?, ...config }`: `type`, `order` and `onError` are checked here,
 * the rest is the plugin's config, checked with its Schema when the logger is built (the
 * entry remembers where it is, so those problems are named by path).
 */
const pluginProcessor = (
  p: Record<string, unknown>,
  at: string,
  issues: Issues
): ValidPluginProcessor | undefined => {
  const before = issues.length
  if (!isPluginType(p.type))
    issues.push({ path: `${at}.type`, message: `${show(p.type)} is not ${pluginTypeRule}` })
  if (p.order !== undefined && !(typeof p.order === "number" && Number.isFinite(p.order)))
    issues.push({ path: `${at}.order`, message: `${show(p.order)} is not a finite number` })
  if (p.onError !== undefined && p.onError !== "pass" && p.onError !== "drop")
    issues.push({ path: `${at}.onError`, message: `${show(p.onError)} is not one of pass, drop` })
  if (issues.length > before) return undefined
  const spec = { ...p } as ValidPluginProcessor
  origins.set(spec, { at, typeAt: `${at}.type` })
  return spec
}

/**
 * Processors given as objects (code only: a config file cannot hold functions) or as plugin
 * entries (code and config files). With problems, the valid entries: their plugins are
 * looked up in the same pass.
 */
const processorList: Check<
  ReadonlyArray<Processor | ValidPluginProcessor>,
  ReadonlyArray<ProcessorSetting>
> = (v, at, issues) => {
  if (!Array.isArray(v)) {
    issues.push({ path: at, message: `${show(v)} is not a list of processors` })
    return undefined
  }
  const out: Array<Processor | ValidPluginProcessor> = []
  v.forEach((p, i) => {
    const where = `${at}[${i}]`
    if (isRecord(p) && !isProcessorObject(p)) {
      const entry = pluginProcessor(p, where, issues)
      if (entry !== undefined) out.push(entry)
      return
    }
    const problem = processorIssue(p)
    if (problem === undefined) out.push(p as Processor)
    else
      issues.push({
        path: where,
        message:
          isRecord(p) || problem.startsWith("cannot")
            ? problem
            : `${show(p)} is not a processor { name, process }, { name, processBatch } or a plugin { type, ... } object`
      })
  })
  return out
}

const throttleSetting: Check<ThrottleOptions> = object(throttle, "a throttle setting")
const dedupeSetting: Check<DedupeOptions> = object(dedupe, "a dedupe setting")

export const shape = {
  /** Keep a share of low-level events: one in `every`, or with a probability (per event or per trace). */
  sampling,
  /** A token bucket per key: at most `ratePerSecond` events pass, with bursts of `burst`. */
  throttle: throttleSetting,
  /** Repeats of an identical event within `windowMs` collapse into one, with a count. */
  dedupe: dedupeSetting,
  /**
   * Hold low-level events per context (a request's correlation id by default) and write them
   * only when an event at or above `triggerLevel` occurs in the same context.
   */
  fingersCrossed,
  /**
   * Data minimisation: the fields each logger may write (`allow`, by category prefix or `"*"`,
   * as field names and dotted paths, or an `effect/Schema` Struct in code). Other fields are
   * left out and counted by path (`mode: "enforce"`, the default) or kept, counted and
   * reported (`mode: "report"`, to try a list first). See docs/compliance.md#minimisation.
   */
  minimise: minimiseSetting,
  /** Longest line written: bytes or a string such as "256 KB". */
  maxEventBytes: bytes,
  /** What happens to a longer line: "truncate" (default) or "drop". */
  oversize: by(fields.oversize),
  /**
   * Your processors (see `Processor`): `{ name, process }` per event (return the event, a new
   * one, or undefined to drop it) or `{ name, processBatch }`, or processor plugin entries
   * `{ type, order?, onError?, ...config }`; they run after the built-ins, by `order`
   * (default 0), before every sink.
   */
  processors: processorList
}

export const defaults = { oversize: "truncate", processors: Object.freeze([]) } as const
