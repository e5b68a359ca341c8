/**
 * fapilog events in the OTLP logs data model (`ExportLogsServiceRequest`), as the plain
 * objects `@effect/opentelemetry`'s `OtlpSerialization` encodes: protobuf through its wire
 * encoder, JSON with `JSON.stringify`, which gives the OTLP/JSON mapping (lowerCamelCase
 * keys, 64-bit integers as decimal strings, trace and span ids as hex, enums as numbers).
 *
 * Each event is first rendered by fapilog's JSON formatter and read back, so that its user
 * data is already redacted, bounded (depth, keys, items, string length) and plain JSON, exactly
 * as the JSON line of a file sink; that data is then mapped onto OTLP values:
 *
 * - `body`: the message, a string.
 * - `attributes`: `logger.name`, `correlation.id`, every user field under its own key with its
 *   structure kept (objects as `kvlistValue`, arrays as `arrayValue`), `spans`,
 *   `exception.type/message/stacktrace/code` (plus `exception.cause`, `exception.errors`,
 *   `exception.details` as structured values), `truncated`; a user key whose root is
 *   `logger`, `correlation` or `exception`, or one named like a core key, goes under `fields`.
 * - `resource`: `service.name`, `service.version`, `deployment.environment.name`,
 *   `host.name`, `process.pid` from the enricher fields (which then leave the attributes),
 *   then the configured resource attributes, which win. Events with different resources go
 *   in different `ResourceLogs`.
 * - `traceId`/`spanId`: the event's ids when they are valid W3C ids (32 and 16 hex digits,
 *   not all zero); any other value is kept as a `traceId`/`spanId` string attribute.
 */
import { Formatter, Level, type LogEvent } from "fapilog"

/** An OTLP `AnyValue`; integers as decimal strings. An empty object is the empty value. */
export interface AnyValue {
  readonly stringValue?: string
  readonly boolValue?: boolean
  readonly intValue?: string
  readonly doubleValue?: number
  readonly arrayValue?: { readonly values: ReadonlyArray<AnyValue> }
  readonly kvlistValue?: { readonly values: ReadonlyArray<KeyValue> }
}

export interface KeyValue {
  readonly key: string
  readonly value: AnyValue
}

export interface LogRecord {
  readonly timeUnixNano: string
  readonly observedTimeUnixNano: string
  readonly severityNumber: number
  readonly severityText: string
  readonly body: AnyValue
  readonly attributes: ReadonlyArray<KeyValue>
  readonly traceId?: string
  readonly spanId?: string
}

export interface ResourceLogs {
  readonly resource: { readonly attributes: ReadonlyArray<KeyValue>; readonly droppedAttributesCount: number }
  readonly scopeLogs: ReadonlyArray<{
    readonly scope: { readonly name: string; readonly version: string }
    readonly logRecords: ReadonlyArray<LogRecord>
  }>
}

export interface ExportLogsServiceRequest {
  readonly resourceLogs: ReadonlyArray<ResourceLogs>
}

/** OpenTelemetry severity numbers by fapilog level: fapilog's own table, the `otel` layout's. */
export const severityNumber: Readonly<Record<Level.Level, number>> = Level.otelSeverity

const TWO_TO_64 = 1n << 64n
const INT64_LIMIT = 2 ** 63

/**
 * How a whole number is written. The JSON mapping takes the signed decimal; for protobuf a
 * negative number is given as its 64-bit two's complement, because the encoder writes the
 * varint of the value it is handed and only a non-negative one comes out right (the int64
 * wire form of -n is the uint64 varint of 2^64 - n).
 */
export type Encoding = "protobuf" | "json"

const intValue = (n: number, encoding: Encoding): AnyValue => ({
  intValue: n < 0 && encoding === "protobuf" ? (TWO_TO_64 + BigInt(n)).toString() : BigInt(n).toString()
})

