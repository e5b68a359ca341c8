import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Effect, Either, Exit, Layer, pipe, Scope } from "effect"
import { SinkError } from "../src/Errors.js"
import * as Fapilog from "../src/Fapilog.js"
import * as Formatter from "../src/Formatter.js"
import { createLogger } from "../src/index.js"
import { BatchImpl } from "../src/internal/batch.js"
import * as L from "../src/internal/level.js"
import { recordOf } from "../src/internal/record.js"
import * as LogEvent from "../src/LogEvent.js"
import * as Sink from "../src/Sink.js"
import { allFormatters } from "./support/events.js"
import { fillDisk, withTmpfs } from "./support/tmpfs.js"

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-sink-"))
const batch = (...messages: Array<string>) =>
  new BatchImpl(messages.map((m) => recordOf(L.INFO, m, { time: Date.now(), logger: "t", fields: { n: 1 } })))

describe("Sink.file", () => {
  it.effect("creates the parent directory and a 0640 file, and appends JSON lines", () =>
    Effect.gen(function* () {
      const file = path.join(tmp(), "nested", "dir", "app.log")
      const scope = yield* Scope.make()
      const sink = yield* Sink.file({ path: file }).pipe(Scope.extend(scope))
      sink.writeSync?.(batch("a", "b"))
      yield* sink.write(batch("c"))
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o640)
      const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n")
      assert.deepStrictEqual(
        lines.map((l) => Either.getOrThrow(LogEvent.fromJsonLine(l)).message),
        ["a", "b", "c"]
      )
      // a second open appends rather than truncates
      yield* Effect.scoped(Effect.flatMap(Sink.file({ path: file }), (s) => s.write(batch("d"))))
      assert.strictEqual(fs.readFileSync(file, "utf8").trimEnd().split("\n").length, 4)
    })
  )

  it.effect("honours a custom mode and a custom formatter", () =>
    Effect.gen(function* () {
      const file = path.join(tmp(), "private.log")
      const upper = Formatter.make("upper", (e) => e.message.toUpperCase())
      yield* Effect.scoped(
        Effect.flatMap(Sink.file({ path: file, mode: 0o600, format: upper }), (s) => s.write(batch("x")))
      )
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
      assert.strictEqual(fs.readFileSync(file, "utf8"), "X\n")
    })
  )

  it.effect("fails with a SinkError naming the file when it cannot be opened", () =>
    Effect.gen(function* () {
      const dir = tmp()
      const blocker = path.join(dir, "not-a-dir")
      fs.writeFileSync(blocker, "")
      const error = yield* Effect.flip(Effect.scoped(Sink.file({ path: path.join(blocker, "app.log") })))
      assert.instanceOf(error, SinkError)
      assert.include(error.message, "cannot open file")
      assert.include(error.sink, "not-a-dir")
    })
  )

  it.effect(
    "a file whose last line a crash left without its newline is ended on open: the next event reads back",
    () =>
      Effect.gen(function* () {
        const file = path.join(tmp(), "app.log")
        fs.writeFileSync(file, '{"timestamp":"2026-01-01T00:00:00.000Z","level":"info","message":"cut sh')
        yield* Effect.scoped(Effect.flatMap(Sink.file({ path: file }), (s) => s.write(batch("first"))))
        const lines = fs.readFileSync(file, "utf8").split("\n")
        assert.strictEqual(lines.length, 3)
        assert.strictEqual(Either.getOrThrow(LogEvent.fromJsonLine(lines[1] as string)).message, "first")
      })
  )

  it.live("a write cut short by a full disk keeps whole events only, and the SinkError says how many", () =>
    Effect.promise(() =>
      withTmpfs("64k", async (dir) => {
        const file = path.join(dir, "app.log")
        // events of several lines each: the file must end where an event ends, not a line
        const multiline = Formatter.pretty({ colors: false, multiline: true })
        const events = (n: number) =>
          new BatchImpl(
            Array.from({ length: n }, (_, i) =>
              recordOf(L.ERROR, `e${i}`, { time: Date.now(), logger: "t", error: new Error(`boom ${i}`) })
            )
          )
        await Effect.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              const sink = yield* Sink.file({ path: file, format: multiline })
              sink.writeSync?.(events(1))
              const before = fs.statSync(file).size
              const filler = fillDisk(dir)
              const full = events(40)
              const error = yield* Effect.flip(sink.write(full))
              assert.instanceOf(error, SinkError)
              assert.strictEqual((error.cause as NodeJS.ErrnoException).code, "ENOSPC")
              const written = error.written ?? 0
              assert.isAbove(written, 0)
              assert.isBelow(written, 40)
              assert.include(error.reason, `after ${written} of 40 events`)
              assert.strictEqual(
                fs.statSync(file).size,
                before + (full.byteEnds(multiline)?.[written - 1] ?? -1)
              )
              fs.unlinkSync(filler)
            })
          )
        )
      })
    )
  )

  it.effect("makeSync's write keeps the SinkError a writeSync throws, with its count of events written", () =>
    Effect.gen(function* () {
      const partial = Sink.makeSync("partial", () => {
        throw new SinkError({ sink: "partial", reason: "full", written: 1 })
      })
      const error = yield* Effect.flip(partial.write(batch("a", "b")))
      assert.strictEqual(error.written, 1)
      assert.strictEqual(error.reason, "full")
    })
  )

  it.effect("a failed synchronous write surfaces as a SinkError from write", () =>
    Effect.gen(function* () {
      const failing = Sink.makeSync("failing", () => {
        throw new Error("ENOSPC")
      })
      const error = yield* Effect.flip(failing.write(batch("x")))
      assert.strictEqual(error.sink, "failing")
      assert.strictEqual(error.message, "sink failing: write failed: ENOSPC")
    })
  )
})

