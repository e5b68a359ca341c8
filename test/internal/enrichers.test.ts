import { assert, describe, it } from "@effect/vitest"
import {
  type Enricher,
  type EnricherInput,
  runCallSiteEnrichers,
  runEnrichers,
  running
} from "../../src/internal/enrichers.js"
import { defaultLimits } from "../../src/internal/json.js"
import * as L from "../../src/internal/level.js"
import { Bindings, type Fields, formatJsonLine, type LogRecord, recordOf } from "../../src/internal/record.js"

const T = Date.UTC(2026, 0, 2, 3, 4, 5, 6)

const record = (message: unknown = "msg", fields?: Fields, bindings?: Fields): LogRecord =>
  recordOf(L.WARN, message, { time: T, logger: "app", fields, bindings })

const named = (name: string, enrich: Enricher) => ({ name, enrich })

describe("runEnrichers", () => {
  it("merges results in order, later enrichers winning", () => {
    const r = record()
    runEnrichers(
      [r],
      [named("a", () => ({ region: "eu-1", zone: "a" })), named("b", () => ({ zone: "b", rack: 7 }))],
      () => assert.fail("no error expected")
    )
    assert.deepStrictEqual({ ...r.extra }, { region: "eu-1", zone: "b", rack: 7 })
  })

  it("passes the event's core values and runs per record", () => {
    const seen: Array<EnricherInput> = []
    const a = record("plain")
    const b = record(["two", 2])
    runEnrichers([a, b], [named("spy", (e) => void seen.push(e))], () => {})
    assert.deepStrictEqual(seen, [
      { level: "warn", message: "plain", logger: "app", time: T },
      { level: "warn", message: "two 2", logger: "app", time: T }
    ])
  })

  it("allocates nothing when every enricher returns undefined, and borrows a single result", () => {
    const shared = { region: "eu-1" }
    const none = record()
    runEnrichers([none], [named("a", () => undefined), named("b", () => undefined)], () => {})
    assert.isUndefined(none.extra)
    const one = record()
    runEnrichers([one], [named("a", () => undefined), named("b", () => shared)], () => {})
    assert.strictEqual(one.extra, shared)
  })

  it("never mutates an enricher's result when merging", () => {
    const shared = Object.freeze({ region: "eu-1" })
    const r = record()
    runEnrichers([r], [named("a", () => shared), named("b", () => ({ region: "us-2" }))], () => {})
    assert.deepStrictEqual(shared, { region: "eu-1" })
    assert.strictEqual(r.extra?.region, "us-2")
  })

  it("skips and reports a throwing enricher, keeping the event and the others' fields", () => {
    const errors: Array<[string, unknown]> = []
    const boom = new Error("boom")
    const r = record()
    runEnrichers(
      [r],
      [
        named("before", () => ({ a: 1 })),
        named("broken", () => {
          throw boom
        }),
        named("after", () => ({ b: 2 }))
      ],
      (name, e) => errors.push([name, e])
    )
    assert.deepStrictEqual(errors, [["broken", boom]])
    assert.deepStrictEqual({ ...r.extra }, { a: 1, b: 2 })
  })

  it("reports a result whose keys cannot be listed", () => {
    const errors: Array<string> = []
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("no keys")
        }
      }
    )
    const r = record()
    runEnrichers(
      [r],
      [named("ok", () => ({ a: 1 })), named("hostile", () => hostile)],
      (name) => void errors.push(name)
    )
    assert.deepStrictEqual(errors, ["hostile"])
    assert.deepStrictEqual({ ...r.extra }, { a: 1 })
  })

  it("writes a throwing getter as a note without reporting the enricher", () => {
    const r = record()
    const result = {
      get boom(): never {
        throw new Error("getter")
      }
    }
    runEnrichers([r], [named("a", () => ({ a: 1 })), named("b", () => result)], () =>
      assert.fail("no error expected")
    )
    assert.strictEqual(
      formatJsonLine(r),
      '{"timestamp":"2026-01-02T03:04:05.006Z","level":"warn","logger":"app","message":"msg","a":1,"boom":"[Threw: getter]"}'
    )
  })

  it("ignores results that are not plain objects", () => {
    const odd: ReadonlyArray<unknown> = [null, 42, "x", true, [1, 2], () => ({ a: 1 }), Symbol("s")]
    const r = record()
    runEnrichers(
      [r],
      odd.map((v, i) => named(`odd${i}`, () => v as Record<string, unknown>)),
      () => assert.fail("no error expected")
    )
    assert.isUndefined(r.extra)
  })

  it("keeps an undefined value so it hides the key from lower sources", () => {
    const r = record()
    r.enrichment = Bindings.extend(undefined, { hostname: "web-1", pid: 1 })
    runEnrichers(
      [r],
      [named("a", () => ({ region: "eu-1" })), named("b", () => ({ hostname: undefined }))],
      () => {}
    )
    assert.strictEqual(
      formatJsonLine(r),
      '{"timestamp":"2026-01-02T03:04:05.006Z","level":"warn","logger":"app","message":"msg","pid":1,"region":"eu-1"}'
    )
  })

  it("keeps a __proto__ key as an ordinary field when merging", () => {
    const r = record()
    runEnrichers(
      [r],
      [named("a", () => ({ a: 1 })), named("b", () => JSON.parse('{"__proto__":{"x":1}}'))],
      () => {}
    )
    assert.isTrue(Object.hasOwn(r.extra!, "__proto__"))
    assert.deepStrictEqual(Object.keys(r.extra!), ["a", "__proto__"])
  })

  it("leaves the record's other fields alone, and its fields outrank the enrichers'", () => {
    const r = record("order placed", { orderId: "o-42", region: "call" }, { region: "bound", user: 7 })
    r.enrichment = Bindings.extend(undefined, { service: "checkout", region: "static", user: 0 })
    const fields = r.fields
    const bindings = r.bindings
    runEnrichers([r], [named("region", () => ({ region: "enricher", zone: "z1" }))], () => {})
    assert.strictEqual(r.fields, fields)
    assert.strictEqual(r.bindings, bindings)
    assert.strictEqual(r.message, "order placed")
    assert.deepStrictEqual(r.fields, { orderId: "o-42", region: "call" })
    assert.strictEqual(
      formatJsonLine(r),
      '{"timestamp":"2026-01-02T03:04:05.006Z","level":"warn","logger":"app","message":"order placed",' +
        '"service":"checkout","zone":"z1","user":7,"orderId":"o-42","region":"call"}'
    )
  })

  it("does nothing without enrichers", () => {
    const r = record()
    const extra = { kept: true }
    r.extra = extra
    runEnrichers([r], [], () => {})
    assert.strictEqual(r.extra, extra)
  })
})

