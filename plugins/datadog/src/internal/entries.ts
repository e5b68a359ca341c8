/**
 * Events as Datadog log entries (the JSON objects of an intake v2 request). An entry is
 * fapilog's JSON line (`Formatter.json`: hostile values made safe and bounded there) with
 * Datadog's reserved attributes written in front of its own keys:
 *
 * - `ddsource`, `ddtags`, `hostname`, `service` from the settings (the event's own string
 *   `service` or `hostname` field, when it has one, is taken instead: it is the more specific);
 * - `status`, the event's level in Datadog's words (`fatal` → `critical`, `trace` → `debug`,
 *   `audit` and `security` → `notice`), so Datadog's status remapper reads it;
 * - `dd.trace_id` and `dd.span_id`, the lower 64 bits of the W3C trace and span ids as unsigned
 *   decimal (the form Datadog's APM uses), so logs correlate with traces.
 *
 * A user field with the name of one of those attributes (an HTTP `status`, say) is written as
 * `field.<name>`, so the reserved attributes keep their meaning and nothing is lost.
 *
 * An entry over Datadog's 1 MB is cut here rather than by the intake, and marked
 * (`fapilog_truncated_bytes`, ../../../shared/src/boundedLine.ts), the attributes kept.
 */
import type { LogEvent } from "fapilog"
import { boundedLine } from "../../../shared/src/boundedLine.js"
import { LIMITS } from "./config.js"

/** What every entry of a sink carries, from its settings. */
export interface EntryAttributes {
  readonly ddsource?: string | undefined
  readonly ddtags?: string | undefined
  readonly hostname?: string | undefined
  readonly service?: string | undefined
}

/** The attributes the sink writes itself; user fields with these names are renamed. */
export const RESERVED: ReadonlyArray<string> = ["ddsource", "ddtags", "hostname", "service", "status", "dd"]

/** Datadog's status for each fapilog level. */
export const STATUS: Readonly<Record<LogEvent.LogEvent["level"], string>> = Object.freeze({
  trace: "debug",
  debug: "debug",
  info: "info",
  warn: "warning",
  error: "error",
  fatal: "critical",
  audit: "notice",
  security: "notice"
})

const HEX = /^[0-9a-fA-F]+$/

/**
 * The lower 64 bits of a hexadecimal W3C id (32 digits for a trace, 16 for a span) as
 * unsigned decimal, Datadog's form; undefined for anything else (a zero id is invalid in W3C).
 */
export const datadogId = (hex: string): string | undefined => {
  if ((hex.length !== 32 && hex.length !== 16) || !HEX.test(hex)) return undefined
  const id = BigInt(`0x${hex.slice(-16)}`)
  return id === 0n ? undefined : id.toString()
}

const quote = (s: string): string => JSON.stringify(s)

/** The user fields of `e` that collide with the reserved attributes, or undefined (the usual case). */
const collisions = (e: LogEvent.LogEvent): Array<string> | undefined => {
  let found: Array<string> | undefined
  const fields = e.fields
  for (let i = 0; i < RESERVED.length; i++) {
    const k = RESERVED[i]!
    if (Object.hasOwn(fields, k)) (found ??= []).push(k)
  }
  return found
}

const stringField = (fields: Record<string, unknown>, key: string): string | undefined => {
  try {
    const v = fields[key]
    return typeof v === "string" && v.length > 0 && v.length <= 1000 ? v : undefined
  } catch {
    return undefined
  }
}

/** The encoder of one sink's entries (attributes quoted once). */
export class EntryEncoder {
  private readonly fixed: string
  private readonly source: string
  private readonly tags: string
  private readonly hostname: string | undefined
  private readonly service: string | undefined

  constructor(attributes: EntryAttributes) {
    this.source = attributes.ddsource === undefined ? "" : `"ddsource":${quote(attributes.ddsource)},`
    this.tags = attributes.ddtags === undefined ? "" : `"ddtags":${quote(attributes.ddtags)},`
    this.hostname = attributes.hostname
    this.service = attributes.service
    this.fixed = `${this.source}${this.tags}${this.attribute("hostname", this.hostname)}${this.attribute("service", this.service)}`
  }

  private attribute(name: string, value: string | undefined): string {
    return value === undefined ? "" : `"${name}":${quote(value)},`
  }

  /** The attributes in front of the line's keys, the event's own `service`/`hostname` taken when it has them. */
  private prefix(e: LogEvent.LogEvent, renamed: ReadonlyArray<string> | undefined): string {
    let out =
      renamed === undefined
        ? this.fixed
        : `${this.source}${this.tags}${this.attribute("hostname", stringField(e.fields, "hostname") ?? this.hostname)}${this.attribute("service", stringField(e.fields, "service") ?? this.service)}`
    out += `"status":"${STATUS[e.level] ?? "info"}",`
    const trace = e.traceId === undefined ? undefined : datadogId(e.traceId)
    const span = e.spanId === undefined ? undefined : datadogId(e.spanId)
    if (trace !== undefined || span !== undefined) {
      out += '"dd":{'
      if (trace !== undefined) out += `"trace_id":"${trace}"`
      if (span !== undefined) out += `${trace === undefined ? "" : ","}"span_id":"${span}"`
      out += "},"
    }
    return out
  }

  /** The event with the user fields that collide renamed `field.<name>` (those taken as attributes dropped). */
  private renamed(e: LogEvent.LogEvent, keys: ReadonlyArray<string>): LogEvent.LogEvent {
    const fields: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(e.fields)) {
      if (!keys.includes(k)) fields[k] = v
      else if ((k === "service" || k === "hostname") && stringField(e.fields, k) !== undefined) continue
      else fields[`field.${k}`] = v
    }
    return { ...e, fields }
  }

  /** One entry: a JSON object of at most 1 MB (UTF-8). */
  entry(e: LogEvent.LogEvent): string {
    let keys: Array<string> | undefined
    let event = e
    try {
      keys = collisions(e)
      if (keys !== undefined) event = this.renamed(e, keys)
    } catch {
      // fields that cannot be read (a throwing proxy): the line's own treatment applies
      keys = undefined
    }
    return boundedLine(event, LIMITS.maxEntryBytes, this.prefix(e, keys))
  }
}

/** The body of an intake request: the entries as one JSON array (uncompressed). */
export const encodeEntries = (encoder: EntryEncoder, events: ReadonlyArray<LogEvent.LogEvent>): string => {
  let body = "["
  for (let i = 0; i < events.length; i++) body += (i === 0 ? "" : ",") + encoder.entry(events[i]!)
  return `${body}]`
}