/** A plain JSON value as an AnyValue. */
export const anyValue = (v: unknown, encoding: Encoding): AnyValue => {
  switch (typeof v) {
    case "string":
      return { stringValue: v }
    case "boolean":
      return { boolValue: v }
    case "number":
      // any whole number in the int64 range is exact as an integer (beyond 2^53 it is the
      // double's own value, which JSON.parse already rounded to)
      if (Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT) return intValue(v, encoding)
      return Number.isFinite(v) ? { doubleValue: v } : { stringValue: String(v) }
    case "object": {
      if (v === null) return {}
      if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => anyValue(x, encoding)) } }
      return { kvlistValue: { values: keyValues(v as Record<string, unknown>, encoding) } }
    }
    default:
      return {}
  }
}

const keyValues = (o: Readonly<Record<string, unknown>>, encoding: Encoding): Array<KeyValue> =>
  Object.keys(o).map((key) => ({ key, value: anyValue(o[key], encoding) }))

const TRACE_ID = /^[0-9a-f]{32}$/i
const SPAN_ID = /^[0-9a-f]{16}$/i
const validId = (re: RegExp, id: unknown): id is string =>
  typeof id === "string" && re.test(id) && !/^0+$/.test(id)

// keys of the JSON line that are fapilog's own, each mapped on its own below
const CORE = new Set([
  "timestamp",
  "level",
  "logger",
  "message",
  "correlationId",
  "traceId",
  "spanId",
  "spans",
  "error",
  "truncated",
  "fields"
])
// attribute roots this mapping writes itself; user keys under them go under `fields`
const OWN_ROOTS = new Set(["logger", "correlation", "exception", "fields", "spans", "truncated"])
const rootOf = (key: string): string => {
  const dot = key.indexOf(".")
  return dot === -1 ? key : key.slice(0, dot)
}

/** Enricher fields that describe the emitting process, and their resource attribute names. */
const ORIGIN: ReadonlyArray<readonly [string, string, "string" | "number"]> = [
  ["service", "service.name", "string"],
  ["version", "service.version", "string"],
  ["env", "deployment.environment.name", "string"],
  ["hostname", "host.name", "string"],
  ["pid", "process.pid", "number"]
]

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const exceptionAttributes = (error: unknown, encoding: Encoding, out: Array<KeyValue>): void => {
  if (!isRecord(error)) return
  const text = (key: string, name: string) => {
    const v = error[name]
    if (typeof v === "string") out.push({ key, value: { stringValue: v } })
  }
  text("exception.type", "type")
  text("exception.message", "message")
  text("exception.stacktrace", "stack")
  text("exception.code", "code")
  for (const name of ["cause", "errors", "details"]) {
    if (error[name] !== undefined)
      out.push({ key: `exception.${name}`, value: anyValue(error[name], encoding) })
  }
}

export interface Mapped {
  readonly record: LogRecord
  /** The resource attributes read from the event's enricher fields. */
  readonly origin: ReadonlyArray<KeyValue>
}

/**
 * The event as its JSON line reads back. Should the formatter fail (a hostile event built by
 * hand; the pipeline's events are plain data), the core keys are kept and the fields are not.
 */
const readLine = (e: LogEvent.LogEvent): Record<string, unknown> => {
  try {
    const parsed: unknown = JSON.parse(Formatter.json.format(e))
    if (isRecord(parsed)) return parsed
  } catch {
    // fall through to the core keys
  }
  try {
    const { error: _error, ...core } = e
    return JSON.parse(Formatter.json.format({ ...core, fields: {} })) as Record<string, unknown>
  } catch {
    return { message: "[fapilog: event could not be formatted]" }
  }
}

const nanosOf = (timestamp: string, now: number): string => {
  const ms = Date.parse(timestamp)
  return (BigInt(Number.isFinite(ms) ? ms : now) * 1_000_000n).toString()
}

