/**
 * A protobuf wire-format writer for the plugins' request bodies (OTLP's
 * `ExportLogsServiceRequest`, Loki's `PushRequest`): plain synchronous code, no Effect, no
 * dependency, bundled into each plugin that imports it.
 *
 * It writes straight into one growing buffer. A length-delimited field (a message, string or
 * bytes) needs its length before its contents: `begin` reserves one byte for it and `end`
 * writes it, moving the contents along when the length takes more than one byte (a memmove
 * of what was just written; most messages of a log request are under 128 bytes, and the few
 * large ones move once). Field numbers and wire types are the caller's, from the `.proto`.
 *
 * Strings are written as UTF-8 with each lone UTF-16 surrogate as U+FFFD (a protobuf string
 * must be valid UTF-8), the same replacement fapilog's JSON line makes.
 */

/** Wire types: varint (int32/64, uint32/64, bool, enum), 64-bit, length-delimited, 32-bit. */
export const VARINT = 0
export const FIXED64 = 1
export const LENGTH_DELIMITED = 2
export const FIXED32 = 5

const TWO_TO_32 = 4294967296

/** Bytes the varint of a non-negative integer below 2^35 takes. */
export const varintSize = (n: number): number =>
  n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5

/** Strings up to this many UTF-16 units are encoded here; longer ones by Node's native encoder. */
const SHORT_STRING = 42 // 42 units are at most 126 bytes: their length always fits one byte

/** The value of a hex digit's character code (0 for anything else; callers pass hex). */
const nibble = (c: number): number => (c <= 57 ? c - 48 : (c | 0x20) - 87) & 0xf

/** Encodings remembered per writer; past this many, the table starts afresh (generated or hostile names). */
const MAX_KNOWN = 4096
const remember = (known: Map<string, Uint8Array>, s: string, encoded: Uint8Array): void => {
  if (known.size >= MAX_KNOWN) known.clear()
  known.set(s, encoded)
}

// doubles go through this scratch pair: one value's bytes, little-endian on every platform
const scratch = new DataView(new ArrayBuffer(8))
const scratchBytes = new Uint8Array(scratch.buffer)

/**
 * Writes `s` (at most {@link SHORT_STRING} units) as UTF-8 at `pos`, lone surrogates as U+FFFD;
 * returns the position after it. The caller ensured room for `3 * s.length` bytes.
 */
const utf8Short = (buf: Uint8Array, pos: number, s: string): number => {
  const n = s.length
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) buf[pos++] = c
    else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6)
      buf[pos++] = 0x80 | (c & 0x3f)
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < n ? s.charCodeAt(i + 1) : 0
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
          i++
          buf[pos++] = 0xf0 | (c >> 18)
          buf[pos++] = 0x80 | ((c >> 12) & 0x3f)
          buf[pos++] = 0x80 | ((c >> 6) & 0x3f)
          buf[pos++] = 0x80 | (c & 0x3f)
          continue
        }
        c = 0xfffd
      }
      buf[pos++] = 0xe0 | (c >> 12)
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f)
      buf[pos++] = 0x80 | (c & 0x3f)
    }
  }
  return pos
}

export class ProtoWriter {
  // one plain Uint8Array for every byte access (a single element kind keeps them fast), and a
  // Buffer over the same memory for Node's native UTF-8 encoder
  private buf: Uint8Array
  private node: Buffer
  private pos = 0
  /** Length-prefixed encodings of recurring strings ({@link knownString}). */
  private readonly known = new Map<string, Uint8Array>()
  /**
   * Length-prefixed bytes of recurring hex ids ({@link hexBytes}): a map of their own, as the
   * same text is also a valid string whose encoding differs (an attribute key equal to an id).
   */
  private readonly knownIds = new Map<string, Uint8Array>()

  constructor(initialBytes = 64 * 1024) {
    this.buf = new Uint8Array(Math.max(16, initialBytes))
    this.node = Buffer.from(this.buf.buffer, 0, this.buf.length)
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos
  }

  private ensure(more: number): void {
    const need = this.pos + more
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.node = Buffer.from(next.buffer, 0, next.length)
  }

  /** The field's key: `(field << 3) | wireType`. */
  tag(field: number, wireType: number): this {
    return this.uint32((field << 3) | wireType)
  }

  /** A varint of a non-negative integer below 2^32 (uint32, enum, a length). */
  uint32(n: number): this {
    this.ensure(5)
    const buf = this.buf
    let pos = this.pos
    while (n > 0x7f) {
      buf[pos++] = (n & 0x7f) | 0x80
      n >>>= 7
    }
    buf[pos++] = n
    this.pos = pos
    return this
  }

