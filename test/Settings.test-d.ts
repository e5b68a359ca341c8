/**
 * Type tests of the settings union, run by `npm run typecheck` (tsconfig.json includes test/,
 * and CI runs the typecheck): every line after a `@ts-expect-error` must fail to compile, or
 * the unused directive is itself an error. Each wrong case sits next to the right one it
 * differs from, so that a directive cannot pass by an unrelated mistake.
 */

import * as Loki from "@fapilog/loki"
import type {} from "@fapilog/otlp"
import type {} from "@fapilog/webhook"
import { Effect, Schema } from "effect"
import { createLogger, Fapilog, Plugin, type Settings, Sink } from "fapilog"

// ---------------------------------------------------------------------------------------
// Built-in sinks: a union discriminated by `type`

export const file: Settings.SinkSetting = { type: "file", path: "logs/app.log" }
// @ts-expect-error a file sink needs its path
export const fileWithoutPath: Settings.SinkSetting = { type: "file" }

export const rotated: Settings.SinkSetting = { type: "file", path: "a.log", maxBytes: "10 MB" }
// @ts-expect-error a misspelt option of a built-in sink
export const misspelt: Settings.SinkSetting = { type: "file", path: "a.log", maxbytes: "10 MB" }
// @ts-expect-error an option of the wrong type
export const wrongType: Settings.SinkSetting = { type: "file", path: "a.log", compress: "yes" }

export const stream: Settings.SinkSetting = { type: "stderr", level: "warn", format: "logfmt" }
// @ts-expect-error a stream sink has no path
export const streamWithPath: Settings.SinkSetting = { type: "stderr", level: "warn", path: "x" }
// @ts-expect-error not a level
export const streamBadLevel: Settings.SinkSetting = { type: "stderr", level: "loud", format: "logfmt" }

export const routed: Settings.SinkSetting = { type: "route", routes: [{ minLevel: "error", sinks: [file] }] }
export const routedInline: Settings.SinkSetting = {
  type: "route",
  routes: [{ levels: "*", sinks: ["stdout", { type: "file", path: "all.log" }] }]
}
// @ts-expect-error a file sink inside a route needs its path too
export const routedWithoutPath: Settings.SinkSetting = {
  type: "route",
  routes: [{ levels: "*", sinks: [{ type: "file" }] }]
}

export const alerting: Settings.SinkSetting = {
  type: "alert",
  rules: [
    {
      name: "db",
      level: "error",
      categories: ["app.db"],
      threshold: 5,
      window: "1m",
      by: { field: "tenant" }
    },
    { name: "down", on: "circuit-open", sinks: ["stdout"], cooldown: 0 }
  ],
  notify: ["stderr", { type: "file", path: "alerts.log" }]
}
export const alertingOne: Settings.AlertSinkSetting = {
  type: "alert",
  rules: [{ name: "x" }],
  notify: "stderr"
}
// @ts-expect-error a rule needs its name
export const alertWithoutName: Settings.SinkSetting = { type: "alert", rules: [{ level: "error" }] }
// @ts-expect-error a circuit rule counts no events
export const circuitWithThreshold: Settings.AlertRuleSetting = { name: "c", on: "circuit-open", threshold: 1 }
// @ts-expect-error a notify file sink needs its path too
export const notifyWithoutPath: Settings.SinkSetting = {
  type: "alert",
  rules: [{ name: "x" }],
  notify: { type: "file" }
}

// ---------------------------------------------------------------------------------------
// Plugin sinks: the packages' augmentation of PluginSinks, or Plugin.entry

const url = "http://loki:3100"

export const loki: Settings.SinkSetting = { type: "loki", url, labelKeys: ["level"] }
// @ts-expect-error the loki sink needs its url
export const lokiWithoutUrl: Settings.SinkSetting = { type: "loki", labelKeys: ["level"] }
// @ts-expect-error a misspelt option of a plugin sink
export const lokiMisspelt: Settings.SinkSetting = { type: "loki", url, labelkeys: ["level"] }
// @ts-expect-error a value the plugin's Schema does not accept
export const lokiBadEncoding: Settings.SinkSetting = { type: "loki", url, encoding: "xml" }

export const lokiAtWarn: Settings.SinkSetting = { type: "loki", url, level: "warn" }
// @ts-expect-error `level`, read by fapilog, is a level name
export const lokiAtLoud: Settings.SinkSetting = { type: "loki", url, level: "loud" }
export const lokiForDb: Settings.SinkSetting = {
  type: "loki",
  url,
  categories: ["app.db"],
  filter: (e) => e.level !== "debug"
}
// @ts-expect-error `filter`, read by fapilog, is a function of the event
export const lokiBadFilter: Settings.SinkSetting = { type: "loki", url, filter: "level=debug" }

