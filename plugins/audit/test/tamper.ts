/**
 * The tamper suite: a trail written through a logger with the audit sink, then attacked on
 * disk the way someone with write access to the files would (each attack on a fresh copy),
 * and the verifier naming the first broken place and the kind of damage. Run on Effect 3 by
 * tamper.test.ts and on Effect 4 by test/effect4/plugins/audit.test.ts.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { formatReport, type Report, verifyTrail } from "../src/index.js"
import {
  KEY,
  manifestPath,
  OTHER_KEY,
  readLines,
  segmentPath,
  tempDir,
  writeLines,
  writeTrail
} from "./trail.js"

const broken = (report: Report) => {
  if (report.ok) return assert.fail(`expected a broken trail, got ${formatReport(report).text}`)
  return report
}

export const describeTamperSuite = (): void => {
  describe("verifyTrail on files: every attack is found", () => {
    let original: string
    let other: string
    const copies: Array<string> = []
    /** A fresh copy of the trail to attack. */
    const copy = (from = original) => {
      const dir = tempDir("fapilog-audit-copy-")
      fs.cpSync(from, dir, { recursive: true })
      copies.push(dir)
      return dir
    }
    beforeAll(async () => {
      original = tempDir()
      // three runs of 12 audit/security events (and 12 info events the sink skips), segments of ~1 KiB
      for (let run = 0; run < 3; run++)
        await writeTrail({ path: original, segmentMaxBytes: 1024 }, 12, run * 12)
      other = tempDir()
      await writeTrail({ path: other, segmentMaxBytes: 1024 }, 12)
    })
    afterAll(() => {
      for (const d of [original, other, ...copies]) fs.rmSync(d, { recursive: true, force: true })
    })

    it("the untouched trail is OK: every record, every segment sealed (exit code 0)", async () => {
      const report = await verifyTrail(original, { key: KEY })
      assert.isTrue(report.ok, formatReport(report).text)
      if (!report.ok) return
      assert.strictEqual(report.records, 36)
      assert.deepStrictEqual([report.firstSeq, report.lastSeq], [1, 36])
      assert.isAbove(report.segments, 3)
      assert.strictEqual(report.sealed, report.segments)
      const { text, exitCode } = formatReport(report)
      assert.strictEqual(exitCode, 0)
      assert.match(text, /^OK .*: 36 records verified \(records 1 to 36\) in \d+ segments, \d+ sealed$/)
    })

    it("records carry seq, prev and hmac around the event; only audit and security events are there", () => {
      const records = readLines(segmentPath(original, 1)).map((l) => JSON.parse(l))
      assert.deepStrictEqual(
        records.map((r) => [r.seq, r.event.level]),
        records.map((_, i) => [i + 1, i % 2 === 0 ? "audit" : "security"])
      )
      assert.strictEqual(records[0].prev, "0".repeat(64))
      assert.match(records[1].prev, /^[0-9a-f]{64}$/)
      assert.match(records[0].hmac, /^[0-9a-f]{64}$/)
      assert.strictEqual(records[0].event.message, "granted 0")
    })

    it("the wrong key: the first record fails its HMAC", async () => {
      const report = broken(await verifyTrail(original, { key: OTHER_KEY }))
      assert.deepStrictEqual([report.damage, report.segment, report.seq], ["edited", 1, 1])
    })

    it("edit: one character of an event changed", async () => {
      const dir = copy()
      const file = segmentPath(dir, 2)
      const lines = readLines(file)
      lines[1] = lines[1]!.replace(/"user":"ana"|"ip":"10.0.0.1"/, (m) =>
        m.replace(/a"$|1"$/, (x) => (x === 'a"' ? 'o"' : '2"'))
      )
      writeLines(file, lines)
      const report = broken(await verifyTrail(dir, { key: KEY }))
      const seq = JSON.parse(lines[1]!).seq
      assert.deepStrictEqual([report.damage, report.segment, report.seq, report.line], ["edited", 2, seq, 2])
      const { text, exitCode } = formatReport(report)
      assert.strictEqual(exitCode, 1)
      assert.match(
        text,
        new RegExp(`^BROKEN .*: edited at segment 2, record ${seq}, line 2: record ${seq} fails its HMAC`)
      )
    })

    it("deletion: one record removed from a sealed segment", async () => {
      const dir = copy()
      const file = segmentPath(dir, 2)
      const lines = readLines(file)
      const seq = JSON.parse(lines[1]!).seq
      writeLines(file, [lines[0]!, ...lines.slice(2)])
      const report = broken(await verifyTrail(dir, { key: KEY }))
      assert.deepStrictEqual([report.damage, report.segment, report.seq], ["deleted", 2, seq + 1])
      assert.match(report.reason, new RegExp(`record ${seq} is missing`))
    })

    it("deletion: the last record of the trail removed (the sealed segment is shorter than its manifest)", async () => {
      const dir = copy()
      const last = fs.readdirSync(dir).filter((f) => f.endsWith(".jsonl")).length
      const file = segmentPath(dir, last)
      writeLines(file, readLines(file).slice(0, -1))
      const report = broken(await verifyTrail(dir, { key: KEY }))
      assert.deepStrictEqual([report.damage, report.segment], ["truncated", last])
      assert.match(report.reason, /does not match its manifest/)
    })

    it("insertion: an authentic record copied in again, and a forged record added", async () => {
      const dir = copy()
      const file = segmentPath(dir, 2)
      const lines = readLines(file)
      writeLines(file, [lines[0]!, lines[1]!, lines[0]!, ...lines.slice(2)])
      const again = broken(await verifyTrail(dir, { key: KEY }))
      assert.deepStrictEqual([again.damage, again.segment, again.line], ["inserted", 2, 3])

      const forged = copy()
      const f = segmentPath(forged, 2)
      const fl = readLines(f)
      const r = JSON.parse(fl[0]!)
      const fake = JSON.stringify({ ...r, seq: r.seq, event: { ...r.event, message: "never happened" } })
      writeLines(f, [fl[0]!, fake, ...fl.slice(1)])
      const report = broken(await verifyTrail(forged, { key: KEY }))
      assert.deepStrictEqual([report.damage, report.segment, report.line], ["edited", 2, 2])
    })

    it("reordering: two records swapped", async () => {
      const dir = copy()
      const file = segmentPath(dir, 2)
      const lines = readLines(file)
      writeLines(file, [lines[1]!, lines[0]!, ...lines.slice(2)])
      const report = broken(await verifyTrail(dir, { key: KEY }))
      assert.deepStrictEqual([report.damage, report.segment], ["deleted", 2])
      assert.strictEqual(report.seq, JSON.parse(lines[1]!).seq)

      // within a segment, past its first record
      const later = copy()
      const g = segmentPath(later, 2)
      const gl = readLines(g)
      writeLines(g, [gl[0]!, gl[2]!, gl[1]!, ...gl.slice(3)])
      const swapped = broken(await verifyTrail(later, { key: KEY }))
      assert.strictEqual(swapped.damage, "deleted")
      assert.strictEqual(swapped.seq, JSON.parse(gl[2]!).seq)
    })

    it("reordering: a record moved back behind later ones", async () => {
      const dir = copy()
      const file = segmentPath(dir, 2)
      const lines = readLines(file)
      writeLines(file, [...lines.slice(1), lines[0]!])
      const report = broken(await verifyTrail(dir, { key: KEY }))
      assert.strictEqual(report.segment, 2)
      assert.include(["deleted", "reordered"], report.damage)
    })

    it("truncation: a segment cut in the middle of a record", async () => {
      const dir = copy()
      const file = segmentPath(dir, 1)
      const size = fs.statSync(file).size
      fs.truncateSync(file, size - 40)
      const report = broken(await verifyTrail(dir, { key: KEY }))
      assert.deepStrictEqual([report.damage, report.segment], ["truncated", 1])
      assert.match(report.reason, /incomplete record/)
    })

    it("truncation: the newest segments deleted (the head names a segment that is gone)", async () => {
      const dir = copy()
      const count = fs.readdirSync(dir).filter((f) => f.endsWith(".jsonl")).length
      fs.rmSync(segmentPath(dir, count))
      fs.rmSync(manifestPath(dir, count))
      const report = broken(await verifyTrail(dir, { key: KEY }))
      assert.deepStrictEqual([report.damage, report.segment], ["truncated", count])
      // and with the head deleted too
      fs.rmSync(path.join(dir, "head.json"))
      const headless = broken(await verifyTrail(dir, { key: KEY }))
      assert.strictEqual(headless.damage, "truncated")
      assert.match(headless.reason, /head .* is missing/)
    })

    it("a segment removed in the middle, and the oldest segment removed (no retention record accounts for it)", async () => {
      const middle = copy()
      fs.rmSync(segmentPath(middle, 2))
      fs.rmSync(manifestPath(middle, 2))
      const report = broken(await verifyTrail(middle, { key: KEY }))
      assert.deepStrictEqual([report.damage, report.segment], ["segment-removed", 3])
      assert.match(report.reason, /segment 2 is missing/)

      const oldest = copy()
      fs.rmSync(segmentPath(oldest, 1))
      fs.rmSync(manifestPath(oldest, 1))
      const first = broken(await verifyTrail(oldest, { key: KEY }))
      assert.deepStrictEqual([first.damage, first.segment], ["segment-removed", 2])
      assert.match(first.reason, /no retention record accounts for the segments before it/)
    })

    it("a replaced segment: another trail's segment (same key), alone and with its manifest", async () => {
      const dir = copy()
      fs.copyFileSync(segmentPath(other, 2), segmentPath(dir, 2))
      const report = broken(await verifyTrail(dir, { key: KEY }))
      assert.strictEqual(report.segment, 2)
      assert.include(["replaced", "reordered", "deleted"], report.damage)

      const both = copy()
      fs.copyFileSync(segmentPath(other, 2), segmentPath(both, 2))
      fs.copyFileSync(manifestPath(other, 2), manifestPath(both, 2))
      const whole = broken(await verifyTrail(both, { key: KEY }))
      assert.deepStrictEqual([whole.damage, whole.segment], ["replaced", 2])
      assert.match(whole.reason, /does not chain to the (last record|manifest) of segment 1/)
    })

    it("a manifest edited (its record count), or signed with another key", async () => {
      const dir = copy()
      const m = JSON.parse(fs.readFileSync(manifestPath(dir, 2), "utf8"))
      fs.writeFileSync(manifestPath(dir, 2), JSON.stringify({ ...m, records: m.records - 1 }))
      const report = broken(await verifyTrail(dir, { key: KEY }))
      assert.deepStrictEqual([report.damage, report.segment], ["replaced", 2])
      assert.match(report.reason, /signature does not verify/)
    })

    it("bad input: a key in none of the accepted forms, a path that is not a directory", async () => {
      const short = await verifyTrail(original, { key: "abcd" }).then(
        () => assert.fail("should refuse"),
        (e: unknown) => e as Error
      )
      assert.match(
        short.message,
        /^key: the given string is not a key; accepted: a hex string of at least 32 bytes/
      )
      delete process.env.FAPILOG_AUDIT_TEST_UNSET
      const env = await verifyTrail(original, { key: "env:FAPILOG_AUDIT_TEST_UNSET" }).then(
        () => assert.fail("should refuse"),
        (e: unknown) => e as Error
      )
      assert.match(env.message, /"env:FAPILOG_AUDIT_TEST_UNSET" \(the variable is not set\)/)
      const file = await verifyTrail(segmentPath(original, 1), { key: KEY }).then(
        () => assert.fail("should refuse"),
        (e: unknown) => e as Error
      )
      assert.match(file.message, /^path: .* is not a directory/)
    })

    it("the key from the environment", async () => {
      process.env.FAPILOG_AUDIT_TEST_KEY = KEY
      try {
        const report = await verifyTrail(original, { key: "env:FAPILOG_AUDIT_TEST_KEY" })
        assert.isTrue(report.ok)
      } finally {
        delete process.env.FAPILOG_AUDIT_TEST_KEY
      }
    })
  })
}
