/**
 * A logfmt decoder with the rules of go-logfmt's (github.com/go-logfmt/logfmt, decode.go
 * `Decoder.ScanKeyval` and jsonstring.go `unquoteBytes`), which Grafana Loki's `| logfmt`
 * parser follows. Written for these tests from those rules; it reads one line as UTF-8 bytes,
 * as the Go decoder does, and throws a `LogfmtSyntaxError` where the Go decoder returns one.
 *
 * The rules:
 * - bytes up to and including ' ' separate pairs ("garbage" before a key is skipped);
 * - a key runs until '=' or a byte up to ' '; '"' in a key is an error ("unexpected '\"'"),
 *   and so is a key holding U+FFFD or bytes that are not UTF-8 ("invalid key"); a key
 *   ending without '=' has no value;
 * - after '=', a byte up to ' ' (or the end) means no value; '"' starts a quoted value;
 *   anything else is a bare value up to the next byte up to ' ', in which '=' and '"' are
 *   errors;
 * - a quoted value ends at the first '"' not escaped by '\'; without any '\' its bytes are
 *   taken as they are, with one they are unquoted like a JSON string: `\" \\ \/ \' \b \f \n
 *   \r \t \uXXXX` (a surrogate pair is joined, a lone surrogate becomes U+FFFD), any other
 *   escape, a raw '"' or a byte below ' ' is an error ("invalid quoted value"), bytes that are
 *   not UTF-8 become U+FFFD; a missing closing '"' is an error ("unterminated quoted value").
 *
 * Each pair also says whether its value was quoted, which the Go API does not return but the
 * line's syntax carries (go-logfmt's encoder quotes the string "null" to set it apart).
 */
export interface LogfmtPair {
  readonly key: string
  /** `undefined` when the pair has no value (`k`, `k=` or `k= `). */
  readonly value: string | undefined
  readonly quoted: boolean
}

export class LogfmtSyntaxError extends Error {
  override readonly name = "LogfmtSyntaxError"
}

const utf8 = new TextDecoder("utf-8", { fatal: false })
const hasReplacementOrInvalid = (bytes: Uint8Array): boolean => {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes)
  return text.includes("\ufffd")
}

const hex4 = (b: Uint8Array, at: number): number => {
  if (at + 6 > b.length || b[at] !== 0x5c || b[at + 1] !== 0x75) return -1
  const text = String.fromCharCode(...b.subarray(at + 2, at + 6))
  return /^[0-9a-fA-F]{4}$/.test(text) ? Number.parseInt(text, 16) : -1
}

/** jsonstring.go `unquoteBytes`, on the bytes between the quotes. */
const unquote = (s: Uint8Array): string | undefined => {
  let out = ""
  let plain: Array<number> = []
  const flush = () => {
    out += utf8.decode(Uint8Array.from(plain))
    plain = []
  }
  let r = 0
  while (r < s.length) {
    const c = s[r] as number
    if (c === 0x5c) {
      const e = s[r + 1]
      if (e === undefined) return undefined
      const simple: Record<number, string> = {
        34: '"',
        92: "\\",
        47: "/",
        39: "'",
        98: "\b",
        102: "\f",
        110: "\n",
        114: "\r",
        116: "\t"
      }
      if (simple[e] !== undefined) {
        flush()
        out += simple[e]
        r += 2
        continue
      }
      if (e !== 0x75) return undefined
      let rr = hex4(s, r)
      if (rr < 0) return undefined
      r += 6
      flush()
      if (rr >= 0xd800 && rr <= 0xdfff) {
        const rr1 = hex4(s, r)
        if (rr <= 0xdbff && rr1 >= 0xdc00 && rr1 <= 0xdfff) {
          out += String.fromCharCode(rr, rr1)
          r += 6
          continue
        }
        rr = 0xfffd
      }
      out += String.fromCharCode(rr)
      continue
    }
    if (c === 0x22 || c < 0x20) return undefined
    plain.push(c)
    r++
  }
  flush()
  return out
}

/** Decodes one logfmt line into its pairs, in order; throws where go-logfmt fails. */
export const decodeLogfmt = (line: string): Array<LogfmtPair> => {
  const b = new TextEncoder().encode(line)
  const pairs: Array<LogfmtPair> = []
  let pos = 0
  const fail = (msg: string): never => {
    throw new LogfmtSyntaxError(`logfmt syntax error at pos ${pos + 1}: ${msg} in ${line.slice(0, 200)}`)
  }
  for (;;) {
    while (pos < b.length && (b[pos] as number) <= 0x20) pos++
    if (pos >= b.length) return pairs
    // key
    const start = pos
    while (pos < b.length && b[pos] !== 0x3d && (b[pos] as number) > 0x20) {
      if (b[pos] === 0x22) fail(`unexpected '"'`)
      pos++
    }
    if (pos === start) fail("unexpected '='")
    const keyBytes = b.subarray(start, pos)
    if (hasReplacementOrInvalid(keyBytes)) fail("invalid key")
    const key = utf8.decode(keyBytes)
    if (pos >= b.length || b[pos] !== 0x3d) {
      pairs.push({ key, value: undefined, quoted: false })
      continue
    }
    pos++
    if (pos >= b.length || (b[pos] as number) <= 0x20) {
      pairs.push({ key, value: undefined, quoted: false })
      continue
    }
    if (b[pos] === 0x22) {
      // quoted value
      const open = pos
      let esc = false
      let hasEsc = false
      let close = -1
      for (let p = open + 1; p < b.length; p++) {
        const c = b[p]
        if (esc) esc = false
        else if (c === 0x5c) {
          hasEsc = true
          esc = true
        } else if (c === 0x22) {
          close = p
          break
        }
      }
      if (close < 0) {
        pos = b.length
        fail("unterminated quoted value")
      }
      pos = close + 1
      const inner = b.subarray(open + 1, close)
      const value = hasEsc ? unquote(inner) : utf8.decode(inner)
      if (value === undefined) fail("invalid quoted value")
      pairs.push({ key, value: value === "" ? undefined : value, quoted: true })
      continue
    }
    // bare value
    const vstart = pos
    while (pos < b.length && (b[pos] as number) > 0x20) {
      if (b[pos] === 0x3d || b[pos] === 0x22) fail(`unexpected '${String.fromCharCode(b[pos] as number)}'`)
      pos++
    }
    pairs.push({ key, value: utf8.decode(b.subarray(vstart, pos)), quoted: false })
  }
}
