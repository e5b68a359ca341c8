import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Either, Exit, Schema, Scope } from "effect"
import { Errors, Plugin, Processor, Sink } from "fapilog"
import { Diagnostics } from "../../src/internal/diagnostics.js"
import * as internal from "../../src/internal/plugin.js"
import * as Testing from "../../src/Testing.js"
import { fixtures, install } from "./pluginFixtures.js"

const collect = () => {
  const lines: Array<Record<string, unknown>> = []
  const diagnostics = new Diagnostics(
    "t",
    (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    0
  )
  const host: internal.Host = {
    logger: "orders",
    service: "shop",
    diagnostics,
    settings: { timeoutMs: 200 },
    shutdownTimeoutMs: 500,
    at: undefined,
    fallback: "stderr"
  }
  return { lines, host }
}

const sinkPlugin = (make: Plugin.SinkPlugin<unknown>["make"]) =>
  Plugin.sink({
    name: "fapilog-plugin-unit",
    type: "unit",
    version: "1.0.0",
    apiVersion: "1.0",
    description: "unit",
    config: Schema.Unknown,
    make
  })

describe("apiVersion rule", () => {
  it("same major, minor at most ours; reasons say which", () => {
    assert.isUndefined(internal.incompatibility("1.0"))
    assert.isUndefined(internal.incompatibility("1.2", "1.3"))
    assert.match(
      internal.incompatibility("1.4", "1.3") ?? "",
      /newer than this fapilog's 1.3: upgrade fapilog/
    )
    assert.match(internal.incompatibility("2.0") ?? "", /the major versions must be equal/)
    assert.match(internal.incompatibility("0.9") ?? "", /the major versions must be equal/)
    assert.match(internal.incompatibility(1) ?? "", /its apiVersion 1 is not a "major.minor" version/)
    assert.match(internal.incompatibility("latest") ?? "", /is not a "major.minor" version/)
  })
})

describe("readPlugin", () => {
  it("lists everything a plugin object lacks", () => {
    const read = internal.readPlugin({ name: "p", type: "Bad Type", kind: "filter" })
    assert.isTrue(Either.isLeft(read))
    assert.strictEqual(
      Either.isLeft(read) ? read.left : "",
      "\"p\" is not a valid plugin object: it needs type (lowercase letters, digits, '.', '_', '-'), kind (sink, enricher, processor or formatter), version (a string), apiVersion (a string such as \"1.0\"), description (a string), config (an effect Schema), make (a function)"
    )
  })

  it("a hostile object is a problem reported, never an exception", () => {
    const proxy = new Proxy(
      {},
      {
        get: () => {
          throw new Error("trap")
        }
      }
    )
    const read = internal.readPlugin(proxy)
    assert.strictEqual(
      Either.isLeft(read) ? read.left : "",
      "is not a readable plugin object: reading it threw Error: trap"
    )
    assert.strictEqual(Either.isLeft(internal.readPlugin(null)) ? "left" : "right", "left")
  })

  it("takes a frozen copy: later changes to the object do not change what was checked", () => {
    const p = { ...sinkPlugin(() => Effect.succeed(Sink.memory())) }
    const read = internal.readPlugin(p)
    ;(p as { apiVersion: string }).apiVersion = "9.0"
    assert.strictEqual(Either.isRight(read) ? read.right.apiVersion : "", "1.0")
    assert.isTrue(Object.isFrozen(Either.isRight(read) ? read.right : undefined))
  })
})

describe("policy", () => {
  it("deny wins over allow; either list matches type or package name", () => {
    assert.isUndefined(internal.policyRefusal(["loki", "@fapilog/loki"], undefined))
    assert.isUndefined(internal.policyRefusal(["loki", "@fapilog/loki"], { allow: ["@fapilog/loki"] }))
    assert.match(
      internal.policyRefusal(["loki"], { allow: ["loki"], deny: ["loki"] }) ?? "",
      /denied by plugins.deny/
    )
    assert.strictEqual(internal.policyRefusal(["loki"], { allow: [] }), "is not in plugins.allow (empty)")
  })
})

describe("openSink", () => {
  it.live("gives the plugin its context; report goes to the logger's diagnostics", () =>
    Effect.gen(function* () {
      const { lines, host } = collect()
      const seen: Array<string> = []
      const plugin = sinkPlugin((_, context) =>
        Effect.sync(() => {
          seen.push(`${context.logger}/${context.service}`)
          context.report("warming up", new Error("slow"))
          return Sink.memory()
        })
      )
      yield* Effect.scoped(internal.openSink(plugin as Plugin.Plugin, {}, host))
      assert.deepStrictEqual(seen, ["orders/shop"])
      assert.strictEqual(lines[0]?.message, "plugin fapilog-plugin-unit: warming up")
      assert.strictEqual((lines[0]?.error as { message: string } | undefined)?.message, "slow")
    })
  )

  it.live("a failed start reports, fails writes with a SinkError, then starts after the interval", () =>
    Effect.gen(function* () {
      const { lines, host } = collect()
      let attempts = 0
      const memory = Sink.memory()
      const plugin = sinkPlugin(() =>
        Effect.suspend(() =>
          ++attempts === 1
            ? Effect.fail(new Errors.SinkError({ sink: "unit", reason: "refused" }))
            : Effect.succeed(memory)
        )
      )
      const scope = yield* Scope.make()
      const sink = yield* internal.openSink(plugin as Plugin.Plugin, {}, host).pipe(Scope.extend(scope))
      assert.strictEqual(sink.name, "unit(fapilog-plugin-unit)")
      assert.isUndefined(sink.writeSync)
      assert.match(
        String(lines[0]?.message),
        /start failed; its sink fails every write and the start is retried/
      )
      const early = yield* Effect.exit(sink.write(Testing.batch(1)))
      assert.isTrue(Exit.isFailure(early))
      assert.strictEqual(attempts, 1, "no new attempt before the interval")
      yield* Effect.sleep(internal.restartIntervalMs + 100)
      yield* sink.write(Testing.batch(2))
      assert.strictEqual(attempts, 2)
      assert.strictEqual(memory.events().length, 2)
      assert.strictEqual(sink.name, "memory")
      assert.match(String(lines.at(-1)?.message), /started after 2 attempts/)
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.live("a write that hangs past plugins.timeoutMs fails with a SinkError", () =>
    Effect.gen(function* () {
      const { host } = collect()
      const plugin = sinkPlugin(() => Effect.succeed({ name: "slow", write: () => Effect.never }))
      const exit = yield* Effect.scoped(
        internal
          .openSink(plugin as Plugin.Plugin, {}, host)
          .pipe(Effect.flatMap((s) => Effect.exit(s.write(Testing.batch(1)))))
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.instanceOf(error, Errors.SinkError)
      assert.strictEqual((error as Errors.SinkError).reason, "write did not complete within 200 ms")
    })
  )

  it.live("passes on the sink's flush and health, contained; the stand-in of a failed start reports it", () =>
    Effect.gen(function* () {
      const { lines, host } = collect()
      let flushed = 0
      let status: Sink.State["status"] = "circuit-open"
      const background = sinkPlugin(() =>
        Effect.succeed({
          name: "bg",
          write: () => Effect.void,
          flush: Effect.sync(() => void flushed++),
          health: () => ({ status, detail: "endpoint down" })
        })
      )
      const sink = yield* internal.openSink(background as Plugin.Plugin, {}, host)
      yield* sink.flush ?? Effect.void
      assert.strictEqual(flushed, 1)
      assert.deepStrictEqual(sink.health?.(), { status: "circuit-open", detail: "endpoint down" })
      status = "bogus" as never
      assert.deepStrictEqual(sink.health?.(), {
        status: "degraded",
        detail: 'health() answered status "bogus"'
      })

      const hostile = sinkPlugin(() =>
        Effect.succeed({
          name: "hostile",
          write: () => Effect.void,
          flush: Effect.die(new Error("flush boom")),
          health: () => {
            throw new Error("health boom")
          }
        })
      )
      const bad = yield* internal.openSink(hostile as Plugin.Plugin, {}, host)
      yield* bad.flush ?? Effect.void
      assert.strictEqual(lines.at(-1)?.message, "plugin fapilog-plugin-unit: flush failed")
      assert.deepStrictEqual(bad.health?.(), {
        status: "degraded",
        detail: "health() threw Error: health boom"
      })

      const plain = yield* internal.openSink(
        sinkPlugin(() => Effect.succeed(Sink.memory())) as Plugin.Plugin,
        {},
        host
      )
      yield* plain.flush ?? Effect.die("no flush")
      assert.deepStrictEqual(plain.health?.(), { status: "ok" })

      const failed = yield* internal.openSink(
        sinkPlugin(() =>
          Effect.fail(new Errors.SinkError({ sink: "unit", reason: "refused" }))
        ) as Plugin.Plugin,
        {},
        host
      )
      assert.strictEqual(failed.health?.().status, "degraded")
      assert.match(failed.health?.().detail ?? "", /^plugin not started: SinkError/)
    }).pipe(Effect.scoped)
  )

  it.live("a sink with its own flush is not timed out while its write waits for room", () =>
    Effect.gen(function* () {
      const { host } = collect()
      const plugin = sinkPlugin(() =>
        Effect.succeed({ name: "queueing", write: () => Effect.sleep(400), flush: Effect.void })
      )
      const sink = yield* internal.openSink(plugin as Plugin.Plugin, {}, host)
      const exit = yield* Effect.exit(sink.write(Testing.batch(1)))
      assert.isTrue(Exit.isSuccess(exit), "waited 400 ms, past plugins.timeoutMs (200)")
      const throwing = yield* internal.openSink(
        sinkPlugin(() =>
          Effect.succeed({
            name: "throwing",
            write: () => {
              throw new Error("boom")
            },
            flush: Effect.void
          })
        ) as Plugin.Plugin,
        {},
        host
      )
      const thrown = yield* Effect.flip(throwing.write(Testing.batch(1)))
      assert.strictEqual(thrown.reason, "write threw")
    }).pipe(Effect.scoped)
  )

  it.live("resources acquired by a start that fails are released at once", () =>
    Effect.gen(function* () {
      const { host } = collect()
      const events: Array<string> = []
      const plugin = sinkPlugin(() =>
        Effect.acquireRelease(
          Effect.sync(() => events.push("acquired")),
          () => Effect.sync(() => events.push("released"))
        ).pipe(Effect.zipRight(Effect.fail(new Errors.SinkError({ sink: "unit", reason: "half-open" }))))
      )
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* internal.openSink(plugin as Plugin.Plugin, {}, host)
          assert.deepStrictEqual(events, ["acquired", "released"])
        })
      )
    })
  )
})

const processorPlugin = (
  make: Plugin.ProcessorPlugin<unknown>["make"],
  onError?: "pass" | "drop"
): Plugin.Plugin =>
  Plugin.processor({
    name: "fapilog-plugin-unit-processor",
    type: "unit-processor",
    version: "1.0.0",
    apiVersion: "1.0",
    description: "unit",
    ...(onError === undefined ? {} : { onError }),
    config: Schema.Unknown,
    make
  }) as Plugin.Plugin

const formatterPlugin = (make: Plugin.FormatterPlugin<unknown>["make"]): Plugin.Plugin =>
  Plugin.formatter({
    name: "fapilog-plugin-unit-formatter",
    type: "unit-formatter",
    version: "1.0.0",
    apiVersion: "1.0",
    description: "unit",
    config: Schema.Unknown,
    make
  }) as Plugin.Plugin

/** A context whose `now` is `ms` after the real time, so a retry interval can be passed without waiting. */
const contextAt = (ms = 0): Processor.Context => ({ now: Date.now() + ms, emit: () => undefined })

const events = (n: number) => Testing.batch(n).events

/** Waits (polling) until `done` holds: the background start of a processor plugin. */
const until = (done: () => boolean) =>
  Effect.gen(function* () {
    while (!done()) yield* Effect.sleep(5)
  })

describe("openProcessor", () => {
  it.effect(
    "runs under the plugin's type; the entry's order and onError win over the processor's, then the plugin's",
    () =>
      Effect.gen(function* () {
        const { host } = collect()
        const tag = Processor.make("tagger", (e) => ({ ...e, fields: { ...e.fields, tagged: true } }), {
          order: 5
        })
        const opened = yield* internal.openProcessor(
          processorPlugin(() => Effect.succeed(tag), "drop"),
          {},
          host
        )
        assert.strictEqual(opened.name, "unit-processor")
        assert.strictEqual(opened.order, 5)
        assert.strictEqual(opened.onError, "drop", "the plugin's, as the processor has none")
        assert.strictEqual(opened.process?.(Testing.event())?.fields.tagged, true)
        const entry = yield* internal.openProcessor(
          processorPlugin(() => Effect.succeed(tag), "drop"),
          {},
          host,
          {
            order: -1,
            onError: "pass"
          }
        )
        assert.strictEqual(entry.order, -1)
        assert.strictEqual(entry.onError, "pass")
        const own = yield* internal.openProcessor(
          processorPlugin(() => Effect.succeed({ ...tag, onError: "pass" as const }), "drop"),
          {},
          host
        )
        assert.strictEqual(own.onError, "pass", "the processor's own wins over the plugin's")
      }).pipe(Effect.scoped)
  )

  it.live("a failed start passes events unprocessed, is retried after the interval, then processes", () =>
    Effect.gen(function* () {
      const { lines, host } = collect()
      let attempts = 0
      const plugin = processorPlugin(() =>
        Effect.suspend(() =>
          ++attempts === 1
            ? Effect.fail(new Error("rules not loaded"))
            : Effect.succeed(Processor.make("no-info", (e) => (e.level === "info" ? undefined : e)))
        )
      )
      const p = yield* internal.openProcessor(plugin, {}, host, {}, 1000)
      assert.strictEqual(p.name, "unit-processor")
      assert.strictEqual(p.onError, "pass")
      assert.match(
        String(lines[0]?.message),
        /start failed; until it starts, events pass unprocessed \(onError: pass\) and the start is retried at most every 1 s/
      )
      assert.strictEqual((lines[0]?.error as { message?: string } | undefined)?.message, "rules not loaded")
      const given = events(3)
      assert.strictEqual(p.processBatch?.(given, contextAt()), given, "passed as they were")
      assert.strictEqual(attempts, 1, "no new attempt before the interval")
      p.tick?.(contextAt(1500))
      yield* until(() => lines.some((l) => /started after 2 attempts/.test(String(l.message))))
      assert.strictEqual(attempts, 2)
      assert.deepStrictEqual(
        p.processBatch?.(events(3), contextAt(1500)),
        [],
        "now it runs: every info event dropped"
      )
    }).pipe(Effect.scoped)
  )

  it.live(
    "fail closed: with onError drop (the plugin's or the entry's) a failed start drops every event; the entry may say pass",
    () =>
      Effect.gen(function* () {
        const { lines, host } = collect()
        const failing = processorPlugin(() => Effect.die(new Error("no key")), "drop")
        const closed = yield* internal.openProcessor(failing, {}, host)
        assert.strictEqual(closed.onError, "drop")
        assert.match(String(lines[0]?.message), /events are dropped \(onError: drop\)/)
        assert.deepStrictEqual(closed.processBatch?.(events(4), contextAt()), [])
        const byEntry = yield* internal.openProcessor(
          processorPlugin(() => Effect.fail("no")),
          {},
          host,
          { onError: "drop" }
        )
        assert.deepStrictEqual(byEntry.processBatch?.(events(2), contextAt()), [])
        const open = yield* internal.openProcessor(failing, {}, host, { onError: "pass" })
        assert.strictEqual(open.processBatch?.(events(2), contextAt())?.length, 2)
      }).pipe(Effect.scoped)
  )

  it.live("a make that returns something that is not a processor is a failed start, named", () =>
    Effect.gen(function* () {
      const { lines, host } = collect()
      const junk = processorPlugin(() => Effect.succeed({ name: "x" } as never))
      const p = yield* internal.openProcessor(junk, {}, host)
      assert.strictEqual(p.processBatch?.(events(1), contextAt())?.length, 1)
      assert.strictEqual(
        (lines[0]?.error as { message?: string } | undefined)?.message,
        "make did not return a processor ({ name, process } or { name, processBatch })"
      )
    }).pipe(Effect.scoped)
  )

  it.live("closing the scope interrupts a start retried in the background", () =>
    Effect.gen(function* () {
      const { lines, host } = collect()
      let attempts = 0
      let interrupted = false
      const plugin = processorPlugin(() =>
        ++attempts === 1
          ? Effect.fail(new Error("first"))
          : Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => (interrupted = true))))
      )
      const scope = yield* Scope.make()
      // a start that would hang for ten minutes: only interrupting it lets the scope close
      const patient = { ...host, settings: { timeoutMs: 600_000 } }
      const p = yield* internal.openProcessor(plugin, {}, patient, {}, 100).pipe(Scope.extend(scope))
      p.tick?.(contextAt(1000))
      yield* until(() => attempts === 2)
      yield* Scope.close(scope, Exit.void)
      // interrupted, not left running (its timer would keep the process alive)
      assert.isTrue(interrupted)
      assert.isFalse(lines.some((l) => /release did not finish/.test(String(l.message))))
    })
  )
})

