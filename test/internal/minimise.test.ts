import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { createLogger, Sink } from "../../src/index.js"
import * as L from "../../src/internal/level.js"
import {
  compilePaths,
  type MinimiseOptions,
  makeMinimise,
  maxCountedPaths,
  otherPaths,
  schemaPaths
} from "../../src/internal/minimise.js"
import {
  Bindings,
  type LogRecord,
  materialize,
  type RecordParts,
  recordOf
} from "../../src/internal/record.js"
import { collector } from "../support/events.js"

const ev = (logger: string, fields: Record<string, unknown>, parts: RecordParts = {}): LogRecord =>
  recordOf(L.INFO, "m", { time: 0, logger, fields, ...parts })

const runner = (options: MinimiseOptions) => {
  const reports: Array<{ message: string; extra: Record<string, unknown> }> = []
  const p = makeMinimise(options, (message, extra) => reports.push({ message, extra }))
  const { emit, emitted } = collector()
  return {
    p,
    reports,
    emitted,
    run: (records: ReadonlyArray<LogRecord>, now = 0) => p.process(records, now, emit),
    fields: (records: ReadonlyArray<LogRecord>, now = 0) =>
      p.process(records, now, emit).map((r) => materialize(r).fields)
  }
}

describe("minimise", () => {
  it("keeps the listed fields of the most specific logger prefix, and counts the others by path", () => {
    const m = runner({
      allow: { "app.http": ["method", "path", "status"], "app.http.client": ["url"], "*": ["orderId"] }
    })
    const out = m.fields([
      ev("app.http", { method: "GET", path: "/", status: 200, email: "a@b.c" }),
      ev("app.http.server", { method: "POST", cookie: "x" }),
      ev("app.http.client", { url: "https://x", method: "GET" }),
      ev("app.db", { orderId: "o-1", sql: "select" }),
      // a prefix on a segment boundary only: app.httpx is not below app.http
      ev("app.httpx", { method: "GET", orderId: "o-2" })
    ])
    assert.deepStrictEqual(out, [
      { method: "GET", path: "/", status: 200 },
      { method: "POST" },
      { url: "https://x" },
      { orderId: "o-1" },
      { orderId: "o-2" }
    ])
    assert.deepStrictEqual(m.p.minimised(), {
      mode: "enforce",
      events: 5,
      fields: { email: 1, cookie: 1, method: 2, sql: 1 }
    })
  })

  it('leaves loggers no list covers as they are when there is no "*" list', () => {
    const m = runner({ allow: { "app.http": ["method"] } })
    const records = [ev("app.db", { sql: "select", rows: 3 })]
    const out = m.run(records)
    assert.strictEqual(out, records)
    assert.strictEqual(m.p.minimised().events, 0)
  })

  it("filters nested paths, arrays of objects, and drops a value that is not an object where paths go below it", () => {
    const m = runner({ allow: { "*": ["http.method", "items.sku", "user.id", "tags"] } })
    const [fields] = m.fields([
      ev("app", {
        http: { method: "GET", headers: { authorization: "Bearer x" } },
        items: [{ sku: "A", card: "4111" }, { sku: "B" }, "loose"],
        user: "bob",
        tags: { any: { depth: true } }
      })
    ])
    assert.deepStrictEqual(fields, {
      http: { method: "GET" },
      items: [{ sku: "A" }, { sku: "B" }],
      tags: { any: { depth: true } }
    })
    assert.deepStrictEqual(m.p.minimised().fields, {
      "http.headers": 1,
      "items[].card": 1,
      "items[]": 1,
      user: 1
    })
  })

  it("keeps the core keys and the built-in enrichment, and filters every other source of fields", () => {
    const m = runner({ allow: { "*": ["kept"] } })
    const r = ev("app", { kept: 1, callField: 2, correlationId: "c-1", error: new Error("boom") })
    r.bindings = Bindings.extend(undefined, { child: 1, kept: 0 })
    r.context = Bindings.extend(undefined, { ctx: 1 })
    r.annotations = { ann: 1 }
    r.extra = { custom: 1 }
    r.callSite = { site: 1 }
    r.enrichment = Bindings.extend(undefined, { hostname: "h", pid: 7 })
    r.traceId = "t-1"
    const [out] = m.run([r])
    const e = materialize(out as LogRecord)
    assert.deepStrictEqual(e.fields, { hostname: "h", pid: 7, kept: 1 })
    assert.strictEqual(e.correlationId, "c-1")
    assert.strictEqual(e.traceId, "t-1")
    assert.strictEqual(e.error?.message, "boom")
    assert.deepStrictEqual(m.p.minimised().fields, {
      callField: 1,
      child: 1,
      ctx: 1,
      ann: 1,
      custom: 1,
      site: 1
    })
  })

  it("never changes the record or objects it was given", () => {
    const m = runner({ allow: { "*": ["a.b"] } })
    const inner = { b: 1, c: 2 }
    const fields = Object.freeze({ a: Object.freeze(inner), d: 3 })
    const r = ev("app", fields)
    const [out] = m.run([r])
    assert.notStrictEqual(out, r)
    assert.strictEqual(r.fields, fields)
    assert.deepStrictEqual(inner, { b: 1, c: 2 })
    assert.deepStrictEqual(materialize(out as LogRecord).fields, { a: { b: 1 } })
    assert.strictEqual(out?.seq, r.seq)
  })

  it("in report mode keeps every field, counts what enforce would leave out, and reports it on diagnostics", () => {
    const m = runner({ allow: { "*": ["a"] }, mode: "report", summaryIntervalMs: 1000 })
    const records = [ev("app", { a: 1, b: 2 }), ev("app", { a: 1, b: 2, c: { d: 1 } })]
    const out = m.run(records, 0)
    assert.strictEqual(out, records)
    assert.deepStrictEqual(m.p.minimised(), { mode: "report", events: 2, fields: { b: 2, c: 1 } })
    assert.strictEqual(m.reports.length, 0)
    m.p.tick?.(1000, () => {})
    assert.strictEqual(m.reports.length, 1)
    assert.deepStrictEqual(m.reports[0]?.extra, {
      mode: "report",
      events: 2,
      fields: { b: 2, c: 1 },
      windowMs: 1000
    })
    assert.strictEqual(m.emitted.length, 0)
  })

  it("in enforce mode writes a summary in the log, at most once per interval and at close", () => {
    const m = runner({ allow: { "*": [] }, summaryIntervalMs: 1000 })
    m.run([ev("app", { a: 1 })], 0)
    m.run([ev("app", { a: 1, b: 1 })], 500)
    assert.strictEqual(m.emitted.length, 0)
    m.run([ev("app", { b: 1 })], 1000)
    assert.strictEqual(m.emitted.length, 1)
    const summary = materialize(m.emitted[0] as LogRecord)
    assert.strictEqual(summary.message, "minimisation left fields out")
    assert.deepStrictEqual(summary.fields, {
      processor: "minimise",
      events: 3,
      fields: { a: 2, b: 2 },
      windowMs: 1000
    })
    // the summary itself is never minimised
    assert.strictEqual(m.run([m.emitted[0] as LogRecord], 1001)[0], m.emitted[0])
    m.run([ev("app", { z: 1 })], 1200)
    m.p.flush?.(1300, (r) => m.emitted.push(r))
    assert.strictEqual(m.emitted.length, 2)
  })

  it("bounds the number of distinct paths it counts", () => {
    const m = runner({ allow: { "*": [] } })
    const many: Record<string, number> = {}
    for (let i = 0; i < maxCountedPaths + 5; i++) many[`k${i}`] = i
    m.run([ev("app", many)])
    const counted = m.p.minimised().fields
    assert.strictEqual(Object.keys(counted).length, maxCountedPaths + 1)
    assert.strictEqual(counted[otherPaths], 5)
  })

  it("survives hostile fields: throwing getters, cycles, proxies", () => {
    const m = runner({ allow: { "*": ["ok", "loop.ok"] } })
    const loop: Record<string, unknown> = { ok: 1 }
    loop.self = loop
    const hostile = {
      ok: 1,
      get bad(): never {
        throw new Error("getter")
      },
      loop,
      revoked: Proxy.revocable({}, {}).proxy
    }
    const [out] = m.run([ev("app", hostile)])
    assert.deepStrictEqual(materialize(out as LogRecord).fields, { ok: 1, loop: { ok: 1 } })
  })

  it("compiles paths so that a whole field wins over paths below it", () => {
    const tree = compilePaths(["http.method", "http", "a.b.c", "a.b.d"])
    assert.strictEqual(tree.get("http"), true)
    const a = tree.get("a")
    assert.ok(a !== true && a !== undefined)
    const b = a.get("b")
    assert.ok(b !== true && b !== undefined)
    assert.deepStrictEqual([...b.keys()], ["c", "d"])
  })
})