/** One event as an OTLP log record, plus the resource attributes its fields name. */
export const toLogRecord = (e: LogEvent.LogEvent, encoding: Encoding, now: number): Mapped => {
  const observedTimeUnixNano = (BigInt(now) * 1_000_000n).toString()
  const line = readLine(e)
  const level: Level.Level = Object.hasOwn(severityNumber, e.level) ? e.level : "info"
  const attributes: Array<KeyValue> = []
  // the semantic conventions' unique id of a log record: the event's stable id, the same when
  // a request is retried or replayed from the spool, so a backend can de-duplicate with it
  if (e.id !== undefined) attributes.push({ key: "log.record.uid", value: { stringValue: e.id } })
  if (typeof line.logger === "string")
    attributes.push({ key: "logger.name", value: { stringValue: line.logger } })
  if (typeof line.correlationId === "string")
    attributes.push({ key: "correlation.id", value: { stringValue: line.correlationId } })
  const origin: Array<KeyValue> = []
  const originKeys = new Set<string>()
  for (const [field, attribute, type] of ORIGIN) {
    const v = line[field]
    if (typeof v === type && (type === "string" || Number.isSafeInteger(v))) {
      origin.push({ key: attribute, value: anyValue(v, encoding) })
      originKeys.add(field)
    }
  }
  const collisions: Record<string, unknown> = isRecord(line.fields) ? { ...line.fields } : {}
  for (const key of Object.keys(line)) {
    if (CORE.has(key) || originKeys.has(key)) continue
    if (OWN_ROOTS.has(rootOf(key))) collisions[key] = line[key]
    else attributes.push({ key, value: anyValue(line[key], encoding) })
  }
  if (line.spans !== undefined) attributes.push({ key: "spans", value: anyValue(line.spans, encoding) })
  exceptionAttributes(line.error, encoding, attributes)
  if (line.truncated === true) attributes.push({ key: "truncated", value: { boolValue: true } })
  if (Object.keys(collisions).length > 0)
    attributes.push({ key: "fields", value: anyValue(collisions, encoding) })
  let traceId: string | undefined
  let spanId: string | undefined
  if (validId(TRACE_ID, line.traceId)) traceId = line.traceId.toLowerCase()
  else if (typeof line.traceId === "string")
    attributes.push({ key: "traceId", value: { stringValue: line.traceId } })
  if (validId(SPAN_ID, line.spanId)) spanId = line.spanId.toLowerCase()
  else if (typeof line.spanId === "string")
    attributes.push({ key: "spanId", value: { stringValue: line.spanId } })
  const record: LogRecord = {
    timeUnixNano: nanosOf(typeof line.timestamp === "string" ? line.timestamp : String(e.timestamp), now),
    observedTimeUnixNano,
    severityNumber: severityNumber[level],
    severityText: level,
    body: { stringValue: typeof line.message === "string" ? line.message : "" },
    attributes,
    ...(traceId !== undefined ? { traceId } : {}),
    ...(spanId !== undefined ? { spanId } : {})
  }
  return { record, origin }
}

export interface RequestOptions {
  readonly encoding: Encoding
  /** Configured resource attributes; they override those read from events. */
  readonly resource: Readonly<Record<string, unknown>>
  /** The service name when neither the events nor the config name one. */
  readonly serviceName: string
  /** The instrumentation scope. */
  readonly scope: { readonly name: string; readonly version: string }
}

/** The events of one request as an `ExportLogsServiceRequest`, grouped by resource. */
export const toRequest = (
  events: ReadonlyArray<LogEvent.LogEvent>,
  options: RequestOptions,
  now: number = Date.now()
): ExportLogsServiceRequest => {
  const configured = keyValues(options.resource, options.encoding)
  const groups = new Map<string, { resource: Array<KeyValue>; records: Array<LogRecord> }>()
  for (const e of events) {
    const { record, origin } = toLogRecord(e, options.encoding, now)
    const attributes = new Map<string, KeyValue>([
      ["service.name", { key: "service.name", value: { stringValue: options.serviceName } }]
    ])
    for (const kv of origin) attributes.set(kv.key, kv)
    for (const kv of configured) attributes.set(kv.key, kv)
    const resource = [...attributes.values()]
    const id = JSON.stringify(resource)
    let group = groups.get(id)
    if (group === undefined) {
      group = { resource, records: [] }
      groups.set(id, group)
    }
    group.records.push(record)
  }
  return {
    resourceLogs: [...groups.values()].map((g) => ({
      resource: { attributes: g.resource, droppedAttributesCount: 0 },
      scopeLogs: [{ scope: options.scope, logRecords: g.records }]
    }))
  }
}
