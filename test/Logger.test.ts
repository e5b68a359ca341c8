import * as path from "node:path"
import { setTimeout as realSleep } from "node:timers/promises"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { vi } from "vitest"
import { createLogger, Errors, Sink, withContext } from "../src/index.js"
import { readLines, runScript } from "./support/script.js"

/** The ConfigError a createLogger call fails with, its message matched against `pattern`. */
const assertRejects = async (creating: Promise<unknown>, pattern: RegExp) => {
  const error = await creating.then(
    () => undefined,
    (e: unknown) => e
  )
  assert.instanceOf(error, Errors.ConfigError)
  assert.match((error as Error).message, pattern)
}

const memoryLogger = async (settings: Record<string, unknown> = {}) => {
  const memory = Sink.memory()
  const log = await createLogger({ level: "trace", sinks: [memory], ...settings })
  return { log, memory }
}

describe("createLogger", () => {
  it("writes every level method with its level and fields", async () => {
    const { log, memory } = await memoryLogger()
    log.trace("t", { n: 1 })
    log.debug("d")
    log.info("i")
    log.warn("w")
    log.error("e")
    log.fatal("f")
    log.audit("a")
    log.security("s")
    await log.flush()
    assert.deepStrictEqual(
      memory.events().map((e) => e.level),
      ["trace", "debug", "info", "warn", "error", "fatal", "audit", "security"]
    )
    assert.strictEqual(memory.events()[0]?.fields.n, 1)
    assert.strictEqual(memory.events()[0]?.logger, "app")
    await log.close()
  })

  it("filters below the threshold, audit and security always pass, and the threshold can change", async () => {
    const { log, memory } = await memoryLogger({ level: "fatal" })
    log.error("hidden")
    log.audit("kept")
    log.security("kept too")
    assert.isFalse(log.isLevelEnabled("error"))
    assert.isTrue(log.isLevelEnabled("audit"))
    log.setLevel("debug")
    log.debug("now visible")
    assert.throws(() => log.setLevel("loud" as never), /"loud" is not one of trace/)
    await log.flush()
    assert.deepStrictEqual(
      memory.events().map((e) => e.message),
      ["kept", "kept too", "now visible"]
    )
    await log.close()
  })

  it("an Error passed as fields becomes the event's error", async () => {
    const { log, memory } = await memoryLogger()
    log.error("payment failed", new Error("declined", { cause: new Error("fraud check") }))
    await log.flush()
    const error = memory.events()[0]?.error
    assert.strictEqual(error?.message, "declined")
    assert.strictEqual(error?.cause?.message, "fraud check")
    await log.close()
  })

  it("child loggers share the pipeline, add bindings, and call fields win", async () => {
    const { log, memory } = await memoryLogger()
    const request = log.child({ requestId: "r-1", user: "ann" })
    const step = request.child({ step: "db", user: "bob" })
    step.info("query", { user: "cid", rows: 3 })
    request.info("done")
    await request.close() // a child only flushes
    assert.deepStrictEqual(memory.events()[0]?.fields, { requestId: "r-1", user: "cid", step: "db", rows: 3 })
    assert.deepStrictEqual(memory.events()[1]?.fields, { requestId: "r-1", user: "ann" })
    log.info("root still open")
    await log.flush()
    assert.strictEqual(memory.events().length, 3)
    await log.close()
  })

  it("withContext reaches every line in its async continuations, and only those", async () => {
    const { log, memory } = await memoryLogger()
    const handle = (id: string, delay: number) =>
      withContext({ requestId: id }, async () => {
        log.info("start")
        await new Promise((r) => setTimeout(r, delay))
        await withContext({ phase: "inner" }, async () => {
          await Promise.resolve()
          log.info("inner")
        })
        log.info("end")
      })
    await Promise.all([handle("a", 15), handle("b", 5), handle("c", 10)])
    log.info("outside")
    await log.flush()
    const events = memory.events()
    assert.strictEqual(events.length, 10)
    for (const id of ["a", "b", "c"]) {
      const mine = events.filter((e) => e.fields.requestId === id)
      assert.deepStrictEqual(
        mine.map((e) => e.message),
        ["start", "inner", "end"]
      )
      assert.deepStrictEqual(
        mine.map((e) => e.fields.phase),
        [undefined, "inner", undefined]
      )
    }
    assert.deepStrictEqual(events.at(-1)?.fields, {})
    assert.strictEqual(
      withContext({ x: 1 }, () => 42),
      42
    )
    await log.close()
  })

  it("lines reach the sinks on their own while a test framework fakes the timers", async () => {
    const { log, memory } = await memoryLogger()
    vi.useFakeTimers()
    try {
      log.info("under fake timers", { n: 1 })
      // no timer is advanced (vi.waitFor would advance them): the worker's wake does not
      // depend on the faked globals
      for (let i = 0; i < 400 && memory.events().length === 0; i++) await realSleep(5)
      assert.strictEqual(memory.events().length, 1)
      await log.flush()
    } finally {
      vi.useRealTimers()
    }
    assert.strictEqual(memory.events()[0]?.message, "under fake timers")
    await log.close()
  })

  it("close drains, is idempotent, refuses later events and counts them", async () => {
    const { log, memory } = await memoryLogger({ capacity: 100_000 })
    for (let i = 0; i < 10_000; i++) log.info("m", { i })
    const closing = log.close()
    assert.strictEqual(log.close(), closing)
    await closing
    assert.strictEqual(memory.events().length, 10_000)
    log.info("after close")
    assert.strictEqual(log.stats().refused, 1)
    assert.strictEqual(log.stats().accepted, 10_000)
    await log.flush()
  })

  it("supports await using", async () => {
    const memory = Sink.memory()
    {
      await using log = await createLogger({ sinks: [memory] })
      log.info("disposed at block end")
    }
    assert.strictEqual(memory.events().length, 1)
  })

  it("rejects invalid settings with a ConfigError and unopenable sinks with a SinkError", async () => {
    const err = await createLogger({ level: "loud" as never }).catch((e: unknown) => e)
    assert.instanceOf(err, Errors.ConfigError)
    const sinkErr = await createLogger({ sinks: [{ type: "file", path: "/proc/nope/app.log" }] }).catch(
      (e: unknown) => e
    )
    assert.instanceOf(sinkErr, Errors.SinkError)
    await assertRejects(createLogger({ sinks: [] }), /sinks: is empty and no sink was provided as a layer/)
  })
})

