import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { uniqueNames } from "../../src/internal/uniqueNames.js"

describe("uniqueNames", () => {
  it("leaves unique keys as they are", () => {
    assert.deepStrictEqual(uniqueNames(["a", "b", "c"], [false, true, false]), ["a", "b", "c"])
  })

  it("gives a name written as given to its key, and a suffix to the renamed one, wherever it comes", () => {
    assert.deepStrictEqual(uniqueNames(["user_id", "user_id"], [true, false]), ["user_id~2", "user_id"])
    assert.deepStrictEqual(uniqueNames(["user_id", "user_id"], [false, true]), ["user_id", "user_id~2"])
  })

  it("keeps the first of two keys written as given, and skips suffixes already taken", () => {
    assert.deepStrictEqual(uniqueNames(["a.b", "a.b", "a.b~2", "a.b"], [false, false, false, true]), [
      "a.b",
      "a.b~3",
      "a.b~2",
      "a.b~4"
    ])
  })

  it("avoids the names already taken", () => {
    assert.deepStrictEqual(uniqueNames(["level", "x"], [true, false], new Set(["level"])), ["level~2", "x"])
  })

  it("always gives distinct names, and keeps every name written as given that was free", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("a", "b", "a~2", "b~2", "a~3"), fc.boolean()), { maxLength: 12 }),
        (keys) => {
          const names = uniqueNames(
            keys.map(([k]) => k),
            keys.map(([, renamed]) => renamed)
          )
          assert.strictEqual(new Set(names).size, names.length)
          const asGiven = new Set(keys.filter(([, renamed]) => !renamed).map(([k]) => k))
          for (const k of asGiven) assert.include(names, k)
        }
      )
    )
  })
})