  /** A varint of the 64-bit value `hi * 2^32 + lo` (each half an unsigned 32-bit integer). */
  private varint64(lo: number, hi: number): this {
    this.ensure(10)
    const buf = this.buf
    let pos = this.pos
    // seven bits at a time while the high half has any; what is left fits the low half
    while (hi > 0) {
      buf[pos++] = (lo & 0x7f) | 0x80
      lo = ((lo >>> 7) | (hi << 25)) >>> 0
      hi >>>= 7
    }
    this.pos = pos
    return this.uint32(lo)
  }

  /**
   * An `int64` varint of a whole number in [-2^63, 2^63): a negative one as its 64-bit two's
   * complement (ten bytes), as protobuf writes int64. Every such double is exact, so the
   * halves are too.
   */
  int64(n: number): this {
    if (n >= 0 && n < TWO_TO_32) return this.uint32(n)
    const negative = n < 0
    const abs = negative ? -n : n
    let lo = abs % TWO_TO_32
    let hi = (abs - lo) / TWO_TO_32
    if (negative) {
      lo = (~lo + 1) >>> 0
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0
    }
    return this.varint64(lo >>> 0, hi >>> 0)
  }

  bool(b: boolean): this {
    this.ensure(1)
    this.buf[this.pos++] = b ? 1 : 0
    return this
  }

  /** Four bytes little-endian, room already ensured. */
  private le32(n: number): void {
    const buf = this.buf
    const pos = this.pos
    buf[pos] = n & 0xff
    buf[pos + 1] = (n >>> 8) & 0xff
    buf[pos + 2] = (n >>> 16) & 0xff
    buf[pos + 3] = n >>> 24
    this.pos = pos + 4
  }

  /** A `fixed64` of `hi * 2^32 + lo`, little-endian. */
  fixed64(lo: number, hi: number): this {
    this.ensure(8)
    this.le32(lo)
    this.le32(hi)
    return this
  }

  /** A `fixed32`, little-endian. */
  fixed32(n: number): this {
    this.ensure(4)
    this.le32(n)
    return this
  }

  /** A `double`, little-endian IEEE 754. */
  double(x: number): this {
    this.ensure(8)
    scratch.setFloat64(0, x, true)
    const buf = this.buf
    const pos = this.pos
    for (let i = 0; i < 8; i++) buf[pos + i] = scratchBytes[i] as number
    this.pos = pos + 8
    return this
  }

  /** A length-prefixed UTF-8 string (lone surrogates as U+FFFD). */
  string(s: string): this {
    const n = s.length
    if (n <= SHORT_STRING) {
      this.ensure(1 + 3 * n)
      const start = this.pos
      const end = utf8Short(this.buf, start + 1, s)
      this.buf[start] = end - start - 1
      this.pos = end
      return this
    }
    // room for the longest encoding and its length; Node's encoder writes lone surrogates as U+FFFD
    const reserved = varintSize(3 * n)
    this.ensure(reserved + 3 * n)
    const at = this.pos + reserved
    const written = this.node.write(s, at, "utf8")
    const size = varintSize(written)
    if (size < reserved) this.buf.copyWithin(this.pos + size, at, at + written)
    this.uint32(written)
    this.pos += written
    return this
  }

  /**
   * A message of two strings, field 1 and field 2 (a name/value pair, a map entry), as field
   * `field` (below 16). Short ones (the usual ids and names) are written in one pass, each
   * length in its one byte; others take {@link begin}, {@link string} and {@link end}.
   */
  pair(field: number, first: string, second: string): this {
    if (field > 15 || first.length > SHORT_STRING || second.length > SHORT_STRING) {
      const m = this.begin(field)
      this.tag(1, LENGTH_DELIMITED).string(first).tag(2, LENGTH_DELIMITED).string(second)
      this.end(m)
      return this
    }
    // key, length, and each string's key and length: 6 bytes; the strings at most 3 bytes a unit
    this.ensure(6 + 3 * (first.length + second.length))
    const buf = this.buf
    const start = this.pos
    buf[start] = (field << 3) | LENGTH_DELIMITED
    buf[start + 2] = (1 << 3) | LENGTH_DELIMITED
    const a = start + 3
    const aEnd = utf8Short(buf, a + 1, first)
    buf[a] = aEnd - a - 1
    buf[aEnd] = (2 << 3) | LENGTH_DELIMITED
    const b = aEnd + 1
    const bEnd = utf8Short(buf, b + 1, second)
    buf[b] = bEnd - b - 1
    this.pos = bEnd
    const length = bEnd - start - 2
    if (length < 0x80) buf[start + 1] = length
    else this.end(start + 1, 1)
    return this
  }