describe("processes", () => {
  it("a sink whose construction never completes fails createLogger after plugins.timeoutMs, naming it", async () => {
    let released = false
    const hanging = Effect.acquireRelease(Effect.void, () => Effect.sync(() => (released = true))).pipe(
      Effect.zipRight(Effect.never)
    )
    const uninterruptible = Effect.uninterruptible(Effect.async<Sink.Sink>(() => {}))
    for (const [i, sink] of [hanging, uninterruptible].entries()) {
      const error = await createLogger({ sinks: [Sink.memory(), sink], plugins: { timeoutMs: 50 } }).then(
        () => undefined,
        (e: unknown) => e
      )
      assert.instanceOf(error, Errors.SinkError, `entry ${i}`)
      assert.strictEqual((error as Errors.SinkError).sink, "sinks[1]")
      assert.match((error as Error).message, /did not complete within 50 ms/)
    }
    assert.isTrue(released, "what the construction had acquired is released")
  })

  it("zero configuration writes JSON lines to stdout", () => {
    const r = runScript(`
      import { createLogger } from "$FAPILOG"
      const log = await createLogger()
      log.debug("hidden at info")
      log.info("hello", { userId: 42 })
      await log.close()
    `)
    assert.strictEqual(r.status, 0, r.stderr)
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    assert.strictEqual(lines.length, 1)
    assert.deepInclude(lines[0], { level: "info", logger: "app", message: "hello", userId: 42 })
    assert.match(lines[0].timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  })

  it("a script that never calls close exits on its own with every event written", () => {
    const r = runScript(`
      import { createLogger } from "$FAPILOG"
      const log = await createLogger({ sinks: [{ type: "file", path: "$DIR/out.log" }], capacity: 1000 })
      for (let i = 0; i < 25_000; i++) log.info("event", { i })
      setTimeout(() => log.info("from a timer"), 20)
    `)
    assert.strictEqual(r.status, 0, r.stderr)
    const lines = readLines(path.join(r.dir, "out.log"))
    assert.strictEqual(lines.length, 25_001)
    assert.deepStrictEqual(
      lines.slice(0, 25_000).map((l) => l.i),
      Array.from({ length: 25_000 }, (_, i) => i)
    )
  })

  it("process.exit right after logging still writes every accepted event", () => {
    const r = runScript(`
      import { createLogger } from "$FAPILOG"
      const log = await createLogger({ sinks: [{ type: "file", path: "$DIR/out.log" }] })
      for (let i = 0; i < 5_000; i++) log.info("event", { i })
      process.exit(0)
    `)
    assert.strictEqual(r.status, 0, r.stderr)
    assert.strictEqual(readLines(path.join(r.dir, "out.log")).length, 5_000)
  })

  it("environment variables configure a logger created with no settings", () => {
    const r = runScript(
      `
      import { createLogger } from "$FAPILOG"
      const log = await createLogger()
      log.debug("visible at debug")
      await log.close()
    `,
      { FAPILOG_LEVEL: "debug", FAPILOG_SINKS: "file", FAPILOG_FILE__PATH: "env.log", FAPILOG_NAME: "svc" }
    )
    assert.strictEqual(r.status, 0, r.stderr)
    assert.strictEqual(r.stdout, "")
    const [line] = readLines(path.join(r.dir, "env.log"))
    assert.deepInclude(line, { level: "debug", logger: "svc", message: "visible at debug" })
  })
})

describe("mixin", () => {
  it("runs at the call: sees withContext fields and the calling code's state as it is then", async () => {
    const memory = Sink.memory()
    const requests = { inFlight: 0, user: { name: "ann" } }
    const log = await createLogger({
      sinks: [memory],
      mixin: (call) => ({
        inFlight: requests.inFlight,
        user: requests.user,
        tenantSeen: call.context.tenant ?? null
      })
    })
    for (let i = 1; i <= 3; i++) {
      requests.inFlight = i
      requests.user.name = `user${i}`
      await withContext({ tenant: `t${i}` }, async () => {
        log.info("handled", { i })
      })
    }
    requests.inFlight = 99
    requests.user.name = "changed later"
    await log.close()
    assert.deepStrictEqual(
      memory.events().map((e) => e.fields),
      [1, 2, 3].map((i) => ({
        inFlight: i,
        user: { name: `user${i}` },
        tenantSeen: `t${i}`,
        tenant: `t${i}`,
        i
      }))
    )
  })

  it("a mixin that throws is reported and the call goes on; the call's own fields win", async () => {
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [memory],
      mixin: (call) => {
        if (call.message === "boom") throw new Error("mixin bug")
        return { source: "mixin" }
      }
    })
    log.info("boom")
    log.info("own", { source: "call" })
    await log.close()
    assert.deepStrictEqual(
      memory.events().map((e) => e.fields),
      [{}, { source: "call" }]
    )
  })

  it("rejects a mixin that is not a function, naming the setting", async () => {
    await assertRejects(
      createLogger({ mixin: { not: "a function" } as never }),
      /mixin: .* is not a function/
    )
  })
})

