/**
 * The two OTLP/HTTP bodies of an `ExportLogsServiceRequest` (see `logs.ts`):
 *
 * - protobuf, with the field numbers of the official definitions
 *   (`opentelemetry/proto/collector/logs/v1/logs_service.proto`, `logs/v1/logs.proto`,
 *   `common/v1/common.proto`, `resource/v1/resource.proto`), written by the plugins' protobuf
 *   writer. Fields at their default (zero, empty) are left out, as proto3 does, except the
 *   members of `AnyValue`'s `oneof`, whose presence is the value.
 * - OTLP/JSON, by the OTLP specification's JSON rules: lowerCamelCase field names, 64-bit
 *   integers (`timeUnixNano`, `intValue`) as decimal strings, `traceId`/`spanId` as hex
 *   (not base64), enums as numbers, default values left out.
 *
 * Values are plain JSON data (see `Attributes` in `logs.ts`); strings are written as valid
 * UTF-8, each lone surrogate as U+FFFD.
 */
import { FIXED64, LENGTH_DELIMITED, ProtoWriter, VARINT, varintSize } from "../../../shared/src/protobuf.js"
import type { Attributes, ExportLogsServiceRequest, LogRecord } from "./logs.js"

const INT64_LIMIT = 2 ** 63
const TWO_TO_32 = 4294967296
/** The last millisecond whose nanoseconds fit an unsigned 64-bit integer (year 2554). */
const MAX_MILLIS = 18_446_744_073_709

const isInt64 = (n: number): boolean => Number.isInteger(n) && n >= -INT64_LIMIT && n < INT64_LIMIT

// ---- protobuf --------------------------------------------------------------------------------

/** The contents of an AnyValue message: string 1, bool 2, int 3, double 4, array 5, kvlist 6. */
const writeAnyValue = (w: ProtoWriter, v: unknown): void => {
  switch (typeof v) {
    case "string":
      w.tag(1, LENGTH_DELIMITED).string(v)
      return
    case "boolean":
      w.tag(2, VARINT).bool(v)
      return
    case "number":
      if (isInt64(v)) w.tag(3, VARINT).int64(v)
      else if (Number.isFinite(v)) w.tag(4, FIXED64).double(v)
      else w.tag(1, LENGTH_DELIMITED).string(String(v))
      return
    case "object": {
      if (v === null) return
      if (Array.isArray(v)) {
        // ArrayValue.values = 1
        const array = w.begin(5)
        for (const item of v) {
          const m = w.begin(1)
          writeAnyValue(w, item)
          w.end(m)
        }
        w.end(array)
        return
      }
      // KeyValueList.values = 1
      const list = w.begin(6)
      const o = v as Record<string, unknown>
      for (const key of Object.keys(o)) writeKeyValue(w, 1, key, o[key])
      w.end(list)
      return
    }
    default:
      return
  }
}

/** A KeyValue (key 1, value 2) as field `field` of the enclosing message. */
const writeKeyValue = (w: ProtoWriter, field: number, key: string, value: unknown): void => {
  const kv = w.begin(field)
  w.tag(1, LENGTH_DELIMITED).knownString(key)
  const m = w.begin(2)
  writeAnyValue(w, value)
  w.end(m)
  w.end(kv)
}

/** A `fixed64` of `ms` milliseconds in nanoseconds, written exactly (no BigInt): ms = hi·2^32 + lo. */
const writeNanos = (w: ProtoWriter, field: number, ms: number): void => {
  if (!(ms > 0 && ms <= MAX_MILLIS)) return // 0 is "unknown"; earlier or later times have no fixed64
  const lo = ms % TWO_TO_32
  const x = lo * 1_000_000 // below 2^52: exact
  const xLo = x % TWO_TO_32
  w.tag(field, FIXED64).fixed64(xLo, ((ms - lo) / TWO_TO_32) * 1_000_000 + (x - xLo) / TWO_TO_32)
}

/**
 * LogRecord: time_unix_nano 1, severity_number 2, severity_text 3, body 5, attributes 6,
 * trace_id 9, span_id 10, observed_time_unix_nano 11.
 */
const writeRecord = (w: ProtoWriter, r: LogRecord, observedMs: number): void => {
  writeNanos(w, 1, r.timeMs)
  w.tag(2, VARINT).uint32(r.severityNumber)
  if (r.severityText !== "") w.tag(3, LENGTH_DELIMITED).knownString(r.severityText)
  const body = w.begin(5)
  writeAnyValue(w, r.body)
  w.end(body)
  writeAttributes(w, 6, r.attributes)
  if (r.traceId !== undefined) w.tag(9, LENGTH_DELIMITED).hexBytes(r.traceId)
  if (r.spanId !== undefined) w.tag(10, LENGTH_DELIMITED).hexBytes(r.spanId)
  writeNanos(w, 11, observedMs)
}

const writeAttributes = (w: ProtoWriter, field: number, attributes: Attributes): void => {
  for (let i = 0; i < attributes.length; i += 2)
    writeKeyValue(w, field, attributes[i] as string, attributes[i + 1])
}

// one writer per process, reused: a request is written and copied out before the next begins
const writer = new ProtoWriter(256 * 1024)

