import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import { CapturedLogs, Fapilog, FapilogTest } from "../../src/effect4/index.js"

it.effect("routes", () =>
  Effect.gen(function* () {
    yield* Effect.log("plain").pipe(Effect.annotateLogs({ userId: 7 }))
    yield* Fapilog.info("info", { a: 1 })
    const events = yield* Effect.flatMap(CapturedLogs, (l) => l.events)
    console.log(events)
    assert.strictEqual(events.length, 2)
  }).pipe(Effect.provide(FapilogTest))
)
