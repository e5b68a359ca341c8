/**
 * An Effect program on the `production` preset (JSON, level info, hostname and pid, common
 * secret keys redacted, 256 KB size guard), with a file sink in the Elastic Common Schema
 * layout (`logs/configured-effect-app.log`) next to stdout, and a custom enricher provided
 * as a layer.
 *
 * Run from the repository root: `npx tsx examples/configured-effect-app.ts`
 */
import * as fs from "node:fs"
import { Data, Effect, Layer } from "effect"
import { Enricher, Fapilog } from "fapilog"

const logFile = "logs/configured-effect-app.log"

class StockTooLow extends Data.TaggedError("StockTooLow")<{ readonly sku: string; readonly left: number }> {
  override get message(): string {
    return `only ${this.left} left of ${this.sku}`
  }
}

const reserve = (sku: string, quantity: number) =>
  Effect.gen(function* () {
    yield* Effect.sleep("2 millis")
    const left = sku === "sku-9" ? 1 : 100
    if (quantity > left) return yield* new StockTooLow({ sku, left })
    yield* Fapilog.info("stock reserved", { sku, quantity, left: left - quantity })
  }).pipe(Effect.withLogSpan("reserve"))

const handleOrder = (orderId: string, sku: string, quantity: number) =>
  Effect.gen(function* () {
    // `apiKey` is one of the preset's redacted keys: the line shows "[REDACTED]".
    yield* Effect.log("order received").pipe(Effect.annotateLogs({ apiKey: "k-live-1234" }))
    yield* Effect.logDebug("not written: the production preset logs from info")
    yield* reserve(sku, quantity)
  }).pipe(
    Effect.catchAllCause((cause) => Effect.logError("order rejected", cause)),
    Effect.annotateLogs({ orderId, sku }),
    Effect.withSpan("handleOrder")
  )

const program = Effect.gen(function* () {
  yield* Effect.log("configured-effect-app started")
  yield* handleOrder("o-1", "sku-1", 2)
  yield* handleOrder("o-2", "sku-9", 3)
  yield* Fapilog.audit("price list published", { publishedBy: "ops@example.com", items: 120 })
})

// Start each run with an empty file, so the demo can count this run's lines.
fs.rmSync(logFile, { force: true })

const Logging = Fapilog.layer({
  preset: "production",
  name: "configured-effect-app",
  sinks: ["stdout", { type: "file", path: logFile, layout: "ecs" }],
  // Merged with the preset's hostname and pid; in ECS they become service.*, host.hostname
  // and process.pid.
  enrich: { service: "inventory", version: "2.0.1", env: "demo" }
}).pipe(Layer.provide(Enricher.layer("region", () => ({ region: "eu-west-1" }))))

// When runPromise ends, the layer's scope closes and every accepted event is drained.
await Effect.runPromise(program.pipe(Effect.provide(Logging)))
