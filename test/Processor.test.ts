import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { createLogger, Fapilog, type LogEvent, Processor, Sink } from "../src/index.js"
import { Diagnostics } from "../src/internal/diagnostics.js"
import { Processing } from "../src/internal/processing.js"
import { fromPublic } from "../src/internal/processor.js"
import { recordsOf } from "../src/internal/testingEvents.js"

/** A logger over a memory sink with `processors`, given as a layer. */
const run = (extensions: Layer.Layer<Fapilog.Extension>, body: Effect.Effect<void, never, Fapilog.Fapilog>) =>
  Effect.gen(function* () {
    const memory = Sink.memory()
    const stats = yield* Effect.zipRight(body, Effect.zipRight(Fapilog.flush, Fapilog.stats)).pipe(
      Effect.provide(Fapilog.layer({ sinks: [memory], level: "trace" }).pipe(Layer.provide(extensions)))
    )
    return { memory, stats, messages: memory.events().map((e) => e.message) }
  })

const logAll = (...messages: ReadonlyArray<string>) =>
  Effect.forEach(messages, (m) => Effect.log(m), { discard: true })

describe("Processor.layer (per event)", () => {
  it.effect("filters, transforms and drops; what it drops is counted by name", () =>
    Effect.gen(function* () {
      const { memory, stats, messages } = yield* run(
        Processor.layer("shape", (e) =>
          e.message.startsWith("drop")
            ? undefined
            : e.message === "tag me"
              ? { ...e, message: "tagged", fields: { ...e.fields, tagged: true } }
              : e
        ),
        logAll("keep", "drop 1", "tag me", "drop 2")
      )
      assert.deepStrictEqual(messages, ["keep", "tagged"])
      assert.strictEqual(memory.events()[1]?.fields.tagged, true)
      assert.strictEqual(JSON.parse(memory.lines()[1] as string).tagged, true)
      assert.strictEqual(stats.filtered, 2)
      assert.deepStrictEqual(stats.filteredBy, { shape: 2 })
      assert.strictEqual(stats.accepted, stats.settled)
    })
  )

  it.effect("a new event keeps the id, time, ids and error of the one it replaces", () =>
    Effect.gen(function* () {
      const seen: Array<LogEvent.LogEvent> = []
      const { memory } = yield* run(
        Layer.merge(
          Processor.layer(
            "spy",
            (e) => {
              seen.push(e)
              return e
            },
            { order: -1 }
          ),
          Processor.layer("rewrite", (e) => ({ ...e, message: `${e.message}!` }))
        ),
        Effect.logError("failed", new Error("boom")).pipe(Effect.withSpan("op"))
      )
      const [before] = seen
      const [after] = memory.events()
      assert.strictEqual(after?.message, "failed!")
      assert.strictEqual(after?.id, before?.id)
      assert.isString(after?.id)
      assert.strictEqual(after?.timestamp, before?.timestamp)
      assert.strictEqual(after?.traceId, before?.traceId)
      assert.strictEqual(after?.error?.message, "boom")
    })
  )

  it.effect("a processor that throws costs only the events it throws on; onError: drop fails closed", () =>
    Effect.gen(function* () {
      const picky = (name: string, onError?: "drop") =>
        Processor.layer(
          name,
          (e) => {
            if (e.message === "poison") throw new Error(`${name} cannot take it`)
            return e
          },
          { onError }
        )
      const open = yield* run(picky("open"), logAll("a", "poison", "b"))
      assert.deepStrictEqual(open.messages, ["a", "poison", "b"])
      assert.deepStrictEqual(open.stats.filteredBy, {})
      const closed = yield* run(picky("closed", "drop"), logAll("a", "poison", "b"))
      assert.deepStrictEqual(closed.messages, ["a", "b"])
      assert.deepStrictEqual(closed.stats.filteredBy, { closed: 1 })
    })
  )

  it.effect("a processor that drops everything: nothing written, everything counted and settled", () =>
    Effect.gen(function* () {
      const { messages, stats } = yield* run(
        Processor.layer("nothing", () => undefined),
        logAll("a", "b", "c")
      )
      assert.deepStrictEqual(messages, [])
      assert.deepStrictEqual(stats.filteredBy, { nothing: 3 })
      assert.strictEqual(stats.settled, 3)
      assert.strictEqual(stats.queued, 0)
    })
  )

  it.effect("events are frozen: changing one in place throws, which costs that event as any throw", () =>
    Effect.gen(function* () {
      const { messages } = yield* run(
        Processor.layer(
          "mutates",
          (e) => {
            ;(e.fields as Record<string, unknown>).changed = true
            return e
          },
          { onError: "drop" }
        ),
        logAll("a")
      )
      assert.deepStrictEqual(messages, [])
    })
  )

  it.effect("what is returned must be an event: anything else is a failure for that event", () =>
    Effect.gen(function* () {
      const { messages } = yield* run(
        Processor.layer("junk", (e) => (e.message === "bad" ? ({ level: "loud" } as never) : e)),
        logAll("a", "bad")
      )
      assert.deepStrictEqual(messages, ["a", "bad"])
    })
  )
})

