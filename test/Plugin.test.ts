import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, ParseResult, Schema } from "effect"
import { createLogger, Errors, Fapilog, Formatter, Plugin, Processor, Sink } from "fapilog"
import * as Testing from "fapilog/testing"
import { redactPlugin, regionPlugin, upperPlugin } from "./support/plugins.js"
import { runScript } from "./support/script.js"

/** A sink plugin recording what it is given, when it opens and when it closes. */
const recorder = (type = "rec") => {
  const lifecycle: Array<string> = []
  const lines: Array<string> = []
  const plugin = Plugin.sink({
    name: `fapilog-plugin-${type}`,
    type,
    version: "1.0.0",
    apiVersion: "1.0",
    description: "Records messages",
    keywords: ["test"],
    config: Schema.Struct({
      prefix: Schema.String,
      repeat: Schema.optional(Schema.NumberFromString)
    }),
    make: (config, context) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          lifecycle.push(`open [${config.prefix}] logger=${context.logger} service=${context.service}`)
          return Sink.makeSync(`${type}:${config.prefix}`, (batch) => {
            for (const e of batch.events)
              lines.push(`${config.prefix}${e.message}`.repeat(config.repeat ?? 1))
          })
        }),
        () => Effect.sync(() => lifecycle.push(`close [${config.prefix}] after ${lines.length} lines`))
      )
  })
  return { plugin, lifecycle, lines }
}

/** A plugin whose start or writes misbehave in the given way. */
const misbehaving = (
  type: string,
  make: (lines: Array<string>) => Effect.Effect<Sink.Sink, Errors.SinkError, never>
) => {
  const lines: Array<string> = []
  return {
    lines,
    plugin: Plugin.sink({
      name: `fapilog-plugin-${type}`,
      type,
      version: "0.0.1",
      apiVersion: "1.0",
      description: "Misbehaves",
      config: Schema.Struct({}),
      make: () => make(lines)
    })
  }
}

const rejection = async (settings: Parameters<typeof createLogger>[0]): Promise<Errors.ConfigError> => {
  const error = await createLogger(settings).then(
    () => undefined,
    (e: unknown) => e
  )
  assert.instanceOf(error, Errors.ConfigError)
  return error as Errors.ConfigError
}

describe("Plugin constructors", () => {
  it("fix the kind and keep everything else", () => {
    const { plugin } = recorder()
    assert.strictEqual(plugin.kind, "sink")
    assert.strictEqual(plugin.type, "rec")
    const region = regionPlugin()
    assert.strictEqual(region.kind, "enricher")
    assert.deepStrictEqual(Plugin.packageNames("loki"), ["@fapilog/loki", "fapilog-plugin-loki"])
  })

  it("Plugin.entry is { type, ...config }: the mark that it was made on purpose is no config key", () => {
    const entry = Plugin.entry("kafka", { brokers: ["k1:9092"], level: "warn" })
    assert.deepStrictEqual({ ...entry }, { brokers: ["k1:9092"], level: "warn", type: "kafka" })
    assert.deepStrictEqual(Object.keys(entry), ["brokers", "level", "type"])
    assert.strictEqual(JSON.stringify(entry), '{"brokers":["k1:9092"],"level":"warn","type":"kafka"}')
    assert.deepStrictEqual({ ...Plugin.entry("geo") }, { type: "geo" })
    // the type argument wins over a `type` smuggled into the config
    assert.strictEqual(Plugin.entry("geo", { type: "other" } as never).type, "geo")
  })

  it("apiVersion: same major, minor at most ours", () => {
    assert.strictEqual(Plugin.apiVersion, "1.0")
    assert.isTrue(Plugin.isCompatible("1.0"))
    assert.isTrue(Plugin.isCompatible("1.0.7"))
    assert.isFalse(Plugin.isCompatible("1.1"))
    assert.isFalse(Plugin.isCompatible("2.0"))
    assert.isFalse(Plugin.isCompatible("0.9"))
    assert.isFalse(Plugin.isCompatible("one"))
  })

  it("incompatibility says why, isType checks a type", () => {
    assert.isUndefined(Plugin.incompatibility("1.0"))
    assert.include(Plugin.incompatibility("2.0"), "major versions must be equal")
    assert.include(Plugin.incompatibility("1.9"), "upgrade fapilog")
    assert.include(Plugin.incompatibility(7), 'not a "major.minor" version')
    assert.isTrue(Plugin.isType("loki"))
    assert.isTrue(Plugin.isType("demo.formatter"))
    assert.isFalse(Plugin.isType("Loki"))
    assert.isFalse(Plugin.isType(""))
    assert.isFalse(Plugin.isType(3))
  })
})

describe("Plugin config schemas", () => {
  const Config = Schema.Struct({
    encoding: Plugin.optional(Plugin.oneOf(["protobuf", "json"])),
    maxEvents: Plugin.optional(Plugin.wholeNumber(1, 1000, "events")),
    region: Plugin.accepted(
      "Region",
      (u): u is string => typeof u === "string" && /^[a-z]{2}-[0-9]$/.test(u),
      "a region such as eu-1"
    )
  })
  const messages = (input: unknown) => {
    const result = Schema.decodeUnknownEither(Config, { errors: "all" })(input)
    return result._tag === "Left"
      ? ParseResult.ArrayFormatter.formatErrorSync(result.left).map(
          (i) => `${i.path.join(".")}: ${i.message}`
        )
      : []
  }

  it("each bad value is one issue naming it and what is accepted; absent optional keys are fine", () => {
    assert.deepStrictEqual(messages({ region: "eu-1" }), [])
    assert.deepStrictEqual(messages({ region: "eu-1", encoding: "json", maxEvents: 1000 }), [])
    assert.deepStrictEqual(messages({ region: "EU", encoding: "xml", maxEvents: 0 }), [
      'encoding: "xml" is not one of protobuf, json',
      "maxEvents: 0 is not a whole number of events between 1 and 1000",
      'region: "EU" is not a region such as eu-1'
    ])
    assert.deepStrictEqual(messages({ region: "eu-1", maxEvents: undefined }), [
      "maxEvents: undefined is not a whole number of events between 1 and 1000"
    ])
    assert.deepStrictEqual(messages({ region: () => 1 }), ["region: a function is not a region such as eu-1"])
  })
})

