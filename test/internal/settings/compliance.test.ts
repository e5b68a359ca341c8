import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, assert, beforeEach, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import type { ConfigIssue } from "../../../src/Errors.js"
import { createLogger } from "../../../src/index.js"
import { collect } from "../../../src/internal/settings/index.js"
import { presets } from "../../../src/internal/settings/presets.js"

const env = (vars: Record<string, string> = {}) =>
  ConfigProvider.fromMap(new Map(Object.entries(vars)), { pathDelim: "__", seqDelim: "," })

const collected = (input: unknown, vars: Record<string, string> = {}) =>
  Effect.runSync(collect(input, env(vars)))

const issuesOf = (input: unknown, vars: Record<string, string> = {}): ReadonlyArray<ConfigIssue> =>
  collected(input, vars).issues

const paths = (issues: ReadonlyArray<ConfigIssue>): Array<string> => issues.map((i) => i.path)

const KEY = "FAPILOG_TEST_AUDIT_KEY"
const audit = { type: "audit", path: "/var/log/audit", key: `env:${KEY}` }
const encryption = { type: "encryption", keys: `env:${KEY}` }

beforeEach(() => {
  process.env[KEY] = "ab".repeat(32)
})
afterEach(() => {
  delete process.env[KEY]
})

describe("the compliance setting", () => {
  it("fails fast on an unknown profile, naming the accepted values", () => {
    const issues = issuesOf({ compliance: ["pci-dss", "iso27001"] })
    assert.deepStrictEqual(paths(issues), ["compliance[1]"])
    assert.include(issues[0]?.message, '"iso27001" is not one of pci-dss, hipaa, sox, gdpr')
    assert.deepStrictEqual(paths(issuesOf({ compliance: "pci-dss" })), ["compliance"])
  })

  it("reads FAPILOG_COMPLIANCE in any case, naming the variable on a bad name", () => {
    const { settings } = collected({ sinks: [audit] }, { FAPILOG_COMPLIANCE: "SOX, sox" })
    assert.deepStrictEqual(settings.compliance, ["sox"])
    const issues = issuesOf({}, { FAPILOG_COMPLIANCE: "pci-dss,pci" })
    assert.deepStrictEqual(paths(issues), ["FAPILOG_COMPLIANCE[1]"])
  })

  it("adds up the profiles of every source: a higher source cannot drop one", () => {
    const { settings } = collected(
      { compliance: ["sox"], sinks: [audit], minimise: { allow: { "*": ["orderId"] } } },
      { FAPILOG_COMPLIANCE: "gdpr" }
    )
    assert.deepStrictEqual(settings.compliance, ["gdpr", "sox"])
  })

  it("adds a fail-closed pii processor and redaction of secret keys when the settings have none", () => {
    const { settings, issues } = collected({ compliance: ["pci-dss"], sinks: [audit] })
    assert.deepStrictEqual(issues, [])
    // first of every processor: order below all of them
    assert.deepStrictEqual(settings.processors, [{ type: "pii", onError: "drop", order: -1 }])
    assert.include(settings.redact?.keys ?? [], "authorization")
    assert.strictEqual(settings.redact?.urls, true)
  })

  it("keeps a preset's redaction and the user's own pii entry, closing it when onError is left out", () => {
    const pii = { type: "pii", order: -5 }
    const { settings, issues } = collected({
      preset: "production",
      compliance: ["pci-dss"],
      sinks: [audit],
      processors: [pii]
    })
    assert.deepStrictEqual(issues, [])
    assert.deepStrictEqual(settings.redact, presets.production.redact)
    assert.deepStrictEqual(settings.processors, [{ type: "pii", order: -5, onError: "drop" }])
    assert.deepStrictEqual(pii, { type: "pii", order: -5 }, "the caller's entry is not changed")
    assert.strictEqual(settings.maxEventBytes, 256 * 1024, "the rest of the preset applies")
  })

  it("runs the pii processor it adds before encryption, and refuses an encryption entry ordered before pii", () => {
    const added = collected(
      {
        compliance: ["hipaa"],
        sinks: [audit],
        processors: [{ ...encryption, order: -3 }]
      },
      { [KEY]: "ab".repeat(32) }
    )
    assert.deepStrictEqual(added.issues, [])
    assert.deepInclude(added.settings.processors, { type: "pii", onError: "drop", order: -4 })
    const issues = issuesOf(
      { compliance: ["hipaa"], sinks: [audit], processors: [encryption, { type: "pii" }] },
      { [KEY]: "ab".repeat(32) }
    )
    assert.deepStrictEqual(paths(issues), ["processors[0].order"])
    assert.include(issues[0]?.message, "runs before the pii processor")
  })

  it("refuses a pii entry that lets unscanned events through", () => {
    const issues = issuesOf({
      compliance: ["gdpr"],
      processors: [{ type: "pii", onError: "pass" }],
      minimise: { allow: { "*": [] } }
    })
    assert.deepStrictEqual(paths(issues), ["processors[0].onError"])
    assert.include(issues[0]?.message, "GDPR Art. 32")
  })

  it("without an audit sink: one issue, naming every profile that needs it and its control", () => {
    const issues = issuesOf({ compliance: ["pci-dss", "sox"] })
    assert.deepStrictEqual(paths(issues), ["sinks"])
    const m = issues[0]?.message ?? ""
    assert.include(m, "pci-dss (PCI-DSS 10.2, 10.3")
    assert.include(m, "sox (SOX 404")
    assert.include(m, "npm install @fapilog/audit")
  })

  it("finds an audit sink in routes, and requires its path and a key that resolves", () => {
    const routed = {
      type: "route",
      routes: [{ levels: ["audit"], sinks: [{ type: "audit", key: "env:FAPILOG_TEST_UNSET" }] }]
    }
    const issues = issuesOf({ compliance: ["sox"], sinks: ["stdout", routed] })
    assert.deepStrictEqual(paths(issues), [
      "sinks[1].routes[0].sinks[0].path",
      "sinks[1].routes[0].sinks[0].key"
    ])
    assert.include(issues[1]?.message, "FAPILOG_TEST_UNSET, which is not set")
  })

  it("hipaa: requires an encryption processor whose keys resolve", () => {
    assert.include(
      issuesOf({ compliance: ["hipaa"], sinks: [audit] }).map((i) => `${i.path}: ${i.message}`)[0],
      "processors: has no encryption processor; hipaa (HIPAA 164.312(a)(2)(iv)"
    )
    const missing = issuesOf({
      compliance: ["hipaa"],
      sinks: [audit],
      processors: [{ type: "encryption", keys: "file:/nonexistent/keys.json" }]
    })
    assert.deepStrictEqual(paths(missing), ["processors[0].keys"])
    assert.include(missing[0]?.message, "no key for encryption")
    assert.deepStrictEqual(issuesOf({ compliance: ["hipaa"], sinks: [audit], processors: [encryption] }), [])
  })

  it("gdpr: requires an enforced minimisation allow-list", () => {
    assert.deepStrictEqual(paths(issuesOf({ compliance: ["gdpr"] })), ["minimise"])
    const report = issuesOf({ compliance: ["gdpr"], minimise: { allow: { "*": ["a"] }, mode: "report" } })
    assert.deepStrictEqual(paths(report), ["minimise.mode"])
    assert.include(report[0]?.message, "GDPR Art. 5(1)(c)")
  })

  it("refuses redaction turned off", () => {
    const issues = issuesOf({ compliance: ["pci-dss"], sinks: [audit], redact: { keys: [], censor: "x" } })
    assert.deepStrictEqual(paths(issues), ["redact"])
    assert.include(issues[0]?.message, "redaction is off")
  })

  it("refuses network sinks that send in clear, without echoing their credentials", () => {
    const sinks = [
      audit,
      { type: "loki", url: "http://loki:3100" },
      { type: "loki", url: "https://loki:3100" },
      { type: "otlp", url: "http://localhost:4318/v1/logs" },
      { type: "redis", url: "redis://cache:6379" },
      { type: "redis", url: "rediss://cache:6379" },
      { type: "postgres", connectionString: "postgres://app:s3cret@db:5432/logs" },
      { type: "postgres", connectionString: "postgres://app:s3cret@db:5432/logs?sslmode=verify-full" },
      { type: "nats", servers: ["tls://n1:4222", "nats://n2:4222"] },
      { type: "kafka", brokers: ["k1:9092"], topic: "logs" },
      { type: "kafka", brokers: ["k1:9092"], topic: "logs", tls: true },
      { type: "syslog", host: "logs.example.com", protocol: "udp" },
      { type: "syslog", host: "logs.example.com", protocol: "tls" },
      {
        type: "alert",
        rules: [{ name: "r", level: "error" }],
        notify: [{ type: "webhook", url: "http://hooks.example.com/x" }]
      }
    ]
    const issues = issuesOf({ compliance: ["sox"], sinks })
    assert.deepStrictEqual(paths(issues), [
      "sinks[1].url",
      "sinks[4].url",
      "sinks[6].connectionString",
      "sinks[8].servers",
      "sinks[9].brokers",
      "sinks[11].protocol",
      "sinks[13].notify[0].url"
    ])
    for (const i of issues) {
      assert.include(i.message, "sox (SOX 404")
      assert.notInclude(i.message, "s3cret")
    }
    assert.include(issues[2]?.message, "postgres://db:5432 is not encrypted in transit (sslmode")
  })

  it("checks the final settings: whatever source a problem comes from, and what a higher source fixes", () => {
    // the network sink comes from the environment, the profile from code
    const fromEnv = issuesOf(
      { compliance: ["sox"] },
      {
        FAPILOG_SINKS: "audit,loki",
        FAPILOG_SINK_AUDIT: JSON.stringify({ path: "/var/log/audit", key: `env:${KEY}` }),
        FAPILOG_SINK_LOKI: '{"url":"http://loki:3100"}'
      }
    )
    assert.deepStrictEqual(paths(fromEnv), ["FAPILOG_SINK_LOKI.url"])
    // a config file sets the profile and a plaintext sink; code replaces the sinks
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-compliance-"))
    const file = path.join(dir, "fapilog.json")
    fs.writeFileSync(
      file,
      JSON.stringify({ compliance: ["sox"], sinks: [{ type: "loki", url: "http://loki:3100" }] })
    )
    try {
      // named where it was written
      assert.deepStrictEqual(paths(issuesOf({ configFile: file })), [
        "fapilog.json: sinks",
        "fapilog.json: sinks[0].url"
      ])
      assert.deepStrictEqual(issuesOf({ configFile: file, sinks: [audit] }), [])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("reports every problem of every profile together, with the other settings' problems", () => {
    const issues = issuesOf(
      {
        level: "loud",
        compliance: ["pci-dss", "hipaa", "sox", "gdpr"],
        redact: { paths: [] },
        sinks: ["stdout", { type: "webhook", url: "http://hooks.example.com/x" }],
        processors: [{ type: "encryption" }],
        minimise: { allow: { "*": ["a"] }, mode: "report" }
      },
      {}
    )
    assert.deepStrictEqual(paths(issues), [
      "level",
      "redact",
      "processors[0].keys",
      "sinks",
      "sinks[1].url",
      "minimise.mode"
    ])
  })

  it("refuses minimisation lists for loggers outside the logger's name", () => {
    const issues = issuesOf({
      name: "app",
      minimise: { allow: { "other.http": ["a"], "app.db": ["b"], "*": [] } }
    })
    assert.deepStrictEqual(paths(issues), ['minimise.allow["other.http"]'])
  })

  it("checks minimise allow-lists: paths, modes and keys", () => {
    const issues = issuesOf({
      minimise: { allow: { "app.": ["a"], app: ["ok", "", "a..b", 3] }, mode: "strict" }
    })
    assert.deepStrictEqual(paths(issues), [
      'minimise.allow["app."]',
      'minimise.allow["app"][1]',
      'minimise.allow["app"][2]',
      'minimise.allow["app"][3]',
      "minimise.mode"
    ])
    assert.deepStrictEqual(paths(issuesOf({ minimise: { allow: {} } })), ["minimise.allow"])
    assert.deepStrictEqual(paths(issuesOf({ minimise: {} })), ["minimise.allow"])
  })
})

describe("compliance when the logger is built", () => {
  it("names the plugin packages to install, in the same error as the other problems", async () => {
    const error = await createLogger({
      compliance: ["pci-dss"],
      sinks: [{ type: "audit", path: "/tmp/a", key: `env:${KEY}` }] as never
    }).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    assert.ok(error !== undefined)
    const message = error.message
    assert.include(message, 'compliance (pci-dss) adds processors[0] { type: "pii" }')
    assert.include(message, "npm install @fapilog/pii")
    assert.include(message, "npm install @fapilog/audit")
  })
})

describe("the audit trail kept complete", () => {
  it("refuses processors that would thin audit or security events, and a protected level above audit", () => {
    const issues = issuesOf({
      compliance: ["sox"],
      sinks: [audit],
      sampling: { kind: "rate", every: 10, levels: ["info", "audit"] },
      throttle: { ratePerSecond: 10, levels: ["security"] },
      dedupe: { windowMs: 1000, levels: ["warn"] },
      protectedLevel: "security"
    })
    assert.deepStrictEqual(paths(issues), ["sampling.levels", "throttle.levels", "protectedLevel"])
    assert.include(
      issues[0]?.message,
      "names audit: sampling would leave out events the audit trail must keep"
    )
    // without a profile that needs the trail, the same settings are accepted
    assert.deepStrictEqual(
      issuesOf({
        compliance: ["gdpr"],
        minimise: { allow: { "*": [] } },
        sampling: { kind: "rate", every: 10, levels: ["audit"] }
      }),
      []
    )
  })
})
