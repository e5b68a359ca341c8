import * as Effect from "effect/Effect"

interface Waiter {
  readonly ready: () => boolean
  readonly resume: () => void
}

/**
 * Fibers suspended until a condition of their own holds: a flush waiting for a count to be
 * reached, a writer waiting for room. `release` resumes those whose condition now holds, in
 * the order they came; a fiber interrupted while it waits leaves the list. Plain data and one
 * `Effect.async` per wait: the code that changes the counts calls `release` after the change.
 */
export class Waiters {
  private list: Array<Waiter> = []

  get size(): number {
    return this.list.length
  }

  /**
   * Completes at once when `ready()` holds, otherwise once a later {@link release} finds it
   * does. `ready` may act when it answers yes (admit a write, say): it is asked again only
   * until it does. `onWait` runs after the waiter is listed (to wake whoever will release it).
   */
  wait(ready: () => boolean, onWait?: () => void): Effect.Effect<void> {
    return Effect.suspend(() =>
      ready()
        ? Effect.void
        : Effect.async<void>((resume) => {
            const waiter: Waiter = { ready, resume: () => resume(Effect.void) }
            this.list.push(waiter)
            onWait?.()
            return Effect.sync(() => {
              this.list = this.list.filter((w) => w !== waiter)
            })
          })
    )
  }

  /**
   * Resumes every waiter whose condition holds now. `inOrder`: stop at the first that does
   * not, so that waiters are admitted strictly in arrival order (a writer behind a larger
   * one waits its turn).
   */
  release(inOrder = false): void {
    if (this.list.length === 0) return
    const waiting: Array<Waiter> = []
    let blocked = false
    for (const w of this.list) {
      if (!blocked && w.ready()) w.resume()
      else {
        waiting.push(w)
        if (inOrder) blocked = true
      }
    }
    this.list = waiting
  }

  /** Resumes every waiter, whatever its condition (the owner is closing). */
  releaseAll(): void {
    const all = this.list
    this.list = []
    for (const w of all) w.resume()
  }
}
