/**
 * The syslog lines, as pure functions over an event: RFC 5424 (the default) and RFC 3164
 * (BSD syslog, on request), with the PRI computed from the facility and the event's level.
 *
 * RFC 5424, section 6: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`,
 * each header field PRINTUSASCII (33-126) within its length limit or the NILVALUE `-`; the
 * timestamp is the event's own (`2026-01-02T03:04:05.006Z`, RFC 3339 with milliseconds and
 * `Z`); SD-ID and PARAM-NAME are 1-32 PRINTUSASCII characters other than `=`, space, `]` and
 * `"`; in a PARAM-VALUE, `"`, `\` and `]` are escaped with a backslash. The MSG is UTF-8 and,
 * as section 6.4 requires of a UTF-8 MSG, starts with the byte order mark (U+FEFF) unless
 * `bom: false`.
 */
import { Formatter, type LogEvent } from "fapilog"
import { hasIsoMillisForm } from "../../../shared/src/isoTime.js"

/** Facilities by name (RFC 5424, table 1), with the usual Linux names of 4, 10, 13 to 15. */
export const facilities = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23
} as const

export type FacilityName = keyof typeof facilities

/**
 * Syslog severity (0 emergency ... 7 debug) of each fapilog level. `audit` is 5 (notice:
 * "normal but significant", the record of something that was done) and `security` is 1
 * (alert: fapilog ranks it above fatal, and a SIEM should act on it); `severity` overrides any.
 */
export const severities: Readonly<Record<LogEvent.LogEvent["level"], number>> = {
  trace: 7,
  debug: 7,
  info: 6,
  warn: 4,
  error: 3,
  fatal: 2,
  audit: 5,
  security: 1
}

/** What the formatter needs, resolved from the config (defaults applied). */
export interface LineOptions {
  readonly rfc: "5424" | "3164"
  readonly facility: number
  readonly severity: Readonly<Partial<Record<string, number>>>
  readonly hostname: string
  readonly appName: string
  readonly procId: string
  readonly msgId: string | undefined
  /** An event key whose value is the MSGID (5424) when present. */
  readonly msgIdKey: string | undefined
  readonly structuredData: { readonly id: string; readonly keys: ReadonlyArray<string> } | undefined
  readonly message: "json" | "text"
  readonly bom: boolean
  readonly maxMessageBytes: number
}

export const NILVALUE = "-"
const BOM = "\uFEFF"
/** Appended to a MSG cut to fit `maxMessageBytes`. */
export const TRUNCATED = "…[truncated]"
const TRUNCATED_BYTES = Buffer.byteLength(TRUNCATED, "utf8")

/** PRINTUSASCII only (33-126), other characters as `_`, at most `max`; NILVALUE when empty. */
export const headerField = (value: string, max: number): string => {
  const clean = value.replace(/[^\x21-\x7e]/g, "_").slice(0, max)
  return clean === "" ? NILVALUE : clean
}

/** An SD-NAME: PRINTUSASCII except `=`, space, `]`, `"`, 1 to 32 characters. */
export const SD_NAME = /^[\x21-\x7e]{1,32}$/
export const isSdName = (name: string): boolean => SD_NAME.test(name) && !/[= \]"]/.test(name)

