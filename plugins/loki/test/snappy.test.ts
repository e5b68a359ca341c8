/// <reference path="./snappyjs.d.ts" />
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as snappyjs from "snappyjs"
import { compress, maxCompressedLength } from "../src/internal/snappy.js"

/** Compressed by ours, decompressed by snappyjs (an independent decoder): the same bytes. */
const roundTrip = (input: Uint8Array): Uint8Array => {
  const compressed = compress(input)
  assert.isAtMost(compressed.length, maxCompressedLength(input.length))
  assert.deepStrictEqual(Buffer.from(snappyjs.uncompress(compressed)), Buffer.from(input))
  return compressed
}

// a fixed pseudo-random sequence (xorshift): incompressible, the same on every run
const noise = (n: number, seed = 0x9e3779b9): Uint8Array => {
  const out = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

describe("snappy block compression", () => {
  it("short inputs: empty, one byte, under the matching minimum", () => {
    assert.deepStrictEqual([...compress(new Uint8Array(0))], [0])
    for (const n of [1, 4, 14, 15, 16, 17]) roundTrip(new Uint8Array(n).fill(97))
  })

  it("incompressible data passes as literals, every literal length form", () => {
    for (const n of [59, 60, 61, 255, 256, 257, 65_535, 65_536, 65_537, 300_000]) roundTrip(noise(n))
  })

  it("repetitive data shrinks: long matches, copies at every length, offsets near and far, many 64 KiB fragments", () => {
    const line = Buffer.from(
      '{"timestamp":"2026-01-02T03:04:05.006Z","level":"info","message":"request handled"}\n'
    )
    const lines = Buffer.concat(Array.from({ length: 20_000 }, () => line))
    const compressed = roundTrip(lines)
    assert.isBelow(compressed.length, lines.length / 10)
    roundTrip(new Uint8Array(1 << 20).fill(7))
    for (const period of [1, 2, 3, 4, 5, 11, 12, 63, 64, 65, 67, 68, 69, 2047, 2048, 2049, 40_000]) {
      const base = noise(period, period)
      const input = new Uint8Array(3 * period + 100)
      for (let i = 0; i < input.length; i++) input[i] = base[i % period] as number
      roundTrip(input)
    }
  })

  it("any bytes round-trip (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat({ max: 19 }), { maxLength: 60 }),
        (pieces, picks) => {
          // pieces repeated in random order: matches of every length and distance
          const parts = picks.map((i) => pieces[i % Math.max(1, pieces.length)] ?? new Uint8Array(0))
          roundTrip(Buffer.concat(parts))
        }
      ),
      { numRuns: 300 }
    )
  })
})
