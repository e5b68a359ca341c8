import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import { sleepSync } from "./fdWriter.js"

/**
 * A lock between processes on one host (Node has no `flock`): a symbolic link created at the
 * lock's path, which `symlink(2)` does atomically and refuses when the name exists. Its
 * target is not a path but the holder, `<pid> <pid namespace> <start> <token>` (`start`:
 * when the process started, which tells a pid reused by a later process apart), so taking
 * the lock is one system call that writes no data. Releasing it is two: the holder reads
 * the link back and removes it only while it is still its own. On a file system without
 * symbolic links the lock is a file created with `O_EXCL` holding the same line.
 * Synchronous on purpose: the file sink writes synchronously, and the lock is held for a
 * size check, a rename or one write, microseconds. A waiter waits synchronously too (the
 * event loop does not turn meanwhile), for at most `timeoutMs`.
 *
 * A lock is stale, and is broken, only when its holder cannot be holding it any more:
 * - a holder in our pid namespace is looked up: the lock is stale once that process has
 *   ended, or its pid now belongs to a process started at another time. A live holder is
 *   never broken, however long it holds the lock (it may be stopped, frozen or slow):
 *   waiters wait, and give up after `timeoutMs`.
 * - a holder we cannot look up (another pid namespace, such as another container sharing
 *   the volume; or a lock file without its line) is judged by the lock's age alone: stale
 *   once older than `staleMs`. Such a holder that keeps the lock longer than that (paused,
 *   or a clock stepped forward) may find it broken and taken by another: for that while
 *   both hold it. Its release then leaves the other's lock in place.
 * Two waiters breaking the same stale lock must not break each other's fresh one: breaking
 * is done under a second lock file (`<lock>.break`), which is held for a few system calls
 * and is itself broken once older than `staleMs`. A holder that kept the lock long enough
 * for it to be judged stale by age releases it under that second lock as well, so that a
 * waiter breaking it and taking it anew in between cannot lose its fresh lock.
 */

const readNamespace = (): string => {
  try {
    return fs.readlinkSync("/proc/self/ns/pid")
  } catch {
    // no /proc (macOS): no pid namespaces either, so every pid is comparable
    return "-"
  }
}

/** This process's pid namespace, as `/proc/self/ns/pid` names it ("-" where there is none). */
export const namespace = readNamespace()

/**
 * When process `pid` started, in clock ticks after boot (field 22 of `/proc/<pid>/stat`), or
 * undefined where that cannot be read (no `/proc`, or the process has ended).
 */
export const processStart = (pid: number): string | undefined => {
  let text: string
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  } catch {
    return undefined
  }
  // the command name (field 2) is in parentheses and may itself hold spaces or ")"
  const start = text.slice(text.lastIndexOf(")") + 2).split(" ")[19]
  return start !== undefined && /^\d+$/.test(start) ? start : undefined
}

/** When this process started ("-" where that cannot be known). */
export const selfStart = processStart(process.pid) ?? "-"

/**
 * Whether process `pid` of pid namespace `ns`, started at `start` (as {@link processStart}
 * gives it; "-" or undefined when unknown), has certainly ended. A process of another
 * namespace cannot be looked up, so it is never certainly gone. A pid that now belongs to a
 * process started at another time is a reused one: the process recorded is gone.
 */
export const processGone = (pid: number, ns: string, start?: string | undefined): boolean => {
  if (ns !== namespace || !Number.isSafeInteger(pid) || pid <= 0) return false
  const known = start !== undefined && start !== "-"
  if (pid === process.pid) return known && selfStart !== "-" && start !== selfStart
  try {
    process.kill(pid, 0)
  } catch (e) {
    // EPERM: it exists, under another user
    return (e as NodeJS.ErrnoException).code === "ESRCH"
  }
  if (!known) return false
  const now = processStart(pid)
  return now !== undefined && now !== start
}

/** A lock's holder, from the text of the lock: undefined when it does not name one. */
const parseHolder = (
  text: string
): { readonly pid: number; readonly ns: string; readonly start: string | undefined } | undefined => {
  const fields = text.trim().split(" ")
  // `<pid> <ns> <start> <token>`, or `<pid> <ns> <token>` as earlier versions wrote it
  if (fields.length !== 3 && fields.length !== 4) return undefined
  const pid = Number(fields[0])
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  return { pid, ns: fields[1] as string, start: fields.length === 4 ? fields[2] : undefined }
}

