import * as fs from "node:fs"
import * as fsp from "node:fs/promises"
import * as path from "node:path"
import { pipeline } from "node:stream/promises"
import * as zlib from "node:zlib"
import { ensureDir } from "./ensureDir.js"
import { sleepSync, writeAllSync } from "./fdWriter.js"
import { FileLock } from "./fileLock.js"
import { FileWriters } from "./fileWriters.js"

const show = (input: unknown): string => (typeof input === "string" ? JSON.stringify(input) : String(input))

const byteUnits: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4
}

const BYTES_ACCEPTED =
  'a positive whole number of bytes, or a positive number with a unit B, KB, MB, GB or TB (1024-based, any case, KiB, MiB, GiB and TiB also accepted), such as "512KB", "10 MB" or "1.5 GiB"'

/**
 * A size in bytes from a number or a string such as `"10 MB"`. Units are 1024-based on
 * purpose: people who write "10 MB" for a log file mean the size `ls -lh` shows as 10M.
 */
export const parseBytes = (input: number | string): number => {
  const fail = () => new RangeError(`${show(input)} is not a size in bytes; accepted: ${BYTES_ACCEPTED}`)
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input) || input <= 0) throw fail()
    return input
  }
  if (typeof input !== "string") throw fail()
  const match = /^(\d+(?:\.\d+)?)\s*(b|[kmgt]i?b)?$/i.exec(input.trim())
  if (match === null) throw fail()
  const factor = byteUnits[(match[2] ?? "b").toLowerCase()] ?? 1
  const amount = Number(match[1])
  // A fraction of a byte is a typo, not a request to round; a fraction of a larger unit
  // ("1.5 GiB") is rounded down to whole bytes.
  if (factor === 1 && !Number.isInteger(amount)) throw fail()
  const bytes = Math.floor(amount * factor)
  if (bytes <= 0 || !Number.isSafeInteger(bytes)) throw fail()
  return bytes
}

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const WEEK = 7 * DAY

const namedIntervals: Readonly<Record<string, number>> = { hourly: HOUR, daily: DAY, weekly: WEEK }
const intervalUnits: Readonly<Record<string, number>> = {
  ms: 1,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
  d: DAY,
  w: WEEK
}

const INTERVAL_ACCEPTED =
  'a positive whole number of milliseconds, a positive number with a unit ms, s, m, h, d or w (such as "15s", "30m", "1h", "2d"), or one of hourly, daily, weekly'

/**
 * A rotation interval in milliseconds. A string must carry a unit: a bare `"30"` in an
 * environment variable is more likely to mean seconds or minutes than milliseconds, and
 * guessing wrong would rotate the log a thousand times too often.
 */
export const parseInterval = (input: string | number): number =>
  parseMilliseconds(
    input,
    namedIntervals,
    () => new RangeError(`${show(input)} is not a rotation interval; accepted: ${INTERVAL_ACCEPTED}`)
  )

const AGE_ACCEPTED =
  'a positive whole number of milliseconds, or a positive number with a unit ms, s, m, h, d or w (such as "12h", "30d", "2w")'

/**
 * The age past which rotated files are deleted (`maxAge`), in milliseconds: the forms of
 * {@link parseInterval} without its named periods, which say how often, not how long.
 */
export const parseAge = (input: string | number): number =>
  parseMilliseconds(
    input,
    {},
    () => new RangeError(`${show(input)} is not an age; accepted: ${AGE_ACCEPTED}`)
  )

/** Milliseconds from a whole number, a number with a unit, or one of `named`. */
const parseMilliseconds = (
  input: string | number,
  named: Readonly<Record<string, number>>,
  fail: () => RangeError
): number => {
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input) || input <= 0) throw fail()
    return input
  }
  if (typeof input !== "string") throw fail()
  const text = input.trim().toLowerCase()
  const known = Object.hasOwn(named, text) ? named[text] : undefined
  if (known !== undefined) return known
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(text)
  if (match === null) throw fail()
  const ms = Number(match[1]) * (intervalUnits[match[2] ?? ""] ?? Number.NaN)
  if (!Number.isSafeInteger(ms) || ms <= 0) throw fail()
  return ms
}

/** Which retention policy deleted a rotated file. */
export type RetentionPolicy = "maxAge" | "maxFiles" | "maxTotalBytes"

/** One rotated file retention deleted (see {@link RotatingFileOptions.onDelete}). */
export interface RetentionDeletion {
  /** The deleted file's absolute path. */
  readonly file: string
  /** Its size when deleted, in bytes (compressed size for a `.gz`). */
  readonly bytes: number
  /** When it was rotated (ms since the epoch), read from its name. */
  readonly rotatedAt: number
  /** Its age when deleted, in ms: the time since it was rotated. */
  readonly ageMs: number
  /** The policy that deleted it: the first of maxAge, maxFiles, maxTotalBytes it broke. */
  readonly policy: RetentionPolicy
}

