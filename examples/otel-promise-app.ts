/**
 * Log lines linked to OpenTelemetry traces in a Promise app: OpenTelemetry's Node SDK is
 * registered, the app works inside spans, and every fapilog line logged in a span carries that
 * span's `traceId` and `spanId`, the ids the SDK exports for it. Nothing in fapilog is
 * configured for this: `createLogger` finds `@opentelemetry/api` when it is installed.
 *
 * The spans go to the console here; in production an OTLP exporter
 * (`@opentelemetry/exporter-trace-otlp-http`) takes the console exporter's place.
 *
 * Run: `npx tsx examples/otel-promise-app.ts` (prints the JSON lines, then the spans as the
 * SDK's console exporter shows them: their `traceId` and `id` are those of the lines).
 */
import { fileURLToPath } from "node:url"
import { trace } from "@opentelemetry/api"
import { ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base"
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node"
import { createLogger, type Sink } from "fapilog"

/** The app: an order placed in a span, its payment in a child span, with an await between. */
export const placeOrder = async (sink: Sink.MemorySink | "stdout"): Promise<void> => {
  const log = await createLogger({ name: "shop", sinks: [sink] })
  const tracer = trace.getTracer("shop")
  await tracer.startActiveSpan("place order", async (order) => {
    log.info("order received", { orderId: "o-42" })
    await tracer.startActiveSpan("charge card", async (charge) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      log.child("payments").info("card charged", { amount: 12.5 })
      charge.end()
    })
    log.info("order placed", { orderId: "o-42" })
    order.end()
  })
  log.info("no span here")
  await log.close()
}

/** Registers the SDK with `exporter` (its context manager carries spans through awaits); returns its shutdown. */
export const registerTracing = (exporter: SpanExporter): (() => Promise<void>) => {
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  provider.register()
  return () => provider.shutdown()
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const shutdown = registerTracing(new ConsoleSpanExporter())
  await placeOrder("stdout")
  await shutdown()
}
