import { assert, describe, it } from "@effect/vitest"
import { Diagnostics } from "../../src/internal/diagnostics.js"
import { protectedDiagnostics } from "../../src/internal/protectedDiagnostics.js"
import { compile } from "../../src/internal/redact.js"
import type { LogEvent } from "../../src/LogEvent.js"
import * as Processor from "../../src/Processor.js"

const CARD = "4111111111111111"

/** A stand-in for the pii plugin: censors runs of 13 to 19 digits in the message and string fields. */
const censorDigits = (text: string): string => text.replace(/\d{13,19}/g, "[card]")
const scrub = (v: unknown): unknown =>
  typeof v === "string"
    ? censorDigits(v)
    : typeof v === "object" && v !== null
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]))
      : v
const pii = Processor.make("pii", (e: LogEvent) => ({
  ...e,
  message: censorDigits(e.message),
  fields: scrub(e.fields) as LogEvent["fields"]
}))

const lineOf = (protect: Diagnostics["protect"], report: (d: Diagnostics) => void) => {
  const lines: Array<string> = []
  const d = new Diagnostics("app", (l) => lines.push(l), 0)
  d.protect = protect
  report(d)
  assert.strictEqual(lines.length, 1)
  const line = lines[0] as string
  return { line, parsed: JSON.parse(line) as Record<string, unknown> }
}

describe("protected diagnostics", () => {
  it("scans the texts of a line with the pii processors, then redacts it, keeping who reported", () => {
    const { line, parsed } = lineOf(
      protectedDiagnostics({
        needsScan: true,
        scanners: () => [pii],
        redact: () => compile({ keys: ["password"], urls: true })
      }),
      (d) =>
        d.report(
          "processor fragile",
          `failed for card ${CARD} at https://u:hunter2@api.example.com/x`,
          new TypeError(`cannot read ${CARD}`),
          { password: "hunter2", suppressed: 3 }
        )
    )
    assert.notInclude(line, CARD)
    assert.notInclude(line, "hunter2")
    assert.strictEqual(parsed.component, "processor fragile")
    assert.strictEqual(parsed.pipeline, "app")
    assert.strictEqual(parsed.logger, "fapilog")
    assert.strictEqual(parsed.level, "warn")
    assert.include(String(parsed.message), "processor fragile: failed for card [card]")
    assert.strictEqual((parsed.error as { message: string }).message, "cannot read [card]")
    assert.strictEqual((parsed.error as { type: string }).type, "TypeError")
  })

  it("withholds the texts when no scanner has started, when it drops the line, or when it throws", () => {
    const cases: ReadonlyArray<ReadonlyArray<Processor.Processor>> = [
      [],
      [Processor.make("pii", () => undefined)],
      [
        Processor.make("pii", () => {
          throw new Error(`echoes ${CARD}`)
        })
      ]
    ]
    for (const scanners of cases) {
      const { line, parsed } = lineOf(
        protectedDiagnostics({ needsScan: true, scanners: () => scanners, redact: () => undefined }),
        (d) => d.report("sink x", `server answered: ${CARD}`, new Error(CARD))
      )
      assert.notInclude(line, CARD)
      assert.strictEqual(
        parsed.message,
        "sink x: [details withheld: they could not be checked for protected data]"
      )
      assert.strictEqual(parsed.component, "sink x")
      assert.strictEqual(parsed.error, undefined)
    }
    const before = lineOf(
      protectedDiagnostics({ needsScan: true, scanners: () => undefined, redact: () => undefined }),
      (d) => d.report("sink x", CARD)
    )
    assert.notInclude(before.line, CARD)
  })

  it("without a profile that needs scanning, only redacts", () => {
    const { line } = lineOf(
      protectedDiagnostics({
        needsScan: false,
        scanners: () => undefined,
        redact: () => compile({ keys: ["token"] })
      }),
      (d) => d.report("sink x", "failed", undefined, { token: "abc", status: 500 })
    )
    assert.notInclude(line, "abc")
    assert.include(line, '"status":500')
  })

  it("a protect function that throws never lets the clear line through", () => {
    const { line, parsed } = lineOf(
      () => {
        throw new Error("broken")
      },
      (d) => d.report("sink x", CARD)
    )
    assert.notInclude(line, CARD)
    assert.strictEqual(parsed.component, "sink x")
  })
})