describe("Sink.memory and friends", () => {
  it("keeps events and lines, and clears", () => {
    const memory = Sink.memory()
    memory.writeSync?.(batch("one", "two"))
    assert.deepStrictEqual(
      memory.events().map((e) => [e.message, e.fields.n]),
      [
        ["one", 1],
        ["two", 1]
      ]
    )
    assert.strictEqual(memory.lines().length, 2)
    assert.strictEqual(JSON.parse(memory.lines()[0] as string).message, "one")
    memory.clear()
    assert.strictEqual(memory.events().length, 0)
    assert.strictEqual(memory.lines().length, 0)
  })

  it("renders each formatter once per batch and shares the text", () => {
    let calls = 0
    const counting = Formatter.make("counting", (e) => {
      calls++
      return e.message
    })
    const b = batch("a", "b")
    assert.strictEqual(b.text(counting), "a\nb\n")
    assert.strictEqual(b.text(counting), "a\nb\n")
    assert.strictEqual(calls, 2)
    assert.strictEqual(b.events, b.events)
    assert.strictEqual(b.size, 2)
  })

  it("the JSON formatter gives the same line from a record and from its event", () => {
    const b = batch("same")
    const fromRecord = b.text(Formatter.json)
    const fromEvent = `${Formatter.json.format(b.events[0] as LogEvent.LogEvent)}\n`
    assert.strictEqual(fromRecord, fromEvent)
    const limited = Formatter.jsonWith({ ...Formatter.defaultLimits, maxStringLength: 2 })
    assert.include(
      limited.format({ ...(b.events[0] as LogEvent.LogEvent), fields: { long: "abcdef", level: 1 } }),
      '"ab…[truncated 4 chars]"'
    )
  })

  it("discard accepts everything", () => {
    assert.doesNotThrow(() => Sink.discard.writeSync?.(batch("gone")))
    assert.strictEqual(Sink.discard.name, "null")
  })

  it("stdout and stderr write to fds 1 and 2", () => {
    assert.strictEqual(Sink.stdout().name, "stdout")
    assert.strictEqual(Sink.stderr().name, "stderr")
  })
})

