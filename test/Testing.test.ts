import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Schema } from "effect"
import { Errors, Formatter, Plugin, Processor, Sink } from "fapilog"
import * as Testing from "fapilog/testing"
import * as conformance from "../src/internal/testingConformance.js"
import { redactPlugin, regionPlugin, upperPlugin } from "./support/plugins.js"

const violation = <A>(exit: Exit.Exit<A, Testing.ConformanceError>): Testing.ConformanceError => {
  assert.isTrue(Exit.isFailure(exit), "expected the conformance run to fail")
  if (Exit.isSuccess(exit)) throw new Error("unreachable")
  const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  assert.instanceOf(error, Testing.ConformanceError, String(exit.cause))
  return error as Testing.ConformanceError
}

/** A destination that keeps lines, and sinks writing to it in various (mis)behaving ways. */
const destination = () => {
  const lines: Array<string> = []
  const received = Effect.sync(() => [...lines])
  const push = (batch: Sink.Batch, pick: (l: Array<string>) => Array<string> = (l) => l) => {
    for (const line of pick(
      batch
        .text(Formatter.json)
        .split("\n")
        .filter((l) => l !== "")
    ))
      lines.push(line)
  }
  return { lines, received, push }
}

const asyncSink = (name: string, write: (batch: Sink.Batch) => void): Sink.Sink => ({
  name,
  write: (batch) => Effect.sync(() => write(batch))
})

describe("Testing factories", () => {
  it("batch builds what the pipeline hands to sinks", () => {
    const batch = Testing.batch([
      { message: "a" },
      { level: "warn", message: "b", fields: { n: 1 }, error: new Error("x") }
    ])
    assert.strictEqual(batch.size, 2)
    assert.deepStrictEqual(
      batch.events.map((e) => [e.level, e.message, e.timestamp]),
      [
        ["info", "a", "2026-01-02T03:04:05.006Z"],
        ["warn", "b", "2026-01-02T03:04:05.007Z"]
      ]
    )
    assert.strictEqual(batch.events[1]?.fields.n, 1)
    assert.strictEqual(batch.events[1]?.error?.message, "x")
    const lines = batch.text(Formatter.json).split("\n")
    assert.strictEqual(lines.length, 3)
    assert.strictEqual(JSON.parse(lines[1] ?? "").n, 1)
    assert.deepStrictEqual(
      Testing.batch(3, "debug").events.map((e) => [e.level, e.message]),
      [
        ["debug", "m0"],
        ["debug", "m1"],
        ["debug", "m2"]
      ]
    )
    assert.strictEqual(Testing.event({ message: "x" }).timestamp, new Date(Testing.baseTime).toISOString())
  })

  it("every hostile value renders as valid JSON lines in every formatter, without throwing", () => {
    assert.isAtLeast(Testing.hostileValues.length, 20)
    const batch = Testing.hostileBatch("h")
    assert.strictEqual(batch.size, Testing.hostileValues.length + 6)
    const lines = batch
      .text(Formatter.json)
      .split("\n")
      .filter((l) => l !== "")
    assert.strictEqual(lines.length, batch.size)
    lines.forEach((line, i) => {
      const parsed = JSON.parse(line) as { message: string }
      assert.isTrue(parsed.message.startsWith(`h-${String(i).padStart(5, "0")}`), parsed.message.slice(0, 40))
    })
    for (const f of [
      Formatter.logfmt(),
      Formatter.pretty({ colors: false }),
      Formatter.ecs(),
      Formatter.otel()
    ])
      assert.strictEqual(
        batch
          .text(f)
          .split("\n")
          .filter((l) => l !== "").length,
        batch.size
      )
  })
})

