import { assert, describe, it } from "@effect/vitest"
import * as Errors from "../../src/Errors.js"
import {
  accessFields,
  bearerOf,
  bodyField,
  byteCount,
  clientAddress,
  correlationIdOf,
  levelChangeReply,
  levelsReply,
  newRequestId,
  parseTraceparent,
  pathMatcher,
  pathOf,
  redactHeaders,
  refusalLimiter,
  requestedLevel,
  resolveOptions,
  safeError,
  tokenMatches,
  wantsAccessLine
} from "../../src/internal/http.js"

const config = (options: Parameters<typeof resolveOptions>[0] = {}) => resolveOptions(options, "test")

describe("correlation ids", () => {
  it("keeps a safe incoming id, replaces unsafe or oversized ones", () => {
    const c = config({ generateId: () => "new-id", maxIdLength: 16 })
    assert.strictEqual(correlationIdOf(c, "abc-123_X.y:z"), "abc-123_X.y:z")
    assert.strictEqual(correlationIdOf(c, ["first", "second"]), "first")
    assert.strictEqual(correlationIdOf(c, "has space"), "new-id")
    assert.strictEqual(correlationIdOf(c, "tab\there"), "new-id")
    assert.strictEqual(correlationIdOf(c, "é-unicode"), "new-id")
    assert.strictEqual(correlationIdOf(c, "x".repeat(17)), "new-id")
    assert.strictEqual(correlationIdOf(c, ""), "new-id")
    assert.strictEqual(correlationIdOf(c, undefined), "new-id")
  })

  it("makes 32-hex-character ids that do not repeat, across refills of the random pool", () => {
    const ids = new Set<string>()
    // the pool holds 256 ids: this crosses several refills
    for (let i = 0; i < 2000; i++) {
      const id = newRequestId()
      assert.match(id, /^[0-9a-f]{32}$/)
      ids.add(id)
    }
    assert.strictEqual(ids.size, 2000)
    assert.match(correlationIdOf(config({}), undefined), /^[0-9a-f]{32}$/)
  })

  it("falls back to a new id when the generator throws or returns nothing usable", () => {
    const throwing = config({
      generateId: () => {
        throw new Error("no")
      }
    })
    assert.match(correlationIdOf(throwing, undefined), /^[0-9a-f]{32}$/)
    assert.match(correlationIdOf(config({ generateId: () => "" }), undefined), /^[0-9a-f]{32}$/)
    assert.match(correlationIdOf(config({ generateId: () => "bad\nid" }), undefined), /^[0-9a-f]{32}$/)
    assert.match(correlationIdOf(config({ generateId: () => 42 as never }), undefined), /^[0-9a-f]{32}$/)
  })
})

describe("parseTraceparent", () => {
  const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
  it("reads version 00 and future versions", () => {
    assert.deepStrictEqual(parseTraceparent(`00-${trace}-00f067aa0ba902b7-01`), {
      traceId: trace,
      spanId: "00f067aa0ba902b7",
      sampled: true
    })
    assert.strictEqual(parseTraceparent(`00-${trace}-00f067aa0ba902b7-00`)?.sampled, false)
    assert.strictEqual(parseTraceparent(`cc-${trace}-00f067aa0ba902b7-01-extra`)?.traceId, trace)
  })
  it("rejects malformed, all-zero and forbidden values", () => {
    for (const bad of [
      undefined,
      "",
      "garbage",
      `ff-${trace}-00f067aa0ba902b7-01`,
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      `00-${trace}-${"0".repeat(16)}-01`,
      `00-${trace.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${trace}-00f067aa0ba902b7-01-extra`,
      `00-${trace}-00f067aa0ba902b7-01${"x".repeat(600)}`
    ])
      assert.isUndefined(parseTraceparent(bad), String(bad))
  })
})

