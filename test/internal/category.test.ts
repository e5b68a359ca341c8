import { assert, describe, it } from "@effect/vitest"
import { categoryTest, inCategory, isCategory } from "../../src/internal/category.js"

describe("categories", () => {
  it("a category takes its logger and those below it, on segment boundaries", () => {
    assert.isTrue(inCategory("app.db", "app.db"))
    assert.isTrue(inCategory("app.db.pool", "app.db"))
    assert.isTrue(inCategory("app.db.pool", "app"))
    assert.isFalse(inCategory("app.dbx", "app.db"))
    assert.isFalse(inCategory("app", "app.db"))
    assert.isFalse(inCategory("xapp.db", "app.db"))
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