describe("schemaPaths", () => {
  it("reads field names and nested paths from a Struct, through optional fields, arrays, unions and classes", () => {
    class Customer extends Schema.Class<Customer>("Customer")({ id: Schema.String, tier: Schema.Number }) {}
    const Line = Schema.Struct({ sku: Schema.String, qty: Schema.Number })
    const Fields = Schema.Struct({
      method: Schema.String,
      status: Schema.optional(Schema.NumberFromString),
      http: Schema.Struct({ route: Schema.String, ua: Schema.optional(Schema.String) }),
      lines: Schema.Array(Line),
      customer: Customer,
      shape: Schema.Union(Schema.Struct({ a: Schema.String }), Schema.Struct({ b: Schema.String })),
      note: Schema.NullOr(Schema.String)
    })
    assert.deepStrictEqual(schemaPaths(Fields), [
      "method",
      "status",
      "http.route",
      "http.ua",
      "lines.sku",
      "lines.qty",
      "customer.id",
      "customer.tier",
      "shape.a",
      "shape.b",
      "note"
    ])
  })

  it("gives undefined for a Schema that describes no object", () => {
    assert.strictEqual(schemaPaths(Schema.String), undefined)
  })
})

describe("minimise in a logger", () => {
  it("applies the setting, counts in stats and health, and takes a Schema as the list", async () => {
    const memory = Sink.memory()
    const Http = Schema.Struct({ method: Schema.String, status: Schema.Number })
    const log = await createLogger({
      name: "app",
      sinks: [memory],
      minimise: { allow: { "app.http": Http, app: ["orderId"] } }
    })
    log.child("http").info("request", { method: "GET", status: 200, email: "a@b.c" })
    log.info("order", { orderId: "o-1", card: "4111 1111 1111 1111" })
    await log.flush()
    const [request, order] = memory.events()
    assert.deepStrictEqual(request?.fields, { method: "GET", status: 200 })
    assert.deepStrictEqual(order?.fields, { orderId: "o-1" })
    assert.ok(!memory.lines().join("\n").includes("4111"))
    assert.deepStrictEqual(log.stats().minimised, {
      mode: "enforce",
      events: 2,
      fields: { email: 1, card: 1 }
    })
    assert.deepStrictEqual(log.health().stats.minimised, log.stats().minimised)
    await log.close()
    // the summary at close says what was left out
    const summary = memory.events().find((e) => e.fields.processor === "minimise")
    assert.deepStrictEqual(summary?.fields.fields, { email: 1, card: 1 })
  })

  it("has no minimised counters without the setting", async () => {
    const log = await createLogger({ sinks: ["null"] })
    assert.strictEqual(log.stats().minimised, undefined)
    await log.close()
  })
})

