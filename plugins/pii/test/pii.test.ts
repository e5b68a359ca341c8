import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { createLogger, Errors, type LogEvent, Plugin } from "fapilog"
import * as Testing from "fapilog/testing"
import { Config, make, plugin } from "../src/index.js"
import { measure } from "./corpus.js"

const packageJson: unknown = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"))
const KEY = "0f".repeat(32)
const processorOf = (config: unknown, report?: (m: string, e?: unknown) => void) =>
  make(Schema.decodeUnknownSync(Config)(config), report)
const eventOf = (
  message: string,
  fields: Record<string, unknown> = {},
  error?: LogEvent.ErrorInfo
): LogEvent.LogEvent => ({
  timestamp: "2026-12-06T12:00:00.000Z",
  level: "info",
  logger: "t",
  message,
  fields,
  ...(error === undefined ? {} : { error })
})

/** Events the processor meets: with personal data (changed, never dropped) and without. */
const events: ReadonlyArray<Testing.EventInput> = [
  {
    level: "info",
    message: "signup ada@example.com",
    fields: { user: { email: "ada@example.com", plan: "pro" } }
  },
  {
    level: "warn",
    message: "payment declined",
    fields: { card: "4111 1111 1111 1111", tries: [1, "078-05-1120"] }
  },
  { level: "error", message: "upstream failed", error: new Error("auth Bearer abc123.def-456 refused") },
  { level: "debug", message: "no personal data", fields: { step: 2, path: "/orders" } }
]