export interface RotatingFileOptions {
  /** The active file; relative paths resolve against the working directory. */
  readonly path: string
  /** Rotate before a write would take the active file past this many bytes. */
  readonly maxBytes?: number | undefined
  /** Rotate when the UTC period of this many milliseconds (aligned to the epoch) changes. */
  readonly interval?: number | undefined
  /** Rotated files kept, oldest deleted first. */
  readonly maxFiles?: number | undefined
  /** Bytes kept across rotated files (compressed sizes once compressed), oldest deleted first. */
  readonly maxTotalBytes?: number | undefined
  /**
   * Milliseconds a rotated file is kept after its rotation (the time in its name); checked
   * at start-up, after each rotation and every hour (or every `maxAge` when shorter, at
   * most once a second).
   */
  readonly maxAge?: number | undefined
  /** Gzip each rotated file in the background. */
  readonly compress?: boolean | undefined
  /** Permission bits of every file created. Default 0o640. */
  readonly mode?: number | undefined
  /**
   * Told about failures that cannot be thrown to a writer: background compression and
   * retention, and a rotation that failed (the lines then stay in the active file).
   * Default: ignore.
   */
  readonly onError?: ((error: unknown) => void) | undefined
  /**
   * Told about each rotated file retention deleted, by this process (when several processes
   * write the path, only the one whose deletion succeeded is told). Default: ignore.
   */
  readonly onDelete?: ((deletion: RetentionDeletion) => void) | undefined
}

/** `20261123T094512Z`: fixed width, so names sort in time order. */
const stamp = (second: number): string =>
  new Date(second * SECOND)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z")

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The rotation time a rotated name's stamp (`20261123T094512Z`) says, in ms. */
const stampTime = (text: string): number =>
  Date.UTC(
    Number(text.slice(0, 4)),
    Number(text.slice(4, 6)) - 1,
    Number(text.slice(6, 8)),
    Number(text.slice(9, 11)),
    Number(text.slice(11, 13)),
    Number(text.slice(13, 15))
  )

/** The longest wait between two checks of `maxAge` for a file that does not rotate. */
const AGE_CHECK_MS = HOUR

/** Past this many rotations in one second the name moves on to the next second. */
const MAX_SEQUENCE = 999