describe('capture: "late"', () => {
  it("reads values when the batch is written: an object changed before then shows its later state", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ sinks: [memory], capture: "late" })
    const state = { tick: 0 }
    log.info("tick", state)
    state.tick = 1
    await log.close()
    assert.strictEqual(memory.events()[0]?.fields.tick, 1)
  })

  it("is checked like any setting, from code and from FAPILOG_CAPTURE", async () => {
    await assertRejects(
      createLogger({ capture: "soon" as never }),
      /capture: "soon" is not one of call, late/
    )
    const r = runScript(
      `
      import { createLogger } from "$FAPILOG"
      await createLogger().catch((e) => console.log(e.message))
    `,
      { FAPILOG_CAPTURE: "never" }
    )
    assert.match(r.stdout, /FAPILOG_CAPTURE.*"never" is not one of call, late/)
  })
})

describe("serializers", () => {
  interface Req {
    method: string
    url: string
    headers: Record<string, string>
  }
  const serializers = {
    req: (r: Req) => ({ method: r.method, url: r.url, authorization: r.headers.authorization }),
    user: (u: { id: number; password: string }) => ({ id: u.id })
  }

  it("apply at the call to call fields, child bindings and withContext fields, before redaction", async () => {
    const { log, memory } = await memoryLogger({ serializers, redact: { keys: ["authorization"] } })
    const req: Req = { method: "GET", url: "/a", headers: { authorization: "Bearer t", cookie: "c" } }
    const child = log.child({ user: { id: 7, password: "pw" } })
    child.info("call", { req, n: 1 })
    withContext({ req }, () => log.info("context"))
    // changed after the calls: each line shows the value its serializer saw at the call
    req.method = "POST"
    await log.flush()
    const [call, context] = memory.lines().map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepStrictEqual(call?.req, { method: "GET", url: "/a", authorization: "[REDACTED]" })
    assert.deepStrictEqual(call?.user, { id: 7 })
    assert.strictEqual(call?.n, 1)
    assert.deepStrictEqual(context?.req, { method: "GET", url: "/a", authorization: "[REDACTED]" })
    await log.close()
  })

  it("a serializer named error applies to a field of that name; the event's own error stays fapilog's", async () => {
    const { log, memory } = await memoryLogger({
      serializers: { error: (e: Error) => ({ summary: e.message }), err: (e: Error) => e.name }
    })
    log.error("failed", new Error("the event's error"))
    log.error("field", { error: new Error("a field"), err: new TypeError("x") })
    await log.flush()
    const [own, field] = memory.lines().map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepInclude(own?.error as object, { type: "Error", message: "the event's error" })
    assert.isUndefined(field?.error, "a serialized error field is no Error: not the event's error")
    assert.deepStrictEqual(field?.fields, { error: { summary: "a field" } })
    assert.strictEqual(field?.err, "TypeError")
    await log.close()
  })

  it("serializers are functions set in code: anything else is a config error naming the key", async () => {
    await assertRejects(
      createLogger({ serializers: { req: "pick method" as never } }),
      /serializers\.req: "pick method" is not a function \(value\) => logged; serializers are set in code only/
    )
    await assertRejects(
      createLogger({ serializers: ["req"] as never }),
      /serializers: \["req"\] is not an object of functions/
    )
  })

  it("a serializer that throws never throws into the caller: a marker in the line, a report on stderr", () => {
    const r = runScript(`
      import { createLogger } from "$FAPILOG"
      const log = await createLogger({
        sinks: ["stdout"],
        format: "json",
        serializers: { user: () => { throw new Error("no user") } }
      })
      log.info("one", { user: { id: 1 }, ok: true })
      await log.close()
    `)
    assert.strictEqual(r.status, 0, r.stderr)
    const line = JSON.parse(r.stdout.trim()) as Record<string, unknown>
    assert.deepInclude(line, { message: "one", user: "[Serializer threw: no user]", ok: true })
    const report = JSON.parse(r.stderr.trim().split("\n")[0] ?? "{}") as Record<string, unknown>
    assert.deepInclude(report, {
      component: "serializer user",
      message: "serializer user: threw at the call"
    })
  })
})