describe("@fapilog/pii", () => {
  it.effect("its metadata agrees with package.json and loads on this fapilog", () =>
    Effect.asVoid(Testing.pluginConformance(plugin, { packageJson }))
  )

  it.live("passes the processor conformance suite: it changes events and drops none", () =>
    Testing.processorConformance({ make: Plugin.open(plugin, {}), events, drops: () => false }).pipe(
      Effect.map((report) => assert.includeMembers([...report.passed], ["no-mutation", "drop-accounting"]))
    )
  )

  it("censors what every default detector finds, in the message, nested fields, arrays, Maps and errors, through settings", async () => {
    const memory = Testing.memory()
    const log = await createLogger({
      sinks: [memory],
      processors: [{ type: "pii" }],
      plugins: { use: [plugin] }
    })
    const caller = {
      user: {
        email: "ada@example.com",
        ids: ["078-05-1120", 7],
        tags: new Map([["iban", "GB82WEST12345698765432"]])
      },
      auth: "Bearer abc123.def-456_ghi",
      ip: "10.0.0.1"
    }
    log.info("card 4111 1111 1111 1111 for ada@example.com", caller)
    log.error("call failed", new Error("postgres://app:hunter2@db/x refused for AB123456C"))
    await log.flush()
    await log.close()
    const lines = memory.lines()
    const first = JSON.parse(lines[0] ?? "{}")
    assert.strictEqual(first.message, "card [REDACTED:card] for [REDACTED:email]")
    assert.deepStrictEqual(first.user, {
      email: "[REDACTED:email]",
      ids: ["[REDACTED:ssn]", 7],
      tags: { iban: "[REDACTED:iban]" }
    })
    assert.strictEqual(first.auth, "Bearer [REDACTED:bearer]")
    // IP addresses are off by default
    assert.strictEqual(first.ip, "10.0.0.1")
    const second = JSON.parse(lines[1] ?? "{}")
    assert.strictEqual(
      second.error.message,
      "postgres://app:[REDACTED:urlCredentials]@db/x refused for [REDACTED:niNumber]"
    )
    assert.notInclude(second.error.stack, "hunter2")
    // the caller's objects are as they were
    assert.strictEqual(caller.user.email, "ada@example.com")
    assert.strictEqual(caller.user.tags.get("iban"), "GB82WEST12345698765432")
  })

  it("returns an event without personal data as it is, and copies only the containers on a changed path", () => {
    const p = processorOf({})
    const clean = eventOf("order placed", { order: { id: 7, lines: [{ sku: "A1" }] } })
    assert.strictEqual(p.process?.(clean), clean)
    const shared = { untouched: { deep: [1, 2] } }
    const dirty = eventOf("x", { shared, user: { email: "ada@example.com", n: 1 } })
    const out = p.process?.(dirty)
    assert.notStrictEqual(out, dirty)
    assert.strictEqual(out?.fields.shared, shared)
    assert.deepStrictEqual(out?.fields.user, { email: "[REDACTED:email]", n: 1 })
    assert.deepStrictEqual(dirty.fields.user, { email: "ada@example.com", n: 1 })
  })

  it("applies each detector's action: remove, keyed hash (stable pseudonyms), mask, and a censor text", () => {
    const p = processorOf({
      detectors: { email: "hash", card: "mask", ssn: "remove", ipv4: "censor" },
      key: KEY,
      censor: "***"
    })
    const out = p.process?.(
      eventOf("a", {
        a: "ada@example.com",
        b: "ADA@example.com",
        c: "ada@example.com",
        card: "4111-1111-1111-1111",
        ssn: "078-05-1120",
        list: ["078-05-1120", "kept"],
        note: "ssn 078-05-1120 noted",
        ip: "from 10.0.0.1"
      })
    )
    const f = out?.fields ?? {}
    assert.match(String(f.a), /^\[email:[0-9a-f]{16}\]$/)
    assert.strictEqual(f.a, f.c)
    assert.notStrictEqual(f.a, f.b)
    assert.strictEqual(f.card, "****-****-****-1111")
    assert.isFalse(Object.hasOwn(f, "ssn"))
    assert.deepStrictEqual(f.list, ["kept"])
    assert.strictEqual(f.note, "ssn  noted")
    assert.strictEqual(f.ip, "from ***")
    // another key, another pseudonym
    const other = processorOf({ detectors: { email: "hash" }, key: "1f".repeat(32) })
    assert.notStrictEqual(other.process?.(eventOf("a", { a: "ada@example.com" }))?.fields.a, f.a)
  })

  it("reads the hash key from the environment with env:NAME", () => {
    process.env.PII_TEST_KEY = KEY
    try {
      const a = processorOf({ action: "hash", key: "env:PII_TEST_KEY" }).process?.(eventOf("ada@example.com"))
      const b = processorOf({ action: "hash", key: KEY }).process?.(eventOf("ada@example.com"))
      assert.strictEqual(a?.message, b?.message)
    } finally {
      delete process.env.PII_TEST_KEY
    }
  })

  it("fails open by default: a value too deep to scan is censored and reported, the event goes on", () => {
    const reports: Array<string> = []
    const p = processorOf({ maxDepth: 2 }, (m, e) => reports.push(`${m}: ${String(e)}`))
    const out = p.process?.(eventOf("deep", { a: { b: { c: "ada@example.com" } }, ok: "x" }))
    assert.deepStrictEqual(out?.fields, { a: { b: "[REDACTED:unscannable]" }, ok: "x" })
    assert.lengthOf(reports, 1)
    assert.include(reports[0], "fields.a")
  })

  it("fails closed when asked: an event it cannot scan is withheld, counted under its type and reported", async () => {
    const memory = Testing.memory()
    const log = await createLogger({
      sinks: [memory],
      processors: [{ type: "pii", maxDepth: 2, failClosed: true }],
      plugins: { use: [plugin] }
    })
    const hostile = {
      get secret(): string {
        throw new Error("no")
      }
    }
    log.info("deep", { a: { b: { c: "ada@example.com" } } })
    log.info("hostile getter", { h: hostile })
    log.info("fine", { user: "ada@example.com" })
    await log.flush()
    const stats = log.stats()
    await log.close()
    assert.deepStrictEqual(
      memory.events().map((e) => e.message),
      ["hostile getter", "fine"]
    )
    // the getter's throw was captured as a note by fapilog: scannable text
    assert.deepStrictEqual(stats.filteredBy, { pii: 1 })
    assert.strictEqual(stats.filtered, 1)
  })

  it("fails closed on a value that throws when read, given to the processor directly", () => {
    const p = processorOf({ failClosed: true })
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("trap")
        }
      }
    )
    assert.throws(() => p.process?.(eventOf("x", { hostile })), /cannot scan fields.hostile/)
    assert.strictEqual(p.onError, "drop")
    const open = processorOf({})
    assert.deepStrictEqual(open.process?.(eventOf("x", { hostile }))?.fields, {
      hostile: "[REDACTED:unscannable]"
    })
  })

  it("refuses an invalid config with an error naming the field", async () => {
    const issues = async (entry: Record<string, unknown>) => {
      const error = await createLogger({
        processors: [{ type: "pii", ...entry } as never],
        plugins: { use: [plugin] }
      }).then(
        () => undefined,
        (e: unknown) => e
      )
      assert.instanceOf(error, Errors.ConfigError)
      return (error as Errors.ConfigError).issues.map((i) => `${i.path}: ${i.message}`)
    }
    assert.include((await issues({ detectors: { email: "blur" } }))[0], "processors[0].detectors.email")
    assert.include((await issues({ detectors: { email: "hash" } }))[0], "processors[0].key")
    assert.include((await issues({ action: "hash", key: "abc" }))[0], "processors[0].key")
    assert.include(
      (await issues({ action: "hash", key: "env:PII_UNSET_KEY_VARIABLE" }))[0],
      "PII_UNSET_KEY_VARIABLE is not set"
    )
    assert.include((await issues({ detector: { email: "off" } }))[0], "processors[0].detector")
  })

  it("measures the corpus: the false-positive and false-negative counts the README states", () => {
    const r = measure(processorOf({}))
    assert.strictEqual(r.lines, 333)
    assert.strictEqual(r.withPii, 142)
    assert.strictEqual(r.matches, 151)
    assert.deepStrictEqual(r.falsePositives, [
      "card: order reference 4539578763621486 confirmed",
      "ssn: support line 555-12-3456 busy"
    ])
    assert.deepStrictEqual(r.falseNegatives, [
      "ssn: tax form parsed, ssn 078051120 on file",
      "email: please reach ada at example dot com for the invoice",
      "apiKey: session token abc123def456ghi789 stored in memory cache",
      "apiKey: proxy Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l",
      "iban: payout to de89370400440532013000 queued"
    ])
  })
})