const checkCount = (name: string, value: number | undefined, min: number): number | undefined => {
  if (value === undefined) return undefined
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${name}: ${show(value)} is not a whole number of at least ${min}`)
  return value
}

/** A heartbeat of the writers list a second; see {@link FileWriters}. */
const BEAT_MS = 1000
/**
 * How long a write that must rotate waits for a writer of another process that still
 * appends without the lock to learn it is not alone, before appending past `maxBytes`.
 */
const SOLO_WAIT_MS = 10_000
/** The longest sleep between two looks while waiting so. */
const SOLO_POLL_MS = 20
/** A `.gz.tmp` untouched this long was left by a compression that died. */
const STALE_COMPRESSION_MS = 60_000
const NEWLINE = 0x0a

/**
 * A write that failed part way (a full disk). The file keeps the first `bytes` of the data,
 * which end at a unit boundary (an event, or a line), `units` whole units; the unit the
 * failure cut short was removed again, so the file ends where a line ends (when it could
 * not be removed, it is ended with a newline before the next write).
 */
export class PartialWrite extends Error {
  constructor(
    readonly bytes: number,
    readonly units: number,
    cause: unknown
  ) {
    super(
      `${cause instanceof Error ? cause.message : String(cause)} (after ${units} complete ${units === 1 ? "unit" : "units"}, ${bytes} bytes)`,
      { cause }
    )
    this.name = "PartialWrite"
  }
}

/**
 * Where the units of one write (events, or lines) end, as byte offsets: from the writer
 * when it knows (an event may span several lines), otherwise at each newline. Found only
 * when needed: a write that fits and succeeds never looks.
 */
class Units {
  private found: ArrayLike<number> | undefined
  /** Whether the units are the writer's own (then `exempt` speaks of them), not lines. */
  private theWriters = false

  constructor(
    private readonly buf: Uint8Array,
    private readonly given: (() => ArrayLike<number> | undefined) | undefined,
    private readonly exempt: ((unit: number) => boolean) | undefined
  ) {}

  /** Whether unit `i` may go past `maxBytes` rather than start a file (see `writeSync`). */
  exceeds(i: number): boolean {
    if (this.exempt === undefined) return false
    this.ends()
    return this.theWriters && this.exempt(i)
  }

  ends(): ArrayLike<number> {
    if (this.found !== undefined) return this.found
    const length = this.buf.length
    const given = this.given?.()
    if (given !== undefined && given.length > 0 && given[given.length - 1] === length) {
      this.found = given
      this.theWriters = true
      return given
    }
    const bytes = Buffer.from(this.buf.buffer, this.buf.byteOffset, length)
    const ends: Array<number> = []
    for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) ends.push(i + 1)
    // text that does not end with a newline ends with a unit all the same
    if (ends.length === 0 || ends[ends.length - 1] !== length) ends.push(length)
    this.found = ends
    return ends
  }

  /** How many units end at or before `offset`. */
  count(offset: number): number {
    const ends = this.ends()
    let lo = 0
    let hi = ends.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((ends[mid] as number) <= offset) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The last unit end at or before `offset`, and at least `floor` (itself a unit end). */
  lastEndAtMost(offset: number, floor: number): number {
    const n = this.count(offset)
    return n === 0 ? floor : Math.max(floor, this.ends()[n - 1] as number)
  }
}

/**
 * An append-only log file that rotates by size and/or time, keeps a bounded set of rotated
 * files (by count, total size and age, telling `onDelete` of each file it deletes) and can
 * gzip them.
 *
 * Rotated files are named `<path>.<YYYYMMDDTHHMMSSZ>` after the UTC second of the rotation,
 * with `_001`, `_002`, ... appended when that second already has a rotated file, and `.gz`
 * once compressed. Every part is fixed width and `_` sorts after `.`, so plain name order
 * is rotation order, compressed or not; the active file (`<path>`) holds the newest lines.
 *
 * Writing is synchronous (the pipeline's inner loop is); compression and retention run in
 * the background, one job at a time, and never throw into a writer.
 *
 * Several processes may write one path. Without rotation they simply append (each write is
 * one `write(2)` on an `O_APPEND` descriptor). With rotation they coordinate: renaming the
 * active file is done holding `<path>.lock` ({@link FileLock}), and each process records in
 * `<path>.writers` ({@link FileWriters}) whether it is alone. A process alone ("solo") writes
 * without the lock, checking only the file's size (one `fstat`) per write; once others
 * write the same path, every process takes the lock for each write, follows a rotation
 * another process made (the inode at `path` changed: reopen) and checks the size the file
 * really has, so that no line lands in a file already rotated, compressed or deleted.
 *
 * A write that fails part way leaves the file at the end of its last whole unit (see
 * {@link PartialWrite}), and a file found ending inside a line (a crash in the middle of a
 * write) gets its newline before anything else is appended: at open, and, when the file
 * rotates, whenever it is found to hold bytes another process wrote. A plain file is
 * checked at open only (see `docs/sinks.md`, "A full disk, and a crash in a write").
 */
export class RotatingFile {
  readonly path: string
  private readonly dir: string
  private readonly base: string
  private readonly maxBytes: number | undefined
  private readonly interval: number | undefined
  private readonly maxFiles: number | undefined
  private readonly maxTotalBytes: number | undefined
  private readonly maxAge: number | undefined
  private readonly compress: boolean
  private readonly mode: number
  private readonly onError: (error: unknown) => void
  private readonly onDelete: ((deletion: RetentionDeletion) => void) | undefined
  private readonly now: () => number
  /**
   * Matches rotated names: stem (the name without `.gz`), the stamp of the rotation time in
   * it, and whether it is compressed.
   */
  private readonly rotatedName: RegExp
  /** Present when the file rotates: then processes writing the same path coordinate. */
  private readonly lock: FileLock | undefined
  private readonly writers: FileWriters | undefined
  /** Another process writes this path: every write holds the lock. */
  private shared = false
  private lastBeat = 0
  private beatFailing = false
  private beatTimer: ReturnType<typeof setInterval> | undefined
  /** Applies `maxAge` to a file that rarely rotates. */
  private ageTimer: ReturnType<typeof setInterval> | undefined
  /** Retention jobs queued and not started: the age check adds none while one is. */
  private retentionQueued = 0
  private fd = -1
  /** Whether `fd` can be read (opened read-write), to look at the end of the file. */
  private readable = false
  private ino = 0
  private dev = 0
  private size = 0
  private mtime = 0
  /** The file ends inside a line whose newline could not be written yet. */
  private torn = false
  /**
   * A failed write left part of a line that could not be cut: before the next append, look
   * at how the file ends (it may still end with that part, or another process may have
   * appended after it) and end the line if it is open.
   */
  private tailInDoubt = false
  /** First instant of the next period: a write at or after it rotates first. */
  private periodEnd = Number.POSITIVE_INFINITY
  private lastSecond = Number.NEGATIVE_INFINITY
  private lastSequence = 0
  private rotationFailing = false
  private closed = false
  /** Stems rotated but not compressed yet: retention leaves them for the job that will. */
  private readonly pending = new Set<string>()
  private work: Promise<void> = Promise.resolve()

  constructor(options: RotatingFileOptions, now: () => number = Date.now) {
    if (typeof options.path !== "string" || options.path.length === 0)
      throw new RangeError(`path: ${show(options.path)} is not a file path`)
    this.path = path.resolve(options.path)
    this.dir = path.dirname(this.path)
    this.base = path.basename(this.path)
    this.maxBytes = checkCount("maxBytes", options.maxBytes, 1)
    this.interval = checkCount("interval", options.interval, 1)
    this.maxFiles = checkCount("maxFiles", options.maxFiles, 0)
    this.maxTotalBytes = checkCount("maxTotalBytes", options.maxTotalBytes, 1)
    this.maxAge = checkCount("maxAge", options.maxAge, 1)
    this.compress = options.compress === true
    const mode = options.mode ?? 0o640
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o777)
      throw new RangeError(`mode: ${show(mode)} is not a permission mode between 0 and 0o777`)
    this.mode = mode
    const onError = options.onError
    this.onError = (error) => {
      try {
        onError?.(error)
      } catch {
        // The reporter failing must not turn a background failure into a crash.
      }
    }
    const onDelete = options.onDelete
    this.onDelete =
      onDelete === undefined
        ? undefined
        : (deletion) => {
            try {
              onDelete(deletion)
            } catch (e) {
              this.onError(e)
            }
          }
    this.now = now
    this.rotatedName = new RegExp(`^(${escapeRegExp(this.base)}\\.(\\d{8}T\\d{6}Z)(?:_\\d{3,})?)(\\.gz)?$`)

    ensureDir(this.dir)
    // before any lock file is created next to it (`/dev/null.lock` is no one's business)
    this.refuseOddPath()
    if (this.maxBytes !== undefined || this.interval !== undefined) {
      const lock = new FileLock(`${this.path}.lock`, { mode, onError: this.onError })
      const writers = new FileWriters(`${this.path}.writers`, lock.token, mode)
      this.lock = lock
      this.writers = writers
      lock.with(() => {
        this.openActive()
        try {
          this.endAtLineBoundary()
        } catch (e) {
          fs.closeSync(this.fd)
          throw e
        }
        try {
          this.shared = writers.beat() === "shared"
        } catch (e) {
          // A full disk has no room for the list, yet the file may take lines: as in
          // heartbeat(), write holding the lock for each write, which is safe whatever the
          // others do, until a beat succeeds.
          this.shared = true
          this.beatFailing = true
          this.onError(
            new Error(`rotating file ${this.path}: cannot update ${this.path}.writers`, { cause: e })
          )
        }
        this.lastBeat = Date.now()
      })
      this.beatTimer = setInterval(() => this.heartbeat(), BEAT_MS)
      this.beatTimer.unref()
    } else {
      this.lock = undefined
      this.writers = undefined
      this.openActive()
      this.endAtLineBoundary()
    }
    if (this.interval !== undefined) {
      // Lines already in the file belong to the period of its last write, so a restart
      // after a boundary still rotates them away from the new period's lines.
      this.periodEnd = this.nextBoundary(this.size > 0 ? this.mtime : this.now())
    }
    // Finish what a previous process may have left: uncompressed or half-compressed
    // rotated files, and retention.
    if (this.compress || this.retains()) this.enqueue(() => this.recover())
    if (this.maxAge !== undefined) {
      // Rotations apply maxAge too; this is for a file that rarely rotates. Unref'd: a
      // retention check is no reason for the process to stay alive.
      this.ageTimer = setInterval(
        () => {
          if (this.retentionQueued === 0) this.enqueueRetention()
        },
        Math.max(SECOND, Math.min(this.maxAge, AGE_CHECK_MS))
      )
      this.ageTimer.unref()
    }
  }

  /** Whether any retention policy is set. */
  private retains(): boolean {
    return this.maxFiles !== undefined || this.maxTotalBytes !== undefined || this.maxAge !== undefined
  }

  private enqueueRetention(): void {
    this.retentionQueued++
    this.enqueue(() => {
      this.retentionQueued--
      return this.retain()
    })
  }

  /**
   * Opens the file at `path` for appending, creating it with `mode`. `O_NOFOLLOW` and the
   * regular-file check matter when running as root: rotating means renaming whatever sits
   * at `path`, and a symlink or `/dev/null` must never be renamed or followed. Read access
   * is asked for too (to check how the file ends), and done without when not granted.
   */
  private open(): { readonly fd: number; readonly readable: boolean } {
    const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDWR, O_WRONLY } = fs.constants
    this.refuseOddPath()
    let fd: number
    let created = true
    let readable = true
    try {
      fd = fs.openSync(this.path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW, this.mode)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
      created = false
      try {
        fd = fs.openSync(this.path, O_RDWR | O_APPEND | O_NOFOLLOW)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EACCES") throw e
        readable = false
        fd = fs.openSync(this.path, O_WRONLY | O_APPEND | O_NOFOLLOW)
      }
    }
    try {
      if (!fs.fstatSync(fd).isFile()) throw new Error(`rotating file ${this.path}: is not a regular file`)
      // The umask may have removed bits from `mode`; the caller asked for exactly these.
      if (created) fs.fchmodSync(fd, this.mode)
    } catch (e) {
      fs.closeSync(fd)
      throw e
    }
    return { fd, readable }
  }

  /** Throws when something other than a regular file (or nothing) is at `path`. */
  private refuseOddPath(): void {
    const existing = fs.lstatSync(this.path, { throwIfNoEntry: false })
    if (existing === undefined || existing.isFile()) return
    if (existing.isDirectory()) throw new Error(`rotating file ${this.path}: is a directory, not a file`)
    if (existing.isSymbolicLink())
      throw new Error(`rotating file ${this.path}: is a symbolic link; give the path of the file itself`)
    throw new Error(`rotating file ${this.path}: is not a regular file`)
  }

  /** Opens `path` as the active file, taking its size, identity and age. */
  private openActive(): void {
    const { fd, readable } = this.open()
    this.adopt(fd, readable)
  }

  private adopt(fd: number, readable: boolean): void {
    const stat = fs.fstatSync(fd)
    this.fd = fd
    this.readable = readable
    this.ino = stat.ino
    this.dev = stat.dev
    this.size = stat.size
    this.mtime = stat.mtimeMs
  }

  private nextBoundary(t: number): number {
    const interval = this.interval!
    return (Math.floor(t / interval) + 1) * interval
  }

  /**
   * Appends whole units (text, or its UTF-8 bytes), rotating first whenever the period or
   * the size limit requires. `ends` may say where each unit (event) ends, as byte offsets
   * into the data, when one can span several lines; by default each line is a unit.
   * Throws {@link PartialWrite} when a failure left some whole units written, otherwise
   * the failure itself.
   *
   * `exempt` names units (by index into `ends`, when given) that never start a new file:
   * they are appended past `maxBytes` instead. The sink gives the reports of retention
   * deletions so: otherwise, with a `maxBytes` below two reports, each report would rotate
   * the file, the rotation's retention delete a file, and its report rotate again, forever.
   */
  writeSync(
    data: string | Uint8Array,
    ends?: () => ArrayLike<number> | undefined,
    exempt?: (unit: number) => boolean
  ): void {
    if (this.closed) throw new Error(`rotating file ${this.path} is closed; writes after close() are refused`)
    if (data.length === 0) return
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data
    const units = new Units(buf, ends, exempt)
    const lock = this.lock
    if (lock === undefined) {
      // Without rotation nothing is known of other processes' bytes: only a failed cut of
      // our own needs the size, to look at how the file ends.
      if (this.tailInDoubt) this.size = fs.fstatSync(this.fd).size
      this.endTornLine()
      this.append(buf, 0, buf.length, units)
      return
    }
    if (Date.now() - this.lastBeat >= BEAT_MS) this.heartbeat()
    if (!this.shared) {
      // Alone, the size is known; a file that grew by bytes this process did not write
      // means another process has started writing it: find out now, not at the next beat.
      const size = fs.fstatSync(this.fd).size
      if (size !== this.size) {
        this.heartbeat()
        // Still alone: the bytes came from a writer that has gone, maybe killed in the
        // middle of a line. (Shared, follow() looks, holding the lock.)
        if (!this.shared) this.lookAtTail(size)
      }
    }
    if (!this.shared) {
      this.endTornLine()
      this.writeRotating(buf, units, 0, false)
      return
    }
    // The file must rotate while a writer of another process still appends without the
    // lock: it cannot be renamed under that writer, and appending on would take it past
    // maxBytes for as long as that process takes to run again (under load, seconds). So
    // the lock is let go (that writer needs it to say it is no longer alone), and the rest
    // of the data is written once it has, or after SOLO_WAIT_MS past the limit.
    let from = 0
    let deadline: number | undefined
    let wait = 1
    for (;;) {
      const patient = deadline === undefined || Date.now() < deadline
      try {
        from = this.withLock(() => {
          this.follow()
          this.endTornLine()
          return this.writeRotating(buf, units, from, patient)
        })
      } catch (e) {
        // the units written in earlier rounds are in the file: say so
        if (from === 0 || e instanceof PartialWrite) throw e
        throw new PartialWrite(from, units.count(from), e)
      }
      if (from === buf.length) return
      deadline ??= Date.now() + SOLO_WAIT_MS
      sleepSync(wait)
      wait = Math.min(wait * 2, SOLO_POLL_MS)
    }
  }

  /**
   * Runs `f` holding the lock. A lock broken as stale was held by a process that died, maybe
   * in the middle of a write or a rotation: the active file is found again (made anew if
   * the rotation had renamed it) and made to end at a line boundary first.
   */
  private withLock<A>(f: () => A): A {
    return this.lock!.with((brokeStale) => {
      if (brokeStale && !this.closed) {
        this.follow()
        this.endAtLineBoundary()
      }
      return f()
    })
  }

  /**
   * Writes `buf` from offset `from` (a unit end), rotating as needed. Returns where it
   * stopped: `buf.length`, or, when `patient`, the end of the last unit written before a
   * rotation that must wait for another process (see `writeSync`).
   */
  private writeRotating(buf: Uint8Array, units: Units, from: number, patient: boolean): number {
    if (this.interval !== undefined) {
      const t = this.now()
      if (this.shared) {
        // Other processes rotate too: the file's own age says whether its period is over.
        if (this.size > 0 && this.nextBoundary(this.mtime) <= t) this.rotate()
      } else if (t >= this.periodEnd) {
        if (this.size > 0) this.rotate()
        // Also after a failed rotation: retrying on every write until the next boundary
        // would turn one failure into one per write.
        this.periodEnd = this.nextBoundary(t)
      }
    }
    const maxBytes = this.maxBytes
    if (maxBytes === undefined || this.size + (buf.length - from) <= maxBytes) {
      this.append(buf, from, buf.length, units)
      return buf.length
    }
    return this.writeUnits(buf, units, maxBytes, from, patient)
  }

  /**
   * The slow path: the data does not fit, so write it unit by unit, as many whole units
   * per file as fit. A unit longer than `maxBytes` gets a file of its own.
   */
  private writeUnits(
    buf: Uint8Array,
    units: Units,
    maxBytes: number,
    from: number,
    patient: boolean
  ): number {
    const ends = units.ends()
    let start = from
    let i = units.count(from)
    while (start < buf.length) {
      let end = start
      while (i < ends.length && this.size + ((ends[i] as number) - start) <= maxBytes) {
        end = ends[i] as number
        i++
      }
      if (end === start && this.size > 0 && i < ends.length && units.exceeds(i)) {
        end = ends[i] as number
        i++
      }
      if (end > start) {
        this.append(buf, start, end, units)
        start = end
      } else if (this.size > 0) {
        // The next unit does not fit behind what is there: it starts a new file.
        const rotated = this.rotate(patient)
        if (rotated === "wait") return start
        if (!rotated) {
          // No rotation now (it failed, or another writer here still appends without the
          // lock, or waiting for one elsewhere took too long): keeping the lines beats
          // keeping the limit.
          this.append(buf, start, buf.length, units)
          return buf.length
        }
      } else {
        // An empty file and a unit longer than the limit: it goes alone, and the next
        // unit goes to the next file.
        end = ends[i] as number
        i++
        this.append(buf, start, end, units)
        start = end
        // when it must wait, the next unit finds the file full and waits then
        if (!units.exceeds(i - 1)) this.rotate(patient)
      }
    }
    return buf.length
  }

  /**
   * Writes `buf[start, end)`. When the write fails part way, the unit it cut short is
   * removed from the file, and the failure says how much of the data is in the file.
   */
  private append(buf: Uint8Array, start: number, end: number, units: Units): void {
    const progress = { written: 0 }
    try {
      writeAllSync(this.fd, start === 0 && end === buf.length ? buf : buf.subarray(start, end), progress)
      this.size += end - start
    } catch (e) {
      const landed = start + progress.written
      const keep = units.lastEndAtMost(landed, start)
      if (landed > keep) this.cut(buf.subarray(keep, landed))
      try {
        this.size = fs.fstatSync(this.fd).size
      } catch {
        // Keep the count we had.
      }
      if (keep === 0) throw e
      throw new PartialWrite(keep, units.count(keep), e)
    }
  }

  /**
   * Removes `fragment`, the start of a unit a failed write cut short, from the end of the
   * file, holding the lock when there is one (a writer taking it cannot append meanwhile).
   * Only when the file still ends with exactly those bytes: another process may have
   * appended after them, and its lines are not ours to cut. When the cut cannot be made,
   * the next append looks at how the file ends first, and ends the line if it is open.
   */
  private cut(fragment: Uint8Array): void {
    const removeFragment = () => {
      if (this.writers?.othersSolo() === true)
        throw new Error("another process still appends without the lock")
      const size = fs.fstatSync(this.fd).size
      const start = size - fragment.length
      if (start < 0 || !this.endsWith(size, fragment))
        throw new Error("the file no longer ends with it: another process appended after it")
      fs.ftruncateSync(this.fd, start)
    }
    try {
      if (this.lock === undefined) removeFragment()
      else this.lock.with(removeFragment)
    } catch (e) {
      this.tailInDoubt = true
      this.onError(
        new Error(
          `rotating file ${this.path}: the part of a line a failed write left could not be removed; the line is ended before the next write`,
          { cause: e }
        )
      )
    }
  }

  /** Whether the file of `size` bytes ends with `tail`. */
  private endsWith(size: number, tail: Uint8Array): boolean {
    const seen = this.read(size - tail.length, tail.length)
    return seen !== undefined && Buffer.compare(seen, tail) === 0
  }

  /** `length` bytes of the active file at `position`, or undefined when it cannot be read. */
  private read(position: number, length: number): Buffer | undefined {
    const out = Buffer.alloc(length)
    let fd = this.fd
    if (!this.readable) {
      try {
        fd = fs.openSync(this.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
      } catch {
        return undefined
      }
    }
    try {
      if (fd !== this.fd) {
        const stat = fs.fstatSync(fd)
        if (stat.ino !== this.ino || stat.dev !== this.dev) return undefined
      }
      let got = 0
      while (got < length) {
        const n = fs.readSync(fd, out, got, length - got, position + got)
        if (n === 0) return undefined
        got += n
      }
      return out
    } finally {
      if (fd !== this.fd) fs.closeSync(fd)
    }
  }

  /**
   * Makes the file end where a line ends. A process killed in the middle of a write leaves
   * a line without its newline; the next line would be glued to it and neither could be
   * read. The fragment is completed with a newline rather than cut: it is all that is left
   * of what the dead process was writing (often the reason it died), and no one else holds
   * a copy, so it is kept, as one line a reader can skip.
   */
  private endAtLineBoundary(): void {
    if (this.size === 0) return
    const last = this.read(this.size - 1, 1)
    if (last === undefined || last[0] === NEWLINE) return
    this.torn = true
    try {
      this.endTornLine()
    } catch (e) {
      // A full disk: tried again before the next write.
      this.onError(new Error(`rotating file ${this.path}: cannot end the torn last line yet`, { cause: e }))
    }
  }

  /** Before an append: ends the line the file ends inside, if any. `size` must be current. */
  private endTornLine(): void {
    if (this.tailInDoubt) {
      // unreadable: a newline too many (an empty line) beats two lines glued into one
      const last = this.size > 0 ? this.read(this.size - 1, 1) : undefined
      this.torn = this.size > 0 && (last === undefined || last[0] !== NEWLINE)
    }
    if (this.torn) {
      writeAllSync(this.fd, "\n")
      this.size += 1
    }
    this.torn = false
    this.tailInDoubt = false
  }

  /**
   * Takes `size`, the size the file was found to have, after bytes this process did not
   * write: another process's lines, or the fragment its killed write left. One read of
   * the last byte says whether the file ends inside a line (left as it is when unreadable).
   */
  private lookAtTail(size: number): void {
    this.size = size
    if (size === 0) {
      this.torn = false
      this.tailInDoubt = false
      return
    }
    const last = this.read(size - 1, 1)
    if (last === undefined) return
    this.torn = last[0] !== NEWLINE
    this.tailInDoubt = false
  }

  /**
   * Shared mode, holding the lock: follows a rotation another process made (the inode at
   * `path` is not ours any more, or nothing is there) and takes the size the file has. A
   * size other than the one this process left means others wrote: how the file ends is
   * looked at, since a process killed in the middle of a write leaves half a line.
   */
  private follow(): void {
    const stat = fs.lstatSync(this.path, { throwIfNoEntry: false })
    if (stat !== undefined && stat.ino === this.ino && stat.dev === this.dev) {
      if (stat.size !== this.size) this.lookAtTail(stat.size)
      this.mtime = stat.mtimeMs
      return
    }
    if (stat === undefined) ensureDir(this.dir)
    const { fd, readable } = this.open()
    try {
      fs.closeSync(this.fd)
    } catch (e) {
      this.onError(e)
    }
    this.adopt(fd, readable)
    // a torn line in the file we left is not this one's
    this.torn = false
    this.tailInDoubt = false
    if (this.size > 0) this.lookAtTail(this.size)
  }

  /**
   * Refreshes this process's entry in the writers list and takes the mode it says. Never
   * throws: a failure is reported (once per streak) and leaves the process in shared mode,
   * which is safe whatever the others do.
   */
  private heartbeat(): void {
    try {
      this.withLock(() => {
        if (this.closed) {
          this.writers!.beat(true)
          return
        }
        const wasShared = this.shared
        this.shared = this.writers!.beat() === "shared"
        if (wasShared && !this.shared) {
          // Alone again: from now on the size is counted here, so take it as it is.
          this.follow()
          if (this.interval !== undefined)
            this.periodEnd = this.nextBoundary(this.size > 0 ? this.mtime : this.now())
        }
      })
      this.beatFailing = false
    } catch (e) {
      this.shared = true
      if (!this.beatFailing)
        this.onError(
          new Error(`rotating file ${this.path}: cannot update ${this.path}.writers`, { cause: e })
        )
      this.beatFailing = true
    }
    this.lastBeat = Date.now()
  }

  /**
   * Renames the active file to its rotated name and opens a fresh one, holding the lock.
   * Never throws: a writer must not lose lines because a rename failed, so on failure the
   * active file is kept (and grows past the limit) and the first failure of a streak is
   * reported. While another writer still appends without the lock, the file is not
   * renamed (its next line would land in the rotated file): the result is then `"wait"`
   * when that writer is in another process and the caller is `patient` (it lets the lock
   * go and tries again, see `writeSync`), false otherwise.
   */
  private rotate(patient = false): boolean | "wait" {
    if (this.lock === undefined) return this.rotateHeld()
    try {
      return this.withLock(() => {
        if (this.shared) {
          const solo = this.writers!.soloOthers()
          if (solo !== "none") return patient && solo === "otherProcess" ? "wait" : false
        }
        return this.rotateHeld()
      })
    } catch (e) {
      this.rotationFailed(e)
      return false
    }
  }

  private rotateHeld(): boolean {
    let target: string | undefined
    try {
      target = this.rotatedPath()
      fs.renameSync(this.path, target)
    } catch (e) {
      // Someone moved or deleted the active file: there is nothing to rename, and writing
      // on to the moved file would hide the lines, so start a new file at `path`.
      if ((e as NodeJS.ErrnoException).code === "ENOENT" && !fs.existsSync(this.path)) target = undefined
      else {
        this.rotationFailed(e)
        return false
      }
    }
    let opened: { readonly fd: number; readonly readable: boolean }
    try {
      // The directory may have gone with the file.
      if (target === undefined) ensureDir(this.dir)
      opened = this.open()
    } catch (e) {
      // Put the file back so the descriptor we keep writing to is `path` again.
      try {
        if (target !== undefined) fs.renameSync(target, this.path)
      } catch {
        // Lines keep going to the rotated name; still nothing is lost.
      }
      this.rotationFailed(e)
      return false
    }
    try {
      fs.closeSync(this.fd)
    } catch (e) {
      this.onError(e)
    }
    this.adopt(opened.fd, opened.readable)
    this.rotationFailing = false
    if (target === undefined) return true
    const stem = path.basename(target)
    if (this.compress) {
      this.pending.add(stem)
      this.enqueue(() => this.compressFile(stem))
    }
    if (this.retains()) this.enqueueRetention()
    return true
  }

  private rotationFailed(cause: unknown): void {
    if (this.rotationFailing) return
    this.rotationFailing = true
    this.onError(new Error(`rotating file ${this.path}: rotation failed, still appending to it`, { cause }))
  }

  /**
   * A free rotated name. The second never goes backwards within a process, so a clock
   * stepped back cannot put a newer file before an older one in name order. Every process
   * picks names holding the lock, so two never pick the same one.
   */
  private rotatedPath(): string {
    let second = Math.max(Math.floor(this.now() / SECOND), this.lastSecond)
    let sequence = second === this.lastSecond ? this.lastSequence + 1 : 0
    for (;;) {
      if (sequence > MAX_SEQUENCE) {
        second++
        sequence = 0
      }
      const candidate = `${this.path}.${stamp(second)}${sequence === 0 ? "" : `_${String(sequence).padStart(3, "0")}`}`
      if (
        !fs.existsSync(candidate) &&
        !fs.existsSync(`${candidate}.gz`) &&
        !fs.existsSync(`${candidate}.gz.tmp`)
      ) {
        this.lastSecond = second
        this.lastSequence = sequence
        return candidate
      }
      sequence++
    }
  }

  private enqueue(job: () => Promise<void>): void {
    this.work = this.work.then(job).catch((e: unknown) => this.onError(e))
  }

  /**
   * Gzips one rotated file to `<name>.gz` (via a temporary name), then deletes the original.
   * Creating the temporary file (exclusively) claims the job: another process writing the
   * same path may be compressing the same file, and then this one leaves it alone.
   */
  private async compressFile(stem: string): Promise<void> {
    const source = path.join(this.dir, stem)
    const temporary = `${source}.gz.tmp`
    try {
      // "wx": never follow or reuse something already sitting at the temporary name.
      const output = await this.claim(temporary)
      if (output === undefined) return
      let input: fsp.FileHandle
      try {
        await output.chmod(this.mode)
        // O_NOFOLLOW: a symlink planted under a rotated name must not get its target archived.
        input = await fsp.open(source, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
      } catch (e) {
        await output.close()
        await fsp.rm(temporary, { force: true })
        // Another process finished it between our look and our claim.
        if ((e as NodeJS.ErrnoException).code === "ENOENT" && (await exists(`${source}.gz`))) return
        throw e
      }
      const { ino } = await output.stat()
      try {
        // Both streams close their handles when the pipeline ends, in success or failure.
        await pipeline(input.createReadStream(), zlib.createGzip(), output.createWriteStream())
        // Still our temporary file? One stalled past STALE_COMPRESSION_MS may have been
        // taken over; the archive is then the other process's to finish.
        if ((await fsp.lstat(temporary)).ino !== ino) return
        // The rename marks the archive complete: a crash before it leaves the original intact.
        await fsp.rename(temporary, `${source}.gz`)
      } catch (e) {
        // only our own: a stalled compression taken over has someone else's at that name
        const now = await fsp.lstat(temporary).catch(() => undefined)
        if (now?.ino === ino) await fsp.rm(temporary, { force: true }).catch(() => {})
        throw e
      }
      await fsp.rm(source, { force: true })
    } catch (e) {
      this.onError(new Error(`rotating file ${this.path}: cannot compress ${source}`, { cause: e }))
    } finally {
      this.pending.delete(stem)
    }
  }

  /**
   * Creates `temporary` exclusively; undefined when another process's compression may
   * hold it. A temporary file is left over from a compression that died when no other
   * process is listed for this path, or when it has not grown for a minute.
   */
  private async claim(temporary: string): Promise<fsp.FileHandle | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fsp.open(temporary, "wx", this.mode)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
        if (attempt > 0) return undefined
      }
      const stat = await fsp.lstat(temporary).catch(() => undefined)
      if (!this.alone() && stat !== undefined && Date.now() - stat.mtimeMs <= STALE_COMPRESSION_MS)
        return undefined
      await fsp.rm(temporary, { force: true })
    }
  }

  /** Whether no other process writes this path or finishes work on its rotated files. */
  private alone(): boolean {
    const lock = this.lock
    if (lock === undefined) return true
    try {
      return lock.with(() => this.writers!.alone())
    } catch {
      return false
    }
  }

  /** Start-up work: finish compression a previous process left undone, then retention. */
  private async recover(): Promise<void> {
    if (this.compress) {
      const names = new Set(await fsp.readdir(this.dir))
      // with other processes at work, a temporary archive may be theirs, in progress
      const alone = this.alone()
      for (const name of [...names].sort()) {
        if (
          alone &&
          name.endsWith(".gz.tmp") &&
          this.rotatedName.test(name.slice(0, -4)) &&
          !names.has(name.slice(0, -7))
        )
          await fsp.rm(path.join(this.dir, name), { force: true })
        const match = this.rotatedName.exec(name)
        if (match === null || match[3] !== undefined || this.pending.has(name)) continue
        // A finished archive next to its original: the crash came between rename and unlink.
        if (names.has(`${name}.gz`)) await fsp.rm(path.join(this.dir, name), { force: true })
        else await this.compressFile(name)
      }
    }
    await this.retain()
  }

  /**
   * Deletes rotated files, oldest first, while any policy says so: the file is older than
   * `maxAge` (its age is the time since the rotation its name records), or more files than
   * `maxFiles`, or more bytes than `maxTotalBytes`, are kept. Names sort in rotation order,
   * so the files past `maxAge` are the oldest ones and one pass from the oldest settles all
   * three. The active file is never a rotated one. Each file this process deleted is told
   * to `onDelete`; one another process deleted first (both ran retention) is not.
   */
  private async retain(): Promise<void> {
    const maxFiles = this.maxFiles ?? Number.POSITIVE_INFINITY
    const maxTotalBytes = this.maxTotalBytes ?? Number.POSITIVE_INFINITY
    const maxAge = this.maxAge ?? Number.POSITIVE_INFINITY
    if (!this.retains()) return
    const names = await fsp.readdir(this.dir)
    const compressing = new Set(names.filter((n) => n.endsWith(".gz.tmp")).map((n) => n.slice(0, -7)))
    const groups = new Map<
      string,
      { names: Array<{ name: string; size: number }>; size: number; rotatedAt: number }
    >()
    for (const name of names) {
      const match = this.rotatedName.exec(name)
      const stem = match?.[1]
      // Files still waiting for compression (here or in another process writing the same
      // path) are counted by the job that follows theirs, at their compressed size.
      if (stem === undefined || this.pending.has(stem) || compressing.has(stem)) continue
      let size: number
      try {
        size = (await fsp.lstat(path.join(this.dir, name))).size
      } catch {
        continue
      }
      const group = groups.get(stem) ?? { names: [], size: 0, rotatedAt: stampTime(match?.[2] ?? "") }
      group.names.push({ name, size })
      group.size += size
      groups.set(stem, group)
    }
    let count = groups.size
    let total = 0
    for (const group of groups.values()) total += group.size
    const now = this.now()
    for (const stem of [...groups.keys()].sort()) {
      const group = groups.get(stem)!
      // a name stamped ahead of the clock (the clock was stepped back) is of age 0
      const ageMs = Math.max(0, now - group.rotatedAt)
      const policy: RetentionPolicy | undefined =
        ageMs > maxAge
          ? "maxAge"
          : count > maxFiles
            ? "maxFiles"
            : total > maxTotalBytes
              ? "maxTotalBytes"
              : undefined
      if (policy === undefined) break
      for (const { name, size } of group.names) {
        const file = path.join(this.dir, name)
        try {
          await fsp.unlink(file)
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT")
            this.onError(new Error(`rotating file ${this.path}: cannot delete ${name}`, { cause: e }))
          continue
        }
        this.onDelete?.({ file, bytes: size, rotatedAt: group.rotatedAt, ageMs, policy })
      }
      count--
      total -= group.size
    }
  }

  /**
   * Closes the active file. Background work carries on (`settle()` waits for it), listed
   * as `idle` in the writers list, which the process leaves once that work is done.
   */
  close(): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.ageTimer)
    const lock = this.lock
    if (lock !== undefined) {
      this.heartbeat()
      this.enqueue(async () => {
        clearInterval(this.beatTimer)
        try {
          lock.with(() => this.writers!.leave())
        } catch (e) {
          this.onError(
            new Error(`rotating file ${this.path}: cannot update ${this.path}.writers`, { cause: e })
          )
        }
      })
    }
    fs.closeSync(this.fd)
  }

  /** Resolves once no compression or retention job is queued or running. Never rejects. */
  async settle(): Promise<void> {
    let current: Promise<void>
    do {
      current = this.work
      await current
    } while (current !== this.work)
  }
}

const exists = (file: string): Promise<boolean> =>
  fsp.lstat(file).then(
    () => true,
    () => false
  )
