/**
 * fapilog's self-metrics exported through OpenTelemetry: an Effect program logs through
 * fapilog with `metrics: true`, `Metrics.layerEffectMetrics` publishes the self-metrics as
 * Effect Metrics, and `@effect/opentelemetry`'s `NodeSdk` exports them (with any metrics of
 * your own) through an OpenTelemetry metric reader: here to the console; in production an
 * OTLP exporter (`@opentelemetry/exporter-metrics-otlp-http`) in its place.
 *
 * The layers are stacked so that they stop in the right order: fapilog drains first, then the
 * bridge publishes the last counts, then the SDK's reader exports them once more as it shuts
 * down.
 *
 * Run: `npx tsx examples/metrics-otel.ts` (prints the exported metrics as the SDK's console
 * exporter shows them, `fapilog_events_total` among them).
 */
import { fileURLToPath } from "node:url"
import { NodeSdk } from "@effect/opentelemetry"
import {
  ConsoleMetricExporter,
  PeriodicExportingMetricReader,
  type PushMetricExporter
} from "@opentelemetry/sdk-metrics"
import { Effect, Layer } from "effect"
import { Fapilog, Metrics } from "fapilog"

/** The app: a few orders, a warning, and a failure, logged through fapilog. */
export const program = Effect.gen(function* () {
  for (let order = 1; order <= 3; order++)
    yield* Effect.logInfo("order placed").pipe(Effect.annotateLogs({ order }))
  yield* Effect.logWarning("stock low").pipe(Effect.annotateLogs({ item: "book" }))
  yield* Fapilog.error("payment declined", { order: 3 })
})

/** fapilog with its self-metrics, published as Effect Metrics that the SDK exports through `exporter`. */
export const Observability = (exporter: PushMetricExporter) =>
  Fapilog.layer({ name: "shop", metrics: true, sinks: ["stdout"], format: "json" }).pipe(
    Layer.provideMerge(Metrics.layerEffectMetrics({ interval: "1 second" })),
    Layer.provideMerge(
      NodeSdk.layer(() => ({
        resource: { serviceName: "shop" },
        metricReader: new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 5000 })
      }))
    )
  )

if (process.argv[1] === fileURLToPath(import.meta.url))
  Effect.runPromise(program.pipe(Effect.provide(Observability(new ConsoleMetricExporter()))))
