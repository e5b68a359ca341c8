/**
 * The plugin through fapilog: named by `{ type: "encryption" }` in settings, it encrypts
 * before every sink; a bad ring fails the start with the field named; it passes the plugin
 * and processor conformance suites in both modes.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createLogger, Errors, Formatter, Plugin, type Settings } from "fapilog"
import * as Testing from "fapilog/testing"
import { itPassesPluginConformance } from "../../../test/support/pluginConformance.js"
import * as Encryption from "../src/index.js"
import { decryptEvent, decryptLine, KeyRing, plugin } from "../src/index.js"
import { assertNotInClear, KEY_A, KEY_B } from "./rings.js"

type Setting = Settings.ProcessorSetting

const VAR = "FAPILOG_TEST_ENCRYPTION_KEYS"
process.env[VAR] = `A:${KEY_A}`
process.env[`${VAR}_AB`] = `A:${KEY_A},B:${KEY_B}`

const events: ReadonlyArray<Testing.EventInput> = [
  { message: "paid", fields: { card: "4111 1111 1111 1111", user: { email: "ada@example.com" } } },
  { level: "debug", message: "no secrets", fields: { step: 2 } },
  {
    level: "error",
    message: "failed",
    fields: { card: { number: "4111", cvc: 123 } },
    error: new Error("declined")
  }
]

const refusal = async (entry: Record<string, unknown>): Promise<Errors.ConfigError> => {
  const error = await createLogger({
    processors: [{ type: "encryption", ...entry } as never],
    plugins: { use: [plugin] }
  }).then(
    (log) => log.close().then(() => undefined),
    (e: unknown) => e
  )
  assert.instanceOf(error, Errors.ConfigError)
  return error as Errors.ConfigError
}

describe("@fapilog/encryption", () => {
  itPassesPluginConformance("encryption", Encryption, 3, Testing)

  for (const fields of [["card", "user.email"], undefined])
    it.live(
      `passes the processor conformance suite (${fields === undefined ? "whole event" : "fields"})`,
      () =>
        Testing.processorConformance({
          make: Plugin.open(plugin, { keys: `env:${VAR}`, ...(fields === undefined ? {} : { fields }) }),
          events,
          drops: () => false
        }).pipe(
          Effect.tap((report) =>
            Effect.sync(() => {
              assert.include(report.passed, "no-mutation")
              assert.include(report.passed, "drop-accounting")
            })
          )
        )
    )

  it("named in settings, it encrypts before every sink; rotation keeps old lines readable", async () => {
    const lines: Array<string> = []
    const write = async (keys: string, message: string) => {
      const memory = Testing.memory()
      const log = await createLogger({
        sinks: [memory],
        processors: [{ type: "encryption", keys, fields: ["card", "user.email"] }],
        plugins: { use: [plugin] }
      })
      log.info(message, { card: "4111 1111 1111 1111", user: { email: "ada@example.com", id: 7 } })
      await log.close()
      lines.push(...memory.lines())
      return memory.events()
    }
    const [underA] = await write(`env:${VAR}`, "under A")
    const [underB] = await write(`env:${VAR}_AB`, "under B")
    assert.include(lines[0], ":v1:f:A:")
    assert.include(lines[1], ":v1:f:B:")
    for (const line of lines) {
      assertNotInClear(line, "4111")
      assertNotInClear(line, "ada@")
    }
    const ab = KeyRing.load(`env:${VAR}_AB`)
    for (const [line, message] of [
      [lines[0], "under A"],
      [lines[1], "under B"]
    ] as const) {
      const back = decryptLine(line as string, ab)
      assert.deepStrictEqual(back.failures, [])
      assert.deepInclude(JSON.parse(back.line), {
        message,
        card: "4111 1111 1111 1111",
        user: { email: "ada@example.com", id: 7 }
      })
    }
    const onlyB = KeyRing.fromKeys([{ id: "B", key: KEY_B }])
    assert.strictEqual(decryptLine(lines[1] as string, onlyB).failures.length, 0)
    const old = decryptLine(lines[0] as string, onlyB)
    assert.strictEqual(old.line, lines[0])
    assert.match(old.failures[0]?.reason ?? "", /^key id "A" is not in the key ring/)
    // the structured events the sinks got open too
    assert.deepStrictEqual(decryptEvent(underA!, ab).event.fields.user, { email: "ada@example.com", id: 7 })
    assert.deepStrictEqual(decryptEvent(underB!, ab).event.fields.card, "4111 1111 1111 1111")
  })

  it("without fields, every sink gets the event encrypted whole, in any layout", async () => {
    const json = Testing.memory()
    const log = await createLogger({
      sinks: [json],
      processors: [{ type: "encryption", keys: `env:${VAR}` }],
      plugins: { use: [plugin] }
    })
    log.child({ tenant: "t-9" }).warn("card 4111 declined", { card: "4111" })
    await log.close()
    const [event] = json.events()
    assert.strictEqual(event?.message, "[encrypted]")
    assert.strictEqual(event?.level, "warn")
    assert.deepStrictEqual(Object.keys(event?.fields ?? {}), ["encrypted"])
    const ring = KeyRing.load(`env:${VAR}`)
    for (const formatter of [Formatter.json, Formatter.ecs(), Formatter.otel()]) {
      const line = formatter.format(event!)
      assertNotInClear(line, "4111")
      const back = JSON.parse(decryptLine(line, ring).line) as Record<string, unknown>
      assert.deepInclude(back, { level: "warn", message: "card 4111 declined", tenant: "t-9", card: "4111" })
    }
  })

  it("refuses a bad ring or fields at start, naming the field and what is accepted", async () => {
    const issues = (e: Errors.ConfigError) => e.issues.map((i) => `${i.path}: ${i.message}`)
    process.env[`${VAR}_BAD`] = `A:${KEY_A.slice(4)},A:${KEY_B}`
    const bad = issues(await refusal({ keys: `env:${VAR}_BAD` }))
    assert.strictEqual(bad.length, 1)
    assert.include(bad[0], "processors[0].keys")
    assert.include(
      bad[0],
      "entry 1 key: is 60 hex digits (30 bytes); an AES-256 key is 64 hex digits (32 bytes)"
    )
    assert.include(bad[0], 'entry 2 id: "A" is a duplicate key id (ids are unique)')
    const unset = issues(await refusal({ keys: `env:${VAR}_UNSET` }))
    assert.include(unset[0], `the variable ${VAR}_UNSET is not set or empty`)
    const spec = issues(await refusal({ keys: "vault://x" }))
    assert.include(spec[0], "processors[0].keys")
    assert.include(spec[0], 'is not a key ring: "env:NAME"')
    const fields = issues(await refusal({ keys: `env:${VAR}`, fields: [] }))
    assert.include(fields[0], "processors[0].fields")
    assert.include(fields[0], "a non-empty list of distinct field paths")
    assert.include(issues(await refusal({ keys: `env:${VAR}`, fields: ["a..b"] }))[0], "processors[0].fields")
  })

  it("typed entries: the package declares its config", () => {
    const entry: Setting = {
      type: "encryption",
      keys: "file:/etc/keys.json",
      fields: ["card"],
      onError: "drop"
    }
    const misspelt: Setting = {
      type: "encryption",
      keys: "env:K",
      // @ts-expect-error a misspelt option
      feilds: ["a"]
    }
    // @ts-expect-error keys is required
    const noKeys: Setting = { type: "encryption" }
    assert.deepStrictEqual([entry, misspelt, noKeys].length, 3)
  })
})
