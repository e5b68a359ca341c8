import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
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
    // a lowercase name could be a formatter plugin's type: only building the logger can tell
    assert.deepStrictEqual(issuesOf({ format: "XML" }).issues, [
      {
        path: "format",
        message:
          '"XML" is not one of json, logfmt, pretty, minimal, nor a formatter plugin\'s type (lowercase letters, digits, ".", "_", "-")'
      }
    ])
    assert.deepStrictEqual(issuesOf({ capacity: 0 }).issues, [
      { path: "capacity", message: "0 is not a whole number of events between 1 and 10000000" }
    ])
    assert.deepStrictEqual(issuesOf({ name: "" }).issues, [
      {
        path: "name",
        message:
          '"" is not a category: "."-separated non-empty segments, such as "app.db", or a list of segments'
      }
    ])
    assert.deepStrictEqual(issuesOf({ shutdownTimeoutMs: 1.5 }).issues, [
      { path: "shutdownTimeoutMs", message: "1.5 is not a whole number of milliseconds between 0 and 600000" }
    ])
  })

  it("reads a file sink's maxAge as milliseconds or a number with a unit, and names the field when it is neither", () => {
    const r = Effect.runSync(
      Settings.resolve(
        { sinks: [{ type: "file", path: "/tmp/a.log", interval: "daily", maxAge: "2w" }] },
        env({})
      )
    )
    assert.deepStrictEqual(r.sinks, [
      { type: "file", path: "/tmp/a.log", interval: 86_400_000, maxAge: 14 * 86_400_000 }
    ])
    const error = issuesOf({
      sinks: [
        { type: "file", path: "a", maxAge: "1 month" },
        { type: "file", path: "b", maxAge: 0 }
      ]
    })
    const rule =
      'use a number of milliseconds or a number with a unit ms, s, m, h, d or w, such as "12h", "30d" or "2w"'
    assert.deepStrictEqual(error.issues, [
      { path: "sinks[0].maxAge", message: `"1 month" is not an age: ${rule}` },
      { path: "sinks[1].maxAge", message: `0 is not an age: ${rule}` }
    ])
  })

  it("validates every sink entry with its index", () => {
    const error = issuesOf({
      sinks: [
        "stdout",
        "loki",
        "file",
        { type: "file" },
        { type: "S3 bucket" },
        { type: "file", path: "a", mode: 0o1000, extra: 1 },
        42
      ]
    })
    assert.deepStrictEqual(error.issues, [
      {
        path: "sinks[1]",
        message:
          '"loki" is not one of stdout, stderr, null, file, route, alert (a plugin sink is an object: { type: "loki", ... })'
      },
      {
        path: "sinks[2]",
        message: '"file" needs a path: use { type: "file", path } (or FAPILOG_FILE__PATH with FAPILOG_SINKS)'
      },
      { path: "sinks[3].path", message: "is required for a file sink" },
      {
        path: "sinks[4].type",
        message:
          '"S3 bucket" is not one of stdout, stderr, null, file, route, alert, nor a plugin type (lowercase letters, digits, ".", "_", "-"; fapilog loads @fapilog/<type> or fapilog-plugin-<type>)'
      },
      {
        path: "sinks[5].extra",
        message:
          "is not a key of a file sink; accepted: type, path, maxBytes, maxFiles, maxTotalBytes, maxAge, interval, compress, mode, level, categories, excludeCategories, filter, format, layout, keys, messageKey, levelKey, timestampKey, timestampFormat, levelNames"
      },
      { path: "sinks[5].mode", message: "512 is not a permission mode between 0 and 0o777" },
      {
        path: "sinks[6]",
        message:
          '42 is not a sink: use one of stdout, stderr, null, a { type: "file", path }, { type: "route", routes } or plugin { type, ... } object, a Sink, or an Effect that opens one'
      }
    ])
    // an empty list is a valid setting (sinks may come as layers); the logger then needs one
    assert.deepStrictEqual(issuesOf({ sinks: {} }).issues, [
      { path: "sinks", message: "{} is not an array of sinks" }
    ])
    assert.deepStrictEqual(
      issuesOf({ sinks: [{ type: "route", routes: [{ levels: "*", sinks: [] }] }] }).issues,
      [{ path: "sinks[0].routes[0].sinks", message: "[] is not a non-empty array of sinks" }]
    )
  })

  it("reports unknown keys and non-object settings", () => {
    assert.deepStrictEqual(issuesOf({ levle: "info" }).issues, [
      {
        path: "levle",
        message: `is not a setting; accepted: ${Settings.settingKeys.join(", ")}`
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
        FAPILOG_FORMAT: "ya ml",
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

  it("documents each setting in its schema", () => {
    for (const [key, schema] of Object.entries(Settings.fields)) {
      const description = SchemaAST.getDescriptionAnnotation(schema.ast)
      assert.isTrue(Option.isSome(description) && description.value.length > 3, `${key} has a description`)
    }
    assert.isTrue(Schema.is(Settings.fields.level)("audit"))
    assert.isFalse(Schema.is(Settings.fields.capacity)(0))
  })
})

describe("Settings: name and categoryLevels", () => {
  it("a name is a category path, written dotted or as segments", () => {
    assert.strictEqual(Effect.runSync(Settings.resolve({ name: ["app", "api"] }, noEnv)).name, "app.api")
    assert.strictEqual(Effect.runSync(Settings.resolve({ name: "app.api" }, noEnv)).name, "app.api")
    assert.deepStrictEqual(issuesOf({ name: ["app", "a.b", 3] }).issues, [
      { path: "name", message: '"a.b" is not a category segment (a non-empty string without ".")' }
    ])
    assert.deepStrictEqual(issuesOf({}, { FAPILOG_NAME: "app..x" }).issues, [
      {
        path: "FAPILOG_NAME",
        message:
          '"app..x" is not a name of 1 to 256 characters: a category: "."-separated non-empty segments, such as "app.db", or a list of segments'
      }
    ])
    assert.isTrue(Schema.is(Settings.fields.name)("app.db"))
    assert.isFalse(Schema.is(Settings.fields.name)("app."))
  })

  it("categoryLevels default to none and merge key by key across sources, the higher source winning", () => {
    assert.deepStrictEqual(Effect.runSync(Settings.resolve(undefined, noEnv)).categoryLevels, {})
    const resolved = Effect.runSync(
      Settings.resolve(
        { categoryLevels: { "app.db": "debug" } },
        env({ FAPILOG_CATEGORY_LEVELS: "app.db=error,app.http=warn" })
      )
    )
    assert.deepStrictEqual(resolved.categoryLevels, { "app.db": "debug", "app.http": "warn" })
  })

  it("a category level must apply to some category of the logger: its name, below it, or above it", () => {
    const ok = Effect.runSync(
      Settings.resolve({ name: "app.api", categoryLevels: { app: "warn", "app.api.db": "debug" } }, noEnv)
    )
    assert.deepStrictEqual(ok.categoryLevels, { app: "warn", "app.api.db": "debug" })
    assert.deepStrictEqual(issuesOf({ name: "app.api", categoryLevels: { "app.apix": "debug" } }).issues, [
      {
        path: 'categoryLevels["app.apix"]',
        message: 'is not under the logger\'s name "app.api": write the full path, such as "app.api.app.apix"'
      }
    ])
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

describe("Settings layers: config file and presets", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-settings-"))
  const write = (name: string, body: string) => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, body)
    return file
  }
  const resolved = (input: Settings.Settings, vars: Record<string, string> = {}) =>
    Effect.runSync(Settings.resolve(input, env(vars)))

  it("reads a YAML or JSON file named by configFile or FAPILOG_CONFIG", () => {
    const yaml = write(
      "fapilog.yaml",
      "level: debug\nname: from-file\nsinks:\n  - stderr\nredact:\n  keys: [password]\n"
    )
    const fromYaml = resolved({ configFile: yaml })
    assert.strictEqual(fromYaml.level, "debug")
    assert.deepStrictEqual(fromYaml.sinks, ["stderr"])
    assert.deepStrictEqual(fromYaml.redact, { keys: ["password"] })
    const jsonFile = write("fapilog.json", JSON.stringify({ level: "warn", format: "logfmt" }))
    const fromJson = resolved({}, { FAPILOG_CONFIG: jsonFile })
    assert.strictEqual(fromJson.level, "warn")
    assert.strictEqual(fromJson.format, "logfmt")
  })

  it("precedence: programmatic > environment > file > preset > defaults", () => {
    const file = write("layers.yaml", "level: error\nname: file-name\ncapacity: 77\npreset: production\n")
    const r = resolved({ configFile: file, name: "code-name" }, { FAPILOG_LEVEL: "warn" })
    assert.strictEqual(r.name, "code-name")
    assert.strictEqual(r.level, "warn")
    assert.strictEqual(r.capacity, 77)
    assert.strictEqual(r.maxEventBytes, 256 * 1024, "from the production preset")
    assert.deepStrictEqual(r.enrich, { hostname: true, pid: true })
    assert.strictEqual(r.shutdownTimeoutMs, 5000, "the default")
  })

  it("reports problems inside the file by file and key, and unreadable files", () => {
    const bad = write("bad.yaml", "level: loud\nsinks: [stdout, {type: file}]\nunknown: 1\n")
    const error = issuesOf({ configFile: bad })
    assert.deepStrictEqual(error.issues, [
      {
        path: "bad.yaml: unknown",
        message: `is not a setting; accepted: ${Settings.settingKeys.join(", ")}`
      },
      {
        path: "bad.yaml: level",
        message: '"loud" is not one of trace, debug, info, warn, error, fatal, audit, security'
      },
      { path: "bad.yaml: sinks[1].path", message: "is required for a file sink" }
    ])
    assert.include(
      issuesOf({ configFile: path.join(dir, "missing.yaml") }).issues[0]?.message,
      "cannot be read"
    )
    assert.include(
      issuesOf({ configFile: write("broken.json", "{") }).issues[0]?.message,
      "is not valid JSON"
    )
  })

  it("every preset resolves and says what it turns on", () => {
    for (const preset of ["dev", "production", "serverless", "hardened", "minimal"] as const) {
      const r = resolved({ preset })
      assert.strictEqual(r.preset, preset)
    }
    assert.strictEqual(resolved({ preset: "dev" }).format, "pretty")
    assert.isTrue(resolved({ preset: "hardened" }).redact?.failClosed)
    assert.strictEqual(resolved({ preset: "minimal" }).format, "minimal")
    assert.deepStrictEqual(issuesOf({ preset: "fast" }).issues, [
      { path: "preset", message: '"fast" is not one of dev, production, serverless, hardened, minimal' }
    ])
  })

  it("reads file rotation, enrichment and redaction from the environment", () => {
    const r = resolved(
      {},
      {
        FAPILOG_SINKS: "file",
        FAPILOG_FILE__PATH: "/tmp/a.log",
        FAPILOG_FILE__MAX_BYTES: "10 MB",
        FAPILOG_FILE__MAX_FILES: "5",
        FAPILOG_FILE__INTERVAL: "daily",
        FAPILOG_FILE__MAX_AGE: "30d",
        FAPILOG_FILE__COMPRESS: "yes",
        FAPILOG_SERVICE: "billing",
        FAPILOG_ENV: "prod",
        FAPILOG_VERSION: "1.2.3",
        FAPILOG_REDACT__PATHS: "password,headers.authorization",
        FAPILOG_MAX_EVENT_BYTES: "64KB"
      }
    )
    assert.deepStrictEqual(r.sinks, [
      {
        type: "file",
        path: "/tmp/a.log",
        maxBytes: 10 * 1024 * 1024,
        maxFiles: 5,
        interval: 86_400_000,
        maxAge: 30 * 86_400_000,
        compress: true
      }
    ])
    assert.deepStrictEqual(r.enrich, { service: "billing", env: "prod", version: "1.2.3" })
    assert.deepStrictEqual(r.redact, { paths: ["password", "headers.authorization"] })
    assert.strictEqual(r.maxEventBytes, 65_536)
    const error = issuesOf(
      {},
      {
        FAPILOG_SINKS: "file",
        FAPILOG_FILE__PATH: "x",
        FAPILOG_FILE__COMPRESS: "maybe",
        FAPILOG_FILE__MAX_BYTES: "lots",
        FAPILOG_FILE__MAX_AGE: "daily"
      }
    )
    assert.deepStrictEqual(
      error.issues.map((i) => i.path),
      ["FAPILOG_FILE__MAX_BYTES", "FAPILOG_FILE__MAX_AGE", "FAPILOG_FILE__COMPRESS"]
    )
    assert.strictEqual(
      error.issues[1]?.message,
      '"daily" is not an age: use a number of milliseconds or a number with a unit ms, s, m, h, d or w, such as "12h", "30d" or "2w"'
    )
  })

  it("validates nested settings with their paths", () => {
    const error = issuesOf({
      sampling: { kind: "rate" },
      throttle: { burst: 0 },
      dedupe: { windowMs: -1 },
      redact: { paths: ["a..b"], keys: "password" },
      enrich: { hostname: "yes", runtime: { intervalMs: 5 } },
      enrichers: [() => undefined, 3],
      maxEventBytes: "huge",
      sinks: [{ type: "route", routes: [{ sinks: ["stdout"] }, { levels: ["loud"], sinks: ["stderr"] }] }]
    })
    assert.deepStrictEqual(
      error.issues.map((i) => i.path),
      [
        "sinks[0].routes[0]",
        "sinks[0].routes[1].levels[0]",
        "enrich.hostname",
        "enrich.runtime.intervalMs",
        "enrichers[1]",
        "sampling.every",
        "throttle.burst",
        "throttle.ratePerSecond",
        "dedupe.windowMs",
        "maxEventBytes",
        "redact.paths[0]",
        "redact.keys"
      ]
    )
  })
})

describe("Settings.check", () => {
  it("collects every problem of every source, plugins included, without failing or opening anything", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-check-"))
    try {
      const file = path.join(dir, "fapilog.json")
      fs.writeFileSync(
        file,
        JSON.stringify({ level: "loud", sinks: [{ type: "file", path: path.join(dir, "a.log") }] })
      )
      const checked = Effect.runSync(
        Settings.check(
          { configFile: file, sinks: [{ type: "nosuch-plugin-type" } as never] },
          env({ FAPILOG_CAPACITY: "-1" })
        )
      )
      assert.sameMembers(
        checked.issues.map((i) => i.path),
        ["fapilog.json: level", "FAPILOG_CAPACITY", "sinks[0].type"]
      )
      assert.strictEqual(checked.settings.name, "app")
      assert.isFalse(fs.existsSync(path.join(dir, "a.log")))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("gives the resolved settings and no issues for valid ones", () => {
    const checked = Effect.runSync(Settings.check({ name: "api" }, env({ FAPILOG_LEVEL: "debug" })))
    assert.deepStrictEqual(checked.issues, [])
    assert.strictEqual(checked.settings.level, "debug")
    assert.strictEqual(checked.settings.name, "api")
  })
})

describe("Settings.mask", () => {
  it("masks secret keys at any depth and URL credentials, leaving the input unchanged", () => {
    const input = {
      name: "api",
      sinks: [
        { type: "webhook", url: "https://user:pw@hooks.example/x", headers: { Authorization: "Bearer t" } },
        { type: "audit", key: "00ff", path: "audit.log" }
      ],
      nested: { deeper: { apiKey: "k", password: "p", keep: "visible" } }
    }
    const copy = structuredClone(input)
    assert.deepStrictEqual(Settings.mask(input), {
      name: "api",
      sinks: [
        { type: "webhook", url: "https://[MASKED]@hooks.example/x", headers: { Authorization: "[MASKED]" } },
        { type: "audit", key: "[MASKED]", path: "audit.log" }
      ],
      nested: { deeper: { apiKey: "[MASKED]", password: "[MASKED]", keep: "visible" } }
    })
    assert.deepStrictEqual(input, copy)
  })

  it("never throws on hostile values", () => {
    const cyclic: Record<string, unknown> = { token: "t" }
    cyclic.self = cyclic
    const hostile = {
      get password(): string {
        throw new Error("boom")
      }
    }
    assert.doesNotThrow(() => Settings.mask(cyclic))
    assert.doesNotThrow(() => Settings.mask(hostile))
    assert.strictEqual(Settings.mask(12n), 12n)
  })
})
