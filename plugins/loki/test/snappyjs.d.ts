// snappyjs ships no type declarations; these are the two functions it exports.
declare module "snappyjs" {
  /** Compresses with snappy's block format (no stream framing). */
  export function compress(input: Uint8Array): Uint8Array
  /** Decompresses a snappy block; throws on an invalid bitstream. */
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array
}
