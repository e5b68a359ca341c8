import type { LogEvent } from "../LogEvent.js"
import type { ErrorInfo } from "./errorInfo.js"
import type { FormatterImpl } from "./formatter.js"
import { defaultLimits, type JsonLimits, quote, safeRead, stringify } from "./json.js"
import type { LevelName } from "./level.js"
import { RESERVED_KEYS } from "./record.js"
import { uniqueNames } from "./uniqueNames.js"

/** The ECS version the `ecs` layout declares in `ecs.version`. */
export const ecsVersion = "8.11.0"

/**
 * pino's level numbers. The first six are pino's own; `audit` and `security` keep
 * fapilog's ranks (70, 80), which is what a pino logger with those custom levels writes.
 * pino-pretty prints them as `USERLVL` unless told `customLevels: "audit:70,security:80"`
 * (and, with pino-pretty 13, `useOnlyCustomProps: false`, or it forgets its own levels).
 */
export const pinoLevels: Readonly<Record<LevelName, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  audit: 70,
  security: 80
}

/**
 * OpenTelemetry severity numbers. `audit` records facts rather than trouble, so it sits
 * at the top of the INFO range (12, INFO4); `security` asks for attention without meaning
 * a crash, so it sits at the top of the ERROR range (20, ERROR4). `SeverityText` keeps the
 * fapilog name, so neither is confused with a plain info or error.
 */
export const otelSeverity: Readonly<Record<LevelName, number>> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
  audit: 12,
  security: 20
}

/** Builds one JSON object as text, keys in the order they are added. */
class JsonObject {
  private out = ""
  /**
   * @param rewrite applied to the JSON text of every object or array added with `value` or
   *   `userValue` (the ECS layout renames the keys Elasticsearch would refuse)
   */
  constructor(
    private readonly limits: JsonLimits,
    private readonly rewrite?: ((json: string) => string) | undefined
  ) {}

  /**
   * Adds a member whose value is already JSON text; `undefined` adds nothing. Our own
   * keys are never cut; user keys are cut at the string limit, as in the JSON line.
   */
  json(key: string, json: string | undefined, keyMaxLength: number = Number.POSITIVE_INFINITY): this {
    if (json !== undefined) this.out += `${this.out === "" ? "{" : ","}${quote(key, keyMaxLength)}:${json}`
    return this
  }

  /** Adds a string member, cut at `maxLength`. */
  text(key: string, value: string | undefined, maxLength: number = this.limits.maxStringLength): this {
    return value === undefined ? this : this.json(key, quote(value, maxLength))
  }

  /** Adds any value, serialized within the limits. */
  value(key: string, value: unknown): this {
    return this.json(key, this.serialize(value))
  }

  /** Adds a user field: its value and its key are both held to the limits. */
  userValue(key: string, value: unknown): this {
    return this.json(key, this.serialize(value), this.limits.maxStringLength)
  }

  private serialize(value: unknown): string | undefined {
    const json = stringify(value, this.limits)
    if (json === undefined || this.rewrite === undefined) return json
    // only objects and arrays hold keys
    const first = json.charCodeAt(0)
    return first === 0x7b || first === 0x5b ? this.rewrite(json) : json
  }

  get empty(): boolean {
    return this.out === ""
  }

  end(): string {
    return this.out === "" ? "{}" : `${this.out}}`
  }
}

/** The enricher fields that layouts move into their own resource slots. */
interface Origin {
  readonly service?: string
  readonly env?: string
  readonly version?: string
  readonly hostname?: string
  readonly pid?: number
}

const ORIGIN_KEYS: ReadonlySet<string> = new Set(["service", "env", "version", "hostname", "pid"])

/** Reads the enricher keys that have the expected type; the others stay ordinary fields. */
const originOf = (fields: LogEvent["fields"]): Origin => {
  const origin: { -readonly [K in keyof Origin]: Origin[K] } = {}
  for (const k of ["service", "env", "version", "hostname"] as const) {
    if (!Object.hasOwn(fields, k)) continue
    const v = safeRead(fields, k)
    if (typeof v === "string") origin[k] = v
  }
  if (Object.hasOwn(fields, "pid")) {
    const pid = safeRead(fields, "pid")
    if (typeof pid === "number" && Number.isInteger(pid)) origin.pid = pid
  }
  return origin
}

const rootOf = (key: string): string => {
  const dot = key.indexOf(".")
  return dot === -1 ? key : key.slice(0, dot)
}

/**
 * The names user keys are written under at the top level when `fix` renames at least one
 * of them (else `undefined`: every key as given). Keys that go under `fields` take no name
 * here; the others follow {@link uniqueNames}, so a renamed key never takes the name of a key
 * written as given.
 */
