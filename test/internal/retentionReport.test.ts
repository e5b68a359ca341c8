import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { createLogger, Sink } from "../../src/index.js"
import { Diagnostics } from "../../src/internal/diagnostics.js"
import type { LogRecord } from "../../src/internal/record.js"
import {
  deletionRecord,
  isRetentionReport,
  type PluginDeletion,
  RetentionReports,
  retentionLogger,
  retentionMessage,
  retentionRecord
} from "../../src/internal/retentionReport.js"
import type { RetentionDeletion } from "../../src/internal/rotatingFile.js"

const made: Array<string> = []
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-retention-"))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
})

const DAY = 86_400_000
const deletion = (name: string, policy: RetentionDeletion["policy"] = "maxAge"): RetentionDeletion => ({
  file: `/var/log/app.log.${name}`,
  bytes: 1234,
  rotatedAt: Date.UTC(2026, 10, 20),
  ageMs: 3 * DAY,
  policy
})

/** Diagnostics whose lines are kept, parsed. */
const captured = () => {
  const lines: Array<Record<string, unknown>> = []
  const diagnostics = new Diagnostics("app", (line) => lines.push(JSON.parse(line)))
  return { diagnostics, lines }
}

/** Waits (polling, at most ~10 s) until `ready` holds; the test then asserts on what it waits for. */
const until = async (ready: () => boolean): Promise<void> => {
  for (let i = 0; i < 1000 && !ready(); i++) await new Promise((r) => setTimeout(r, 10))
}

describe("retention reports", () => {
  it("a report is an audit event of logger fapilog.retention naming the file, its size, age, policy and sink", () => {
    const r = retentionRecord(deletion("20261120T000000Z"), "file:/var/log/app.log", Date.UTC(2026, 10, 23))
    assert.strictEqual(r.level.name, "audit")
    assert.strictEqual(r.logger, retentionLogger)
    assert.strictEqual(r.message, retentionMessage)
    assert.deepStrictEqual(r.fields, {
      eventCategory: "compliance",
      sink: "file:/var/log/app.log",
      file: "/var/log/app.log.20261120T000000Z",
      bytes: 1234,
      ageMs: 3 * DAY,
      rotatedAt: "2026-11-20T00:00:00.000Z",
      policy: "maxAge"
    })
    assert.isTrue(isRetentionReport(r))
  })

  it("waits for the pipeline, hands reports to it, and counts them by policy", () => {
    const { diagnostics, lines } = captured()
    const reports = new RetentionReports(diagnostics)
    const report = reports.forSink("file:/var/log/app.log")
    report(deletion("a", "maxFiles"))
    assert.deepStrictEqual(reports.stats(), { files: 1, bytes: 1234, byPolicy: { maxFiles: 1 } })
    const announced: Array<LogRecord> = []
    reports.attach((r) => {
      announced.push(r)
      return true
    })
    report(deletion("b", "maxAge"))
    report(deletion("c", "maxAge"))
    assert.deepStrictEqual(
      announced.map((r) => [r.fields?.file, r.fields?.policy]),
      [
        ["/var/log/app.log.a", "maxFiles"],
        ["/var/log/app.log.b", "maxAge"],
        ["/var/log/app.log.c", "maxAge"]
      ]
    )
    assert.deepStrictEqual(reports.stats(), { files: 3, bytes: 3702, byPolicy: { maxFiles: 1, maxAge: 2 } })
    assert.deepStrictEqual(lines, [])
  })

  it("writes to diagnostics, one audit line each, what the pipeline refuses (closed) or cannot take (throws), and everything after end()", () => {
    const { diagnostics, lines } = captured()
    const reports = new RetentionReports(diagnostics)
    const report = reports.forSink("file:/var/log/app.log")
    report(deletion("waiting"))
    // a closed pipeline refuses (false); a broken one throws
    reports.attach((r) => {
      if (r.fields?.file === "/var/log/app.log.throws") throw new Error("broken")
      return false
    })
    report(deletion("throws"))
    reports.end()
    report(deletion("after"))
    // none rate-limited away, though all came within a second
    assert.deepStrictEqual(
      lines.map((l) => [l.level, l.message, l.file, l.policy, l.sink, l.component]),
      ["waiting", "throws", "after"].map((n) => [
        "audit",
        "sink file:/var/log/app.log: retention deleted a rotated file",
        `/var/log/app.log.${n}`,
        "maxAge",
        "file:/var/log/app.log",
        "sink file:/var/log/app.log"
      ])
    )
    assert.strictEqual(lines[0]?.ageMs, 3 * DAY)
    assert.strictEqual(lines[0]?.bytes, 1234)
    assert.strictEqual(reports.stats()?.files, 3)
  })

  it("end() before attach sends the waiting reports to diagnostics (the logger never started)", () => {
    const { diagnostics, lines } = captured()
    const reports = new RetentionReports(diagnostics)
    reports.forSink("file:/x.log")(deletion("early"))
    reports.end()
    reports.attach(() => true)
    reports.forSink("file:/x.log")(deletion("late"))
    assert.deepStrictEqual(
      lines.map((l) => l.file),
      ["/var/log/app.log.early", "/var/log/app.log.late"]
    )
  })
})

