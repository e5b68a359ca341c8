import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import protobuf from "protobufjs"
import { FIXED32, FIXED64, LENGTH_DELIMITED, ProtoWriter, VARINT, varintSize } from "../src/protobuf.js"

// an independent reader: protobufjs's, which the plugins no longer use to write
const reader = (bytes: Uint8Array) => protobuf.Reader.create(bytes)

const field = (r: protobuf.Reader): { field: number; wireType: number } => {
  const key = r.uint32()
  return { field: key >>> 3, wireType: key & 7 }
}

describe("ProtoWriter", () => {
  it("int64: every whole number in [-2^63, 2^63) reads back through protobufjs's int64", () => {
    const boundaries = [
      0,
      1,
      -1,
      127,
      128,
      2 ** 31 - 1,
      2 ** 31,
      -(2 ** 31),
      2 ** 32 - 1,
      2 ** 32,
      -(2 ** 32),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2 ** 60,
      -(2 ** 60),
      2 ** 63 - 2 ** 10, // the largest double below 2^63
      -(2 ** 63)
    ]
    const check = (n: number) => {
      const w = new ProtoWriter(16)
      w.tag(3, VARINT).int64(n)
      const r = reader(w.finish())
      assert.deepStrictEqual(field(r), { field: 3, wireType: VARINT })
      const read = r.int64()
      assert.strictEqual(BigInt(read.toString()), BigInt(n), `int64 ${n}`)
      assert.strictEqual(r.pos, r.len)
    }
    for (const n of boundaries) check(n)
    fc.assert(
      // every double in the range; near 2^63 the nearest double is 2^63 itself, outside it
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (b) => {
        const n = Number(b)
        check(n < 2 ** 63 ? n : 2 ** 63 - 2 ** 10)
      })
    )
  })

  it("strings: UTF-8 as Node encodes it, lone surrogates as U+FFFD, short and long, length prefixes of 1 to 3 bytes", () => {
    const samples = [
      "",
      "ascii",
      "é ü ß",
      "中文字符",
      "emoji 😀 pair",
      "lone \ud800 high",
      "lone \udc00 low",
      "reversed \udc00\ud800",
      "\u0000\u0007\u001b[31m\u007f\u2028",
      "x".repeat(42),
      "é".repeat(42),
      "x".repeat(43),
      "😀".repeat(100),
      "y".repeat(20_000),
      `${"a".repeat(70_000)}\ud800`
    ]
    for (const s of samples) {
      const w = new ProtoWriter(8)
      w.tag(1, LENGTH_DELIMITED)
        .string(s)
        .tag(2, LENGTH_DELIMITED)
        .knownString(s)
        .tag(2, LENGTH_DELIMITED)
        .knownString(s)
      const r = reader(w.finish())
      const expected = Buffer.from(s, "utf8")
      for (const n of [1, 2, 2]) {
        assert.deepStrictEqual(field(r), { field: n, wireType: LENGTH_DELIMITED })
        assert.deepStrictEqual(Buffer.from(r.bytes()), expected)
      }
      assert.strictEqual(r.pos, r.len)
    }
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        const w = new ProtoWriter(4)
        w.tag(1, LENGTH_DELIMITED).string(s)
        const r = reader(w.finish())
        field(r)
        assert.deepStrictEqual(Buffer.from(r.bytes()), Buffer.from(s, "utf8"))
      })
    )
  })

  it("nested messages: lengths that take more or fewer bytes than reserved move the contents; the encoding is the shortest", () => {
    for (const size of [0, 1, 127, 128, 300, 16_383, 16_384, 70_000])
      for (const reserve of [1, 2, 3, 5]) {
        const w = new ProtoWriter(16)
        const outer = w.begin(1, reserve)
        const inner = w.begin(2)
        w.tag(3, LENGTH_DELIMITED).string("z".repeat(size))
        w.end(inner)
        const length = w.end(outer, reserve)
        w.tag(4, VARINT).uint32(7)
        const bytes = w.finish()
        const innerLength = 1 + varintSize(size) + size
        assert.strictEqual(length, 1 + varintSize(innerLength) + innerLength)
        // key, shortest length varint, contents, then the next field
        assert.strictEqual(bytes.length, 1 + varintSize(length) + length + 2)
        const r = reader(bytes)
        assert.deepStrictEqual(field(r), { field: 1, wireType: LENGTH_DELIMITED })
        const r2 = reader(r.bytes())
        assert.deepStrictEqual(field(r2), { field: 2, wireType: LENGTH_DELIMITED })
        const r3 = reader(r2.bytes())
        assert.deepStrictEqual(field(r3), { field: 3, wireType: LENGTH_DELIMITED })
        assert.strictEqual(r3.string(), "z".repeat(size))
        assert.deepStrictEqual(field(r), { field: 4, wireType: VARINT })
        assert.strictEqual(r.uint32(), 7)
      }
  })

  it("pair: two strings as fields 1 and 2 of a message, short ones in one pass, long ones and high field numbers the long way", () => {
    const samples = [
      "",
      "trace_id",
      "4bf92f3577b34da6a3ce929d0e0e4736",
      "é".repeat(42),
      "😀 \ud800",
      "x".repeat(43),
      "y".repeat(300)
    ]
    const check = (fieldNumber: number, first: string, second: string) => {
      const w = new ProtoWriter(4)
      w.tag(1, VARINT).uint32(1).pair(fieldNumber, first, second).tag(2, VARINT).uint32(2)
      const r = reader(w.finish())
      assert.deepStrictEqual([field(r), r.uint32()], [{ field: 1, wireType: VARINT }, 1])
      assert.deepStrictEqual(field(r), { field: fieldNumber, wireType: LENGTH_DELIMITED })
      const m = reader(r.bytes())
      assert.deepStrictEqual(field(m), { field: 1, wireType: LENGTH_DELIMITED })
      assert.deepStrictEqual(Buffer.from(m.bytes()), Buffer.from(first, "utf8"))
      assert.deepStrictEqual(field(m), { field: 2, wireType: LENGTH_DELIMITED })
      assert.deepStrictEqual(Buffer.from(m.bytes()), Buffer.from(second, "utf8"))
      assert.strictEqual(m.pos, m.len)
      assert.deepStrictEqual([field(r), r.uint32()], [{ field: 2, wireType: VARINT }, 2])
      assert.strictEqual(r.pos, r.len)
    }
    for (const first of samples)
      for (const second of samples) for (const n of [3, 15, 16, 300]) check(n, first, second)
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 50 }),
        fc.string({ unit: "binary", maxLength: 50 }),
        (a, b) => check(3, a, b)
      )
    )
  })

  it("a hex id and a string of the same text keep their own encodings, in either order", () => {
    const id = "0af7651916cd43dd8448eb211c80319c"
    const idBytes = [...Buffer.from(id, "hex")]
    for (const order of [
      ["id", "string", "id", "string"],
      ["string", "id", "string", "id"]
    ]) {
      const w = new ProtoWriter()
      for (const kind of order) {
        if (kind === "id") w.tag(1, LENGTH_DELIMITED).hexBytes(id)
        else w.tag(2, LENGTH_DELIMITED).knownString(id)
      }
      const r = reader(w.finish())
      for (const kind of order) {
        const { field: number } = field(r)
        if (kind === "id") {
          assert.strictEqual(number, 1)
          assert.deepStrictEqual([...r.bytes()], idBytes)
        } else {
          assert.strictEqual(number, 2)
          assert.strictEqual(r.string(), id)
        }
      }
    }
  })

  it("fixed-width values, booleans, bytes and hex ids", () => {
    const w = new ProtoWriter(1)
    w.tag(1, FIXED64).fixed64(0xdeadbeef, 0x01234567)
    w.tag(2, FIXED32).fixed32(0xfffffffe)
    w.tag(3, FIXED64).double(-0.1)
    w.tag(4, FIXED64).double(Number.MAX_VALUE)
    w.tag(5, VARINT).bool(true)
    w.tag(6, LENGTH_DELIMITED).bytes(new Uint8Array([0, 255, 7]))
    w.tag(7, LENGTH_DELIMITED).hexBytes("4BF92f3577b34da6a3ce929d0e0e4736")
    w.tag(7, LENGTH_DELIMITED).hexBytes("4BF92f3577b34da6a3ce929d0e0e4736")
    w.tag(8, VARINT).uint32(2 ** 32 - 1)
    const r = reader(w.finish())
    field(r)
    assert.strictEqual(BigInt(r.fixed64().toString()), (0x01234567n << 32n) | 0xdeadbeefn)
    field(r)
    assert.strictEqual(r.fixed32(), 0xfffffffe)
    field(r)
    assert.strictEqual(r.double(), -0.1)
    field(r)
    assert.strictEqual(r.double(), Number.MAX_VALUE)
    field(r)
    assert.strictEqual(r.bool(), true)
    field(r)
    assert.deepStrictEqual([...r.bytes()], [0, 255, 7])
    for (let i = 0; i < 2; i++) {
      assert.deepStrictEqual(field(r), { field: 7, wireType: LENGTH_DELIMITED })
      assert.strictEqual(Buffer.from(r.bytes()).toString("hex"), "4bf92f3577b34da6a3ce929d0e0e4736")
    }
    field(r)
    assert.strictEqual(r.uint32(), 2 ** 32 - 1)
    assert.strictEqual(r.pos, r.len)
  })

  it("finish copies the bytes out and empties the writer for the next message; view does not copy", () => {
    const w = new ProtoWriter(4)
    w.tag(1, LENGTH_DELIMITED).string("first")
    const first = w.finish()
    w.tag(1, LENGTH_DELIMITED).string("second")
    assert.strictEqual(reader(first).skip(1).string(), "first")
    assert.strictEqual(w.length, 8)
    assert.strictEqual(reader(w.view()).skip(1).string(), "second")
    w.reset()
    assert.strictEqual(w.length, 0)
  })
})
