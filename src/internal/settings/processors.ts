/**
 * The built-in processors (docs/processors.md): sampling, throttling, deduplication and the
 * size guard. Their types are the options interfaces of the processors themselves
 * (sampling.ts, throttle.ts, dedupe.ts); each shape below has exactly their keys.
 */
import type { Processor } from "../../Processor.js"
import { accepted, oneOf, positive, show, wholeNumber } from "../configSchema.js"
import type { DedupeOptions } from "../dedupe.js"
import type { SamplingOptions } from "../sampling.js"
import type { ThrottleOptions } from "../throttle.js"
import {
  by,
  bytes,
  type Check,
  check,
  isRecord,
  levelList,
  object,
  required,
  type ShapeOf,
  fields as shared
} from "./shape.js"

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
  windowMs: wholeNumber(1, 86_400_000, "milliseconds", "Window in which identical events collapse.")
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

const isFunction = (u: unknown): boolean => typeof u === "function"

/** One processor: a name, one of `process` and `processBatch`, and the optional rest. */
const processorIssue = (p: unknown): string | undefined => {
  if (!isRecord(p)) return "is not a processor { name, process } or { name, processBatch }"
  if (typeof p.name !== "string" || p.name === "") return "needs a name (a non-empty string)"
  const each = isFunction(p.process)
  const batch = isFunction(p.processBatch)
  if (each === batch)
    return "needs exactly one of process (per event) and processBatch (per batch), as functions"
  if (p.order !== undefined && !(typeof p.order === "number" && Number.isFinite(p.order)))
    return `order: ${show(p.order)} is not a finite number`
  if (p.onError !== undefined && p.onError !== "pass" && p.onError !== "drop")
    return `onError: ${show(p.onError)} is not one of pass, drop`
  for (const k of ["tick", "flush"] as const)
    if (p[k] !== undefined && !isFunction(p[k])) return `${k}: ${show(p[k])} is not a function`
  return undefined
}

/** Processors given as objects (code only: a config file cannot hold functions). */
const processorList = check<ReadonlyArray<Processor>>((v, at, issues) => {
  if (!Array.isArray(v)) {
    issues.push({ path: at, message: `${show(v)} is not a list of processors` })
    return undefined
  }
  const before = issues.length
  v.forEach((p, i) => {
    const problem = processorIssue(p)
    if (problem !== undefined) issues.push({ path: `${at}[${i}]`, message: problem })
  })
  return issues.length > before ? undefined : (v as ReadonlyArray<Processor>)
})

const throttleSetting: Check<ThrottleOptions> = object(throttle, "a throttle setting")
const dedupeSetting: Check<DedupeOptions> = object(dedupe, "a dedupe setting")

export const shape = {
  /** Keep a share of low-level events: one in `every`, or with a probability (per event or per trace). */
  sampling,
  /** A token bucket per key: at most `ratePerSecond` events pass, with bursts of `burst`. */
  throttle: throttleSetting,
  /** Repeats of an identical event within `windowMs` collapse into one, with a count. */
  dedupe: dedupeSetting,
  /** Longest line written: bytes or a string such as "256 KB". */
  maxEventBytes: bytes,
  /** What happens to a longer line: "truncate" (default) or "drop". */
  oversize: by(fields.oversize),
  /**
   * Your processors (see `Processor`): `{ name, process }` per event (return the event, a new
   * one, or undefined to drop it) or `{ name, processBatch }`; they run after the built-ins,
   * by `order` (default 0), before every sink.
   */
  processors: processorList
}

export const defaults = { oversize: "truncate", processors: Object.freeze([]) } as const
