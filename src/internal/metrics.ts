/**
 * fapilog's self-metrics: what each pipeline counts about itself, the process-wide registry
 * of the live pipelines that count, and the metric families both exports are made from (the
 * Prometheus text of `metricsText.ts` and the Effect Metrics of `metricsEffect.ts`).
 *
 * Counting is plain synchronous code over numbers and typed arrays, done by the pipeline's
 * worker once per batch (events by level and logger, batch size and duration, each sink's
 * write duration), never on the caller's side; everything else is read from the counters the
 * pipeline keeps for `stats()` and `health()` when a snapshot is taken (at scrape time).
 * Pipelines with the same name are one source: their series are added up.
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { globalValue } from "effect/GlobalValue"
import type * as Scope from "effect/Scope"
import type { SinkCounters } from "./dispatch.js"
import { type LevelInfo, levelNames } from "./level.js"
import type { LogRecord } from "./record.js"

/** Upper bounds of the batch size histogram, in events. */
export const batchSizeBounds: ReadonlyArray<number> = [1, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000]

/** Upper bounds of the duration histograms, in seconds (100 µs to 10 s). */
export const secondsBounds: ReadonlyArray<number> = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
]

/**
 * Distinct logger names counted per pipeline; events of any further name are counted under
 * {@link otherLogger}, so that names made from data cannot grow the series without bound.
 */
export const maxLoggers = 1000

/** The `logger` label of events past {@link maxLoggers} distinct names. */
export const otherLogger = "[other]"

/** A histogram's state: per-bucket counts (not cumulative; the last is above every bound). */
export interface HistogramState {
  readonly bounds: ReadonlyArray<number>
  readonly counts: ReadonlyArray<number>
  readonly sum: number
  readonly count: number
}

/** A histogram over fixed bounds: an observation goes to the first bucket whose bound is `>=` it. */
export class Histogram {
  readonly counts: Float64Array
  sum = 0
  count = 0

  constructor(readonly bounds: ReadonlyArray<number>) {
    this.counts = new Float64Array(bounds.length + 1)
  }

  observe(value: number): void {
    const v = value >= 0 ? value : 0
    const bounds = this.bounds
    let i = 0
    while (i < bounds.length && v > (bounds[i] as number)) i++
    this.counts[i] = (this.counts[i] as number) + 1
    this.sum += v
    this.count++
  }

  /** A copy, for a snapshot. */
  state(): HistogramState {
    return { bounds: this.bounds, counts: Array.from(this.counts), sum: this.sum, count: this.count }
  }
}

/** The index of a built-in level in `levelNames`. */
const levelIndex = (level: LevelInfo): number => {
  const guess = level.rank / 10 - 1
  return levelNames[guess] === level.name ? guess : levelNames.indexOf(level.name)
}

/** Told of each histogram observation (the Effect Metrics bridge); see {@link observe}. */
export type Observer = (
  family: "batchSize" | "batchSeconds" | "sinkSeconds",
  pipeline: string,
  sink: string | undefined,
  value: number
) => void

/**
 * What one pipeline counts for its metrics beyond `stats()`: events by logger and level, and
 * the histograms. Updated by the worker, per batch.
 */
export class PipelineMetrics {
  /** Per logger name, a count per built-in level (in `levelNames` order). */
  private readonly byLogger = new Map<string, Float64Array>()
  private lastLogger: string | undefined = undefined
  private lastCounts: Float64Array | undefined = undefined
  readonly batchSize = new Histogram(batchSizeBounds)
  readonly batchSeconds = new Histogram(secondsBounds)
  /** Per sink name, the duration of its writes (one observation per batch it was handed). */
  readonly sinkSeconds = new Map<string, Histogram>()

  constructor(readonly name: string) {}

