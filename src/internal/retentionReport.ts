/**
 * Reports of retention: each rotated file a file sink's retention deletes (by
 * `maxAge`, `maxFiles` or `maxTotalBytes`, see rotatingFile.ts), and each thing a plugin's
 * retention deletes (a daily partition of `@fapilog/postgres`, told through the plugin
 * context's `reportDeletion`, see plugin.ts), is logged as one `audit`
 * event of logger `fapilog.retention` (field `eventCategory: "compliance"`, the documented category of retention), handed to the
 * pipeline after the batch being written and past the processors, as the alert sink's
 * firings are: every sink of the logger receives it, the deleting file sink included.
 *
 * A report is never lost silently. Deletions made before the pipeline exists (start-up
 * retention) wait for it; those made once it is closed (retention finishing while the
 * sink closes), and reports no sink nor the fallback could write (see dispatch.ts), are
 * written to diagnostics instead, one line each, at `audit` level.
 *
 * They cannot feed themselves: a report never starts a new file in a file sink (it goes
 * past `maxBytes` rather than rotate, see `RotatingFile.writeSync`), so writing reports
 * makes no rotation and no retention work.
 */
import { eventCategoryKey, type KnownEventCategory } from "./eventCategory.js"
import { AUDIT } from "./level.js"
import { isoTime, type LogRecord, recordOf } from "./record.js"
import type { RetentionDeletion, RetentionPolicy } from "./rotatingFile.js"

/**
 * One thing a plugin's retention deleted (a database partition, a file), as a plugin tells
 * it: `Plugin.Deletion` in the public API.
 */
export interface PluginDeletion {
  /** The sink that deleted it, by its name in diagnostics and health. */
  readonly sink: string
  /** What it was: the key of its name in the report (`partition: "public.logs_20261105"`). */
  readonly kind: "partition" | "file"
  /** Its name: a qualified table name, a path. */
  readonly name: string
  /** Its size when deleted, in bytes. */
  readonly bytes: number
  /** Its age when deleted, in ms: the time since its newest content could have been written. */
  readonly ageMs: number
  /** The policy that deleted it: the first it broke. */
  readonly policy: RetentionPolicy
  /** More fields of the report (what the plugin knows of it, e.g. `day`); they never replace those above. */
  readonly fields?: Readonly<Record<string, unknown>> | undefined
}

/** The logger of retention reports. */
export const retentionLogger = "fapilog.retention"

/** The event category of retention reports (docs/event-schema.md#event-categories). */
export const retentionCategory: KnownEventCategory = "compliance"

/** The message of every retention report (what was deleted is in its fields). */
export const retentionMessage = "retention deleted a rotated file"

/** The report of `deletion` by the sink named `sink` (`file:<path>`). */
export const retentionRecord = (deletion: RetentionDeletion, sink: string, now: number): LogRecord =>
  recordOf(AUDIT, retentionMessage, {
    time: now,
    logger: retentionLogger,
    fields: retentionFields(deletion, sink)
  })

const retentionFields = (deletion: RetentionDeletion, sink: string): Record<string, unknown> => ({
  [eventCategoryKey]: retentionCategory,
  sink,
  file: deletion.file,
  bytes: deletion.bytes,
  ageMs: deletion.ageMs,
  rotatedAt: isoTime(deletion.rotatedAt),
  policy: deletion.policy
})

/** The message of a plugin's report: `retention deleted a partition`. */
export const deletionMessage = (kind: PluginDeletion["kind"]): string => `retention deleted a ${kind}`

/** The report of a plugin's `deletion`. */
export const deletionRecord = (deletion: PluginDeletion, now: number): LogRecord =>
  recordOf(AUDIT, deletionMessage(deletion.kind), {
    time: now,
    logger: retentionLogger,
    fields: {
      ...deletion.fields,
      [eventCategoryKey]: retentionCategory,
      sink: deletion.sink,
      [deletion.kind]: deletion.name,
      bytes: deletion.bytes,
      ageMs: deletion.ageMs,
      policy: deletion.policy
    }
  })

