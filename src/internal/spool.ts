import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { ensureDir } from "./ensureDir.js"

/**
 * The durable spool of a network sink: encoded requests that could not be delivered, kept in
 * one append-only file and replayed later, oldest first.
 *
 * File layout: a sequence of frames, each
 *   "FSP1" (4 bytes) | payload length (u32 BE) | checksum (first 4 bytes of SHA-256 of the payload) | payload
 * and each payload
 *   meta length (u32 BE) | meta JSON (utf8) | body bytes.
 * A frame is valid only when its magic, length and checksum agree; a crash in the middle of an
 * append leaves a torn tail, which opening detects, reports and cuts off; a damaged frame in
 * the middle is skipped up to the next valid one.
 *
 * What has been delivered is recorded in a cursor file beside it (written whole and renamed);
 * the spool file is emptied when everything is delivered and compacted when an append would
 * exceed `maxBytes` while a delivered prefix is still on disk. A request acknowledged by the
 * server just before a crash, whose cursor was not yet written, is replayed again on the next
 * start: replay is at-least-once across a crash.
 *
 * One process per spool file: two processes sharing a directory must use sinks of different
 * names (the file name is derived from the sink name).
 */

const MAGIC = Buffer.from("FSP1", "latin1")
const HEADER = 12

/** An encoded request as the spool keeps it. */
export interface SpooledRequest {
  readonly body: Uint8Array
  readonly contentType: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** How many events the body carries (for accounting). */
  readonly events: number
}

/** A frame on disk: where it is, and its request. */
export interface SpoolEntry {
  readonly offset: number
  readonly length: number
  readonly request: SpooledRequest
}

export interface SpoolOptions {
  readonly directory: string
  /** The sink's name; the file name is derived from it. */
  readonly name: string
  /** Largest size of the spool file (delivered prefix included until compacted). */
  readonly maxBytes: number
  readonly report: (message: string, error?: unknown) => void
}

export const defaultSpoolMaxBytes = 64 * 1024 * 1024

const checksum = (payload: Uint8Array): Buffer =>
  crypto.createHash("sha256").update(payload).digest().subarray(0, 4)

/** The file name of a sink's spool: readable prefix plus a hash of the full name. */
export const spoolFileName = (name: string): string => {
  const slug = name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 40)
  const hash = crypto.createHash("sha256").update(name).digest("hex").slice(0, 12)
  return `${slug}-${hash}.spool`
}

/** One frame's bytes for `request`. */
export const encodeFrame = (request: SpooledRequest): Buffer => {
  const meta = Buffer.from(
    JSON.stringify({
      contentType: request.contentType,
      headers: request.headers ?? {},
      events: request.events
    }),
    "utf8"
  )
  const payload = Buffer.alloc(4 + meta.length + request.body.byteLength)
  payload.writeUInt32BE(meta.length, 0)
  meta.copy(payload, 4)
  payload.set(request.body, 4 + meta.length)
  const frame = Buffer.alloc(HEADER + payload.length)
  MAGIC.copy(frame, 0)
  frame.writeUInt32BE(payload.length, 4)
  checksum(payload).copy(frame, 8)
  payload.copy(frame, HEADER)
  return frame
}

const isStringRecord = (u: unknown): u is Record<string, string> =>
  typeof u === "object" &&
  u !== null &&
  !Array.isArray(u) &&
  Object.values(u as Record<string, unknown>).every((v) => typeof v === "string")

/** The request of a payload whose checksum matched, or undefined when its content is not one. */
const decodePayload = (payload: Buffer): SpooledRequest | undefined => {
  if (payload.length < 4) return undefined
  const metaLength = payload.readUInt32BE(0)
  if (4 + metaLength > payload.length) return undefined
  try {
    const meta: unknown = JSON.parse(payload.subarray(4, 4 + metaLength).toString("utf8"))
    if (typeof meta !== "object" || meta === null) return undefined
    const { contentType, headers, events } = meta as Record<string, unknown>
    if (typeof contentType !== "string" || !isStringRecord(headers) || !Number.isInteger(events))
      return undefined
    return {
      body: new Uint8Array(payload.subarray(4 + metaLength)),
      contentType,
      headers,
      events: events as number
    }
  } catch {
    return undefined
  }
}

const readAt = (fd: number, position: number, length: number): Buffer => {
  const buffer = Buffer.alloc(length)
  let read = 0
  while (read < length) {
    const n = fs.readSync(fd, buffer, read, length - read, position + read)
    if (n === 0) break
    read += n
  }
  return read === length ? buffer : buffer.subarray(0, read)
}

/** The frame at `offset`, if a whole valid one starts there. */
const frameAt = (fd: number, offset: number, size: number): SpoolEntry | undefined => {
  if (offset + HEADER > size) return undefined
  const header = readAt(fd, offset, HEADER)
  if (header.length < HEADER || !header.subarray(0, 4).equals(MAGIC)) return undefined
  const length = header.readUInt32BE(4)
  if (offset + HEADER + length > size) return undefined
  const payload = readAt(fd, offset + HEADER, length)
  if (payload.length < length || !checksum(payload).equals(header.subarray(8, 12))) return undefined
  const request = decodePayload(payload)
  return request === undefined ? undefined : { offset, length: HEADER + length, request }
}

/** The next offset after `from` where the magic appears, or -1. */
const nextMagic = (fd: number, from: number, size: number): number => {
  const chunk = 64 * 1024
  for (let at = from; at < size; at += chunk - (MAGIC.length - 1)) {
    const buffer = readAt(fd, at, Math.min(chunk, size - at))
    const i = buffer.indexOf(MAGIC)
    if (i >= 0) return at + i
    if (buffer.length < chunk) break
  }
  return -1
}