/** The text of a small file, never through a symbolic link (these files sit in a log directory). */
export const readSmallFile = (file: string): string => {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
  try {
    return fs.readFileSync(fd, "utf8")
  } finally {
    fs.closeSync(fd)
  }
}

/** A token that tells apart two holders in one process (two loggers on one file). */
export const newToken = (): string => randomBytes(6).toString("hex")

export interface FileLockOptions {
  /** Permission bits of the lock file. */
  readonly mode: number
  /**
   * A lock file older than this is stale when its holder cannot be looked up (another pid
   * namespace). Default 10 s.
   */
  readonly staleMs?: number | undefined
  /** Give up (throw) after waiting this long for a live holder. Default 10 s. */
  readonly timeoutMs?: number | undefined
  /**
   * Told when {@link FileLock.with} could not release the lock (its function's own result
   * or failure is kept). Default: ignore.
   */
  readonly onError?: ((error: unknown) => void) | undefined
}

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY } = fs.constants

/**
 * A holder keeps the lock for tens of microseconds: a waiter first tries again at once a few
 * times (each try is a system call of about that length), then sleeps, from 0.05 ms (about
 * 0.1 ms in practice) up to 2 ms between tries.
 */
const IMMEDIATE_TRIES = 3
const FIRST_WAIT_MS = 0.05
const LONGEST_WAIT_MS = 2
/** How many times a release waits 1 ms for `<lock>.break` before releasing without it. */
const BREAKER_TRIES = 100

/** What a look at a lock that could not be taken found. */
type Seen = "gone" | "live" | "broken" | "mine"

export class FileLock {
  readonly token = newToken()
  private readonly content: string
  private readonly staleMs: number
  private readonly timeoutMs: number
  private held = false
  /** When the lock was taken (monotonic milliseconds). */
  private since = 0
  /** Whether this file system has symbolic links (else locks are files). */
  private links = true

  constructor(
    readonly path: string,
    private readonly options: FileLockOptions
  ) {
    this.content = `${process.pid} ${namespace} ${selfStart} ${this.token}`
    this.staleMs = options.staleMs ?? 10_000
    this.timeoutMs = options.timeoutMs ?? 10_000
  }

  get isHeld(): boolean {
    return this.held
  }

  /**
   * Takes the lock, waiting for a live holder and breaking a stale one. Returns true when
   * this call removed a stale lock: its holder may have died in the middle of its work,
   * which the caller may need to repair. Throws when a live holder keeps it past
   * `timeoutMs`, or when the lock file cannot be created at all.
   */
  acquire(): boolean {
    if (this.held) throw new Error(`lock ${this.path}: already held by this holder`)
    let broke = false
    let wait = FIRST_WAIT_MS
    let deadline: number | undefined
    for (let tries = 0; ; tries++) {
      if (this.tryCreate(this.path)) return this.taken(broke)
      const seen = this.breakIfStale()
      if (seen === "mine") return this.taken(broke)
      if (seen === "broken") broke = true
      // gone (released between our try and our look) or broken: try again at once
      if (seen !== "live" || tries < IMMEDIATE_TRIES) continue
      const now = Date.now()
      deadline ??= now + this.timeoutMs
      if (now >= deadline)
        throw new Error(
          `lock ${this.path}: still held by ${this.describeHolder()} after ${this.timeoutMs} ms; remove the file if no process of that id is running`
        )
      sleepSync(wait)
      wait = Math.min(wait * 2, LONGEST_WAIT_MS)
    }
  }

  private taken(broke: boolean): boolean {
    this.held = true
    this.since = performance.now()
    return broke
  }

  /**
   * Releases the lock: removes the lock file while it is still this holder's. Returns false
   * when it was not any more (it was broken as stale, see the header, and maybe taken by
   * another, whose lock is left in place). Throws when the lock file cannot be removed.
   */
  release(): boolean {
    if (!this.held) return false
    this.held = false
    // Held for long enough to be judged stale by age: a waiter may be breaking it right
    // now, so read and remove it under the breakers' lock.
    if (performance.now() - this.since > this.staleMs / 2) {
      for (let tries = 0; tries < BREAKER_TRIES; tries++) {
        const done = this.underBreaker(() => this.removeIfMine())
        if (done !== undefined) return done.value
        sleepSync(1)
      }
    }
    return this.removeIfMine()
  }

