/**
 * One growing byte buffer that a plugin writes its request bodies into, reused from request
 * to request (the Kafka and CloudWatch sinks write each event's line straight into it with
 * `Formatter.writeJson`): what a body needs is made room for as it is written, and the body is
 * copied out when done.
 */
export class BodyBuffer {
  protected buf: Buffer = Buffer.allocUnsafe(1 << 20)
  protected pos = 0

  /** Room for `more` bytes from `pos` on. */
  protected ensure(more: number): void {
    if (this.pos + more > this.buf.length) this.grow(this.pos + more)
  }

  /** A buffer of at least `atLeast` bytes (twice the size at least), what was written kept. */
  protected grow(atLeast: number): void {
    const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, atLeast))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  /** The bytes written, copied out; a buffer grown far past the usual is not kept alive. */
  protected take(): Buffer {
    const body = Buffer.from(this.buf.subarray(0, this.pos))
    if (this.buf.length > 1 << 24) this.buf = Buffer.allocUnsafe(1 << 20)
    return body
  }
}