describe("plugins named in settings", () => {
  it("a { type } sink resolves to a plugin of plugins.use, its config decoded by its Schema", async () => {
    const rec = recorder()
    const memory = Sink.memory()
    const log = await createLogger({
      name: "api",
      enrich: { service: "billing" },
      sinks: [
        memory,
        Plugin.entry("rec", { prefix: "> ", repeat: "2" }),
        Plugin.entry("rec", { prefix: "! ", level: "warn" })
      ],
      plugins: { use: [rec.plugin] }
    })
    log.info("hello")
    log.warn("careful")
    await log.close()
    assert.deepStrictEqual(rec.lines, ["> hello> hello", "> careful> careful", "! careful"])
    assert.deepStrictEqual(rec.lifecycle, [
      "open [> ] logger=api service=billing",
      "open [! ] logger=api service=billing",
      // released in reverse order, after the pipeline drained
      "close [! ] after 3 lines",
      "close [> ] after 3 lines"
    ])
    assert.strictEqual(memory.events().length, 2)
  })

  it("Plugin.open uses a plugin object directly, without discovery or registration", async () => {
    const rec = recorder()
    const log = await createLogger({ sinks: [Plugin.open(rec.plugin, { prefix: "# " })] })
    log.info("direct")
    await log.close()
    assert.deepStrictEqual(rec.lines, ["# direct"])
    assert.deepStrictEqual(rec.lifecycle, [
      "open [# ] logger=app service=undefined",
      "close [# ] after 1 lines"
    ])
  })

  it("a sink plugin's minLevel applies when the entry sets no level: the events below are its skipped", async () => {
    const rec = recorder()
    const plugin = { ...rec.plugin, minLevel: "error" as const }
    const log = await createLogger({
      plugins: { use: [plugin] },
      sinks: [Plugin.entry("rec", { prefix: "" }), Plugin.entry("rec", { prefix: "w:", level: "warn" })]
    })
    log.info("info")
    log.warn("warn")
    log.error("error")
    await log.close()
    assert.deepStrictEqual([...rec.lines].sort(), ["error", "w:error", "w:warn"])
    assert.deepStrictEqual(
      log.health().sinks.map((h) => [h.written, h.skipped]),
      [
        [1, 2],
        [2, 1]
      ]
    )
    // Plugin.open too
    const direct = await createLogger({ sinks: [Plugin.open(plugin, { prefix: "d:" })] })
    direct.warn("below")
    direct.fatal("kept")
    await direct.close()
    assert.include(rec.lines, "d:kept")
    assert.notInclude(rec.lines, "d:below")
    const refused = await rejection({
      plugins: { use: [{ ...rec.plugin, minLevel: "loud" } as never] },
      sinks: [Plugin.entry("rec", { prefix: "" })]
    })
    assert.match(
      JSON.stringify(refused.issues),
      /minLevel absent or a level \(trace, debug, info, warn, error, fatal, audit, security; not \\"loud\\"\)/
    )
  })

  it("an enricher plugin adds its fields; one whose start fails adds nothing and events still flow", async () => {
    const region = regionPlugin()
    const broken = Plugin.enricher({
      ...region,
      name: "fapilog-plugin-broken",
      type: "broken",
      config: Schema.Struct({}),
      make: () => Effect.fail(new Errors.SinkError({ sink: "broken", reason: "no metadata service" }))
    })
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      enrichers: [Plugin.entry("region", { region: "eu-1" }), Plugin.entry("broken"), () => ({ fn: true })],
      plugins: { use: [region, broken] }
    })
    log.info("enriched")
    await log.close()
    assert.deepStrictEqual(memory.events()[0]?.fields, { region: "eu-1", fn: true })
  })

  it("an unknown type names the packages looked for and how to install one", async () => {
    const error = await rejection({ sinks: ["stdout", Plugin.entry("lokki", { url: "x" })] })
    assert.strictEqual(error.issues.length, 1)
    assert.strictEqual(error.issues[0]?.path, "sinks[1].type")
    assert.match(
      error.issues[0]?.message ?? "",
      /^"lokki" is not a built-in sink \(stdout, stderr, null, file, route, alert\) and no plugin provides it: looked for the packages @fapilog\/lokki and fapilog-plugin-lokki from .+; install one \(npm install @fapilog\/lokki\) or pass the plugin object in plugins\.use$/
    )
    const off = await rejection({ sinks: [Plugin.entry("lokki")], plugins: { discover: false } })
    assert.match(
      off.issues[0]?.message ?? "",
      /plugins\.discover is false and plugins\.use has no plugin of that type/
    )
  })

  it("refusals name the plugin and the reason, every one of them at once", async () => {
    const rec = recorder()
    const newer = { ...recorder("newer").plugin, apiVersion: "1.4" }
    const major = { ...recorder("major").plugin, apiVersion: "2.0" }
    const region = regionPlugin()
    const error = await rejection({
      sinks: [
        Plugin.entry("rec", { prefix: 1, extra: true }),
        Plugin.entry("newer", { prefix: "" }),
        { type: "route", routes: [{ levels: "*", sinks: [Plugin.entry("major", { prefix: "" })] }] },
        Plugin.entry("region")
      ],
      plugins: { use: [rec.plugin, newer, major, region] }
    })
    assert.deepStrictEqual(error.issues, [
      {
        path: "sinks[0].extra",
        message: 'plugin fapilog-plugin-rec@1.0.0: is unexpected, expected: "prefix" | "repeat"'
      },
      { path: "sinks[0].prefix", message: "plugin fapilog-plugin-rec@1.0.0: Expected string, actual 1" },
      {
        path: "sinks[1].type",
        message:
          "plugin fapilog-plugin-newer@1.0.0 is refused: it implements plugin API 1.4, newer than this fapilog's 1.0: upgrade fapilog"
      },
      {
        path: "sinks[2].routes[0].sinks[0].type",
        message:
          "plugin fapilog-plugin-major@1.0.0 is refused: it implements plugin API 2.0, this fapilog implements 1.0 (the major versions must be equal)"
      },
      {
        path: "sinks[3].type",
        message: "plugin fapilog-plugin-region@1.0.0 is an enricher plugin, not a sink"
      }
    ])
    assert.match(
      error.message,
      /^Invalid fapilog settings:\n {2}sinks\[0\]\.extra: plugin fapilog-plugin-rec@1\.0\.0/
    )
  })

  it("settings problems and plugin problems come in one ConfigError, in one pass", async () => {
    const rec = recorder()
    const error = await rejection({
      level: "loud" as never,
      sinks: [
        // checked at run time, as a config file's entry would be
        { type: "file" } as never,
        Plugin.entry("lokki"),
        {
          type: "route",
          routes: [{ levels: ["loud" as never], sinks: [Plugin.entry("rec", { prefix: 1 })] }]
        }
      ],
      enrichers: [Plugin.entry("geo")],
      plugins: { use: [rec.plugin], discover: false }
    })
    assert.deepStrictEqual(
      error.issues.map((i) => i.path),
      [
        "level",
        "sinks[0].path",
        "sinks[2].routes[0].levels[0]",
        "sinks[1].type",
        "sinks[2].routes[0].sinks[0].prefix",
        "enrichers[0].type"
      ]
    )
    assert.match(
      error.issues[3]?.message ?? "",
      /^"lokki" is not a built-in sink .* plugins\.discover is false/
    )
    assert.match(
      error.issues[5]?.message ?? "",
      /^"geo" is not a built-in enricher and no plugin provides it/
    )
    assert.deepStrictEqual(rec.lifecycle, [], "nothing is opened")
  })

  it("an invalid plugins setting is reported without looking for any plugin: its lists could not be read", async () => {
    const error = await rejection({
      sinks: [Plugin.entry("lokki")],
      plugins: { deny: "lokki" as never }
    })
    assert.deepStrictEqual(error.issues, [
      { path: "plugins.deny", message: '"lokki" is not a list of non-empty strings' }
    ])
  })

  it("allow and deny lists, by type or package name; deny wins", async () => {
    const rec = recorder()
    const denied = await rejection({
      sinks: [Plugin.entry("rec", { prefix: "" })],
      plugins: { use: [rec.plugin], allow: ["rec"], deny: ["fapilog-plugin-rec"] }
    })
    assert.deepStrictEqual(denied.issues, [
      {
        path: "sinks[0].type",
        message: 'plugin fapilog-plugin-rec@1.0.0 is denied by plugins.deny ("fapilog-plugin-rec")'
      }
    ])
    const notAllowed = await rejection({
      sinks: [Plugin.open(rec.plugin, { prefix: "" })],
      plugins: { allow: ["loki"] }
    })
    assert.deepStrictEqual(notAllowed.issues, [
      { path: "sinks[0]", message: 'plugin fapilog-plugin-rec@1.0.0 is not in plugins.allow ("loki")' }
    ])
    const allowed = await createLogger({
      sinks: [Plugin.entry("rec", { prefix: "" })],
      plugins: { use: [rec.plugin], allow: ["fapilog-plugin-rec"] }
    })
    await allowed.close()
    assert.strictEqual(rec.lifecycle.length, 2)
  })

  it("Plugin.open validates config against the Schema and names the sink path", async () => {
    const rec = recorder()
    const error = await rejection({
      sinks: ["null", Plugin.open(rec.plugin, { prefix: 5 } as never)]
    })
    assert.deepStrictEqual(error.issues, [
      { path: "sinks[1].prefix", message: "plugin fapilog-plugin-rec@1.0.0: Expected string, actual 5" }
    ])
    const outside = await Effect.runPromise(
      Effect.flip(Effect.scoped(Plugin.open({ name: "x" } as never, {})))
    )
    assert.strictEqual(outside.issues[0]?.path, "Plugin.open")
    assert.match(outside.issues[0]?.message ?? "", /^plugin "x" is not a valid plugin object: it needs type/)
  })

  it("settings validation: plugin types, reserved keys, the plugins setting", async () => {
    const error = await rejection({
      sinks: [Plugin.entry("Loki"), Plugin.entry("rec", { level: "loud" }), "rec" as never],
      enrichers: [Plugin.entry("no/slash")],
      plugins: {
        use: [{ name: "half" }] as never,
        allow: "loki" as never,
        discover: "yes" as never,
        extra: 1
      } as never
    })
    assert.deepStrictEqual(
      error.issues.map((i) => i.path),
      [
        "sinks[0].type",
        "sinks[1].level",
        "sinks[2]",
        "enrichers[0].type",
        "plugins.extra",
        "plugins.use[0]",
        "plugins.allow",
        "plugins.discover"
      ]
    )
    assert.match(
      error.issues[0]?.message ?? "",
      /"Loki" is not one of stdout, stderr, null, file, route, alert, nor a plugin type/
    )
    assert.match(error.issues[2]?.message ?? "", /a plugin sink is an object: \{ type: "rec", \.\.\. \}/)
    assert.match(error.issues[5]?.message ?? "", /plugin "half" is not a valid plugin object: it needs type/)
  })
})

