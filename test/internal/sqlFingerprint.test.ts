import { assert, describe, it } from "@effect/vitest"
import { analyze, fingerprint } from "../../src/internal/sqlFingerprint.js"

describe("sqlFingerprint", () => {
  it("replaces string and number literals, strips comments, normalises whitespace and case", () => {
    assert.strictEqual(
      fingerprint(
        "SELECT *\n  FROM   Orders -- recent ones\nWHERE total > 10.5 AND state = 'paid' /* note */"
      ),
      "select * from orders where total > ? and state = ?"
    )
    assert.strictEqual(
      fingerprint("select * from orders where total>10.5 and state='paid'"),
      fingerprint("SELECT * FROM orders WHERE total > 99 AND state = 'open'")
    )
  })

  it("placeholders of every dialect, hex, exponents and E-strings become ?", () => {
    assert.strictEqual(
      fingerprint("SELECT $1, ?, 0xFF, 1.5e-3, .5, E'it\\'s', 'it''s' FROM t"),
      "select ?, ?, ?, ?, ?, ?, ? from t"
    )
  })

  it("collapses IN lists of literals or placeholders, whatever their length", () => {
    const short = fingerprint("SELECT * FROM t WHERE id IN (1, 2)")
    const long = fingerprint(
      `SELECT * FROM t WHERE id IN (${Array.from({ length: 50_000 }, (_, i) => `$${i + 1}`).join(", ")})`
    )
    assert.strictEqual(short, "select * from t where id in (?)")
    assert.strictEqual(long, short)
    // a list that is not only values is kept as it is
    assert.strictEqual(
      fingerprint("SELECT * FROM t WHERE id IN (1, a + 1)"),
      "select * from t where id in (?, a + ?)"
    )
    assert.strictEqual(
      fingerprint("SELECT * FROM t WHERE id IN (SELECT id FROM u)"),
      "select * from t where id in (select id from u)"
    )
  })

  it("keeps one row of a multi-row VALUES list", () => {
    const rows = (n: number) =>
      `INSERT INTO t (a, b) VALUES ${Array.from({ length: n }, (_, i) => `(${i}, 'x${i}')`).join(", ")}`
    assert.strictEqual(fingerprint(rows(1)), "insert into t(a, b) values (?, ?)")
    assert.strictEqual(fingerprint(rows(20_000)), fingerprint(rows(1)))
  })

  it("dollar-quoted bodies are literals; quoted identifiers are kept as written", () => {
    assert.strictEqual(
      fingerprint(`SELECT $$ it's -- not a comment $$, $fn$ body; 'x' $fn$ FROM "My Table"`),
      `select ?, ? from "My Table"`
    )
  })

  it("nested block comments end where PostgreSQL ends them", () => {
    assert.strictEqual(fingerprint("SELECT /* a /* b */ c */ 1"), "select ?")
  })

  it("unterminated quotes, comments and dollar quotes run to the end without throwing", () => {
    assert.strictEqual(fingerprint("SELECT 'never closed, FROM t"), "select ?")
    assert.strictEqual(fingerprint("SELECT 1 /* never closed"), "select ?")
    assert.strictEqual(fingerprint("SELECT $tag$ never closed"), "select ?")
    assert.strictEqual(fingerprint('SELECT "never closed'), 'select "never closed')
    assert.strictEqual(fingerprint("SELECT E'\\'"), "select ?")
  })

  it("control characters and non-strings never throw", () => {
    assert.strictEqual(fingerprint("SELECT\u0000 1\u0007"), "select ? ? ?")
    assert.strictEqual(fingerprint(undefined as unknown as string), "")
    assert.strictEqual(fingerprint(42 as unknown as string), "")
  })

  it("a huge statement costs at most the bound: the fingerprint is cut and marked", () => {
    const huge = `SELECT ${Array.from({ length: 200_000 }, (_, i) => `col${i}`).join(", ")} FROM t`
    const fp = fingerprint(huge, 100)
    assert.isTrue(fp.endsWith("…"), fp)
    assert.isAtMost(fp.length, 101)
    assert.isTrue(fp.startsWith("select col0, col1, "))
  })

  it("hostile inputs of a few megabytes are read in one pass (no backtracking)", () => {
    // each of these is quadratic for a naive scanner; here each is a single linear read
    const hostile = [
      "/*".repeat(400_000) + "*/".repeat(400_000),
      `E'${"\\".repeat(800_000)}`,
      "'".repeat(1_600_001),
      "$a".repeat(800_000),
      `SELECT 1 WHERE a IN (${"1,".repeat(800_000)}`,
      '"'.repeat(1_600_001),
      "-".repeat(1_600_000)
    ]
    for (const sql of hostile) {
      const fp = fingerprint(sql)
      assert.isString(fp)
      assert.isAtMost(fp.length, 2049)
    }
  })

  it("names parameters after the column they are compared with, assigned or inserted into", () => {
    assert.deepStrictEqual(
      analyze('SELECT * FROM users u WHERE u.email = $1 AND "Password" = $2 AND id > $3').parameterNames,
      ["email", "Password", "id"]
    )
    assert.deepStrictEqual(analyze("UPDATE users SET token = ?, name = ? WHERE id = ?").parameterNames, [
      "token",
      "name",
      "id"
    ])
    assert.deepStrictEqual(
      analyze("INSERT INTO users (name, password) VALUES ($1, $2), ($3, $4) RETURNING id").parameterNames,
      ["name", "password", "name", "password"]
    )
    // a placeholder the statement does not bind to a column has no name
    assert.deepStrictEqual(analyze("SELECT pg_sleep($1), $2").parameterNames, [])
  })
})
