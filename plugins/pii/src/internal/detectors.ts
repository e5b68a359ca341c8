/**
 * The value detectors: each finds its kind of personal data or secret in a string and reports
 * where, as half-open spans `[start, end)`.
 *
 * Every detector is a hand-written scanner that moves forward through the string: a position
 * is looked at a bounded number of times (a run of characters is consumed once, and the only
 * look-backs are of a fixed length), so the work is linear in the string's length whatever it
 * holds. No regular expression with a quantifier runs over log data: a backtracking engine
 * can take quadratic or exponential time on crafted input, and log data is crafted by
 * whoever sends the request being logged.
 *
 * Before a detector scans a string, `profile` reads the string once and says which detectors
 * could match at all (an e-mail needs an `@`, a card 13 digits, a JWT `eyJ`...): most strings
 * in most events rule out every detector in that one pass.
 */

/** The names of the detectors, as config and replacement texts spell them. */
export const detectorNames = [
  "email",
  "card",
  "iban",
  "ssn",
  "niNumber",
  "jwt",
  "bearer",
  "apiKey",
  "urlCredentials",
  "ipv4",
  "ipv6"
] as const

export type DetectorName = (typeof detectorNames)[number]

/** A detector: `find` calls `found(start, end)` for each match, in order, without overlaps. */
export interface Detector {
  readonly name: DetectorName
  /** Bits of `profile`'s answer of which this detector needs at least one. */
  readonly needs: number
  /** `bits` is `profile(s)`. */
  readonly find: (s: string, bits: number, found: (start: number, end: number) => void) => void
}

// ---------------------------------------------------------------------------------------------
// character classes (char codes)

const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isUpper = (c: number): boolean => c >= 65 && c <= 90
const isLower = (c: number): boolean => c >= 97 && c <= 122
const isLetter = (c: number): boolean => isUpper(c) || isLower(c)
const isAlnum = (c: number): boolean => isDigit(c) || isLetter(c)
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
/** base64url, as JWT segments use it */
const isB64Url = (c: number): boolean => isAlnum(c) || c === 45 /* - */ || c === 95 /* _ */
/** A word character for token boundaries: letters, digits, `_`. */
const isWord = (c: number): boolean => isAlnum(c) || c === 95
const code = (s: string, i: number): number => (i >= 0 && i < s.length ? s.charCodeAt(i) : -1)

// ---------------------------------------------------------------------------------------------
// profile: one pass, the features the detectors need

export const HAS_AT = 1
export const DIGITS_9 = 2
export const DIGITS_13 = 4
export const HAS_JWT = 8
export const HAS_ASSIGN = 16
export const HAS_SCHEME = 32
export const LONG_TOKEN = 64
export const HAS_DOT_DIGITS = 128
export const HAS_COLON = 256
export const UPPER_DIGITS = 512

/**
 * The features of `s` the detectors need, as bits: a string whose profile lacks a detector's
 * bit cannot hold its match, so the detector is skipped. One pass, no allocation.
 */
export const profile = (s: string): number => {
  const n = s.length
  if (n < 5) return 0
  let bits = 0
  let digits = 0
  let upper = 0
  let run = 0 // length of the current run of token characters
  // every look-ahead stays inside the string: a read past its end gives NaN, and V8 then
  // compiles this loop with a slower, generic character read (10 to 25% on short strings)
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      digits++
      run++
      if (i > 0 && s.charCodeAt(i - 1) === 46) bits |= HAS_DOT_DIGITS
    } else if (c >= 97 && c <= 122) {
      run++
      // "eyJ": the base64 of `{"`, how every JWT header and payload starts
      if (c === 101 && i + 2 < n && s.charCodeAt(i + 1) === 121 && s.charCodeAt(i + 2) === 74) bits |= HAS_JWT
    } else if (c >= 65 && c <= 90) {
      upper++
      run++
    } else if (c === 95 || c === 45) {
      run++
    } else {
      if (run >= 16) bits |= LONG_TOKEN
      run = 0
      if (c === 64) bits |= HAS_AT
      else if (c === 61) bits |= HAS_ASSIGN
      else if (c === 58) {
        bits |= HAS_ASSIGN | HAS_COLON
        if (i + 2 < n && s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47) bits |= HAS_SCHEME
      } else if (c === 32 && i >= 6) {
        // "Bearer <token>": the space after the word, found without lower-casing the string
        const w = s.charCodeAt(i - 6) | 32
        if (w === 98 && (s.charCodeAt(i - 1) | 32) === 114 && (s.charCodeAt(i - 5) | 32) === 101)
          bits |= HAS_ASSIGN
      }
    }
  }
  if (run >= 16) bits |= LONG_TOKEN
  if (digits >= 9) bits |= DIGITS_9
  if (digits >= 13) bits |= DIGITS_13
  if (upper >= 2 && digits >= 2) bits |= UPPER_DIGITS
  return bits
}

