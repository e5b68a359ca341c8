/**
 * The request body of the Kafka sink: a batch of events as the Kafka messages they become,
 * encoded once per request, self-contained (first attempt, retries and spool replay all read
 * the same bytes).
 *
 * Layout (big-endian): a version byte (1); a u32 partition seed, chosen when the request is
 * encoded, that places the messages without a key (all of them in one partition, as Kafka's
 * sticky partitioner does, and in the same one on every attempt); a u32 message count; then
 * per message an f64 timestamp (epoch milliseconds), an i32 key length (-1: no key), the key
 * bytes, a u32 value length and the value bytes (the event's JSON line, UTF-8).
 */
import { Formatter, type LogEvent } from "fapilog"
import { BodyBuffer, bufferView } from "../../../shared/src/bodyBuffer.js"
import { isoMillis } from "../../../shared/src/isoTime.js"

const VERSION = 1

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

/**
 * The message key of an event: the value of `keyField` as text (strings as they are, numbers
 * and booleans written out, other values as the JSON line renders them, so hostile values are
 * safe), or undefined when the event has none. `line` gives the event's JSON line, asked for
 * only for those other values.
 */
export const keyOf = (event: LogEvent.LogEvent, keyField: string, line: () => string): string | undefined => {
  let value: unknown
  try {
    value = keyValue(event, keyField)
  } catch {
    value = null
  }
  if (value === undefined) return undefined
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value)
  const rendered = (JSON.parse(line()) as Record<string, unknown>)[keyField]
  return rendered === undefined ? undefined : JSON.stringify(rendered)
}

/**
 * Writes request bodies into one growing buffer, copied out when done: each value is the
 * event's JSON line written as UTF-8 bytes by the core's JSON formatter (`Formatter.writeJson`),
 * with no string made of it.
 */
class BodyWriter extends BodyBuffer {
  /** The event's JSON line as the value: its length, then its bytes. */
  private value(event: LogEvent.LogEvent): void {
    this.ensure(4)
    const at = this.pos
    this.pos += 4
    this.json(event)
    this.buf.writeUInt32BE(this.pos - at - 4, at)
  }

  body(events: ReadonlyArray<LogEvent.LogEvent>, keyField: string | false, seed: number): Uint8Array {
    const n = events.length
    this.pos = 0
    this.ensure(9)
    this.buf.writeUInt8(VERSION, 0)
    this.buf.writeUInt32BE(seed >>> 0, 1)
    this.buf.writeUInt32BE(n, 5)
    this.pos = 9
    for (let i = 0; i < n; i++) {
      const event = events[i]!
      const time = isoMillis(event.timestamp)
      const key = keyField === false ? undefined : keyOf(event, keyField, () => Formatter.json.format(event))
      this.ensure(12 + (key === undefined ? 0 : 3 * key.length))
      this.pos = this.buf.writeDoubleBE(Number.isFinite(time) ? time : Date.now(), this.pos)
      if (key === undefined) this.pos = this.buf.writeInt32BE(-1, this.pos)
      else {
        const length = this.buf.write(key, this.pos + 4, "utf8")
        this.buf.writeInt32BE(length, this.pos)
        this.pos += 4 + length
      }
      this.value(event)
    }
    return this.take()
  }
}

const writer = new BodyWriter()

/**
 * The body of a request: each event's JSON line as the value, its `keyField` as the key
 * (none with `false`), its own time as the timestamp.
 */
export const encodeMessages = (
  events: ReadonlyArray<LogEvent.LogEvent>,
  keyField: string | false,
  seed: number
): Uint8Array => writer.body(events, keyField, seed)

/**
 * The messages of a body written by {@link encodeMessages}, read in one pass into offsets (no
 * object per message): message `i` has the timestamp `timestamps[i]`, the key
 * `bytes[keyAt[i], keyAt[i] + keyLength[i])` (`keyAt[i]` -1: no key) and the value
 * `bytes[valueAt[i], valueAt[i] + valueLength[i])`.
 */
export interface Body {
  readonly bytes: Buffer
  readonly seed: number
  readonly count: number
  readonly timestamps: Float64Array
  readonly keyAt: Int32Array
  readonly keyLength: Int32Array
  readonly valueAt: Int32Array
  readonly valueLength: Int32Array
}

/**
 * An error no resend can fix (a body that is not this sink's, a damaged one): `permanent`, so
 * the network foundation refuses the request instead of retrying it.
 */
export const permanentError = (message: string): Error =>
  Object.assign(new Error(message), { permanent: true })

/** The latest time a record batch takes (±8.64e15 ms: the range of a JavaScript date). */
const MAX_TIME = 8.64e15

/** Reads a body written by {@link encodeMessages}; throws (a {@link permanentError}) on anything else. */
export const readBody = (bytes: Uint8Array): Body => {
  const body = bufferView(bytes)
  if (body.length < 9 || body.readUInt8(0) !== VERSION) throw permanentError("not a Kafka sink request body")
  const seed = body.readUInt32BE(1)
  const n = body.readUInt32BE(5)
  // each message takes at least 16 bytes: a count beyond that is a body cut short
  if (n > (body.length - 9) / 16) throw permanentError("a Kafka sink request body cut short")
  const timestamps = new Float64Array(n)
  const keyAt = new Int32Array(n)
  const keyLength = new Int32Array(n)
  const valueAt = new Int32Array(n)
  const valueLength = new Int32Array(n)
  let at = 9
  for (let i = 0; i < n; i++) {
    if (at + 16 > body.length) throw permanentError("a Kafka sink request body cut short")
    const time = body.readDoubleBE(at)
    if (!(Math.abs(time) <= MAX_TIME))
      throw permanentError(`a Kafka sink request body with a timestamp out of range (${time})`)
    timestamps[i] = time
    const k = body.readInt32BE(at + 8)
    at += 12
    if (k >= 0) {
      keyAt[i] = at
      keyLength[i] = k
      at += k
    } else keyAt[i] = -1
    if (at + 4 > body.length) throw permanentError("a Kafka sink request body cut short")
    const v = body.readUInt32BE(at)
    at += 4
    if (at + v > body.length) throw permanentError("a Kafka sink request body cut short")
    valueAt[i] = at
    valueLength[i] = v
    at += v
  }
  if (at !== body.length)
    throw permanentError("trailing bytes after the messages of a Kafka sink request body")
  return { bytes: body, seed, count: n, timestamps, keyAt, keyLength, valueAt, valueLength }
}

/** The key of message `i` of a body (a view of its bytes), or undefined when it has none. */
export const messageKey = (body: Body, i: number): Buffer | undefined => {
  const at = body.keyAt[i]!
  return at < 0 ? undefined : body.bytes.subarray(at, at + body.keyLength[i]!)
}
