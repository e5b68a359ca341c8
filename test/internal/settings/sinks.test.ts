import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Schema } from "effect"
import { ConfigError } from "../../../src/Errors.js"
import { createLogger, Plugin, Sink } from "../../../src/index.js"
import * as Settings from "../../../src/Settings.js"

const noEnv = ConfigProvider.fromMap(new Map(), { pathDelim: "__", seqDelim: "," })

const issuesOf = (input: unknown) => {
  const result = Effect.runSync(Effect.either(Settings.resolve(input as Settings.Settings, noEnv)))
  assert.isTrue(Either.isLeft(result), "expected a ConfigError")
  const error = (result as Either.Left<ConfigError, unknown>).left
  assert.instanceOf(error, ConfigError)
  return error.issues
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-keys-"))

const linesOf = (file: string): Array<Record<string, unknown>> =>
  fs
    .readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe("sinks: key names", () => {
  it("each file sink writes its own key names; the default sink beside it keeps fapilog's", async () => {
    const dir = tmp()
    const log = await createLogger({
      format: "json",
      sinks: [
        { type: "file", path: path.join(dir, "gcp.log"), keys: "gcp" },
        { type: "file", path: path.join(dir, "dd.log"), keys: "datadog", timestampFormat: "epochMs" },
        {
          type: "file",
          path: path.join(dir, "own.log"),
          messageKey: "msg",
          levelKey: "lvl",
          timestampKey: "ts",
          levelNames: { warn: "WARNING" }
        },
        { type: "file", path: path.join(dir, "plain.log") }
      ]
    })
    log.child({ severity: "bound" }).warn("disk low", { msg: "user msg", status: "user status", free: 3 })
    await log.close()
    const [gcp] = linesOf(path.join(dir, "gcp.log"))
    assert.deepInclude(gcp, {
      severity: "WARNING",
      message: "disk low",
      free: 3,
      msg: "user msg",
      status: "user status"
    })
    assert.match(gcp?.time as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    assert.deepStrictEqual(gcp?.fields, { severity: "bound" })
    const [dd] = linesOf(path.join(dir, "dd.log"))
    assert.deepInclude(dd, { status: "warning", message: "disk low", severity: "bound", msg: "user msg" })
    assert.isNumber(dd?.timestamp)
    assert.deepStrictEqual(dd?.fields, { status: "user status" })
    const [own] = linesOf(path.join(dir, "own.log"))
    assert.deepStrictEqual(Object.keys(own ?? {}).slice(0, 4), ["ts", "lvl", "logger", "msg"])
    assert.deepInclude(own, { lvl: "WARNING", msg: "disk low", status: "user status" })
    assert.deepStrictEqual(own?.fields, { msg: "user msg" })
    const [plain] = linesOf(path.join(dir, "plain.log"))
    assert.deepInclude(plain, { level: "warn", message: "disk low", msg: "user msg", severity: "bound" })
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("accepts the options on stream and file sinks and in routes", () => {
    const resolved = Effect.runSync(
      Settings.resolve(
        {
          sinks: [
            { type: "stdout", keys: "gcp", messageKey: "msg" },
            {
              type: "route",
              routes: [{ minLevel: "error", sinks: [{ type: "stderr", levelKey: "status" }] }]
            }
          ]
        },
        noEnv
      )
    )
    assert.deepStrictEqual(resolved.sinks[0], { type: "stdout", keys: "gcp", messageKey: "msg" })
  })

  it("bad values name the field and what is accepted", () => {
    assert.deepStrictEqual(
      issuesOf({
        sinks: [
          {
            type: "stdout",
            keys: "splunk",
            messageKey: "",
            timestampFormat: "unix",
            levelNames: { warning: "W", info: "" }
          }
        ]
      }),
      [
        { path: "sinks[0].keys", message: '"splunk" is not one of gcp, datadog' },
        {
          path: "sinks[0].messageKey",
          message: '"" is not a name of 1 to 64 characters without control characters'
        },
        { path: "sinks[0].timestampFormat", message: '"unix" is not one of iso, epochMs' },
        {
          path: "sinks[0].levelNames.warning",
          message: "is not a level; accepted: trace, debug, info, warn, error, fatal, audit, security"
        },
        {
          path: "sinks[0].levelNames.info",
          message: '"" is not a name of 1 to 64 characters without control characters'
        }
      ]
    )
  })

  it("renamed keys that collide with each other or with a core key are refused", () => {
    assert.deepStrictEqual(issuesOf({ sinks: [{ type: "stdout", messageKey: "level" }] }), [
      {
        path: "sinks[0].messageKey",
        message: '"level" is also the level key (levelKey): each core key needs its own name'
      }
    ])
    assert.deepStrictEqual(issuesOf({ sinks: [{ type: "file", path: "/tmp/x.log", levelKey: "error" }] }), [
      { path: "sinks[0].levelKey", message: '"error" is the core key error of the line: choose another name' }
    ])
    assert.deepStrictEqual(issuesOf({ sinks: [{ type: "stdout", keys: "gcp", messageKey: "time" }] }), [
      {
        path: "sinks[0].messageKey",
        message: '"time" is also the time key (timestampKey): each core key needs its own name'
      }
    ])
  })

  it("key names with another layout or a format other than json are refused, naming why", () => {
    assert.deepStrictEqual(issuesOf({ sinks: [{ type: "stdout", layout: "ecs", messageKey: "msg" }] }), [
      {
        path: "sinks[0].messageKey",
        message:
          "is for the default JSON layout only: this sink writes the ecs layout, whose key names its specification fixes"
      }
    ])
    assert.deepStrictEqual(issuesOf({ layout: "pino", sinks: [{ type: "stdout", keys: "gcp" }] }), [
      {
        path: "sinks[0].keys",
        message:
          "is for the default JSON layout only: this sink writes the pino layout (the logger's layout), whose key names its specification fixes"
      }
    ])
    assert.deepStrictEqual(
      issuesOf({
        sinks: [
          {
            type: "route",
            routes: [
              {
                levels: "*",
                sinks: [{ type: "file", path: "/tmp/x.log", format: "logfmt", levelKey: "lvl" }]
              }
            ]
          }
        ]
      }),
      [
        {
          path: "sinks[0].routes[0].sinks[0].levelKey",
          message: "is for the default JSON layout only: this sink writes logfmt, not JSON"
        }
      ]
    )
    // a json sink of a logger whose own format is logfmt may rename
    Effect.runSync(
      Settings.resolve(
        { format: "logfmt", sinks: [{ type: "stdout", format: "json", keys: "datadog" }] },
        noEnv
      )
    )
  })
})

describe("sinks: reserved keys", () => {
  it("lists fapilog's own keys of every sink entry", () => {
    assert.deepStrictEqual(Settings.reservedSinkKeys, [
      "type",
      "level",
      "categories",
      "excludeCategories",
      "filter",
      "format",
      "layout",
      "keys",
      "messageKey",
      "levelKey",
      "timestampKey",
      "timestampFormat",
      "levelNames"
    ])
  })

  it("a plugin sink entry may not set the text sinks' keys", () => {
    assert.deepStrictEqual(
      issuesOf({ sinks: [{ type: "kafka", level: "warn", format: "json", messageKey: "m" }] }),
      [
        {
          path: "sinks[0].format",
          message:
            "is a key of fapilog's text sinks (stdout, stderr, file), reserved in every sink entry: a plugin sink writes its own output, set by its own options (see the plugin's documentation)"
        },
        {
          path: "sinks[0].messageKey",
          message:
            "is a key of fapilog's text sinks (stdout, stderr, file), reserved in every sink entry: a plugin sink writes its own output, set by its own options (see the plugin's documentation)"
        }
      ]
    )
  })

  const sinkPlugin = <A, I>(config: Schema.Schema<A, I>) =>
    Plugin.sink({
      name: "fapilog-plugin-greedy",
      type: "greedy",
      version: "1.0.0",
      apiVersion: "1.0",
      description: "declares keys fapilog reserves",
      config,
      make: () => Effect.succeed(Sink.memory())
    })

  it("a plugin whose config Schema declares a reserved key is refused when it is loaded", async () => {
    const greedy = sinkPlugin(
      Schema.Struct({
        url: Schema.String,
        format: Schema.optional(Schema.String),
        levelKey: Schema.optional(Schema.String)
      })
    )
    const error = await createLogger({
      plugins: { use: [greedy] },
      sinks: [{ type: "greedy", url: "x" } as never]
    }).catch((e: unknown) => e)
    assert.instanceOf(error, ConfigError)
    assert.deepStrictEqual((error as ConfigError).issues, [
      {
        path: "sinks[0].type",
        message:
          'plugin fapilog-plugin-greedy@1.0.0 is refused: its config declares "format", "levelKey", which fapilog reads itself in every sink entry (reserved: type, level, categories, excludeCategories, filter, format, layout, keys, messageKey, levelKey, timestampKey, timestampFormat, levelNames); the plugin must name its options otherwise'
      }
    ])
  })

  it("the refusal sees through refinements, transformations and unions, and applies to Plugin.open", async () => {
    const refined = sinkPlugin(
      Schema.Struct({ url: Schema.String, layout: Schema.optional(Schema.String) }).pipe(
        Schema.filter(() => true)
      )
    )
    const union = sinkPlugin(
      Schema.Union(Schema.Struct({ a: Schema.String }), Schema.Struct({ level: Schema.String }))
    )
    const defaulted = sinkPlugin(
      Schema.Struct({ type: Schema.optionalWith(Schema.String, { default: () => "greedy" }) })
    )
    for (const p of [refined, union, defaulted] as ReadonlyArray<Plugin.SinkPlugin<unknown, unknown>>) {
      const error = await createLogger({ sinks: [Plugin.open(p, {}) as never] }).catch((e: unknown) => e)
      assert.instanceOf(error, ConfigError)
      assert.match(
        (error as ConfigError).issues[0]?.message ?? "",
        /is refused: its config declares "(layout|level|type)"/
      )
    }
  })
})