  /** Counts the events of a batch taken out of the buffer, by logger and level. */
  count(records: ReadonlyArray<LogRecord>): void {
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as LogRecord
      const index = levelIndex(r.level)
      if (index < 0) continue
      const counts =
        r.logger === this.lastLogger ? (this.lastCounts as Float64Array) : this.countsOf(r.logger)
      counts[index] = (counts[index] as number) + 1
    }
  }

  private countsOf(logger: string): Float64Array {
    let counts = this.byLogger.get(logger)
    if (counts === undefined) {
      const key = this.byLogger.size < maxLoggers ? logger : otherLogger
      counts = this.byLogger.get(key)
      if (counts === undefined) this.byLogger.set(key, (counts = new Float64Array(levelNames.length)))
    }
    this.lastLogger = logger
    this.lastCounts = counts
    return counts
  }

  /** A batch of `size` events was taken out of the buffer `seconds` before every sink had it. */
  batchDone(size: number, seconds: number): void {
    this.batchSize.observe(size)
    this.batchSeconds.observe(seconds)
    const observers = registry.observers
    if (observers.size === 0) return
    for (const o of observers) {
      o("batchSize", this.name, undefined, size)
      o("batchSeconds", this.name, undefined, seconds)
    }
  }

  /** A write of one batch to `sink` took `seconds` (its retries included). */
  sinkWrite(sink: string, seconds: number): void {
    let h = this.sinkSeconds.get(sink)
    if (h === undefined) this.sinkSeconds.set(sink, (h = new Histogram(secondsBounds)))
    h.observe(seconds)
    const observers = registry.observers
    if (observers.size === 0) return
    for (const o of observers) o("sinkSeconds", this.name, sink, seconds)
  }

  /** Events by logger and level, those counted at least once. */
  events(): ReadonlyArray<{ readonly logger: string; readonly level: string; readonly count: number }> {
    const out: Array<{ logger: string; level: string; count: number }> = []
    for (const [logger, counts] of this.byLogger)
      for (let i = 0; i < counts.length; i++) {
        const count = counts[i] as number
        if (count > 0) out.push({ logger, level: levelNames[i] as string, count })
      }
    return out
  }
}

/** One sink of a pipeline, as a snapshot reports it. */
export interface SinkSnapshot extends SinkCounters {
  /** Bytes in the sink's durable store, when it says (`Sink.State.spoolBytes`). */
  readonly spoolBytes: number | undefined
  readonly writeSeconds: HistogramState | undefined
}

/** Everything a pipeline's metrics say, at one moment. */
export interface PipelineSnapshot {
  readonly name: string
  readonly events: ReadonlyArray<{ readonly logger: string; readonly level: string; readonly count: number }>
  readonly accepted: number
  readonly queued: number
  readonly buffered: number
  readonly capacity: number
  readonly refusedBy: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly lostBy: Readonly<Record<string, number>>
  readonly filteredBy: Readonly<Record<string, number>>
  readonly batchSize: HistogramState
  readonly batchSeconds: HistogramState
  readonly sinks: ReadonlyArray<SinkSnapshot>
}

/** A live pipeline with metrics on. */
export interface MetricsSource {
  readonly name: string
  metricsSnapshot(): PipelineSnapshot
}

interface Registry {
  readonly sources: Set<MetricsSource>
  readonly observers: Set<Observer>
  /** Told before a pipeline leaves, while its last counts can still be read. */
  readonly leaving: Set<() => void>
}

// one registry per process, shared by the ESM and CommonJS builds should an app load both
const registry: Registry = globalValue(Symbol.for("fapilog/metrics/registry@1"), () => ({
  sources: new Set<MetricsSource>(),
  observers: new Set<Observer>(),
  leaving: new Set<() => void>()
}))

/** Adds a live pipeline to the process's metrics. */
export const register = (source: MetricsSource): void => {
  registry.sources.add(source)
}

/** Removes a pipeline (it closed), after telling those who publish its counts elsewhere. */
export const unregister = (source: MetricsSource): void => {
  if (!registry.sources.has(source)) return
  for (const publish of registry.leaving) {
    try {
      publish()
    } catch {
      // a publisher that fails loses its own update, never the pipeline's close
    }
  }
  registry.sources.delete(source)
}