describe("plugin isolation", () => {
  const failingStarts = {
    fails: () => Effect.fail(new Errors.SinkError({ sink: "fails", reason: "connection refused" })),
    dies: () => Effect.die(new Error("defect at start")),
    throws: () => {
      throw new Error("thrown at start")
    },
    junk: () => Effect.succeed({ not: "a sink" } as never)
  }

  for (const [how, start] of Object.entries(failingStarts)) {
    it(`a plugin whose start ${how} does not fail the logger; other sinks get every event`, async () => {
      const bad = misbehaving(`start-${how}`, start as never)
      const memory = Sink.memory()
      const log = await createLogger({
        sinks: [memory, Plugin.entry(`start-${how}`)],
        plugins: { use: [bad.plugin] },
        fallback: "null",
        retry: { attempts: 0 }
      })
      for (let i = 0; i < 10; i++) log.info(`e${i}`)
      await log.flush()
      const health = log.health()
      await log.close()
      assert.strictEqual(memory.events().length, 10)
      const pluginHealth = health.sinks.find((s) => s.name !== "memory")
      assert.strictEqual(pluginHealth?.name, `start-${how}(fapilog-plugin-start-${how})`)
      assert.notStrictEqual(pluginHealth?.status, "ok")
      assert.strictEqual(pluginHealth?.undelivered, 10)
      assert.strictEqual(health.status, "degraded")
    })
  }

  it("a start that hangs is cut at plugins.timeoutMs", async () => {
    const bad = misbehaving("hangs", () => Effect.never)
    const memory = Sink.memory()
    const started = Date.now()
    const log = await createLogger({
      sinks: [memory, Plugin.entry("hangs")],
      plugins: { use: [bad.plugin], timeoutMs: 300 },
      fallback: "null"
    })
    assert.isBelow(Date.now() - started, 5000)
    log.info("still logging")
    await log.close()
    assert.strictEqual(memory.events()[0]?.message, "still logging")
  })

  const failingWrites: Record<string, (lines: Array<string>) => Sink.Sink> = {
    "throws in write-sync": () =>
      Sink.makeSync("w", () => {
        throw new Error("sync boom")
      }),
    "throws in write": () => ({
      name: "w",
      write: () => {
        throw new Error("async boom")
      }
    }),
    "dies in write": () => ({ name: "w", write: () => Effect.die(new Error("defect")) }),
    "hangs in write": () => ({ name: "w", write: () => Effect.never }),
    "returns junk from write": () => ({ name: "w", write: () => 42 as never })
  }

  for (const [how, sink] of Object.entries(failingWrites)) {
    it(`a plugin sink that ${how} costs only its own writes`, async () => {
      const bad = misbehaving(how.replaceAll(" ", "-"), (lines) => Effect.succeed(sink(lines)))
      const memory = Sink.memory()
      const log = await createLogger({
        sinks: [Plugin.entry(how.replaceAll(" ", "-")), memory],
        plugins: { use: [bad.plugin], timeoutMs: 200 },
        fallback: "null",
        retry: { attempts: 0 },
        shutdownTimeoutMs: 2000
      })
      for (let i = 0; i < 5; i++) {
        log.info(`e${i}`)
        await log.flush()
      }
      const health = log.health()
      await log.close()
      assert.deepStrictEqual(
        memory.events().map((e) => e.message),
        ["e0", "e1", "e2", "e3", "e4"]
      )
      assert.strictEqual(health.sinks.find((s) => s.name === "w")?.failures, 5)
      assert.strictEqual(health.stats.lost, 0)
    })
  }

  it.live("a plugin whose start failed is started again later and then receives events", () =>
    Effect.gen(function* () {
      let attempts = 0
      const received: Array<string> = []
      const flaky = misbehaving("flaky", () =>
        Effect.suspend(() =>
          ++attempts === 1
            ? Effect.fail(new Errors.SinkError({ sink: "flaky", reason: "not yet" }))
            : Effect.succeed(
                Sink.makeSync("flaky", (b) => {
                  for (const e of b.events) received.push(e.message)
                })
              )
        )
      )
      const Live = Fapilog.layer({
        sinks: ["null", Plugin.entry("flaky")],
        plugins: { use: [flaky.plugin] },
        fallback: "null",
        retry: { attempts: 0 }
      })
      yield* Effect.gen(function* () {
        yield* Effect.logInfo("before")
        yield* Fapilog.flush
        yield* Effect.sleep("5200 millis")
        yield* Effect.logInfo("after")
        yield* Fapilog.flush
        const health = yield* Fapilog.health
        const flakyHealth = health.sinks.find((s) => s.name === "flaky")
        assert.strictEqual(flakyHealth?.status, "ok")
        assert.strictEqual(flakyHealth?.failures, 1)
      }).pipe(Effect.provide(Live))
      assert.strictEqual(attempts, 2)
      assert.deepStrictEqual(received, ["after"])
    })
  )

  it("a release that dies or hangs never fails or blocks close", async () => {
    const dies = misbehaving(
      "release-dies",
      () =>
        Effect.acquireRelease(Effect.succeed(Sink.memory()), () =>
          Effect.die(new Error("release boom"))
        ) as never
    )
    const hangs = misbehaving(
      "release-hangs",
      () => Effect.acquireRelease(Effect.succeed(Sink.memory()), () => Effect.never) as never
    )
    const log = await createLogger({
      sinks: [Plugin.entry("release-dies"), Plugin.entry("release-hangs")],
      plugins: { use: [dies.plugin, hangs.plugin] },
      shutdownTimeoutMs: 300
    })
    log.info("x")
    const started = Date.now()
    await log.close()
    assert.isBelow(Date.now() - started, 3000)
  })
})