// ---------------------------------------------------------------------------------------------
// e-mail

const isEmailChar = (c: number): boolean =>
  isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || c === 64
const isLocalChar = (c: number): boolean =>
  isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45

/** The end of a valid domain starting at `from` and ending at most at `to`, or -1. */
const domainEnd = (s: string, from: number, to: number): number => {
  // labels of letters, digits and inner hyphens, at least two, the last of two letters or more
  let end = to
  // trailing dots and hyphens end a sentence, not a domain
  while (end > from && (s.charCodeAt(end - 1) === 46 || s.charCodeAt(end - 1) === 45)) end--
  let labels = 0
  let labelStart = from
  let tldLetters = true
  for (let i = from; i <= end; i++) {
    const c = i === end ? 46 : s.charCodeAt(i)
    if (c === 46) {
      const len = i - labelStart
      if (len < 1 || len > 63) return -1
      if (s.charCodeAt(labelStart) === 45 || s.charCodeAt(i - 1) === 45) return -1
      labels++
      tldLetters = true
      for (let j = labelStart; j < i; j++) if (!isLetter(s.charCodeAt(j))) tldLetters = false
      labelStart = i + 1
    } else if (!isAlnum(c) && c !== 45) return -1
  }
  return labels >= 2 && tldLetters && end - labelStart + 1 >= 0 && lastLabelLength(s, from, end) >= 2
    ? end
    : -1
}

const lastLabelLength = (s: string, from: number, end: number): number => {
  let i = end
  while (i > from && s.charCodeAt(i - 1) !== 46) i--
  return end - i
}

