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
 * Attributes in order, flat: each key (a string) followed by its value as plain JSON data,
 * which is the AnyValue it maps to: a string `stringValue`, a boolean `boolValue`, a whole
 * number in the int64 range `intValue`, any other number `doubleValue`, `null` the empty value,
 * an array `arrayValue`, an object `kvlistValue`. (Flat: no object per attribute.)
 */
export type Attributes = Array<unknown>

export interface LogRecord {
  /** Epoch milliseconds of the event (`timeUnixNano` is this times 10^6). */
  readonly timeMs: number
  readonly severityNumber: number
  readonly severityText: string
  readonly body: string
  readonly attributes: Attributes
  /** 32 lowercase hex digits, when the event has a valid W3C trace id. */
  readonly traceId: string | undefined
  /** 16 lowercase hex digits, when the event has a valid W3C span id. */
  readonly spanId: string | undefined
}

export interface ResourceLogs {
  readonly resource: Attributes
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

/**
 * The id in lowercase when it is a valid W3C id of `length` hex digits (not all zero), else
 * `undefined`. The ids of a request's events repeat, so the last valid one of each length is
 * remembered.
 */
const lastValid = new Map<number, string>()
const w3cId = (id: string | undefined, length: number): string | undefined => {
  if (id === undefined || id.length !== length) return undefined
  if (lastValid.get(length) === id) return id
  let nonZero = false
  let upper = false
  for (let i = 0; i < length; i++) {
    const c = id.charCodeAt(i)
    if (c >= 48 && c <= 57) nonZero ||= c !== 48
    else if (c >= 97 && c <= 102) nonZero = true
    else if (c >= 65 && c <= 70) nonZero = upper = true
    else return undefined
  }
  if (!nonZero) return undefined
  if (upper) return id.toLowerCase()
  lastValid.set(length, id)
  return id
}

// attribute roots this mapping writes itself; user keys under them go under `fields`
const OWN_ROOTS = new Set(["logger", "correlation", "exception", "fields", "spans", "truncated"])

/** What a user key is to the mapping: an attribute, one under `fields`, or a resource value. */
const PLAIN = -1
const MOVED = -2 // otherwise the index of an ORIGIN_ORDER field

/** Kinds of the keys seen lately: a request's events repeat the same few names. */
const kinds = new Map<string, number>()
const MAX_REMEMBERED_KEYS = 4096
const kindOf = (key: string): number => {
  let kind = kinds.get(key)
  if (kind === undefined) {
    const dot = key.indexOf(".")
    kind = OWN_ROOTS.has(dot === -1 ? key : key.slice(0, dot))
      ? MOVED
      : (ORIGIN_ORDER as ReadonlyArray<string>).indexOf(key) // -1: PLAIN
    if (kinds.size >= MAX_REMEMBERED_KEYS) kinds.clear()
    kinds.set(key, kind)
  }
  return kind
}

/** Enricher fields that describe the emitting process, and their resource attribute names. */
const ORIGIN_ORDER = ["service", "version", "env", "hostname", "pid"] as const
const ORIGIN_ATTRIBUTES = [
  "service.name",
  "service.version",
  "deployment.environment.name",
  "host.name",
  "process.pid"
]
/** `process.pid` takes a whole number; the others a string. */
const PID = 4

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Sets an own key of a plain object, whatever its name (`__proto__` included). */
const put = (o: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

const exceptionAttributes = (error: unknown, out: Attributes): void => {
  if (!isRecord(error)) return
  const text = (key: string, name: string) => {
    const v = error[name]
    if (typeof v === "string") out.push(key, v)
  }
  text("exception.type", "type")
  text("exception.message", "message")
  text("exception.stacktrace", "stack")
  text("exception.code", "code")
  for (const name of ["cause", "errors", "details"]) {
    if (error[name] !== undefined) out.push(`exception.${name}`, error[name])
  }
}

/** The origin values of an event (by ORIGIN_ORDER, `undefined` where absent) and their grouping key. */
interface Origin {
  readonly values: Array<string | number | undefined>
  /** Whether any value is set. */
  any: boolean
  key: string
}

/** One event as an OTLP log record; its origin (resource) values are filled into `origin`. */
const toLogRecord = (e: LogEvent.LogEvent, line: Line, now: number, origin: Origin): LogRecord => {
  const attributes: Attributes = []
  // the semantic conventions' unique id of a log record: the event's stable id, the same when
  // a request is retried or replayed from the spool, so a backend can de-duplicate with it
  if (typeof e.id === "string") attributes.push("log.record.uid", e.id)
  if (line.logger !== undefined) attributes.push("logger.name", line.logger)
  if (line.correlationId !== undefined) attributes.push("correlation.id", line.correlationId)
  if (origin.any) {
    origin.values.fill(undefined)
    origin.any = false
  }
  let moved: Record<string, unknown> | undefined
  const { keys, values } = line
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const value = values[i]
    const kind = kindOf(key)
    if (kind === PLAIN) attributes.push(key, value)
    else if (kind === MOVED) {
      moved ??= {}
      put(moved, key, value)
    } else if (kind === PID ? Number.isSafeInteger(value) : typeof value === "string") {
      origin.values[kind] = value as string | number
      origin.any = true
    } else attributes.push(key, value)
  }
  origin.key = origin.any ? originKey(origin.values) : ""
  if (line.spans !== undefined) attributes.push("spans", line.spans)
  exceptionAttributes(line.error, attributes)
  if (e.truncated === true) attributes.push("truncated", true)
  if (moved !== undefined || isRecord(line.collisions)) {
    const fields: Record<string, unknown> = {}
    if (isRecord(line.collisions))
      for (const k of Object.keys(line.collisions)) put(fields, k, line.collisions[k])
    if (moved !== undefined) for (const k of Object.keys(moved)) put(fields, k, moved[k])
    if (Object.keys(fields).length > 0) attributes.push("fields", fields)
  }
  const traceId = w3cId(line.traceId, 32)
  if (traceId === undefined && line.traceId !== undefined) attributes.push("traceId", line.traceId)
  const spanId = w3cId(line.spanId, 16)
  if (spanId === undefined && line.spanId !== undefined) attributes.push("spanId", line.spanId)
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
  const configured = Object.keys(options.resource)
  // groups by origin key, and by resource (two origins can give one resource: configured attributes win)
  const groups = new Map<string, ResourceLogs>()
  const byResource = new Map<string, ResourceLogs>()
  const origin: Origin = { values: new Array(ORIGIN_ORDER.length).fill(undefined), any: false, key: "" }
  for (const e of events) {
    const record = toLogRecord(e, readLine(e), now, origin)
    let group = groups.get(origin.key)
    if (group === undefined) {
      const attributes = new Map<string, unknown>([["service.name", options.serviceName]])
      origin.values.forEach((v, i) => {
        if (v !== undefined) attributes.set(ORIGIN_ATTRIBUTES[i] as string, v)
      })
      for (const key of configured) attributes.set(key, options.resource[key])
      const resource: Attributes = []
      for (const [key, value] of attributes) resource.push(key, value)
      const id = JSON.stringify(resource)
      group = byResource.get(id) ?? { resource, records: [] }
      byResource.set(id, group)
      groups.set(origin.key, group)
    }
    group.records.push(record)
  }
  return { resourceLogs: [...byResource.values()], scope: options.scope, observedMs: now }
}
