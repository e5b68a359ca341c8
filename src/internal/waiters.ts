import * as Effect from "effect/Effect"

interface Waiter {
  readonly ready: () => boolean
  readonly resume: () => void
  /** Left the queue: resumed, or interrupted while it waited. */
  done: boolean
}

/** Slots at the front of the queue that may stay empty before the array is cut down. */
const COMPACT_AFTER = 1024

/**
 * Fibers suspended until a condition of their own holds: a flush waiting for a count to be
 * reached, a writer waiting for room. A FIFO queue: {@link release} asks the oldest waiter
 * whether it may go, resumes it if so and asks the next, and stops at the first that may
 * not, so waiters go strictly in the order they came (a writer behind a larger one waits
 * its turn). A newcomer waits behind anyone already waiting.
 *
 * Every operation is linear in the waiters it resumes: a release that admits k of n waiters
 * costs k + 1 questions, not n; a fiber interrupted while it waits is marked and skipped, not
 * searched for. With many thousands of fibers waiting for room (a storm of `Fapilog.info`
 * calls into a slow sink), waking them is linear in their number, where re-asking all of
 * them after every batch would be quadratic.
 */
export class Waiters {
  private queue: Array<Waiter | undefined> = []
  /** Index of the oldest slot that may still hold a waiter. */
  private head = 0
  private waiting = 0
  private releasing = false
  private releaseAgain = false

  get size(): number {
    return this.waiting
  }

  /**
   * Completes at once when nobody waits and `ready()` holds, otherwise once a later
   * {@link release} finds it does, in turn. `ready` may act when it answers yes (admit a
   * write, say): it is asked again only until it does, and never after. `onWait` runs after
   * the waiter is queued (to wake whoever will release it).
   */
  wait(ready: () => boolean, onWait?: () => void): Effect.Effect<void> {
    return Effect.suspend(() =>
      this.waiting === 0 && ready()
        ? Effect.void
        : Effect.async<void>((resume) => {
            const waiter: Waiter = { ready, resume: () => resume(Effect.void), done: false }
            this.queue.push(waiter)
            this.waiting++
            onWait?.()
            return Effect.sync(() => this.leave(waiter))
          })
    )
  }

  /**
   * Resumes waiters, oldest first, while their condition holds; stops at the first whose
   * condition does not. A release asked for while one runs (a condition that acts and so
   * changes the state) runs again once that one is done.
   */
  release(): void {
    if (this.waiting === 0) return
    if (this.releasing) {
      this.releaseAgain = true
      return
    }
    this.releasing = true
    try {
      do {
        this.releaseAgain = false
        while (this.head < this.queue.length) {
          const w = this.queue[this.head]
          if (w === undefined || w.done) {
            this.head++
            continue
          }
          if (!w.ready()) break
          this.take(w)
          w.resume()
        }
      } while (this.releaseAgain)
    } finally {
      this.releasing = false
      this.compact()
    }
  }

  /** Resumes every waiter, whatever its condition (the owner is closing). */
  releaseAll(): void {
    const queue = this.queue
    const head = this.head
    this.queue = []
    this.head = 0
    this.waiting = 0
    for (let i = head; i < queue.length; i++) {
      const w = queue[i]
      if (w === undefined || w.done) continue
      w.done = true
      w.resume()
    }
  }

  private take(w: Waiter): void {
    w.done = true
    this.waiting--
    this.queue[this.head++] = undefined
  }

  /** An interrupted waiter leaves; if it was the oldest, those behind it may now go. */
  private leave(w: Waiter): void {
    if (w.done) return
    w.done = true
    this.waiting--
    const wasOldest = this.queue[this.head] === w
    if (this.waiting === 0) {
      this.queue = []
      this.head = 0
    } else if (wasOldest) {
      this.release()
    }
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = []
      this.head = 0
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }
}