describe("categories", () => {
  it("child(category) is the logger of a sub-category: the logger key, the parent's bindings kept", async () => {
    const { log, memory } = await memoryLogger({ name: ["svc", "api"] })
    const request = log.child({ requestId: "r-1" })
    const db = request.child("db")
    const pool = db.child(["pool", "primary"])
    assert.strictEqual(log.category, "svc.api")
    assert.strictEqual(pool.category, "svc.api.db.pool.primary")
    db.info("query", { rows: 3 })
    pool.info("acquired")
    db.child({ table: "users" }).info("bound")
    await log.flush()
    assert.deepStrictEqual(
      memory.events().map((e) => [e.logger, e.message, e.fields]),
      [
        ["svc.api.db", "query", { requestId: "r-1", rows: 3 }],
        ["svc.api.db.pool.primary", "acquired", { requestId: "r-1" }],
        ["svc.api.db", "bound", { requestId: "r-1", table: "users" }]
      ]
    )
    await log.close()
  })

  it("a category that is no category path throws a TypeError naming the argument", async () => {
    const { log } = await memoryLogger()
    assert.throws(() => log.child(""), /child\(category\): "" is not a category/)
    assert.throws(() => log.child("db..pool"), /child\(category\): "db\.\.pool" is not a category/)
    assert.throws(() => log.child(["db", "a.b"]), /child\(category\): "a\.b" is not a category segment/)
    assert.throws(() => log.child([]), /child\(category\): \[\] is not a category/)
    assert.throws(() => log.setLevel("debug", ".db"), /setLevel\(level, category\): "\.db" is not a category/)
    await log.close()
  })

  it("categoryLevels: the most specific prefix wins on segment boundaries, the rest has level", async () => {
    const { log, memory } = await memoryLogger({
      level: "info",
      categoryLevels: { "app.db": "debug", "app.db.pool": "error", "app.http": "warn" }
    })
    const db = log.child("db")
    const pool = db.child("pool")
    const dbx = log.child("dbx")
    const http = log.child(["http", "inbound"])
    db.debug("db debug")
    pool.warn("pool warn hidden")
    pool.error("pool error")
    dbx.debug("dbx debug hidden")
    dbx.info("dbx info")
    http.info("http info hidden")
    http.warn("http warn")
    log.debug("root debug hidden")
    assert.isTrue(db.isLevelEnabled("debug"))
    assert.isFalse(pool.isLevelEnabled("warn"))
    assert.isFalse(dbx.isLevelEnabled("debug"))
    assert.isFalse(http.isLevelEnabled("info"))
    await log.flush()
    assert.deepStrictEqual(
      memory.events().map((e) => e.message),
      ["db debug", "pool error", "dbx info", "http warn"]
    )
    assert.deepStrictEqual(log.levels(), {
      level: "info",
      categories: { "app.db": "debug", "app.db.pool": "error", "app.http": "warn" }
    })
    await log.close()
  })

  it("setLevel(level, category) changes a category at run time, for loggers made before the change", async () => {
    const { log, memory } = await memoryLogger({ level: "info" })
    const db = log.child("db")
    const pool = db.child("pool")
    db.debug("hidden")
    assert.isFalse(pool.isLevelEnabled("debug"))
    log.setLevel("debug", ["app", "db"])
    db.debug("db debug")
    pool.debug("pool debug")
    log.debug("root debug hidden")
    assert.isFalse(log.isLevelEnabled("debug"))
    log.setLevel("warn")
    db.debug("db debug still")
    log.info("root info hidden")
    pool.setLevel("error", "app.db")
    pool.warn("pool warn hidden")
    await log.flush()
    assert.deepStrictEqual(
      memory.events().map((e) => [e.logger, e.message]),
      [
        ["app.db", "db debug"],
        ["app.db.pool", "pool debug"],
        ["app.db", "db debug still"]
      ]
    )
    assert.deepStrictEqual(log.levels(), { level: "warn", categories: { "app.db": "error" } })
    await log.close()
  })

  it("rejects a bad name or categoryLevels, naming the field and what is accepted", async () => {
    await assertRejects(createLogger({ name: "app..db" }), /name: "app\.\.db" is not a category/)
    await assertRejects(createLogger({ name: ["app", ""] }), /name: "" is not a category segment/)
    await assertRejects(
      createLogger({ categoryLevels: { "app.db": "loud" as never } }),
      /categoryLevels\["app\.db"\]: .*one of trace, debug, info/
    )
    await assertRejects(
      createLogger({ categoryLevels: { "app.": "debug" } }),
      /categoryLevels\["app\."\]: "app\." is not a category/
    )
    await assertRejects(
      createLogger({ categoryLevels: { db: "debug" } }),
      /categoryLevels\["db"\]: is not under the logger's name "app": write the full path, such as "app\.db"/
    )
    await assertRejects(
      createLogger({ categoryLevels: ["app"] as never }),
      /categoryLevels: \["app"\] is not an object/
    )
  })

  it("FAPILOG_CATEGORY_LEVELS sets category levels of a logger created with no settings", () => {
    const r = runScript(
      `
      import { createLogger } from "$FAPILOG"
      const log = await createLogger()
      log.child("db").debug("db debug")
      log.child("http").info("http info hidden")
      log.child("http").warn("http warn")
      await log.close()
    `,
      {
        FAPILOG_CATEGORY_LEVELS: "app.db=DEBUG, app.http=warn",
        FAPILOG_SINKS: "file",
        FAPILOG_FILE__PATH: "env.log"
      }
    )
    assert.strictEqual(r.status, 0, r.stderr)
    assert.deepStrictEqual(
      readLines(path.join(r.dir, "env.log")).map((l) => [l.logger, l.message]),
      [
        ["app.db", "db debug"],
        ["app.http", "http warn"]
      ]
    )
  })
})