/**
 * ExportLogsServiceRequest.resource_logs 1 → ResourceLogs: resource 1 (Resource.attributes 1),
 * scope_logs 2 → ScopeLogs: scope 1 (InstrumentationScope name 1, version 2), log_records 2.
 */
export const protobuf = (request: ExportLogsServiceRequest): Uint8Array => {
  const w = writer
  w.reset()
  // a record's length takes the bytes the last one's did, most likely (it moves when not)
  let reserve = 2
  for (const rl of request.resourceLogs) {
    // a whole request's messages: up to 2 MiB without moving
    const resourceLogs = w.begin(1, 3)
    const resource = w.begin(1)
    writeAttributes(w, 1, rl.resource)
    w.end(resource)
    const scopeLogs = w.begin(2, 3)
    const scope = w.begin(1)
    if (request.scope.name !== "") w.tag(1, LENGTH_DELIMITED).string(request.scope.name)
    if (request.scope.version !== "") w.tag(2, LENGTH_DELIMITED).string(request.scope.version)
    w.end(scope)
    for (const r of rl.records) {
      const record = w.begin(2, reserve)
      writeRecord(w, r, request.observedMs)
      reserve = varintSize(w.end(record, reserve))
    }
    w.end(scopeLogs, 3)
    w.end(resourceLogs, 3)
  }
  return w.finish()
}

// ---- OTLP/JSON -------------------------------------------------------------------------------

const SURROGATE = /[\ud800-\udfff]/
const toWellFormed = (String.prototype as unknown as { toWellFormed: (this: string) => string }).toWellFormed

/** A JSON string of valid UTF-8: a lone surrogate becomes U+FFFD, as in the protobuf body. */
const jsonString = (s: string): string => JSON.stringify(SURROGATE.test(s) ? toWellFormed.call(s) : s)

const jsonAnyValue = (v: unknown): string => {
  switch (typeof v) {
    case "string":
      return `{"stringValue":${jsonString(v)}}`
    case "boolean":
      return `{"boolValue":${v}}`
    case "number":
      // an int64 is a decimal string (-0 as 0); past 2^53 a double prints as its shortest
      // round-trip form (2^60 as 1152921504606847000), so BigInt gives the exact digits
      if (isInt64(v)) return `{"intValue":"${Number.isSafeInteger(v) ? v : BigInt(v)}"}`
      return Number.isFinite(v) ? `{"doubleValue":${v}}` : `{"stringValue":"${v}"}`
    case "object": {
      if (v === null) return "{}"
      if (Array.isArray(v)) return `{"arrayValue":{"values":[${v.map(jsonAnyValue).join(",")}]}}`
      const o = v as Record<string, unknown>
      return `{"kvlistValue":{"values":[${Object.keys(o)
        .map((key) => jsonKeyValue(key, o[key]))
        .join(",")}]}}`
    }
    default:
      return "{}"
  }
}

const jsonKeyValue = (key: string, value: unknown): string =>
  `{"key":${jsonString(key)},"value":${jsonAnyValue(value)}}`

const jsonAttributes = (attributes: Attributes): string => {
  let out = ""
  for (let i = 0; i < attributes.length; i += 2)
    out += `${i > 0 ? "," : ""}${jsonKeyValue(attributes[i] as string, attributes[i + 1])}`
  return out
}

/** Nanoseconds of `ms` as decimal digits, or undefined where the field is left out (see writeNanos). */
const jsonNanos = (ms: number): string | undefined =>
  ms > 0 && ms <= MAX_MILLIS ? `"${ms}000000"` : undefined

const jsonRecord = (r: LogRecord, observed: string | undefined): string => {
  let out = "{"
  const time = jsonNanos(r.timeMs)
  if (time !== undefined) out += `"timeUnixNano":${time},`
  if (observed !== undefined) out += `"observedTimeUnixNano":${observed},`
  out += `"severityNumber":${r.severityNumber}`
  if (r.severityText !== "") out += `,"severityText":${jsonString(r.severityText)}`
  out += `,"body":${jsonAnyValue(r.body)}`
  if (r.attributes.length > 0) out += `,"attributes":[${jsonAttributes(r.attributes)}]`
  if (r.traceId !== undefined) out += `,"traceId":"${r.traceId}"`
  if (r.spanId !== undefined) out += `,"spanId":"${r.spanId}"`
  return `${out}}`
}

export const json = (request: ExportLogsServiceRequest): string => {
  const observed = jsonNanos(request.observedMs)
  const scope: Array<string> = []
  if (request.scope.name !== "") scope.push(`"name":${jsonString(request.scope.name)}`)
  if (request.scope.version !== "") scope.push(`"version":${jsonString(request.scope.version)}`)
  const scopeText = `{${scope.join(",")}}`
  const resourceLogs = request.resourceLogs.map(
    (rl) =>
      `{"resource":{"attributes":[${jsonAttributes(rl.resource)}]},"scopeLogs":[{"scope":${scopeText},"logRecords":[${rl.records
        .map((r) => jsonRecord(r, observed))
        .join(",")}]}]}`
  )
  return `{"resourceLogs":[${resourceLogs.join(",")}]}`
}