describe("plugin settings from the environment and config files", () => {
  it.effect("FAPILOG_SINKS names a plugin type; FAPILOG_SINK_<TYPE> holds its config as JSON", () =>
    Effect.gen(function* () {
      const rec = recorder("my-rec")
      const env = ConfigProvider.fromMap(
        new Map([
          ["FAPILOG_SINKS", "null,my-rec"],
          ["FAPILOG_SINK_MY_REC", '{"prefix":"env: ","level":"warn"}'],
          ["FAPILOG_PLUGINS__DENY", "webhook"]
        ]),
        { pathDelim: "__" }
      )
      yield* Effect.gen(function* () {
        yield* Effect.logInfo("quiet")
        yield* Effect.logWarning("loud")
        const service = yield* Fapilog.Fapilog
        assert.deepStrictEqual(service.settings.plugins?.deny, ["webhook"])
      }).pipe(Effect.provide(Fapilog.layer({ plugins: { use: [rec.plugin] } }, { configProvider: env })))
      assert.deepStrictEqual(rec.lines, ["env: loud"])
    })
  )

  it.effect("problems in FAPILOG_SINK_<TYPE> are named by the variable", () =>
    Effect.gen(function* () {
      const rec = recorder()
      const run = (vars: ReadonlyArray<[string, string]>) =>
        Effect.flip(
          Layer.build(
            Fapilog.layer(
              { plugins: { use: [rec.plugin] } },
              { configProvider: ConfigProvider.fromMap(new Map(vars)) }
            )
          ).pipe(Effect.scoped)
        )
      const badJson = yield* run([
        ["FAPILOG_SINKS", "rec"],
        ["FAPILOG_SINK_REC", "{prefix"]
      ])
      assert.strictEqual((badJson as Errors.ConfigError).issues[0]?.path, "FAPILOG_SINK_REC")
      assert.match((badJson as Errors.ConfigError).issues[0]?.message ?? "", /is not valid JSON/)
      const badConfig = yield* run([
        ["FAPILOG_SINKS", "rec"],
        ["FAPILOG_SINK_REC", '{"prefix":2}']
      ])
      assert.deepStrictEqual((badConfig as Errors.ConfigError).issues, [
        {
          path: "FAPILOG_SINK_REC.prefix",
          message: "plugin fapilog-plugin-rec@1.0.0: Expected string, actual 2"
        }
      ])
      const missing = yield* run([["FAPILOG_SINKS", "rec"]])
      assert.deepStrictEqual((missing as Errors.ConfigError).issues, [
        { path: "FAPILOG_SINK_REC.prefix", message: "plugin fapilog-plugin-rec@1.0.0: is missing" }
      ])
      const badType = yield* run([["FAPILOG_SINKS", "stdout,a b"]])
      assert.strictEqual((badType as Errors.ConfigError).issues[0]?.path, "FAPILOG_SINKS")
    })
  )

  it("a config file can name plugin sinks and enrichers; problems are named file: path", async () => {
    const dir = fs.mkdtempSync(path.join(process.cwd(), ".tmp", "plugin-config-"))
    const file = path.join(dir, "fapilog.yaml")
    fs.writeFileSync(file, "sinks:\n  - type: rec\n    prefix: 3\nplugins:\n  deny: [webhook]\n")
    const rec = recorder()
    const error = await rejection({ configFile: file, plugins: { use: [rec.plugin] } })
    assert.deepStrictEqual(error.issues, [
      {
        path: "fapilog.yaml: sinks[0].prefix",
        message: "plugin fapilog-plugin-rec@1.0.0: Expected string, actual 3"
      }
    ])
    fs.writeFileSync(file, "sinks:\n  - type: rec\n    prefix: 'file: '\n")
    const log = await createLogger({ configFile: file, plugins: { use: [rec.plugin] } })
    log.info("from a file")
    await log.close()
    assert.deepStrictEqual(rec.lines, ["file: from a file"])
    fs.rmSync(dir, { recursive: true, force: true })
  })
})