describe("lazy fields", () => {
  it("are called at the call, only when the event passes its category's level", async () => {
    const { log, memory } = await memoryLogger({ level: "info", categoryLevels: { "app.db": "debug" } })
    let calls = 0
    const fields = () => {
      calls++
      return { dump: [1, 2, 3] }
    }
    log.debug("hidden", fields)
    log.child("http").trace("hidden too", fields)
    assert.strictEqual(calls, 0)
    const state = { n: 1 }
    log.child("db").debug("shown", () => ({ n: state.n }))
    state.n = 2 // called at the call: the line shows 1
    log.info("also", fields)
    assert.strictEqual(calls, 1)
    await log.flush()
    assert.deepStrictEqual(
      memory.events().map((e) => [e.message, e.fields]),
      [
        ["shown", { n: 1 }],
        ["also", { dump: [1, 2, 3] }]
      ]
    )
    await log.close()
  })

  it("a function returning an Error works like passing the Error; hostile results never throw", async () => {
    const { log, memory } = await memoryLogger()
    log.error("failed", () => new Error("declined"))
    log.info("cyclic", () => {
      const o: Record<string, unknown> = { id: 1 }
      o.self = o
      return o
    })
    log.info("nothing", () => undefined as never)
    log.info("number", () => 42 as never)
    await log.flush()
    const [failed, cyclic, nothing, number] = memory.events()
    assert.strictEqual(failed?.error?.message, "declined")
    assert.deepStrictEqual(cyclic?.fields, { id: 1, self: { id: 1, self: "[Circular]" } })
    assert.deepStrictEqual(nothing?.fields, {})
    assert.deepStrictEqual(number?.fields, {})
    await log.close()
  })

  it("a function that throws never throws into the caller: the event shows the failure, diagnostics report it", () => {
    const r = runScript(
      `
      import { createLogger } from "$FAPILOG"
      const log = await createLogger({ sinks: ["stdout"], format: "json" })
      log.info("still written", () => { throw new Error("dump failed") })
      await log.close()
    `
    )
    assert.strictEqual(r.status, 0, r.stderr)
    const line = JSON.parse(r.stdout.trim()) as Record<string, unknown>
    assert.strictEqual(line.message, "still written")
    assert.strictEqual(line["…"], "[Unserializable: [Threw: dump failed]]")
    const report = JSON.parse(r.stderr.trim().split("\n")[0] ?? "{}") as Record<string, unknown>
    assert.strictEqual(report.component, "fields")
    assert.match(String(report.message), /a fields function threw/)
    assert.deepInclude(report.error as object, { message: "dump failed" })
  })
})