describe("Testing.sinkConformance", () => {
  it.live("the memory sink conforms", () =>
    Effect.gen(function* () {
      const memory = Testing.memory()
      const report = yield* Testing.sinkConformance({
        make: Effect.succeed(memory),
        received: Effect.sync(() => memory.lines())
      })
      // every rule but the one that needs a refusing destination, in the suite's order
      assert.deepStrictEqual(
        report.passed,
        conformance.sinkRules.filter((r) => r !== "failure-is-sink-error")
      )
      assert.deepStrictEqual(report.skipped, ["failure-is-sink-error"])
    })
  )

  it.live("the file sink conforms, and fails with a SinkError on a destination that refuses writes", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-conformance-"))
      const file = path.join(dir, "app.log")
      const report = yield* Testing.sinkConformance({
        make: Sink.file({ path: file }),
        received: Effect.sync(() => fs.readFileSync(file, "utf8").split("\n")),
        // /dev/full accepts the open and refuses every write with ENOSPC; the file sink refuses
        // to open a device, so its synchronous writer (Sink.makeSync) is checked on it directly
        failing: fs.existsSync("/dev/full")
          ? Effect.acquireRelease(
              Effect.sync(() => fs.openSync("/dev/full", "w")),
              (fd) => Effect.sync(() => fs.closeSync(fd))
            ).pipe(
              Effect.map((fd) => Sink.makeSync("full", (b) => void fs.writeSync(fd, b.text(Formatter.json))))
            )
          : undefined
      })
      assert.include(report.passed, "hostile-events")
      assert.include(report.passed, "write-sync")
      if (fs.existsSync("/dev/full")) assert.include(report.passed, "failure-is-sink-error")
      fs.rmSync(dir, { recursive: true, force: true })
    })
  )

  it.live("an asynchronous sink that buffers and flushes on release conforms", () =>
    Effect.gen(function* () {
      const dest = destination()
      const make = Effect.acquireRelease(
        Effect.sync(() => ({ pending: [] as Array<Sink.Batch> })),
        (state) =>
          Effect.sync(() => {
            for (const b of state.pending.splice(0)) dest.push(b)
          })
      ).pipe(Effect.map((state) => asyncSink("buffered", (b) => state.pending.push(b))))
      const report = yield* Testing.sinkConformance({ make, received: dest.received })
      assert.include(report.passed, "drain-on-close")
      assert.notInclude(report.passed, "write-sync")
    })
  )

  it.live("names the rule a misbehaving sink breaks", () =>
    Effect.gen(function* () {
      const run = (make: Effect.Effect<Sink.Sink, never, never>, received: Effect.Effect<Array<string>>) =>
        Testing.sinkConformance({ make, received, skip: ["write-sync"] }).pipe(
          Effect.exit,
          Effect.map(violation)
        )

      const loses = destination()
      const lost = yield* run(
        Effect.succeed(asyncSink("loses-last", (b) => loses.push(b, (l) => l.slice(0, -1)))),
        loses.received
      )
      assert.strictEqual(lost.rule, "drain-on-close")
      assert.match(lost.detail, /events written before the scope closed had not been delivered/)

      const twice = destination()
      const duplicated = yield* run(
        Effect.succeed(
          asyncSink("twice", (b) => {
            twice.push(b)
            if (b.size > 100) twice.push(b)
          })
        ),
        twice.received
      )
      assert.strictEqual(duplicated.rule, "delivers-once")
      assert.match(duplicated.detail, /was delivered 2 times/)

      const reverses = destination()
      const reordered = yield* run(
        Effect.succeed(asyncSink("reverses", (b) => reverses.push(b, (l) => l.reverse()))),
        reverses.received
      )
      assert.strictEqual(reordered.rule, "order")

      const buffers = destination()
      const noDrain = yield* run(
        Effect.succeed(
          asyncSink("never-flushes-the-last", (b) => {
            if (b.size !== 20) buffers.push(b)
          })
        ),
        buffers.received
      )
      assert.strictEqual(noDrain.rule, "drain-on-close")
      assert.match(noDrain.detail, /first missing: event 201 of batch 3/)

      const throwing = yield* run(
        Effect.succeed({
          name: "throws",
          write: () => {
            throw new Error("kaput")
          }
        }),
        Effect.succeed([])
      )
      assert.strictEqual(throwing.rule, "write")
      assert.match(throwing.detail, /threw Error: kaput instead of returning an Effect/)

      const hostile = destination()
      const fragile = yield* run(
        Effect.succeed(
          asyncSink("fragile", (b) => {
            for (const e of b.events) if (e.fields.hostile !== undefined) JSON.stringify(e.fields)
            hostile.push(b)
          })
        ),
        hostile.received
      )
      assert.strictEqual(fragile.rule, "hostile-events")
      assert.match(fragile.detail, /write of a batch of hostile events died/)

      const shape = yield* run(Effect.succeed({ name: "", write: () => Effect.void }), Effect.succeed([]))
      assert.strictEqual(shape.rule, "shape")
    })
  )

  it.live("a write failure must be a SinkError, not a defect or another error", () =>
    Effect.gen(function* () {
      const memory = Testing.memory()
      const options = (failing: Sink.Sink) => ({
        make: Effect.succeed(memory),
        received: Effect.sync(() => memory.lines()),
        failing: Effect.succeed(failing),
        skip: ["hostile-events", "write-sync"] as const
      })
      const dies = yield* Testing.sinkConformance(
        options({ name: "dies", write: () => Effect.die(new Error("socket exploded")) })
      ).pipe(Effect.exit, Effect.map(violation))
      assert.strictEqual(dies.rule, "failure-is-sink-error")
      assert.match(dies.detail, /write died with Error: socket exploded/)
      const other = yield* Testing.sinkConformance(
        options({ name: "other", write: () => Effect.fail(new Error("plain")) as never })
      ).pipe(Effect.exit, Effect.map(violation))
      assert.match(other.detail, /not a SinkError/)
      const ok = yield* Testing.sinkConformance(
        options({
          name: "fails-well",
          write: () => Effect.fail(new Errors.SinkError({ sink: "x", reason: "HTTP 500" }))
        })
      )
      assert.include(ok.passed, "failure-is-sink-error")
    })
  )

  it.live("a hanging close is reported with the timeout, not waited for forever", () =>
    Effect.gen(function* () {
      const memory = Testing.memory()
      const error = yield* Testing.sinkConformance({
        make: Effect.acquireRelease(Effect.succeed(memory), () => Effect.never),
        received: Effect.sync(() => memory.lines()),
        timeoutMs: 200
      }).pipe(Effect.exit, Effect.map(violation))
      assert.strictEqual(error.rule, "close")
      assert.match(error.detail, /did not complete within 200 ms/)
    })
  )
})