describe("plugins pass the test kit", () => {
  it.live("a sink plugin opened with Plugin.open conforms", () =>
    Effect.gen(function* () {
      const rec = recorder()
      yield* Testing.pluginConformance(rec.plugin)
      yield* Testing.sinkConformance({
        make: Plugin.open(rec.plugin, { prefix: "" }),
        received: Effect.sync(() => rec.lines)
      })
    })
  )
})

describe("processor plugins", () => {
  it("a { type } processor entry runs the plugin's processor, under its type, with its config decoded", async () => {
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      processors: [
        Processor.make("no-trace", (e) => (e.level === "trace" ? undefined : e)),
        Plugin.entry("redact-keys", { keys: ["ssn", "card"] }),
        Processor.make("no-probes", (e) => (e.fields.probe === true ? undefined : e))
      ],
      level: "trace",
      plugins: { use: [redactPlugin()] }
    })
    log.info("signup", { user: "ada", ssn: "078-05-1120", card: "4111" })
    log.trace("noise")
    log.info("probe", { probe: true })
    await log.flush()
    const stats = log.stats()
    await log.close()
    assert.deepStrictEqual(
      memory.events().map((e) => [e.message, e.fields]),
      [["signup", { user: "ada" }]]
    )
    assert.deepStrictEqual(stats.filteredBy, { "no-trace": 1, "no-probes": 1 })
  })

  it("order and onError are read by fapilog: order places it, onError drop fails closed on a throw", async () => {
    const seen: Array<string> = []
    const throwing = Plugin.processor({
      name: "fapilog-plugin-fragile",
      type: "fragile",
      version: "1.0.0",
      apiVersion: "1.0",
      description: "Throws for some events",
      config: Schema.Struct({}),
      make: () =>
        Effect.succeed(
          Processor.make("fragile", (e) => {
            seen.push(`fragile ${e.message}`)
            if (e.fields.bad === true) throw new Error("cannot process")
            return e
          })
        )
    })
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      processors: [
        Processor.make("first", (e) => {
          seen.push(`first ${e.message}`)
          return e
        }),
        Plugin.entry("fragile", { order: -1, onError: "drop" })
      ],
      plugins: { use: [throwing] }
    })
    log.info("good")
    log.info("bad", { bad: true })
    await log.flush()
    const stats = log.stats()
    await log.close()
    assert.deepStrictEqual(
      seen,
      ["fragile good", "fragile bad", "first good"],
      "order -1 runs before order 0"
    )
    assert.deepStrictEqual(
      memory.events().map((e) => e.message),
      ["good"]
    )
    assert.deepStrictEqual(stats.filteredBy, { fragile: 1 })
  })

  it("a processor plugin whose start fails: events pass by default; a plugin declaring onError drop fails closed", async () => {
    const failing = (onError?: "drop") =>
      Plugin.processor({
        name: "fapilog-plugin-pii",
        type: "pii",
        version: "1.0.0",
        apiVersion: "1.0",
        description: "Needs its rules",
        ...(onError === undefined ? {} : { onError }),
        config: Schema.Struct({}),
        make: () => Effect.fail(new Error("rules unavailable"))
      })
    const run = async (plugin: Plugin.Plugin, entry: Plugin.EntryConfig = {}) => {
      const memory = Sink.memory()
      const log = await createLogger({
        sinks: [memory],
        processors: [Plugin.entry("pii", entry)],
        plugins: { use: [plugin] }
      })
      log.info("a")
      log.info("b")
      await log.flush()
      const stats = log.stats()
      await log.close()
      return { messages: memory.events().map((e) => e.message), filteredBy: stats.filteredBy }
    }
    assert.deepStrictEqual(await run(failing()), { messages: ["a", "b"], filteredBy: {} })
    assert.deepStrictEqual(await run(failing("drop")), { messages: [], filteredBy: { pii: 2 } })
    assert.deepStrictEqual(await run(failing(), { onError: "drop" }), {
      messages: [],
      filteredBy: { pii: 2 }
    })
    assert.deepStrictEqual(await run(failing("drop"), { onError: "pass" }), {
      messages: ["a", "b"],
      filteredBy: {}
    })
  })

  it("refusals: unknown type, wrong kind, bad config, bad order and onError, denied; all in one ConfigError", async () => {
    const rec = recorder()
    const error = await rejection({
      processors: [
        Plugin.entry("nope"),
        Plugin.entry("rec", { prefix: "" }),
        Plugin.entry("redact-keys", { keys: "ssn" }),
        Plugin.entry("redact-keys", { keys: [], order: "first", onError: "ignore" }),
        { type: "Bad Type" } as never,
        { name: "half" } as never
      ],
      plugins: { use: [rec.plugin, redactPlugin()], discover: false }
    })
    assert.deepStrictEqual(error.issues, [
      { path: "processors[3].order", message: '"first" is not a finite number' },
      { path: "processors[3].onError", message: '"ignore" is not one of pass, drop' },
      {
        path: "processors[4].type",
        message:
          '"Bad Type" is not a plugin type (lowercase letters, digits, ".", "_", "-"; fapilog loads @fapilog/<type> or fapilog-plugin-<type>)'
      },
      {
        path: "processors[5]",
        message: "needs exactly one of process (per event) and processBatch (per batch), as functions"
      },
      {
        path: "processors[0].type",
        message:
          '"nope" is not a built-in processor and no plugin provides it: plugins.discover is false and plugins.use has no plugin of that type'
      },
      {
        path: "processors[1].type",
        message: "plugin fapilog-plugin-rec@1.0.0 is a sink plugin, not a processor"
      },
      {
        path: "processors[2].keys",
        message: 'plugin fapilog-plugin-redact-keys@1.0.0: Expected ReadonlyArray<string>, actual "ssn"'
      }
    ])
    const denied = await rejection({
      processors: [Plugin.entry("redact-keys", { keys: [] })],
      plugins: { use: [redactPlugin()], deny: ["redact-keys"] }
    })
    assert.deepStrictEqual(denied.issues, [
      {
        path: "processors[0].type",
        message: 'plugin fapilog-plugin-redact-keys@1.0.0 is denied by plugins.deny ("redact-keys")'
      }
    ])
  })

  it.effect("in an Effect program: Processor.layerEffect(Plugin.open(plugin, config))", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const Live = Fapilog.layer({ sinks: [memory] }).pipe(
        Layer.provide(Processor.layerEffect(Plugin.open(redactPlugin(), { keys: ["token"] })))
      )
      yield* Effect.logInfo("login").pipe(
        Effect.annotateLogs({ user: "ada", token: "s3cret" }),
        Effect.provide(Live)
      )
      assert.deepStrictEqual(memory.events()[0]?.fields, { user: "ada" })
    })
  )

  it("passes the processor conformance suite", async () => {
    const report = await Effect.runPromise(
      Testing.processorConformance({
        make: Plugin.open(redactPlugin(), { keys: ["email"] }),
        drops: () => false
      })
    )
    assert.deepStrictEqual(report.skipped, ["flush"])
  })
})

