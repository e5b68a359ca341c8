import * as fs from "node:fs"
import * as fsp from "node:fs/promises"
import * as path from "node:path"
import { pipeline } from "node:stream/promises"
import * as zlib from "node:zlib"
import { ensureDir } from "./ensureDir.js"
import { writeAllSync } from "./fdWriter.js"

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
export const parseInterval = (input: string | number): number => {
  const fail = () =>
    new RangeError(`${show(input)} is not a rotation interval; accepted: ${INTERVAL_ACCEPTED}`)
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input) || input <= 0) throw fail()
    return input
  }
  if (typeof input !== "string") throw fail()
  const text = input.trim().toLowerCase()
  const named = namedIntervals[text]
  if (named !== undefined) return named
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(text)
  if (match === null) throw fail()
  const ms = Number(match[1]) * (intervalUnits[match[2] ?? ""] ?? Number.NaN)
  if (!Number.isSafeInteger(ms) || ms <= 0) throw fail()
  return ms
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
}

/** `20261123T094512Z`: fixed width, so names sort in time order. */
const stamp = (second: number): string =>
  new Date(second * SECOND)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z")

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Past this many rotations in one second the name moves on to the next second. */
const MAX_SEQUENCE = 999

const checkCount = (name: string, value: number | undefined, min: number): number | undefined => {
  if (value === undefined) return undefined
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${name}: ${show(value)} is not a whole number of at least ${min}`)
  return value
}

/**
 * An append-only log file that rotates by size and/or time, keeps a bounded set of rotated
 * files and can gzip them.
 *
 * Rotated files are named `<path>.<YYYYMMDDTHHMMSSZ>` after the UTC second of the rotation,
 * with `_001`, `_002`, ... appended when that second already has a rotated file, and `.gz`
 * once compressed. Every part is fixed width and `_` sorts after `.`, so plain name order
 * is rotation order, compressed or not; the active file (`<path>`) holds the newest lines.
 *
 * Writing is synchronous (the pipeline's inner loop is); compression and retention run in
 * the background, one job at a time, and never throw into a writer.
 */
export class RotatingFile {
  readonly path: string
  private readonly dir: string
  private readonly base: string
  private readonly maxBytes: number | undefined
  private readonly interval: number | undefined
  private readonly maxFiles: number | undefined
  private readonly maxTotalBytes: number | undefined
  private readonly compress: boolean
  private readonly mode: number
  private readonly onError: (error: unknown) => void
  private readonly now: () => number
  /** Matches rotated names: stem (the name without `.gz`) and whether it is compressed. */
  private readonly rotatedName: RegExp
  private fd: number
  private size: number
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
    this.now = now
    this.rotatedName = new RegExp(`^(${escapeRegExp(this.base)}\\.\\d{8}T\\d{6}Z(?:_\\d{3,})?)(\\.gz)?$`)

    ensureDir(this.dir)
    this.fd = this.open()
    const stat = fs.fstatSync(this.fd)
    this.size = stat.size
    if (this.interval !== undefined) {
      // Lines already in the file belong to the period of its last write, so a restart
      // after a boundary still rotates them away from the new period's lines.
      this.periodEnd = this.nextBoundary(this.size > 0 ? stat.mtimeMs : this.now())
    }
    // Finish what a previous process may have left: uncompressed or half-compressed
    // rotated files, and retention.
    if (this.compress || this.maxFiles !== undefined || this.maxTotalBytes !== undefined)
      this.enqueue(() => this.recover())
  }

  /**
   * Opens the active file for appending, creating it with `mode`. `O_NOFOLLOW` and the
   * regular-file check matter when running as root: rotating means renaming whatever sits
   * at `path`, and a symlink or `/dev/null` must never be renamed or followed.
   */
  private open(): number {
    const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY } = fs.constants
    let existing: fs.Stats | undefined
    try {
      existing = fs.lstatSync(this.path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
    }
    if (existing?.isDirectory()) throw new Error(`rotating file ${this.path}: is a directory, not a file`)
    if (existing?.isSymbolicLink())
      throw new Error(`rotating file ${this.path}: is a symbolic link; give the path of the file itself`)
    if (existing !== undefined && !existing.isFile())
      throw new Error(`rotating file ${this.path}: is not a regular file`)
    let fd: number
    let created = true
    try {
      fd = fs.openSync(this.path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW, this.mode)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
      created = false
      fd = fs.openSync(this.path, O_WRONLY | O_APPEND | O_NOFOLLOW)
    }
    try {
      if (!fs.fstatSync(fd).isFile()) throw new Error(`rotating file ${this.path}: is not a regular file`)
      // The umask may have removed bits from `mode`; the caller asked for exactly these.
      if (created) fs.fchmodSync(fd, this.mode)
    } catch (e) {
      fs.closeSync(fd)
      throw e
    }
    return fd
  }

  private nextBoundary(t: number): number {
    const interval = this.interval!
    return (Math.floor(t / interval) + 1) * interval
  }

  /**
   * Appends whole lines (text, or its UTF-8 bytes), rotating first whenever the period or
   * the size limit requires.
   */
  writeSync(text: string | Uint8Array): void {
    if (this.closed) throw new Error(`rotating file ${this.path} is closed; writes after close() are refused`)
    if (text.length === 0) return
    if (this.interval !== undefined) {
      const t = this.now()
      if (t >= this.periodEnd) {
        if (this.size > 0) this.rotate()
        // Also after a failed rotation: retrying on every write until the next boundary
        // would turn one failure into one per write.
        this.periodEnd = this.nextBoundary(t)
      }
    }
    const maxBytes = this.maxBytes
    const bytes = typeof text === "string" ? Buffer.byteLength(text, "utf8") : text.length
    if (maxBytes === undefined || this.size + bytes <= maxBytes) {
      this.append(text, bytes)
      return
    }
    this.writeLines(
      typeof text === "string"
        ? text
        : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString("utf8"),
      maxBytes
    )
  }

  /**
   * The slow path: the text does not fit, so write it line by line, as many whole lines per
   * file as fit. A line longer than `maxBytes` gets a file of its own.
   */
  private writeLines(text: string, maxBytes: number): void {
    let start = 0
    while (start < text.length) {
      let end = start
      let bytes = 0
      let lineEnd = start
      let lineBytes = 0
      while (end < text.length) {
        const nl = text.indexOf("\n", end)
        lineEnd = nl === -1 ? text.length : nl + 1
        lineBytes = Buffer.byteLength(text.slice(end, lineEnd), "utf8")
        if (this.size + bytes + lineBytes > maxBytes) break
        end = lineEnd
        bytes += lineBytes
      }
      if (end > start) {
        this.append(text.slice(start, end), bytes)
        start = end
      } else if (this.size > 0) {
        // The next line does not fit behind what is there: it starts a new file.
        if (!this.rotate()) {
          // Rotation failed: keeping the lines beats keeping the limit.
          this.append(text.slice(start), Buffer.byteLength(text.slice(start), "utf8"))
          return
        }
      } else {
        // An empty file and a line longer than the limit: it goes alone, and the next line
        // goes to the next file.
        this.append(text.slice(start, lineEnd), lineBytes)
        start = lineEnd
        this.rotate()
      }
    }
  }

  private append(text: string | Uint8Array, bytes: number): void {
    try {
      writeAllSync(this.fd, text)
      this.size += bytes
    } catch (e) {
      // Part of the text may have landed; the file knows how much.
      try {
        this.size = fs.fstatSync(this.fd).size
      } catch {
        // Keep the count we had.
      }
      throw e
    }
  }

  /**
   * Renames the active file to its rotated name and opens a fresh one. Never throws: a
   * writer must not lose lines because a rename failed, so on failure the active file is
   * kept (and grows past the limit) and the first failure of a streak is reported.
   */
  private rotate(): boolean {
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
    let fd: number
    try {
      // The directory may have gone with the file.
      if (target === undefined) ensureDir(this.dir)
      fd = this.open()
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
    this.fd = fd
    this.size = 0
    this.rotationFailing = false
    if (target === undefined) return true
    const stem = path.basename(target)
    if (this.compress) {
      this.pending.add(stem)
      this.enqueue(() => this.compressFile(stem))
    }
    if (this.maxFiles !== undefined || this.maxTotalBytes !== undefined) this.enqueue(() => this.retain())
    return true
  }

  private rotationFailed(cause: unknown): void {
    if (this.rotationFailing) return
    this.rotationFailing = true
    this.onError(new Error(`rotating file ${this.path}: rotation failed, still appending to it`, { cause }))
  }

  /**
   * A free rotated name. The second never goes backwards within a process, so a clock
   * stepped back cannot put a newer file before an older one in name order.
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

  /** Gzips one rotated file to `<name>.gz` (via a temporary name), then deletes the original. */
  private async compressFile(stem: string): Promise<void> {
    const source = path.join(this.dir, stem)
    const temporary = `${source}.gz.tmp`
    try {
      await fsp.rm(temporary, { force: true })
      // O_NOFOLLOW: a symlink planted under a rotated name must not get its target archived.
      const input = await fsp.open(source, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
      // "wx": never follow or reuse something already sitting at the temporary name.
      const output = await fsp.open(temporary, "wx", this.mode).catch(async (e: unknown) => {
        await input.close()
        throw e
      })
      try {
        await output.chmod(this.mode)
      } catch (e) {
        await Promise.all([output.close(), input.close()])
        throw e
      }
      // Both streams close their handles when the pipeline ends, in success or failure.
      await pipeline(input.createReadStream(), zlib.createGzip(), output.createWriteStream())
      // The rename marks the archive complete: a crash before it leaves the original intact.
      await fsp.rename(temporary, `${source}.gz`)
      await fsp.unlink(source)
    } catch (e) {
      await fsp.rm(temporary, { force: true }).catch(() => {})
      this.onError(new Error(`rotating file ${this.path}: cannot compress ${source}`, { cause: e }))
    } finally {
      this.pending.delete(stem)
    }
  }

  /** Start-up work: finish compression a previous process left undone, then retention. */
  private async recover(): Promise<void> {
    if (this.compress) {
      const names = new Set(await fsp.readdir(this.dir))
      for (const name of [...names].sort()) {
        if (
          name.endsWith(".gz.tmp") &&
          this.rotatedName.test(name.slice(0, -4)) &&
          !names.has(name.slice(0, -7))
        )
          await fsp.rm(path.join(this.dir, name), { force: true })
        const match = this.rotatedName.exec(name)
        if (match === null || match[2] !== undefined || this.pending.has(name)) continue
        // A finished archive next to its original: the crash came between rename and unlink.
        if (names.has(`${name}.gz`)) await fsp.rm(path.join(this.dir, name), { force: true })
        else await this.compressFile(name)
      }
    }
    await this.retain()
  }

  /** Deletes the oldest rotated files until both `maxFiles` and `maxTotalBytes` hold. */
  private async retain(): Promise<void> {
    const maxFiles = this.maxFiles ?? Number.POSITIVE_INFINITY
    const maxTotalBytes = this.maxTotalBytes ?? Number.POSITIVE_INFINITY
    if (maxFiles === Number.POSITIVE_INFINITY && maxTotalBytes === Number.POSITIVE_INFINITY) return
    const groups = new Map<string, { names: Array<string>; size: number }>()
    for (const name of await fsp.readdir(this.dir)) {
      const match = this.rotatedName.exec(name)
      const stem = match?.[1]
      // Files still waiting for compression are counted by the job that follows theirs,
      // at their compressed size.
      if (stem === undefined || this.pending.has(stem)) continue
      let size: number
      try {
        size = (await fsp.lstat(path.join(this.dir, name))).size
      } catch {
        continue
      }
      const group = groups.get(stem) ?? { names: [], size: 0 }
      group.names.push(name)
      group.size += size
      groups.set(stem, group)
    }
    let count = groups.size
    let total = 0
    for (const group of groups.values()) total += group.size
    for (const stem of [...groups.keys()].sort()) {
      if (count <= maxFiles && total <= maxTotalBytes) break
      const group = groups.get(stem)!
      for (const name of group.names) {
        try {
          await fsp.rm(path.join(this.dir, name), { force: true })
        } catch (e) {
          this.onError(new Error(`rotating file ${this.path}: cannot delete ${name}`, { cause: e }))
        }
      }
      count--
      total -= group.size
    }
  }

  /** Closes the active file. Background work carries on; `settle()` waits for it. */
  close(): void {
    if (this.closed) return
    this.closed = true
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
