import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, FiberRef, FiberRefs, Layer } from "effect"
import { Enricher, Fapilog, type LogEvent, Sink } from "../src/index.js"

const Tenant = FiberRef.unsafeMake("none")

/** The events logged by `body` under a fapilog layer with `extensions`. */
const eventsOf = (extensions: Layer.Layer<Fapilog.Extension, unknown>, body: Effect.Effect<void>) =>
  Effect.gen(function* () {
    const memory = Sink.memory()
    yield* Effect.zipRight(body, Fapilog.flush).pipe(
      Effect.provide(Fapilog.layer({ sinks: [memory] }).pipe(Layer.provide(extensions)))
    )
    return memory.events()
  })

const fieldsOf = (events: ReadonlyArray<LogEvent.LogEvent>) => events.map((e) => e.fields)

describe("Enricher.layer", () => {
  it.effect("enricher layers accumulate: merged, or provided one after another", () =>
    Effect.gen(function* () {
      const a = Enricher.layer("a", () => ({ a: 1 }))
      const b = Enricher.layer("b", () => ({ b: 2 }))
      const c = Enricher.layer("c", () => ({ c: 3 }))
      const events = yield* eventsOf(Layer.merge(a, b).pipe(Layer.provideMerge(c)), Effect.log("x"))
      assert.deepStrictEqual(fieldsOf(events), [{ a: 1, b: 2, c: 3 }])
    })
  )

  it.effect("later ones win on a key: by order, then by name, whatever the combination", () =>
    Effect.gen(function* () {
      const zeta = Enricher.layer("zeta", () => ({ who: "zeta" }))
      const alpha = Enricher.layer("alpha", () => ({ who: "alpha" }))
      const last = Enricher.layer("last", () => ({ who: "last" }), { order: 1 })
      for (const combined of [Layer.mergeAll(zeta, alpha, last), Layer.mergeAll(last, alpha, zeta)]) {
        const events = yield* eventsOf(combined, Effect.log("x"))
        assert.strictEqual(events[0]?.fields.who, "last")
      }
      const events = yield* eventsOf(Layer.mergeAll(zeta, alpha), Effect.log("x"))
      assert.strictEqual(events[0]?.fields.who, "zeta")
    })
  )

  it.effect("sees the event's level, message, logger and time; its fields rank below the call's", () =>
    Effect.gen(function* () {
      const seen: Array<Enricher.Input> = []
      const events = yield* eventsOf(
        Enricher.layer("spy", (input) => {
          seen.push(input)
          return { source: "enricher", extra: true }
        }),
        Fapilog.warn("hello", { source: "call" })
      )
      assert.strictEqual(seen[0]?.level, "warn")
      assert.strictEqual(seen[0]?.message, "hello")
      assert.strictEqual(seen[0]?.logger, "app")
      assert.isNumber(seen[0]?.time)
      assert.deepStrictEqual(events[0]?.fields, { source: "call", extra: true })
    })
  )

  it.effect("layerEffect: what the enricher needs is read when the layer is built", () =>
    Effect.gen(function* () {
      const Region = Enricher.layerEffect(
        "region",
        Effect.map(Config.string("REGION"), (region) => () => ({ region }))
      )
      const events = yield* eventsOf(Region, Effect.log("x")).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["REGION", "eu-2"]])))
      )
      assert.strictEqual(events[0]?.fields.region, "eu-2")
    })
  )
})

describe("Enricher.layerCallSite", () => {
  it.effect("reads the calling fiber's FiberRefs and bound fields, at the call", () =>
    Effect.gen(function* () {
      const events = yield* eventsOf(
        Enricher.layerCallSite("tenant", (call) => ({
          tenant: call.fiberRefs === undefined ? "?" : FiberRefs.getOrDefault(call.fiberRefs, Tenant),
          requestSeen: call.context.request ?? null
        })),
        Effect.gen(function* () {
          yield* Effect.log("default")
          yield* Effect.log("acme").pipe(Effect.locally(Tenant, "acme"))
          yield* Fapilog.info("via Fapilog.info").pipe(
            Effect.locally(Tenant, "globex"),
            Fapilog.withContext({ request: "r-1" })
          )
        })
      )
      assert.deepStrictEqual(fieldsOf(events), [
        { tenant: "none", requestSeen: null },
        { tenant: "acme", requestSeen: null },
        { request: "r-1", tenant: "globex", requestSeen: "r-1" }
      ])
    })
  )

  it.effect("fromFiberRef, and the caller's own state as it is at the call (captured then)", () =>
    Effect.gen(function* () {
      const state = { inFlight: 0, nested: { n: 0 } }
      const events = yield* eventsOf(
        Layer.merge(
          Enricher.layerCallSite(
            "tenant",
            Enricher.fromFiberRef(Tenant, (tenant) => ({ tenant }))
          ),
          Enricher.layerCallSite("state", () => ({ state }))
        ),
        Effect.gen(function* () {
          for (let i = 1; i <= 3; i++) {
            state.inFlight = i
            state.nested.n = i
            yield* Effect.log(`call ${i}`).pipe(Effect.locally(Tenant, `t${i}`))
          }
          state.inFlight = 99
        })
      )
      assert.deepStrictEqual(fieldsOf(events), [
        { state: { inFlight: 1, nested: { n: 1 } }, tenant: "t1" },
        { state: { inFlight: 2, nested: { n: 2 } }, tenant: "t2" },
        { state: { inFlight: 3, nested: { n: 3 } }, tenant: "t3" }
      ])
    })
  )

  it.effect("ranks above batch enrichers, below bound fields; a throwing one is skipped for that call", () =>
    Effect.gen(function* () {
      const events = yield* eventsOf(
        Layer.mergeAll(
          Enricher.layer("batch", () => ({ k: "batch", b: 1 })),
          Enricher.layerCallSite("call", () => ({ k: "call-site", c: 1 })),
          Enricher.layerCallSite("broken", (call) => {
            if (call.message === "boom") throw new Error("enricher bug")
            return undefined
          })
        ),
        Effect.gen(function* () {
          yield* Effect.log("plain")
          yield* Effect.log("bound").pipe(Fapilog.withContext({ k: "bound" }))
          yield* Effect.log("boom")
        })
      )
      assert.deepStrictEqual(fieldsOf(events), [
        { k: "call-site", b: 1, c: 1 },
        { k: "bound", b: 1, c: 1 },
        { k: "call-site", b: 1, c: 1 }
      ])
    })
  )
})