const topLevelNames = (
  keys: ReadonlyArray<string>,
  fix: (key: string) => string,
  reserved: ReadonlySet<string>
): ReadonlyArray<string> | undefined => {
  let candidates: Array<string> | undefined
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string
    const c = fix(k)
    if (c !== k) (candidates ??= keys.slice(0, i)).push(c)
    else candidates?.push(c)
  }
  if (candidates === undefined) return undefined
  const written: Array<number> = []
  for (let i = 0; i < candidates.length; i++)
    if (!reserved.has(rootOf(candidates[i] as string))) written.push(i)
  const names = uniqueNames(
    written.map((i) => candidates[i] as string),
    written.map((i) => candidates[i] !== keys[i])
  )
  const out = candidates.slice()
  written.forEach((i, j) => {
    out[i] = names[j] as string
  })
  return out
}

/**
 * Writes the user fields into `target`, except the origin keys a layout consumed. A key
 * whose root (the part before the first dot) is one the layout writes itself is collected
 * instead, under its own key, to go under `fields`; returns those, or `undefined`. `fix`
 * renames the keys a layout's schema refuses.
 */
const writeUserFields = (
  target: JsonObject,
  fields: LogEvent["fields"],
  reserved: ReadonlySet<string>,
  origin: Origin | undefined,
  fix?: ((key: string) => string) | undefined
): Record<string, unknown> | undefined => {
  let collisions: Record<string, unknown> | undefined
  const keys = Object.keys(fields)
  const names = fix === undefined ? undefined : topLevelNames(keys, fix, reserved)
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string
    if (origin !== undefined && ORIGIN_KEYS.has(k) && origin[k as keyof Origin] !== undefined) continue
    const v = safeRead(fields, k)
    const name = names === undefined ? k : (names[i] as string)
    if (reserved.has(rootOf(name))) {
      collisions ??= Object.create(null) as Record<string, unknown>
      collisions[k] = v
    } else {
      target.userValue(name, v)
    }
  }
  return collisions
}

const epochMillis = (timestamp: string): number => {
  const t = Date.parse(timestamp)
  return Number.isFinite(t) ? t : Date.now()
}

/**
 * An error's stack with its causes and aggregated errors appended the way other runtimes
 * print them ("Caused by: ..."), for schemas that have one stack-trace text field.
 */
const fullStack = (info: ErrorInfo): string | undefined => {
  if (info.stack === undefined && info.cause === undefined && info.errors === undefined) return undefined
  let out = info.stack ?? `${info.type}: ${info.message}`
  if (info.errors !== undefined) {
    info.errors.forEach((e, i) => {
      out += `\n  [errors.${i}] ${(fullStack(e) ?? `${e.type}: ${e.message}`).replace(/\n/g, "\n  ")}`
    })
  }
  if (info.cause !== undefined)
    out += `\nCaused by: ${fullStack(info.cause) ?? `${info.cause.type}: ${info.cause.message}`}`
  return out
}

/**
 * An event that could not be laid out (an unexpected failure) still yields one valid
 * object with the level and a note, and nothing from the user's data.
 */
const fallback = (
  keys: { readonly time: string; readonly level: string; readonly message: string },
  e: LogEvent
) =>
  `{${quote(keys.time)}:${quote(String(e.timestamp), 64)},${quote(keys.level)}:${quote(String(e.level), 64)},${quote(keys.message)}:"[fapilog: event could not be formatted]"}`

/** fapilog's core key names plus the roots a layout writes: user keys under these go under `fields`. */
const reservedWith = (own: ReadonlyArray<string>): ReadonlySet<string> => new Set([...RESERVED_KEYS, ...own])

const ECS_RESERVED = reservedWith([
  "@timestamp",
  "log",
  "message",
  "ecs",
  "event",
  "service",
  "host",
  "process",
  "trace",
  "span",
  "transaction",
  "labels",
  "error",
  "spans",
  "fields",
  // Elasticsearch's metadata fields, which it refuses inside a document ("Field [_id] is a
  // metadata field and cannot be added inside a document"; DocumentParser)
  "_id",
  "_index",
  "_source",
  "_routing",
  "_ignored",
  "_ignored_source",
  "_field_names",
  "_version",
  "_seq_no",
  "_primary_term",
  "_nested_path",
  "_doc_count",
  "_data_stream_timestamp",
  "_tsid",
  "_ts_routing_hash",
  "_tier",
  "_size",
  "_type"
])