const email: Detector = {
  name: "email",
  needs: HAS_AT,
  find: (s, _bits, found) => {
    const n = s.length
    let i = 0
    while (i < n) {
      if (!isEmailChar(s.charCodeAt(i))) {
        i++
        continue
      }
      // a maximal run of e-mail characters: [start, end)
      const start = i
      while (i < n && isEmailChar(s.charCodeAt(i))) i++
      const end = i
      // each `@` splits the run; the local part runs back to the previous `@` (or the run's
      // start), the domain forward to the next one: each character belongs to at most two
      // candidates, so the run is read a bounded number of times
      let prevAt = start - 1
      let at = start
      while (at < end && s.charCodeAt(at) !== 64) at++
      while (at < end) {
        let nextAt = at + 1
        while (nextAt < end && s.charCodeAt(nextAt) !== 64) nextAt++
        const domainTo = nextAt
        let localFrom = prevAt + 1
        // a local part does not start with a dot
        while (localFrom < at && s.charCodeAt(localFrom) === 46) localFrom++
        const localLength = at - localFrom
        let localOk = localLength >= 1 && localLength <= 64 && s.charCodeAt(at - 1) !== 46
        for (let j = localFrom; localOk && j < at; j++) if (!isLocalChar(s.charCodeAt(j))) localOk = false
        // one `@` in the run: several ("a@b.com@c.org") make no address
        if (localOk && prevAt < start && domainTo === end) {
          const dEnd = domainEnd(s, at + 1, domainTo)
          if (dEnd !== -1) found(localFrom, dEnd)
        }
        prevAt = at
        at = nextAt
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// payment card numbers

/** Luhn's check over the digits of `s[from, to)`, skipping separators. */
export const luhn = (s: string, from: number, to: number): boolean => {
  let sum = 0
  let double = false
  for (let i = to - 1; i >= from; i--) {
    const c = s.charCodeAt(i)
    if (!isDigit(c)) continue
    let d = c - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

/** Whether digits starting with `first two` and `count` long are a card brand's numbers. */
const cardPrefix = (d0: number, d1: number, d2: number, d3: number, count: number): boolean => {
  const two = d0 * 10 + d1
  const four = two * 100 + d2 * 10 + d3
  switch (d0) {
    case 4: // Visa
      return count === 13 || count === 16 || count === 19
    case 5: // Mastercard 51-55; Maestro 50, 56-58
      return count >= 12 && count <= 19
    case 2: // Mastercard 2221-2720
      return four >= 2221 && four <= 2720 && count === 16
    case 3: // Amex 34, 37 (15); JCB 35 (16-19); Diners 30, 36, 38, 39 (14-19)
      return two === 34 || two === 37
        ? count === 15
        : two === 35
          ? count >= 16
          : two === 30 || two >= 36
            ? count >= 14
            : false
    case 6: // Discover 6011, 644-649, 65; UnionPay 62; Maestro 6x
      return count >= 16 && count <= 19
    default:
      return false
  }
}

const card: Detector = {
  name: "card",
  needs: DIGITS_13,
  find: (s, _bits, found) => {
    const n = s.length
    let i = 0
    // digit groups separated by one space or hyphen
    const groupStart: Array<number> = []
    const groupEnd: Array<number> = []
    while (i < n) {
      const c = s.charCodeAt(i)
      if (!isDigit(c) || isWord(code(s, i - 1)) || code(s, i - 1) === 46) {
        // inside a word or after a dot ("v1.4111..."): skip the whole word
        if (isDigit(c) || isLetter(c) || c === 95) {
          while (i < n && isWord(s.charCodeAt(i))) i++
        } else i++
        continue
      }
      groupStart.length = 0
      groupEnd.length = 0
      let j = i
      for (;;) {
        const gs = j
        while (j < n && isDigit(s.charCodeAt(j))) j++
        groupStart.push(gs)
        groupEnd.push(j)
        const sep = code(s, j)
        if ((sep === 32 || sep === 45) && isDigit(code(s, j + 1))) j++
        else break
      }
      const runEnd = j
      // a group glued to a letter or a dot-and-digit ("1234.56") is not a card
      const after = code(s, runEnd)
      const glued = isLetter(after) || after === 95 || (after === 46 && isDigit(code(s, runEnd + 1)))
      // windows of whole groups holding 13 to 19 digits, longest first from each group
      let g = 0
      while (g < groupStart.length) {
        let matched = -1
        let digits = 0
        for (let h = g; h < groupStart.length; h++) {
          digits += (groupEnd[h] as number) - (groupStart[h] as number)
          if (digits > 19) break
          if (
            digits >= 13 &&
            !(glued && h === groupStart.length - 1) &&
            valid(s, groupStart[g] as number, groupEnd[h] as number, digits)
          )
            matched = h
        }
        if (matched !== -1) {
          found(groupStart[g] as number, groupEnd[matched] as number)
          g = matched + 1
        } else g++
      }
      i = runEnd
      while (i < n && isWord(s.charCodeAt(i))) i++
    }
  }
}

const valid = (s: string, from: number, to: number, count: number): boolean => {
  // the first four digits (the groups have at least one digit each, separators are single)
  let d = 0
  let k = from
  const first: [number, number, number, number] = [0, 0, 0, 0]
  while (d < 4 && k < to) {
    const c = s.charCodeAt(k++)
    if (isDigit(c)) first[d++] = c - 48
  }
  return cardPrefix(first[0], first[1], first[2], first[3], count) && luhn(s, from, to)
}

// ---------------------------------------------------------------------------------------------
// IBAN

/** ISO 13616 mod-97 over `chars` (the IBAN without spaces): the check digits make it 1. */
export const ibanChecksum = (chars: string): boolean => {
  if (chars.length < 15 || chars.length > 34) return false
  const moved = chars.slice(4) + chars.slice(0, 4)
  let rest = 0
  for (let i = 0; i < moved.length; i++) {
    const c = moved.charCodeAt(i)
    if (isDigit(c)) rest = (rest * 10 + (c - 48)) % 97
    else if (isUpper(c)) rest = (rest * 100 + (c - 55)) % 97
    else return false
  }
  return rest === 1
}

const iban: Detector = {
  name: "iban",
  needs: UPPER_DIGITS,
  find: (s, _bits, found) => {
    const n = s.length
    let i = 0
    while (i + 15 <= n) {
      const c = s.charCodeAt(i)
      if (
        !(
          isUpper(c) &&
          isUpper(s.charCodeAt(i + 1)) &&
          isDigit(s.charCodeAt(i + 2)) &&
          isDigit(s.charCodeAt(i + 3)) &&
          !isWord(code(s, i - 1))
        )
      ) {
        i++
        continue
      }
      // the IBAN's characters, compact or in groups of four separated by single spaces; at most
      // 34 characters are read from here, so each start costs a bounded amount
      let compact = ""
      const ends: Array<number> = [] // end offsets in s after each character
      let j = i
      while (j < n && compact.length < 34) {
        const d = s.charCodeAt(j)
        if (isUpper(d) || isDigit(d)) {
          compact += s[j]
          ends.push(j + 1)
          j++
        } else if (
          d === 32 &&
          compact.length % 4 === 0 &&
          (isUpper(code(s, j + 1)) || isDigit(code(s, j + 1)))
        )
          j++
        else break
      }
      let matched = -1
      // longest first; the match ends at a word boundary
      for (let len = compact.length; len >= 15 && matched === -1; len--) {
        const end = ends[len - 1] as number
        if (!isWord(code(s, end)) && ibanChecksum(compact.slice(0, len))) matched = end
      }
      if (matched !== -1) {
        found(i, matched)
        i = matched
      } else i++
    }
  }
}

// ---------------------------------------------------------------------------------------------
// US Social Security numbers: AAA-GG-SSSS

const digitsAt = (s: string, at: number, count: number): number => {
  let v = 0
  for (let k = 0; k < count; k++) {
    const c = s.charCodeAt(at + k)
    if (!isDigit(c)) return -1
    v = v * 10 + (c - 48)
  }
  return v
}

const ssn: Detector = {
  name: "ssn",
  needs: DIGITS_9,
  find: (s, _bits, found) => {
    const n = s.length
    for (let i = 0; i + 11 <= n; i++) {
      if (s.charCodeAt(i + 3) !== 45 || s.charCodeAt(i + 6) !== 45) continue
      const before = code(s, i - 1)
      const after = code(s, i + 11)
      // not part of a longer number, date or identifier ("1-800-...", "2024-01-...")
      if (isWord(before) || before === 45 || before === 46 || isWord(after) || after === 45) continue
      if (after === 46 && isDigit(code(s, i + 12))) continue
      const area = digitsAt(s, i, 3)
      const group = digitsAt(s, i + 4, 2)
      const serial = digitsAt(s, i + 7, 4)
      if (area <= 0 || area === 666 || area >= 900 || group <= 0 || serial <= 0) continue
      found(i, i + 11)
      i += 10
    }
  }
}

// ---------------------------------------------------------------------------------------------
// UK National Insurance numbers: AB123456C, or AB 12 34 56 C

const niFirst = (c: number): boolean => isUpper(c) && !"DFIQUV".includes(String.fromCharCode(c))
const niSecond = (c: number): boolean => isUpper(c) && !"DFIOQUV".includes(String.fromCharCode(c))
const niRefused = new Set(["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"])

const niNumber: Detector = {
  name: "niNumber",
  needs: UPPER_DIGITS,
  find: (s, _bits, found) => {
    const n = s.length
    for (let i = 0; i + 9 <= n; i++) {
      const a = s.charCodeAt(i)
      if (!niFirst(a) || !niSecond(s.charCodeAt(i + 1)) || isWord(code(s, i - 1))) continue
      if (niRefused.has(s.slice(i, i + 2))) continue
      // compact, or spaced in pairs: fixed shapes, so a bounded look from each start
      let j = i + 2
      const spaced = s.charCodeAt(j) === 32
      let ok = true
      for (let pair = 0; pair < 3 && ok; pair++) {
        if (spaced) {
          if (s.charCodeAt(j) !== 32) ok = false
          j++
        }
        if (!isDigit(code(s, j)) || !isDigit(code(s, j + 1))) ok = false
        j += 2
      }
      if (!ok) continue
      if (spaced) {
        if (s.charCodeAt(j) !== 32) continue
        j++
      }
      const suffix = code(s, j)
      if (suffix < 65 || suffix > 68 || isWord(code(s, j + 1))) continue
      found(i, j + 1)
      i = j
    }
  }
}

// ---------------------------------------------------------------------------------------------
// JSON Web Tokens: header.payload.signature, base64url, the header starting "eyJ"

const jwt: Detector = {
  name: "jwt",
  needs: HAS_JWT,
  find: (s, _bits, found) => {
    const n = s.length
    let i = s.indexOf("eyJ")
    while (i !== -1) {
      if (isB64Url(code(s, i - 1))) {
        i = s.indexOf("eyJ", i + 3)
        continue
      }
      let j = i
      while (j < n && isB64Url(s.charCodeAt(j))) j++
      const headerEnd = j
      let end = -1
      if (headerEnd - i >= 10 && s.charCodeAt(j) === 46) {
        j++
        const payloadStart = j
        while (j < n && isB64Url(s.charCodeAt(j))) j++
        if (j - payloadStart >= 4 && s.charCodeAt(j) === 46) {
          j++
          while (j < n && isB64Url(s.charCodeAt(j))) j++
          end = j
        }
      }
      if (end !== -1) {
        found(i, end)
        i = s.indexOf("eyJ", end)
      } else i = s.indexOf("eyJ", Math.max(headerEnd, i + 3))
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bearer tokens: the credential after "Bearer " (RFC 6750's token68)

const isToken68 = (c: number): boolean =>
  isAlnum(c) || c === 45 || c === 46 || c === 95 || c === 126 || c === 43 || c === 47

const bearer: Detector = {
  name: "bearer",
  needs: HAS_ASSIGN,
  find: (s, _bits, found) => {
    const n = s.length
    for (let i = 6; i < n; i++) {
      if (s.charCodeAt(i) !== 32) continue
      // "bearer" before this space, in any case, not the end of a longer word
      if (
        (s.charCodeAt(i - 6) | 32) !== 98 ||
        (s.charCodeAt(i - 5) | 32) !== 101 ||
        (s.charCodeAt(i - 4) | 32) !== 97 ||
        (s.charCodeAt(i - 3) | 32) !== 114 ||
        (s.charCodeAt(i - 2) | 32) !== 101 ||
        (s.charCodeAt(i - 1) | 32) !== 114 ||
        isAlnum(code(s, i - 7))
      )
        continue
      let j = i + 1
      while (j < n && s.charCodeAt(j) === 32) j++
      const start = j
      while (j < n && isToken68(s.charCodeAt(j))) j++
      while (j < n && s.charCodeAt(j) === 61) j++
      // a token is long and not a plain word ("bearer of bad news")
      let hasDigitOrMark = false
      for (let k = start; k < j && !hasDigitOrMark; k++) if (!isLetter(s.charCodeAt(k))) hasDigitOrMark = true
      if (j - start >= 8 && hasDigitOrMark) found(start, j)
      i = Math.max(i, j - 1)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// API keys: the shapes of well-known providers' keys, and `api_key=...`-style assignments

/** A provider key shape over a word token `[start, end)`: the end of the key, or -1. */
const providerKey = (s: string, start: number, end: number): boolean => {
  const len = end - start
  const c0 = s.charCodeAt(start)
  if (c0 === 65 /* A */ && len === 20) {
    // AWS access key ids: AKIA, ASIA, ABIA, ACCA, A3T? then upper-case letters and digits
    const p = s.slice(start, start + 4)
    if (p === "AKIA" || p === "ASIA" || p === "ABIA" || p === "ACCA" || p.startsWith("A3T")) {
      for (let k = start + 4; k < end; k++)
        if (!(isUpper(s.charCodeAt(k)) || isDigit(s.charCodeAt(k)))) return false
      return true
    }
    return false
  }
  if (c0 === 103 /* g */) {
    // GitHub: ghp_, gho_, ghu_, ghs_, ghr_ and 36 characters; fine-grained github_pat_...
    if (
      len === 40 &&
      s.charCodeAt(start + 1) === 104 &&
      s.charCodeAt(start + 3) === 95 &&
      "pousr".includes(s[start + 2] ?? "")
    ) {
      for (let k = start + 4; k < end; k++) if (!isAlnum(s.charCodeAt(k))) return false
      return true
    }
    return len >= 40 && s.startsWith("github_pat_", start)
  }
  if (c0 === 115 /* s */ || c0 === 112 /* p */ || c0 === 114 /* r */) {
    // Stripe: sk_live_, sk_test_, pk_..., rk_... and at least 10 characters
    if (len >= 18 && s.charCodeAt(start + 1) === 107 && s.charCodeAt(start + 2) === 95) {
      return s.startsWith("live_", start + 3) || s.startsWith("test_", start + 3)
    }
    return false
  }
  if (c0 === 119 /* w */) return len >= 20 && s.startsWith("whsec_", start)
  if (c0 === 120 /* x */) {
    // Slack: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xapp-
    if (len < 20) return false
    if (s.startsWith("xox", start) && "baprs".includes(s[start + 3] ?? "") && s.charCodeAt(start + 4) === 45)
      return true
    return s.startsWith("xapp-", start)
  }
  return false
}

/**
 * Names whose value is a secret in `name=value` or `name: value`: compared in lower case,
 * with `-` read as `_`, against the end of the word before the `=` or `:`.
 */
const secretNames = [
  "api_key",
  "apikey",
  "api_token",
  "api_secret",
  "access_token",
  "refresh_token",
  "auth_token",
  "id_token",
  "client_secret",
  "secret_key",
  "private_key",
  "access_key",
  "password",
  "passwd",
  "token",
  "secret"
] as const
const longestSecretName = 13

/** Whether the word ending at `end` (exclusive) is one of `secretNames`; a bounded look back. */
const secretNameBefore = (s: string, end: number): boolean => {
  let start = end
  while (start > 0 && end - start <= longestSecretName + 8) {
    const c = s.charCodeAt(start - 1)
    if (isWord(c) || c === 45) start--
    else break
  }
  if (start === end) return false
  const word = s.slice(start, end).toLowerCase().replaceAll("-", "_")
  for (const name of secretNames) {
    if (word === name) return true
    // x_api_key, stripe_secret_key, db_password: the name as the word's last part
    if (
      word.length > name.length &&
      word.endsWith(name) &&
      word.charCodeAt(word.length - name.length - 1) === 95
    )
      return true
  }
  return false
}

const isValueChar = (c: number): boolean =>
  c > 32 &&
  c !== 34 &&
  c !== 39 &&
  c !== 38 &&
  c !== 44 &&
  c !== 59 &&
  c !== 41 &&
  c !== 125 &&
  c !== 93 &&
  c !== 62

const apiKey: Detector = {
  name: "apiKey",
  needs: LONG_TOKEN | HAS_ASSIGN,
  find: (s, bits, found) => {
    const n = s.length
    let i = 0
    while (i < n) {
      const c = s.charCodeAt(i)
      if (
        (bits & LONG_TOKEN) !== 0 &&
        (isWord(c) || c === 45) &&
        !(isWord(code(s, i - 1)) || code(s, i - 1) === 45)
      ) {
        // a token of word characters and hyphens: a provider's key shape?
        let j = i
        while (j < n && (isWord(s.charCodeAt(j)) || s.charCodeAt(j) === 45)) j++
        if (j - i >= 18 && providerKey(s, i, j)) {
          found(i, j)
          i = j
          continue
        }
        i = j
        continue
      }
      if ((c === 61 || c === 58) && (bits & HAS_ASSIGN) !== 0) {
        // name=value, name: value, "name": "value"
        let nameEnd = i
        if (code(s, nameEnd - 1) === 34 || code(s, nameEnd - 1) === 39) nameEnd--
        if (secretNameBefore(s, nameEnd) && code(s, i + 1) !== 47) {
          let j = i + 1
          let skipped = 0
          while (
            j < n &&
            skipped < 3 &&
            (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 34 || s.charCodeAt(j) === 39)
          ) {
            j++
            skipped++
          }
          const start = j
          while (j < n && isValueChar(s.charCodeAt(j))) j++
          if (j - start >= 6 && !isPlaceholder(s, start, j)) {
            found(start, j)
            i = j
            continue
          }
        }
      }
      i++
    }
  }
}

/** Values that say no secret is there: `***`, `[REDACTED]`, `<token>`, `null`, `undefined`. */
const isPlaceholder = (s: string, start: number, end: number): boolean => {
  const c = s.charCodeAt(start)
  if (c === 42 || c === 91 || c === 60 || c === 36 || c === 123) return true
  const v = s.slice(start, end).toLowerCase()
  return v === "undefined" || v === "redacted" || v === "missing" || v === "expired" || v === "invalid"
}

// ---------------------------------------------------------------------------------------------
// credentials in URLs: scheme://user:password@host

const urlCredentials: Detector = {
  name: "urlCredentials",
  needs: HAS_SCHEME,
  find: (s, _bits, found) => {
    const n = s.length
    let i = s.indexOf("://")
    while (i !== -1) {
      const from = i + 3
      // the authority ends at the first `/`, `?`, `#` or space: the next "://" is past it, so
      // every character is read once
      let j = from
      let at = -1
      while (j < n) {
        const c = s.charCodeAt(j)
        if (c === 47 || c === 63 || c === 35 || c <= 32 || c === 34 || c === 39 || c === 60 || c === 62) break
        if (c === 64) at = j
        j++
      }
      if (at > from) {
        const colon = s.indexOf(":", from)
        if (colon !== -1 && colon < at) {
          if (at > colon + 1) found(colon + 1, at)
        } else found(from, at)
      }
      i = s.indexOf("://", Math.max(j, from))
    }
  }
}

// ---------------------------------------------------------------------------------------------
// IP addresses (off by default)

const ipv4At = (s: string, i: number): number => {
  let j = i
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (s.charCodeAt(j) !== 46) return -1
      j++
    }
    const start = j
    let v = 0
    while (j < s.length && j - start < 3 && isDigit(s.charCodeAt(j))) {
      v = v * 10 + (s.charCodeAt(j) - 48)
      j++
    }
    if (j === start || v > 255 || (j - start > 1 && s.charCodeAt(start) === 48)) return -1
  }
  if (isDigit(code(s, j)) || (code(s, j) === 46 && isDigit(code(s, j + 1)))) return -1
  return j
}

const ipv4: Detector = {
  name: "ipv4",
  needs: HAS_DOT_DIGITS,
  find: (s, _bits, found) => {
    const n = s.length
    for (let i = 0; i + 7 <= n; i++) {
      if (!isDigit(s.charCodeAt(i))) continue
      const before = code(s, i - 1)
      if (isWord(before) || before === 46) {
        while (i + 1 < n && (isWord(s.charCodeAt(i + 1)) || s.charCodeAt(i + 1) === 46)) i++
        continue
      }
      const end = ipv4At(s, i)
      if (end !== -1) {
        found(i, end)
        i = end - 1
      } else while (i + 1 < n && (isDigit(s.charCodeAt(i + 1)) || s.charCodeAt(i + 1) === 46)) i++
    }
  }
}

/** Whether `s[from, to)` is an IPv6 address (RFC 4291 text forms, an IPv4 tail allowed). */
export const isIpv6 = (s: string, from: number, to: number): boolean => {
  let groups = 0
  let compressed = false
  let i = from
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false
    compressed = true
    i += 2
    if (i === to) return true
  }
  while (i < to) {
    const start = i
    while (i < to && i - start < 5 && isHex(s.charCodeAt(i))) i++
    if (s.charCodeAt(i) === 46) {
      // an IPv4 tail takes two groups
      const end = ipv4At(s, start)
      if (end !== to) return false
      groups += 2
      break
    }
    const len = i - start
    if (len < 1 || len > 4) return false
    groups++
    if (i === to) break
    if (s.charCodeAt(i) !== 58) return false
    i++
    if (s.charCodeAt(i) === 58) {
      if (compressed) return false
      compressed = true
      i++
      if (i === to) break
    } else if (i === to) return false
  }
  return compressed ? groups < 8 : groups === 8
}

const isIpv6Char = (c: number): boolean => isHex(c) || c === 58 || c === 46

const ipv6: Detector = {
  name: "ipv6",
  needs: HAS_COLON,
  find: (s, _bits, found) => {
    const n = s.length
    let i = 0
    while (i < n) {
      if (!isIpv6Char(s.charCodeAt(i)) || isWord(code(s, i - 1))) {
        i++
        continue
      }
      const start = i
      let colons = 0
      while (i < n && isIpv6Char(s.charCodeAt(i))) {
        if (s.charCodeAt(i) === 58) colons++
        i++
      }
      let end = i
      // a sentence's full stop or a port's colon is not part of the address
      while (end > start && s.charCodeAt(end - 1) === 46) end--
      if (colons >= 2 && !isWord(code(s, i)) && end - start >= 3 && isIpv6(s, start, end)) found(start, end)
      while (i < n && isWord(s.charCodeAt(i))) i++
    }
  }
}

/** Every detector, in the order their matches win an overlap. */
export const detectors: ReadonlyArray<Detector> = [
  urlCredentials,
  jwt,
  bearer,
  apiKey,
  email,
  iban,
  card,
  ssn,
  niNumber,
  ipv6,
  ipv4
]
