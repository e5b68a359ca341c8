import { assert, describe, it } from "@effect/vitest"
import { computeSignature, headerNames, verify } from "../src/index.js"
import { deliveryId, signHeaders } from "../src/internal/signature.js"

const secret = "0123456789abcdef0123456789abcdef"
const now = Date.parse("2026-03-01T12:00:00Z")
const body = Buffer.from('[{"message":"hello"}]')

describe("signature", () => {
  const headers = signHeaders(secret, body, 1, now)
  const base = {
    secret,
    body,
    timestamp: headers[headerNames.timestamp],
    signature: headers[headerNames.signature],
    now
  }

  it("signs with a timestamp in seconds and v1=<hex HMAC of timestamp.body>", () => {
    assert.strictEqual(headers[headerNames.timestamp], String(Math.floor(now / 1000)))
    assert.match(headers[headerNames.signature]!, /^v1=[0-9a-f]{64}$/)
    assert.strictEqual(
      headers[headerNames.signature],
      `v1=${computeSignature(secret, Math.floor(now / 1000), body.toString())}`
    )
    assert.strictEqual(headers[headerNames.attempt], "1")
    assert.strictEqual(headers[headerNames.deliveryId], deliveryId(body))
  })

  it("without a secret: delivery id and attempt only", () => {
    const h = signHeaders(undefined, body, 2, now)
    assert.deepStrictEqual(Object.keys(h).sort(), [headerNames.attempt, headerNames.deliveryId].sort())
  })

  it("verifies an authentic, fresh request (body as bytes or text)", () => {
    assert.isTrue(verify(base))
    assert.isTrue(verify({ ...base, body: body.toString() }))
    assert.isTrue(verify({ ...base, now: now + 299_000 }))
  })

  it("refuses a wrong secret, a changed body, a changed timestamp", () => {
    assert.isFalse(verify({ ...base, secret: "another-secret-of-enough-length" }))
    assert.isFalse(verify({ ...base, body: '[{"message":"hellO"}]' }))
    assert.isFalse(verify({ ...base, timestamp: String(Number(base.timestamp) - 1) }))
  })

  it("refuses a request outside the replay window, either side", () => {
    assert.isFalse(verify({ ...base, now: now + 301_000 }))
    assert.isFalse(verify({ ...base, now: now - 301_000 }))
    assert.isTrue(verify({ ...base, now: now + 50_000, toleranceSeconds: 60 }))
    assert.isFalse(verify({ ...base, now: now + 61_000, toleranceSeconds: 60 }))
  })

  it("refuses malformed or missing headers without throwing", () => {
    for (const signature of [
      undefined,
      null,
      "",
      "v1=",
      "v1=zz",
      `v2=${"0".repeat(64)}`,
      "garbage",
      "v1=abc"
    ])
      assert.isFalse(verify({ ...base, signature }))
    for (const timestamp of [undefined, null, "", "soon", "-5", "1e9", "12.5"])
      assert.isFalse(verify({ ...base, timestamp }))
    assert.isFalse(verify({ ...base, secret: "" }))
    assert.isFalse(verify({ ...base, secret: [] }))
  })

  it("accepts any of several signatures and any of several secrets (rotation)", () => {
    const other = `v1=${computeSignature("old-secret-old-secret", base.timestamp!, body)}`
    assert.isTrue(verify({ ...base, signature: `${other}, ${base.signature}` }))
    assert.isTrue(verify({ ...base, secret: ["old-secret-old-secret", secret] }))
    assert.isTrue(verify({ ...base, secret: ["old-secret-old-secret"], signature: other }))
  })
})
