/**
 * The self-metrics as Effect `Metric`s, for apps that export Effect's metrics (through
 * `@effect/opentelemetry`, say). Effect 3's Metric API; the Effect 4 counterpart is
 * src/effect4/metrics.ts. Counters and gauges are brought up to date from the plain counters
 * every `interval` and when the layer is released; histograms get each observation as the
 * worker makes it, once per batch (never per event).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import {
  batchSizeBounds,
  collect,
  Deltas,
  families,
  type Labels,
  type Observer,
  observationLabels,
  publishing,
  secondsBounds,
  seriesKey
} from "./metrics.js"

/** Options of the Effect Metrics layer. */
export interface EffectMetricsOptions {
  /** How often counters and gauges are brought up to date; default 1 second. */
  readonly interval?: Duration.DurationInput | undefined
}

const histogramOf = (key: "batchSize" | "batchSeconds" | "sinkSeconds") => {
  const [name, , help] = families[key]
  return Metric.histogram(
    name,
    MetricBoundaries.fromIterable(key === "batchSize" ? batchSizeBounds : secondsBounds),
    help
  )
}

/** Publishes every live pipeline's self-metrics as Effect Metrics while the layer lives. */
export const layer = (options?: EffectMetricsOptions): Layer.Layer<never> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const interval = Duration.decode(options?.interval ?? "1 second")
      const tags = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()
      const tagsOf = (name: string, labels: Labels): ReadonlyArray<MetricLabel.MetricLabel> => {
        const key = seriesKey(name, labels)
        let t = tags.get(key)
        if (t === undefined) tags.set(key, (t = labels.map(([k, v]) => MetricLabel.make(k, v))))
        return t
      }
      const counters = new Map<string, Metric.Metric.Counter<number>>()
      const gauges = new Map<string, Metric.Metric.Gauge<number>>()
      const histograms = {
        batchSize: histogramOf("batchSize"),
        batchSeconds: histogramOf("batchSeconds"),
        sinkSeconds: histogramOf("sinkSeconds")
      }
      const observer: Observer = (family, pipeline, sink, value) => {
        const labels = observationLabels(pipeline, sink)
        histograms[family].unsafeUpdate(value, tagsOf(families[family][0], labels))
      }
      const deltas = new Deltas()
      const publish = (): void =>
        deltas.step(
          collect(),
          (name, help, labels, increment) => {
            let c = counters.get(name)
            if (c === undefined)
              counters.set(name, (c = Metric.counter(name, { description: help, incremental: true })))
            c.unsafeUpdate(increment, tagsOf(name, labels))
          },
          (name, help, labels, value) => {
            let g = gauges.get(name)
            if (g === undefined) gauges.set(name, (g = Metric.gauge(name, { description: help })))
            g.unsafeUpdate(value, tagsOf(name, labels))
          }
        )
      yield* publishing(observer, publish, interval)
    })
  )
