/**
 * fapilog events in the OTLP logs data model (`ExportLogsServiceRequest`), as plain data the
 * writers of `encode.ts` turn into protobuf or OTLP/JSON.
 *
 * Each event's data is read as its JSON line reads back (`line.ts`): redacted, bounded
 * (depth, keys, items, string length) and plain JSON, exactly as the JSON line of a file
 * sink. That data is then mapped onto OTLP values:
 *
 * - `body`: the message, a string.
 * - `attributes`: `log.record.uid`, `logger.name`, `correlation.id`, every user field under its
 *   own key with its structure kept (objects as `kvlistValue`, arrays as `arrayValue`),
 *   `spans`, `exception.type/message/stacktrace/code` (plus `exception.cause`,
 *   `exception.errors`, `exception.details` as structured values), `truncated`; a user key
 *   whose root is `logger`, `correlation` or `exception`, or one named like a core key, goes
 *   under `fields`.
 * - `resource`: `service.name`, `service.version`, `deployment.environment.name`,
 *   `host.name`, `process.pid` from the enricher fields (which then leave the attributes),
 *   then the configured resource attributes, which win. Events with different resources go
 *   in different `ResourceLogs`.
 * - `traceId`/`spanId`: the event's ids when they are valid W3C ids (32 and 16 hex digits,
 *   not all zero); any other value is kept as a `traceId`/`spanId` string attribute.
 */

import { Level, type LogEvent } from "fapilog"
import { isoMillis } from "../../../shared/src/isoTime.js"
import { type Line, readLine } from "./line.js"

/**
 * An attribute: its key and its value as plain JSON data, which is the AnyValue it maps to:
 * a string `stringValue`, a boolean `boolValue`, a whole number in the int64 range `intValue`,
 * any other number `doubleValue`, `null` the empty value, an array `arrayValue`, an object
 * `kvlistValue`.
 */
export interface KeyValue {
  readonly key: string
  readonly value: unknown
}

export interface LogRecord {
  /** Epoch milliseconds of the event (`timeUnixNano` is this times 10^6). */
  readonly timeMs: number
  readonly severityNumber: number
  readonly severityText: string
  readonly body: string
  readonly attributes: ReadonlyArray<KeyValue>
  /** 32 lowercase hex digits, when the event has a valid W3C trace id. */
  readonly traceId: string | undefined
  /** 16 lowercase hex digits, when the event has a valid W3C span id. */
  readonly spanId: string | undefined
}

export interface ResourceLogs {
  readonly resource: ReadonlyArray<KeyValue>
  readonly records: Array<LogRecord>
}

export interface ExportLogsServiceRequest {
  readonly resourceLogs: ReadonlyArray<ResourceLogs>
  readonly scope: { readonly name: string; readonly version: string }
  /** When the request was encoded, epoch milliseconds: every record's `observedTimeUnixNano`. */
  readonly observedMs: number
}

/** OpenTelemetry severity numbers by fapilog level: fapilog's own table, the `otel` layout's. */
export const severityNumber: Readonly<Record<Level.Level, number>> = Level.otelSeverity

const TRACE_ID = /^[0-9a-f]{32}$/i
const SPAN_ID = /^[0-9a-f]{16}$/i
const ALL_ZERO = /^0+$/
const validId = (re: RegExp, id: string | undefined): id is string =>
  id !== undefined && re.test(id) && !ALL_ZERO.test(id)

// attribute roots this mapping writes itself; user keys under them go under `fields`
const OWN_ROOTS = new Set(["logger", "correlation", "exception", "fields", "spans", "truncated"])
const ownRoot = (key: string): boolean => {
  const dot = key.indexOf(".")
  return OWN_ROOTS.has(dot === -1 ? key : key.slice(0, dot))
}