describe("clientAddress", () => {
  const xff = "203.0.113.9, 10.0.0.1, 10.0.0.2"
  it("believes nobody by default", () => {
    assert.strictEqual(clientAddress(config(), "::ffff:10.0.0.3", xff), "10.0.0.3")
  })
  it("true: the left-most forwarded address", () => {
    assert.strictEqual(clientAddress(config({ trustProxy: true }), "10.0.0.3", xff), "203.0.113.9")
  })
  it("a hop count: that many proxies from the socket inwards", () => {
    assert.strictEqual(clientAddress(config({ trustProxy: 0 }), "10.0.0.3", xff), "10.0.0.3")
    assert.strictEqual(clientAddress(config({ trustProxy: 1 }), "10.0.0.3", xff), "10.0.0.2")
    assert.strictEqual(clientAddress(config({ trustProxy: 3 }), "10.0.0.3", xff), "203.0.113.9")
    assert.strictEqual(clientAddress(config({ trustProxy: 9 }), "10.0.0.3", xff), "203.0.113.9")
  })
  it("a list: skips known proxies from the right", () => {
    const c = config({ trustProxy: ["10.0.0.3", "10.0.0.2", "10.0.0.1"] })
    assert.strictEqual(clientAddress(c, "10.0.0.3", xff), "203.0.113.9")
    assert.strictEqual(clientAddress(c, "198.51.100.7", xff), "198.51.100.7")
    assert.strictEqual(clientAddress(c, "10.0.0.3", ["10.0.0.1", "10.0.0.2"]), "10.0.0.1")
  })
  it("no header: the peer", () => {
    assert.strictEqual(clientAddress(config({ trustProxy: true }), "10.0.0.3", undefined), "10.0.0.3")
    assert.strictEqual(clientAddress(config({ trustProxy: true }), "10.0.0.3", " , "), "10.0.0.3")
  })
})

describe("options", () => {
  it("rejects each bad field with its path and the accepted values", () => {
    try {
      resolveOptions(
        {
          maxIdLength: 2,
          generateId: "x" as never,
          trustProxy: "yes" as never,
          accessLog: { redactHeaders: [1 as never], body: { maxBytes: -1 } },
          levelEndpoint: { token: "long-enough-secret-token", path: "no-slash" }
        },
        "where"
      )
      assert.fail("expected a ConfigError")
    } catch (e) {
      assert.instanceOf(e, Errors.ConfigError)
      const issues = (e as Errors.ConfigError).issues
      assert.deepStrictEqual(issues.map((i) => i.path).sort(), [
        "where.accessLog.body.maxBytes",
        "where.accessLog.redactHeaders",
        "where.generateId",
        "where.levelEndpoint.path",
        "where.maxIdLength",
        "where.trustProxy"
      ])
      assert.include(issues.find((i) => i.path === "where.trustProxy")?.message ?? "", "a hop count")
    }
  })
  it("a trust list must hold addresses", () => {
    assert.throws(() => resolveOptions({ trustProxy: [""] }, "w"), /proxy addresses/)
  })
  it("a level function that throws or answers nonsense falls back to the status rule", () => {
    const c = config({
      accessLog: {
        level: (s) => {
          if (s === 500) throw new Error("x")
          return "loud" as never
        }
      }
    })
    assert.strictEqual(c.access?.level(500), "error")
    assert.strictEqual(c.access?.level(404), "warn")
    assert.strictEqual(c.access?.level(200), "info")
  })
})

