import { assert, describe, it } from "@effect/vitest"
import {
  CategoryLevels,
  categoryArgument,
  categoryOf,
  categoryTest,
  covers,
  isCategory,
  levelIn,
  subCategory
} from "../../src/internal/categories.js"
import { levels } from "../../src/internal/level.js"

describe("category paths", () => {
  it("a dotted string or a list of segments gives the dotted form", () => {
    assert.strictEqual(categoryOf("app"), "app")
    assert.strictEqual(categoryOf("app.db.pool"), "app.db.pool")
    assert.strictEqual(categoryOf(["app", "db"]), "app.db")
    assert.strictEqual(subCategory("app", "db.pool"), "app.db.pool")
  })

  it("says what is wrong with anything else", () => {
    const rule =
      'is not a category: "."-separated non-empty segments, such as "app.db", or a list of segments'
    assert.deepStrictEqual(categoryOf(""), { problem: `"" ${rule}` })
    assert.deepStrictEqual(categoryOf(".app"), { problem: `".app" ${rule}` })
    assert.deepStrictEqual(categoryOf("app."), { problem: `"app." ${rule}` })
    assert.deepStrictEqual(categoryOf([]), { problem: `[] ${rule}` })
    assert.deepStrictEqual(categoryOf(42), { problem: `42 ${rule}` })
    assert.deepStrictEqual(categoryOf(["app", 1]), {
      problem: '1 is not a category segment (a non-empty string without ".")'
    })
    assert.throws(
      () => categoryArgument(["a", "b.c"], "child(category)"),
      TypeError,
      /^fapilog: child\(category\): "b\.c"/
    )
  })

  it("a prefix covers its category and those below it, on segment boundaries", () => {
    assert.isTrue(covers("app.db", "app.db"))
    assert.isTrue(covers("app.db", "app.db.pool"))
    assert.isFalse(covers("app.db", "app.dbx"))
    assert.isFalse(covers("app.db", "app"))
  })
})

describe("CategoryLevels", () => {
  it("the most specific prefix wins; the rest has the default; minRank is the lowest", () => {
    const l = new CategoryLevels("app", "info", {
      "app.db": "debug",
      "app.db.pool": "error",
      "app.http": "warn"
    })
    assert.strictEqual(l.rankOf("app"), levels.info.rank)
    assert.strictEqual(l.rankOf("app.db"), levels.debug.rank)
    assert.strictEqual(l.rankOf("app.db.pool.primary"), levels.error.rank)
    assert.strictEqual(l.rankOf("app.dbx"), levels.info.rank)
    assert.strictEqual(l.rankOf("app.http.in"), levels.warn.rank)
    assert.strictEqual(l.minRank, levels.debug.rank)
    assert.deepStrictEqual(l.state(), {
      level: "info",
      categories: { "app.db": "debug", "app.db.pool": "error", "app.http": "warn" }
    })
  })

  it("every change bumps the version, moves minRank and resolves scopes again", () => {
    const l = new CategoryLevels("app", "info", undefined)
    const root = l.scoped(undefined)
    assert.deepStrictEqual(root, { name: "app", rank: levels.info.rank })
    assert.strictEqual(l.scoped(undefined), root, "cached until a change")
    assert.deepStrictEqual(l.scoped("db"), { name: "app.db", rank: levels.info.rank })
    const before = l.version
    l.set("trace", "app.db")
    assert.strictEqual(l.version, before + 1)
    assert.strictEqual(l.minRank, levels.trace.rank)
    assert.deepStrictEqual(l.scoped("db.pool"), { name: "app.db.pool", rank: levels.trace.rank })
    l.set("warn")
    assert.strictEqual(l.minRank, levels.trace.rank)
    assert.deepStrictEqual(l.scoped(undefined), { name: "app", rank: levels.warn.rank })
    l.set("error", "app.db")
    assert.strictEqual(l.minRank, levels.warn.rank)
    assert.deepStrictEqual(l.state(), { level: "warn", categories: { "app.db": "error" } })
  })

  it("levelIn reads the same answer from a state", () => {
    const state = { level: "info", categories: { "app.db": "debug", "app.db.pool": "error" } } as const
    assert.strictEqual(levelIn(state, "app.db.pool.x"), "error")
    assert.strictEqual(levelIn(state, "app.db"), "debug")
    assert.strictEqual(levelIn(state, "app.dbx"), "info")
    assert.strictEqual(levelIn(state, "toString"), "info")
  })
})

describe("category selections", () => {
  it("a category takes its logger and those below it, on segment boundaries", () => {
    assert.isTrue(covers("app.db", "app.db"))
    assert.isTrue(covers("app.db", "app.db.pool"))
    assert.isTrue(covers("app", "app.db.pool"))
    assert.isFalse(covers("app.db", "app.dbx"))
    assert.isFalse(covers("app.db", "app"))
    assert.isFalse(covers("app.db", "xapp.db"))
  })

  it("a selection takes the included categories minus the excluded ones", () => {
    const test = categoryTest({ include: ["app.db", "app.http"], exclude: ["app.db.pool"] })
    assert.deepStrictEqual(
      ["app.db", "app.db.query", "app.db.pool", "app.db.pool.conn", "app.http", "app.cache", "app"].map(test),
      [true, true, false, false, true, false, false]
    )
    const onlyExclude = categoryTest({ exclude: ["noisy"] })
    assert.deepStrictEqual(["noisy", "noisy.child", "quiet", "noisyx"].map(onlyExclude), [
      false,
      false,
      true,
      true
    ])
  })

  it("accepts dotted names without empty segments", () => {
    assert.deepStrictEqual(["app", "app.db", "a-b.c_d", "", ".app", "app.", "app..db", 3].map(isCategory), [
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false
    ])
  })
})
