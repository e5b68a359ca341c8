import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type BodyTap, bodyForLine, tapBody } from "../../src/internal/httpBody.js"

/** A request whose body reads are cached, as both Effect lines' server requests are. */
class FakeRequest {
  reads = 0
  constructor(
    readonly body: string,
    readonly url = "/"
  ) {}
  get text(): Effect.Effect<string> {
    return Effect.sync(() => {
      this.reads++
      return this.body
    })
  }
  get json(): Effect.Effect<unknown> {
    return Effect.map(this.text, (t) => JSON.parse(t) as unknown)
  }
  get urlParamsBody(): Effect.Effect<ReadonlyArray<[string, string]>> {
    return Effect.map(this.text, (t) => [...new URLSearchParams(t)])
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer> {
    return Effect.sync(() => new TextEncoder().encode(this.body).buffer as ArrayBuffer)
  }
  modify(options: { readonly url: string }): FakeRequest {
    return new FakeRequest(this.body, options.url)
  }
  describe(): string {
    return `${this.url} (${this.body.length})`
  }
}

const tapped = (body: string) => {
  const tap: BodyTap = { text: undefined }
  return { tap, request: tapBody(new FakeRequest(body), tap) }
}

describe("tapBody", () => {
  it.effect("keeps the text of a body read as text, JSON, form or bytes, and what the read returns", () =>
    Effect.gen(function* () {
      const text = tapped("plain")
      assert.strictEqual(yield* text.request.text, "plain")
      assert.strictEqual(text.tap.text, "plain")
      const json = tapped('{"a":1}')
      assert.deepStrictEqual(yield* json.request.json, { a: 1 })
      assert.strictEqual(json.tap.text, '{"a":1}')
      const form = tapped("b=2")
      assert.deepStrictEqual(yield* form.request.urlParamsBody, [["b", "2"]])
      assert.strictEqual(form.tap.text, "b=2")
      const bytes = tapped("ééé")
      assert.strictEqual((yield* bytes.request.arrayBuffer).byteLength, 6)
      assert.strictEqual(bytes.tap.text, "ééé")
    })
  )

  it.effect("reads nothing ahead; a copy made by modify is tapped too; other members are the request's", () =>
    Effect.gen(function* () {
      const { tap, request } = tapped("mounted")
      assert.strictEqual(tap.text, undefined)
      const sliced = request.modify({ url: "/echo" })
      assert.strictEqual(sliced.url, "/echo")
      assert.strictEqual(sliced.describe(), "/echo (7)")
      yield* sliced.text
      assert.strictEqual(tap.text, "mounted")
    })
  )
})

describe("bodyForLine", () => {
  it("the body read, parsed when JSON and capped; a note when it was announced but not read, or is binary", () => {
    assert.deepStrictEqual(bodyForLine({ text: '{"a":1}' }, { "content-type": "application/json" }, 64), {
      a: 1
    })
    assert.strictEqual(bodyForLine({ text: "y".repeat(10) }, {}, 4), "yyyy…[truncated]")
    assert.strictEqual(
      bodyForLine({ text: undefined }, { "content-length": "6" }, 64),
      "[body not read as a whole by the handler; not logged]"
    )
    assert.strictEqual(bodyForLine({ text: undefined }, {}, 64), undefined)
    assert.strictEqual(
      bodyForLine({ text: "raw" }, { "content-type": "application/octet-stream" }, 64),
      "[application/octet-stream body not logged]"
    )
  })
})