describe("access line", () => {
  it("skip paths: exact and globs", () => {
    const skip = pathMatcher(["/health", "/static/*", "/assets/**"])
    assert.isTrue(skip("/health"))
    assert.isFalse(skip("/health/deep"))
    assert.isTrue(skip("/static/app.js"))
    assert.isFalse(skip("/static/js/app.js"))
    assert.isTrue(skip("/assets/js/app.js"))
    assert.isFalse(skip("/api"))
    assert.isTrue(pathMatcher(["/a.b"])("/a.b"))
    assert.isFalse(pathMatcher(["/a.*"])("/aXb"))
  })
  it("samples successes only", () => {
    const c = config({ accessLog: { sampleRate: 0, skipPaths: ["/skip"] } })
    assert.isFalse(wantsAccessLine(c, "/x", 200))
    assert.isTrue(wantsAccessLine(c, "/x", 404))
    assert.isFalse(wantsAccessLine(c, "/skip", 500))
    assert.isFalse(wantsAccessLine(config({ accessLog: false }), "/x", 500))
  })
  it("fields leave out what is unknown", () => {
    assert.deepStrictEqual(
      accessFields({
        method: "GET",
        route: undefined,
        path: "/",
        status: 204,
        durationMs: 1.23456,
        requestBytes: undefined,
        responseBytes: 0,
        clientIp: undefined,
        userAgent: undefined
      }),
      { http: { method: "GET", path: "/", status: 204, durationMs: 1.235, responseBytes: 0 } }
    )
  })
  it("redacts sensitive headers, joins repeated ones", () => {
    const access = config({ accessLog: { headers: true, redactHeaders: ["X-Secret"] } }).access
    assert.isDefined(access)
    if (access === undefined) return
    assert.deepStrictEqual(
      redactHeaders(access, {
        Authorization: "Bearer t",
        "Set-Cookie": ["a=1", "b=2"],
        "x-secret": "s",
        accept: ["a", "b"],
        "content-length": 3,
        absent: undefined
      }),
      {
        authorization: "[REDACTED]",
        "set-cookie": "[REDACTED]",
        "x-secret": "[REDACTED]",
        accept: "a, b",
        "content-length": "3"
      }
    )
  })
  it("bodies: JSON parsed, text capped on a character boundary (multi-byte too)", () => {
    assert.deepStrictEqual(bodyField('{"a":[1]}', "application/json", 100), { a: [1] })
    assert.strictEqual(bodyField("{not json", "application/json", 100), "{not json")
    assert.strictEqual(bodyField("abcdef", "text/plain", 3), "abc…[truncated]")
    assert.strictEqual(bodyField('{"a":"long"}', "application/json", 4), '{"a"…[truncated]')
    assert.strictEqual(bodyField("ok", undefined, 10), "ok")
    assert.strictEqual(bodyField("ééé", "text/plain", 3), "é…[truncated]")
    assert.strictEqual(bodyField("a€b", "text/plain", 3), "a…[truncated]")
  })
  it("paths, sizes", () => {
    assert.strictEqual(pathOf("/a/b?x=1#f"), "/a/b")
    assert.strictEqual(pathOf("http://h/p?q"), "/p")
    assert.strictEqual(pathOf("*"), "*")
    assert.strictEqual(byteCount("42"), 42)
    assert.strictEqual(byteCount(["7"]), 7)
    assert.strictEqual(byteCount(9), 9)
    assert.isUndefined(byteCount("-1"))
    assert.isUndefined(byteCount(Number.NaN))
    assert.isUndefined(byteCount(undefined))
  })
})

describe("level endpoint", () => {
  const endpoint = config({ levelEndpoint: { token: "a-very-long-secret-token" } }).levelEndpoint
  it("compares the token by digest", () => {
    assert.isDefined(endpoint)
    if (endpoint === undefined) return
    assert.strictEqual(endpoint.path, "/-/log-level")
    assert.isTrue(tokenMatches(endpoint.digest, "a-very-long-secret-token"))
    assert.isFalse(tokenMatches(endpoint.digest, "a-very-long-secret-tokeN"))
    assert.isFalse(tokenMatches(endpoint.digest, ""))
    assert.isFalse(tokenMatches(endpoint.digest, undefined))
  })
  it("reads bearer tokens and requested levels in every accepted form", () => {
    assert.strictEqual(bearerOf("Bearer abc"), "abc")
    assert.strictEqual(bearerOf(["bearer   xyz "]), "xyz")
    assert.isUndefined(bearerOf("Basic abc"))
    assert.isUndefined(bearerOf(undefined))
    assert.deepStrictEqual(requestedLevel('{"level":"warn"}', undefined), { level: "warn" })
    assert.deepStrictEqual(requestedLevel("debug\n", undefined), { level: "debug" })
    assert.deepStrictEqual(requestedLevel("level=error", undefined), { level: "error" })
    assert.deepStrictEqual(requestedLevel("", "level=trace"), { level: "trace" })
    assert.isUndefined(requestedLevel("", "level=loud"))
    assert.isUndefined(requestedLevel('{"level":"loud"}', undefined))
    assert.isUndefined(requestedLevel("null", undefined))
    assert.isUndefined(requestedLevel('{"level":"audit"}', undefined))
    assert.isUndefined(requestedLevel("security", undefined))
  })

  it("reads an optional category with the level, dotted or as segments; a bad one is no request", () => {
    assert.deepStrictEqual(requestedLevel('{"level":"debug","category":"app.db"}', undefined), {
      level: "debug",
      category: "app.db"
    })
    assert.deepStrictEqual(requestedLevel('{"level":"debug","category":["app","db"]}', undefined), {
      level: "debug",
      category: "app.db"
    })
    assert.deepStrictEqual(requestedLevel("level=warn&category=app.http", undefined), {
      level: "warn",
      category: "app.http"
    })
    assert.deepStrictEqual(requestedLevel("", "level=warn&category=app.http"), {
      level: "warn",
      category: "app.http"
    })
    assert.deepStrictEqual(requestedLevel("error", "category=app.db"), { level: "error", category: "app.db" })
    assert.isUndefined(requestedLevel('{"level":"debug","category":"app..db"}', undefined))
    assert.isUndefined(requestedLevel('{"level":"debug","category":7}', undefined))
    assert.isUndefined(requestedLevel("", "level=debug&category="))
  })

  it("answers a read with every level, and a change with the level it replaces", () => {
    const state = { level: "info", categories: { "app.db": "debug" } } as const
    assert.deepStrictEqual(levelsReply(state), { level: "info", categories: { "app.db": "debug" } })
    assert.deepStrictEqual(levelChangeReply(state, { level: "warn" }), {
      reply: { level: "warn", previous: "info" },
      audit: { from: "info", to: "warn" }
    })
    assert.deepStrictEqual(levelChangeReply(state, { level: "error", category: "app.db.pool" }), {
      reply: { level: "error", previous: "debug", category: "app.db.pool" },
      audit: { from: "debug", to: "error", category: "app.db.pool" }
    })
    assert.deepStrictEqual(levelChangeReply(state, { level: "error", category: "app.dbx" }).reply, {
      level: "error",
      previous: "info",
      category: "app.dbx"
    })
  })
})