// Java's Character.isWhitespace, which String.isBlank tests: Elasticsearch refuses a field name,
// or a segment of a dotted one, made only of these (U+00A0, U+2007 and U+202F are not among them).
const JAVA_WHITESPACE =
  "\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u1680\\u2000-\\u2006\\u2008-\\u200a\\u2028\\u2029\\u205f\\u3000"
const REFUSED_ECS_KEY = new RegExp(`^$|^\\.|\\.$|\\.\\.|(?:^|\\.)[${JAVA_WHITESPACE}]+(?:\\.|$)`)
const BLANK = new RegExp(`^[${JAVA_WHITESPACE}]*$`)

/**
 * A key as the `ecs` layout writes it. Elasticsearch (with the default `subobjects: true`)
 * reads the dots of a field name as object paths and refuses the whole document when a name
 * is empty, only whitespace, only dots, or has an empty or blank segment (a leading,
 * trailing or doubled dot: `.a`, `a.`, `a..b`, `a. .b`); see `splitAndValidatePath` in
 * Elasticsearch's `DotExpandingXContentParser` and `throwFieldNameBlank` in its
 * `DocumentParser`. Such a key loses its empty and blank segments (`.a` and `a.` become `a`,
 * `a..b` becomes `a.b`); a key with nothing left is written `_`. Valid keys are returned as
 * they are. Repeats that this creates are told apart by {@link uniqueNames}.
 */
export const ecsKey = (key: string): string => {
  const first = key.charCodeAt(0)
  // the common case: no dot, and a first character that is not whitespace (so not blank)
  if (first > 0x20 && first < 0x1680 && !key.includes(".")) return key
  if (!REFUSED_ECS_KEY.test(key)) return key
  let out = ""
  for (const segment of key.split(".")) {
    if (!BLANK.test(segment)) out = out === "" ? segment : `${out}.${segment}`
  }
  return out === "" ? "_" : out
}

// In the JSON text of a nested value, what a key refused by `ecsKey` looks like: `"":`, a
// string starting or ending with a dot, `..`, or a run of (possibly escaped) whitespace
// between quotes and dots. Values can match too; the rewrite then finds nothing to change.
const MAYBE_REFUSED_KEY = /"":|"\.|\.":|\.\.|[".](?:\s|\\[tnfr]|\\u[0-9a-f]{4})+[".]/

/**
 * Rewrites the keys of every object in `json` (text from `stringify`: valid, no whitespace
 * between tokens) with `fix`, keeping them unique per object by {@link uniqueNames}; values
 * are copied as they are. The repeats a Map can write (the keys `1` and `"1"`) are told apart
 * too.
 */
const rewriteKeys = (json: string, fix: (key: string) => string): string => {
  // where each key is: [start, end) of its quoted text, per object, found in one pass
  const objects: Array<Array<{ start: number; end: number; key: string }>> = []
  const stack: Array<Array<{ start: number; end: number; key: string }> | undefined> = []
  let expectKey = false
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i)
    if (c === 0x22) {
      let j = i + 1
      while (json.charCodeAt(j) !== 0x22) j += json.charCodeAt(j) === 0x5c ? 2 : 1
      if (expectKey) {
        stack[stack.length - 1]?.push({
          start: i,
          end: j + 1,
          key: JSON.parse(json.slice(i, j + 1)) as string
        })
        expectKey = false
      }
      i = j
    } else if (c === 0x7b) {
      const keys: Array<{ start: number; end: number; key: string }> = []
      objects.push(keys)
      stack.push(keys)
      expectKey = true
    } else if (c === 0x5b) {
      stack.push(undefined)
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop()
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] !== undefined
    }
  }
  const edits: Array<{ start: number; end: number; text: string }> = []
  for (const keys of objects) {
    const candidates = keys.map((k) => fix(k.key))
    const names = uniqueNames(
      candidates,
      candidates.map((c, i) => c !== keys[i]?.key)
    )
    keys.forEach((k, i) => {
      const name = names[i] as string
      if (name !== k.key)
        edits.push({ start: k.start, end: k.end, text: quote(name, Number.POSITIVE_INFINITY) })
    })
  }
  if (edits.length === 0) return json
  edits.sort((a, b) => a.start - b.start)
  let out = ""
  let last = 0
  for (const edit of edits) {
    out += json.slice(last, edit.start) + edit.text
    last = edit.end
  }
  return out + json.slice(last)
}

/** An object or array in the `ecs` layout: keys Elasticsearch refuses, renamed at any depth. */
const ecsNested = (json: string): string => (MAYBE_REFUSED_KEY.test(json) ? rewriteKeys(json, ecsKey) : json)