// Per-sink selection: categories and a filter of the event, beside the level
export const dbFile: Settings.SinkSetting = {
  type: "file",
  path: "db.log",
  categories: ["app.db"],
  excludeCategories: ["app.db.pool"],
  filter: (e) => Number(e.fields.ms) > 100
}
// @ts-expect-error categories are a list
export const dbFileOneCategory: Settings.SinkSetting = { type: "file", path: "db.log", categories: "app.db" }
// @ts-expect-error a filter answers with a boolean
export const dbFileBadFilter: Settings.SinkSetting = { type: "stdout", filter: (e) => e.message }

// Fingers-crossed
export const fingersCrossed: Settings.Settings = {
  fingersCrossed: { triggerLevel: "error", bufferSize: 50, by: { field: "tenantId" }, flushOnClose: true }
}
// @ts-expect-error `by` is a core key, "logger" or { field }
export const fingersCrossedBadBy: Settings.Settings = { fingersCrossed: { by: "request" } }

export const otlp: Settings.SinkSetting = { type: "otlp" }
export const webhook: Settings.SinkSetting = { type: "webhook", url }
// @ts-expect-error the webhook sink needs its url
export const webhookWithoutUrl: Settings.SinkSetting = { type: "webhook" }

export const kafka: Settings.SinkSetting = Plugin.entry("kafka", { brokers: ["k1:9092"], level: "warn" })
// @ts-expect-error a type no package declares is not a plain object: use Plugin.entry
export const kafkaLiteral: Settings.SinkSetting = { type: "kafka", brokers: ["k1:9092"], level: "warn" }
// @ts-expect-error a misspelt built-in type is not a plugin entry either
export const files: Settings.SinkSetting = { type: "files", path: "logs/app.log" }
// @ts-expect-error the type is Plugin.entry's first argument, not a config key
export const entryWithType = Plugin.entry("kafka", { type: "kafka" })

export const others: ReadonlyArray<Settings.SinkSetting> = [
  Sink.memory(),
  Loki.sink({ url }),
  Effect.succeed(Sink.discard)
]

// ---------------------------------------------------------------------------------------
// Enrichers

export const enrichers: ReadonlyArray<Settings.EnricherSetting> = [
  () => ({ region: "eu-1" }),
  { name: "static", enrich: () => undefined },
  Plugin.entry("geo", { precision: 2 })
]
// @ts-expect-error an enricher plugin without declared types is named with Plugin.entry
export const geoLiteral: Settings.EnricherSetting = { type: "geo", precision: 2 }

// ---------------------------------------------------------------------------------------
// Through the public entry points

export const logger = () => createLogger({ sinks: [{ type: "file", path: "app.log" }] })
// @ts-expect-error createLogger takes the same union
export const loggerWithoutPath = () => createLogger({ sinks: [{ type: "file" }] })

export const layer = Fapilog.layer({ sinks: [{ type: "loki", url }] })
// @ts-expect-error Fapilog.layer takes the same union
export const layerWithoutUrl = Fapilog.layer({ sinks: [{ type: "loki" }] })

export const settings: Settings.Settings = { level: "debug", sinks: [file, loki, kafka], enrichers }
// @ts-expect-error an unknown setting
export const unknownSetting: Settings.Settings = { levle: "debug", sinks: [file, loki, kafka], enrichers }

// ---------------------------------------------------------------------------------------
// Categories: a name as a path or its segments, levels per category prefix

export const named: Settings.Settings = { name: ["app", "api"], categoryLevels: { "app.api.db": "debug" } }
// @ts-expect-error a category level is a level name
export const badCategoryLevel: Settings.Settings = { categoryLevels: { "app.db": "loud" } }
// @ts-expect-error a name is a string or a list of strings
export const badName: Settings.Settings = { name: 42 }

export const categorized = async () => {
  const log = await createLogger()
  const db = log.child("db").child(["pool", "primary"])
  db.debug("lazy", () => ({ n: 1 }))
  db.error("lazy error", () => new Error("e"))
  // @ts-expect-error a fields function returns fields or an Error
  db.info("lazy text", () => "text")
  log.setLevel("debug", ["app", "db"])
  const done: boolean = log.time("job").done("done", { rows: 1 }, "warn")
  // @ts-expect-error done's level is a level name
  log.time("job").done("done", undefined, "loud")
  return done
}

// ---------------------------------------------------------------------------------------
// Compliance profiles and minimisation

export const profiles: Settings.Settings = { compliance: ["pci-dss", "gdpr"] }
// @ts-expect-error not a compliance profile
export const unknownProfile: Settings.Settings = { compliance: ["pci"] }
export const minimised: Settings.Settings = {
  minimise: {
    allow: { "app.http": Schema.Struct({ method: Schema.String }), "*": ["orderId"] },
    mode: "report"
  }
}
// @ts-expect-error minimise needs its allow-lists
export const withoutAllow: Settings.Settings = { minimise: { mode: "report" } }
// @ts-expect-error not a minimisation mode
export const badMode: Settings.Settings = { minimise: { allow: { "*": [] }, mode: "strict" } }
