import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as keyRing from "../../src/internal/keyRing.js"
import { KEY_A, KEY_B } from "../rings.js"

const problemsOf = (f: () => unknown): ReadonlyArray<string> => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, keyRing.KeyRingError)
    return (e as keyRing.KeyRingError).problems
  }
  assert.fail("expected a KeyRingError")
}

describe("key ring", () => {
  it("reads the compact form, newest last: the newest encrypts", () => {
    const ring = keyRing.parse(` 2026-11:${KEY_A} , 2026-12:${KEY_B.toUpperCase()} `, "env:KEYS")
    assert.deepStrictEqual(ring.ids, ["2026-11", "2026-12"])
    assert.strictEqual(ring.current, "2026-12")
    assert.strictEqual(ring.key("2026-11")?.export().toString("hex"), KEY_A)
    assert.isUndefined(ring.key("2026-10"))
  })

  it("reads the JSON document", () => {
    const ring = keyRing.parse(
      JSON.stringify({
        keys: [
          { id: "A", key: KEY_A },
          { id: "B", key: KEY_B }
        ]
      })
    )
    assert.deepStrictEqual(ring.ids, ["A", "B"])
    assert.strictEqual(ring.current, "B")
  })

  it("never prints its keys", () => {
    const ring = keyRing.parse(`A:${KEY_A}`, "env:KEYS")
    for (const text of [String(ring), JSON.stringify(ring), `${ring}`])
      assert.notInclude(text.toLowerCase(), KEY_A.slice(0, 16))
    assert.strictEqual(String(ring), "KeyRing(env:KEYS: A; encrypts with A)")
    assert.deepStrictEqual(JSON.parse(JSON.stringify(ring)), { source: "env:KEYS", ids: ["A"], current: "A" })
  })

  it("names every problem of a ring with what is accepted", () => {
    assert.deepStrictEqual(
      problemsOf(() =>
        keyRing.parse(
          JSON.stringify({
            keys: [
              { id: "A", key: KEY_A.slice(2) },
              { id: "A", key: KEY_B },
              { id: "has space", key: "zz".repeat(32) },
              { id: "C" }
            ]
          })
        )
      ),
      [
        "keys[0].key: is 62 hex digits (31 bytes); an AES-256 key is 64 hex digits (32 bytes)",
        'keys[1].id: "A" is a duplicate key id (ids are unique)',
        `keys[2].id: "has space" is not a key id (1 to 64 letters, digits, '.', '_' or '-')`,
        "keys[2].key: is not hex (64 digits 0-9, a-f: a 32-byte AES-256 key)",
        "keys[3].key: is not a string of 64 hex digits (a 32-byte AES-256 key)"
      ]
    )
    assert.deepStrictEqual(
      problemsOf(() => keyRing.parse(`k1:${KEY_A},k2`)),
      ["entry 2 key: is not a string of 64 hex digits (a 32-byte AES-256 key)"]
    )
    assert.deepStrictEqual(
      problemsOf(() => keyRing.parse(JSON.stringify({ keys: [] }))),
      ["the ring holds no key (give at least one, newest last)"]
    )
    assert.deepStrictEqual(
      problemsOf(() => keyRing.parse("  ")),
      ['is empty; expected "id:hex,id:hex" or {"keys":[{"id":"...","key":"<64 hex>"}]}']
    )
    assert.match(problemsOf(() => keyRing.parse("{ nope"))[0] ?? "", /^is not valid JSON/)
    assert.deepStrictEqual(
      problemsOf(() => keyRing.parse('{"key":[]}')),
      ['keys: is missing or not a list; expected {"keys":[{"id":"...","key":"<64 hex>"}]}']
    )
  })

  it("loads from a variable and from a file, and says what is missing", () => {
    assert.deepStrictEqual(keyRing.load("env:LOG_KEYS", { LOG_KEYS: `A:${KEY_A}` }).ids, ["A"])
    assert.deepStrictEqual(
      problemsOf(() => keyRing.load("env:LOG_KEYS", {})),
      ['the variable LOG_KEYS is not set or empty; set it to "id:hex,id:hex" (newest last)']
    )
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-keys-"))
    try {
      const file = path.join(dir, "keys.json")
      fs.writeFileSync(file, JSON.stringify({ keys: [{ id: "2026-12", key: KEY_B }] }))
      const ring = keyRing.load(`file:${file}`)
      assert.strictEqual(ring.current, "2026-12")
      assert.strictEqual(ring.source, `file:${file}`)
      assert.deepStrictEqual(
        problemsOf(() => keyRing.load(`file:${path.join(dir, "absent.json")}`)),
        [`cannot read ${path.join(dir, "absent.json")} (ENOENT)`]
      )
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
    assert.match(problemsOf(() => keyRing.load("vault:x"))[0] ?? "", /is not a key ring: "env:NAME"/)
    assert.isTrue(keyRing.isSpec("env:FAPILOG_LOG_KEYS"))
    assert.isFalse(keyRing.isSpec("env:1BAD"))
    assert.isFalse(keyRing.isSpec("file:"))
    assert.strictEqual(
      keyRing.check("env:NONE", {}),
      'the variable NONE is not set or empty; set it to "id:hex,id:hex" (newest last)'
    )
    assert.isUndefined(keyRing.check("env:K", { K: `A:${KEY_A}` }))
  })
})
