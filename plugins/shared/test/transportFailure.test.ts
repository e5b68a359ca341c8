import { assert, describe, it } from "@effect/vitest"
import { transportFailure } from "../src/transportFailure.js"

describe("transportFailure", () => {
  const classify = transportFailure(
    (cause) => (cause as { code?: unknown } | null)?.code === "EMSGSIZE",
    (cause) => (cause instanceof Error ? `said: ${cause.message}` : String(cause))
  )

  it("is Permanent for a cause the plugin says no retry fixes, with its description and the cause", () => {
    const cause = Object.assign(new Error("too long"), { code: "EMSGSIZE" })
    assert.deepStrictEqual(classify(cause), { _tag: "Permanent", detail: "said: too long", cause })
  })

  it("is Retryable for any other cause, thrown values that are not errors included", () => {
    const cause = Object.assign(new Error("refused"), { code: "ECONNREFUSED" })
    assert.deepStrictEqual(classify(cause), { _tag: "Retryable", detail: "said: refused", cause })
    assert.deepStrictEqual(classify(null), { _tag: "Retryable", detail: "null", cause: null })
  })
})
