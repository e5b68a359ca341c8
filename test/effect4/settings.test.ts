/**
 * Settings on Effect 4: the `FAPILOG_*` variables (from the process environment, or from an
 * Effect 4 `ConfigProvider`), a YAML config file and a preset give the Effect 3 line's
 * settings, and bad values fail the layer with its issues, word for word (the expected
 * issues are those of test/Settings.test.ts).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Option, Schema, SchemaAST } from "effect"
import { envProvider } from "../../src/effect4/configProvider.js"
import { Errors, Fapilog, Settings as SettingsModule } from "../../src/effect4/index.js"
import type { Settings } from "../../src/Settings.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-effect4-settings-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const write = (name: string, body: string): string => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, body)
  return file
}

/** The settings a layer resolves, with `options`. */
const settingsOf = (settings: Settings, options?: Fapilog.LayerOptions) =>
  Effect.map(Fapilog.Fapilog, (f) => f.settings).pipe(Effect.provide(Fapilog.layer(settings, options)))

/** The issues of the ConfigError a layer fails with. */
const issuesOf = (settings: Settings, options?: Fapilog.LayerOptions) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(settingsOf(settings, options))
    assert.isTrue(Exit.isFailure(exit), "expected a ConfigError")
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Exit.findErrorOption(exit)) : undefined
    assert.strictEqual((error as Errors.ConfigError | undefined)?._tag, "ConfigError")
    return (error as Errors.ConfigError).issues
  })

const fileVars = (logFile: string, sinks = "stdout, FILE") => ({
  FAPILOG_SINKS: sinks,
  FAPILOG_FILE__PATH: logFile,
  FAPILOG_FILE__MAX_FILES: "5",
  FAPILOG_FILE__MAX_BYTES: "10 MB",
  FAPILOG_FILE__MAX_AGE: "30d",
  FAPILOG_LEVEL: "DEBUG",
  FAPILOG_REDACT__KEYS: "secret, token",
  FAPILOG_SERVICE: "shop"
})

const fileSink = (logFile: string) => ({
  type: "file",
  path: logFile,
  maxFiles: 5,
  maxBytes: 10 * 1024 * 1024,
  maxAge: 30 * 86_400_000
})

const expectedFrom = (logFile: string) => ({
  sinks: ["stdout", fileSink(logFile)],
  level: "debug",
  redact: { keys: ["secret", "token"] },
  service: "shop"
})

const view = (s: Fapilog.FapilogService["settings"]): Record<string, unknown> => ({
  sinks: s.sinks,
  level: s.level,
  redact: s.redact,
  service: s.enrich?.service
})

