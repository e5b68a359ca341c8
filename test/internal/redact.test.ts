import { assert, describe, it } from "@effect/vitest"
import * as Formatter from "../../src/Formatter.js"
import { BatchImpl } from "../../src/internal/batch.js"
import * as L from "../../src/internal/level.js"
import { type Fields, formatJsonLine, materialize, recordOf } from "../../src/internal/record.js"
import { compile, parsePath, type RedactOptions, stripUrlCredentials } from "../../src/internal/redact.js"

const record = (
  fields: Fields,
  extra: { bindings?: Fields; annotations?: Fields; message?: string; error?: unknown } = {}
) =>
  recordOf(L.INFO, extra.message ?? "msg", {
    time: 0,
    logger: "app",
    fields,
    bindings: extra.bindings,
    annotations: extra.annotations,
    error: extra.error
  })

const json = (options: RedactOptions, fields: Fields, extra = {}) =>
  JSON.parse(formatJsonLine(record(fields, extra), undefined, compile(options))) as Record<string, unknown>

const model = (options: RedactOptions, fields: Fields, extra = {}) =>
  materialize(record(fields, extra), compile(options))

describe("redaction paths", () => {
  it("parses dotted, wildcard and indexed paths and rejects malformed ones", () => {
    assert.deepStrictEqual(parsePath("password"), ["password"])
    assert.deepStrictEqual(parsePath("headers.authorization"), ["headers", "authorization"])
    assert.deepStrictEqual(parsePath("*.token"), ["*", "token"])
    assert.deepStrictEqual(parsePath("users[*].email"), ["users", "*", "email"])
    assert.deepStrictEqual(parsePath("items[0].secret"), ["items", "0", "secret"])
    for (const bad of ["", "a..b", ".a", "a.", "[0]", "a[", "a[x]", "a]b", "a b[0]c"]) {
      assert.throws(() => parsePath(bad), RangeError, undefined, bad)
    }
  })

  it("censors exact paths, wildcards and array items in the JSON line", () => {
    const out = json(
      { paths: ["password", "headers.authorization", "*.token", "users[*].email", "items[1]"] },
      {
        password: "p",
        headers: { authorization: "Bearer x", accept: "json" },
        session: { token: "t", id: 1 },
        users: [{ email: "a@x", name: "a" }, { email: "b@x" }],
        items: ["keep", "hide"]
      }
    )
    assert.deepStrictEqual(out.password, "[REDACTED]")
    assert.deepStrictEqual(out.headers, { authorization: "[REDACTED]", accept: "json" })
    assert.deepStrictEqual(out.session, { token: "[REDACTED]", id: 1 })
    assert.deepStrictEqual(out.users, [{ email: "[REDACTED]", name: "a" }, { email: "[REDACTED]" }])
    assert.deepStrictEqual(out.items, ["keep", "[REDACTED]"])
  })

  it("an exact path and a wildcard at the same level both apply", () => {
    const out = json({ paths: ["a.b", "*.c"] }, { a: { b: 1, c: 2, d: 3 }, z: { b: 1, c: 2 } })
    assert.deepStrictEqual(out.a, { b: "[REDACTED]", c: "[REDACTED]", d: 3 })
    assert.deepStrictEqual(out.z, { b: 1, c: "[REDACTED]" })
  })

  it("matches key names case-insensitively at any depth, including Maps", () => {
    const out = json(
      { keys: ["Password", "apiKey"] },
      { PASSWORD: 1, nested: { deep: { ApiKey: "k", ok: true } }, m: new Map([["password", "x"]]) }
    )
    assert.strictEqual(out.PASSWORD, "[REDACTED]")
    assert.deepStrictEqual(out.nested, { deep: { ApiKey: "[REDACTED]", ok: true } })
    assert.deepStrictEqual(out.m, { password: "[REDACTED]" })
  })

  it("removes instead of censoring, and uses a custom censor", () => {
    assert.deepStrictEqual(
      Object.keys(
        json(
          { paths: ["secret"], keys: ["token"], remove: true },
          { secret: 1, a: { token: 2, b: 3 }, keep: 4 }
        )
      ),
      ["timestamp", "level", "logger", "message", "a", "keep"]
    )
    assert.strictEqual(json({ paths: ["secret"], censor: "***" }, { secret: 1 }).secret, "***")
  })

  it("strips URL credentials from values, messages and errors", () => {
    assert.strictEqual(
      stripUrlCredentials("see postgres://admin:hunter2@db:5432/x and https://u@h.io/p", "[REDACTED]"),
      "see postgres://[REDACTED]@db:5432/x and https://[REDACTED]@h.io/p"
    )
    const out = json(
      {},
      { dsn: "postgres://admin:hunter2@db/x", list: ["redis://:pw@cache"] },
      { message: "connecting to amqp://guest:guest@mq", error: new Error("failed https://user:pw@api") }
    )
    assert.strictEqual(out.dsn, "postgres://[REDACTED]@db/x")
    assert.deepStrictEqual(out.list, ["redis://[REDACTED]@cache"])
    assert.strictEqual(out.message, "connecting to amqp://[REDACTED]@mq")
    assert.notInclude(JSON.stringify(out.error), "user:pw")
    assert.strictEqual(json({ urls: false }, { dsn: "postgres://a:b@db" }).dsn, "postgres://a:b@db")
  })

  it("applies to bindings, annotations and every source, and to structured events", () => {
    const options = { paths: ["token"], keys: ["password"] }
    const extra = { bindings: { token: "from-binding" }, annotations: { password: "from-annotation" } }
    const out = json(options, { other: 1 }, extra)
    assert.strictEqual(out.token, "[REDACTED]")
    assert.strictEqual(out.password, "[REDACTED]")
    const event = model(options, { other: 1, deep: { password: "x" } }, extra)
    assert.deepStrictEqual(event.fields, {
      token: "[REDACTED]",
      password: "[REDACTED]",
      other: 1,
      deep: { password: "[REDACTED]" }
    })
  })

  it("never mutates the caller's objects", () => {
    const fields = { password: "p", user: { password: "q", name: "n" }, list: [{ password: "r" }] }
    const before = JSON.stringify(fields)
    json({ keys: ["password"] }, fields)
    const event = model({ keys: ["password"] }, fields)
    assert.strictEqual(JSON.stringify(fields), before)
    assert.notStrictEqual(event.fields.user, fields.user)
    const untouched = { a: { b: 1 } }
    assert.strictEqual(
      model({ keys: ["password"], urls: false }, untouched).fields.a,
      untouched.a,
      "unchanged parts are shared"
    )
  })

  it("reaches every sink: the batch text and the batch events", () => {
    const redact = compile({ paths: ["card"] })
    const batch = new BatchImpl([record({ card: "4111" })], { redact })
    assert.include(batch.text(Formatter.json), '"card":"[REDACTED]"')
    assert.strictEqual(batch.events[0]?.fields.card, "[REDACTED]")
    const custom = Formatter.make("custom", (e) => JSON.stringify(e.fields))
    assert.strictEqual(batch.text(custom), '{"card":"[REDACTED]"}\n')
  })

  it("bounded depth: with key rules, values below the depth limit are withheld", () => {
    let deep: Record<string, unknown> = { password: "leak" }
    for (let i = 0; i < 20; i++) deep = { next: deep }
    const event = model({ keys: ["password"] }, { deep })
    assert.notInclude(JSON.stringify(event.fields), "leak")
    assert.notInclude(formatJsonLine(record({ deep }), undefined, compile({ keys: ["password"] })), "leak")
  })
})

