import { assert, describe, it } from "@effect/vitest"
import { createLogger, Errors, Sink } from "fapilog"
import { defaults, fieldsOf, onSpanEnd, recorder, resolve, rowsOf } from "../../src/internal/slowQuery.js"

const issuesOf = (f: () => unknown): ReadonlyArray<string> => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, Errors.ConfigError)
    return (e as Errors.ConfigError).issues.map((i) => `${i.path}: ${i.message}`)
  }
  assert.fail("no ConfigError")
}

describe("slowQuery", () => {
  it("documented defaults", () => {
    assert.deepStrictEqual(resolve(undefined, "x"), defaults)
    assert.deepStrictEqual(defaults, {
      thresholdMs: 500,
      level: "warn",
      category: "db.slow-query",
      params: true,
      maxParams: 100,
      maxFingerprintLength: 2048
    })
  })

  it("every bad option is named with what is accepted", () => {
    assert.deepStrictEqual(
      issuesOf(() =>
        resolve(
          {
            thresholdMs: -5,
            maxParams: 1.5,
            maxFingerprintLength: 3,
            level: "loud" as never,
            category: "a..b",
            params: "yes" as never
          },
          "opts"
        )
      ),
      [
        "opts.thresholdMs: -5 is not a number of at least 0",
        "opts.maxParams: 1.5 is not an integer of at least 0",
        "opts.maxFingerprintLength: 3 is not an integer of at least 16",
        'opts.level: "loud" is not a level (trace, debug, info, warn, error, fatal, audit, security)',
        'opts.category: "a..b" is not a dotted category such as "db.slow-query"',
        'opts.params: "yes" is not true or false'
      ]
    )
  })

  it("fields: parameters named after their columns, repeated columns together, the rest by placeholder", () => {
    const resolved = resolve({ thresholdMs: 10 }, "x")
    assert.deepStrictEqual(
      fieldsOf(resolved, {
        sql: "SELECT * FROM t WHERE password = $1 OR password = $2 OR password = $3 AND n > $4 LIMIT $5",
        params: ["a", "b", "c", 4, 10],
        durationMs: 12.34567,
        rows: 0
      }),
      {
        durationMs: 12.346,
        thresholdMs: 10,
        fingerprint: "select * from t where password = ? or password = ? or password = ? and n > ? limit ?",
        rows: 0,
        params: { password: ["a", "b", "c"], n: 4, $5: 10 }
      }
    )
  })

  it("fields: at most maxParams parameters, the others counted; none with params off", () => {
    const sql = "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)"
    const few = fieldsOf(resolve({ maxParams: 2 }, "x"), { sql, params: [1, 2, 3], durationMs: 600 })
    assert.deepStrictEqual(few.params, { a: 1, b: 2 })
    assert.strictEqual(few.paramsOmitted, 1)
    const none = fieldsOf(resolve({ params: false }, "x"), { sql, params: [1, 2, 3], durationMs: 600 })
    assert.notProperty(none, "params")
    assert.notProperty(none, "rows")
  })

  it("fields: a failure that is not an Error becomes one; a hostile one never throws", () => {
    const resolved = resolve(undefined, "x")
    const failed = fieldsOf(resolved, { sql: "SELECT 1", durationMs: 900, error: "timeout" })
    assert.strictEqual(failed.failed, true)
    assert.instanceOf(failed.error, Error)
    assert.strictEqual((failed.error as Error).message, "timeout")
    const hostile = {
      get message(): string {
        throw new Error("boom")
      }
    }
    assert.strictEqual(
      (fieldsOf(resolved, { sql: "SELECT 1", durationMs: 900, error: hostile }).error as Error).message,
      "unknown error"
    )
  })

  it("rowsOf: rows returned, or a driver's rowCount", () => {
    assert.strictEqual(rowsOf([{}, {}]), 2)
    assert.strictEqual(rowsOf({ rowCount: 7, rows: [] }), 7)
    assert.strictEqual(rowsOf({ rowCount: null }), undefined)
    assert.strictEqual(rowsOf(undefined), undefined)
  })

  it("onSpanEnd: times the span once, keeps its end, and leaves a frozen span alone", () => {
    const ended: Array<unknown> = []
    const span = {
      end(endTime: bigint, exit: unknown) {
        ended.push([endTime, exit])
      }
    }
    const seen: Array<unknown> = []
    assert.isTrue(onSpanEnd(span, (ms, exit) => seen.push([typeof ms, exit])))
    span.end(1n, "exit")
    span.end(2n, "again")
    assert.deepStrictEqual(seen, [["number", "exit"]])
    assert.deepStrictEqual(ended, [
      [1n, "exit"],
      [2n, "again"]
    ])
    const frozen = Object.freeze({ end() {} })
    assert.isFalse(onSpanEnd(frozen, () => assert.fail("called")))
    // a throwing callback never breaks the span
    const fragile = { end: (_t: bigint, _e: unknown) => undefined }
    onSpanEnd(fragile, () => {
      throw new Error("boom")
    })
    fragile.end(0n, undefined)
  })

  it("recorder: logs only slow statements, through the logger's sub-category and level", async () => {
    const memory = Sink.memory()
    const log = await createLogger({ sinks: [memory] })
    const slow = recorder(log, { thresholdMs: 100, level: "info", category: "db.slow" })
    assert.isFalse(slow.record({ sql: "SELECT 1", durationMs: 99.9 }))
    assert.isTrue(slow.record({ sql: "SELECT 2", durationMs: 100, rows: 1 }))
    await log.flush()
    const lines = memory.lines().map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepStrictEqual(
      lines.map(({ level, logger, message, fingerprint, rows }) => ({
        level,
        logger,
        message,
        fingerprint,
        rows
      })),
      [{ level: "info", logger: "app.db.slow", message: "slow query", fingerprint: "select ?", rows: 1 }]
    )
    await log.close()
    // the logger's redaction applies to the parameters: by key name, and by position
    const redacted = Sink.memory()
    const guarded = await createLogger({
      sinks: [redacted],
      redact: { keys: ["password"], paths: ["params.$2"] }
    })
    recorder(guarded, { thresholdMs: 0 }).record({
      sql: "SELECT * FROM users WHERE password = $1 AND pgp_sym_decrypt(secret, $2) = name AND id = $3",
      params: ["pw", "key", 7],
      durationMs: 1
    })
    await guarded.close()
    assert.deepStrictEqual(JSON.parse(redacted.lines()[0] ?? "{}").params, {
      password: "[REDACTED]",
      $2: "[REDACTED]",
      id: 7
    })
    assert.deepStrictEqual(
      issuesOf(() => recorder({} as never)),
      ["slowQueries.logger: is not a fapilog logger (createLogger's result)"]
    )
  })
})
