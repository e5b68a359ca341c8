/**
 * A circuit breaker per sink. Closed: writes go through; after `failureThreshold`
 * consecutive failures it opens, and writes are not attempted (they go to the fallback)
 * until `resetTimeoutMs` has passed; then it is half-open and lets one write probe: success
 * closes it, failure opens it again. Plain synchronous state; the clock is injected.
 */
export type CircuitState = "closed" | "open" | "half-open"

export interface CircuitBreakerOptions {
  readonly failureThreshold: number
  readonly resetTimeoutMs: number
}

export const defaultCircuit: CircuitBreakerOptions = Object.freeze({
  failureThreshold: 5,
  resetTimeoutMs: 30_000
})

export class CircuitBreaker {
  private failures = 0
  private openedAt = 0
  private opened = false
  private probing = false

  constructor(
    private readonly options: CircuitBreakerOptions = defaultCircuit,
    private readonly now: () => number = Date.now
  ) {}

  get state(): CircuitState {
    if (!this.opened) return "closed"
    return this.now() - this.openedAt >= this.options.resetTimeoutMs ? "half-open" : "open"
  }

  /** Whether a write may be attempted now; in half-open, only one probe at a time. */
  allow(): boolean {
    const state = this.state
    if (state === "closed") return true
    if (state === "open" || this.probing) return false
    this.probing = true
    return true
  }

  success(): void {
    this.failures = 0
    this.opened = false
    this.probing = false
  }

  failure(): void {
    this.failures++
    if (this.probing || this.failures >= this.options.failureThreshold) {
      this.opened = true
      this.openedAt = this.now()
    }
    this.probing = false
  }

  get consecutiveFailures(): number {
    return this.failures
  }
}
