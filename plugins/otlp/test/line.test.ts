import { assert, describe, it } from "@effect/vitest"
import type { LogEvent } from "fapilog"
import * as Testing from "fapilog/testing"
import fc from "fast-check"
import { type Line, readLine, renderedLine } from "../src/internal/line.js"

const toWellFormed = (String.prototype as unknown as { toWellFormed: (this: string) => string }).toWellFormed

/** Plain data with every string well-formed (what both OTLP writers send of a string). */
const wellFormed = (u: unknown): unknown => {
  if (typeof u === "string") return toWellFormed.call(u)
  if (Array.isArray(u)) return u.map(wellFormed)
  if (typeof u === "object" && u !== null) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(u))
      Object.defineProperty(out, toWellFormed.call(k), {
        value: wellFormed((u as Record<string, unknown>)[k]),
        enumerable: true
      })
    return out
  }
  return u
}

const sameLine = (e: LogEvent.LogEvent): void => {
  const direct = readLine(e)
  const rendered = renderedLine(e)
  const view = (l: Line) => wellFormed({ ...l, keys: [...l.keys], values: [...l.values] })
  assert.deepStrictEqual(view(direct), view(rendered))
}

const event = Testing.event

describe("the line an event reads back as", () => {
  it("read directly, it is what rendering and parsing the JSON line gives: every hostile value", () => {
    for (const h of Testing.hostileValues) {
      sameLine(event({ fields: { value: h.make(), plain: "x", n: 1 } }))
      sameLine(event({ message: "m", fields: { nested: { inner: h.make() }, list: [h.make()] } }))
    }
  })

  it("the same for core keys as field names, odd key names, long strings and ids, errors and spans", () => {
    const fields: Record<string, unknown> = {}
    Object.defineProperty(fields, "__proto__", { value: { polluted: true }, enumerable: true })
    fields.timestamp = "user time"
    fields.fields = { a: 1 }
    fields.truncated = "no"
    fields["\ud800lone"] = { x: 1 }
    fields["é😀"] = 1
    fields["7"] = "integer-like key"
    fields.undef = undefined
    fields.nan = Number.NaN
    fields.big = 10n
    fields.date = new Date(0)
    fields.map = new Map([["k", [1, new Set([2])]]])
    sameLine(event({ fields }))
    sameLine(event({ message: "x".repeat(1_000_001), logger: "l".repeat(1_000_001) }))
    // JSON has no negative zero: the line writes 0
    sameLine(event({ fields: { "": -0, n: -0 } }))
    sameLine(event({ traceId: "t".repeat(257), spanId: "s".repeat(256), correlationId: "c\u0000\u2028" }))
    sameLine(
      event({
        spans: { db: 12.5 },
        error: { type: "E", message: "boom", stack: "E: boom", cause: { type: "C", message: "c" } }
      })
    )
  })

  it("the same for any JSON-like fields (property)", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ unit: "binary", maxLength: 8 }),
          fc.oneof(
            fc.jsonValue(),
            fc.double(),
            fc.bigInt(),
            fc.constant(undefined),
            fc.string({ unit: "binary", maxLength: 20 })
          ),
          { maxKeys: 8 }
        ),
        fc.string({ unit: "binary", maxLength: 30 }),
        (fields, message) => sameLine(event({ fields, message }))
      ),
      { numRuns: 300 }
    )
  })

  it("a getter that throws or a proxy: the line the long way, core keys only, never a throw", () => {
    const throwing = Object.defineProperty({ ok: 1 }, "bad", {
      enumerable: true,
      get() {
        throw new Error("boom")
      }
    })
    // the formatter itself throws on such an event: its core keys go, its fields do not
    const line = readLine(event({ fields: throwing, message: "kept" }))
    assert.deepStrictEqual(line.keys, [])
    assert.strictEqual(line.message, "kept")
    const proxied = readLine(
      event({
        fields: new Proxy(
          {},
          {
            ownKeys() {
              throw new Error("no keys")
            }
          }
        )
      })
    )
    assert.deepStrictEqual(proxied.keys, [])
    assert.strictEqual(proxied.message, "hello")
  })
})
