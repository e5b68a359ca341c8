import { assert, describe, it } from "@effect/vitest"
import { BodyBuffer } from "../src/bodyBuffer.js"

/** Writes `n` copies of a byte, `chunk` bytes at a time, as a plugin's body writer does. */
class Filler extends BodyBuffer {
  fill(byte: number, n: number, chunk: number): Buffer {
    this.pos = 0
    for (let done = 0; done < n; done += chunk) {
      const k = Math.min(chunk, n - done)
      this.ensure(k)
      this.buf.fill(byte, this.pos, this.pos + k)
      this.pos += k
    }
    return this.take()
  }

  get capacity(): number {
    return this.buf.length
  }
}

describe("BodyBuffer", () => {
  it("grows as a body is written, keeping what was written, and copies the body out", () => {
    const w = new Filler()
    const first = w.fill(0x61, 3 << 20, 4096)
    assert.strictEqual(first.length, 3 << 20)
    assert.isTrue(first.every((b) => b === 0x61))
    assert.isAtLeast(w.capacity, 3 << 20)
    // the next body reuses the buffer; the first one's bytes are its own
    const second = w.fill(0x62, 10, 10)
    assert.strictEqual(second.toString("latin1"), "b".repeat(10))
    assert.strictEqual(first[0], 0x61)
  })

  it("does not keep a buffer grown far past the usual alive", () => {
    const w = new Filler()
    const big = w.fill(0x63, (1 << 24) + 1, 1 << 20)
    assert.strictEqual(big.length, (1 << 24) + 1)
    assert.strictEqual(w.capacity, 1 << 20)
  })
})
