/**
 * A small Effect program using fapilog as Effect's logger. `Effect.log*`, annotations,
 * log spans, tracing spans and failures all land in the same events: JSON lines in
 * `logs/effect-app.log`, and on stdout JSON lines too (pretty lines in a terminal).
 *
 * Run from the repository root: `npx tsx examples/effect-app.ts`
 */
import * as fs from "node:fs"
import { Data, Effect } from "effect"
import { Fapilog } from "fapilog"

const logFile = "logs/effect-app.log"

class OrderNotFound extends Data.TaggedError("OrderNotFound")<{ readonly orderId: string }> {
  override get message(): string {
    return `order ${this.orderId} not found`
  }
}

const findOrder = (orderId: string) =>
  Effect.gen(function* () {
    yield* Effect.sleep("5 millis")
    // Written with `spans: { "db.query": <ms since the span started> }`.
    yield* Effect.logDebug("orders table queried")
    if (orderId === "o-404") return yield* new OrderNotFound({ orderId })
    return { orderId, total: 4200 }
  }).pipe(Effect.withLogSpan("db.query"))

const handleRequest = (requestId: string, orderId: string) =>
  Effect.gen(function* () {
    yield* Effect.log("request received")
    const order = yield* findOrder(orderId)
    // Structured fields in one call, next to the fiber's annotations.
    yield* Fapilog.info("order loaded", { total: order.total, currency: "EUR" })
  }).pipe(
    // The Cause becomes the event's `error` (a tagged error keeps its fields under `details`).
    Effect.catchAllCause((cause) => Effect.logError("request failed", cause)),
    Effect.annotateLogs({ requestId, orderId }),
    // Events logged inside a tracing span carry its traceId and spanId.
    Effect.withSpan("handleRequest")
  )

const program = Effect.gen(function* () {
  yield* Effect.log("effect-app started")
  yield* handleRequest("req-1", "o-42")
  yield* handleRequest("req-2", "o-404")
  yield* Fapilog.audit("report exported", { exportedBy: "ops@example.com", rows: 2 })
})

// Start each run with an empty file, so the demo can count this run's lines.
fs.rmSync(logFile, { force: true })

const FapilogApp = Fapilog.layer({
  name: "effect-app",
  level: "debug",
  sinks: ["stdout", { type: "file", path: logFile, format: "json" }]
})

// When runPromise ends, the layer's scope closes and every accepted event is drained.
await Effect.runPromise(program.pipe(Effect.provide(FapilogApp)))