describe("retention reports of plugins (a dropped partition)", () => {
  const dropped: PluginDeletion = {
    sink: "postgres://db:5432/logs#public.app_logs",
    kind: "partition",
    name: "public.app_logs_20261105",
    bytes: 8192,
    ageMs: 31 * DAY,
    policy: "maxAge",
    // the plugin's own fields never replace fapilog's
    fields: { day: "2026-11-05", policy: "mine", eventCategory: "mine" }
  }

  it("a report names the deletion under its kind, with the plugin's fields", () => {
    const r = deletionRecord(dropped, Date.UTC(2026, 11, 6))
    assert.strictEqual(r.level.name, "audit")
    assert.strictEqual(r.logger, retentionLogger)
    assert.strictEqual(r.message, "retention deleted a partition")
    assert.deepStrictEqual(r.fields, {
      day: "2026-11-05",
      eventCategory: "compliance",
      sink: "postgres://db:5432/logs#public.app_logs",
      partition: "public.app_logs_20261105",
      bytes: 8192,
      ageMs: 31 * DAY,
      policy: "maxAge"
    })
    assert.isTrue(isRetentionReport(r))
  })

  it("are counted as partitions beside the files, and go to diagnostics with their own message once ended", () => {
    const { diagnostics, lines } = captured()
    const reports = new RetentionReports(diagnostics)
    const announced: Array<LogRecord> = []
    reports.attach((r) => {
      announced.push(r)
      return true
    })
    reports.deleted(dropped)
    reports.deleted({ ...dropped, name: "public.app_logs_20261106", policy: "maxTotalBytes" })
    reports.forSink("file:/var/log/app.log")(deletion("a", "maxFiles"))
    assert.deepStrictEqual(
      announced.map((r) => r.fields?.partition ?? r.fields?.file),
      ["public.app_logs_20261105", "public.app_logs_20261106", "/var/log/app.log.a"]
    )
    assert.deepStrictEqual(reports.stats(), {
      files: 1,
      partitions: 2,
      bytes: 8192 * 2 + 1234,
      byPolicy: { maxAge: 1, maxTotalBytes: 1, maxFiles: 1 }
    })
    reports.end()
    reports.deleted(dropped)
    assert.deepStrictEqual(
      lines.map((l) => [l.level, l.message, l.partition]),
      [
        [
          "audit",
          "sink postgres://db:5432/logs#public.app_logs: retention deleted a partition",
          "public.app_logs_20261105"
        ]
      ]
    )
  })
})

describe("retention reports of a logger's file sink", () => {
  it("are logged through the logger to every sink, the deleting file included, and never start a file there: no loop", async () => {
    const dir = tmp()
    const file = path.join(dir, "app.log")
    const memory = Sink.memory()
    // every line is longer than maxBytes, so each has a file of its own; a report that
    // started a file would have its rotation's retention delete one, whose report would
    // start a file... without end
    const log = await createLogger({
      sinks: [{ type: "file", path: file, maxBytes: 50, maxFiles: 2 }, memory]
    })
    for (let i = 0; i < 5; i++) log.info(`user line ${i} ${"x".repeat(60)}`)
    await log.flush()
    await until(() => memory.events().filter((e) => e.logger === retentionLogger).length >= 3)
    await log.close()
    const reports = memory.events().filter((e) => e.logger === retentionLogger)
    // five lines, five rotations, two rotated files kept: three deleted, reported once each
    assert.strictEqual(reports.length, 3)
    for (const e of reports) {
      assert.strictEqual(e.level, "audit")
      assert.strictEqual(e.message, retentionMessage)
      assert.strictEqual(e.fields.eventCategory, "compliance")
      assert.strictEqual(e.fields.policy, "maxFiles")
      assert.strictEqual(e.fields.sink, `file:${file}`)
      assert.match(String(e.fields.file), /app\.log\.\d{8}T\d{6}Z(_\d{3})?$/)
      assert.isFalse(fs.existsSync(String(e.fields.file)))
      assert.isAbove(Number(e.fields.bytes), 60)
      assert.isAtLeast(Number(e.fields.ageMs), 0)
    }
    assert.deepStrictEqual(log.stats().retention, {
      files: 3,
      bytes: sum(reports),
      byPolicy: { maxFiles: 3 }
    })
    // the file sink got them too, in its active file, which they did not rotate
    const names = fs.readdirSync(dir).filter((n) => /^app\.log\.\d{8}T/.test(n))
    assert.strictEqual(names.length, 2)
    const active = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepStrictEqual(
      active.map((l) => [l.level, l.logger]),
      [
        ["audit", retentionLogger],
        ["audit", retentionLogger],
        ["audit", retentionLogger]
      ]
    )
  })

  it("start-up retention by maxAge is reported once the logger exists", async () => {
    const dir = tmp()
    const file = path.join(dir, "app.log")
    const old = `${file}.20200101T000000Z`
    fs.writeFileSync(old, "an old line\n")
    const memory = Sink.memory()
    const log = await createLogger({
      sinks: [{ type: "file", path: file, interval: "daily", maxAge: "30d" }, memory]
    })
    await until(() => memory.events().some((e) => e.logger === retentionLogger))
    await log.close()
    const [report] = memory.events().filter((e) => e.logger === retentionLogger)
    assert.strictEqual(report?.fields.file, old)
    assert.strictEqual(report?.fields.policy, "maxAge")
    assert.strictEqual(report?.fields.bytes, "an old line\n".length)
    assert.strictEqual(report?.fields.rotatedAt, "2020-01-01T00:00:00.000Z")
    assert.isAbove(Number(report?.fields.ageMs), 30 * DAY)
    assert.isFalse(fs.existsSync(old))
  })
})

const sum = (events: ReadonlyArray<{ readonly fields: Readonly<Record<string, unknown>> }>): number =>
  events.reduce((n, e) => n + Number(e.fields.bytes), 0)