describe("formatter plugins", () => {
  const dir = () => fs.mkdtempSync(path.join(process.cwd(), ".tmp", "formatter-plugin-"))
  const read = (file: string) =>
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l !== "")

  it("a sink's format, or the logger's, names a formatter plugin by type or as an entry with its config", async () => {
    const d = dir()
    let opened = 0
    const upper = upperPlugin()
    const counted: Plugin.Plugin = {
      ...upper,
      make: (config: never, context) => {
        opened++
        return upper.make(config, context)
      }
    }
    const log = await createLogger({
      format: Plugin.entry("upper"),
      sinks: [
        { type: "file", path: path.join(d, "a.log") },
        { type: "file", path: path.join(d, "b.log"), format: Plugin.entry("upper") },
        { type: "file", path: path.join(d, "c.log"), format: Plugin.entry("upper", { prefix: "> " }) },
        {
          type: "route",
          routes: [{ levels: "*", sinks: [{ type: "file", path: path.join(d, "d.log"), format: "logfmt" }] }]
        }
      ],
      plugins: { use: [counted] }
    })
    log.info("hello\nworld")
    await log.close()
    assert.deepStrictEqual(read(path.join(d, "a.log")), ['INFO "hello\\nworld"'])
    assert.deepStrictEqual(read(path.join(d, "b.log")), ['INFO "hello\\nworld"'])
    assert.deepStrictEqual(read(path.join(d, "c.log")), ['> INFO "hello\\nworld"'])
    assert.match(
      read(path.join(d, "d.log"))[0] ?? "",
      /^timestamp=\S+ level=info logger=app message="hello\\nworld"$/
    )
    assert.strictEqual(opened, 2, "one formatter per type and config, shared by the sinks using it")
    fs.rmSync(d, { recursive: true, force: true })
  })

  it("FAPILOG_FORMAT and config files name formatter plugins too", async () => {
    const d = dir()
    const file = path.join(d, "fapilog.yaml")
    fs.writeFileSync(
      file,
      `sinks:\n  - type: file\n    path: ${path.join(d, "file.log")}\n    format: { type: upper, prefix: "yaml " }\n  - type: file\n    path: ${path.join(d, "env.log")}\n`
    )
    const env = ConfigProvider.fromMap(new Map([["FAPILOG_FORMAT", "UPPER"]]), { pathDelim: "__" })
    await Effect.runPromise(
      Effect.logWarning("from the environment").pipe(
        Effect.provide(
          Fapilog.layer({ configFile: file, plugins: { use: [upperPlugin()] } }, { configProvider: env })
        )
      )
    )
    assert.deepStrictEqual(read(path.join(d, "file.log")), ['yaml WARN "from the environment"'])
    assert.deepStrictEqual(read(path.join(d, "env.log")), ['WARN "from the environment"'])
    fs.rmSync(d, { recursive: true, force: true })
  })

  it("an unknown format, a sink plugin named as a format, and a bad config are refused by path", async () => {
    const rec = recorder()
    const error = await rejection({
      format: "xml" as never,
      sinks: [
        { type: "stdout", format: Plugin.entry("rec") },
        { type: "stderr", format: Plugin.entry("upper", { prefix: 1 }) },
        { type: "stderr", format: { type: "json" } as never }
      ],
      plugins: { use: [rec.plugin, upperPlugin()], discover: false }
    })
    assert.deepStrictEqual(error.issues, [
      {
        path: "sinks[2].format.type",
        message: '"json" is a built-in format: write it as a name (format: "json")'
      },
      {
        path: "format",
        message:
          '"xml" is not a built-in formatter (json, logfmt, pretty, minimal) and no plugin provides it: plugins.discover is false and plugins.use has no plugin of that type'
      },
      {
        path: "sinks[0].format.type",
        message: "plugin fapilog-plugin-rec@1.0.0 is a sink plugin, not a formatter"
      },
      {
        path: "sinks[1].format.prefix",
        message: "plugin fapilog-plugin-upper@1.0.0: Expected string, actual 1"
      }
    ])
  })

  it("a formatter that fails for an event costs only that event; one whose start fails gives JSON lines", async () => {
    const d = dir()
    const picky = Plugin.formatter({
      ...upperPlugin(),
      name: "fapilog-plugin-picky",
      type: "picky",
      make: () =>
        Effect.succeed(
          Formatter.make("picky", (e) => (e.message === "bad" ? "two\nlines" : `ok ${e.message}`))
        )
    })
    const broken = Plugin.formatter({
      ...upperPlugin(),
      name: "fapilog-plugin-broken",
      type: "broken",
      make: () => Effect.fail(new Error("template missing"))
    })
    const log = await createLogger({
      sinks: [
        { type: "file", path: path.join(d, "picky.log"), format: Plugin.entry("picky") },
        { type: "file", path: path.join(d, "broken.log"), format: Plugin.entry("broken") }
      ],
      plugins: { use: [picky, broken] }
    })
    log.info("good")
    log.info("bad")
    log.info("fine")
    await log.close()
    const lines = read(path.join(d, "picky.log"))
    assert.strictEqual(lines.length, 3)
    assert.strictEqual(lines[0], "ok good")
    assert.deepInclude(JSON.parse(lines[1] ?? "{}"), {
      level: "info",
      message: "[fapilog: formatter picky failed] bad"
    })
    assert.strictEqual(lines[2], "ok fine")
    assert.deepStrictEqual(
      read(path.join(d, "broken.log")).map((l) => (JSON.parse(l) as { message: string }).message),
      ["good", "bad", "fine"]
    )
    fs.rmSync(d, { recursive: true, force: true })
  })

  it("passes the formatter conformance suite", async () => {
    const report = await Effect.runPromise(
      Testing.formatterConformance({
        make: Plugin.open(upperPlugin(), {}),
        check: (line, event) =>
          line.startsWith(event.level.toUpperCase()) ? undefined : "does not start with the level"
      })
    )
    assert.deepStrictEqual(report.skipped, [])
  })
})