describe("runCallSiteEnrichers", () => {
  const run = (enrich: () => Record<string, unknown> | undefined) => {
    const e = running({ name: "e", enrich })
    return () => {
      const r = recordOf(L.INFO, "m")
      runCallSiteEnrichers(r, [e], undefined, defaultLimits, () => {})
      return r.callSite
    }
  }

  it("shares a frozen result of primitives (the constant a mixin usually returns) instead of copying it", () => {
    const constant = Object.freeze({ region: "eu-1", n: 1 })
    const call = run(() => constant)
    assert.strictEqual(call(), constant)
    assert.strictEqual(call(), constant)
  })

  it("copies anything that could change: an unfrozen object, nested objects, getters on a frozen one", () => {
    let n = 0
    const withGetter = Object.freeze(
      Object.defineProperty({}, "n", {
        enumerable: true,
        get: () => n
      })
    )
    const nested = Object.freeze({ inner: { n: 0 } })
    const mutable = { n: 0 }
    for (const [result, change] of [
      [withGetter, () => n++],
      [nested, () => nested.inner.n++],
      [mutable, () => mutable.n++]
    ] as const) {
      const call = run(() => result)
      const first = call()
      change()
      assert.notStrictEqual(first, result)
      assert.strictEqual(JSON.stringify(first).includes('"n":0'), true)
    }
  })
})
