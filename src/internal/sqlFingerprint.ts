/**
 * SQL statement fingerprints: the statement with its literals and placeholders replaced by
 * `?`, comments stripped, whitespace and unquoted words normalised (lower case, one space
 * between tokens), `IN (...)` lists of literals collapsed to `in (?)` and the repeated rows of
 * a `VALUES` list to one. Two runs of the same query with other values share a fingerprint.
 *
 * One left-to-right scan with index arithmetic (`indexOf` for the ends of comments, strings
 * and dollar quotes), no regular expression with backtracking: linear in the statement's
 * length whatever it holds (unterminated quotes and comments run to the end). The scan stops
 * once the fingerprint reaches `maxLength` characters, so a huge statement costs at most that.
 *
 * The same scan names the parameters: a placeholder compared with or assigned to a column
 * (`password = $2`, `SET email = $3`) or inserted into one (`INSERT INTO t (name, password)
 * VALUES ($1, $2)`) is named after it, so the redaction settings' key names apply to it.
 */

/** What a scan of a statement found. */
export interface SqlAnalysis {
  /** The normalised statement (at most `maxLength` characters, then `…`). */
  readonly fingerprint: string
  /**
   * The column each parameter is bound to, by parameter index from 0 (`$1` is index 0; `?`
   * placeholders count in order), when the statement says so; undefined otherwise.
   */
  readonly parameterNames: ReadonlyArray<string | undefined>
}

/** The default bound on a fingerprint's length. */
export const defaultMaxFingerprintLength = 2048

/** A token of the normalised statement. */
type Kind = "word" | "quoted" | "literal" | "param" | "op" | "open" | "close" | "comma" | "dot" | "semi"

interface Token {
  readonly kind: Kind
  readonly text: string
  /** For `param`: its index from 0. */
  readonly index?: number
}

const VALUE: Token = { kind: "literal", text: "?" }
const COMMA: Token = { kind: "comma", text: "," }
/** A hard bound on the tokens kept, whatever the budget leaves uncounted. */
const MAX_TOKENS = 1_000_000

const isValue = (t: Token): boolean => t.kind === "literal" || t.kind === "param"

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)
const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isWordStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128
const isWordPart = (c: number): boolean => isWordStart(c) || isDigit(c) || c === 36
const OPERATOR_CHARS = "+-*/<>=~!@#%^&|`:"
const isOperator = (c: number): boolean => c < 128 && OPERATOR_CHARS.includes(String.fromCharCode(c))

/** The end (exclusive) of a `'...'` string starting at `start` (its quote); `''` and, for E-strings, `\'` stay inside. */
const endOfString = (sql: string, start: number, backslashes: boolean): number => {
  let i = start + 1
  for (;;) {
    const quote = sql.indexOf("'", i)
    if (quote < 0) return sql.length
    if (backslashes) {
      // an odd run of backslashes before the quote escapes it
      let run = 0
      for (let j = quote - 1; j > start && sql.charCodeAt(j) === 92; j--) run++
      if (run % 2 === 1) {
        i = quote + 1
        continue
      }
    }
    if (sql.charCodeAt(quote + 1) === 39) {
      i = quote + 2
      continue
    }
    return quote + 1
  }
}

/**
 * The end (exclusive) of a block comment starting at `start`; PostgreSQL's nest. The next
 * opening and closing marks are searched for again only once passed: the scan stays linear.
 */
const endOfBlockComment = (sql: string, start: number): number => {
  let depth = 1
  let i = start + 2
  let open = -2
  let close = -2
  while (depth > 0) {
    if (close !== -1 && close < i) close = sql.indexOf("*/", i)
    if (close < 0) return sql.length
    if (open !== -1 && open < i) open = sql.indexOf("/*", i)
    if (open >= 0 && open < close) {
      depth++
      i = open + 2
    } else {
      depth--
      i = close + 2
    }
  }
  return i
}

/** The dollar-quote tag (`$$` or `$tag$`) starting at `start`, if there is one. */
const dollarTag = (sql: string, start: number): string | undefined => {
  let i = start + 1
  if (i < sql.length && sql.charCodeAt(i) === 36) return "$$"
  if (i >= sql.length || !isWordStart(sql.charCodeAt(i))) return undefined
  while (i < sql.length && isWordPart(sql.charCodeAt(i)) && sql.charCodeAt(i) !== 36) i++
  return sql.charCodeAt(i) === 36 ? sql.slice(start, i + 1) : undefined
}