/**
 * Tells `observer` of every histogram observation from now on, and runs `beforeLeave` each
 * time a pipeline is about to leave the registry (to publish its last counts); returns what
 * stops both.
 */
export const observe = (observer: Observer, beforeLeave: () => void): (() => void) => {
  registry.observers.add(observer)
  registry.leaving.add(beforeLeave)
  return () => {
    registry.observers.delete(observer)
    registry.leaving.delete(beforeLeave)
  }
}

/**
 * What both Effect lines' Metrics layers run in their scope: `observer` told of every
 * histogram observation, `publish` (counters and gauges) run now, every `interval`, before a
 * pipeline leaves and when the scope closes.
 */
export const publishing = (
  observer: Observer,
  publish: () => void,
  interval: Duration.Duration
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function* () {
    const sync = Effect.sync(publish)
    // a pipeline that closes publishes its last counts before it leaves
    yield* Effect.acquireRelease(
      Effect.sync(() => observe(observer, publish)),
      (stop) => Effect.sync(stop)
    )
    yield* sync
    // the last values are published when the scope closes (finalizers run in reverse)
    yield* Effect.addFinalizer(() => sync)
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(interval), sync)))
  })

/** The labels of a histogram observation: its pipeline, and its sink for a sink's write time. */
export const observationLabels = (pipeline: string, sink: string | undefined): Labels =>
  sink === undefined
    ? [["pipeline", pipeline]]
    : [
        ["pipeline", pipeline],
        ["sink", sink]
      ]

/** The snapshots of every live pipeline; a pipeline whose snapshot throws is left out. */
export const snapshots = (): ReadonlyArray<PipelineSnapshot> => {
  const out: Array<PipelineSnapshot> = []
  for (const source of registry.sources) {
    try {
      out.push(source.metricsSnapshot())
    } catch {
      // a pipeline in an impossible state says nothing rather than break the scrape
    }
  }
  return out
}

/** Label names and values of one series, in order. */
export type Labels = ReadonlyArray<readonly [string, string]>

export interface Sample {
  readonly labels: Labels
  readonly value: number
}

export interface HistogramSample {
  readonly labels: Labels
  readonly state: HistogramState
}

/** One metric family: its name (with its unit and `_total` suffix), help text and series. */
export type Family =
  | {
      readonly name: string
      readonly help: string
      readonly type: "counter" | "gauge"
      readonly samples: ReadonlyArray<Sample>
    }
  | {
      readonly name: string
      readonly help: string
      readonly type: "histogram"
      readonly samples: ReadonlyArray<HistogramSample>
    }