describe("time", () => {
  it("done logs at info with label and durationMs, once; a second done logs nothing", async () => {
    const { log, memory } = await memoryLogger()
    const timer = log.child("jobs").time("import users")
    assert.strictEqual(timer.label, "import users")
    assert.isTrue(timer.done("users imported", { count: 120, durationMs: "not mine" }))
    assert.isFalse(timer.done("again"))
    const plain = log.time("warm cache")
    assert.isTrue(plain.done())
    await log.flush()
    const [done, warm] = memory.events()
    assert.strictEqual(memory.events().length, 2)
    assert.strictEqual(done?.level, "info")
    assert.strictEqual(done?.logger, "app.jobs")
    assert.strictEqual(done?.message, "users imported")
    assert.strictEqual(done?.fields.count, 120)
    assert.strictEqual(done?.fields.label, "import users")
    const ms = done?.fields.durationMs
    assert.isTrue(typeof ms === "number" && ms >= 0 && Math.round(ms * 1000) === ms * 1000)
    assert.strictEqual(warm?.message, "warm cache")
    assert.deepStrictEqual(Object.keys(warm?.fields ?? {}), ["label", "durationMs"])
    await log.close()
  })

  it("done takes a level, an Error or lazy fields, and respects the category's level", async () => {
    const { log, memory } = await memoryLogger({ level: "info", categoryLevels: { "app.quiet": "error" } })
    let calls = 0
    const quiet = log.child("quiet").time("hidden")
    assert.isTrue(quiet.done("hidden", () => ({ n: ++calls })))
    log.time("sync").done("sync failed", new Error("timeout"), "error")
    log.time("debug only").done(undefined, undefined, "debug")
    log.time("lazy").done("lazy", () => ({ n: ++calls }), "warn")
    assert.throws(() => log.time("x").done("x", undefined, "loud" as never), /"loud" is not one of trace/)
    await log.flush()
    assert.strictEqual(calls, 1)
    const [failed, lazy] = memory.events()
    assert.strictEqual(memory.events().length, 2)
    assert.strictEqual(failed?.level, "error")
    assert.strictEqual(failed?.error?.message, "timeout")
    assert.strictEqual(failed?.fields.label, "sync")
    assert.strictEqual(lazy?.level, "warn")
    assert.deepInclude(lazy?.fields, { n: 1, label: "lazy" })
    await log.close()
  })
})
