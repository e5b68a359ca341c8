import { assert, describe, it } from "@effect/vitest"
import { captureFields } from "../../src/internal/capture.js"
import { CapturedError } from "../../src/internal/errorInfo.js"
import { defaultLimits, Elided } from "../../src/internal/json.js"
import { levels } from "../../src/internal/level.js"
import {
  Bindings,
  formatJsonLine,
  keepJsonLine,
  type LogRecord,
  recordOf
} from "../../src/internal/record.js"
import { eventOf } from "../../src/internal/testingEvents.js"
import { MAX_VALUES, removed, TextWalk, Unscannable } from "../../src/internal/textRewrite.js"
import type { LogEvent } from "../../src/LogEvent.js"

/** Replaces "secret" with "***"; "drop" is removed; counts its calls. */
const rewriter = () => {
  const calls: Array<string> = []
  const rewrite = (s: string) => {
    calls.push(s)
    if (s === "drop") return removed
    return s.includes("secret") ? s.replaceAll("secret", "***") : s
  }
  return { calls, rewrite }
}

const info = levels.info as NonNullable<typeof levels.info>

const line = (r: LogRecord): Record<string, unknown> =>
  JSON.parse(formatJsonLine(r, defaultLimits, undefined)) as Record<string, unknown>

describe("TextWalk on events", () => {
  it("an event with nothing to rewrite is returned as it is, and every string was read", () => {
    const { calls, rewrite } = rewriter()
    const e = eventOf({ message: "hello", fields: { a: "x", n: 1, nested: { list: ["y", 2, null] } } })
    assert.strictEqual(new TextWalk(rewrite).event(e), e)
    assert.sameMembers(calls, ["hello", "x", "y"])
  })

  it("rewrites the message, nested strings and the error's texts, copying only what changed", () => {
    const { rewrite } = rewriter()
    const untouched = { keep: "me" }
    const fields = { a: "my secret", untouched, list: ["ok", "secret!"], map: new Map([["k", "secret"]]) }
    const e = eventOf({
      message: "the secret",
      fields,
      error: {
        type: "Error",
        message: "bad secret",
        stack: "at secret",
        cause: { type: "E", message: "secret" }
      }
    })
    const out = new TextWalk(rewrite).event(e)
    assert.strictEqual(out.message, "the ***")
    assert.strictEqual(out.fields.a, "my ***")
    assert.strictEqual(out.fields.untouched, untouched)
    assert.deepStrictEqual(out.fields.list, ["ok", "***!"])
    assert.deepStrictEqual([...(out.fields.map as Map<string, string>)], [["k", "***"]])
    assert.deepStrictEqual(out.error, {
      type: "Error",
      message: "bad ***",
      stack: "at ***",
      cause: { type: "E", message: "***" }
    })
    // the given event and its values are unchanged
    assert.strictEqual(e.message, "the secret")
    assert.strictEqual(fields.a, "my secret")
    assert.deepStrictEqual(fields.list, ["ok", "secret!"])
    assert.strictEqual(fields.map.get("k"), "secret")
  })

  it("removed: a field, an item or a Map entry goes; a message becomes empty", () => {
    const { rewrite } = rewriter()
    const out = new TextWalk(rewrite).event(
      eventOf({
        message: "drop",
        fields: { a: "drop", b: "x", list: ["drop", "y"], map: new Map([["k", "drop"]]) }
      })
    )
    assert.strictEqual(out.message, "")
    assert.deepStrictEqual(Object.keys(out.fields), ["b", "list", "map"])
    assert.deepStrictEqual(out.fields.list, ["y"])
    assert.strictEqual((out.fields.map as Map<string, string>).size, 0)
  })

  it("an object changed past its first key keeps its key order, prototype and untouched values", () => {
    const { calls, rewrite } = rewriter()
    const nested = { n: 1 }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, {
      a: "x",
      nested,
      b: "secret",
      c: "drop",
      d: "secret too",
      e: 5
    })
    // an inherited enumerable key is not a field: never read, never copied
    const child = Object.assign(Object.create({ inherited: "secret" }) as Record<string, unknown>, {
      own: "secret"
    })
    const out = new TextWalk(rewrite).event(eventOf({ fields: { bare, child } }))
    const got = out.fields.bare as Record<string, unknown>
    assert.strictEqual(Object.getPrototypeOf(got), null)
    assert.deepStrictEqual(Object.keys(got), ["a", "nested", "b", "d", "e"])
    assert.deepStrictEqual({ ...got }, { a: "x", nested, b: "***", d: "*** too", e: 5 })
    assert.strictEqual(got.nested, nested)
    assert.deepStrictEqual(Object.entries(out.fields.child as object), [["own", "***"]])
    // each string was read once (the message first)
    assert.deepStrictEqual(calls, ["hello", "x", "secret", "drop", "secret too", "secret"])
    assert.strictEqual(bare.b, "secret")
  })

  it("top-level fields of any shape are walked: a constructor field, a class instance, a throwing proxy", () => {
    const { rewrite } = rewriter()
    const walk = new TextWalk(rewrite)
    const named = walk.event(eventOf({ fields: { constructor: "secret", other: "secret" } })).fields
    assert.deepStrictEqual(Object.entries(named), [
      ["constructor", "***"],
      ["other", "***"]
    ])
    class Holder {
      readonly a = "secret"
    }
    const instance = new Holder() as unknown as Record<string, unknown>
    assert.deepStrictEqual(Object.entries(walk.event(eventOf({ fields: instance })).fields), [["a", "***"]])
    const hostile = new Proxy({} as Record<string, unknown>, {
      get: () => {
        throw new Error("no")
      }
    })
    assert.deepStrictEqual(walk.event(eventOf({ fields: hostile })).fields, {})
  })

  it("an Error among the fields becomes a captured error with the rewritten texts", () => {
    const { rewrite } = rewriter()
    const out = new TextWalk(rewrite).event(eventOf({ fields: { err: new TypeError("secret here") } }))
    const err = out.fields.err
    assert.instanceOf(err, CapturedError)
    assert.strictEqual((err as CapturedError).info.message, "*** here")
    assert.strictEqual((err as CapturedError).info.type, "TypeError")
  })

  it("a __proto__ key stays an own field of the copy", () => {
    const { rewrite } = rewriter()
    const fields = JSON.parse('{"__proto__":"secret","a":"secret"}') as Record<string, unknown>
    const out = new TextWalk(rewrite).event(eventOf({ fields }))
    assert.isTrue(Object.hasOwn(out.fields, "__proto__"))
    assert.strictEqual(Object.getOwnPropertyDescriptor(out.fields, "__proto__")?.value, "***")
    assert.strictEqual(Object.getPrototypeOf(out.fields), Object.prototype)
  })

  it("hostile values: a cycle, a throwing getter, too deep: unscannable, by default a marker text", () => {
    const { rewrite } = rewriter()
    const cycle: Record<string, unknown> = { a: "x" }
    cycle.self = cycle
    const getter = Object.defineProperty({}, "boom", {
      enumerable: true,
      get: () => {
        throw new Error("no")
      }
    })
    const deep = { a: { b: { c: { d: "secret" } } } }
    const out = new TextWalk(rewrite, { maxDepth: 3 }).event(eventOf({ fields: { cycle, getter, deep } }))
    assert.deepStrictEqual(out.fields.cycle, { a: "x", self: "[unscannable]" })
    assert.strictEqual(out.fields.getter, "[unscannable]")
    assert.deepStrictEqual(out.fields.deep, { a: { b: "[unscannable]" } })
  })

  it("unscannable names the top-level field and why; throwing from it fails the walk", () => {
    const seen: Array<Unscannable> = []
    const walk = new TextWalk((s) => s, {
      maxDepth: 2,
      unscannable: (e) => {
        seen.push(e)
        return "[cut]"
      }
    })
    const out = walk.event(eventOf({ fields: { user: { a: { b: 1 } } } }))
    assert.deepStrictEqual(out.fields.user, { a: "[cut]" })
    assert.strictEqual(seen[0]?.path, "fields.user")
    assert.match(seen[0]?.message ?? "", /cannot scan fields\.user: nested deeper than 2 levels/)
    const strict = new TextWalk((s) => s, {
      maxDepth: 2,
      unscannable: (e) => {
        throw e
      }
    })
    assert.throws(() => strict.event(eventOf({ fields: { user: { a: { b: 1 } } } })), Unscannable)
  })

  it("what the rewrite throws is thrown as it is, not taken for an unscannable value", () => {
    const boom = new Error("rewrite failed")
    const walk = new TextWalk((s) => {
      if (s === "bad") throw boom
      return s
    })
    assert.throws(() => walk.event(eventOf({ fields: { nested: { list: ["ok", "bad"] } } })), boom.message)
    try {
      walk.event(eventOf({ message: "bad" }))
      assert.fail("did not throw")
    } catch (e) {
      assert.strictEqual(e, boom)
    }
  })

  it("an event's own error too deep is named error", () => {
    const seen: Array<string> = []
    const walk = new TextWalk((s) => s, {
      maxDepth: 1,
      unscannable: (e) => {
        seen.push(e.path)
        return "[cut]"
      }
    })
    const out = walk.event(
      eventOf({ error: { type: "E", message: "m", cause: { type: "C", message: "c" } } })
    )
    assert.deepStrictEqual(seen, ["error"])
    assert.deepStrictEqual(out.error?.cause, { type: "C", message: "[cut]" })
  })

  it("more than MAX_VALUES nested values are unscannable past the budget", () => {
    const seen: Array<string> = []
    const many = Array.from({ length: MAX_VALUES + 10 }, () => ({ s: "x" }))
    new TextWalk((s) => s, {
      unscannable: (e) => {
        seen.push(e.reason)
        return "[cut]"
      }
    }).event(eventOf({ fields: { many } }))
    assert.isAbove(seen.length, 0)
    assert.match(seen[0] as string, /more than 100000 nested values/)
  })

  it("dates, bytes and capture's markers are kept as they are", () => {
    const { calls, rewrite } = rewriter()
    const date = new Date(0)
    const bytes = new Uint8Array([1])
    const elided = new Elided(3, "keys")
    const e = eventOf({ fields: { date, bytes, elided } })
    assert.strictEqual(new TextWalk(rewrite).event(e), e)
    assert.deepStrictEqual(calls, [e.message])
  })
})

