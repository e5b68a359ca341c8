/**
 * Text processors (`Processor.text`) on the Effect 4 line: the shared record walk of
 * test/internal/textRewrite.test.ts, driven by Effect 4's `Effect.log` and annotations.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Fapilog, Processor, Sink } from "../../src/effect4/index.js"

describe("Processor.text on Effect 4", () => {
  it.effect("rewrites the message, annotations and the error; removed fields go", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const cards = Processor.text("cards", (s) =>
        s === "remove me" ? Processor.removed : s.replaceAll("4111", "####")
      )
      yield* Effect.gen(function* () {
        yield* Effect.logError("paid 4111", new Error("card 4111 refused")).pipe(
          Effect.annotateLogs({ card: "4111 0000", gone: "remove me" })
        )
        yield* Fapilog.flush
      }).pipe(
        Effect.provide(
          Fapilog.layer({ sinks: [memory] }).pipe(Layer.provide(Processor.layerEffect(Effect.succeed(cards))))
        )
      )
      const line = JSON.parse(memory.lines()[0] as string) as Record<string, unknown>
      assert.strictEqual(line.message, "paid ####")
      assert.strictEqual(line.card, "#### 0000")
      assert.notProperty(line, "gone")
      assert.strictEqual((line.error as Record<string, unknown>).message, "card #### refused")
    })
  )
})
