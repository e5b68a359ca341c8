/**
 * Diagnostics under a compliance profile. A diagnostic line can echo event values: the
 * message of an error a processor, formatter or sink threw over an event, a server's answer
 * quoting the request. Under a profile, the texts of each line (its message, its error and
 * its other fields) go through the logger's value-level protection (the `pii` processors,
 * when a profile needs them) and then through its redaction, as the events themselves do.
 * When they cannot (the processor has not started, dropped the line, or threw), the line
 * keeps only who reported and says that its details were withheld: it never falls back to
 * the clear text.
 */
import type { LogEvent } from "../LogEvent.js"
import type { Processor } from "../Processor.js"
import { withheld } from "./diagnostics.js"
import { contextOf } from "./processor.js"
import { materialize, recordFromEvent } from "./record.js"
import type { CompiledRedaction } from "./redact.js"

/** The structure of a line, kept as fapilog wrote it; every other key is scanned. */
const frame: ReadonlySet<string> = new Set([
  "timestamp",
  "level",
  "logger",
  "component",
  "pipeline",
  "suppressed"
])

/** One event through one processor: what it returns for it, or undefined when it drops it. */
const through = (p: Processor, e: LogEvent): LogEvent | undefined => {
  if (p.processBatch !== undefined)
    return p.processBatch(
      [e],
      contextOf(Date.now(), () => {})
    )[0]
  return p.process?.(e)
}

export interface Protection {
  /** Whether a profile needs value-level protection: without `scanners`, texts are withheld. */
  readonly needsScan: boolean
  /** The processors that scan values (the `pii` plugin), once the logger has started them. */
  readonly scanners: () => ReadonlyArray<Processor> | undefined
  readonly redact: () => CompiledRedaction | undefined
}

/** The `protect` function of a logger's Diagnostics under a profile (see the header). */
export const protectedDiagnostics =
  (protection: Protection) =>
  (event: Readonly<Record<string, unknown>>): Record<string, unknown> => {
    const fields: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(event)) if (!frame.has(k) && k !== "message") fields[k] = v
    let e: LogEvent | undefined = {
      timestamp: String(event.timestamp),
      level: "warn",
      logger: "fapilog",
      message: String(event.message),
      fields
    }
    if (protection.needsScan) {
      const scanners = protection.scanners()
      if (scanners === undefined || scanners.length === 0) return withheld(event)
      for (const p of scanners) {
        e = e === undefined ? undefined : through(p, e)
        if (e === undefined || typeof e.message !== "string") return withheld(event)
      }
    }
    const shown = materialize(recordFromEvent(e as LogEvent, undefined), protection.redact())
    const out: Record<string, unknown> = {}
    for (const k of ["timestamp", "level", "logger"]) out[k] = event[k]
    out.message = shown.message
    out.component = event.component
    out.pipeline = event.pipeline
    Object.assign(out, shown.fields)
    if (event.suppressed !== undefined) out.suppressed = event.suppressed
    return out
  }