describe("TextWalk on records", () => {
  it("rewrites the message, every field source and the error in place; the line shows it", () => {
    const { rewrite } = rewriter()
    const r = recordOf(info, "a secret", {
      fields: captureFields({ call: "secret call", n: 1 }, defaultLimits),
      bindings: { child: "secret child" },
      context: { ctx: "secret ctx" },
      annotations: { ann: "secret ann" },
      error: CapturedError.of({ type: "Error", message: "secret error" })
    })
    r.enrichment = Bindings.extend(undefined, { service: "secret-service" })
    r.extra = { extra: "secret extra" }
    r.callSite = { site: "secret site" }
    new TextWalk(rewrite).record(r)
    const out = line(r)
    assert.strictEqual(out.message, "a ***")
    assert.strictEqual(out.call, "*** call")
    assert.strictEqual(out.n, 1)
    assert.strictEqual(out.child, "*** child")
    assert.strictEqual(out.ctx, "*** ctx")
    assert.strictEqual(out.ann, "*** ann")
    assert.strictEqual(out.service, "***-service")
    assert.strictEqual(out.extra, "*** extra")
    assert.strictEqual(out.site, "*** site")
    assert.strictEqual((out.error as Record<string, unknown>).message, "*** error")
  })

  it("a record with nothing to rewrite keeps every one of its objects", () => {
    const { rewrite } = rewriter()
    const fields = captureFields({ a: "x" }, defaultLimits)
    const r = recordOf(info, "hello", { fields, bindings: { b: "y" } })
    const bindings = r.bindings
    const error = CapturedError.of({ type: "E", message: "m" })
    r.error = error
    new TextWalk(rewrite).record(r)
    assert.strictEqual(r.fields, fields)
    assert.strictEqual(r.bindings, bindings)
    assert.strictEqual(r.error, error)
    assert.strictEqual(r.message, "hello")
  })

  it("shared bindings are rewritten once and their copy reused by every record", () => {
    const { calls, rewrite } = rewriter()
    const walk = new TextWalk(rewrite)
    const child = Bindings.extend(undefined, { user: "secret user" })
    const other = Bindings.extend(undefined, { user: "plain" })
    const records = [child, other, child, other, child].map((b) => {
      const r = recordOf(info, "m")
      r.bindings = b
      return r
    })
    for (const r of records) walk.record(r)
    assert.strictEqual(calls.filter((c) => c === "secret user").length, 1)
    assert.strictEqual(calls.filter((c) => c === "plain").length, 1)
    assert.strictEqual(records[0]?.bindings, records[2]?.bindings)
    assert.strictEqual(records[1]?.bindings, other)
    assert.strictEqual(records[4]?.bindings?.fields.user, "*** user")
    // the child's own snapshot is unchanged
    assert.strictEqual(child.fields.user, "secret user")
  })

  it("an Effect message (not a string) is rewritten as its text, and left alone when unchanged", () => {
    const { rewrite } = rewriter()
    const walk = new TextWalk(rewrite)
    const kept = recordOf(info, ["hello", 1])
    walk.record(kept)
    assert.deepStrictEqual(kept.message, ["hello", 1])
    const changed = recordOf(info, ["a secret", 2])
    walk.record(changed)
    assert.strictEqual(changed.message, "a *** 2")
  })

  it("messages are remembered: a repeated message is rewritten once", () => {
    const { calls, rewrite } = rewriter()
    const walk = new TextWalk(rewrite)
    for (let i = 0; i < 5; i++) walk.record(recordOf(info, "the secret"))
    const r = recordOf(info, "the secret")
    walk.record(r)
    assert.strictEqual(r.message, "the ***")
    assert.strictEqual(calls.filter((c) => c === "the secret").length, 1)
  })

  it("a walk that throws leaves the record as it was", () => {
    const walk = new TextWalk((s) => {
      if (s === "boom") throw new Error("rewrite failed")
      return s.replaceAll("secret", "***")
    })
    const fields = captureFields({ a: "secret", b: "boom" }, defaultLimits)
    const r = recordOf(info, "secret message", { fields })
    assert.throws(() => walk.record(r), /rewrite failed/)
    assert.strictEqual(r.message, "secret message")
    assert.strictEqual(r.fields, fields)
  })

  it("a built event and a kept line are dropped when the record changes", () => {
    const { rewrite } = rewriter()
    const r = recordOf(info, "secret")
    r.event = { timestamp: "", level: "info", message: "secret", logger: "app", fields: {} } as LogEvent
    keepJsonLine(r, defaultLimits, undefined)
    new TextWalk(rewrite).record(r)
    assert.isUndefined(r.event)
    assert.isUndefined(r.kept)
    assert.strictEqual(line(r).message, "***")
  })
})
