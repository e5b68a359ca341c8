/**
 * examples/metrics-otel.ts with an in-memory OpenTelemetry exporter in place of the console:
 * what the SDK exported holds fapilog's self-metrics, with their labels as attributes and the
 * counts of what the program logged.
 */
import { assert, describe, it } from "@effect/vitest"
import { AggregationTemporality, InMemoryMetricExporter } from "@opentelemetry/sdk-metrics"
import { Effect } from "effect"
import { Observability, program } from "../../examples/metrics-otel.js"

describe("examples/metrics-otel.ts", () => {
  it.live("exports fapilog's self-metrics through @effect/opentelemetry", () =>
    Effect.gen(function* () {
      const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
      // the layers stop in order: fapilog drains, the bridge publishes, the reader exports
      yield* program.pipe(Effect.provide(Observability(exporter)))
      const exported = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
      const latest = (name: string) => exported.filter((m) => m.descriptor.name === name).at(-1)
      const events = latest("fapilog_events_total")
      assert.isDefined(events)
      // a monotonic sum: Prometheus and OTLP backends see a counter, not an up-down counter
      assert.isTrue(events !== undefined && "isMonotonic" in events && events.isMonotonic)
      const byLevel = Object.fromEntries(
        (events?.dataPoints ?? [])
          .filter((p) => p.attributes.pipeline === "shop")
          .map((p) => [p.attributes.level, p.value])
      )
      assert.deepStrictEqual(byLevel, { info: 3, warn: 1, error: 1 })
      const written = latest("fapilog_events_written_total")?.dataPoints.find(
        (p) => p.attributes.pipeline === "shop" && p.attributes.sink === "stdout"
      )
      assert.strictEqual(written?.value, 5)
      assert.isDefined(latest("fapilog_batch_duration_seconds"))
    })
  )
})