/** Whether `record` is a retention report (of any file sink). */
export const isRetentionReport = (record: LogRecord): boolean =>
  record.logger === retentionLogger && record.level === AUDIT

/** What reports go to when the logger cannot take them: `Diagnostics.record`. */
export interface RetentionDiagnostics {
  readonly record: (component: string, level: string, message: string, extra: Record<string, unknown>) => void
}

/** Writes a retention report to diagnostics (`sink <name>: retention deleted a rotated file`). */
export const reportToDiagnostics = (diagnostics: RetentionDiagnostics, record: LogRecord): void => {
  const fields = record.fields ?? {}
  diagnostics.record(`sink ${String(fields.sink)}`, AUDIT.name, String(record.message), { ...fields })
}

/** The deletions retention made, over every sink of one logger. */
export interface RetentionStats {
  /** Rotated files deleted (by file sinks, and files deleted by plugins). */
  readonly files: number
  /** Partitions dropped (by plugins such as `@fapilog/postgres`); present once one was. */
  readonly partitions?: number | undefined
  /** Their bytes (compressed sizes for compressed files). */
  readonly bytes: number
  /** Files deleted by policy, e.g. `{ maxAge: 3, maxFiles: 1 }`. */
  readonly byPolicy: Readonly<Record<string, number>>
}

/**
 * The reports of one logger's sinks: `forSink(name)` is a file sink's `onDelete`, `deleted`
 * takes a plugin's deletions; reports
 * wait until `attach` gives the pipeline's `announce` (false once it is closed), and go to
 * diagnostics once `end` is called or the pipeline refuses them.
 */
export class RetentionReports {
  private announce: ((record: LogRecord) => boolean) | undefined = undefined
  private waiting: Array<LogRecord> = []
  private ended = false
  private files = 0
  private partitions = 0
  private bytes = 0
  private readonly byPolicy: Record<string, number> = {}

  constructor(
    private readonly diagnostics: RetentionDiagnostics,
    private readonly now: () => number = Date.now
  ) {}

  /** The `onDelete` of the file sink named `sink`. */
  forSink(sink: string): (deletion: RetentionDeletion) => void {
    return (deletion) => {
      this.files++
      this.bytes += deletion.bytes
      this.byPolicy[deletion.policy] = (this.byPolicy[deletion.policy] ?? 0) + 1
      this.report(retentionRecord(deletion, sink, this.now()))
    }
  }

  /** A plugin's deletion (the plugin context's `reportDeletion`). */
  deleted(deletion: PluginDeletion): void {
    if (deletion.kind === "partition") this.partitions++
    else this.files++
    this.bytes += deletion.bytes
    this.byPolicy[deletion.policy] = (this.byPolicy[deletion.policy] ?? 0) + 1
    this.report(deletionRecord(deletion, this.now()))
  }

  /** Gives the pipeline: the reports waiting for it go to it now. */
  attach(announce: (record: LogRecord) => boolean): void {
    if (this.ended) return
    this.announce = announce
    const waiting = this.waiting
    this.waiting = []
    for (const r of waiting) this.report(r)
  }

  /** No pipeline will take reports any more (its scope is closing): diagnostics will. */
  end(): void {
    this.ended = true
    this.announce = undefined
    const waiting = this.waiting
    this.waiting = []
    for (const r of waiting) reportToDiagnostics(this.diagnostics, r)
  }

  /** The deletions so far; undefined when there were none. */
  stats(): RetentionStats | undefined {
    if (this.files === 0 && this.partitions === 0) return undefined
    return {
      files: this.files,
      ...(this.partitions === 0 ? {} : { partitions: this.partitions }),
      bytes: this.bytes,
      byPolicy: { ...this.byPolicy }
    }
  }

  private report(record: LogRecord): void {
    if (this.ended) {
      reportToDiagnostics(this.diagnostics, record)
      return
    }
    const announce = this.announce
    if (announce === undefined) {
      this.waiting.push(record)
      return
    }
    let taken = false
    try {
      taken = announce(record)
    } catch {
      taken = false
    }
    if (!taken) reportToDiagnostics(this.diagnostics, record)
  }
}
