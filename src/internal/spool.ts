import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { ensureDir } from "./ensureDir.js"

/**
 * The durable spool of a network sink: encoded requests that could not be delivered (or that
 * the pipeline spilled past its backlog), kept in one append-only file and replayed later,
 * oldest first.
 *
 * File layout: a sequence of frames, each a 28-byte header and a payload:
 *   "FSP2" | payload length (u32 BE) | events (u32 BE) | sequence (u64 BE) |
 *   payload checksum (4) | header checksum (4) | payload
 * where the sequence is the number of events appended to the file before this frame (since
 * it was last emptied or compacted), the checksums are the first 4 bytes of the SHA-256 of the
 * payload and of the 24 header bytes before it, and each payload is
 *   meta length (u32 BE) | meta JSON (utf8) | body bytes.
 *
 * Opening reads the file from the cursor and tells three things apart:
 * - an **interrupted append** (a crash in the middle of one): the file ends inside the last
 *   frame, whose header is intact or cut short. It is cut off; its events, which were never
 *   wholly written, are counted as torn (`tornEvents`).
 * - **damage** (a flipped bit, a bad sector, bytes overwritten): a frame that is whole but
 *   fails a checksum, or bytes with no readable header. The events lost are counted from
 *   the headers: a damaged frame with an intact header says how many it held; a run of bytes
 *   with no readable header lost the events between the sequence numbers of the frames on
 *   either side (at the end of the file, where nothing follows, at least one per frame start
 *   found in it). They are counted in `damagedEvents`. The damaged file is moved aside, kept
 *   for inspection as `<file>.damaged-<time>`, and a new file holding the intact frames takes
 *   its place, so the loss is counted once, not again at every start.
 * - a file that **cannot be read at all** (no frame in it is intact, another format, or
 *   reading fails): moved aside as above, never truncated; the spool starts empty.
 *
 * What has been delivered is recorded in a cursor file beside it ("offset sequence", written
 * whole and renamed); the spool file is emptied when everything is delivered and compacted
 * when an append would exceed `maxBytes` while a delivered prefix is still on disk. A request
 * acknowledged by the server just before a crash, whose cursor was not yet written, is
 * replayed again on the next start: replay is at-least-once across a crash.
 *
 * One process per spool file: two processes sharing a directory must use sinks of different
 * names (the file name is derived from the sink name).
 */

const MAGIC = Buffer.from("FSP2", "latin1")
const HEADER = 28

/** An encoded request as the spool keeps it. */
export interface SpooledRequest {
  readonly body: Uint8Array
  readonly contentType: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** How many events the body carries (for accounting). */
  readonly events: number
}

/** A frame on disk: where it is, its place in the sequence of events, and its request. */
export interface SpoolEntry {
  /** Moves when the file is compacted; the entry stays the same object. */
  readonly offset: number
  readonly length: number
  /** Events appended before this frame. */
  readonly seq: number
  readonly request: SpooledRequest
}

interface Entry {
  offset: number
  readonly length: number
  seq: number
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

const checksum = (bytes: Uint8Array): Buffer =>
  crypto.createHash("sha256").update(bytes).digest().subarray(0, 4)

/** The file name of a sink's spool: readable prefix plus a hash of the full name. */
export const spoolFileName = (name: string): string => {
  const slug = name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 40)
  const hash = crypto.createHash("sha256").update(name).digest("hex").slice(0, 12)
  return `${slug}-${hash}.spool`
}

/** Writes the header fields that depend on the frame's place (its sequence) and seals it. */
const sealHeader = (frame: Buffer, seq: number): void => {
  frame.writeBigUInt64BE(BigInt(seq), 12)
  checksum(frame.subarray(0, 24)).copy(frame, 24)
}

/** One frame's bytes for `request`, `seq` events after the start of the file. */
export const encodeFrame = (request: SpooledRequest, seq = 0): Buffer => {
  const meta = Buffer.from(
    JSON.stringify({
      contentType: request.contentType,
      headers: request.headers ?? {},
      events: request.events
    }),
    "utf8"
  )
  const frame = Buffer.alloc(HEADER + 4 + meta.length + request.body.byteLength)
  const payload = frame.subarray(HEADER)
  payload.writeUInt32BE(meta.length, 0)
  meta.copy(payload, 4)
  payload.set(request.body, 4 + meta.length)
  MAGIC.copy(frame, 0)
  frame.writeUInt32BE(payload.length, 4)
  frame.writeUInt32BE(request.events, 8)
  checksum(payload).copy(frame, 20)
  sealHeader(frame, seq)
  return frame
}

const isStringRecord = (u: unknown): u is Record<string, string> =>
  typeof u === "object" &&
  u !== null &&
  !Array.isArray(u) &&
  Object.values(u as Record<string, unknown>).every((v) => typeof v === "string")

