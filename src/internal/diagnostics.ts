import { toErrorInfo } from "./errorInfo.js"
import { stringify } from "./json.js"
import { writeStderr } from "./platform.js"
import { isoTime } from "./record.js"

/**
 * fapilog's own voice: structured JSON lines on stderr saying which component failed and
 * how. Rate-limited per component (one line per `intervalMs`, with a count of what was
 * suppressed in between) so a failing sink never floods stderr.
 */
export class Diagnostics {
  private readonly last = new Map<string, { at: number; suppressed: number }>()
  /**
   * Set under a compliance profile (protectedDiagnostics.ts): what a line may show of the
   * texts it carries (error messages, server answers), which can echo event values.
   */
  protect: ((event: Readonly<Record<string, unknown>>) => Record<string, unknown>) | undefined = undefined

  constructor(
    private readonly logger: string,
    private readonly write: (line: string) => void = writeStderr,
    private readonly intervalMs = 1000
  ) {}

  report(component: string, message: string, error?: unknown, extra?: Record<string, unknown>): void {
    const now = Date.now()
    const seen = this.last.get(component)
    if (seen !== undefined && now - seen.at < this.intervalMs) {
      seen.suppressed++
      return
    }
    const suppressed = seen?.suppressed ?? 0
    this.last.set(component, { at: now, suppressed: 0 })
    const event: Record<string, unknown> = {
      timestamp: isoTime(now),
      level: "warn",
      logger: "fapilog",
      message: `${component}: ${message}`,
      component,
      pipeline: this.logger,
      ...extra
    }
    if (suppressed > 0) event.suppressed = suppressed
    if (error !== undefined) event.error = toErrorInfo(error)
    this.writeEvent(event)
  }

  /**
   * A record that must not be lost when the logger cannot write it (the report of a file
   * retention deleted): one line each, at `level`, never rate-limited. Its fields are
   * fapilog's own, never event data.
   */
  record(component: string, level: string, message: string, extra: Record<string, unknown>): void {
    this.writeEvent({
      timestamp: isoTime(Date.now()),
      level,
      logger: "fapilog",
      message: `${component}: ${message}`,
      component,
      pipeline: this.logger,
      ...extra
    })
  }

  private writeEvent(event: Record<string, unknown>): void {
    let shown: Record<string, unknown> = event
    if (this.protect !== undefined)
      try {
        shown = this.protect(event)
      } catch {
        shown = withheld(event)
      }
    try {
      this.write(`${stringify(shown)}\n`)
    } catch {
      // stderr itself is gone: nothing left to tell
    }
  }
}

/** A diagnostic without its texts: who reported, and that the details were withheld. */
export const withheld = (event: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const out: Record<string, unknown> = {
    timestamp: event.timestamp,
    level: event.level,
    logger: event.logger,
    message: `${String(event.component)}: [details withheld: they could not be checked for protected data]`,
    component: event.component,
    pipeline: event.pipeline
  }
  if (event.suppressed !== undefined) out.suppressed = event.suppressed
  return out
}