/** Splits `sql` into normalised tokens until their text reaches `budget` characters. */
const tokenize = (sql: string, budget: number): { tokens: Array<Token>; truncated: boolean } => {
  const tokens: Array<Token> = []
  let size = 0
  let questionMarks = 0
  let depth = 0
  // an `IN (` list of values is collapsed as it is read: after its first value, `, value`
  // pairs are only counted (and put back should something else follow before its `)`)
  let inList = -1
  let pendingPairs = 0
  let pendingComma = false
  // the rows of a `VALUES` list after its first do not count towards the budget: repeated
  // rows collapse to one (see collapse), whatever the number of rows
  let valuesDepth = -1
  let valuesRows = 0
  const append = (token: Token) => {
    if (token.kind === "open") depth++
    else if (token.kind === "close") depth--
    if (valuesDepth >= 0 && depth === valuesDepth) {
      if (token.kind === "close") valuesRows++
      else if (token.kind !== "comma" && token.kind !== "open") valuesDepth = -1
    } else if (valuesDepth >= 0 && depth < valuesDepth) valuesDepth = -1
    const last = tokens.at(-1)
    if (token.kind === "open" && last?.kind === "word") {
      if (last.text === "in") {
        inList = tokens.length
        pendingPairs = 0
        pendingComma = false
      } else if (last.text === "values" && valuesDepth < 0) {
        valuesDepth = depth - 1
        valuesRows = 0
      }
    }
    tokens.push(token)
    if (valuesDepth < 0 || valuesRows === 0) size += token.text.length + 1
  }
  const flushList = () => {
    inList = -1
    for (; pendingPairs > 0; pendingPairs--) {
      append(COMMA)
      append(VALUE)
    }
    if (pendingComma) append(COMMA)
    pendingComma = false
  }
  const push = (token: Token) => {
    if (inList >= 0) {
      const first = tokens.length === inList + 2
      if (token.kind === "comma" && !pendingComma && (first || pendingPairs > 0)) {
        pendingComma = true
        return
      }
      if (isValue(token) && pendingComma) {
        pendingComma = false
        pendingPairs++
        return
      }
      if (token.kind === "close" && !pendingComma && (first || pendingPairs > 0)) {
        tokens.length = inList + 1
        inList = -1
        pendingPairs = 0
        append(VALUE)
        append(token)
        return
      }
      if (!(isValue(token) && tokens.length === inList + 1)) flushList()
    }
    append(token)
  }
  let i = 0
  const n = sql.length
  while (i < n) {
    if (size > budget || tokens.length > MAX_TOKENS) return { tokens, truncated: true }
    const c = sql.charCodeAt(i)
    const next = i + 1 < n ? sql.charCodeAt(i + 1) : -1
    if (isSpace(c)) {
      i++
    } else if (c === 45 && next === 45) {
      const eol = sql.indexOf("\n", i)
      i = eol < 0 ? n : eol + 1
    } else if (c === 47 && next === 42) {
      i = endOfBlockComment(sql, i)
    } else if (c === 39) {
      i = endOfString(sql, i, false)
      push({ kind: "literal", text: "?" })
    } else if ((c === 69 || c === 101) && next === 39) {
      i = endOfString(sql, i + 1, true)
      push({ kind: "literal", text: "?" })
    } else if (c === 34) {
      let end = i + 1
      for (;;) {
        const quote = sql.indexOf('"', end)
        if (quote < 0) {
          end = n
          break
        }
        if (sql.charCodeAt(quote + 1) === 34) end = quote + 2
        else {
          end = quote + 1
          break
        }
      }
      push({ kind: "quoted", text: sql.slice(i, Math.min(end, i + budget)) })
      i = end
    } else if (c === 36) {
      if (isDigit(next)) {
        let end = i + 1
        while (end < n && isDigit(sql.charCodeAt(end))) end++
        const index = Number(sql.slice(i + 1, Math.min(end, i + 10))) - 1
        push({ kind: "param", text: "?", index })
        i = end
      } else {
        const tag = dollarTag(sql, i)
        if (tag === undefined) {
          push({ kind: "op", text: "$" })
          i++
        } else {
          const close = sql.indexOf(tag, i + tag.length)
          i = close < 0 ? n : close + tag.length
          push({ kind: "literal", text: "?" })
        }
      }
    } else if (c === 63) {
      push({ kind: "param", text: "?", index: questionMarks++ })
      i++
    } else if (isDigit(c) || (c === 46 && isDigit(next))) {
      let end = i
      if (c === 48 && (next === 120 || next === 88)) {
        end += 2
        while (end < n && isWordPart(sql.charCodeAt(end))) end++
      } else {
        while (end < n && (isDigit(sql.charCodeAt(end)) || sql.charCodeAt(end) === 46)) end++
        const e = sql.charCodeAt(end)
        if (e === 101 || e === 69) {
          const sign = sql.charCodeAt(end + 1)
          const digitAt = sign === 43 || sign === 45 ? end + 2 : end + 1
          if (isDigit(sql.charCodeAt(digitAt))) {
            end = digitAt
            while (end < n && isDigit(sql.charCodeAt(end))) end++
          }
        }
      }
      push({ kind: "literal", text: "?" })
      i = end
    } else if (isWordStart(c)) {
      let end = i + 1
      while (end < n && isWordPart(sql.charCodeAt(end))) end++
      push({ kind: "word", text: sql.slice(i, Math.min(end, i + budget)).toLowerCase() })
      i = end
    } else if (c === 40) {
      push({ kind: "open", text: "(" })
      i++
    } else if (c === 41) {
      push({ kind: "close", text: ")" })
      i++
    } else if (c === 44) {
      push({ kind: "comma", text: "," })
      i++
    } else if (c === 46) {
      push({ kind: "dot", text: "." })
      i++
    } else if (c === 59) {
      push({ kind: "semi", text: ";" })
      i++
    } else if (isOperator(c)) {
      let end = i + 1
      while (end < n && isOperator(sql.charCodeAt(end))) {
        const d = sql.charCodeAt(end)
        const e = end + 1 < n ? sql.charCodeAt(end + 1) : -1
        // a comment starts inside a run of operator characters
        if ((d === 45 && e === 45) || (d === 47 && e === 42)) break
        end++
      }
      push({ kind: "op", text: sql.slice(i, Math.min(end, i + 64)) })
      i = end
    } else {
      // any other character (brackets, unpaired surrogates, control characters) stands for itself
      const code = sql.codePointAt(i) ?? c
      const text = code < 32 || code === 127 ? "?" : String.fromCodePoint(code)
      push({ kind: "op", text })
      i += code > 0xffff ? 2 : 1
    }
  }
  return { tokens, truncated: false }
}