/** A PARAM-NAME from an event key: disallowed characters as `_`, cut to 32. */
export const paramName = (key: string): string => {
  const name = key.replace(/[^\x21-\x7e]|[= \]"]/g, "_").slice(0, 32)
  return name === "" ? "_" : name
}

/** A PARAM-VALUE: `"`, `\` and `]` escaped (RFC 5424, 6.3.3). */
export const paramValue = (value: string): string => value.replace(/["\\\]]/g, (c) => `\\${c}`)

/** The value of an event key: the core keys, else a field. */
const keyValue = (event: LogEvent.LogEvent, key: string): unknown => {
  switch (key) {
    case "level":
    case "logger":
    case "message":
    case "timestamp":
    case "correlationId":
    case "traceId":
    case "spanId":
    case "id":
      return event[key]
    default:
      return event.fields[key]
  }
}

/** A value as text: strings as they are, the rest as JSON (from the event's safe JSON line). */
const textOf = (value: unknown, line: () => Record<string, unknown>, key: string): string | undefined => {
  if (value === undefined) return undefined
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (typeof value === "bigint") return value.toString()
  // objects, arrays and anything hostile: the value as the JSON line renders it (cycles,
  // throwing getters and BigInt handled there, redaction and limits applied)
  const rendered = line()[key]
  return rendered === undefined ? undefined : JSON.stringify(rendered)
}

const structuredData = (
  event: LogEvent.LogEvent,
  sd: NonNullable<LineOptions["structuredData"]>,
  line: () => Record<string, unknown>
): string => {
  let params = ""
  for (const key of sd.keys) {
    let value: unknown
    try {
      value = keyValue(event, key)
    } catch {
      value = line()[key]
    }
    const text = textOf(value, line, key)
    if (text !== undefined) params += ` ${paramName(key)}="${paramValue(text)}"`
  }
  // an SD-ELEMENT without params is valid, but says nothing: the NILVALUE instead
  return params === "" ? NILVALUE : `[${sd.id}${params}]`
}

/**
 * An event's time as an RFC 5424 TIMESTAMP: fapilog's own form as it is; another time that
 * parses as its ISO form (UTC, milliseconds); one that does not, the NILVALUE (a processor's
 * event may carry any text there, and the header must stay valid).
 */
export const headerTimestamp = (timestamp: string): string => {
  if (hasIsoMillisForm(timestamp)) return timestamp
  const t = Date.parse(timestamp)
  return Number.isFinite(t) ? new Date(t).toISOString() : NILVALUE
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** RFC 3164's TIMESTAMP, `Mmm dd hh:mm:ss` in the sender's local time (the day space-padded). */
export const bsdTimestamp = (timestamp: string): string => {
  const d = new Date(timestamp)
  const t = Number.isNaN(d.getTime()) ? new Date() : d
  const day = t.getDate()
  return `${MONTHS[t.getMonth()]} ${day < 10 ? ` ${day}` : day} ${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`
}

/** Cuts `msg` so that `prefix` + it fits in `max` UTF-8 bytes, on a character boundary, marked. */
const fit = (prefix: Buffer, msg: string, max: number): Buffer => {
  const body = Buffer.from(msg, "utf8")
  if (prefix.length + body.length <= max) return Buffer.concat([prefix, body])
  const marker = Buffer.from(TRUNCATED, "utf8")
  let end = Math.max(0, max - prefix.length - marker.length)
  // back to the start of a UTF-8 sequence (never leave half a character)
  while (end > 0 && end < body.length && (body[end]! & 0xc0) === 0x80) end--
  return Buffer.concat([prefix, body.subarray(0, end), marker])
}

/** The PRI of a message at `level`: the facility and the level's severity. */
export const priOf = (options: LineOptions, level: string): number =>
  options.facility * 8 + (options.severity[level] ?? severities[level as LogEvent.LogEvent["level"]] ?? 6)

/** The header fields of one sink's messages, within their limits (RFC 5424, 6.2). */
export const headerFieldsOf = (options: LineOptions) => ({
  hostname: headerField(options.hostname, 255),
  appName: headerField(options.appName, 48),
  procId: headerField(options.procId, 128),
  msgId: options.msgId === undefined ? NILVALUE : headerField(options.msgId, 32)
})

/** What follows the message's header (and a space) before its MSG: the BOM, unless `bom: false`. */
export const msgStart = (options: LineOptions): string => (options.bom ? BOM : "")

/** The formatter of one sink: an event to one syslog message (without framing). */
export const makeFormatter = (options: LineOptions): ((event: LogEvent.LogEvent) => Buffer) => {
  const json = Formatter.json
  const { hostname, appName, procId, msgId: fixedMsgId } = headerFieldsOf(options)
  // RFC 3164's TAG: alphanumeric, at most 32 characters
  const tag = `${options.appName.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 32) || "fapilog"}${procId === NILVALUE ? "" : `[${procId}]`}`
  const pri = (event: LogEvent.LogEvent): number => priOf(options, event.level)
  return (event) => {
    let lineText: string | undefined
    const jsonLine = (): string => {
      lineText ??= json.format(event)
      return lineText
    }
    let parsed: Record<string, unknown> | undefined
    const lineFields = (): Record<string, unknown> => {
      parsed ??= JSON.parse(jsonLine()) as Record<string, unknown>
      return parsed
    }
    const msg = options.message === "json" ? jsonLine() : event.message
    if (options.rfc === "3164") {
      const prefix = `<${pri(event)}>${bsdTimestamp(event.timestamp)} ${hostname} ${tag}: `
      return fit(Buffer.from(prefix, "utf8"), msg.replace(/\n/g, " "), options.maxMessageBytes)
    }
    let msgId = fixedMsgId
    if (options.msgIdKey !== undefined) {
      const v = textOf(keyValue(event, options.msgIdKey), lineFields, options.msgIdKey)
      if (v !== undefined && v !== "") msgId = headerField(v, 32)
    }
    const start = `<${pri(event)}>1 ${headerTimestamp(event.timestamp)} ${hostname} ${appName} ${procId} ${msgId} `
    let header = `${start}${options.structuredData === undefined ? NILVALUE : structuredData(event, options.structuredData, lineFields)}`
    // structured data that leaves no room for a marked MSG is left out (with message: "json"
    // its values are still in the MSG)
    if (Buffer.byteLength(header, "utf8") > options.maxMessageBytes - TRUNCATED_BYTES - 4)
      header = `${start}${NILVALUE}`
    if (msg === "") return Buffer.from(header, "utf8")
    return fit(Buffer.from(`${header} ${msgStart(options)}`, "utf8"), msg, options.maxMessageBytes)
  }
}