describe("Plugin.Context.fallback", () => {
  const script = (fallback: string) => `
    import { Effect, Schema } from "effect"
    import { createLogger, Plugin, Sink } from "$FAPILOG"
    const deadLetters = Plugin.sink({
      name: "fapilog-plugin-dead",
      type: "dead",
      version: "1.0.0",
      apiVersion: "1.0",
      description: "Hands every event to the fallback",
      config: Schema.Struct({}),
      make: (_config, context) =>
        Effect.succeed(
          Sink.makeSync("dead", (batch) => {
            for (const e of batch.events) context.fallback(\`{"dead":\${JSON.stringify(e.message)}}\\n\`)
          })
        )
    })
    const log = await createLogger({ fallback: "${fallback}", plugins: { use: [deadLetters] }, sinks: [{ type: "dead" }] })
    log.info("first\\nline")
    await log.close()
  `

  it("writes a plugin's line where the logger's fallback sink writes: stderr, or nowhere with fallback null", () => {
    const toStderr = runScript(script("stderr"))
    assert.strictEqual(toStderr.status, 0, toStderr.stderr)
    assert.include(toStderr.stderr, '{"dead":"first\\nline"}\n')
    const toNothing = runScript(script("null"))
    assert.strictEqual(toNothing.status, 0, toNothing.stderr)
    assert.notInclude(toNothing.stderr, "dead")
  })
})