describe("Sink combinators and Formatter constructors", () => {
  it("route and withMinLevel split a batch by level", () => {
    const high = Sink.memory()
    const low = Sink.memory()
    const atLeastWarn = Sink.memory()
    const routed = Sink.route([
      { levels: ["error", "fatal"], sinks: [high] },
      { levels: "*", sinks: [low] }
    ])
    const leveled = Sink.withMinLevel(atLeastWarn, "warn")
    const b = new BatchImpl([
      recordOf(L.INFO, "i", { time: 0, logger: "t" }),
      recordOf(L.ERROR, "e", { time: 0, logger: "t" })
    ])
    routed.writeSync?.(b)
    leveled.writeSync?.(b)
    assert.deepStrictEqual(
      high.events().map((e) => e.message),
      ["e"]
    )
    assert.deepStrictEqual(
      low.events().map((e) => e.message),
      ["i", "e"]
    )
    assert.deepStrictEqual(
      atLeastWarn.events().map((e) => e.message),
      ["e"]
    )
  })

  it("withCategories and withFilter select events by logger and by predicate, in both call styles", () => {
    const db = Sink.memory()
    const notPool = Sink.memory()
    const slow = Sink.memory()
    const byCategory = Sink.withCategories(db, { include: ["app.db"] })
    const excluding = pipe(notPool, Sink.withCategories({ include: ["app"], exclude: ["app.db.pool"] }))
    const filtered = pipe(
      Sink.withMinLevel(slow, "info"),
      Sink.withFilter((e) => typeof e.fields.ms === "number" && e.fields.ms > 100)
    )
    const b = new BatchImpl([
      recordOf(L.INFO, "pool", { time: 0, logger: "app.db.pool", fields: { ms: 500 } }),
      recordOf(L.INFO, "db", { time: 0, logger: "app.db", fields: { ms: 5 } }),
      recordOf(L.INFO, "dbx", { time: 0, logger: "app.dbx", fields: { ms: 200 } }),
      recordOf(L.DEBUG, "debug", { time: 0, logger: "app.http", fields: { ms: 900 } }),
      recordOf(L.INFO, "other", { time: 0, logger: "other" })
    ])
    for (const s of [byCategory, excluding, filtered]) s.writeSync?.(b)
    assert.deepStrictEqual(
      db.lines().map((l) => JSON.parse(l).message),
      ["pool", "db"]
    )
    assert.deepStrictEqual(
      notPool.lines().map((l) => JSON.parse(l).message),
      ["db", "dbx", "debug"]
    )
    assert.deepStrictEqual(
      slow.lines().map((l) => JSON.parse(l).message),
      ["pool", "dbx"]
    )
  })

  it("a filter sees events as sinks see them: redacted", async () => {
    const memory = Sink.memory()
    const seen: Array<unknown> = []
    const log = await createLogger({
      redact: { keys: ["password"] },
      sinks: [
        Sink.withFilter(memory, (e) => {
          seen.push(e.fields.password)
          return true
        })
      ]
    })
    log.info("login", { password: "hunter2" })
    await log.close()
    assert.deepStrictEqual(seen, ["[REDACTED]"])
  })

  it.effect("route serves asynchronous sinks too and reports the first failure", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const asyncSink: Sink.Sink = {
        name: "a",
        write: (batch) => Effect.sync(() => seen.push(...batch.events.map((e) => e.message)))
      }
      const routed = Sink.route([{ levels: ["info"], sinks: [asyncSink] }])
      assert.isUndefined(routed.writeSync)
      yield* routed.write(batch("x"))
      assert.deepStrictEqual(seen, ["x"])
      const failing = Sink.route([
        {
          levels: "*",
          sinks: [
            Sink.makeSync("bad", () => {
              throw new Error("boom")
            })
          ]
        }
      ])
      assert.throws(() => failing.writeSync?.(batch("y")), /boom/)
    })
  )

  it("every formatter constructor renders one line", () => {
    const event = batch("hello").events[0] as LogEvent.LogEvent
    for (const f of allFormatters()) {
      const line = f.format(event)
      assert.include(line, "hello")
      assert.notInclude(line, "\n")
    }
    assert.isFalse(Formatter.shouldColor({ isTTY: true }, { NO_COLOR: "1" }))
  })
})

