/**
 * Snappy compression in the block format (the one Loki reads for its protobuf push bodies:
 * no stream framing, no checksums), written for this sink's bodies: plain synchronous code,
 * no dependency.
 *
 * The format (google/snappy `format_description.txt`): the uncompressed length as a varint,
 * then elements, each a literal (bytes as they are) or a copy (length and offset back into
 * what is already decompressed). The compressor walks the input in 64 KiB fragments; within
 * one it hashes every 4 bytes it visits into a table of recent positions, and where the table
 * points at the same 4 bytes it extends the match and emits a copy. Where nothing matches for
 * a while it looks at fewer positions (one more byte skipped per 32 misses), so incompressible
 * data passes at little cost. Copies never reach outside their fragment, so an offset fits
 * two bytes. Bytes are read four at a time through a DataView (one unaligned load each, where
 * assembling them from single bytes takes four), and a match is extended eight bytes a step:
 * log lines repeat most of their text, so most of the input is inside long matches.
 */

const FRAGMENT = 1 << 16
const HASH_BITS = 14
const HASH_SHIFT = 32 - HASH_BITS
/** Inputs shorter than this are one literal: too short to find a 4-byte match and its successor. */
const MIN_MATCHING = 15

/** The longest a compressed block can be for `n` input bytes (the format's own bound). */
export const maxCompressedLength = (n: number): number => 32 + n + Math.floor(n / 6)

const hash = (x: number): number => Math.imul(x, 0x1e35a7bd) >>> HASH_SHIFT

/** Writes a literal of `input[from, from + length)` at `op`; returns the next output position. */
const literal = (input: Uint8Array, from: number, length: number, out: Uint8Array, op: number): number => {
  const n = length - 1
  if (n < 60) out[op++] = n << 2
  else if (n < 0x100) {
    out[op++] = 60 << 2
    out[op++] = n
  } else if (n < 0x10000) {
    out[op++] = 61 << 2
    out[op++] = n & 0xff
    out[op++] = n >>> 8
  } else if (n < 0x1000000) {
    out[op++] = 62 << 2
    out[op++] = n & 0xff
    out[op++] = (n >>> 8) & 0xff
    out[op++] = n >>> 16
  } else {
    out[op++] = 63 << 2
    out[op++] = n & 0xff
    out[op++] = (n >>> 8) & 0xff
    out[op++] = (n >>> 16) & 0xff
    out[op++] = n >>> 24
  }
  if (length < 16) for (let i = 0; i < length; i++) out[op + i] = input[from + i] as number
  else out.set(input.subarray(from, from + length), op)
  return op + length
}

/** Writes copies of `length` bytes from `offset` back (offset below 2^16); returns the next output position. */
const copy = (offset: number, length: number, out: Uint8Array, op: number): number => {
  // a copy with a 2-byte offset takes 1 to 64 bytes; keep at least 4 for the last one
  while (length >= 68) {
    out[op++] = (63 << 2) | 2
    out[op++] = offset & 0xff
    out[op++] = offset >>> 8
    length -= 64
  }
  if (length > 64) {
    out[op++] = (59 << 2) | 2
    out[op++] = offset & 0xff
    out[op++] = offset >>> 8
    length -= 60
  }
  if (length < 12 && offset < 2048) {
    // 1-byte offset form: 4 to 11 bytes, offset's top 3 bits in the tag
    out[op++] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5)
    out[op++] = offset & 0xff
  } else {
    out[op++] = 2 | ((length - 1) << 2)
    out[op++] = offset & 0xff
    out[op++] = offset >>> 8
  }
  return op
}

const table = new Uint16Array(1 << HASH_BITS)

/** Compresses `input[start, end)` (at most {@link FRAGMENT} bytes) at `op`; returns the next output position. */
const fragment = (
  input: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  out: Uint8Array,
  op: number
): number => {
  if (end - start < MIN_MATCHING) return end > start ? literal(input, start, end - start, out, op) : op
  table.fill(0)
  const limit = end - MIN_MATCHING
  let nextEmit = start
  let ip = start + 1
  let nextHash = hash(view.getInt32(ip, true))
  for (;;) {
    // find a 4-byte match, looking at fewer positions the longer none is found
    let skip = 32
    let next = ip
    let candidate: number
    do {
      ip = next
      const h = nextHash
      next = ip + (skip++ >> 5)
      if (next > limit) return nextEmit < end ? literal(input, nextEmit, end - nextEmit, out, op) : op
      nextHash = hash(view.getInt32(next, true))
      candidate = start + (table[h] as number)
      table[h] = ip - start
    } while (view.getInt32(ip, true) !== view.getInt32(candidate, true))
    op = literal(input, nextEmit, ip - nextEmit, out, op)
    // emit copies while the position after each copy matches again
    let matched: boolean
    do {
      const base = ip
      let a = candidate + 4
      ip += 4
      // eight bytes a step (two unaligned 32-bit reads each side) while they agree, then byte by byte
      while (
        ip + 8 <= end &&
        view.getInt32(ip, true) === view.getInt32(a, true) &&
        view.getInt32(ip + 4, true) === view.getInt32(a + 4, true)
      ) {
        ip += 8
        a += 8
      }
      while (ip < end && input[ip] === input[a]) {
        ip++
        a++
      }
      op = copy(base - candidate, ip - base, out, op)
      nextEmit = ip
      if (ip >= limit) return nextEmit < end ? literal(input, nextEmit, end - nextEmit, out, op) : op
      // remember the position before, then try the one here
      table[hash(view.getInt32(ip - 1, true))] = ip - 1 - start
      const h = hash(view.getInt32(ip, true))
      candidate = start + (table[h] as number)
      table[h] = ip - start
      matched = view.getInt32(ip, true) === view.getInt32(candidate, true)
    } while (matched)
    ip++
    nextHash = hash(view.getInt32(ip, true))
  }
}

/** `input` compressed in snappy's block format. */
export const compress = (input: Uint8Array): Uint8Array => {
  const out = new Uint8Array(maxCompressedLength(input.length))
  let op = 0
  // the preamble: the uncompressed length, a varint
  let n = input.length
  while (n > 0x7f) {
    out[op++] = (n & 0x7f) | 0x80
    n >>>= 7
  }
  out[op++] = n
  const view = new DataView(input.buffer, input.byteOffset, input.length)
  for (let at = 0; at < input.length; at += FRAGMENT)
    op = fragment(input, view, at, Math.min(input.length, at + FRAGMENT), out, op)
  return out.slice(0, op)
}
