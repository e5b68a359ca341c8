/**
 * Retention of @fapilog/audit on files, on the Effect line the suite runs (`fapilog` is that
 * line's: Audit.test.ts runs it on Effect 3, test/effect4/plugins/audit.test.ts on Effect 4):
 * by total size and by age, each removed segment recorded in the trail (which the verifier
 * accepts while still finding a segment an attacker removed) and reported as an audit event
 * of `fapilog.retention` counted in `stats().retention`; and the settings' forms and errors.
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { createLogger, Errors, type LogEvent, Plugin, Sink } from "fapilog"
import { vi } from "vitest"
import * as Audit from "../src/index.js"
import { fileStore } from "../src/internal/fileStore.js"
import { signingKeyOf } from "../src/internal/key.js"
import { type RetentionRemoval, Trail } from "../src/internal/trail.js"
import {
  KEY,
  manifestPath,
  readLines,
  scratchDirs,
  segmentPath,
  verified,
  writeLines,
  writeTrail
} from "./trail.js"

const DAY = 86_400_000

const reportsOf = (memory: Sink.MemorySink): Array<LogEvent.LogEvent> =>
  memory.events().filter((e) => e.logger === "fapilog.retention")

const segmentsIn = (d: string): Array<string> =>
  fs
    .readdirSync(d)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()

export const describeAuditRetention = (): void => {
  const dir = scratchDirs()

  /** A trail on files in `d` whose clock is `clock.now`, sealing hourly, keeping two days. */
  const clockedTrail = (d: string, clock: { now: number }, onRemoved: (r: RetentionRemoval) => void) => {
    const key = Buffer.from(KEY, "hex")
    const signer = signingKeyOf(key)
    return Trail.open(fileStore(d, "batch"), {
      key,
      signer,
      publicKey: crypto.createPublicKey(signer),
      segmentMaxBytes: 1 << 20,
      segmentMaxAgeMs: 3_600_000,
      retentionMaxAgeMs: 2 * DAY,
      now: () => clock.now,
      onRemoved
    })
  }

  describe("@fapilog/audit: retention on files", () => {
    it("maxTotalBytes: the oldest sealed segments are removed, recorded in the trail, reported as audit events, and the trail verifies", async () => {
      const d = dir()
      const reports: Array<LogEvent.LogEvent> = []
      const counted = { files: 0, bytes: 0, maxTotalBytes: 0 }
      for (let run = 0; run < 4; run++) {
        const memory = Sink.memory()
        const { retention } = await writeTrail(
          { path: d, segmentMaxBytes: 1024, retention: { maxTotalBytes: "4 KB" } },
          12,
          run * 12,
          [memory]
        )
        reports.push(...reportsOf(memory))
        counted.files += retention?.files ?? 0
        counted.bytes += retention?.bytes ?? 0
        counted.maxTotalBytes += retention?.byPolicy.maxTotalBytes ?? 0
        assert.strictEqual(retention?.partitions, undefined)
      }
      const segments = segmentsIn(d)
      assert.notInclude(segments, "segment-000001.jsonl")
      // the newest segment (sealed at close, where retention does not run) is never removed; the
      // others were within the limit when retention last ran, and have not changed since
      const older = segments.slice(0, -1).reduce((n, f) => n + fs.statSync(path.join(d, f)).size, 0)
      assert.isAtMost(older, 4096)
      const report = await verified(d)
      assert.isAbove(report.removedByRetention, 0)
      const recorded = segments
        .flatMap((f) => readLines(path.join(d, f)).map((l) => JSON.parse(l)))
        .filter((r) => r.event.logger === "fapilog.audit")
      assert.isAbove(recorded.length, 0)
      assert.strictEqual(recorded[0].event.level, "audit")
      assert.match(
        recorded[0].event.message,
        /audit trail retention removed \d+ sealed segments? \(maxTotalBytes\)/
      )
      // the newest retention record names the segment just before the oldest one left
      const first = Number(/\d+/.exec(segments[0]!)![0])
      assert.strictEqual(recorded.at(-1).event.retention.removed.at(-1).segment, first - 1)
      assert.strictEqual(report.removedByRetention, first - 1)
      assert.strictEqual(Audit.formatReport(report).exitCode, 0)
      assert.match(
        Audit.formatReport(report).text,
        /older segments removed by retention, as the trail records/
      )

      // each removed segment reported once, oldest first, as an audit event of fapilog.retention
      const removed = Array.from({ length: first - 1 }, (_, i) => i + 1)
      assert.deepStrictEqual(
        reports.map((e) => e.fields.segment),
        removed
      )
      for (const e of reports) {
        const n = e.fields.segment as number
        assert.deepStrictEqual(
          [e.level, e.message, e.fields.eventCategory, e.fields.policy, e.fields.sink],
          ["audit", "retention deleted a file", "compliance", "maxTotalBytes", `audit:${path.resolve(d)}`]
        )
        assert.strictEqual(e.fields.file, segmentPath(path.resolve(d), n))
        assert.strictEqual(e.fields.manifest, manifestPath(path.resolve(d), n))
        assert.isFalse(fs.existsSync(e.fields.file as string))
        assert.isFalse(fs.existsSync(e.fields.manifest as string))
        // a sealed segment holds at least one record: a few hundred bytes
        assert.isAbove(e.fields.bytes as number, 100)
        assert.isAtLeast(e.fields.ageMs as number, 0)
        assert.isAbove(e.fields.lastSeq as number, 0)
      }
      // counted in stats().retention: files and bytes, by policy
      assert.deepStrictEqual(counted, {
        files: removed.length,
        bytes: reports.reduce((n, e) => n + (e.fields.bytes as number), 0),
        maxTotalBytes: removed.length
      })
    })

    it("the reports cannot feed themselves: writing them never seals a segment, even when each is larger than a segment", async () => {
      // a long directory name makes each report (which names its files) longer than segmentMaxBytes
      const d = path.join(dir(), "d".repeat(200), "e".repeat(200))
      const reports: Array<LogEvent.LogEvent> = []
      for (let run = 0; run < 2; run++) {
        const memory = Sink.memory()
        await writeTrail(
          { path: d, segmentMaxBytes: 1024, retention: { maxTotalBytes: "1 KB" } },
          12,
          run * 12,
          [memory]
        )
        reports.push(...reportsOf(memory))
      }
      assert.isAbove(Buffer.byteLength(JSON.stringify(reports[0]?.fields)), 1024)
      const report = await verified(d)
      assert.strictEqual(reports.length, report.removedByRetention)
      // a segment is sealed only before a batch of the application's events (at most 5 a run:
      // one per flush and at close) and when a run starts: at most 12 segments in all
      const newest = Number(/\d+/.exec(segmentsIn(d).at(-1)!)![0])
      assert.isAtMost(newest, 12)
    })

    it("after retention, an attacker removing the oldest remaining segment is still found", async () => {
      const d = dir()
      for (let run = 0; run < 4; run++)
        await writeTrail({ path: d, segmentMaxBytes: 1024, retention: { maxTotalBytes: 4096 } }, 12, run * 12)
      const n = Number(/\d+/.exec(segmentsIn(d)[0]!)![0])
      fs.rmSync(segmentPath(d, n))
      fs.rmSync(manifestPath(d, n))
      const report = await Audit.verifyTrail(d, { key: KEY })
      assert.isFalse(report.ok)
      if (report.ok) return
      assert.deepStrictEqual([report.damage, report.segment], ["segment-removed", n + 1])
      // and a retention record edited to cover it breaks that record's HMAC
      const e = dir()
      fs.cpSync(d, e, { recursive: true })
      const file = segmentsIn(e)
        .map((f) => path.join(e, f))
        .find((f) => readLines(f).some((l) => l.includes('"logger":"fapilog.audit"')))!
      writeLines(
        file,
        readLines(file).map((l) =>
          l.includes('"logger":"fapilog.audit"')
            ? l.replace('"removed":[', `"removed":[{"segment":${n}},`)
            : l
        )
      )
      assert.isFalse((await Audit.verifyTrail(e, { key: KEY })).ok)
    })

    it("maxAgeMs (the trail writer): sealed segments older than the limit are removed when a segment is sealed, each told once durable", async () => {
      const d = dir()
      const clock = { now: Date.parse("2026-01-01T00:00:00Z") }
      const told: Array<RetentionRemoval & { readonly existed: boolean }> = []
      const trail = await clockedTrail(d, clock, (r) => told.push({ ...r, existed: fs.existsSync(r.name) }))
      const sizes = new Map<number, number>()
      for (let day = 0; day < 5; day++) {
        await trail.write([`{"level":"audit","message":"day ${day}"}`])
        for (const f of segmentsIn(d)) sizes.set(Number(/\d+/.exec(f)![0]), fs.statSync(path.join(d, f)).size)
        clock.now += DAY
      }
      await trail.close()
      // segments sealed on days 1 to 4 (rotation before each write) and at close (day 5); on day 4,
      // segment 1 (sealed 3 days before) is past the limit and removed, segment 2 (2 days) is not
      assert.deepStrictEqual(
        segmentsIn(d),
        [2, 3, 4, 5].map((n) => `segment-00000${n}.jsonl`)
      )
      const report = await verified(d)
      assert.strictEqual(report.removedByRetention, 1)
      // the trail's own record keeps the policy's first name
      const recorded = readLines(segmentPath(d, 5)).map((l) => JSON.parse(l).event)[0]
      assert.strictEqual(recorded.retention.policy, "maxAgeMs")
      assert.deepStrictEqual(told, [
        {
          segment: 1,
          kind: "file",
          name: segmentPath(path.resolve(d), 1),
          bytes: sizes.get(1)!,
          manifest: manifestPath(path.resolve(d), 1),
          ageMs: 3 * DAY,
          policy: "maxAge",
          lastSeq: 1,
          // told after the deletion, not before
          existed: false
        }
      ])
    })

    it("a removal that fails part way tells of the segments it deleted, and the next run of retention of the others, each once", async () => {
      const d = dir()
      const clock = { now: Date.parse("2026-01-01T00:00:00Z") }
      const told: Array<number> = []
      const trail = await clockedTrail(d, clock, (r) => told.push(r.segment))
      for (let day = 0; day < 3; day++) {
        await trail.write([`{"level":"audit","message":"day ${day}"}`])
        clock.now += DAY
      }
      // segments 1 and 2 sealed (days 1 and 2), 3 active; ten days on, both are past the limit,
      // and segment 2 cannot be deleted (a directory stands in its place)
      clock.now += 10 * DAY
      const second = segmentPath(d, 2)
      const saved = fs.readFileSync(second)
      fs.rmSync(second)
      fs.mkdirSync(second)
      const failed = await trail.write(['{"level":"audit","message":"late"}']).then(
        () => undefined,
        (e: unknown) => e
      )
      assert.isDefined(failed)
      assert.deepStrictEqual(told, [1])
      fs.rmdirSync(second)
      fs.writeFileSync(second, saved)
      clock.now += 2 * 3_600_000
      await trail.write(['{"level":"audit","message":"later"}'])
      await trail.close()
      assert.deepStrictEqual(told, [1, 2])
      assert.isFalse(fs.existsSync(second))
      assert.strictEqual((await verified(d)).removedByRetention, 2)
    })

    it('maxAge: "2d" through a logger: segments sealed ten days before are removed on start, reported once the logger is ready', async () => {
      const d = dir()
      const start = Date.parse("2026-03-01T12:00:00Z")
      vi.useFakeTimers({ toFake: ["Date"], now: start })
      try {
        await writeTrail({ path: d, segmentMaxBytes: 1024 }, 12)
        const before = segmentsIn(d)
        assert.isAbove(before.length, 1)
        const sizes = before.map((f) => fs.statSync(path.join(d, f)).size)
        vi.setSystemTime(start + 10 * DAY)
        const memory = Sink.memory()
        const { retention } = await writeTrail({ path: d, retention: { maxAge: "2d" } }, 2, 12, [memory])
        const reports = reportsOf(memory)
        assert.deepStrictEqual(
          reports.map((e) => [e.fields.file, e.fields.bytes, e.fields.ageMs, e.fields.policy]),
          before.map((f, i) => [path.join(path.resolve(d), f), sizes[i], 10 * DAY, "maxAge"])
        )
        assert.deepStrictEqual(retention, {
          files: before.length,
          bytes: sizes.reduce((a, b) => a + b, 0),
          byPolicy: { maxAge: before.length }
        })
        // the reports are audit events: the trail records them too, and still verifies
        const report = await verified(d)
        assert.strictEqual(report.removedByRetention, before.length)
        const trailed = segmentsIn(d)
          .flatMap((f) => readLines(path.join(d, f)).map((l) => JSON.parse(l).event))
          .filter((e) => e.logger === "fapilog.retention")
        assert.deepStrictEqual(
          trailed.map((e) => e.file),
          reports.map((e) => e.fields.file)
        )
      } finally {
        vi.useRealTimers()
      }
    })

    it("maxAgeMs is maxAge's alias in milliseconds; maxTotalBytes takes a number of bytes", async () => {
      const d = dir()
      await writeTrail({ path: d, segmentMaxBytes: 1024 }, 12)
      const memory = Sink.memory()
      // no segment is 400 days old; a limit of 1024 bytes removes the oldest sealed ones
      const { retention } = await writeTrail(
        { path: d, segmentMaxBytes: 1024, retention: { maxAgeMs: 400 * DAY, maxTotalBytes: 1024 } },
        1,
        12,
        [memory]
      )
      const files = retention?.files ?? 0
      assert.isAbove(files, 0)
      assert.deepStrictEqual(retention?.byPolicy, { maxTotalBytes: files })
      assert.strictEqual(reportsOf(memory).length, files)
      await verified(d)
    })

    it("invalid retention settings fail fast, naming the field and the accepted forms", async () => {
      const refused = (retention: unknown) =>
        createLogger({
          plugins: { use: [Audit.plugin] },
          sinks: [Plugin.entry("audit", { path: dir(), key: KEY, retention })]
        }).then(
          () => assert.fail("should refuse"),
          (e: unknown) => {
            assert.instanceOf(e, Errors.ConfigError)
            return JSON.stringify((e as Errors.ConfigError).issues)
          }
        )
      assert.match(
        await refused({ maxAge: "400d", maxAgeMs: 86_400_000 }),
        /sinks\[0\]\.retention.*gives both maxAge \(\\"400d\\"\) and maxAgeMs \(86400000\), its alias in milliseconds: give one/
      )
      assert.match(
        await refused({ maxAge: "soon" }),
        /sinks\[0\]\.retention\.maxAge.*\\"soon\\" is not an age: a number of milliseconds or a number with a unit ms, s, m, h, d or w/
      )
      assert.match(
        await refused({ maxTotalBytes: "ten gigs" }),
        /sinks\[0\]\.retention\.maxTotalBytes.*\\"ten gigs\\" is not a size: a number of bytes or a string such as \\"500 MB\\"/
      )
      assert.match(
        await refused({ maxTotalBytes: -1 }),
        /sinks\[0\]\.retention\.maxTotalBytes.*-1 is not a size/
      )
      assert.match(
        await refused({ maxAgeMs: "30d" }),
        /sinks\[0\]\.retention\.maxAgeMs.*\\"30d\\" is not a whole number of milliseconds/
      )
      assert.match(
        await refused({}),
        /sinks\[0\]\.retention.*has no policy: give maxAge \(such as \\"400d\\"\), maxTotalBytes \(such as \\"10 GB\\"\), or both/
      )
    })
  })
}