describe("openFormatter", () => {
  it.effect(
    "its lines are checked: a result that is not a string, or holds a line break, throws for that event",
    () =>
      Effect.gen(function* () {
        const { host } = collect()
        const f = yield* internal.openFormatter(
          formatterPlugin(() =>
            Effect.succeed({
              name: "picky",
              format: (e: { message: string }) =>
                e.message === "number" ? (7 as never) : e.message === "break" ? "a\nb" : `line ${e.message}`
            })
          ),
          {},
          host
        )
        assert.strictEqual(f.name, "picky")
        assert.strictEqual(f.format(Testing.event({ message: "ok" })), "line ok")
        assert.throws(
          () => f.format(Testing.event({ message: "number" })),
          /formatter picky returned 7, not a string/
        )
        assert.throws(
          () => f.format(Testing.event({ message: "break" })),
          /formatter picky returned a line break inside a line/
        )
      }).pipe(Effect.scoped)
  )

  it.effect("a failed start is reported and the fallback (JSON lines) stands in", () =>
    Effect.gen(function* () {
      const { lines, host } = collect()
      const f = yield* internal.openFormatter(
        formatterPlugin(() => Effect.fail(new Error("no template"))),
        {},
        host
      )
      assert.strictEqual(f.name, "json")
      assert.match(String(lines[0]?.message), /start failed; the sinks that use it write JSON lines/)
    }).pipe(Effect.scoped)
  )
})

