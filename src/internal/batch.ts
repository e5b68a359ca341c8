import type { Formatter } from "../Formatter.js"
import type { LogEvent } from "../LogEvent.js"
import { type FormatterImpl, formatRecord } from "./formatter.js"
import { type LogRecord, materialize } from "./record.js"
import type { CompiledRedaction } from "./redact.js"

/**
 * A batch of accepted events handed to every sink at once. Structured events are built
 * lazily and the text of each formatter is rendered once per batch, however many sinks
 * share it.
 */
export class BatchImpl {
  private materialized: ReadonlyArray<LogEvent> | undefined
  private rendered: Map<Formatter, string> | undefined

  constructor(
    readonly records: ReadonlyArray<LogRecord>,
    private readonly redact: CompiledRedaction | undefined = undefined
  ) {}

  get size(): number {
    return this.records.length
  }

  get events(): ReadonlyArray<LogEvent> {
    return (this.materialized ??= this.records.map((r) => materialize(r, this.redact)))
  }

  text(formatter: Formatter): string {
    let text = this.rendered?.get(formatter)
    if (text === undefined) {
      const fast = (formatter as FormatterImpl)[formatRecord]
      text = ""
      if (fast !== undefined) for (const r of this.records) text += `${fast(r, this.redact)}\n`
      else for (const e of this.events) text += `${formatter.format(e)}\n`
      ;(this.rendered ??= new Map()).set(formatter, text)
    }
    return text
  }
}
