import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option, Schema, SchemaAST } from "effect"
import * as ConfigErrorModule from "effect/ConfigError"
import { ConfigError } from "../src/Errors.js"
import * as Settings from "../src/Settings.js"

const env = (vars: Record<string, string>) =>
  ConfigProvider.fromMap(new Map(Object.entries(vars)), { pathDelim: "__", seqDelim: "," })
const noEnv = env({})

const issuesOf = (input: unknown, vars: Record<string, string> = {}) => {
  const result = Effect.runSync(Effect.either(Settings.resolve(input as Settings.Settings, env(vars))))
  assert.isTrue(Either.isLeft(result), "expected a ConfigError")
  const error = (result as Either.Left<ConfigError, unknown>).left
  assert.instanceOf(error, ConfigError)
  return error
}

describe("Settings", () => {
  it("zero configuration: JSON lines on stdout at info", () => {
    const resolved = Effect.runSync(Settings.resolve(undefined, noEnv))
    assert.deepStrictEqual(resolved, Settings.defaults)
    assert.deepStrictEqual(resolved.sinks, ["stdout"])
    assert.strictEqual(resolved.level, "info")
  })

  it("precedence: programmatic > environment > defaults", () => {
    const vars = { FAPILOG_LEVEL: "debug", FAPILOG_NAME: "from-env", FAPILOG_CAPACITY: "64" }
    const resolved = Effect.runSync(Settings.resolve({ level: "warn" }, env(vars)))
    assert.strictEqual(resolved.level, "warn")
    assert.strictEqual(resolved.name, "from-env")
    assert.strictEqual(resolved.capacity, 64)
    assert.strictEqual(resolved.shutdownTimeoutMs, 5000)
  })

  it("reads sinks from FAPILOG_SINKS and FAPILOG_FILE__PATH", () => {
    const resolved = Effect.runSync(
      Settings.resolve(
        undefined,
        env({
          FAPILOG_SINKS: "stdout, FILE,null",
          FAPILOG_FILE__PATH: "/tmp/x.log",
          FAPILOG_SHUTDOWN_TIMEOUT_MS: "100"
        })
      )
    )
    assert.deepStrictEqual(resolved.sinks, ["stdout", { type: "file", path: "/tmp/x.log" }, "null"])
    assert.strictEqual(resolved.shutdownTimeoutMs, 100)
  })

  it("treats empty environment variables as unset", () => {
    const resolved = Effect.runSync(
      Settings.resolve(undefined, env({ FAPILOG_LEVEL: "", FAPILOG_SINKS: " " }))
    )
    assert.strictEqual(resolved.level, "info")
  })

  it("names the field, the bad value and what is accepted", () => {
    assert.strictEqual(
      issuesOf({ level: "loud" }).message,
      'Invalid fapilog settings:\n  level: "loud" is not one of trace, debug, info, warn, error, fatal, audit, security'
    )
    assert.deepStrictEqual(issuesOf({ format: "xml" }).issues, [
      { path: "format", message: '"xml" is not one of json' }
    ])
    assert.deepStrictEqual(issuesOf({ capacity: 0 }).issues, [
      { path: "capacity", message: "0 is not a whole number of events between 1 and 10000000" }
    ])
    assert.deepStrictEqual(issuesOf({ name: "" }).issues, [
      { path: "name", message: '"" is not a name of 1 to 256 characters' }
    ])
    assert.deepStrictEqual(issuesOf({ shutdownTimeoutMs: 1.5 }).issues, [
      { path: "shutdownTimeoutMs", message: "1.5 is not a whole number of milliseconds between 0 and 600000" }
    ])
  })

  it("validates every sink entry with its index", () => {
    const error = issuesOf({
      sinks: [
        "stdout",
        "loki",
        "file",
        { type: "file" },
        { type: "s3" },
        { type: "file", path: "a", mode: 0o1000, extra: 1 },
        42
      ]
    })
    assert.deepStrictEqual(error.issues, [
      { path: "sinks[1]", message: '"loki" is not one of stdout, stderr, null, file' },
      {
        path: "sinks[2]",
        message: '"file" needs a path: use { type: "file", path } (or FAPILOG_FILE__PATH with FAPILOG_SINKS)'
      },
      { path: "sinks[3].path", message: "undefined is not a file path" },
      { path: "sinks[4].type", message: '"s3" is not one of file' },
      { path: "sinks[5].extra", message: "is not a file sink setting; accepted: type, path, mode" },
      { path: "sinks[5].mode", message: "512 is not a permission mode between 0 and 0o777" },
      {
        path: "sinks[6]",
        message:
          '42 is not a sink: use one of stdout, stderr, null, file, a { type: "file", path } object, or a Sink'
      }
    ])
    assert.deepStrictEqual(issuesOf({ sinks: [] }).issues, [
      { path: "sinks", message: "[] is not a non-empty array of sinks" }
    ])
  })

  it("reports unknown keys and non-object settings", () => {
    assert.deepStrictEqual(issuesOf({ levle: "info" }).issues, [
      {
        path: "levle",
        message: "is not a setting; accepted: name, level, format, sinks, capacity, shutdownTimeoutMs"
      }
    ])
    assert.deepStrictEqual(issuesOf("info").issues, [
      { path: "settings", message: '"info" is not a settings object' }
    ])
  })

  it("reports environment problems by variable name, together with programmatic ones", () => {
    const error = issuesOf(
      { level: "nope" },
      {
        FAPILOG_LEVEL: "LOUD",
        FAPILOG_CAPACITY: "lots",
        FAPILOG_SINKS: "file",
        FAPILOG_FORMAT: "yaml",
        FAPILOG_SHUTDOWN_TIMEOUT_MS: "-1"
      }
    )
    assert.deepStrictEqual(error.issues, [
      {
        path: "level",
        message: '"nope" is not one of trace, debug, info, warn, error, fatal, audit, security'
      },
      {
        path: "FAPILOG_LEVEL",
        message: '"loud" is not one of trace, debug, info, warn, error, fatal, audit, security'
      },
      { path: "FAPILOG_FORMAT", message: '"yaml" is not one of json' },
      { path: "FAPILOG_CAPACITY", message: '"lots" is not a whole number' },
      { path: "FAPILOG_SHUTDOWN_TIMEOUT_MS", message: '"-1" is not a whole number' },
      { path: "FAPILOG_FILE__PATH", message: "is required when FAPILOG_SINKS names file" }
    ])
  })

  it("documents each setting in its schema", () => {
    for (const [key, schema] of Object.entries(Settings.fields)) {
      const description = SchemaAST.getDescriptionAnnotation(schema.ast)
      assert.isTrue(Option.isSome(description) && description.value.length > 10, `${key} has a description`)
    }
    assert.isTrue(Schema.is(Settings.fields.level)("audit"))
    assert.isFalse(Schema.is(Settings.fields.capacity)(0))
  })
})

describe("Settings environment failures", () => {
  it("a config provider that fails is reported, not ignored", () => {
    const broken = ConfigProvider.make({
      load: () => Effect.fail(ConfigErrorModule.InvalidData([], "provider unavailable")),
      flattened: ConfigProvider.fromMap(new Map()).flattened
    })
    const result = Effect.runSync(Effect.either(Settings.resolve(undefined, broken)))
    assert.isTrue(Either.isLeft(result))
    const issues = (result as Either.Left<ConfigError, unknown>).left.issues
    assert.strictEqual(issues[0]?.path, "environment")
  })
})