describe("settings from the environment on Effect 4", () => {
  it.effect(
    "the process environment: FAPILOG_FILE__PATH, comma lists, any-case names; the file gets the lines",
    () =>
      Effect.gen(function* () {
        const logFile = path.join(dir, "from-process-env.log")
        // the file sink only: no line on the test's stdout
        const vars = fileVars(logFile, "FILE")
        Object.assign(process.env, vars)
        const settings = yield* Effect.gen(function* () {
          yield* Effect.logDebug("to the file").pipe(Effect.annotateLogs({ secret: "s3cr3t", user: "ada" }))
          return (yield* Fapilog.Fapilog).settings
        }).pipe(
          Effect.provide(Fapilog.layer()),
          Effect.ensuring(
            Effect.sync(() => {
              for (const k of Object.keys(vars)) delete process.env[k]
            })
          )
        )
        assert.deepStrictEqual(view(settings), { ...expectedFrom(logFile), sinks: [fileSink(logFile)] })
        const line = JSON.parse(fs.readFileSync(logFile, "utf8").trim()) as Record<string, unknown>
        assert.deepStrictEqual(
          [line.level, line.message, line.user, line.service],
          ["debug", "to the file", "ada", "shop"]
        )
        assert.notStrictEqual(line.secret, "s3cr3t", "redacted by FAPILOG_REDACT__KEYS")
      })
  )

  it.effect(
    "an Effect 4 ConfigProvider: fromEnv finds FAPILOG_FILE__PATH though it joins with _; nesting providers too",
    () =>
      Effect.gen(function* () {
        const logFile = path.join(dir, "from-provider.log")
        const fromEnv = ConfigProvider.fromEnv({ env: fileVars(logFile) })
        assert.deepStrictEqual(
          view(yield* settingsOf({}, { configProvider: fromEnv })),
          expectedFrom(logFile)
        )
        // a nesting provider: FAPILOG_FILE, then PATH
        const nested = ConfigProvider.fromUnknown({
          FAPILOG_SINKS: "file",
          FAPILOG_FILE: { PATH: logFile, MAX_FILES: "5" }
        })
        const settings = yield* settingsOf({}, { configProvider: nested })
        assert.deepStrictEqual(settings.sinks, [{ type: "file", path: logFile, maxFiles: 5 }])
        // the programmatic settings win over the environment, as on Effect 3
        const level = yield* Effect.map(
          settingsOf({ level: "warn" }, { configProvider: fromEnv }),
          (s) => s.level
        )
        assert.strictEqual(level, "warn")
      })
  )

  it.effect("bad values fail the layer with the Effect 3 line's issues, each naming its variable", () =>
    Effect.gen(function* () {
      const provider = ConfigProvider.fromEnv({
        env: {
          FAPILOG_LEVEL: "LOUD",
          FAPILOG_CAPACITY: "lots",
          FAPILOG_SINKS: "file",
          FAPILOG_FORMAT: "ya ml",
          FAPILOG_SHUTDOWN_TIMEOUT_MS: "-1"
        }
      })
      assert.deepStrictEqual(yield* issuesOf({ level: "nope" as never }, { configProvider: provider }), [
        {
          path: "level",
          message: '"nope" is not one of trace, debug, info, warn, error, fatal, audit, security'
        },
        {
          path: "FAPILOG_LEVEL",
          message: '"loud" is not one of trace, debug, info, warn, error, fatal, audit, security'
        },
        {
          path: "FAPILOG_FORMAT",
          message:
            '"ya ml" is not one of json, logfmt, pretty, minimal, nor a formatter plugin\'s type (lowercase letters, digits, ".", "_", "-")'
        },
        { path: "FAPILOG_CAPACITY", message: '"lots" is not a whole number' },
        { path: "FAPILOG_SHUTDOWN_TIMEOUT_MS", message: '"-1" is not a whole number' },
        { path: "FAPILOG_FILE__PATH", message: "is required when FAPILOG_SINKS names file" }
      ])
    })
  )

  it.effect(
    "a YAML file named by FAPILOG_CONFIG and its preset, below the environment; its problems by file and key",
    () =>
      Effect.gen(function* () {
        const file = write("layers.yaml", "level: error\nname: file-name\ncapacity: 77\npreset: production\n")
        const provider = ConfigProvider.fromEnv({ env: { FAPILOG_CONFIG: file, FAPILOG_LEVEL: "warn" } })
        const s = yield* settingsOf({ name: "code-name" }, { configProvider: provider })
        assert.deepStrictEqual(
          [s.name, s.level, s.capacity, s.maxEventBytes, s.enrich, s.shutdownTimeoutMs],
          ["code-name", "warn", 77, 256 * 1024, { hostname: true, pid: true }, 5000]
        )
        const bad = write("bad.yaml", "level: loud\nsinks: [stdout, {type: file}]\n")
        const none = ConfigProvider.fromEnv({ env: {} })
        assert.deepStrictEqual(yield* issuesOf({ configFile: bad }, { configProvider: none }), [
          {
            path: "bad.yaml: level",
            message: '"loud" is not one of trace, debug, info, warn, error, fatal, audit, security'
          },
          { path: "bad.yaml: sinks[1].path", message: "is required for a file sink" }
        ])
      })
  )
})

describe("envProvider", () => {
  it.effect("asks for the whole name first, then for the path as the provider nests it", () =>
    Effect.gen(function* () {
      const both = envProvider(
        ConfigProvider.fromUnknown({ A__B: "whole", A: { B: "nested", C: "only nested" }, D: "flat" })
      )
      const load = (p: ReadonlyArray<string>) =>
        Effect.map(both.load(p), (node) => (node?._tag === "Value" ? node.value : node?._tag))
      assert.deepStrictEqual(
        [yield* load(["A", "B"]), yield* load(["A", "C"]), yield* load(["D"]), yield* load(["A", "X"])],
        ["whole", "only nested", "flat", undefined]
      )
    })
  )
})

