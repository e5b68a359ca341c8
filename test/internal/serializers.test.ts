import { assert, describe, it } from "@effect/vitest"
import { Bindings } from "../../src/internal/record.js"
import { makeSerializers, Serializers } from "../../src/internal/serializers.js"

const reported: Array<[string, unknown]> = []
const report = (key: string, e: unknown) => {
  reported.push([key, e])
}

describe("serializers", () => {
  it("none: no Serializers at all", () => {
    assert.isUndefined(makeSerializers(undefined, report))
    assert.isUndefined(makeSerializers({}, report))
  })

  it("replaces the value of a key that has a serializer, in a copy; other objects are returned as they are", () => {
    const s = new Serializers(
      { req: (r: { method: string; secret: string }) => ({ method: r.method }) },
      report
    )
    const fields = { req: { method: "GET", secret: "s" }, n: 1 }
    const out = s.fields<Record<string, unknown>>(fields)
    assert.deepStrictEqual(out, { req: { method: "GET" }, n: 1 })
    assert.deepStrictEqual(fields.req, { method: "GET", secret: "s" }, "the caller's object is not changed")
    const plain = { n: 1 }
    assert.strictEqual(s.fields(plain), plain)
  })

  it("a serializer that throws yields a marker and a report, never a throw", () => {
    reported.length = 0
    const s = new Serializers(
      {
        user: () => {
          throw new Error("no user")
        }
      },
      report
    )
    assert.deepStrictEqual(s.fields<Record<string, unknown>>({ user: { id: 1 }, ok: true }), {
      user: "[Serializer threw: no user]",
      ok: true
    })
    assert.strictEqual(reported.length, 1)
    assert.strictEqual(reported[0]?.[0], "user")
    // a report that throws is contained too
    const loud = new Serializers(
      {
        user: () => {
          throw "plain"
        }
      },
      () => {
        throw new Error("diagnostics down")
      }
    )
    assert.deepStrictEqual(loud.fields<Record<string, unknown>>({ user: 1 }), {
      user: "[Serializer threw: plain]"
    })
  })

  it("a `__proto__` key is an ordinary own field; fields that cannot be read are left to capture", () => {
    const s = new Serializers({ ["__proto__"]: () => "p", a: () => "A" }, report)
    const fields = JSON.parse('{"__proto__": 1, "a": 2}') as object
    const out = s.fields(fields) as Record<string, unknown>
    assert.isTrue(Object.hasOwn(out, "__proto__"))
    assert.strictEqual(Object.getOwnPropertyDescriptor(out, "__proto__")?.value, "p")
    assert.strictEqual(out.a, "A")
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    assert.strictEqual(s.fields(proxy), proxy)
  })

  it("a bound context is serialized once per snapshot; one without serialized keys is returned as it is", () => {
    let calls = 0
    const s = new Serializers(
      {
        user: (u: { id: number }) => {
          calls++
          return u.id
        }
      },
      report
    )
    const b = Bindings.extend(undefined, { user: { id: 7, name: "ann" }, tenant: "t" })
    const first = s.bindings(b)
    assert.deepStrictEqual({ ...first?.fields }, { user: 7, tenant: "t" })
    assert.strictEqual(s.bindings(b), first)
    assert.strictEqual(calls, 1)
    const other = Bindings.extend(undefined, { tenant: "t" })
    assert.strictEqual(s.bindings(other), other)
    assert.isUndefined(s.bindings(undefined))
  })

  it("a serializer returning undefined leaves the key out", () => {
    const s = new Serializers({ drop: () => undefined }, report)
    const b = s.bindings(Bindings.extend(undefined, { drop: 1, keep: 2 }))
    assert.deepStrictEqual(b?.keys, ["keep"])
  })
})
