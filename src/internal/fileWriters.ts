import * as fs from "node:fs"
import { namespace, processGone, readSmallFile } from "./fileLock.js"

/**
 * The processes writing one rotating file, kept in `<path>.writers` so that each knows
 * whether it is alone. Every method is called holding the file's lock.
 *
 * One line per writer: `<pid> <pid namespace> <token> <solo|shared> <heartbeat ms>`.
 * A writer alone is `solo`: it appends without the lock and takes it only to rotate. A
 * writer that finds others is `shared`: it takes the lock for every write. A solo writer
 * learns of newcomers at its next write (the file grew by bytes it did not write) or at its
 * next heartbeat, and then records itself `shared`; until it has, no one else may rename
 * or truncate the file, since its unlocked appends could land in a renamed file or be cut.
 *
 * A writer that has closed the file but still compresses rotated files in the background
 * stays listed as `idle` until that work is done: it writes nothing, so it changes no one's
 * mode, but a process starting meanwhile knows a half-written archive may be in progress.
 *
 * An entry is stale, and dropped, when its process is gone (same pid namespace) or its
 * heartbeat is older than `staleMs`: a writer beats once a second from a timer, and before
 * any write when its last beat is over a second old.
 */

export type WriterMode = "solo" | "shared" | "idle"

interface Entry {
  readonly pid: number
  readonly ns: string
  readonly token: string
  readonly mode: WriterMode
  readonly beat: number
}

const modes: ReadonlySet<string> = new Set<WriterMode>(["solo", "shared", "idle"])

const parse = (line: string): Entry | undefined => {
  const [pid, ns, token, mode, beat] = line.split(" ")
  if (token === undefined || ns === undefined || mode === undefined || !modes.has(mode)) return undefined
  const entry = { pid: Number(pid), ns, token, mode: mode as WriterMode, beat: Number(beat) }
  return Number.isFinite(entry.pid) && Number.isFinite(entry.beat) ? entry : undefined
}

const format = (e: Entry): string => `${e.pid} ${e.ns} ${e.token} ${e.mode} ${e.beat}\n`

export class FileWriters {
  constructor(
    readonly path: string,
    private readonly token: string,
    private readonly mode: number,
    private readonly staleMs = 30_000
  ) {}

  /**
   * Records this writer (or refreshes its heartbeat) and returns the mode it must use:
   * `idle` once it writes no more, else `solo` when no one else writes.
   */
  beat(idle = false, now: number = Date.now()): WriterMode {
    const others = this.live(now).filter((e) => e.token !== this.token)
    const mode: WriterMode = idle ? "idle" : others.some((e) => e.mode !== "idle") ? "shared" : "solo"
    this.store([...others, { pid: process.pid, ns: namespace, token: this.token, mode, beat: now }])
    return mode
  }

  /** Whether another live writer still appends without the lock (so renaming or truncating must wait). */
  othersSolo(now: number = Date.now()): boolean {
    return this.soloOthers(now) !== "none"
  }

  /**
   * Where the other live writers that still append without the lock are: `none`, only in
   * this process (a second writer of the same path here: it learns once this one returns,
   * so waiting for it here would wait for nothing), or in another process (which learns at
   * its next write or heartbeat, on its own).
   */
  soloOthers(now: number = Date.now()): "none" | "thisProcess" | "otherProcess" {
    let found: "none" | "thisProcess" = "none"
    for (const e of this.live(now)) {
      if (e.token === this.token || e.mode !== "solo") continue
      if (e.pid !== process.pid || e.ns !== namespace) return "otherProcess"
      found = "thisProcess"
    }
    return found
  }

  /** Whether no one else is listed, writing or finishing background work. */
  alone(now: number = Date.now()): boolean {
    return this.live(now).every((e) => e.token === this.token)
  }

  /** Removes this writer; the file goes with the last one. */
  leave(now: number = Date.now()): void {
    this.store(this.live(now).filter((e) => e.token !== this.token))
  }

  private live(now: number): Array<Entry> {
    let text: string
    try {
      text = readSmallFile(this.path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return []
      throw e
    }
    const entries: Array<Entry> = []
    for (const line of text.split("\n")) {
      const e = parse(line)
      if (e === undefined) continue
      if (e.token !== this.token && (now - e.beat > this.staleMs || processGone(e.pid, e.ns))) continue
      entries.push(e)
    }
    return entries
  }

  private store(entries: ReadonlyArray<Entry>): void {
    if (entries.length === 0) {
      fs.rmSync(this.path, { force: true })
      return
    }
    // Written aside and renamed over: a full disk leaves the previous list, never half of one.
    const temporary = `${this.path}.tmp`
    const fd = fs.openSync(
      temporary,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW,
      this.mode
    )
    try {
      fs.writeSync(fd, entries.map(format).join(""))
    } catch (e) {
      fs.closeSync(fd)
      fs.rmSync(temporary, { force: true })
      throw e
    }
    fs.closeSync(fd)
    fs.renameSync(temporary, this.path)
  }
}
