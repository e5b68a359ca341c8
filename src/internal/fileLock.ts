import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import { sleepSync } from "./fdWriter.js"

/**
 * A lock between processes on one host (Node has no `flock`): a symbolic link created at the
 * lock's path, which `symlink(2)` does atomically and refuses when the name exists. Its
 * target is not a path but the holder, `<pid> <pid namespace> <token>`, so taking the lock
 * is one system call that writes no data, and releasing it one more. On a file system
 * without symbolic links the lock is a file created with `O_EXCL` holding the same line.
 * Synchronous on purpose: the file sink writes synchronously, and the lock is held for a
 * size check, a rename or one write, microseconds.
 *
 * A lock is stale, and is broken, when
 * its holder's process is gone (checked with signal 0, only when the holder runs in our pid
 * namespace: across containers a pid means nothing) or when the file is older than
 * `staleMs`. Two waiters breaking the same stale lock must not break each other's fresh
 * one: breaking is done under a second lock file (`<lock>.break`), which is held for a
 * few system calls and is itself broken once older than `staleMs`.
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
 * Whether process `pid` of pid namespace `ns` has certainly ended. A process of another
 * namespace cannot be looked up, so it is never certainly gone.
 */
export const processGone = (pid: number, ns: string): boolean => {
  if (ns !== namespace || !Number.isSafeInteger(pid) || pid <= 0) return false
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (e) {
    // EPERM: it exists, under another user
    return (e as NodeJS.ErrnoException).code === "ESRCH"
  }
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
  /** A lock file older than this is stale whatever its holder. Default 10 s. */
  readonly staleMs?: number | undefined
  /** Give up (throw) after waiting this long for a live holder. Default 10 s. */
  readonly timeoutMs?: number | undefined
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

export class FileLock {
  readonly token = newToken()
  private readonly content: string
  private readonly staleMs: number
  private readonly timeoutMs: number
  private held = false
  /** Whether this file system has symbolic links (else locks are files). */
  private links = true

  constructor(
    readonly path: string,
    private readonly options: FileLockOptions
  ) {
    this.content = `${process.pid} ${namespace} ${this.token}`
    this.staleMs = options.staleMs ?? 10_000
    this.timeoutMs = options.timeoutMs ?? 10_000
  }

  get isHeld(): boolean {
    return this.held
  }

  /**
   * Takes the lock, waiting for a live holder and breaking a stale one. Returns true when a
   * stale lock was broken: its holder may have died in the middle of its work, which the
   * caller may need to repair. Throws when a live holder keeps it past `timeoutMs`, or
   * when the lock file cannot be created at all.
   */
  acquire(): boolean {
    if (this.held) throw new Error(`lock ${this.path}: already held by this holder`)
    let broke = false
    let wait = FIRST_WAIT_MS
    let deadline: number | undefined
    for (let tries = 0; ; tries++) {
      if (this.tryCreate(this.path)) {
        this.held = true
        return broke
      }
      if (this.breakIfStale()) {
        broke = true
        continue
      }
      if (tries < IMMEDIATE_TRIES) continue
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

  release(): void {
    if (!this.held) return
    this.held = false
    try {
      fs.unlinkSync(this.path)
    } catch (e) {
      // someone broke it as stale (we held it past staleMs): it is not ours to report
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
    }
  }

  /** Runs `f` holding the lock (taking it unless held already). */
  with<A>(f: (brokeStale: boolean) => A): A {
    if (this.held) return f(false)
    const broke = this.acquire()
    try {
      return f(broke)
    } finally {
      this.release()
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
    if (held.ageMs > this.staleMs) return true
    // A holder writes its line right after creating the file: an empty file this young is
    // a holder between those two calls, not a dead one.
    const [pid, ns] = held.text.split(" ")
    return pid !== undefined && ns !== undefined && processGone(Number(pid), ns)
  }

  private breakIfStale(): boolean {
    const seen = this.inspect(this.path)
    if (seen === undefined) return true
    if (!this.isStale(seen)) return false
    const breaker = `${this.path}.break`
    if (!this.tryCreate(breaker)) {
      const other = this.inspect(breaker)
      if (other !== undefined && other.ageMs > this.staleMs) fs.rmSync(breaker, { force: true })
      return false
    }
    try {
      // Still the same stale lock? Another waiter may have broken it and taken a fresh one.
      const now = this.inspect(this.path)
      if (now !== undefined && now.text === seen.text && this.isStale(now))
        fs.rmSync(this.path, { force: true })
    } finally {
      fs.rmSync(breaker, { force: true })
    }
    return true
  }

  private describeHolder(): string {
    const seen = this.inspect(this.path)
    if (seen === undefined) return "nobody"
    const [pid, ns] = seen.text.split(" ")
    return `process ${pid ?? "?"} (pid namespace ${ns ?? "?"})`
  }
}
