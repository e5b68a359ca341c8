/**
 * Decodes OTLP/HTTP logs bodies with the official definitions (test/fixtures, from
 * open-telemetry/opentelemetry-proto), into plain data in the shape of the OTLP/JSON
 * mapping: lowerCamelCase keys, 64-bit integers as decimal strings, ids as lowercase hex.
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import protobuf from "protobufjs"

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url))

const root = new protobuf.Root()
root.resolvePath = (_origin, target) => path.join(fixtures, target)
root.loadSync("opentelemetry/proto/collector/logs/v1/logs_service.proto")
root.resolveAll()

const Request = root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest")

export interface AnyValue {
  readonly stringValue?: string
  readonly boolValue?: boolean
  readonly intValue?: string
  readonly doubleValue?: number
  readonly bytesValue?: string
  readonly arrayValue?: { readonly values?: ReadonlyArray<AnyValue> }
  readonly kvlistValue?: { readonly values?: ReadonlyArray<KeyValue> }
}
export interface KeyValue {
  readonly key: string
  readonly value?: AnyValue
}
export interface LogRecord {
  readonly timeUnixNano: string
  readonly observedTimeUnixNano: string
  readonly severityNumber: number
  readonly severityText: string
  readonly body?: AnyValue
  readonly attributes?: ReadonlyArray<KeyValue>
  readonly traceId?: string
  readonly spanId?: string
  readonly flags?: number
}
export interface Request {
  readonly resourceLogs: ReadonlyArray<{
    readonly resource?: { readonly attributes?: ReadonlyArray<KeyValue> }
    readonly scopeLogs: ReadonlyArray<{
      readonly scope?: { readonly name: string; readonly version: string }
      readonly logRecords: ReadonlyArray<LogRecord>
    }>
  }>
}

const hexIds = (o: unknown): unknown => {
  if (Array.isArray(o)) return o.map(hexIds)
  if (typeof o !== "object" || o === null) return o
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    out[k] =
      (k === "traceId" || k === "spanId") && typeof v === "string"
        ? Buffer.from(v, "base64").toString("hex")
        : hexIds(v)
  }
  return out
}

/** An ExportLogsServiceRequest in protobuf, decoded with the official definition. */
export const decodeRequest = (body: Uint8Array): Request => {
  const message = Request.decode(body)
  // verify() checks every field against its declared type, beyond what decode needs
  const problem = Request.verify(message)
  if (problem !== null) throw new Error(`invalid ExportLogsServiceRequest: ${problem}`)
  return hexIds(
    Request.toObject(message, { longs: String, enums: Number, bytes: String, oneofs: false })
  ) as Request
}

/** Every key of a JSON object is a field of `type` (recursively): the JSON mapping has no extras. */
const checkKeys = (type: protobuf.Type, o: unknown, at: string): void => {
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new Error(`${at} is not an object`)
  for (const [k, v] of Object.entries(o)) {
    const field = type.fields[k]
    if (field === undefined) throw new Error(`${at}.${k} is not a field of ${type.fullName}`)
    const child = field.resolve().resolvedType
    if (child instanceof protobuf.Type) {
      if (field.repeated) {
        if (!Array.isArray(v)) throw new Error(`${at}.${k} is not an array`)
        for (const [i, item] of v.entries()) checkKeys(child, item, `${at}.${k}[${i}]`)
      } else checkKeys(child, v, `${at}.${k}`)
    }
  }
}

/**
 * An OTLP/JSON body read through the official definition: every key must be a field of its
 * message, then protobufjs's `fromObject` reads the values (ids excepted: OTLP/JSON writes
 * them as hex, proto3 JSON as base64, so they are converted first and must be lowercase hex).
 */
export const decodeJsonRequest = (text: string): Request => {
  const base64Ids = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(base64Ids)
    if (typeof o !== "object" || o === null) return o
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(o)) {
      if ((k === "traceId" || k === "spanId") && typeof v === "string") {
        if (!/^[0-9a-f]*$/.test(v)) throw new Error(`${k} ${v} is not lowercase hex`)
        out[k] = Buffer.from(v, "hex").toString("base64")
      } else out[k] = base64Ids(v)
    }
    return out
  }
  const json = base64Ids(JSON.parse(text)) as Record<string, unknown>
  checkKeys(Request, json, "request")
  const message = Request.fromObject(json)
  return hexIds(
    Request.toObject(message, { longs: String, enums: Number, bytes: String, oneofs: false })
  ) as Request
}

/** Attributes as a plain object of their decoded AnyValues. */
export const attributesOf = (
  kvs: ReadonlyArray<KeyValue> | undefined
): Record<string, AnyValue | undefined> => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, kv.value]))