describe("error lines", () => {
  it("safeError leaves out what carries the request or its body, keeping the rest", () => {
    class Tagged extends Error {
      readonly _tag = "RequestError"
      constructor(
        readonly request: unknown,
        readonly reason: string
      ) {
        super("decode failed")
      }
      override get message(): string {
        return `${(this.request as { url: string }).url} failed`
      }
    }
    const original = new Tagged({ url: "/x", headers: { authorization: "secret" } }, "Decode")
    const safe = safeError(original) as Record<string, unknown>
    assert.instanceOf(safe, Tagged)
    assert.isFalse(Object.hasOwn(safe, "request"))
    assert.strictEqual(safe.reason, "Decode")
    assert.strictEqual(safe._tag, "RequestError")
    assert.strictEqual((safe as unknown as Error).message, original.message)
    assert.strictEqual((original as unknown as { request: unknown }).request !== undefined, true)
    const parse = Object.assign(new SyntaxError("bad json"), { body: '{"password":"x"', status: 400 })
    const cleaned = safeError(parse) as Record<string, unknown>
    assert.isUndefined(cleaned.body)
    assert.strictEqual(cleaned.status, 400)
    assert.strictEqual((cleaned as unknown as Error).message, "bad json")
    const plain = new Error("plain")
    assert.strictEqual(safeError(plain), plain)
    assert.strictEqual(safeError("text"), "text")
    const hostile = {
      get request(): unknown {
        throw new Error("no")
      },
      get other(): unknown {
        throw new Error("no")
      }
    }
    assert.deepStrictEqual(safeError(hostile), {})
  })

  it("refusalLimiter: ten a minute, then the count of those left out", () => {
    const limit = refusalLimiter(2)
    assert.deepStrictEqual(limit(), { log: true, suppressed: 0 })
    assert.deepStrictEqual(limit(), { log: true, suppressed: 0 })
    assert.deepStrictEqual(limit(), { log: false, suppressed: 1 })
    assert.deepStrictEqual(limit(), { log: false, suppressed: 2 })
  })

  it("a level-endpoint token must be a bearer-safe secret", () => {
    assert.throws(() => config({ levelEndpoint: { token: "a-very-long-secret-token\n" } }), /printable/)
    assert.throws(() => config({ levelEndpoint: { token: "correct horse battery staple" } }), /printable/)
    assert.isDefined(config({ levelEndpoint: { token: "a-very-long-secret-token" } }).levelEndpoint)
  })
})