/**
 * The index after a parenthesised list of values starting at `open` (a `(`), or -1 when the
 * list holds anything else.
 */
const endOfValueList = (tokens: ReadonlyArray<Token>, open: number): number => {
  let i = open + 1
  for (;;) {
    const t = tokens[i]
    if (t === undefined || !isValue(t)) return -1
    // a cast of a value (`?::int`) is part of it
    let after = tokens[i + 1]
    while (
      after !== undefined &&
      after.kind === "op" &&
      after.text === "::" &&
      tokens[i + 2]?.kind === "word"
    ) {
      i += 2
      after = tokens[i + 1]
    }
    if (after === undefined) return -1
    if (after.kind === "close") return i + 2
    if (after.kind !== "comma") return -1
    i += 2
  }
}

/** The tokens with the repeated rows of `VALUES` lists collapsed (`IN` lists are, as they are read). */
const collapse = (tokens: ReadonlyArray<Token>): Array<Token> => {
  const out: Array<Token> = []
  let i = 0
  while (i < tokens.length) {
    const t = tokens[i] as Token
    const prev = out.at(-1)
    if (t.kind === "open" && prev?.kind === "word" && prev.text === "values") {
      // keep the first row as written; drop the rows after it that have the same shape
      const end = endOfValueList(tokens, i)
      if (end > 0) {
        const row = tokens.slice(i, end)
        out.push(...row)
        i = end
        while (tokens[i]?.kind === "comma" && tokens[i + 1]?.kind === "open") {
          const next = endOfValueList(tokens, i + 1)
          if (next < 0 || next - (i + 1) !== row.length) break
          i = next
        }
        continue
      }
    }
    out.push(t)
    i++
  }
  return out
}

/** Whether `op` compares or assigns (`col = $1`, `col <> $1`, `col LIKE $1`). */
const isComparison = (t: Token): boolean =>
  (t.kind === "op" && ["=", "<>", "!=", "<", ">", "<=", ">="].includes(t.text)) ||
  (t.kind === "word" && (t.text === "like" || t.text === "ilike"))

