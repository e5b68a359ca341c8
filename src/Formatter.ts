/**
 * Formatters turn one event into one line of text. A formatter must escape control
 * characters and newlines so that one event is always exactly one line.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 *
 * const upper = Formatter.make("upper", (event) => `${event.level.toUpperCase()} ${JSON.stringify(event.message)}`)
 * ```
 * @since 0.1.0
 */
import * as internal from "./internal/formatter.js"
import type { JsonLimits } from "./internal/json.js"
import * as layouts from "./internal/layouts.js"
import * as logfmtInternal from "./internal/logfmt.js"
import * as prettyInternal from "./internal/pretty.js"
import type { LogEvent } from "./LogEvent.js"

/**
 * A formatter: a name and a pure `event → line` function (no trailing newline).
 *
 * @example
 * ```ts
 * import type { Formatter } from "fapilog"
 * const f: Formatter.Formatter = { name: "msg", format: (e) => JSON.stringify(e.message) }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Formatter {
  readonly name: string
  readonly format: (event: LogEvent) => string
}

/**
 * Limits applied to user data when it is serialized (depth, keys, array items, string
 * length).
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const compact = Formatter.jsonWith({ ...Formatter.defaultLimits, maxDepth: 4 })
 * ```
 * @since 0.1.0
 * @category models
 */
export type Limits = JsonLimits

/**
 * The default serialization limits: depth 10, 1000 keys per object, 1000 items per
 * array, 1,000,000 characters per string.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * Formatter.defaultLimits.maxDepth // 10
 * ```
 * @since 0.1.0
 * @category constants
 */
export { defaultLimits } from "./internal/json.js"

/**
 * Builds a formatter from a function.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const simple = Formatter.make("simple", (e) => `${e.timestamp} ${e.level} ${JSON.stringify(e.message)}`)
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (name: string, format: (event: LogEvent) => string): Formatter => ({ name, format })

/**
 * NDJSON: one JSON object per line, core keys first, user fields at the top level, any
 * user key named like a core key kept under `fields`. Control characters, DEL, C1 controls
 * and U+2028/U+2029 are escaped.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * Formatter.json.name // "json"
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const json: Formatter = internal.json

/**
 * Writes the line {@link json} makes of an event as UTF-8 bytes into `buf` from `pos`,
 * without making the line as a string first: for sinks that put lines into a binary body
 * (a protobuf request), where the string and its copy are most of a line's cost. Returns the
 * position after the line, or -1 when the room from `pos` to the end of `buf` may be too
 * small (the bytes past `pos` are then garbage: write again into a larger buffer). The bytes
 * are always those of `json.format(event)`, and it throws where that throws.
 *
 * @example
 * ```ts
 * import { Formatter, type LogEvent } from "fapilog"
 *
 * declare const event: LogEvent.LogEvent
 * const buf = new Uint8Array(4096)
 * const end = Formatter.writeJson(event, buf, 0)
 * const line = end >= 0 ? new TextDecoder().decode(buf.subarray(0, end)) : Formatter.json.format(event)
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const writeJson = (event: LogEvent, buf: Uint8Array, pos: number): number =>
  internal.writeEventJson(event, buf, pos)

/**
 * Writes the line {@link json} makes of an event as a JSON string (in quotes, every `"` and
 * `\\` of the line escaped), as UTF-8 bytes, into `buf` from `pos`, in one pass: for sinks
 * whose JSON body carries each line as a string value (CloudWatch Logs' `message`), where
 * escaping the written line a second time costs nearly as much as writing it. The bytes are
 * always those of `JSON.stringify(json.format(event))`; the return value and the room rule
 * are those of {@link writeJson}. The length written is the line's own length plus two
 * quotes and one byte for each `"` and `\\` it holds: an upper bound of the line's size.
 *
 * @example
 * ```ts
 * import { Formatter, type LogEvent } from "fapilog"
 *
 * declare const event: LogEvent.LogEvent
 * const buf = new Uint8Array(4096)
 * const end = Formatter.writeJsonString(event, buf, 0)
 * const line: unknown = end >= 0 ? JSON.parse(new TextDecoder().decode(buf.subarray(0, end))) : undefined
 * // line === Formatter.json.format(event) when it fitted
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const writeJsonString = (event: LogEvent, buf: Uint8Array, pos: number): number =>
  internal.writeEventJson(event, buf, pos, undefined, undefined, "string")

/**
 * The JSON formatter with custom serialization limits.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const shallow = Formatter.jsonWith({ ...Formatter.defaultLimits, maxDepth: 3 })
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const jsonWith: (limits: Limits) => Formatter = internal.makeJson

/**
 * logfmt: `key=value` pairs, quoted and escaped where needed, nested fields flattened with
 * dotted keys. One event per line, readable by go-logfmt and Loki's `| logfmt`: keys they
 * cannot hold are renamed, and keys that would repeat get `~2`, `~3`, ... (docs/formatters.md).
 *
 * @example
 * ```ts
 * import { Formatter, Sink } from "fapilog"
 * const sink = Sink.stdout({ format: Formatter.logfmt() })
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const logfmt: (limits?: Limits) => Formatter = logfmtInternal.makeLogfmt

/**
 * Human-readable lines; ANSI colours only when `colors` is true (see `shouldColor`).
 * `multiline: true` puts stack frames on marked continuation lines.
 *
 * @example
 * ```ts
 * import { Formatter, Sink } from "fapilog"
 * const sink = Sink.stderr({ format: Formatter.pretty({ colors: Formatter.shouldColor(process.stderr, process.env) }) })
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const pretty: (options: prettyInternal.PrettyOptions) => Formatter = prettyInternal.makePretty

/**
 * Whether a stream should get colours: FORCE_COLOR wins, then NO_COLOR / TERM=dumb, then isTTY.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * Formatter.shouldColor({ isTTY: false }, {}) // false
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const shouldColor: (
  stream: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>
) => boolean = prettyInternal.shouldColor

/**
 * `LEVEL message key=value`: nothing else.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const f = Formatter.minimal()
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const minimal: (limits?: Limits) => Formatter = prettyInternal.makeMinimal

/**
 * JSON in the Elastic Common Schema layout (`@timestamp`, `log.level`, `service.name`, ...).
 * Keys Elasticsearch would refuse (`""`, `"a..b"`, `".a"`, ...) are renamed at any depth, so
 * every line indexes (docs/formatters.md).
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const f = Formatter.ecs()
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const ecs: (limits?: Limits) => Formatter = layouts.makeEcs

/**
 * JSON in the OpenTelemetry log data model (`Timestamp`, `SeverityNumber`, `Body`, `TraceId`
 * and `SpanId` when they are valid W3C ids, `InstrumentationScope` (the logger name),
 * `Attributes`, `Resource`).
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const f = Formatter.otel()
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const otel: (limits?: Limits) => Formatter = layouts.makeOtel

/**
 * pino-compatible JSON (`level` number, `time`, `msg`, `err`), readable by pino-pretty.
 *
 * @example
 * ```ts
 * import { Formatter } from "fapilog"
 * const f = Formatter.pino()
 * ```
 * @since 0.1.0
 * @category formatters
 */
export const pino: (limits?: Limits) => Formatter = layouts.makePino
