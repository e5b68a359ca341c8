/**
 * One growing byte buffer that a plugin writes its request bodies into, reused from request
 * to request (the Kafka, CloudWatch, Splunk, NATS and Redis sinks write each event's line
 * straight into it with `Formatter.writeJson`): what a body needs is made room for as it is
 * written, and the body is copied out when done.
 */
import { Formatter, type LogEvent } from "fapilog"

/** A request's bytes as a Buffer over the same memory (no copy), to read with Buffer's methods. */
export const bufferView = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

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

  /** `text` as UTF-8 at the end. */
  protected text(text: string): void {
    this.ensure(3 * text.length)
    this.pos += this.buf.write(text, this.pos, "utf8")
  }

  /** One byte at the end. */
  protected byte(b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
  }

  /** `bytes` at the end (a short constant, a key, byte by byte: cheaper than a native copy). */
  protected bytes(bytes: Uint8Array): void {
    const n = bytes.length
    this.ensure(n)
    if (n > 32) this.buf.set(bytes, this.pos)
    else {
      const buf = this.buf
      const p = this.pos
      for (let i = 0; i < n; i++) buf[p + i] = bytes[i]!
    }
    this.pos += n
  }

  /** A safe integer's decimal digits at the end (any other number as `String` writes it). */
  protected integer(n: number): void {
    if (!Number.isSafeInteger(n)) {
      this.text(String(n))
      return
    }
    this.ensure(17)
    const buf = this.buf
    if (n < 0) {
      buf[this.pos++] = 0x2d
      n = -n
    }
    let digits = 1
    for (let d = n; d >= 10; d = Math.floor(d / 10)) digits++
    const end = this.pos + digits
    for (let i = end - 1; i >= this.pos; i--) {
      const q = Math.floor(n / 10)
      buf[i] = 48 + (n - q * 10)
      n = q
    }
    this.pos = end
  }

  /** The event's JSON line at the end, written by the core's JSON formatter with no string made of it. */
  protected json(event: LogEvent.LogEvent): void {
    for (;;) {
      this.ensure(256)
      const end = Formatter.writeJson(event, this.buf, this.pos)
      if (end >= 0) {
        this.pos = end
        return
      }
      // the room may have been too small: a larger buffer, and again
      this.grow(2 * this.buf.length)
    }
  }

  /** The bytes written, copied out; a buffer grown far past the usual is not kept alive. */
  protected take(): Buffer {
    const body = Buffer.from(this.buf.subarray(0, this.pos))
    if (this.buf.length > 1 << 24) this.buf = Buffer.allocUnsafe(1 << 20)
    return body
  }
}