/** Every family, in the order they are exported, with the help text docs/metrics.md repeats. */
export const families = {
  events: ["fapilog_events_total", "counter", "Events accepted, by pipeline, logger and level."],
  accepted: ["fapilog_events_accepted_total", "counter", "Events accepted (not refused), by pipeline."],
  refused: [
    "fapilog_events_refused_total",
    "counter",
    "Calls refused, by pipeline, reason (closed, overflow, reentrant) and level."
  ],
  lost: [
    "fapilog_events_lost_total",
    "counter",
    "Accepted events given up, by pipeline and who gave them up (pipeline, or a sink's name)."
  ],
  filtered: [
    "fapilog_events_filtered_total",
    "counter",
    "Accepted events a processor dropped, by pipeline and processor."
  ],
  written: ["fapilog_events_written_total", "counter", "Events a sink wrote, by pipeline and sink."],
  spilled: [
    "fapilog_events_spilled_total",
    "counter",
    "Events handed to a sink's durable store past the pipeline's full backlog, by pipeline and sink."
  ],
  toFallback: [
    "fapilog_events_fallback_total",
    "counter",
    "Events a sink could not write that the fallback sink took, by pipeline and sink."
  ],
  undelivered: [
    "fapilog_events_undelivered_total",
    "counter",
    "Events neither a sink nor the fallback could write, by pipeline and sink."
  ],
  queued: ["fapilog_events_queued", "gauge", "Accepted events not yet handed to every sink, by pipeline."],
  buffered: ["fapilog_buffer_events", "gauge", "Events in the pipeline's buffer, by pipeline."],
  capacity: ["fapilog_buffer_capacity_events", "gauge", "Events the pipeline's buffer holds, by pipeline."],
  batchSize: [
    "fapilog_batch_size_events",
    "histogram",
    "Events per batch taken out of the buffer, by pipeline."
  ],
  batchSeconds: [
    "fapilog_batch_duration_seconds",
    "histogram",
    "Time from taking a batch out of the buffer until every sink has it, by pipeline."
  ],
  sinkSeconds: [
    "fapilog_sink_write_duration_seconds",
    "histogram",
    "Time a sink took to write one batch (retries included), by pipeline and sink."
  ],
  sinkErrors: [
    "fapilog_sink_errors_total",
    "counter",
    "Sink writes that failed for good, by pipeline and sink."
  ],
  retries: [
    "fapilog_sink_retries_total",
    "counter",
    "Retries of failed asynchronous writes, by pipeline and sink."
  ],
  circuit: [
    "fapilog_sink_circuit_state",
    "gauge",
    "Sinks whose circuit breaker is in the state (closed, open, half-open), by pipeline and sink: 1 or 0."
  ],
  spoolBytes: ["fapilog_sink_spool_bytes", "gauge", "Bytes in a sink's durable spool, by pipeline and sink."],
  pipelines: ["fapilog_pipelines", "gauge", "Live pipelines with metrics on, by name."]
} as const satisfies Record<string, readonly [string, Family["type"], string]>

export type FamilyKey = keyof typeof families

const circuitStates = ["closed", "open", "half-open"] as const

/** Series of one family keyed by their labels; same-labelled series of several pipelines are added. */
class Series {
  private readonly values = new Map<string, { labels: Labels; value: number }>()

  add(labels: Labels, value: number): void {
    const key = labels.map(([, v]) => v).join("\u0000")
    const seen = this.values.get(key)
    if (seen === undefined) this.values.set(key, { labels, value })
    else seen.value += value
  }

  samples(): ReadonlyArray<Sample> {
    return [...this.values.values()]
  }
}

class HistogramSeries {
  private readonly values = new Map<
    string,
    { labels: Labels; bounds: ReadonlyArray<number>; counts: Array<number>; sum: number; count: number }
  >()

  add(labels: Labels, state: HistogramState): void {
    const key = labels.map(([, v]) => v).join("\u0000")
    const seen = this.values.get(key)
    if (seen === undefined) {
      this.values.set(key, {
        labels,
        bounds: state.bounds,
        counts: [...state.counts],
        sum: state.sum,
        count: state.count
      })
      return
    }
    for (let i = 0; i < seen.counts.length; i++)
      seen.counts[i] = (seen.counts[i] as number) + (state.counts[i] ?? 0)
    seen.sum += state.sum
    seen.count += state.count
  }

  samples(): ReadonlyArray<HistogramSample> {
    return [...this.values.values()].map(({ labels, ...state }) => ({ labels, state }))
  }
}