/** Enricher fields that describe the emitting process, and their resource attribute names. */
const ORIGIN: Readonly<Record<string, readonly [string, "string" | "number"]>> = {
  service: ["service.name", "string"],
  version: ["service.version", "string"],
  env: ["deployment.environment.name", "string"],
  hostname: ["host.name", "string"],
  pid: ["process.pid", "number"]
}
const ORIGIN_ORDER = ["service", "version", "env", "hostname", "pid"] as const

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Sets an own key of a plain object, whatever its name (`__proto__` included). */
const put = (o: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

const exceptionAttributes = (error: unknown, out: Array<KeyValue>): void => {
  if (!isRecord(error)) return
  const text = (key: string, name: string) => {
    const v = error[name]
    if (typeof v === "string") out.push({ key, value: v })
  }
  text("exception.type", "type")
  text("exception.message", "message")
  text("exception.stacktrace", "stack")
  text("exception.code", "code")
  for (const name of ["cause", "errors", "details"]) {
    if (error[name] !== undefined) out.push({ key: `exception.${name}`, value: error[name] })
  }
}

/** The origin values of an event (by ORIGIN_ORDER, `undefined` where absent) and their grouping key. */
interface Origin {
  readonly values: Array<string | number | undefined>
  key: string
}

/** One event as an OTLP log record; its origin (resource) values are filled into `origin`. */
const toLogRecord = (e: LogEvent.LogEvent, line: Line, now: number, origin: Origin): LogRecord => {
  const attributes: Array<KeyValue> = []
  // the semantic conventions' unique id of a log record: the event's stable id, the same when
  // a request is retried or replayed from the spool, so a backend can de-duplicate with it
  if (typeof e.id === "string") attributes.push({ key: "log.record.uid", value: e.id })
  if (line.logger !== undefined) attributes.push({ key: "logger.name", value: line.logger })
  if (line.correlationId !== undefined) attributes.push({ key: "correlation.id", value: line.correlationId })
  origin.values.fill(undefined)
  let moved: Record<string, unknown> | undefined
  const { keys, values } = line
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const value = values[i]
    const o = Object.hasOwn(ORIGIN, key) ? ORIGIN[key] : undefined
    if (o !== undefined && typeof value === o[1] && (o[1] === "string" || Number.isSafeInteger(value))) {
      origin.values[ORIGIN_ORDER.indexOf(key as (typeof ORIGIN_ORDER)[number])] = value as string | number
      continue
    }
    if (ownRoot(key)) {
      moved ??= {}
      put(moved, key, value)
    } else attributes.push({ key, value })
  }
  origin.key = originKey(origin.values)
  if (line.spans !== undefined) attributes.push({ key: "spans", value: line.spans })
  exceptionAttributes(line.error, attributes)
  if (e.truncated === true) attributes.push({ key: "truncated", value: true })
  if (moved !== undefined || isRecord(line.collisions)) {
    const fields: Record<string, unknown> = {}
    if (isRecord(line.collisions))
      for (const k of Object.keys(line.collisions)) put(fields, k, line.collisions[k])
    if (moved !== undefined) for (const k of Object.keys(moved)) put(fields, k, moved[k])
    if (Object.keys(fields).length > 0) attributes.push({ key: "fields", value: fields })
  }
  let traceId: string | undefined
  let spanId: string | undefined
  if (validId(TRACE_ID, line.traceId)) traceId = line.traceId.toLowerCase()
  else if (line.traceId !== undefined) attributes.push({ key: "traceId", value: line.traceId })
  if (validId(SPAN_ID, line.spanId)) spanId = line.spanId.toLowerCase()
  else if (line.spanId !== undefined) attributes.push({ key: "spanId", value: line.spanId })
  const level: Level.Level = Object.hasOwn(severityNumber, line.level) ? (line.level as Level.Level) : "info"
  const ms = isoMillis(line.timestamp)
  return {
    timeMs: Number.isFinite(ms) ? ms : now,
    severityNumber: severityNumber[level],
    severityText: level,
    body: line.message ?? "",
    attributes,
    traceId,
    spanId
  }
}

/** A key naming the origin values, distinct for distinct values (lengths prefixed). */
const originKey = (values: ReadonlyArray<string | number | undefined>): string => {
  let key = ""
  for (const v of values) key += v === undefined ? "-" : typeof v === "number" ? `#${v}` : `${v.length}:${v}`
  return key
}

export interface RequestOptions {
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
  const configured: Array<KeyValue> = Object.keys(options.resource).map((key) => ({
    key,
    value: options.resource[key]
  }))
  // groups by origin key, and by resource (two origins can give one resource: configured attributes win)
  const groups = new Map<string, ResourceLogs>()
  const byResource = new Map<string, ResourceLogs>()
  const origin: Origin = { values: new Array(ORIGIN_ORDER.length).fill(undefined), key: "" }
  for (const e of events) {
    const record = toLogRecord(e, readLine(e), now, origin)
    let group = groups.get(origin.key)
    if (group === undefined) {
      const attributes = new Map<string, KeyValue>([
        ["service.name", { key: "service.name", value: options.serviceName }]
      ])
      ORIGIN_ORDER.forEach((field, i) => {
        const v = origin.values[i]
        const name = (ORIGIN[field] as readonly [string, string])[0]
        if (v !== undefined) attributes.set(name, { key: name, value: v })
      })
      for (const kv of configured) attributes.set(kv.key, kv)
      const resource = [...attributes.values()]
      const id = JSON.stringify(resource)
      group = byResource.get(id) ?? { resource, records: [] }
      byResource.set(id, group)
      groups.set(origin.key, group)
    }
    group.records.push(record)
  }
  return { resourceLogs: [...byResource.values()], scope: options.scope, observedMs: now }
}
