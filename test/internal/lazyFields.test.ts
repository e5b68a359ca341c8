import { assert, describe, it } from "@effect/vitest"
import { evaluateFields } from "../../src/internal/lazyFields.js"

describe("evaluateFields", () => {
  it("gives fields, an Error and undefined as they are, and calls a function", () => {
    const fields = { a: 1 }
    const error = new Error("e")
    assert.strictEqual(evaluateFields(fields, undefined), fields)
    assert.strictEqual(evaluateFields(error, undefined), error)
    assert.isUndefined(evaluateFields(undefined, undefined))
    assert.deepStrictEqual(
      evaluateFields(() => ({ b: 2 }), undefined),
      { b: 2 }
    )
    assert.strictEqual(
      evaluateFields(() => error, undefined),
      error
    )
  })

  it("a throw becomes the withheld-fields note and is reported; a non-object is reported and left out", () => {
    const reports: Array<[string, unknown]> = []
    const report = (problem: string, e?: unknown) => void reports.push([problem, e])
    const boom = new Error("boom")
    assert.deepStrictEqual(
      evaluateFields(() => {
        throw boom
      }, report),
      { "…": "[Unserializable: [Threw: boom]]" }
    )
    assert.isUndefined(evaluateFields((() => "text") as never, report))
    assert.isUndefined(evaluateFields((() => null) as never, report))
    assert.deepStrictEqual(reports, [
      ["a fields function threw: the event is written without its fields", boom],
      ["a fields function returned string instead of an object: the event is written without it", undefined]
    ])
  })
})