const formatEcs = (e: LogEvent, limits: JsonLimits): string => {
  const o = new JsonObject(limits, ecsNested)
  o.text("@timestamp", e.timestamp, 64)
    .text("log.level", e.level, 64)
    .text("message", e.message)
    .text("ecs.version", ecsVersion, 64)
    .text("log.logger", e.logger)
  const origin = originOf(e.fields)
  o.text("service.name", origin.service)
    .text("service.version", origin.version)
    .text("service.environment", origin.env)
    .text("event.dataset", origin.service)
    .text("host.hostname", origin.hostname)
    .json("process.pid", origin.pid === undefined ? undefined : `${origin.pid}`)
    .text("trace.id", e.traceId, 256)
    .text("span.id", e.spanId, 256)
    .text("labels.correlation_id", e.correlationId, 256)
  const collisions = writeUserFields(o, e.fields, ECS_RESERVED, origin, ecsKey)
  if (e.spans !== undefined) o.value("spans", e.spans)
  if (e.error !== undefined) {
    o.text("error.type", e.error.type)
      .text("error.message", e.error.message)
      .text("error.code", e.error.code)
      .text("error.stack_trace", fullStack(e.error))
      .value("error.details", e.error.details)
  }
  if (collisions !== undefined) o.value("fields", collisions)
  return o.end()
}

/**
 * Elastic Common Schema, as the ecs-logging libraries write it: top-level dotted keys,
 * `@timestamp`, `log.level` and `message` first, `ecs.version` "8.11.0", `log.logger`,
 * `trace.id`, `span.id`, the correlation id as `labels.correlation_id`, `service.*`,
 * `event.dataset`, `host.hostname` and `process.pid` from the enricher fields, user fields
 * at the top level, `error.type/message/code/stack_trace` (causes appended to the stack
 * trace). A user key under a root this layout writes goes under `fields`.
 */
export const makeEcs = (limits: JsonLimits = defaultLimits): FormatterImpl => ({
  name: "ecs",
  format: (e) => {
    try {
      return formatEcs(e, limits)
    } catch {
      return fallback({ time: "@timestamp", level: "log.level", message: "message" }, e)
    }
  }
})

const OTEL_RESERVED = reservedWith(["logger", "correlation", "exception"])

// W3C Trace Context (https://www.w3.org/TR/trace-context/#trace-id, #parent-id): 32 and 16
// lowercase hex digits, not all zero; the data model's TraceId and SpanId are these ids.
const W3C_TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/
const W3C_SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/

/** The common specification: "The attribute key MUST be a non-null and non-empty string". */
const otelAttributeKey = (key: string): string => (key === "" ? "_" : key)

const formatOtel = (e: LogEvent, limits: JsonLimits): string => {
  const o = new JsonObject(limits)
  const nanos = BigInt(epochMillis(e.timestamp)) * 1_000_000n
  // A span id belongs to a trace: without a valid TraceId, SpanId stays an attribute too.
  const traceId = e.traceId !== undefined && W3C_TRACE_ID.test(e.traceId) ? e.traceId : undefined
  const spanId =
    traceId !== undefined && e.spanId !== undefined && W3C_SPAN_ID.test(e.spanId) ? e.spanId : undefined
  o.text("Timestamp", `${nanos}`, 64)
    .text("SeverityText", e.level, 64)
    .json("SeverityNumber", `${otelSeverity[e.level] ?? 0}`)
    .text("Body", e.message)
    .text("TraceId", traceId, 64)
    .text("SpanId", spanId, 64)
  if (e.logger !== "") o.json("InstrumentationScope", `{"Name":${quote(e.logger, limits.maxStringLength)}}`)
  const origin = originOf(e.fields)
  const attributes = new JsonObject(limits)
    .text("correlation.id", e.correlationId, 256)
    .text("traceId", traceId === undefined ? e.traceId : undefined, 256)
    .text("spanId", spanId === undefined ? e.spanId : undefined, 256)
  const collisions = writeUserFields(attributes, e.fields, OTEL_RESERVED, origin, otelAttributeKey)
  if (e.spans !== undefined) attributes.value("spans", e.spans)
  if (e.error !== undefined) {
    attributes
      .text("exception.type", e.error.type)
      .text("exception.message", e.error.message)
      .text("exception.stacktrace", fullStack(e.error))
      .text("exception.code", e.error.code)
      .value("exception.details", e.error.details)
  }
  if (collisions !== undefined) attributes.value("fields", collisions)
  o.json("Attributes", attributes.end())
  const resource = new JsonObject(limits)
    .text("service.name", origin.service)
    .text("service.version", origin.version)
    .text("deployment.environment.name", origin.env)
    .text("host.name", origin.hostname)
    .json("process.pid", origin.pid === undefined ? undefined : `${origin.pid}`)
  if (!resource.empty) o.json("Resource", resource.end())
  return o.end()
}