  /** Length-prefixed bytes. */
  bytes(b: Uint8Array): this {
    this.uint32(b.length)
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
    return this
  }

  /**
   * A length-prefixed string that recurs (an attribute name, a level): its encoding is
   * remembered, so the next time costs a lookup and a copy instead of encoding it again.
   */
  knownString(s: string): this {
    let encoded = this.known.get(s)
    if (encoded === undefined) {
      if (s.length > SHORT_STRING) return this.string(s)
      const mark = this.pos
      this.string(s)
      encoded = this.buf.slice(mark, this.pos)
      remember(this.known, s, encoded)
      return this
    }
    return this.copy(encoded)
  }

  /**
   * Length-prefixed bytes given as hex digits (an even number of them, checked by the caller).
   * The ids of a request's records recur, so their bytes are remembered too.
   */
  hexBytes(hex: string): this {
    let encoded = this.knownIds.get(hex)
    if (encoded === undefined) {
      const n = hex.length >> 1
      encoded = new Uint8Array(varintSize(n) + n)
      let pos = 0
      for (let v = n; ; v >>>= 7) {
        if (v <= 0x7f) {
          encoded[pos++] = v
          break
        }
        encoded[pos++] = (v & 0x7f) | 0x80
      }
      for (let i = 0; i < 2 * n; i += 2)
        encoded[pos++] = (nibble(hex.charCodeAt(i)) << 4) | nibble(hex.charCodeAt(i + 1))
      remember(this.knownIds, hex, encoded)
    }
    return this.copy(encoded)
  }

  private copy(encoded: Uint8Array): this {
    const n = encoded.length
    this.ensure(n)
    const buf = this.buf
    const pos = this.pos
    for (let i = 0; i < n; i++) buf[pos + i] = encoded[i] as number
    this.pos = pos + n
    return this
  }

  /**
   * Starts a length-delimited field (an embedded message): writes its key and reserves
   * `reserve` bytes (1 to 5) for its length, the size its length is expected to take. Returns
   * the mark to give {@link end}, with the same `reserve`, once the contents are written.
   */
  begin(field: number, reserve = 1): number {
    this.tag(field, LENGTH_DELIMITED)
    this.ensure(reserve)
    const mark = this.pos
    this.pos += reserve
    return mark
  }

  /**
   * Ends the field begun at `mark`: writes its length, moving the contents when it takes
   * another number of bytes than was reserved (the encoding stays the shortest one). Returns
   * the length.
   */
  end(mark: number, reserve = 1): number {
    const length = this.pos - mark - reserve
    const size = varintSize(length)
    if (size !== reserve) {
      this.ensure(size - reserve)
      this.buf.copyWithin(mark + size, mark + reserve, this.pos)
      this.pos += size - reserve
    }
    const end = this.pos
    this.pos = mark
    this.uint32(length)
    this.pos = end
    return length
  }

  /**
   * Contents written in place by `write(value, buf, pos)`, which returns the position after
   * them, or -1 when the bytes from `pos` to the end of `buf` may be too few (the buffer then
   * doubles and `write` runs again). Used inside {@link begin} / {@link end}, or for a string
   * field's bytes made by a byte-writing formatter without the string in between.
   */
  written<A>(value: A, write: (value: A, buf: Uint8Array, pos: number) => number): this {
    for (;;) {
      const end = write(value, this.buf, this.pos)
      if (end >= 0) {
        this.pos = end
        return this
      }
      this.ensure(this.buf.length - this.pos + 1)
    }
  }

  /** Drops what was written after position `mark` (a {@link length} taken before). */
  truncate(mark: number): void {
    if (mark < this.pos) this.pos = mark
  }

  /** Appends bytes written by another writer, as they are (already keyed fields). */
  raw(b: Uint8Array): this {
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
    return this
  }

  /** The bytes written so far, without copying: valid until the next write or {@link reset}. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos)
  }

  /** A copy of the bytes written, then the writer is empty again (its buffer is kept for reuse). */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos)
    out.set(this.buf.subarray(0, this.pos))
    this.pos = 0
    return out
  }

  /** Empties the writer, keeping its buffer. */
  reset(): void {
    this.pos = 0
  }
}