/** The request of a payload whose checksum matched, or undefined when its content is not one. */
const decodePayload = (payload: Buffer, events: number): SpooledRequest | undefined => {
  if (payload.length < 4) return undefined
  const metaLength = payload.readUInt32BE(0)
  if (4 + metaLength > payload.length) return undefined
  try {
    const meta: unknown = JSON.parse(payload.subarray(4, 4 + metaLength).toString("utf8"))
    if (typeof meta !== "object" || meta === null) return undefined
    const { contentType, headers } = meta as Record<string, unknown>
    if (typeof contentType !== "string" || !isStringRecord(headers)) return undefined
    return { body: new Uint8Array(payload.subarray(4 + metaLength)), contentType, headers, events }
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

/** A header whose checksum holds: its fields can be trusted even when the payload cannot. */
interface Header {
  readonly length: number
  readonly events: number
  readonly seq: number
  readonly payloadChecksum: Buffer
}

const headerAt = (fd: number, offset: number, size: number): Header | undefined => {
  if (offset + HEADER > size) return undefined
  const h = readAt(fd, offset, HEADER)
  if (h.length < HEADER || !h.subarray(0, 4).equals(MAGIC)) return undefined
  if (!checksum(h.subarray(0, 24)).equals(h.subarray(24, 28))) return undefined
  const seq = h.readBigUInt64BE(12)
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
  return {
    length: h.readUInt32BE(4),
    events: h.readUInt32BE(8),
    seq: Number(seq),
    payloadChecksum: h.subarray(20, 24)
  }
}

/** What opening found at one offset. */
type Found =
  | { readonly _tag: "Frame"; readonly entry: Entry }
  /** An intact header whose frame runs past the end of the file: an interrupted append. */
  | { readonly _tag: "Torn"; readonly header: Header }
  /** An intact header, a whole frame, a payload that fails its checksum or cannot be read. */
  | { readonly _tag: "Damaged"; readonly header: Header }
  | { readonly _tag: "Unreadable" }

const findAt = (fd: number, offset: number, size: number): Found => {
  const header = headerAt(fd, offset, size)
  if (header === undefined) return { _tag: "Unreadable" }
  if (offset + HEADER + header.length > size) return { _tag: "Torn", header }
  const payload = readAt(fd, offset + HEADER, header.length)
  const request =
    payload.length === header.length && checksum(payload).equals(header.payloadChecksum)
      ? decodePayload(payload, header.events)
      : undefined
  if (request === undefined) return { _tag: "Damaged", header }
  return { _tag: "Frame", entry: { offset, length: HEADER + header.length, seq: header.seq, request } }
}

/** The next offset at or after `from` where an intact header starts, or -1; and the frame starts passed. */
const nextHeader = (fd: number, from: number, size: number): { at: number; starts: number } => {
  const chunk = 64 * 1024
  let starts = 0
  for (let at = from; at < size; at += chunk - (MAGIC.length - 1)) {
    const buffer = readAt(fd, at, Math.min(chunk, size - at))
    // chunks overlap by the magic's length less one: a magic across a boundary is found once
    for (let i = buffer.indexOf(MAGIC); i >= 0; i = buffer.indexOf(MAGIC, i + 1)) {
      if (headerAt(fd, at + i, size) !== undefined) return { at: at + i, starts }
      starts++
    }
    if (buffer.length < chunk) break
  }
  return { at: -1, starts }
}

/** `<file>.damaged-<time>`: where a damaged spool file is kept. */
const asideName = (file: string): string =>
  `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`

/** What opening the file found, before anything is changed. */
interface Recovered {
  readonly entries: Array<Entry>
  /** Where the intact content ends: a torn tail starts here. */
  readonly end: number
  readonly tornEvents: number
  readonly damagedEvents: number
  /** Bytes of damage (frames and runs of unreadable bytes). */
  readonly damagedBytes: number
  /** Some of the damage was at the end, where no sequence number after it tells its size. */
  readonly damagedTail: boolean
}

export class Spool {
  readonly file: string
  private readonly cursorFile: string
  private fd: number
  private size: number
  /** Undelivered frames, oldest first (offsets into the file). */
  private entries: Array<Entry> = []
  /** Events appended since the file was last emptied or compacted: the next frame's sequence. */
  private nextSeq = 0
  /** Requests and events refused because the spool was full or could not be written. */
  refusedRequests = 0
  /** Events found lost to damage when the spool was opened (see the module comment). */
  damagedEvents = 0
  /** Events of an append a crash interrupted, found when the spool was opened. */
  tornEvents = 0
  /** Where the damaged or unreadable file found at open was moved, if it was. */
  keptAs: string | undefined = undefined

  private constructor(
    private readonly options: SpoolOptions,
    file: string
  ) {
    this.file = file
    this.cursorFile = `${file}.cursor`
    this.fd = -1
    this.size = 0
    try {
      this.openFile()
      this.recover()
    } catch (e) {
      // a file that cannot even be read: keep it for inspection, start afresh
      this.close()
      if (!fs.existsSync(file)) throw e
      this.keptAs = asideName(file)
      fs.renameSync(file, this.keptAs)
      fs.rmSync(this.cursorFile, { force: true })
      this.options.report(
        `spool ${file}: cannot be read (${e instanceof Error ? e.message : String(e)}); moved aside to ${this.keptAs}, starting empty`
      )
      this.entries = []
      this.nextSeq = 0
      this.openFile()
    }
  }

  /** Opens (creating the directory and file) and recovers what an earlier run left. Throws on I/O errors. */
  static open(options: SpoolOptions): Spool {
    ensureDir(options.directory)
    return new Spool(options, path.join(path.resolve(options.directory), spoolFileName(options.name)))
  }

  private openFile(): void {
    this.fd = fs.openSync(
      this.file,
      fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND,
      0o600
    )
    this.size = fs.fstatSync(this.fd).size
  }

  /** The cursor: where the undelivered frames start, and the sequence expected there. */
  private readCursor(): { readonly offset: number; readonly seq: number } {
    try {
      const match = /^(\d+)(?: (\d+))?$/.exec(fs.readFileSync(this.cursorFile, "utf8").trim())
      if (match !== null && Number(match[1]) <= this.size)
        return { offset: Number(match[1]), seq: match[2] === undefined ? Number.NaN : Number(match[2]) }
    } catch {
      // no cursor: nothing was delivered from this file yet
    }
    return { offset: 0, seq: 0 }
  }

  /** Reads every frame after the cursor and sorts out torn tails and damage (module comment). */
  private scan(): Recovered {
    const cursor = this.readCursor()
    const entries: Array<Entry> = []
    let at = cursor.offset
    // the sequence expected next; unknown (NaN) only for a cursor written without one
    let expected = cursor.seq
    let damagedEvents = 0
    let damagedBytes = 0
    let damagedTail = false
    let tornEvents = 0
    let end = this.size
    while (at < this.size) {
      const found = findAt(this.fd, at, this.size)
      if (found._tag === "Frame") {
        const { entry } = found
        // the events of the unreadable bytes before it, told by the sequence numbers
        if (entry.seq > expected) damagedEvents += entry.seq - expected
        entries.push(entry)
        expected = entry.seq + entry.request.events
        at += entry.length
        continue
      }
      if (found._tag === "Damaged") {
        const { header } = found
        if (header.seq > expected) damagedEvents += header.seq - expected
        damagedEvents += header.events
        damagedBytes += HEADER + header.length
        expected = header.seq + header.events
        at += HEADER + header.length
        continue
      }
      if (found._tag === "Torn") {
        // only the last frame can be cut short: what follows is past the end of the file
        tornEvents += found.header.events
        end = at
        break
      }
      const next = nextHeader(this.fd, at + 1, this.size)
      if (next.at >= 0) {
        // unreadable bytes, then an intact header: the sequence numbers tell what was lost
        damagedBytes += next.at - at
        at = next.at
        continue
      }
      const rest = readAt(this.fd, at, this.size - at)
      if (rest.length < HEADER && MAGIC.subarray(0, Math.min(4, rest.length)).equals(rest.subarray(0, 4))) {
        // the start of a header, cut short: an append interrupted before its header was whole
        end = at
        break
      }
      // unreadable to the end: damage with no sequence number after it to measure it by
      damagedEvents += Math.max(1, next.starts + (rest.subarray(0, 4).equals(MAGIC) ? 1 : 0))
      damagedBytes += rest.length
      damagedTail = true
      break
    }
    return { entries, end, tornEvents, damagedEvents, damagedBytes, damagedTail }
  }

  private recover(): void {
    if (this.size === 0) return
    const found = this.scan()
    const last = found.entries.at(-1)
    if (found.damagedBytes > 0) {
      this.keepDamaged(found)
    } else {
      this.entries = found.entries
      if (found.end < this.size) {
        this.options.report(
          `spool ${this.file}: the last append was interrupted by a crash; its ${found.tornEvents} event(s) were never wholly written and are lost (${this.size - found.end} bytes cut off)`
        )
        fs.ftruncateSync(this.fd, found.end)
        this.size = found.end
      }
      this.nextSeq = last === undefined ? 0 : last.seq + last.request.events
      if (this.entries.length === 0) this.reset()
    }
    this.tornEvents = found.tornEvents
    this.damagedEvents = found.damagedEvents
  }

  /**
   * Keeps the damaged file aside and puts one holding only the intact frames in its place.
   * Crash-safe: the new file is written and synced under another name, the damaged one is
   * kept by a second name (a hard link, or a copy where links are not supported), and only
   * then does one atomic rename replace it. A crash at any step leaves the damaged file or
   * the new one in place, never neither; with the damaged one, the next start recovers it
   * again (its cursor removed just before the rename: at-least-once, as after a compaction).
   */
  private keepDamaged(found: Recovered): void {
    const frames = found.entries.map((e) => readAt(this.fd, e.offset, e.length))
    const kept = asideName(this.file)
    const tmp = `${this.file}.tmp`
    let seq = 0
    let offset = 0
    this.entries = found.entries.map((e, i) => {
      const frame = frames[i] as Buffer
      sealHeader(frame, seq)
      const entry: Entry = { offset, length: e.length, seq, request: e.request }
      seq += e.request.events
      offset += e.length
      return entry
    })
    fs.writeFileSync(tmp, Buffer.concat(frames), { mode: 0o600 })
    const fd = fs.openSync(tmp, fs.constants.O_RDWR | fs.constants.O_APPEND)
    fs.fdatasyncSync(fd)
    try {
      fs.linkSync(this.file, kept)
    } catch {
      fs.copyFileSync(this.file, kept)
    }
    fs.rmSync(this.cursorFile, { force: true })
    fs.renameSync(tmp, this.file)
    fs.closeSync(this.fd)
    this.fd = fd
    this.size = offset
    this.nextSeq = seq
    this.keptAs = kept
    const count = found.damagedTail
      ? `at least ${found.damagedEvents} event(s)`
      : `${found.damagedEvents} event(s)`
    this.options.report(
      `spool ${this.file}: ${found.damagedBytes} damaged bytes; ${count} lost${found.tornEvents > 0 ? `, and ${found.tornEvents} of an interrupted append` : ""}; the damaged file is kept as ${kept}, the ${this.entries.length} intact request(s) are kept for replay`
    )
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

  /** Whether an append of about `bytes` more would fit, compaction included. */
  hasRoomFor(bytes: number): boolean {
    const delivered = this.entries[0]?.offset ?? this.size
    return this.size - delivered + HEADER + bytes <= this.options.maxBytes
  }

  /**
   * Appends `request` durably (written and flushed to disk). Returns false, without writing,
   * when it would grow the file beyond `maxBytes` even after compaction. Throws on I/O errors.
   */
  append(request: SpooledRequest): boolean {
    const frame = encodeFrame(request, this.nextSeq)
    if (this.size + frame.length > this.options.maxBytes) this.compact()
    if (this.size + frame.length > this.options.maxBytes) {
      this.refusedRequests++
      return false
    }
    // compaction renumbers the sequence
    sealHeader(frame, this.nextSeq)
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
    this.entries.push({ offset, length: frame.length, seq: this.nextSeq, request })
    this.nextSeq += request.events
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
    const next = this.entries[0]!
    const tmp = `${this.cursorFile}.tmp`
    fs.writeFileSync(tmp, `${next.offset} ${next.seq}`, { mode: 0o600 })
    fs.renameSync(tmp, this.cursorFile)
  }

  /** Everything delivered: empty file, no cursor. */
  private reset(): void {
    // cursor first: a crash in between replays everything again rather than skipping frames
    fs.rmSync(this.cursorFile, { force: true })
    fs.ftruncateSync(this.fd, 0)
    this.size = 0
    this.nextSeq = 0
  }

  /**
   * Rewrites the file without its delivered prefix, the sequence starting again at 0. The
   * entries keep their identity (a request being replayed is still acknowledged).
   */
  private compact(): void {
    const first = this.entries[0]
    if (first === undefined) {
      if (this.size > 0) this.reset()
      return
    }
    if (first.offset === 0) return
    const rest = readAt(this.fd, first.offset, this.size - first.offset)
    const shift = first.offset
    const seqShift = first.seq
    for (const e of this.entries) {
      const at = e.offset - shift
      sealHeader(rest.subarray(at, at + HEADER), e.seq - seqShift)
    }
    const tmp = `${this.file}.tmp`
    fs.writeFileSync(tmp, rest, { mode: 0o600 })
    const fd = fs.openSync(tmp, fs.constants.O_RDWR | fs.constants.O_APPEND)
    fs.fdatasyncSync(fd)
    // cursor first: a crash in between replays the delivered prefix again rather than skipping
    fs.rmSync(this.cursorFile, { force: true })
    fs.renameSync(tmp, this.file)
    fs.closeSync(this.fd)
    this.fd = fd
    for (const e of this.entries) {
      e.offset -= shift
      e.seq -= seqShift
    }
    this.size = rest.length
    this.nextSeq -= seqShift
  }

  close(): void {
    try {
      if (this.fd >= 0) fs.closeSync(this.fd)
    } catch {
      // already closed
    }
    this.fd = -1
  }
}