export class Spool {
  readonly file: string
  private readonly cursorFile: string
  private fd: number
  private size: number
  /** Undelivered frames, oldest first (offsets into the file). */
  private entries: Array<SpoolEntry> = []
  /** Requests and events refused because the spool was full or could not be written. */
  refusedRequests = 0

  private constructor(
    private readonly options: SpoolOptions,
    file: string
  ) {
    this.file = file
    this.cursorFile = `${file}.cursor`
    this.fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o600)
    this.size = fs.fstatSync(this.fd).size
    this.recover()
  }

  /** Opens (creating the directory and file) and recovers what an earlier run left. Throws on I/O errors. */
  static open(options: SpoolOptions): Spool {
    ensureDir(options.directory)
    return new Spool(options, path.join(path.resolve(options.directory), spoolFileName(options.name)))
  }

  /** Reads the cursor and indexes every valid frame after it; cuts a torn tail off. */
  private recover(): void {
    let cursor = 0
    try {
      const text = fs.readFileSync(this.cursorFile, "utf8").trim()
      if (/^\d+$/.test(text) && Number(text) <= this.size) cursor = Number(text)
    } catch {
      // no cursor: nothing was delivered from this file yet
    }
    let at = cursor
    let skipped = 0
    while (at < this.size) {
      const entry = frameAt(this.fd, at, this.size)
      if (entry !== undefined) {
        this.entries.push(entry)
        at += entry.length
        continue
      }
      const next = nextMagic(this.fd, at + 1, this.size)
      // a valid frame further on: the damage is in the middle, skip it
      if (next >= 0 && this.hasValidFrameFrom(next)) {
        skipped += next - at
        at = next
        continue
      }
      // nothing valid after it: a torn tail from an interrupted append
      this.options.report(
        `spool ${this.file}: discarded a torn tail of ${this.size - at} bytes (an append interrupted by a crash)`
      )
      fs.ftruncateSync(this.fd, at)
      this.size = at
      break
    }
    if (skipped > 0) this.options.report(`spool ${this.file}: skipped ${skipped} damaged bytes`)
    if (this.entries.length === 0) this.reset()
  }

  private hasValidFrameFrom(offset: number): boolean {
    let at = offset
    while (at >= 0 && at < this.size) {
      if (frameAt(this.fd, at, this.size) !== undefined) return true
      at = nextMagic(this.fd, at + 1, this.size)
    }
    return false
  }

  /** Frames waiting for delivery. */
  get pending(): number {
    return this.entries.length
  }

  /** Events waiting for delivery. */
  get pendingEvents(): number {
    let n = 0
    for (const e of this.entries) n += e.request.events
    return n
  }

  /** Bytes of the spool file. */
  get bytes(): number {
    return this.size
  }

  /**
   * Appends `request` durably (written and flushed to disk). Returns false, without writing,
   * when it would grow the file beyond `maxBytes` even after compaction. Throws on I/O errors.
   */
  append(request: SpooledRequest): boolean {
    const frame = encodeFrame(request)
    if (this.size + frame.length > this.options.maxBytes) this.compact()
    if (this.size + frame.length > this.options.maxBytes) {
      this.refusedRequests++
      return false
    }
    const offset = this.size
    try {
      let written = 0
      while (written < frame.length) written += fs.writeSync(this.fd, frame, written, frame.length - written)
      fs.fdatasyncSync(this.fd)
    } catch (e) {
      // leave no partial frame behind for this run
      try {
        fs.ftruncateSync(this.fd, offset)
      } catch {
        // recovery at the next start cuts it off
      }
      throw e
    }
    this.size = offset + frame.length
    this.entries.push({ offset, length: frame.length, request })
    return true
  }

  /** Every undelivered request, oldest first. */
  list(): ReadonlyArray<SpoolEntry> {
    return this.entries.slice()
  }

  /** The oldest undelivered request. */
  peek(): SpoolEntry | undefined {
    return this.entries[0]
  }

  /** `entry` was delivered (or given up): it is never replayed again. Throws on I/O errors. */
  ack(entry: SpoolEntry): void {
    if (this.entries[0] !== entry) return
    this.entries.shift()
    if (this.entries.length === 0) {
      this.reset()
      return
    }
    const cursor = this.entries[0]!.offset
    const tmp = `${this.cursorFile}.tmp`
    fs.writeFileSync(tmp, String(cursor), { mode: 0o600 })
    fs.renameSync(tmp, this.cursorFile)
  }

  /** Everything delivered: empty file, no cursor. */
  private reset(): void {
    // cursor first: a crash in between replays everything again rather than skipping frames
    fs.rmSync(this.cursorFile, { force: true })
    fs.ftruncateSync(this.fd, 0)
    this.size = 0
  }

  /** Rewrites the file without its delivered prefix. */
  private compact(): void {
    const first = this.entries[0]
    if (first === undefined) {
      if (this.size > 0) this.reset()
      return
    }
    if (first.offset === 0) return
    const rest = readAt(this.fd, first.offset, this.size - first.offset)
    const tmp = `${this.file}.tmp`
    fs.writeFileSync(tmp, rest, { mode: 0o600 })
    const fd = fs.openSync(tmp, fs.constants.O_RDWR | fs.constants.O_APPEND)
    fs.fdatasyncSync(fd)
    // cursor first: a crash in between replays the delivered prefix again rather than skipping
    fs.rmSync(this.cursorFile, { force: true })
    fs.renameSync(tmp, this.file)
    fs.closeSync(this.fd)
    this.fd = fd
    const shift = first.offset
    this.entries = this.entries.map((e) => ({ ...e, offset: e.offset - shift }))
    this.size = rest.length
  }

  close(): void {
    try {
      fs.closeSync(this.fd)
    } catch {
      // already closed
    }
  }
}