/** Every family, from snapshots (by default, of every live pipeline of the process). */
export const collect = (from: ReadonlyArray<PipelineSnapshot> = snapshots()): ReadonlyArray<Family> => {
  const scalar = new Map<FamilyKey, Series>()
  const histograms = new Map<FamilyKey, HistogramSeries>()
  const add = (key: FamilyKey, labels: Labels, value: number): void => {
    let s = scalar.get(key)
    if (s === undefined) scalar.set(key, (s = new Series()))
    s.add(labels, value)
  }
  const addHistogram = (key: FamilyKey, labels: Labels, state: HistogramState): void => {
    let s = histograms.get(key)
    if (s === undefined) histograms.set(key, (s = new HistogramSeries()))
    s.add(labels, state)
  }
  for (const p of from) {
    const pipeline = ["pipeline", p.name] as const
    add("pipelines", [pipeline], 1)
    for (const e of p.events) add("events", [pipeline, ["logger", e.logger], ["level", e.level]], e.count)
    add("accepted", [pipeline], p.accepted)
    for (const [reason, byLevel] of Object.entries(p.refusedBy))
      for (const [level, n] of Object.entries(byLevel))
        add("refused", [pipeline, ["reason", reason], ["level", level]], n)
    for (const [source, n] of Object.entries(p.lostBy)) add("lost", [pipeline, ["source", source]], n)
    for (const [processor, n] of Object.entries(p.filteredBy))
      add("filtered", [pipeline, ["processor", processor]], n)
    add("queued", [pipeline], p.queued)
    add("buffered", [pipeline], p.buffered)
    add("capacity", [pipeline], p.capacity)
    addHistogram("batchSize", [pipeline], p.batchSize)
    addHistogram("batchSeconds", [pipeline], p.batchSeconds)
    for (const s of p.sinks) {
      const labels: Labels = [pipeline, ["sink", s.name]]
      add("written", labels, s.written)
      add("spilled", labels, s.spilled)
      add("toFallback", labels, s.toFallback)
      add("undelivered", labels, s.undelivered)
      add("sinkErrors", labels, s.failures)
      add("retries", labels, s.retries)
      for (const state of circuitStates)
        add("circuit", [...labels, ["state", state]], s.circuit === state ? 1 : 0)
      if (s.spoolBytes !== undefined) add("spoolBytes", labels, s.spoolBytes)
      if (s.writeSeconds !== undefined) addHistogram("sinkSeconds", labels, s.writeSeconds)
    }
  }
  const out: Array<Family> = []
  for (const key of Object.keys(families) as Array<FamilyKey>) {
    const [name, type, help] = families[key]
    if (type === "histogram") {
      const s = histograms.get(key)
      if (s !== undefined) out.push({ name, type, help, samples: s.samples() })
    } else {
      const s = scalar.get(key)
      if (s !== undefined) out.push({ name, type, help, samples: s.samples() })
    }
  }
  return out
}

/** The key of one series: its family and label values. */
export const seriesKey = (name: string, labels: Labels): string =>
  `${name}\u0000${labels.map(([k, v]) => `${k}=${v}`).join("\u0000")}`

/**
 * Turns successive collections into updates for a push-style metrics API (Effect's
 * `Metric`): counters as increments since the last step (a series that went down, when a
 * pipeline of its name closed, restarts from its new value without a negative increment),
 * gauges as values, and gauges of series gone since the last step as 0.
 */
export class Deltas {
  private readonly counters = new Map<string, number>()
  private gauges = new Map<
    string,
    { readonly name: string; readonly help: string; readonly labels: Labels }
  >()

  step(
    from: ReadonlyArray<Family>,
    counter: (name: string, help: string, labels: Labels, increment: number) => void,
    gauge: (name: string, help: string, labels: Labels, value: number) => void
  ): void {
    const seen = new Map<string, { readonly name: string; readonly help: string; readonly labels: Labels }>()
    for (const family of from) {
      if (family.type === "histogram") continue
      for (const s of family.samples) {
        const key = seriesKey(family.name, s.labels)
        if (family.type === "gauge") {
          seen.set(key, { name: family.name, help: family.help, labels: s.labels })
          gauge(family.name, family.help, s.labels, s.value)
          continue
        }
        const last = this.counters.get(key) ?? 0
        this.counters.set(key, s.value)
        if (s.value > last) counter(family.name, family.help, s.labels, s.value - last)
      }
    }
    for (const [key, g] of this.gauges) if (!seen.has(key)) gauge(g.name, g.help, g.labels, 0)
    this.gauges = seen
  }
}
