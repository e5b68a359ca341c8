/**
 * The request body of a batch: its messages written and framed (octet counting, or a line
 * feed after each) into one growing buffer, with no string or buffer made per message.
 *
 * The usual message (RFC 5424, the JSON line as MSG, no structured data and no MSGID from a
 * key) is written in parts: `<PRI>1 ` (one per level, made once), the event's timestamp, the
 * header's fixed rest (hostname, app name, process id, MSGID, the NILVALUE for structured
 * data, and the byte order mark), then the JSON line straight from the core's formatter
 * (`Formatter.writeJson`). Its bytes are those of `makeFormatter` (format.ts), which writes
 * every other message, one that is too long (cut and marked there), and one whose timestamp
 * is not in fapilog's own form.
 */
import { Formatter, type LogEvent } from "fapilog"
import { BodyBuffer } from "../../../shared/src/bodyBuffer.js"
import { hasIsoMillisForm } from "../../../shared/src/isoTime.js"
import { headerFieldsOf, type LineOptions, makeFormatter, msgStart, NILVALUE, priOf } from "./format.js"

export type Framing = "octet-counting" | "lf"

const utf8 = new TextEncoder()

export class MessagesWriter extends BodyBuffer {
  private readonly format: (event: LogEvent.LogEvent) => Buffer
  /** `<PRI>1 ` per level, made when first needed (64 levels at most); undefined when messages are not written in parts. */
  private readonly starts: Map<string, Uint8Array> | undefined
  /** ` HOSTNAME APP-NAME PROCID MSGID - ` and the BOM: what follows the timestamp. */
  private readonly rest: Uint8Array
  /** One message, written before its frame (whose length comes first). */
  private message = Buffer.allocUnsafe(1 << 16)

  constructor(
    private readonly options: LineOptions,
    private readonly framing: Framing
  ) {
    super()
    this.format = makeFormatter(options)
    const inParts =
      options.rfc === "5424" &&
      options.message === "json" &&
      options.structuredData === undefined &&
      options.msgIdKey === undefined
    this.starts = inParts ? new Map() : undefined
    const h = headerFieldsOf(options)
    this.rest = utf8.encode(
      ` ${h.hostname} ${h.appName} ${h.procId} ${h.msgId} ${NILVALUE} ${msgStart(options)}`
    )
  }

  private start(level: string): Uint8Array {
    let bytes = this.starts!.get(level)
    if (bytes === undefined) {
      bytes = utf8.encode(`<${priOf(this.options, level)}>1 `)
      // fapilog's levels and a few of other systems' (a processor's event may name any): no more
      if (this.starts!.size < 64) this.starts!.set(level, bytes)
    }
    return bytes
  }

  /**
   * The event's message in parts into `this.message` from 0; its length, or -1 when it is to
   * be written whole by the formatter (over the size limit, or a timestamp not in fapilog's form).
   */
  private inParts(e: LogEvent.LogEvent): number {
    const ts = e.timestamp
    if (!hasIsoMillisForm(ts)) return -1
    const start = this.start(e.level)
    const max = this.options.maxMessageBytes
    for (;;) {
      const m = this.message
      const room = start.length + ts.length + this.rest.length
      if (room < m.length) {
        let p = 0
        for (let i = 0; i < start.length; i++) m[p++] = start[i]!
        for (let i = 0; i < ts.length; i++) m[p++] = ts.charCodeAt(i)
        m.set(this.rest, p)
        p += this.rest.length
        const end = Formatter.writeJson(e, m, p)
        if (end >= 0) return end <= max ? end : -1
        // no room for the line: past four times the limit it is over it
        if (m.length > 4 * max + room) return -1
      }
      this.message = Buffer.allocUnsafe(2 * m.length)
    }
  }

  /** One message, framed. */
  private framed(message: Uint8Array, n: number): void {
    if (this.framing === "octet-counting") {
      this.integer(n)
      this.byte(0x20)
      this.bytes(n === message.length ? message : message.subarray(0, n))
      return
    }
    // a line feed within a message (text messages, never the JSON line's) becomes a space
    this.ensure(n + 1)
    const buf = this.buf
    let p = this.pos
    for (let i = 0; i < n; i++) {
      const c = message[i]!
      buf[p++] = c === 0x0a ? 0x20 : c
    }
    buf[p++] = 0x0a
    this.pos = p
  }

  /** The body of a batch's messages, framed. */
  body(events: ReadonlyArray<LogEvent.LogEvent>): Buffer {
    this.pos = 0
    for (const e of events) {
      const n = this.starts === undefined ? -1 : this.inParts(e)
      if (n >= 0) this.framed(this.message, n)
      else {
        const whole = this.format(e)
        this.framed(whole, whole.length)
      }
    }
    return this.take()
  }
}