describe("readPlugin, processor and formatter kinds", () => {
  it("accepts the four kinds; a processor plugin's onError is pass or drop", () => {
    assert.isTrue(Either.isRight(internal.readPlugin(processorPlugin(() => Effect.never, "drop"))))
    assert.isTrue(Either.isRight(internal.readPlugin(formatterPlugin(() => Effect.never))))
    const bad = internal.readPlugin({ ...processorPlugin(() => Effect.never), onError: "ignore" })
    assert.isTrue(Either.isLeft(bad))
    assert.match(
      Either.isLeft(bad) ? bad.left : "",
      /it needs onError absent or one of pass, drop \(not "ignore"\)/
    )
  })
})

describe("discover, in process", () => {
  fs.mkdirSync(path.join(process.cwd(), ".tmp"), { recursive: true })
  const dir = fs.mkdtempSync(path.join(process.cwd(), ".tmp", "discover-"))
  install(path.join(dir, "node_modules"), fixtures(false))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  const find = (type: string, kind: "sink" | "enricher" = "sink", settings?: internal.PluginSettings) =>
    internal.discover(type, kind, settings, [dir])

  it.live("finds ES module, CommonJS (module.exports) and dual packages; the scoped name first", () =>
    Effect.gen(function* () {
      const esm = yield* find("esmonly")
      assert.strictEqual(esm._tag, "Found")
      assert.strictEqual(esm._tag === "Found" ? esm.packageName : "", "@fapilog/esmonly")
      const cjs = yield* find("cjsonly")
      assert.strictEqual(cjs._tag === "Found" ? cjs.plugin.description : cjs._tag, "a cjs test plugin")
      const dual = yield* find("dual")
      assert.strictEqual(dual._tag === "Found" ? dual.packageName : dual._tag, "@fapilog/dual")
      const geo = yield* find("geo", "enricher")
      assert.strictEqual(geo._tag === "Found" ? geo.plugin.kind : geo._tag, "enricher")
    })
  )

  it.live("refuses from package.json before loading, and names load failures", () =>
    Effect.gen(function* () {
      const reason = (d: internal.Discovery) => (d._tag === "Refused" ? d.reason : d._tag)
      assert.match(
        reason(yield* find("newer")),
        /^package @fapilog\/newer@1\.0\.0 is refused: it implements plugin API 2\.0/
      )
      assert.match(reason(yield* find("broken")), /could not be loaded: Error: cannot load native binding$/)
      assert.match(reason(yield* find("empty")), /does not export a plugin/)
      assert.strictEqual(
        reason(yield* find("denied", "sink", { deny: ["@fapilog/denied"] })),
        'plugin @fapilog/denied is denied by plugins.deny ("@fapilog/denied")'
      )
      assert.match(reason(yield* find("esmonly", "sink", { allow: ["geo"] })), /is not in plugins.allow/)
      assert.match(
        reason(yield* find("wrongkind")),
        /is an enricher plugin \(package.json "fapilog".kind\), not a sink/
      )
      assert.match(reason(yield* find("geo", "sink")), /is an enricher plugin/)
      for (const marker of ["newer-was-loaded", "denied-was-loaded", "wrongkind-was-loaded"])
        assert.isFalse(fs.existsSync(path.join(process.cwd(), marker)), marker)
      const missing = yield* find("nope")
      assert.deepStrictEqual(missing, {
        _tag: "Missing",
        tried: ["@fapilog/nope", "fapilog-plugin-nope"],
        from: [dir]
      })
    })
  )

  it.live("a package per Effect line: the Effect 4 package alone is named, with the one to install", () =>
    Effect.gen(function* () {
      const reason = (d: internal.Discovery) => (d._tag === "Refused" ? d.reason : d._tag)
      assert.deepStrictEqual(internal.candidates("loki"), ["@fapilog/loki", "fapilog-plugin-loki"])
      assert.strictEqual((yield* find("effect3only"))._tag, "Found")
      // only @fapilog/lines-effect4 is installed: never imported here, named with what to install
      assert.strictEqual(
        reason(yield* find("lines")),
        'found @fapilog/lines-effect4@1.0.0, the Effect 4 build of plugin "lines", which fapilog cannot load; install @fapilog/lines instead (npm install @fapilog/lines)'
      )
      // one that lists this line too is not called a build of the other; it is named all the same
      assert.strictEqual(
        reason(yield* find("bothlines")),
        'found @fapilog/bothlines-effect4@1.0.0, named as a package of plugin "bothlines" for Effect 4 (its package.json lists Effect 3, 4, but fapilog loads plugins by the names of its own line); install @fapilog/bothlines instead (npm install @fapilog/bothlines)'
      )
    })
  )

  it.live(
    "package.json fapilog.effect is read before any code: a package built for Effect 4 is refused",
    () =>
      Effect.gen(function* () {
        const reason = (d: internal.Discovery) => (d._tag === "Refused" ? d.reason : d._tag)
        assert.strictEqual(
          reason(yield* find("wrongline")),
          'package @fapilog/wrongline@1.0.0 is built for Effect 4 only (package.json "fapilog".effect), not Effect 3, which this fapilog (fapilog) runs on'
        )
        assert.strictEqual(
          reason(yield* find("badlines")),
          'package @fapilog/badlines@1.0.0: its package.json "fapilog".effect is "4", not a list of the Effect major versions it is built for, such as [3] or [4]'
        )
      })
  )

  it.live("resolveAll checks what discovery found: apiVersion of the object, config", () =>
    Effect.gen(function* () {
      const request = (type: string, config: Record<string, unknown>): internal.Request => ({
        type,
        kind: "sink",
        config,
        at: "sinks[0]",
        typeAt: "sinks[0].type"
      })
      const cwd = process.cwd()
      process.chdir(dir)
      const exit = yield* Effect.exit(
        internal.resolveAll([request("liar", { path: "x" }), request("esmonly", { path: 1 })], undefined, {
          sink: ["stdout"],
          enricher: []
        })
      ).pipe(Effect.ensuring(Effect.sync(() => process.chdir(cwd))))
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.deepStrictEqual(error?.issues, [
        {
          path: "sinks[0].type",
          message:
            "plugin @fapilog/liar@1.0.0 is refused: it implements plugin API 1.9, newer than this fapilog's 1.0: upgrade fapilog"
        },
        { path: "sinks[0].path", message: "plugin @fapilog/esmonly@1.0.0: Expected string, actual 1" }
      ])
    })
  )
})
