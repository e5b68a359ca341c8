/**
 * The fuzz test: 100 KB adversarial strings per detector (test/adversarial.ts) through the
 * processor with every detector on. Each comes back unchanged (none holds a match), and a
 * real match after one is still found and replaced. The scanners are linear by construction;
 * this test checks the results, the bench reports the worst time per event.
 */
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { Config, make } from "../src/index.js"
import { adversarial, needles, SIZE, scrubbed } from "./adversarial.js"

const processor = make(Schema.decodeUnknownSync(Config)({ detectors: { ipv4: "censor", ipv6: "censor" } }))
const scrub = (message: string, fields: Record<string, unknown> = {}) =>
  processor.process?.({
    timestamp: "2026-12-06T12:00:00.000Z",
    level: "info",
    logger: "fuzz",
    message,
    fields
  })

describe("adversarial inputs of 100 KB", () => {
  for (const [detector, inputs] of Object.entries(adversarial))
    it(`${detector}: near misses come back unchanged, and a match after them is found`, () => {
      for (const input of inputs) {
        assert.strictEqual(input.length, SIZE)
        const event = scrub(input, { nested: [{ value: input }] })
        assert.strictEqual(event?.message, input, JSON.stringify(input.slice(0, 12)))
        const after = scrub(`${input} ${needles[detector]}`)?.message ?? ""
        assert.strictEqual(after, `${input} ${scrubbed(detector)}`, JSON.stringify(input.slice(0, 12)))
      }
    })
})
