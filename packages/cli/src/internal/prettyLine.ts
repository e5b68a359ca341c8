/**
 * One log line to one readable line, for `fapilog pretty`. A JSON object line is read as an
 * event of whichever layout wrote it (fapilog's JSON with its key names or a `keys` preset,
 * ECS, OpenTelemetry, pino), turned into a `LogEvent` and written by fapilog's own pretty
 * formatter, so the command prints exactly what `format: "pretty"` prints (user text escaped,
 * colours only ours). Anything else (text, logfmt, a JSON line with no level) is not an event
 * and is passed through unchanged.
 */
import { Formatter, Level, type LogEvent } from "fapilog"

/** What `fapilog pretty` was asked for. */
export interface PrettyOptions {
  /** ANSI colours in the output. */
  readonly colors: boolean
  /** Events below this level are not printed (lines that are not events always are). */
  readonly minLevel?: Level.Level | undefined
  /** Only these user fields are printed. */
  readonly include?: ReadonlyArray<string> | undefined
  /** These user fields are not printed. */
  readonly exclude?: ReadonlyArray<string> | undefined
  /** The key holding the message; found among the usual names when not given. */
  readonly messageKey?: string | undefined
  /** The key holding the level; found among the usual names when not given. */
  readonly levelKey?: string | undefined
  /** Stack frames on continuation lines instead of one line. */
  readonly multiline?: boolean | undefined
}

type Json = Record<string, unknown>
type ErrorInfo = NonNullable<LogEvent.LogEvent["error"]>

// keys the layouts and the `keys` presets write, most specific first
const MESSAGE_KEYS = ["message", "msg", "Body", "text"] as const
const LEVEL_KEYS = ["level", "severity", "status", "lvl", "log.level", "loglevel"] as const
const TIME_KEYS = ["timestamp", "time", "@timestamp", "ts"] as const

/** Level names of other vocabularies (GCP and Datadog presets, syslog) in fapilog's. */
const LEVEL_ALIASES: Readonly<Record<string, Level.Level>> = {
  warning: "warn",
  critical: "fatal",
  crit: "fatal",
  emergency: "fatal",
  emerg: "fatal",
  notice: "audit",
  alert: "security",
  err: "error"
}

/** pino's level numbers, with fapilog's ranks for audit (70) and security (80). */
const PINO_LEVELS: Readonly<Record<number, Level.Level>> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
  70: "audit",
  80: "security"
}

const levelOfName = (u: unknown): Level.Level | undefined => {
  if (typeof u === "number") return PINO_LEVELS[u]
  if (typeof u !== "string") return undefined
  const lower = u.toLowerCase()
  return Level.isLevel(lower) ? lower : LEVEL_ALIASES[lower]
}

/** An OpenTelemetry severity number's level: fapilog's own numbers first, then the ranges. */
const levelOfSeverity = (n: unknown): Level.Level | undefined => {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 24) return undefined
  const exact = Level.all.find((l) => Level.otelSeverity[l] === n)
  if (exact !== undefined) return exact
  return n <= 4
    ? "trace"
    : n <= 8
      ? "debug"
      : n <= 12
        ? "info"
        : n <= 16
          ? "warn"
          : n <= 20
            ? "error"
            : "fatal"
}

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const define = (o: Json, k: string, v: unknown) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })

const text = (u: unknown): string | undefined =>
  typeof u === "string" ? u : u === undefined || u === null ? undefined : JSON.stringify(u)

