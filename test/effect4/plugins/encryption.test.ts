import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Testing from "fapilog/testing"
import { createLogger, Errors, Plugin } from "fapilog-effect4"
import * as Encryption from "../../../plugins/encryption/src/index.js"
import { decryptLine, KeyRing, plugin } from "../../../plugins/encryption/src/index.js"
import { KEY_A, KEY_B } from "../../../plugins/encryption/test/rings.js"
import { itPassesPluginConformance } from "../../support/pluginConformance.js"
import { discoveryScratch, installEffect4Plugin } from "./discovered.js"

const VAR = "FAPILOG_E4_ENCRYPTION_KEYS"
process.env[VAR] = `A:${KEY_A}`
process.env[`${VAR}_AB`] = `A:${KEY_A},B:${KEY_B}`

describe("@fapilog/encryption on Effect 4", () => {
  itPassesPluginConformance("encryption", Encryption, 4, Testing)

  it.live("passes the processor conformance suite", () =>
    Testing.processorConformance({
      make: Plugin.open(plugin, { keys: `env:${VAR}`, fields: ["card", "user.email"] }),
      events: [
        { message: "paid", fields: { card: "4111 1111 1111 1111", user: { email: "ada@example.com" } } },
        { level: "debug", message: "no secrets", fields: { step: 2 } }
      ],
      drops: () => false
    }).pipe(Effect.tap((report) => Effect.sync(() => assert.include(report.passed, "no-mutation"))))
  )

  it("encrypts through settings; after rotation both keys' lines decrypt, the old one not without A", async () => {
    const lines: Array<string> = []
    for (const keys of [`env:${VAR}`, `env:${VAR}_AB`]) {
      const memory = Testing.memory()
      const log = await createLogger({
        sinks: [memory],
        processors: [{ type: "encryption", keys, fields: ["card"] } as never],
        plugins: { use: [plugin] }
      })
      log.info("paid", { card: "4111 1111 1111 1111", orderId: 7 })
      await log.close()
      lines.push(...memory.lines())
    }
    assert.include(lines[0], ":v1:f:A:")
    assert.include(lines[1], ":v1:f:B:")
    const ring = KeyRing.load(`env:${VAR}_AB`)
    for (const line of lines) {
      assert.notInclude(line, "4111")
      assert.deepInclude(JSON.parse(decryptLine(line, ring).line), {
        card: "4111 1111 1111 1111",
        orderId: 7
      })
    }
    const old = decryptLine(lines[0] as string, KeyRing.fromKeys([{ id: "B", key: KEY_B }]))
    assert.strictEqual(old.line, lines[0])
    assert.match(old.failures[0]?.reason ?? "", /^key id "A" is not in the key ring/)
  })

  it("refuses a bad ring at start, naming the field", async () => {
    const error = await createLogger({
      processors: [{ type: "encryption", keys: `env:${VAR}_UNSET` } as never],
      plugins: { use: [plugin] }
    }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Errors.ConfigError)
    const issue = (error as Errors.ConfigError).issues[0]
    assert.strictEqual(issue?.path, "processors[0].keys")
    assert.include(issue?.message, `the variable ${VAR}_UNSET is not set or empty`)
  })

  describe("@fapilog/encryption-effect4 discovered on Effect 4", () => {
    const scratch = discoveryScratch("encryption")

    it('{ type: "encryption" } alone loads the built package and encrypts', async () => {
      await installEffect4Plugin("encryption", scratch)
      const cwd = process.cwd()
      process.chdir(scratch)
      try {
        const memory = Testing.memory()
        const log = await createLogger({
          sinks: [memory],
          processors: [{ type: "encryption", keys: `env:${VAR}` } as never]
        })
        log.warn("card 4111 declined", { card: "4111" })
        await log.close()
        const [line] = memory.lines()
        assert.notInclude(line, "4111")
        assert.deepInclude(JSON.parse(decryptLine(line as string, KeyRing.load(`env:${VAR}`)).line), {
          message: "card 4111 declined",
          card: "4111"
        })
      } finally {
        process.chdir(cwd)
      }
    })
  })
})
