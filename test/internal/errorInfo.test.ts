import { assert, describe, it } from "@effect/vitest"
import { Cause, Data } from "effect"
import pino from "pino"
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

  describe("type", () => {
    class ValidationError extends Error {}
    class MissingField extends ValidationError {}
    class Named extends Error {
      override name = "NamedByField"
    }
    class OnPrototype extends Error {}
    Object.defineProperty(OnPrototype.prototype, "name", { value: "NamedOnPrototype", configurable: true })

    // The reference: pino's `err` serializer (pino-std-serializers, lib/err.js) writes
    // `type` as the constructor's name. ECS `error.type` ("the class name of the exception",
    // https://www.elastic.co/guide/en/ecs/current/ecs-error.html) and OpenTelemetry
    // `exception.type` ("the type of the exception (its fully-qualified class name)",
    // https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-spans/) say the same.
    const pinoType = (e: Error): unknown => pino.stdSerializers.err(e).type

    it("is the class name when the class does not set name, as pino's serializer writes it", () => {
      for (const e of [
        new ValidationError("bad"),
        new MissingField("no id"),
        new TypeError("t"),
        new AggregateError([], "agg")
      ]) {
        assert.strictEqual(toErrorInfo(e).type, pinoType(e))
      }
      assert.strictEqual(toErrorInfo(new ValidationError("bad")).type, "ValidationError")
      assert.strictEqual(toErrorInfo(new MissingField("no id")).type, "MissingField")
      assert.strictEqual(
        toErrorInfo(new ValidationError("cause", { cause: new MissingField("x") })).cause?.type,
        "MissingField"
      )
    })

    it("keeps a name the error or its own class gives", () => {
      assert.strictEqual(toErrorInfo(new Named("n")).type, "NamedByField")
      assert.strictEqual(toErrorInfo(new OnPrototype("p")).type, "NamedOnPrototype")
      assert.strictEqual(
        toErrorInfo(Object.assign(new ValidationError("x"), { name: "Renamed" })).type,
        "Renamed"
      )
      assert.strictEqual(toErrorInfo(new DOMException("stop", "AbortError")).type, "AbortError")
      assert.strictEqual(toErrorInfo(new Boom({ reason: "tag wins" })).type, "Boom")
      const anonymous = new (class extends Error {})("anon")
      assert.strictEqual(toErrorInfo(anonymous).type, "Error")
    })

    it("never throws for an error that refuses to describe its properties", () => {
      const hostile = new Proxy(new ValidationError("x"), {
        getOwnPropertyDescriptor() {
          throw new Error("trap")
        }
      })
      assert.strictEqual(toErrorInfo(hostile).type, "Error")
      assert.strictEqual(toErrorInfo(hostile).message, "x")
    })
  })
})