describe("minimise when an event cannot be walked", () => {
  it("enforce mode fails closed: the stage drops the event it throws on; report mode lets it pass", () => {
    const throwing = new Proxy([1], {
      get: (t, k) => {
        if (k === Symbol.iterator) throw new Error("no iteration")
        return Reflect.get(t, k)
      }
    })
    const enforce = makeMinimise({ allow: { "*": ["list.a"] } }, () => {})
    assert.strictEqual(enforce.onError, "drop")
    assert.throws(() => enforce.process([ev("app", { list: throwing })], 0, () => {}))
    const report = makeMinimise({ allow: { "*": ["list.a"] }, mode: "report" }, () => {})
    assert.strictEqual(report.onError, "pass")
  })

  it("bounds the walk of arrays nested in one another", () => {
    let deep: unknown = [{ a: 1, b: 2 }]
    for (let i = 0; i < 100; i++) deep = [deep]
    const m = makeMinimise({ allow: { "*": ["list.a"] } }, () => {})
    const [out] = m.process([ev("app", { list: deep })], 0, () => {})
    const written = JSON.stringify(materialize(out as LogRecord).fields)
    assert.notInclude(written, '"b"', "what lies below the bound is left out, not written whole")
    assert.notInclude(written, '"a"')
    assert.deepStrictEqual(Object.keys(m.minimised().fields), [`list${"[]".repeat(32)}`])
  })
})
