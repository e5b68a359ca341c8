/**
 * The event model: what every sink, formatter and plugin receives, and what a JSON line
 * decodes back to. Described as an `effect/Schema` for documentation and validation at the
 * boundaries (tests, plugins, tools); the pipeline never decodes events on its hot path.
 *
 * Output schema version: {@link schemaVersion}. See `docs/event-schema.md`.
 *
 * @example
 * ```ts
 * import { LogEvent } from "fapilog"
 * import { Either } from "effect"
 *
 * const line = '{"timestamp":"2026-01-01T00:00:00.000Z","level":"info","logger":"app","message":"hi","userId":7}'
 * const event = Either.getOrThrow(LogEvent.fromJsonLine(line))
 * event.fields.userId // 7
 * ```
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ErrorInfo as ErrorInfoData } from "./internal/errorInfo.js"
import * as categories from "./internal/eventCategory.js"
import { levelNames } from "./internal/level.js"
import type { MaterializedEvent } from "./internal/record.js"
import { RESERVED_KEYS } from "./internal/record.js"

/**
 * Version of the JSON line layout documented in `docs/event-schema.md`.
 *
 * @example
 * ```ts
 * import { LogEvent } from "fapilog"
 * LogEvent.schemaVersion // "1"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const schemaVersion = "1"

/**
 * An error as plain data: type (the `_tag` of a tagged error, else its name), message,
 * stack, code, and the `cause` chain / aggregated `errors`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { LogEvent } from "fapilog"
 *
 * Schema.is(LogEvent.ErrorInfo)({ type: "RangeError", message: "out of range" }) // true
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const ErrorInfo: Schema.Schema<ErrorInfoData> = Schema.Struct({
  type: Schema.String,
  message: Schema.String,
  stack: Schema.optionalWith(Schema.String, { exact: true }),
  code: Schema.optionalWith(Schema.String, { exact: true }),
  cause: Schema.optionalWith(
    Schema.suspend((): Schema.Schema<ErrorInfoData> => ErrorInfo),
    { exact: true }
  ),
  errors: Schema.optionalWith(Schema.Array(Schema.suspend((): Schema.Schema<ErrorInfoData> => ErrorInfo)), {
    exact: true
  }),
  details: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), { exact: true })
}).annotations({ identifier: "ErrorInfo" })

/**
 * @since 0.1.0
 * @category models
 */
export type ErrorInfo = ErrorInfoData

const Rfc3339Millis = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
  Schema.annotations({ identifier: "Rfc3339Millis", description: "RFC 3339 UTC timestamp with milliseconds" })
)

/**
 * The structured event. `fields` holds every user field, merged from seven sources, highest
 * precedence first: call-site fields, Effect annotations, `withContext` fields, child
 * bindings, call-site enrichers, custom (batch) enrichers, built-in enrichment. The JSON line
 * writes them at the top level.
 *
 * `id` is the event's stable id, given when the event was accepted: it stays the same when a
 * failed batch is retried, spooled or replayed, so a sink can de-duplicate with it (delivery
 * is at least once). Events the pipeline hands out always carry it; the JSON line does not
 * write it.
 *
 * @example
 * ```ts
 * import { LogEvent } from "fapilog"
 * import { Schema } from "effect"
 *
 * const isEvent = Schema.is(LogEvent.LogEvent)
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const LogEvent = Schema.Struct({
  id: Schema.optionalWith(Schema.String, { exact: true }),
  timestamp: Rfc3339Millis,
  level: Schema.Literal(...levelNames),
  message: Schema.String,
  logger: Schema.String,
  correlationId: Schema.optionalWith(Schema.String, { exact: true }),
  traceId: Schema.optionalWith(Schema.String, { exact: true }),
  spanId: Schema.optionalWith(Schema.String, { exact: true }),
  spans: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Number }), { exact: true }),
  error: Schema.optionalWith(ErrorInfo, { exact: true }),
  truncated: Schema.optionalWith(Schema.Boolean, { exact: true }),
  fields: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}).annotations({ identifier: "LogEvent" })

/**
 * @since 0.1.0
 * @category models
 */
