/**
 * examples/otel-promise-app.ts with an in-memory span exporter and a memory sink: each line
 * logged in a span carries the trace and span ids the SDK exported for that span.
 */

import { assert, describe, it } from "@effect/vitest"
import { context, propagation, trace } from "@opentelemetry/api"
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base"
import { Sink } from "fapilog"
import { placeOrder, registerTracing } from "../../examples/otel-promise-app.js"

describe("examples/otel-promise-app.ts", () => {
  it("lines carry the ids of the spans the SDK exported", async () => {
    const exporter = new InMemorySpanExporter()
    const shutdown = registerTracing(exporter)
    const memory = Sink.memory()
    // the exporter forgets its spans when the SDK shuts down: read first
    let finished: ReturnType<InMemorySpanExporter["getFinishedSpans"]> = []
    try {
      await placeOrder(memory)
      finished = exporter.getFinishedSpans()
    } finally {
      await shutdown()
      trace.disable()
      context.disable()
      propagation.disable()
    }
    const span = (name: string) => finished.find((s) => s.name === name)?.spanContext()
    const order = span("place order")
    const charge = span("charge card")
    assert.isDefined(order)
    assert.strictEqual(charge?.traceId, order?.traceId)
    const ids = Object.fromEntries(
      memory.lines().map((l) => {
        const line = JSON.parse(l) as Record<string, unknown>
        return [line.message, [line.traceId, line.spanId]]
      })
    )
    assert.deepStrictEqual(ids, {
      "order received": [order?.traceId, order?.spanId],
      "card charged": [charge?.traceId, charge?.spanId],
      "order placed": [order?.traceId, order?.spanId],
      "no span here": [undefined, undefined]
    })
  })
})
