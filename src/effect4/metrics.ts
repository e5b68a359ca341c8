/**
 * The Effect 4 counterpart of src/internal/metricsEffect.ts: the self-metrics as Effect 4
 * `Metric`s. Effect 4 keeps a metric's series in the registry of the fiber's Context (the
 * `Metric.MetricRegistry` reference), so the layer reads its Context once and updates every
 * series in it; a series is a metric made with its labels as `attributes`. Counters and
 * gauges are brought up to date every `interval` and when the layer is released; histograms
 * get each observation as the worker makes it, once per batch.
 */
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
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
} from "../internal/metrics.js"

/** Options of the Effect Metrics layer. */
export interface EffectMetricsOptions {
  /** How often counters and gauges are brought up to date; default 1 second. */
  readonly interval?: Duration.Input | undefined
}

const attributesOf = (labels: Labels): ReadonlyArray<[string, string]> => labels.map(([k, v]) => [k, v])

/** Publishes every live pipeline's self-metrics as Effect Metrics while the layer lives. */
export const layer = (options?: EffectMetricsOptions): Layer.Layer<never> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const interval = Duration.fromInputUnsafe(options?.interval ?? "1 second")
      const context = (yield* Effect.context<never>()) as Context.Context<never>
      const series = new Map<string, Metric.Metric<number, unknown>>()
      const seriesOf = (
        key: string,
        make: () => Metric.Metric<number, unknown>
      ): Metric.Metric<number, unknown> => {
        let m = series.get(key)
        if (m === undefined) series.set(key, (m = make()))
        return m
      }
      const observer: Observer = (family, pipeline, sink, value) => {
        const [name, , help] = families[family]
        const labels = observationLabels(pipeline, sink)
        seriesOf(seriesKey(name, labels), () =>
          Metric.histogram(name, {
            description: help,
            attributes: attributesOf(labels),
            boundaries: family === "batchSize" ? batchSizeBounds : secondsBounds
          })
        ).updateUnsafe(value, context)
      }
      const deltas = new Deltas()
      const publish = (): void =>
        deltas.step(
          collect(),
          (name, help, labels, increment) =>
            seriesOf(seriesKey(name, labels), () =>
              Metric.counter(name, { description: help, attributes: attributesOf(labels), incremental: true })
            ).updateUnsafe(increment, context),
          (name, help, labels, value) =>
            seriesOf(seriesKey(name, labels), () =>
              Metric.gauge(name, { description: help, attributes: attributesOf(labels) })
            ).updateUnsafe(value, context)
        )
      yield* publishing(observer, publish, interval)
    })
  )