export type LogEvent = typeof LogEvent.Type

// The pipeline's materialized events must be valid LogEvents.
const _modelIsLogEvent = (e: MaterializedEvent): LogEvent => e
void _modelIsLogEvent

const decodeEvent = Schema.decodeUnknownEither(LogEvent, { onExcessProperty: "error" })

/**
 * Decodes one JSON line written by the `json` formatter back into a `LogEvent`: user keys
 * return to `fields`, including the reserved-name keys that the line kept under `fields`.
 *
 * @example
 * ```ts
 * import { LogEvent } from "fapilog"
 * import { Either } from "effect"
 *
 * const result = LogEvent.fromJsonLine('{"timestamp":"2026-01-01T00:00:00.000Z","level":"warn","logger":"app","message":"m"}')
 * Either.isRight(result) // true
 * ```
 * @since 0.1.0
 * @category decoding
 */
export const fromJsonLine = (line: string): Either.Either<LogEvent, ParseResult.ParseError> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch (e) {
    return Either.left(
      new ParseResult.ParseError({
        issue: new ParseResult.Type(Schema.String.ast, line, `not JSON: ${(e as Error).message}`)
      })
    )
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return decodeEvent(parsed)
  const core: Record<string, unknown> = {}
  const fields: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(parsed)) {
    if (k === "fields" && typeof v === "object" && v !== null && !Array.isArray(v)) {
      for (const [fk, fv] of Object.entries(v)) define(fields, fk, fv)
    } else if (RESERVED_KEYS.has(k)) {
      core[k] = v
    } else {
      define(fields, k, v)
    }
  }
  // Schema's Record decoding assigns keys, which would drop a "__proto__" field: validate
  // the core keys, then keep the fields object built above with defineProperty.
  return Either.map(decodeEvent({ ...core, fields: {} }), (event) => ({ ...event, fields }))
}

const define = (o: Record<string, unknown>, k: string, v: unknown) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })

/**
 * The documented event categories and their severities. An event's category is the user
 * field `eventCategory` (`log.warn("login failed", { eventCategory: "security" })`): what the
 * event is about, not where it comes from (that is the logger's category path, `logger`).
 * Alert rules match on it (docs/alerting.md); any other non-empty string is a category of
 * your own, with no severity. See docs/event-schema.md#event-categories.
 *
 * @example
 * ```ts
 * import { LogEvent } from "fapilog"
 * LogEvent.eventCategories.security // "critical"
 * LogEvent.eventCategories.performance // "medium"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const eventCategories: Readonly<Record<EventCategory, EventSeverity>> = categories.eventCategories

/**
 * A documented event category: `security`, `alert`, `audit`, `availability`, `performance`,
 * `compliance`, `business` or `system`.
 *
 * @example
 * ```ts
 * import type { LogEvent } from "fapilog"
 * const category: LogEvent.EventCategory = "audit"
 * ```
 * @since 0.1.0
 * @category models
 */
export type EventCategory = categories.KnownEventCategory

/**
 * How urgently an event category asks for attention: `low`, `medium`, `high`, `critical`.
 *
 * @example
 * ```ts
 * import type { LogEvent } from "fapilog"
 * const severity: LogEvent.EventSeverity = "high"
 * ```
 * @since 0.1.0
 * @category models
 */
export type EventSeverity = categories.EventSeverity

/**
 * The severity of an event's `eventCategory`, or undefined for a category of your own (or
 * none).
 *
 * @example
 * ```ts
 * import { LogEvent } from "fapilog"
 * LogEvent.severityOf("security") // "critical"
 * LogEvent.severityOf("checkout") // undefined
 * ```
 * @since 0.1.0
 * @category utils
 */
export const severityOf: (category: unknown) => EventSeverity | undefined = categories.severityOf