describe("Settings on Effect 4", () => {
  const env = (vars: Record<string, string>) => ConfigProvider.fromEnv({ env: vars })

  /** The ConfigError `Settings.resolve` fails with. */
  const resolveError = (input: unknown, vars: Record<string, string> = {}) =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(SettingsModule.resolve(input as Settings, env(vars)))
      assert.isTrue(Exit.isFailure(exit), "expected a ConfigError")
      const error = Exit.isFailure(exit) ? Option.getOrUndefined(Exit.findErrorOption(exit)) : undefined
      assert.instanceOf(error, Errors.ConfigError)
      return error as Errors.ConfigError
    })

  it.effect(
    "resolve: defaults, precedence, FAPILOG_FILE__PATH and comma lists through an Effect 4 provider",
    () =>
      Effect.gen(function* () {
        assert.deepStrictEqual(yield* SettingsModule.resolve(undefined, env({})), SettingsModule.defaults)
        const resolved = yield* SettingsModule.resolve(
          { level: "warn" },
          env({ ...fileVars("/tmp/e4.log"), FAPILOG_NAME: "from-env" })
        )
        assert.deepStrictEqual(
          [resolved.level, resolved.name, resolved.sinks, resolved.redact],
          ["warn", "from-env", ["stdout", fileSink("/tmp/e4.log")], { keys: ["secret", "token"] }]
        )
        assert.strictEqual(SettingsModule.presets.dev.level, "debug")
        assert.include(SettingsModule.settingKeys, "redact")
      })
  )

  it.effect("resolve fails with the Effect 3 line's issues, word for word (test/Settings.test.ts)", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        (yield* resolveError({ level: "loud" })).message,
        'Invalid fapilog settings:\n  level: "loud" is not one of trace, debug, info, warn, error, fatal, audit, security'
      )
      assert.deepStrictEqual((yield* resolveError({ levle: "info" })).issues, [
        { path: "levle", message: `is not a setting; accepted: ${SettingsModule.settingKeys.join(", ")}` }
      ])
      assert.deepStrictEqual((yield* resolveError({ sinks: ["file", { type: "file" }, 42] })).issues, [
        {
          path: "sinks[0]",
          message:
            '"file" needs a path: use { type: "file", path } (or FAPILOG_FILE__PATH with FAPILOG_SINKS)'
        },
        { path: "sinks[1].path", message: "is required for a file sink" },
        {
          path: "sinks[2]",
          message:
            '42 is not a sink: use one of stdout, stderr, null, a { type: "file", path }, { type: "route", routes } or plugin { type, ... } object, a Sink, or an Effect that opens one'
        }
      ])
      const fromEnv = yield* resolveError(
        { level: "nope" },
        {
          FAPILOG_LEVEL: "LOUD",
          FAPILOG_CAPACITY: "lots",
          FAPILOG_SINKS: "file",
          FAPILOG_FORMAT: "ya ml",
          FAPILOG_SHUTDOWN_TIMEOUT_MS: "-1"
        }
      )
      assert.deepStrictEqual(fromEnv.issues, [
        {
          path: "level",
          message: '"nope" is not one of trace, debug, info, warn, error, fatal, audit, security'
        },
        {
          path: "FAPILOG_LEVEL",
          message: '"loud" is not one of trace, debug, info, warn, error, fatal, audit, security'
        },
        {
          path: "FAPILOG_FORMAT",
          message:
            '"ya ml" is not one of json, logfmt, pretty, minimal, nor a formatter plugin\'s type (lowercase letters, digits, ".", "_", "-")'
        },
        { path: "FAPILOG_CAPACITY", message: '"lots" is not a whole number' },
        { path: "FAPILOG_SHUTDOWN_TIMEOUT_MS", message: '"-1" is not a whole number' },
        { path: "FAPILOG_FILE__PATH", message: "is required when FAPILOG_SINKS names file" }
      ])
    })
  )

  it("fields: each setting's schema is an Effect 4 schema, with its description", () => {
    for (const [key, schema] of Object.entries(SettingsModule.fields)) {
      const description = SchemaAST.resolveDescription((schema as Schema.Top).ast)
      assert.isTrue(description !== undefined && description.length > 3, `${key} has a description`)
    }
    assert.isTrue(Schema.is(SettingsModule.fields.level as Schema.Top)("audit"))
    assert.isFalse(Schema.is(SettingsModule.fields.capacity as Schema.Top)(0))
  })
})

describe("Settings.check and Settings.mask on Effect 4", () => {
  const env = (vars: Record<string, string>) => ConfigProvider.fromEnv({ env: vars })

  it.effect("check collects every problem (environment, file, plugins) without failing", () =>
    Effect.gen(function* () {
      const file = write("check.json", JSON.stringify({ level: "loud" }))
      const checked = yield* SettingsModule.check(
        { configFile: file, sinks: [{ type: "nosuch-plugin-type" } as never] },
        env({ FAPILOG_CAPACITY: "-1" })
      )
      assert.sameMembers(
        checked.issues.map((i) => i.path),
        ["check.json: level", "FAPILOG_CAPACITY", "sinks[0].type"]
      )
      const valid = yield* SettingsModule.check({ name: "api" }, env({ FAPILOG_LEVEL: "debug" }))
      assert.deepStrictEqual(valid.issues, [])
      assert.strictEqual(valid.settings.level, "debug")
    })
  )

  it("mask hides secret keys and URL credentials", () => {
    assert.deepStrictEqual(SettingsModule.mask({ url: "https://u:p@h/x", nested: { token: "t", keep: 1 } }), {
      url: "https://[MASKED]@h/x",
      nested: { token: "[MASKED]", keep: 1 }
    })
  })
})
