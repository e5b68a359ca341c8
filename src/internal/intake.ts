import type { LogRecord } from "./record.js"

export type OverflowPolicy = "block" | "drop-newest" | "drop-oldest"

/** How many buffers' worth of events may wait for asynchronous sinks before calls are refused. */
export const BACKLOG_BUFFERS = 4

/**
 * The front of the pipeline: the bounded buffer that calls put their events in, the
 * overflow policy, and the counts of what was taken and what was refused. Plain synchronous
 * code, run on the caller's stack; what happens to a full buffer under "block" (the caller
 * drains it inline) is the pipeline's business.
 */
export class Intake {
  /** Events taken and not yet handed on, oldest first. */
  private buffer: Array<LogRecord> = []
  /** Events taken in (after any eviction was taken back). */
  accepted = 0
  /** Calls refused, for any reason. */
  refused = 0
  private readonly refusedBy = new Map<string, Record<string, number>>()

  constructor(
    /** Events the buffer holds before a synchronous caller drains it inline (under "block"). */
    readonly capacity: number,
    readonly overflow: OverflowPolicy,
    /** Events at or above this rank are never refused while a lower one can be. */
    readonly protectedRank: number
  ) {}

  get size(): number {
    return this.buffer.length
  }

  get full(): boolean {
    return this.buffer.length >= this.capacity
  }

  /**
   * Takes `record` unless the policy refuses it: the buffer is full under a drop policy, or
   * `backlogFull` (the asynchronous sinks are far behind) and the event is not protected.
   * Returns whether it was taken; a refusal is counted.
   */
  take(record: LogRecord, backlogFull: boolean): boolean {
    if (this.buffer.length >= this.capacity && !this.makeRoom(record)) return false
    if (backlogFull && record.level.rank < this.protectedRank) {
      this.refuse("overflow", record)
      return false
    }
    this.accepted++
    this.buffer.push(record)
    return true
  }

  /** Everything buffered, handed over; the buffer starts empty. */
  drain(): Array<LogRecord> {
    const records = this.buffer
    this.buffer = []
    return records
  }

  refuse(reason: string, record: LogRecord): void {
    this.refused++
    let byLevel = this.refusedBy.get(reason)
    if (byLevel === undefined) this.refusedBy.set(reason, (byLevel = {}))
    byLevel[record.level.name] = (byLevel[record.level.name] ?? 0) + 1
  }

  /** Whether any call was refused for `reason`. */
  hasRefused(reason: string): boolean {
    return this.refusedBy.has(reason)
  }

  /** Refusals by reason and level, e.g. { overflow: { info: 3 } }; a copy. */
  refusals(): Readonly<Record<string, Readonly<Record<string, number>>>> {
    return Object.fromEntries([...this.refusedBy].map(([reason, byLevel]) => [reason, { ...byLevel }]))
  }

  /**
   * The buffer is full. Under "block" there is always room (the caller drains it next).
   * Under the drop policies, an unprotected event is refused (drop-newest) or the oldest
   * unprotected buffered event is evicted (drop-oldest); a protected event evicts the
   * newest (drop-newest) or oldest (drop-oldest) unprotected one, and goes over capacity
   * only when every buffered event is protected. Returns whether `record` may be added.
   */
  private makeRoom(record: LogRecord): boolean {
    if (this.overflow === "block") return true
    const isProtected = record.level.rank >= this.protectedRank
    if (this.overflow === "drop-newest" && !isProtected) {
      this.refuse("overflow", record)
      return false
    }
    const buffer = this.buffer
    const at =
      this.overflow === "drop-oldest"
        ? buffer.findIndex((r) => r.level.rank < this.protectedRank)
        : buffer.findLastIndex((r) => r.level.rank < this.protectedRank)
    if (at >= 0) {
      const [evicted] = buffer.splice(at, 1)
      this.accepted--
      this.refuse("overflow", evicted as LogRecord)
      return true
    }
    if (isProtected) return true
    this.refuse("overflow", record)
    return false
  }
}