  /** Removes the lock file when it names this holder. */
  private removeIfMine(): boolean {
    let text: string
    try {
      text = this.links ? fs.readlinkSync(this.path) : readSmallFile(this.path)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === "ENOENT") return false
      // not a link: taken as a file, by a holder on a file system without links
      if (code !== "EINVAL") throw e
      text = readSmallFile(this.path)
    }
    if (text.trim() !== this.content) return false
    try {
      fs.unlinkSync(this.path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
      return false
    }
    return true
  }

  /**
   * Runs `f` holding the lock (taking it unless held already). A release that fails is
   * reported to `onError` and does not replace what `f` returned or threw.
   */
  with<A>(f: (brokeStale: boolean) => A): A {
    if (this.held) return f(false)
    const broke = this.acquire()
    try {
      return f(broke)
    } finally {
      try {
        this.release()
      } catch (e) {
        try {
          this.options.onError?.(new Error(`lock ${this.path}: cannot release the lock`, { cause: e }))
        } catch {
          // a failing reporter must not turn a written batch into a failed one
        }
      }
    }
  }

  private tryCreate(file: string): boolean {
    if (this.links) {
      try {
        fs.symlinkSync(file === this.path ? this.content : "breaking", file)
        return true
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === "EEXIST") return false
        if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS")
          throw new Error(`lock ${file}: cannot create the lock`, { cause: e })
        this.links = false
      }
    }
    let fd: number
    try {
      fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, this.options.mode)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false
      throw new Error(`lock ${file}: cannot create the lock`, { cause: e })
    }
    try {
      if (file === this.path) fs.writeSync(fd, this.content)
    } catch {
      // A full disk has room for the name but not the line: the lock is ours all the
      // same; without the line it can only be found stale by its age.
    } finally {
      fs.closeSync(fd)
    }
    return true
  }

  /** The holder recorded in the lock at `file` and the lock's age, or undefined when it is gone. */
  private inspect(file: string): { readonly text: string; readonly ageMs: number } | undefined {
    try {
      const stat = fs.lstatSync(file)
      const text = stat.isSymbolicLink() ? fs.readlinkSync(file) : readSmallFile(file)
      return { text, ageMs: Date.now() - stat.mtimeMs }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
      throw e
    }
  }

  private isStale(held: { readonly text: string; readonly ageMs: number }): boolean {
    const holder = parseHolder(held.text)
    // A holder we can look up is stale only once gone, never by age: a live one may be
    // stopped or slow, and breaking its lock would let two hold it.
    if (holder !== undefined && holder.ns === namespace)
      return processGone(holder.pid, holder.ns, holder.start)
    // Another namespace, or a file without its line (a holder between creating it and
    // writing the line, or one on a full disk): only its age can tell.
    return held.ageMs > this.staleMs
  }

  /** Runs `f` holding `<lock>.break`; undefined when another holds it (a stale one is removed). */
  private underBreaker<A>(f: () => A): { readonly value: A } | undefined {
    const breaker = `${this.path}.break`
    if (!this.tryCreate(breaker)) {
      const other = this.inspect(breaker)
      if (other !== undefined && other.ageMs > this.staleMs) fs.rmSync(breaker, { force: true })
      return undefined
    }
    try {
      return { value: f() }
    } finally {
      fs.rmSync(breaker, { force: true })
    }
  }

  private breakIfStale(): Seen {
    const seen = this.inspect(this.path)
    if (seen === undefined) return "gone"
    // left by a release of ours that failed: it is ours to take back
    if (seen.text.trim() === this.content) return "mine"
    if (!this.isStale(seen)) return "live"
    const done = this.underBreaker((): Seen => {
      // Still the same stale lock? Another waiter may have broken it and taken a fresh one.
      const now = this.inspect(this.path)
      if (now === undefined) return "gone"
      if (now.text !== seen.text || !this.isStale(now)) return "live"
      try {
        fs.unlinkSync(this.path)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return "gone"
        throw e
      }
      return "broken"
    })
    return done?.value ?? "live"
  }

  private describeHolder(): string {
    const seen = this.inspect(this.path)
    if (seen === undefined) return "nobody"
    const [pid, ns] = seen.text.split(" ")
    return `process ${pid ?? "?"} (pid namespace ${ns ?? "?"})`
  }
}