describe("processor order", () => {
  const recorder = (trail: Array<string>, name: string, order?: number) =>
    Processor.layer(
      name,
      (e) => {
        trail.push(name)
        return e
      },
      order === undefined ? undefined : { order }
    )

  it.effect("comes from order, then name, never from how the layers were combined", () =>
    Effect.gen(function* () {
      const orders: Array<ReadonlyArray<string>> = []
      for (const combine of [
        (
          a: Layer.Layer<Fapilog.Extension>,
          b: Layer.Layer<Fapilog.Extension>,
          c: Layer.Layer<Fapilog.Extension>
        ) => Layer.mergeAll(a, b, c),
        (
          a: Layer.Layer<Fapilog.Extension>,
          b: Layer.Layer<Fapilog.Extension>,
          c: Layer.Layer<Fapilog.Extension>
        ) => Layer.mergeAll(c, b, a),
        (
          a: Layer.Layer<Fapilog.Extension>,
          b: Layer.Layer<Fapilog.Extension>,
          c: Layer.Layer<Fapilog.Extension>
        ) => Layer.provideMerge(Layer.provideMerge(c, a), b)
      ]) {
        const trail: Array<string> = []
        yield* run(
          combine(recorder(trail, "zeta"), recorder(trail, "alpha"), recorder(trail, "first", -5)),
          Effect.log("x")
        )
        orders.push(trail)
      }
      for (const o of orders) assert.deepStrictEqual(o, ["first", "alpha", "zeta"])
    })
  )

  it.effect("the built-ins run before processors of order 0, sampling before a user processor", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      let seen = 0
      yield* Effect.gen(function* () {
        for (let i = 0; i < 100; i++) yield* Effect.log(`m${i}`)
        yield* Fapilog.flush
      }).pipe(
        Effect.provide(
          Fapilog.layer({ sinks: [memory], sampling: { kind: "rate", every: 10 } }).pipe(
            Layer.provide(
              Processor.layer("count", (e) => {
                if (e.logger === "app") seen++
                return e
              })
            )
          )
        )
      )
      assert.strictEqual(seen, 10)
    })
  )
})

describe("batch processors", () => {
  it.effect("process whole batches, emit summaries on tick and flush, and are counted", () =>
    Effect.gen(function* () {
      let held = 0
      const everyOther: Processor.Processor = {
        name: "every-other",
        processBatch: (events, context) => {
          const kept = events.filter((_, i) => i % 2 === 0)
          held += events.length - kept.length
          if (held >= 4) {
            context.emit({ level: "info", message: `held back ${held}`, fields: { held } })
            held = 0
          }
          return kept
        },
        flush: (context) => {
          if (held > 0) context.emit({ level: "info", message: `held back ${held} at close`, logger: "mine" })
        }
      }
      const memory = Sink.memory()
      yield* Effect.gen(function* () {
        yield* Effect.forEach(["a", "b", "c", "d", "e", "f", "g", "h"], (m) => Effect.log(m), {
          discard: true
        })
        yield* Fapilog.flush
        yield* Effect.log("i")
        yield* Effect.log("j")
      }).pipe(
        Effect.provide(
          Fapilog.layer({ sinks: [memory] }).pipe(
            Layer.provide(Processor.layerEffect(Effect.succeed(everyOther)))
          )
        )
      )
      const events = memory.events()
      assert.deepStrictEqual(
        events.map((e) => e.message),
        ["a", "c", "e", "g", "held back 4", "i", "held back 1 at close"]
      )
      assert.strictEqual(events[4]?.logger, "fapilog")
      assert.strictEqual(events[4]?.fields.held, 4)
      assert.strictEqual(events.at(-1)?.logger, "mine")
    })
  )

  it("a batch processor that throws is run again one event at a time, so it costs only the events it fails on", () => {
    const calls: Array<number> = []
    const fragile = fromPublic({
      name: "fragile",
      processBatch: (events) => {
        calls.push(events.length)
        if (events.some((e) => e.message === "poison")) throw new Error("no")
        return events.filter((e) => e.message !== "drop")
      },
      onError: "drop"
    })
    const reports: Array<string> = []
    const stage = new Processing({
      diagnostics: new Diagnostics("t", (line) => reports.push(line), 0),
      processors: [fragile],
      stamp: () => {}
    })
    const out = stage.run([
      ...recordsOf([{ message: "a" }, { message: "poison" }, { message: "drop" }, { message: "b" }])
    ])
    assert.deepStrictEqual(
      out.map((r) => r.message),
      ["a", "b"]
    )
    assert.deepStrictEqual(calls, [4, 1, 1, 1, 1])
    assert.deepStrictEqual(stage.filtered(), { fragile: 2 })
    assert.strictEqual(reports.length, 1)
    assert.include(reports[0], "processor fragile: failed for an event")
  })
})

class Blocklist extends Context.Tag("test/Blocklist")<Blocklist, ReadonlySet<string>>() {}