describe("Plugin.Context.reportDeletion", () => {
  it("a plugin's deletions, even those made while it starts, are audit events of fapilog.retention and counted in stats", async () => {
    const pruning = Plugin.sink({
      name: "fapilog-plugin-prune",
      type: "prune",
      version: "1.0.0",
      apiVersion: "1.0",
      description: "Drops an old partition when it starts",
      config: Schema.Struct({}),
      make: (_config, context) =>
        Effect.sync(() => {
          context.reportDeletion?.({
            sink: "prune:db",
            kind: "partition",
            name: "public.logs_20261105",
            bytes: 8192,
            ageMs: 86_400_000,
            policy: "maxAge",
            fields: { day: "2026-11-05" }
          })
          // a malformed deletion (a plugin in plain JavaScript) is reported in its right shape
          context.reportDeletion?.({ name: 7, bytes: -1, ageMs: "old", policy: "never" } as never)
          return Sink.makeSync("prune:db", () => {})
        })
    })
    const memory = Sink.memory()
    const log = await createLogger({ plugins: { use: [pruning] }, sinks: [Plugin.entry("prune"), memory] })
    await log.flush()
    const reports = memory.events().filter((e) => e.logger === "fapilog.retention")
    assert.deepStrictEqual(
      reports.map((e) => [e.level, e.message, e.fields]),
      [
        [
          "audit",
          "retention deleted a partition",
          {
            day: "2026-11-05",
            eventCategory: "compliance",
            sink: "prune:db",
            partition: "public.logs_20261105",
            bytes: 8192,
            ageMs: 86_400_000,
            policy: "maxAge"
          }
        ],
        [
          "audit",
          "retention deleted a partition",
          {
            eventCategory: "compliance",
            sink: "plugin fapilog-plugin-prune",
            partition: "7",
            bytes: 0,
            ageMs: 0,
            policy: "never"
          }
        ]
      ]
    )
    assert.deepStrictEqual(log.stats().retention, {
      files: 0,
      partitions: 2,
      bytes: 8192,
      byPolicy: { maxAge: 1, never: 1 }
    })
    await log.close()
  })
})

describe("Plugin.age and Plugin.size", () => {
  it("accept what the file sink's maxAge and maxTotalBytes accept, and name the accepted forms otherwise", () => {
    const Config = Schema.Struct({ maxAge: Plugin.age(), maxTotalBytes: Plugin.size() })
    const ok = Schema.decodeUnknownSync(Config)({ maxAge: "30d", maxTotalBytes: "1.5 GiB" })
    assert.deepStrictEqual(
      [Plugin.parseAge(ok.maxAge), Plugin.parseBytes(ok.maxTotalBytes)],
      [30 * 86_400_000, 1610612736]
    )
    assert.strictEqual(Plugin.parseAge(5000), 5000)
    assert.throws(() => Plugin.parseAge("daily"), RangeError)
    assert.throws(() => Plugin.parseBytes(0), RangeError)
    const failed = Schema.decodeUnknownEither(Config)(
      { maxAge: "daily", maxTotalBytes: 0 },
      { errors: "all" }
    )
    assert.isTrue(failed._tag === "Left")
    const message = failed._tag === "Left" ? ParseResult.TreeFormatter.formatErrorSync(failed.left) : ""
    assert.include(
      message,
      '"daily" is not an age: a number of milliseconds or a number with a unit ms, s, m, h, d or w'
    )
    assert.include(message, '0 is not a size: a number of bytes or a string such as "500 MB"')
  })
})