const columnName = (t: Token | undefined): string | undefined =>
  t === undefined
    ? undefined
    : t.kind === "word"
      ? t.text
      : t.kind === "quoted"
        ? t.text.slice(1, t.text.endsWith('"') && t.text.length > 1 ? -1 : undefined).replaceAll('""', '"')
        : undefined

/** The column each parameter is bound to (see {@link SqlAnalysis}). */
const nameParameters = (tokens: ReadonlyArray<Token>): Array<string | undefined> => {
  const names: Array<string | undefined> = []
  const name = (index: number | undefined, column: string | undefined) => {
    if (index === undefined || column === undefined || index < 0 || index > 65_535) return
    if (names[index] === undefined) names[index] = column
  }
  let insertColumns: Array<string | undefined> | undefined
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token
    if (t.kind === "param") {
      const op = tokens[i - 1]
      if (op !== undefined && isComparison(op)) name(t.index, columnName(tokens[i - 2]))
      continue
    }
    if (t.kind === "word" && t.text === "insert") insertColumns = undefined
    // INSERT INTO t (a, b) VALUES (...): remember the column list
    if (
      t.kind === "open" &&
      insertColumns === undefined &&
      tokens.slice(Math.max(0, i - 5), i).some((p) => p.text === "into")
    ) {
      const columns: Array<string | undefined> = []
      let j = i + 1
      while (j < tokens.length && tokens[j]?.kind !== "close") {
        const c = tokens[j] as Token
        if (c.kind !== "comma") columns.push(columnName(c))
        j++
      }
      insertColumns = columns
      i = j
      continue
    }
    if (t.kind === "word" && t.text === "values" && insertColumns !== undefined) {
      // each row of the list: the k-th value is the k-th column's
      let j = i + 1
      while (tokens[j]?.kind === "open") {
        let k = 0
        j++
        while (j < tokens.length && tokens[j]?.kind !== "close") {
          const v = tokens[j] as Token
          if (v.kind === "comma") k++
          else if (v.kind === "param") name(v.index, insertColumns[k])
          j++
        }
        j++
        if (tokens[j]?.kind !== "comma") break
        j++
      }
      insertColumns = undefined
      i = j - 1
    }
  }
  return names
}

const NO_SPACE_BEFORE: ReadonlySet<Kind> = new Set(["comma", "close", "dot", "semi"])

const render = (tokens: ReadonlyArray<Token>): string => {
  let out = ""
  let prev: Token | undefined
  for (const t of tokens) {
    const tight =
      prev === undefined ||
      NO_SPACE_BEFORE.has(t.kind) ||
      prev.kind === "open" ||
      prev.kind === "dot" ||
      (t.kind === "open" &&
        (prev.kind === "word" || prev.kind === "quoted") &&
        !KEYWORDS_BEFORE_LISTS.has(prev.text)) ||
      (t.kind === "op" && t.text === "::") ||
      (prev.kind === "op" && prev.text === "::")
    out += tight ? t.text : ` ${t.text}`
    prev = t
  }
  return out
}

/** Words after which a `(` opens a list or a subquery rather than a call's arguments. */
const KEYWORDS_BEFORE_LISTS: ReadonlySet<string> = new Set([
  "in",
  "values",
  "exists",
  "as",
  "from",
  "join",
  "and",
  "or",
  "not",
  "on",
  "where",
  "select",
  "using",
  "into",
  "set",
  "when",
  "then",
  "else",
  "any",
  "all",
  "some"
])

/**
 * Scans `sql` once: its fingerprint and the names of its parameters. Never throws: a value
 * that is not a string is fingerprinted as the empty statement.
 */
export const analyze = (sql: unknown, maxLength: number = defaultMaxFingerprintLength): SqlAnalysis => {
  if (typeof sql !== "string") return { fingerprint: "", parameterNames: [] }
  const { tokens, truncated } = tokenize(sql, maxLength)
  let fingerprint = render(collapse(tokens))
  if (truncated || fingerprint.length > maxLength) fingerprint = `${fingerprint.slice(0, maxLength)}…`
  return { fingerprint, parameterNames: nameParameters(tokens) }
}

/** The fingerprint of `sql` (see the module's comment). */
export const fingerprint = (sql: unknown, maxLength: number = defaultMaxFingerprintLength): string =>
  analyze(sql, maxLength).fingerprint