describe("Processor.layerEffect", () => {
  it.effect("builds a processor from services: the requirement shows in the layer's type", () =>
    Effect.gen(function* () {
      const DropBlocked = Processor.layerEffect(
        Effect.map(Blocklist, (blocked) =>
          Processor.make("blocklist", (e) => (blocked.has(e.message) ? undefined : e))
        )
      )
      const needs: Layer.Layer<Fapilog.Extension, never, Blocklist> = DropBlocked
      const { messages } = yield* run(
        needs.pipe(Layer.provide(Layer.succeed(Blocklist, new Set(["secret"])))),
        logAll("public", "secret")
      )
      assert.deepStrictEqual(messages, ["public"])
    })
  )
})
describe("processors in the Promise facade's settings", () => {
  it("run as in layers", async () => {
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      processors: [Processor.make("no-health", (e) => (e.fields.path === "/health" ? undefined : e))]
    })
    log.info("request", { path: "/health" })
    log.info("request", { path: "/orders" })
    await log.close()
    assert.deepStrictEqual(
      memory.events().map((e) => e.fields.path),
      ["/orders"]
    )
    assert.deepStrictEqual(log.stats().filteredBy, { "no-health": 1 })
  })
})

describe("Processor.text", () => {
  const scrub = (calls?: Array<string>) => (s: string) => {
    calls?.push(s)
    if (s === "remove me") return Processor.removed
    return s.replaceAll("4111", "####")
  }

  it("rewrites the message and every field, whatever its source, in the lines and the events", async () => {
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      enrich: { service: "svc-4111" },
      processors: [Processor.text("cards", scrub())]
    })
    const caller = { card: "4111 0000", nested: { list: ["4111", 2] }, gone: "remove me" }
    log.child({ bound: "child 4111" }).error("paid 4111", { ...caller, err: new Error("card 4111 refused") })
    await log.close()
    const line = JSON.parse(memory.lines()[0] as string) as Record<string, unknown>
    assert.strictEqual(line.message, "paid ####")
    assert.strictEqual(line.card, "#### 0000")
    assert.deepStrictEqual(line.nested, { list: ["####", 2] })
    assert.strictEqual(line.bound, "child ####")
    assert.strictEqual(line.service, "svc-####")
    assert.strictEqual((line.error as Record<string, unknown>).message, "card #### refused")
    assert.notProperty(line, "gone")
    const event = memory.events()[0] as LogEvent.LogEvent
    assert.strictEqual(event.message, "paid ####")
    assert.strictEqual(event.fields.card, "#### 0000")
    // the caller's objects are never changed
    assert.deepStrictEqual(caller, { card: "4111 0000", nested: { list: ["4111", 2] }, gone: "remove me" })
  })

  it("a child's bindings are rewritten once for all its events", async () => {
    const calls: Array<string> = []
    const log = await createLogger({ sinks: ["null"], processors: [Processor.text("cards", scrub(calls))] })
    const child = log.child({ account: "acct 4111" })
    for (let i = 0; i < 50; i++) child.info("tick")
    await log.close()
    assert.strictEqual(calls.filter((c) => c === "acct 4111").length, 1)
  })

  it("a rewrite that throws costs that event: kept as it was, or withheld with onError drop", async () => {
    const failing = (s: string) => {
      if (s.includes("boom")) throw new Error("cannot rewrite")
      return s.replaceAll("4111", "####")
    }
    for (const onError of ["pass", "drop"] as const) {
      const memory = Sink.memory()
      const log = await createLogger({
        sinks: [memory],
        processors: [Processor.text("cards", failing, { onError })]
      })
      log.info("a 4111", { x: "boom" })
      log.info("b 4111")
      await log.close()
      assert.deepStrictEqual(
        memory.events().map((e) => e.message),
        onError === "pass" ? ["a 4111", "b ####"] : ["b ####"],
        onError
      )
      assert.deepStrictEqual(log.stats().filteredBy, onError === "pass" ? {} : { cards: 1 })
    }
  })

  it.effect("as a layer, it runs with event processors in order", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const { messages } = yield* run(
        Layer.merge(
          Processor.layerEffect(Effect.succeed(Processor.text("cards", scrub(), { order: 1 }))),
          Processor.layer(
            "spy",
            (e) => {
              seen.push(e.message)
              return { ...e, message: `${e.message} 4111` }
            },
            { order: 0 }
          )
        ),
        logAll("a 4111")
      )
      // the spy ran first and saw the original; the text processor then rewrote its output too
      assert.deepStrictEqual(seen, ["a 4111"])
      assert.deepStrictEqual(messages, ["a #### ####"])
    })
  )

  it("its process applies the same rewrite to an event, for direct calls", () => {
    const p = Processor.text("cards", scrub())
    const out = p.process?.({
      timestamp: "2026-01-01T00:00:00.000Z",
      level: "info",
      message: "m 4111",
      logger: "app",
      fields: { a: "4111" }
    })
    assert.strictEqual(out?.message, "m ####")
    assert.strictEqual(out?.fields.a, "####")
  })

  it("a processor whose text is not { rewrite } is refused with the reason", async () => {
    const bad = { name: "bad", process: (e: LogEvent.LogEvent) => e, text: { rewrite: 1 } }
    const error = await createLogger({ processors: [bad as never] }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.match(String(error), /text: .* is not \{ rewrite \}/)
  })
})
