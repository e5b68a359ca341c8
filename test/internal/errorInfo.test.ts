import { assert, describe, it } from "@effect/vitest"
import { Cause, Data } from "effect"
import { toErrorInfo } from "../../src/internal/errorInfo.js"

class Boom extends Data.TaggedError("Boom")<{ readonly reason: string }> {}

describe("toErrorInfo", () => {
  it("keeps type, message, code, stack and the cause chain", () => {
    const inner = Object.assign(new Error("disk full"), { code: "ENOSPC" })
    const info = toErrorInfo(new Error("write failed", { cause: inner }))
    assert.strictEqual(info.type, "Error")
    assert.strictEqual(info.message, "write failed")
    assert.isString(info.stack)
    assert.strictEqual(info.cause?.message, "disk full")
    assert.strictEqual(info.cause?.code, "ENOSPC")
  })

  it("lists the members of an AggregateError", () => {
    const info = toErrorInfo(new AggregateError([new Error("a"), new RangeError("b")], "both"))
    assert.strictEqual(info.type, "AggregateError")
    assert.deepStrictEqual(
      info.errors?.map((e) => [e.type, e.message]),
      [
        ["Error", "a"],
        ["RangeError", "b"]
      ]
    )
  })

  it("uses the tag and keeps the fields of tagged errors", () => {
    const info = toErrorInfo(new Boom({ reason: "quota" }))
    assert.strictEqual(info.type, "Boom")
    assert.deepStrictEqual(info.details, { reason: "quota" })
  })

  it("reads Effect causes: one failure, several, defects and interruption", () => {
    assert.strictEqual(toErrorInfo(Cause.fail(new Boom({ reason: "x" }))).type, "Boom")
    const both = toErrorInfo(Cause.parallel(Cause.fail(new Error("a")), Cause.die(new Error("b"))))
    assert.strictEqual(both.type, "Cause")
    assert.deepStrictEqual(
      both.errors?.map((e) => e.message),
      ["a", "b"]
    )
    assert.strictEqual(toErrorInfo(Cause.interrupt("fiber" as never)).type, "Interrupted")
    assert.strictEqual(toErrorInfo(Cause.empty).type, "Cause")
  })

  it("cuts cycles in cause chains and describes non-errors", () => {
    const a = new Error("a")
    const b = new Error("b", { cause: a })
    ;(a as { cause?: unknown }).cause = b
    const info = toErrorInfo(a)
    assert.strictEqual(info.cause?.message, "b")
    assert.strictEqual(info.cause?.cause?.type, "Circular")
    assert.deepStrictEqual(toErrorInfo("boom"), { type: "string", message: "boom" })
    assert.deepStrictEqual(toErrorInfo({ code: 1 }), { type: "Object", message: '{"code":1}' })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    assert.strictEqual(toErrorInfo(cyclic).message, "[object Object]")
  })

  it("never throws on hostile errors", () => {
    const hostile = new Proxy(new Error("x"), {
      get() {
        throw new Error("trap")
      }
    })
    const info = toErrorInfo(hostile)
    assert.isString(info.type)
    assert.isString(info.message)
  })
})
