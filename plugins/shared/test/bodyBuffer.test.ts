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

  /** Each value written as it would be, in a fresh body. */
  write(values: ReadonlyArray<number | Uint8Array>): string {
    this.pos = 0
    for (const v of values) {
      if (typeof v === "number") this.integer(v)
      else this.bytes(v)
      this.byte(0x2c)
    }
    return this.take().toString("utf8")
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

  it("writes integers as their digits, and byte runs short and long", () => {
    const numbers = [
      0,
      7,
      10,
      99,
      1_765_000_000_123,
      -1,
      -1_000,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      1.5,
      1e21,
      Number.NaN
    ]
    assert.strictEqual(new Filler().write(numbers), numbers.map((n) => `${String(n)},`).join(""))
    const short = new TextEncoder().encode('{"timestamp":')
    const long = new TextEncoder().encode("x".repeat(100))
    assert.strictEqual(
      new Filler().write([short, long, short]),
      `{"timestamp":,${"x".repeat(100)},{"timestamp":,`
    )
  })
})