/**
 * The OpenTelemetry log data model as one JSON object: `Timestamp` (nanoseconds since the
 * epoch, as a string), `SeverityText` (the fapilog level), `SeverityNumber`
 * ({@link otelSeverity}), `Body`, `TraceId` and `SpanId` (only valid W3C ids; others go to
 * `Attributes` as `traceId` / `spanId`), `InstrumentationScope.Name` (the logger name, as the
 * specification asks of loggers with names), `Attributes` (`correlation.id`, user fields,
 * `exception.type/message/stacktrace`; an empty key is written `_`) and `Resource`
 * (`service.name`, `service.version`, `deployment.environment.name`, `host.name`,
 * `process.pid`) from the enricher fields. A user key whose root is `logger`,
 * `correlation`, `exception` or a fapilog core key goes under `Attributes.fields`.
 */
export const makeOtel = (limits: JsonLimits = defaultLimits): FormatterImpl => ({
  name: "otel",
  format: (e) => {
    try {
      return formatOtel(e, limits)
    } catch {
      return fallback({ time: "Timestamp", level: "SeverityText", message: "Body" }, e)
    }
  }
})

/**
 * An ErrorInfo in the shape of pino's error serializers (pino-std-serializers `errWithCause`):
 * type, message, stack, own properties, `cause` as the same shape, and the members of an
 * AggregateError under `aggregateErrors`.
 */
const pinoError = (info: ErrorInfo): Record<string, unknown> => {
  const err: Record<string, unknown> = Object.create(null)
  err.type = info.type
  err.message = info.message
  if (info.stack !== undefined) err.stack = info.stack
  if (info.code !== undefined) err.code = info.code
  if (info.details !== undefined) {
    for (const k of Object.keys(info.details)) if (!(k in err)) err[k] = safeRead(info.details, k)
  }
  if (info.cause !== undefined) err.cause = pinoError(info.cause)
  if (info.errors !== undefined) err.aggregateErrors = info.errors.map(pinoError)
  return err
}

const PINO_RESERVED = reservedWith([
  "level",
  "time",
  "pid",
  "hostname",
  "name",
  "msg",
  "err",
  "correlationId",
  "trace_id",
  "span_id",
  "spans",
  "fields"
])

const formatPino = (e: LogEvent, limits: JsonLimits): string => {
  const o = new JsonObject(limits)
  const origin = originOf(e.fields)
  o.json("level", `${pinoLevels[e.level] ?? 30}`)
    .json("time", `${epochMillis(e.timestamp)}`)
    .json("pid", origin.pid === undefined ? undefined : `${origin.pid}`)
    .text("hostname", origin.hostname)
    .text("name", e.logger)
    .text("correlationId", e.correlationId, 256)
    .text("trace_id", e.traceId, 256)
    .text("span_id", e.spanId, 256)
  // Only pid and hostname have pino slots; service, env and version stay ordinary fields.
  const consumed: Origin = {
    ...(origin.pid === undefined ? {} : { pid: origin.pid }),
    ...(origin.hostname === undefined ? {} : { hostname: origin.hostname })
  }
  const collisions = writeUserFields(o, e.fields, PINO_RESERVED, consumed)
  if (e.spans !== undefined) o.value("spans", e.spans)
  if (e.error !== undefined) o.value("err", pinoError(e.error))
  if (collisions !== undefined) o.value("fields", collisions)
  o.text("msg", e.message)
  return o.end()
}

/**
 * pino's JSON line: `level` as a pino number ({@link pinoLevels}), `time` in epoch
 * milliseconds, `pid` and `hostname` from the enricher fields, `name` (the logger),
 * `correlationId`, `trace_id` and `span_id` (the keys OpenTelemetry's pino instrumentation
 * uses), user fields at the top level, the error as `err` ({type, message, stack, ...}),
 * and `msg` last, as pino writes it. Readable by pino-pretty and pino transports. A user
 * key named like one of these goes under `fields`.
 */
export const makePino = (limits: JsonLimits = defaultLimits): FormatterImpl => ({
  name: "pino",
  format: (e) => {
    try {
      return formatPino(e, limits)
    } catch {
      return `{"level":${pinoLevels[e.level] ?? 30},"time":${Date.now()},"msg":"[fapilog: event could not be formatted]"}`
    }
  }
})
