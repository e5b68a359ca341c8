import { assert, describe, it } from "@effect/vitest"
import { CircuitBreaker } from "../../src/internal/circuitBreaker.js"

describe("CircuitBreaker", () => {
  it("opens after the threshold, half-opens after the timeout, and one probe decides", () => {
    let t = 0
    const b = new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 100 }, () => t)
    assert.strictEqual(b.state, "closed")
    b.failure()
    b.failure()
    assert.isTrue(b.allow())
    b.failure()
    assert.strictEqual(b.state, "open")
    assert.isFalse(b.allow())
    t = 100
    assert.strictEqual(b.state, "half-open")
    assert.isTrue(b.allow(), "one probe")
    assert.isFalse(b.allow(), "only one probe at a time")
    b.failure()
    assert.strictEqual(b.state, "open", "a failed probe opens it again")
    t = 250
    assert.isTrue(b.allow())
    b.success()
    assert.strictEqual(b.state, "closed")
    assert.strictEqual(b.consecutiveFailures, 0)
  })

  it("a success resets the count of consecutive failures", () => {
    const b = new CircuitBreaker({ failureThreshold: 2, resetTimeoutMs: 10 }, () => 0)
    b.failure()
    b.success()
    b.failure()
    assert.strictEqual(b.state, "closed")
  })
})