describe("redaction of values that cannot be inspected", () => {
  it("withholds them instead of leaking or throwing", () => {
    const hostile = new Proxy(
      { secret: "s" },
      {
        ownKeys() {
          throw new Error("trap")
        }
      }
    )
    const event = model({ keys: ["password"] }, { hostile, fine: 1 })
    assert.strictEqual(event.fields.hostile, "[REDACTED]")
    assert.strictEqual(event.fields.fine, 1)
  })
})

describe("redaction inside Maps and Sets of structured events", () => {
  it("censors matching Map keys and recurses into Set items", () => {
    const fields = {
      m: new Map<unknown, unknown>([
        ["password", "p"],
        ["ok", { token: "t" }],
        [1, "n"]
      ]),
      s: new Set([{ password: "q" }])
    }
    const event = model({ keys: ["password", "token"] }, fields)
    const m = event.fields.m as Map<unknown, unknown>
    assert.strictEqual(m.get("password"), "[REDACTED]")
    assert.deepStrictEqual(m.get("ok"), { token: "[REDACTED]" })
    assert.strictEqual(m.get(1), "n")
    assert.deepStrictEqual([...(event.fields.s as Set<unknown>)], [{ password: "[REDACTED]" }])
    assert.strictEqual(fields.m.get("password"), "p", "the caller's Map is untouched")
    const removed = model({ keys: ["password"], remove: true }, { m: new Map([["password", "p"]]) })
    assert.strictEqual((removed.fields.m as Map<unknown, unknown>).size, 0)
  })
})

describe("fail-closed", () => {
  it("an event that cannot be processed keeps its message only when redaction is fail-open", () => {
    const hostileMessage = {
      toString() {
        return "card 4111 for https://u:p@x.io"
      }
    }
    // a message object whose serialization throws forces the fallback line
    const bad = recordOf(L.INFO, [hostileMessage], {
      fields: {
        get boom(): never {
          throw new Error("x")
        }
      }
    })
    Object.defineProperty(bad, "logger", {
      get() {
        throw new Error("logger unreadable")
      }
    })
    const open = formatJsonLine(bad, undefined, compile({ keys: ["password"] }))
    const closed = formatJsonLine(bad, undefined, compile({ keys: ["password"], failClosed: true }))
    assert.include(JSON.parse(open).message, "[fapilog: event could not be formatted]")
    assert.strictEqual(JSON.parse(closed).message, "[fapilog: event could not be formatted]")
    assert.notInclude(open, "u:p@")
  })
})
