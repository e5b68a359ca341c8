/**
 * Minimisation and compliance profiles on the Effect 4 line: the same shared processor and
 * settings as test/internal/minimise.test.ts and test/internal/settings/compliance.test.ts,
 * driven by Effect 4's `Effect.log*`, annotations, `Schema` and `ConfigProvider`.
 */
import { afterEach, assert, beforeEach, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Option, Schema } from "effect"
import { type Errors, Fapilog, Sink } from "../../src/effect4/index.js"
import type { Settings } from "../../src/Settings.js"

const KEY = "FAPILOG_TEST_E4_AUDIT_KEY"
beforeEach(() => {
  process.env[KEY] = "cd".repeat(32)
})
afterEach(() => {
  delete process.env[KEY]
})

const issuesOf = (settings: Settings, options?: Fapilog.LayerOptions) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(
      Effect.map(Fapilog.Fapilog, (f) => f.settings).pipe(Effect.provide(Fapilog.layer(settings, options)))
    )
    assert.isTrue(Exit.isFailure(exit), "expected a ConfigError")
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Exit.findErrorOption(exit)) : undefined
    assert.strictEqual((error as Errors.ConfigError | undefined)?._tag, "ConfigError")
    return (error as Errors.ConfigError).issues
  })

describe("minimisation on Effect 4", () => {
  it.effect(
    "an Effect 4 Schema Struct is the allow-list of a category; annotations are filtered, counts in stats",
    () =>
      Effect.gen(function* () {
        const memory = Sink.memory()
        const Http = Schema.Struct({
          method: Schema.String,
          client: Schema.Struct({ region: Schema.String }),
          lines: Schema.Array(Schema.Struct({ sku: Schema.String }))
        })
        const stats = yield* Effect.gen(function* () {
          yield* Effect.logInfo("request").pipe(
            Effect.annotateLogs({
              method: "GET",
              email: "a@b.c",
              client: { region: "eu", ip: "10.0.0.1" },
              lines: [{ sku: "A", card: "4111" }]
            }),
            Fapilog.withLogger("http")
          )
          yield* Effect.logInfo("order").pipe(Effect.annotateLogs({ orderId: "o-1", ssn: "123-45-6789" }))
          yield* Fapilog.flush
          return yield* Fapilog.stats
        }).pipe(
          Effect.provide(
            Fapilog.layer({
              name: "app",
              sinks: [memory],
              minimise: { allow: { "app.http": Http, "*": ["orderId"] } }
            })
          )
        )
        const [request, order] = memory.events()
        assert.deepStrictEqual(request?.fields, {
          method: "GET",
          client: { region: "eu" },
          lines: [{ sku: "A" }]
        })
        assert.deepStrictEqual(order?.fields, { orderId: "o-1" })
        assert.deepStrictEqual(stats.minimised, {
          mode: "enforce",
          events: 2,
          fields: { email: 1, "client.ip": 1, "lines[].card": 1, ssn: 1 }
        })
      })
  )

  it.effect("report mode keeps every field and counts what enforce would leave out", () =>
    Effect.gen(function* () {
      const memory = Sink.memory()
      const stats = yield* Effect.gen(function* () {
        yield* Effect.logInfo("order").pipe(Effect.annotateLogs({ orderId: "o-1", note: "x" }))
        yield* Fapilog.flush
        return yield* Fapilog.stats
      }).pipe(
        Effect.provide(
          Fapilog.layer({ sinks: [memory], minimise: { allow: { "*": ["orderId"] }, mode: "report" } })
        )
      )
      assert.deepStrictEqual(memory.events()[0]?.fields, { orderId: "o-1", note: "x" })
      assert.deepStrictEqual(stats.minimised, { mode: "report", events: 1, fields: { note: 1 } })
    })
  )
})

describe("compliance profiles on Effect 4", () => {
  it.effect("FAPILOG_COMPLIANCE from an Effect 4 ConfigProvider, checked against the final settings", () =>
    Effect.gen(function* () {
      const configProvider = ConfigProvider.fromEnv({
        env: {
          FAPILOG_COMPLIANCE: "SOX",
          FAPILOG_SINKS: "loki",
          FAPILOG_SINK_LOKI: '{"url":"http://loki:3100"}'
        }
      })
      const issues = yield* issuesOf({}, { configProvider })
      assert.deepStrictEqual(
        issues.map((i) => i.path),
        // the loki and pii plugins are not installed here: their packages are named in the same error
        [
          "sinks",
          "FAPILOG_SINK_LOKI.url",
          "FAPILOG_SINKS",
          'compliance (sox) adds processors[0] { type: "pii" }'
        ]
      )
      assert.include(issues[0]?.message, "npm install @fapilog/audit")
    })
  )

  it.effect("an unknown profile fails naming the accepted values; a preset combines with a profile", () =>
    Effect.gen(function* () {
      const unknown = yield* issuesOf({ compliance: ["pci"] as never })
      assert.deepStrictEqual(unknown, [
        { path: "compliance[0]", message: '"pci" is not one of pci-dss, hipaa, sox, gdpr' }
      ])
      const withPreset = yield* issuesOf({
        preset: "production",
        compliance: ["pci-dss"],
        sinks: [{ type: "audit", path: "/tmp/audit", key: `env:${KEY}` } as never]
      })
      // the preset's redaction satisfies the profile: only the plugin packages are missing
      assert.deepStrictEqual(
        withPreset.map((i) => i.path),
        ["sinks[0].type", 'compliance (pci-dss) adds processors[0] { type: "pii" }']
      )
      assert.include(withPreset[1]?.message, "npm install @fapilog/pii-effect4")
    })
  )
})
