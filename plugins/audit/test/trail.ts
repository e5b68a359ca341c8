/**
 * Helpers of the audit tests: a key, trails written through a real logger with the plugin,
 * and small edits of a trail's files the way an attacker would make them.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert } from "@effect/vitest"
import { createLogger, type Logger, Plugin, type Sink } from "fapilog"
import * as Audit from "../src/index.js"

export const KEY = "7f".repeat(16) + "a3".repeat(16)
export const OTHER_KEY = "11".repeat(32)

export const tempDir = (prefix = "fapilog-audit-"): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

/** A maker of scratch directories, each removed after the tests of the file (or suite) that called it. */
export const scratchDirs = (): (() => string) => {
  const dirs: Array<string> = []
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
  })
  return () => {
    const d = tempDir()
    dirs.push(d)
    return d
  }
}

/** The report of `fapilog verify` on the trail in `d`, which must be intact. */
export const verified = async (d: string): Promise<Extract<Audit.Report, { ok: true }>> => {
  const report = await Audit.verifyTrail(d, { key: KEY })
  assert.isTrue(report.ok, Audit.formatReport(report).text)
  return report as Extract<Audit.Report, { ok: true }>
}

/** What a run of {@link writeTrail} left: the audit sink's counts and the logger's retention stats. */
export interface Run {
  readonly written: number
  readonly skipped: number
  readonly retention: ReturnType<Logger.Logger["stats"]>["retention"]
}

/**
 * Writes `count` audit events through a logger (`from` numbers them), closing it after (the
 * segment is sealed); `also` are more sinks of the logger (a memory sink seeing the retention
 * reports).
 */
export const writeTrail = async (
  settings: Record<string, unknown>,
  count: number,
  from = 0,
  also: ReadonlyArray<Sink.Sink> = []
): Promise<Run> => {
  const log = await createLogger({
    plugins: { use: [Audit.plugin] },
    sinks: [Plugin.entry("audit", { key: KEY, ...settings }), ...also]
  })
  for (let i = from; i < from + count; i++) {
    if (i % 2 === 0) log.audit(`granted ${i}`, { i, user: "ana" })
    else log.security(`login ${i}`, { i, ip: "10.0.0.1" })
    log.info(`ordinary ${i}`, { i })
    // a few events per batch, so that a small segmentMaxBytes gives several segments
    if (i % 3 === 2) await log.flush()
  }
  await log.close()
  const health = log.health().sinks[0]!
  return { written: health.written, skipped: health.skipped, retention: log.stats().retention }
}

export const segmentPath = (dir: string, n: number): string =>
  path.join(dir, `segment-${String(n).padStart(6, "0")}.jsonl`)
export const manifestPath = (dir: string, n: number): string =>
  path.join(dir, `segment-${String(n).padStart(6, "0")}.manifest.json`)

export const readLines = (file: string): Array<string> =>
  fs.readFileSync(file, "utf8").split("\n").slice(0, -1)
export const writeLines = (file: string, lines: ReadonlyArray<string>): void =>
  fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(""))
