import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { Waiters } from "../../src/internal/waiters.js"

/** `n` fibers waiting for a slot of `room`, each admitted by taking one; counts the questions asked. */
const slots = (n: number) =>
  Effect.gen(function* () {
    const waiters = new Waiters()
    let room = 0
    let asked = 0
    const admitted: Array<number> = []
    const fibers = yield* Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      (i) =>
        Effect.fork(
          waiters.wait(() => {
            asked++
            if (room === 0) return false
            room--
            admitted.push(i)
            return true
          })
        ),
      { concurrency: 1 }
    )
    yield* Effect.yieldNow()
    return {
      waiters,
      fibers,
      admitted,
      asked: () => asked,
      free: (k: number) => {
        room += k
        waiters.release()
      }
    }
  })

describe("Waiters", () => {
  it.effect("admits oldest first, as many as the room takes, asking each waiter once per turn it gets", () =>
    Effect.gen(function* () {
      const n = 10_000
      const s = yield* slots(n)
      assert.strictEqual(s.waiters.size, n)
      const askedWhileWaiting = s.asked()
      let releases = 0
      while (s.admitted.length < n) {
        s.free(100)
        releases++
      }
      yield* Fiber.joinAll(s.fibers)
      assert.deepStrictEqual(
        s.admitted,
        Array.from({ length: n }, (_, i) => i),
        "FIFO"
      )
      // linear: every waiter is asked once when admitted, plus one refusal per release (but
      // the last, which empties the queue)
      assert.strictEqual(s.asked() - askedWhileWaiting, n + releases - 1)
      assert.strictEqual(s.waiters.size, 0)
    })
  )

  it.effect("a newcomer waits behind those already waiting", () =>
    Effect.gen(function* () {
      const s = yield* slots(3)
      s.free(0)
      const late = yield* Effect.fork(s.waiters.wait(() => true))
      yield* Effect.yieldNow()
      assert.isNull(late.unsafePoll(), "ready, but behind three")
      s.free(3)
      yield* Fiber.join(late)
      assert.deepStrictEqual(s.admitted, [0, 1, 2])
    })
  )

  it.effect("an interrupted waiter leaves without a search; the ones behind it go on", () =>
    Effect.gen(function* () {
      const s = yield* slots(5)
      yield* Fiber.interrupt(s.fibers[0] as Fiber.RuntimeFiber<void>)
      yield* Fiber.interrupt(s.fibers[3] as Fiber.RuntimeFiber<void>)
      assert.strictEqual(s.waiters.size, 3)
      s.free(3)
      yield* Fiber.joinAll([s.fibers[1], s.fibers[2], s.fibers[4]] as Array<Fiber.RuntimeFiber<void>>)
      assert.deepStrictEqual(s.admitted, [1, 2, 4])
      assert.strictEqual(s.waiters.size, 0)
    })
  )

  it.effect("releaseAll resumes every waiter whatever its condition", () =>
    Effect.gen(function* () {
      const s = yield* slots(4)
      s.waiters.releaseAll()
      yield* Fiber.joinAll(s.fibers)
      assert.deepStrictEqual(s.admitted, [])
      assert.strictEqual(s.waiters.size, 0)
    })
  )

  it.effect("a condition that acts and releases again while a release runs is served in the same pass", () =>
    Effect.gen(function* () {
      const waiters = new Waiters()
      const order: Array<string> = []
      let open = false
      const a = yield* Effect.fork(
        waiters.wait(() => {
          if (!open) return false
          order.push("a")
          waiters.release()
          return true
        })
      )
      const b = yield* Effect.fork(
        waiters.wait(() => {
          if (!open) return false
          order.push("b")
          return true
        })
      )
      yield* Effect.yieldNow()
      open = true
      waiters.release()
      yield* Fiber.joinAll([a, b])
      assert.deepStrictEqual(order, ["a", "b"])
    })
  )
})