describe("Testing.enricherConformance", () => {
  it.effect("a well-behaved enricher conforms; one that throws, returns junk or mutates is named", () =>
    Effect.gen(function* () {
      const good = yield* Testing.enricherConformance({
        make: { name: "region", enrich: (e) => ({ region: "eu-1", long: e.message.length, big: 1n }) }
      })
      assert.deepStrictEqual(good.passed, ["shape", "never-throws", "returns-fields", "serializable"])

      const throws = yield* Testing.enricherConformance({
        make: {
          name: "picky",
          enrich: (e) => {
            if (e.message === "") throw new Error("empty")
            return undefined
          }
        }
      }).pipe(Effect.exit, Effect.map(violation))
      assert.strictEqual(throws.rule, "never-throws")
      assert.match(throws.detail, /threw Error: empty for a trace event/)

      const mutates = yield* Testing.enricherConformance({
        make: {
          name: "mutates",
          enrich: (e) => {
            ;(e as { message: string }).message = "changed"
            return undefined
          }
        }
      }).pipe(Effect.exit, Effect.map(violation))
      assert.strictEqual(mutates.rule, "never-throws")

      const junk = yield* Testing.enricherConformance({
        make: { name: "junk", enrich: () => [1, 2] as never }
      }).pipe(Effect.exit, Effect.map(violation))
      assert.strictEqual(junk.rule, "returns-fields")

      const shape = yield* Testing.enricherConformance({ make: { name: "", enrich: () => undefined } }).pipe(
        Effect.exit,
        Effect.map(violation)
      )
      assert.strictEqual(shape.rule, "shape")
    })
  )

  it.effect("an enricher plugin's make is opened in a scope and checked", () =>
    Effect.gen(function* () {
      const region = regionPlugin()
      const report = yield* Testing.enricherConformance({ make: Plugin.open(region, { region: "eu" }) })
      assert.include(report.passed, "serializable")
    })
  )
})