const isoOf = (ms: number): string | undefined => {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

/** A time value as ISO text: ISO strings as they are, epoch milliseconds converted. */
const timeOf = (u: unknown): string =>
  typeof u === "number" ? (isoOf(u) ?? String(u)) : typeof u === "string" ? u : ""

/** OpenTelemetry's `Timestamp`: nanoseconds since the epoch, as a decimal string. */
const timeOfNanos = (u: unknown): string => {
  if (typeof u !== "string" || !/^\d{1,30}$/.test(u)) return timeOf(u)
  return isoOf(Number(BigInt(u) / 1_000_000n)) ?? u
}

const errorOf = (type: unknown, message: unknown, stack: unknown, code: unknown): ErrorInfo | undefined => {
  if (type === undefined && message === undefined && stack === undefined) return undefined
  return {
    type: text(type) ?? "Error",
    message: text(message) ?? "",
    ...(typeof stack === "string" ? { stack } : {}),
    ...(code !== undefined && code !== null ? { code: String(code) } : {})
  }
}

/** fapilog's `ErrorInfo` (or pino's `err`), read field by field. */
const errorInfoOf = (u: unknown): ErrorInfo | undefined => {
  if (!isObject(u)) return typeof u === "string" ? { type: "Error", message: u } : undefined
  const base = errorOf(u.type ?? u.name, u.message, u.stack, u.code)
  if (base === undefined) return undefined
  const cause = errorInfoOf(u.cause)
  const errors = Array.isArray(u.errors)
    ? u.errors.map(errorInfoOf).filter((e): e is ErrorInfo => e !== undefined)
    : []
  return {
    ...base,
    ...(cause !== undefined ? { cause } : {}),
    ...(errors.length > 0 ? { errors } : {}),
    ...(isObject(u.details) ? { details: u.details } : {})
  }
}

interface Draft {
  timestamp: string
  level: Level.Level
  message: string
  logger: string
  correlationId?: string
  traceId?: string
  spanId?: string
  spans?: Record<string, number>
  error?: ErrorInfo
  readonly fields: Json
}

const draft = (level: Level.Level): Draft => ({ timestamp: "", level, message: "", logger: "", fields: {} })

const setIds = (d: Draft, correlationId: unknown, traceId: unknown, spanId: unknown) => {
  if (typeof correlationId === "string") d.correlationId = correlationId
  if (typeof traceId === "string") d.traceId = traceId
  if (typeof spanId === "string") d.spanId = spanId
}

const otel = (o: Json): Draft | undefined => {
  const level = levelOfName(o.SeverityText) ?? levelOfSeverity(o.SeverityNumber)
  if (level === undefined) return undefined
  const d = draft(level)
  d.timestamp = timeOfNanos(o.Timestamp ?? o.ObservedTimestamp)
  d.message = text(o.Body) ?? ""
  if (isObject(o.InstrumentationScope)) d.logger = text(o.InstrumentationScope.Name) ?? ""
  const attributes = isObject(o.Attributes) ? o.Attributes : {}
  setIds(d, attributes["correlation.id"], o.TraceId, o.SpanId)
  const error = errorOf(
    attributes["exception.type"],
    attributes["exception.message"],
    attributes["exception.stacktrace"],
    attributes["exception.code"]
  )
  if (error !== undefined) d.error = error
  for (const [k, v] of Object.entries(attributes))
    if (k !== "correlation.id" && !k.startsWith("exception.")) define(d.fields, k, v)
  if (isObject(o.Resource)) for (const [k, v] of Object.entries(o.Resource)) define(d.fields, k, v)
  return d
}

const ECS_CORE = new Set([
  "@timestamp",
  "log.level",
  "message",
  "log.logger",
  "ecs.version",
  "trace.id",
  "span.id",
  "labels.correlation_id",
  "error.type",
  "error.message",
  "error.stack_trace",
  "error.code"
])

const ecs = (o: Json): Draft | undefined => {
  const level = levelOfName(o["log.level"])
  if (level === undefined) return undefined
  const d = draft(level)
  d.timestamp = timeOf(o["@timestamp"])
  d.message = text(o.message) ?? ""
  d.logger = text(o["log.logger"]) ?? ""
  setIds(d, o["labels.correlation_id"], o["trace.id"], o["span.id"])
  const error = errorOf(o["error.type"], o["error.message"], o["error.stack_trace"], o["error.code"])
  if (error !== undefined) d.error = error
  rest(d, o, ECS_CORE)
  return d
}

const PINO_CORE = new Set(["level", "time", "msg", "name", "err", "trace_id", "span_id", "correlationId"])

const pino = (o: Json, messageKey: string): Draft | undefined => {
  const level = levelOfName(o.level)
  if (level === undefined) return undefined
  const d = draft(level)
  d.timestamp = timeOf(o.time)
  d.message = text(o[messageKey]) ?? ""
  d.logger = text(o.name) ?? ""
  setIds(d, o.correlationId, o.trace_id, o.span_id)
  const error = errorInfoOf(o.err)
  if (error !== undefined) d.error = error
  rest(d, o, new Set([...PINO_CORE, messageKey]))
  return d
}

const FAPILOG_CORE = ["logger", "correlationId", "traceId", "spanId", "spans", "error", "fields", "truncated"]

/** fapilog's JSON line, whatever its key names (`keys`, `messageKey`, `levelKey`, `timestampKey`). */
const fapilogJson = (o: Json, options: PrettyOptions): Draft | undefined => {
  const levelKey = options.levelKey ?? LEVEL_KEYS.find((k) => levelOfName(o[k]) !== undefined)
  const level = levelKey === undefined ? undefined : levelOfName(o[levelKey])
  if (levelKey === undefined || level === undefined) return undefined
  const d = draft(level)
  const messageKey = options.messageKey ?? MESSAGE_KEYS.find((k) => o[k] !== undefined) ?? "message"
  const timeKey = TIME_KEYS.find((k) => o[k] !== undefined)
  if (timeKey !== undefined) d.timestamp = timeOf(o[timeKey])
  d.message = text(o[messageKey]) ?? ""
  d.logger = text(o.logger) ?? ""
  setIds(d, o.correlationId, o.traceId, o.spanId)
  if (isObject(o.spans)) {
    const spans: Record<string, number> = {}
    for (const [k, v] of Object.entries(o.spans)) if (typeof v === "number") define(spans, k, v)
    d.spans = spans
  }
  const error = errorInfoOf(o.error)
  if (error !== undefined) d.error = error
  rest(d, o, new Set([...FAPILOG_CORE, levelKey, messageKey, ...(timeKey === undefined ? [] : [timeKey])]))
  // the user keys a line keeps under `fields` because their names are fapilog's own
  if (isObject(o.fields)) for (const [k, v] of Object.entries(o.fields)) define(d.fields, k, v)
  return d
}

/** Every key of `o` that is not one of the layout's own, as a user field. */
const rest = (d: Draft, o: Json, core: ReadonlySet<string>) => {
  for (const [k, v] of Object.entries(o)) if (!core.has(k)) define(d.fields, k, v)
}

/** The event a parsed line holds, read by the layout its keys show; undefined when it is not one. */
export const eventOf = (
  o: Json,
  options: PrettyOptions = { colors: false }
): LogEvent.LogEvent | undefined => {
  const d =
    "Body" in o && ("SeverityText" in o || "SeverityNumber" in o)
      ? otel(o)
      : "@timestamp" in o && "log.level" in o
        ? ecs(o)
        : typeof o.level === "number" && options.levelKey === undefined
          ? pino(o, options.messageKey ?? "msg")
          : fapilogJson(o, options)
  if (d === undefined) return undefined
  const fields = filterFields(d.fields, options)
  return { ...d, fields }
}

const filterFields = (fields: Json, options: PrettyOptions): Json => {
  const { include, exclude } = options
  if (include === undefined && exclude === undefined) return fields
  const out: Json = {}
  for (const [k, v] of Object.entries(fields)) {
    if (include !== undefined && include.length > 0 && !include.includes(k)) continue
    if (exclude?.includes(k)) continue
    define(out, k, v)
  }
  return out
}

/** A line's JSON object, or undefined when the line is not one (never throws). */
const parseObject = (line: string): Json | undefined => {
  const start = line.trimStart()
  if (!start.startsWith("{")) return undefined
  try {
    const parsed: unknown = JSON.parse(line)
    return isObject(parsed) ? parsed : undefined
  } catch {
    // not JSON, or nested too deeply to parse: shown as it is
    return undefined
  }
}

/**
 * The renderer of one line: the readable line, the line itself when it is not an event, or
 * undefined when the level filter drops it.
 */
export const makeRenderer = (options: PrettyOptions): ((line: string) => string | undefined) => {
  const formatter = Formatter.pretty({ colors: options.colors, multiline: options.multiline === true })
  const min = options.minLevel
  return (line) => {
    const o = parseObject(line)
    if (o === undefined) return line
    let event: LogEvent.LogEvent | undefined
    try {
      event = eventOf(o, options)
    } catch {
      // a line that cannot be read as an event is still shown
      return line
    }
    if (event === undefined) return line
    if (min !== undefined && !Level.isEnabled(event.level, min)) return undefined
    return formatter.format(event)
  }
}