describe("a formatter that throws", () => {
  it("costs only the event it failed on, which is written as a JSON line without its fields", () => {
    const reported: Array<string> = []
    const picky = Formatter.make("picky", (e) => {
      if (e.message === "bad") throw new Error("cannot format")
      return `ok ${e.message}`
    })
    const b = new BatchImpl(
      [
        recordOf(L.INFO, "good"),
        recordOf(L.INFO, "bad", { fields: { secret: "s" } }),
        recordOf(L.INFO, "fine")
      ],
      { onFormatError: (name) => reported.push(name) }
    )
    const lines = b.text(picky).trimEnd().split("\n")
    assert.strictEqual(lines[0], "ok good")
    assert.strictEqual(lines[2], "ok fine")
    const fallback = JSON.parse(lines[1] as string)
    assert.strictEqual(fallback.error.message, "cannot format")
    assert.notInclude(lines[1], "secret")
    assert.deepStrictEqual(reported, ["picky"])
  })
})

class Store extends Context.Tag("test/Store")<
  Store,
  { readonly put: (lines: string) => Effect.Effect<void> }
>() {}

describe("Sink.layer", () => {
  it.live("acquires the sink in the layer's scope and releases it after the logger has drained", () =>
    Effect.gen(function* () {
      const trail: Array<string> = []
      let written = 0
      const SlowSink = Sink.layer(
        Effect.acquireRelease(
          Effect.sync((): Sink.Sink => {
            trail.push("acquired")
            return {
              name: "slow",
              write: (b) => Effect.sleep(2).pipe(Effect.andThen(() => void (written += b.size)))
            }
          }),
          () => Effect.sync(() => trail.push(`released after ${written} events`))
        )
      )
      yield* Effect.forEach(
        Array.from({ length: 2000 }, (_, i) => i),
        (i) => Effect.log(`e${i}`),
        { discard: true }
      ).pipe(Effect.provide(Fapilog.layer({ sinks: ["null"] }).pipe(Layer.provide(SlowSink))))
      assert.deepStrictEqual(trail, ["acquired", "released after 2000 events"])
    })
  )

  it.effect("sink layers accumulate, merged or provided in turn, next to the sinks of the settings", () =>
    Effect.gen(function* () {
      const a = Sink.memory()
      const b = Sink.memory()
      const c = Sink.memory()
      const fromSettings = Sink.memory()
      const live = Fapilog.layer({ sinks: [fromSettings] }).pipe(
        Layer.provide(Layer.merge(Sink.layer(Effect.succeed(a)), Sink.layer(Effect.succeed(b)))),
        Layer.provide(Sink.layer(Effect.succeed(c)))
      )
      yield* Effect.log("to all").pipe(Effect.zipRight(Fapilog.flush), Effect.provide(live))
      for (const sink of [a, b, c, fromSettings]) assert.deepStrictEqual(sink.lines().length, 1)
    })
  )

  it.effect("a sink that fails to open fails the layer with its error", () =>
    Effect.gen(function* () {
      const broken = Sink.layer(Sink.file({ path: "/proc/fapilog-cannot-write-here/app.log" }))
      const exit = yield* Effect.exit(
        Effect.log("x").pipe(Effect.provide(Fapilog.layer().pipe(Layer.provide(broken))))
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.instanceOf(error, SinkError)
    })
  )
})

describe("Sink.layerWrite", () => {
  it.live(
    "takes its requirements from the context when built (they show in its type) and retries failed writes",
    () =>
      Effect.gen(function* () {
        const stored: Array<string> = []
        let failuresLeft = 1
        const store = Layer.succeed(Store, {
          put: (lines) =>
            failuresLeft-- > 0
              ? Effect.die(new Error("store briefly down"))
              : Effect.sync(() => void stored.push(lines))
        })
        const StoreSink = Sink.layerWrite("store", (b) =>
          Effect.flatMap(Store, (s) => s.put(b.text(Formatter.json))).pipe(
            Effect.catchAllDefect((cause) =>
              Effect.fail(new SinkError({ sink: "store", reason: "put failed", cause }))
            )
          )
        )
        const needs: Layer.Layer<Fapilog.Extension, never, Store> = StoreSink
        yield* Effect.log("stored").pipe(
          Effect.zipRight(Fapilog.flush),
          Effect.provide(
            Fapilog.layer({ sinks: ["null"], retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }).pipe(
              Layer.provide(needs),
              Layer.provide(store)
            )
          )
        )
        assert.strictEqual(stored.length, 1)
        assert.strictEqual(JSON.parse(stored[0] as string).message, "stored")
      })
  )
})