describe("Testing.pluginConformance", () => {
  const lines = Plugin.sink({
    name: "fapilog-plugin-lines",
    type: "lines",
    version: "1.2.3",
    apiVersion: "1.0",
    description: "Lines in memory",
    config: Schema.Struct({}),
    make: () => Effect.succeed(Sink.memory())
  })

  it.effect("checks metadata, the apiVersion, the package name and package.json", () =>
    Effect.gen(function* () {
      const packageJson = {
        name: "fapilog-plugin-lines",
        version: "1.2.3",
        fapilog: { kind: "sink", type: "lines", apiVersion: "1.0" }
      }
      const ok = yield* Testing.pluginConformance(lines, { packageJson })
      assert.deepStrictEqual(ok.passed, ["plugin-shape", "api-version", "discoverable", "package-json"])

      const wrongApi = yield* Testing.pluginConformance({ ...lines, apiVersion: "1.7" }).pipe(
        Effect.exit,
        Effect.map(violation)
      )
      assert.strictEqual(wrongApi.rule, "api-version")
      assert.match(wrongApi.detail, /newer than this fapilog's 1.0/)

      const hidden = yield* Testing.pluginConformance({ ...lines, name: "my-lines" }).pipe(
        Effect.exit,
        Effect.map(violation)
      )
      assert.strictEqual(hidden.rule, "discoverable")
      assert.strictEqual(
        hidden.detail,
        'settings name it by type "lines", but discovery looks for @fapilog/lines or fapilog-plugin-lines (with -effect4 on Effect 4), not my-lines'
      )

      const mismatch = yield* Testing.pluginConformance(lines, {
        packageJson: { ...packageJson, fapilog: { ...packageJson.fapilog, type: "line" } }
      }).pipe(Effect.exit, Effect.map(violation))
      assert.strictEqual(mismatch.rule, "package-json")

      // the package of its Effect 4 build is not this line's
      const effect4Package = yield* Testing.pluginConformance(lines, {
        packageJson: { ...packageJson, name: "fapilog-plugin-lines-effect4" }
      }).pipe(Effect.exit, Effect.map(violation))
      assert.strictEqual(effect4Package.rule, "package-json")
      assert.strictEqual(
        effect4Package.detail,
        'package.json name is "fapilog-plugin-lines-effect4", the plugin object says "fapilog-plugin-lines"'
      )
      const effect4Line = yield* Testing.pluginConformance(lines, {
        packageJson: { ...packageJson, fapilog: { ...packageJson.fapilog, effect: [4] } }
      }).pipe(Effect.exit, Effect.map(violation))
      assert.strictEqual(effect4Line.rule, "package-json")
      assert.match(
        effect4Line.detail,
        /is built for Effect 4 only \(package.json "fapilog".effect\), not Effect 3/
      )

      const notAPlugin = yield* Testing.pluginConformance({ name: "x" }).pipe(
        Effect.exit,
        Effect.map(violation)
      )
      assert.strictEqual(notAPlugin.rule, "plugin-shape")
      assert.match(notAPlugin.detail, /needs type/)
    })
  )
})

describe("Testing.processorConformance", () => {
  const run = (options: Testing.ProcessorConformanceOptions) =>
    Testing.processorConformance(options).pipe(Effect.exit, Effect.map(violation))

  it.effect("a per-event processor conforms, its drops accounted for", () =>
    Effect.gen(function* () {
      const report = yield* Testing.processorConformance({
        make: Processor.make("no-debug", (e) =>
          e.level === "debug" ? undefined : { ...e, fields: { ...e.fields, seen: true } }
        ),
        drops: (e) => e.level === "debug"
      })
      assert.deepStrictEqual(report.passed, [
        "shape",
        "never-throws",
        "returns-events",
        "keeps-ids",
        "order",
        "no-mutation",
        "serializable",
        "drop-accounting"
      ])
      assert.deepStrictEqual(report.skipped, ["flush"])
    })
  )

  it.effect("a batch processor that holds counts and reports them on tick and flush conforms", () =>
    Effect.gen(function* () {
      let held = 0
      const report = (context: Processor.Context) => {
        if (held > 0) context.emit({ level: "info", message: `held back ${held}`, fields: { held } })
        held = 0
      }
      const everyOther: Processor.Processor = {
        name: "every-other",
        processBatch: (events) => {
          const kept = events.filter((_, i) => i % 2 === 0)
          held += events.length - kept.length
          return kept
        },
        tick: report,
        flush: report
      }
      const events = Array.from({ length: 10 }, (_, i) => ({ message: `e${i}` }))
      const result = yield* Testing.processorConformance({
        make: everyOther,
        events,
        drops: (e) => Number(e.message.slice(1)) % 2 === 1
      })
      assert.deepStrictEqual(result.skipped, [])
    })
  )

  it.effect("names the rule a misbehaving processor breaks, and the event it breaks it on", () =>
    Effect.gen(function* () {
      const noName = yield* run({ make: { name: "", process: (e) => e } })
      assert.strictEqual(noName.rule, "shape")
      assert.match(noName.detail, /the processor needs a name/)
      const both = yield* run({ make: { name: "both", process: (e) => e, processBatch: (es) => es } })
      assert.strictEqual(both.rule, "shape")
      assert.match(both.detail, /exactly one of process \(per event\) and processBatch/)

      const fragile = yield* run({
        make: Processor.make("fragile", (e) => (JSON.stringify(e.fields).length > 0 ? e : e))
      })
      assert.strictEqual(fragile.rule, "never-throws")
      assert.match(
        fragile.detail,
        /^process threw TypeError: .*circular.* for the event "hostile-00000 cycle" \(hostile value: cycle\)$/s
      )

      const fragileBatch = yield* run({
        make: {
          name: "fragile-batch",
          processBatch: (es) => es.filter((e) => String(e.fields.hostile) !== "")
        }
      })
      assert.strictEqual(fragileBatch.rule, "never-throws")
      assert.match(
        fragileBatch.detail,
        /^processBatch threw .* for the event "hostile-00001 bigint"|throwing toString/
      )

      const junk = yield* run({ make: Processor.make("junk", () => "dropped" as never) })
      assert.strictEqual(junk.rule, "returns-events")
      assert.match(
        junk.detail,
        /process returned a value for the event .* that is not an event: "dropped" is not an event/
      )
      const notArray = yield* run({ make: { name: "not-array", processBatch: () => undefined as never } })
      assert.strictEqual(notArray.rule, "returns-events")
      assert.match(
        notArray.detail,
        /processBatch returned undefined for a batch of 1 events, not an array of events/
      )
      const noLevel = yield* run({
        make: Processor.make("no-level", (e) => ({ ...e, level: "loud" as never }))
      })
      assert.strictEqual(noLevel.rule, "returns-events")
      assert.match(noLevel.detail, /its level "loud" is not a level/)

      const fresh = yield* run({
        make: {
          name: "fresh",
          processBatch: (es) =>
            es.map((e) => ({
              timestamp: e.timestamp,
              level: e.level,
              logger: e.logger,
              message: e.message,
              fields: {}
            }))
        }
      })
      assert.strictEqual(fresh.rule, "keeps-ids")
      assert.match(fresh.detail, /none of those given .* add new events with context\.emit/)
      const twice = yield* run({ make: { name: "twice", processBatch: (es) => [...es, ...es] } })
      assert.strictEqual(twice.rule, "keeps-ids")
      assert.match(twice.detail, /came out twice .* sinks de-duplicate by id/)

      const reversed = yield* run({ make: { name: "reversed", processBatch: (es) => [...es].reverse() } })
      assert.strictEqual(reversed.rule, "order")

      const writes = yield* run({
        make: Processor.make("writes", (e) => {
          ;(e.fields as Record<string, unknown>).seen = true
          return e
        })
      })
      assert.strictEqual(writes.rule, "no-mutation")
      assert.match(writes.detail, /events are frozen, return a new one instead/)
      const deep = yield* run({
        make: Processor.make("deep", (e) => {
          const user = e.fields.user
          if (typeof user === "object" && user !== null) delete (user as Record<string, unknown>).email
          return e
        })
      })
      assert.strictEqual(deep.rule, "no-mutation")
      assert.match(deep.detail, /process changed fields\.user of the event "trace event" it was given/)

      let held = 0
      const holds = yield* run({
        make: {
          name: "holds",
          processBatch: (es) => {
            held += es.length
            return []
          },
          flush: (context) => context.emit({ level: "info", message: `held ${held}` })
        }
      })
      assert.strictEqual(holds.rule, "flush")
      assert.match(holds.detail, /a second flush, with no event in between, emitted 1 events/)
      const badEmit = yield* run({
        make: {
          name: "bad-emit",
          process: (e) => e,
          flush: (c) => c.emit({ level: "loud" as never, message: "x" })
        }
      })
      assert.strictEqual(badEmit.rule, "never-throws")
      assert.match(badEmit.detail, /in the processor stage: .*flush failed/)

      const promised = yield* run({
        make: Processor.make("drops-errors", (e) => (e.level === "error" ? undefined : e)),
        drops: (e) => e.level === "debug"
      })
      assert.strictEqual(promised.rule, "drop-accounting")
      assert.match(
        promised.detail,
        /kept the event "debug event", which drops says it drops|dropped the event "error event", which drops says it keeps/
      )
      // a batch processor that replaces a dropped event by a new one: the stage would undercount
      const replaces = yield* run({
        make: {
          name: "replaces",
          processBatch: (es) => [
            ...es.filter((e) => e.level !== "debug"),
            ...es
              .filter((e) => e.level === "debug")
              .map((e) => ({ ...e, id: undefined as never, message: "summary" }))
          ]
        },
        drops: (e) => e.level === "debug",
        skip: ["keeps-ids", "order"]
      })
      assert.strictEqual(replaces.rule, "drop-accounting")
      assert.match(replaces.detail, /dropped 2 events but the stage counts 0 under "replaces"/)
    })
  )

  it.live("a processor plugin is opened in a scope and checked; opening that hangs is cut", () =>
    Effect.gen(function* () {
      const report = yield* Testing.processorConformance({
        make: Plugin.open(redactPlugin(), { keys: ["email"] }),
        drops: () => false
      })
      assert.include(report.passed, "drop-accounting")
      const hangs = yield* run({ make: Effect.never, timeoutMs: 100 })
      assert.strictEqual(hangs.rule, "shape")
      assert.match(hangs.detail, /opening the processor did not complete within 100 ms/)
    })
  )
})

describe("Testing.formatterConformance", () => {
  const run = (options: Testing.FormatterConformanceOptions) =>
    Testing.formatterConformance(options).pipe(Effect.exit, Effect.map(violation))

  it.effect("every built-in formatter conforms; json lines pass a JSON check", () =>
    Effect.gen(function* () {
      for (const f of [
        Formatter.json,
        Formatter.logfmt(),
        Formatter.pretty({ colors: false }),
        Formatter.pretty({ colors: true }),
        Formatter.minimal(),
        Formatter.ecs(),
        Formatter.otel(),
        Formatter.pino()
      ]) {
        const report = yield* Testing.formatterConformance({ make: f })
        assert.deepStrictEqual(report.skipped, ["valid-line"], f.name)
      }
      const checked = yield* Testing.formatterConformance({
        make: Formatter.json,
        check: (line, event) => {
          const parsed = JSON.parse(line) as { level?: unknown }
          return parsed.level === event.level ? undefined : "its level is not the event's"
        }
      })
      assert.include(checked.passed, "valid-line")
    })
  )

  it.effect("names the rule a misbehaving formatter breaks, and the event", () =>
    Effect.gen(function* () {
      const shape = yield* run({ make: { name: "x", format: "no" as never } })
      assert.strictEqual(shape.rule, "shape")
      const naive = yield* run({ make: Formatter.make("naive", (e) => JSON.stringify(e)) })
      assert.strictEqual(naive.rule, "never-throws")
      assert.match(naive.detail, /^format threw TypeError: .*circular.* for the event "hostile-00000 cycle"/s)
      const number = yield* run({ make: Formatter.make("number", () => 42 as never) })
      assert.strictEqual(number.rule, "returns-string")
      assert.match(number.detail, /format returned 42 for the event .*, not a string/)
      const raw = yield* run({ make: Formatter.make("raw", (e) => `${e.level} ${e.message}`) })
      assert.strictEqual(raw.rule, "one-line")
      assert.match(
        raw.detail,
        /holds a carriage return at \d+: .* \(escape line breaks: one event is one line\)/
      )
      const empty = yield* run({ make: Formatter.make("empty", () => "") })
      assert.strictEqual(empty.rule, "one-line")
      assert.match(empty.detail, /an empty line/)
      const surrogate = yield* run({
        make: Formatter.make("flat", (e) => `${e.level} ${e.message.replace(/[\n\r]/g, " ")}`)
      })
      assert.strictEqual(surrogate.rule, "utf8")
      assert.match(surrogate.detail, /lone surrogate/)
      let n = 0
      const counter = yield* run({
        make: Formatter.make("counter", (e) => `${n++} ${JSON.stringify(e.level)}`)
      })
      assert.strictEqual(counter.rule, "pure")
      const marks = yield* run({
        make: Formatter.make("marks", (e) => {
          ;(e.fields as Record<string, unknown>).formatted = true
          return JSON.stringify(e.level)
        })
      })
      assert.strictEqual(marks.rule, "no-mutation")
      assert.match(marks.detail, /format changed fields\.formatted of the event "hostile-00000 cycle"/)
      const invalid = yield* run({
        make: Formatter.logfmt(),
        check: (line) => (line.startsWith("{") ? undefined : "not a JSON object")
      })
      assert.strictEqual(invalid.rule, "valid-line")
      assert.match(invalid.detail, /does not conform: not a JSON object: timestamp=/)
    })
  )

  it.effect("a formatter plugin is opened in a scope and checked", () =>
    Effect.gen(function* () {
      const report = yield* Testing.formatterConformance({
        make: Plugin.open(upperPlugin(), { prefix: "> " })
      })
      assert.include(report.passed, "one-line")
    })
  )
})
