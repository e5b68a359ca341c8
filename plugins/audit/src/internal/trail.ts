/**
 * The trail writer over a Store: numbers records, chains and signs them, rotates segments by
 * size and age (checked before each batch, and at close every segment is sealed), applies
 * retention after each seal, and resumes an existing trail on start (a segment a previous
 * run left unsealed is sealed first, after cutting a torn last line a crash left behind).
 *
 * Retention writes a record to the trail itself (an `audit` event of logger `fapilog.audit`
 * naming each removed segment, its last record and its manifest's hash) and makes it durable
 * before it deletes anything: the verifier accepts a trail whose oldest segments are missing
 * only when such a record, itself chained and authenticated, accounts for them. Once a
 * segment's deletion is durable, `onRemoved` is told of it (the sink reports it to fapilog
 * as a retention deletion). Batches written with `rotate` false (those reports, when they
 * come back to this sink) never seal a segment, so reports cannot feed retention.
 */
import * as crypto from "node:crypto"
import { sha256Hex } from "./key.js"
import {
  GENESIS,
  type Manifest,
  parseRecord,
  type Removed,
  readManifest,
  recordLine,
  retentionEvent,
  signManifest
} from "./record.js"
import type { RemovedSegment, Store, StoredSegment } from "./store.js"

export interface TrailOptions {
  readonly key: Uint8Array
  readonly signer: crypto.KeyObject
  readonly publicKey: crypto.KeyObject
  readonly segmentMaxBytes: number
  readonly segmentMaxAgeMs: number
  readonly retentionMaxAgeMs?: number | undefined
  readonly retentionMaxTotalBytes?: number | undefined
  readonly now?: (() => number) | undefined
  readonly report?: ((message: string, error?: unknown) => void) | undefined
  /** Told each segment retention removed, once the removal is durable (the sink reports it). */
  readonly onRemoved?: ((removed: RetentionRemoval) => void) | undefined
}

/** A segment retention removed: what the store deleted, its age and the first policy it broke. */
export interface RetentionRemoval extends RemovedSegment {
  /** The time since it was sealed (its newest record is no newer), in ms. */
  readonly ageMs: number
  readonly policy: "maxAge" | "maxTotalBytes"
  /** Its last record's sequence number. */
  readonly lastSeq: number
}

interface Sealed {
  readonly segment: number
  readonly bytes: number
  readonly sealedAt: number
  readonly lastSeq: number
  readonly lastHash: string
  readonly manifestHash: string
}

export class Trail {
  private seq = 0
  private prev = GENESIS
  private prevManifest = GENESIS
  private segment = 1
  private segmentFirstSeq = 1
  private segmentRecords = 0
  private segmentBytes = 0
  private segmentOpenedAt = 0
  private segmentHash = this.newHash()
  private readonly sealed: Array<Sealed> = []
  private readonly now: () => number
  /** Serializes writes: a batch, a seal and retention never interleave. */
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly store: Store,
    private readonly options: TrailOptions
  ) {
    this.now = options.now ?? Date.now
  }

  private newHash() {
    // the incremental hash of the active segment's bytes (its manifest's sha256)
    return crypto.createHash("sha256")
  }

  /** Opens the trail in `store`, resuming what it holds. */
  static async open(store: Store, options: TrailOptions): Promise<Trail> {
    const trail = new Trail(store, options)
    await trail.resume()
    return trail
  }

  private async resume(): Promise<void> {
    const { segments } = await this.store.load()
    for (const s of segments) {
      if (s.manifest !== undefined) {
        const m = readManifest(this.options.publicKey, s.manifest)
        if (!m.ok)
          throw new Error(`segment ${s.segment}: ${m.reason}; run the verifier before writing to this trail`)
        this.afterSeal(m.manifest, m.hash)
      } else {
        await this.sealLeftover(s)
      }
    }
    this.segmentOpenedAt = this.now()
    await this.applyRetention()
  }

  private afterSeal(m: Manifest, hash: string): void {
    this.seq = m.lastSeq
    this.prev = m.lastHash
    this.prevManifest = hash
    this.segment = m.segment + 1
    this.segmentFirstSeq = m.lastSeq + 1
    this.sealed.push({
      segment: m.segment,
      bytes: m.bytes,
      sealedAt: Date.parse(m.sealedAt),
      lastSeq: m.lastSeq,
      lastHash: m.lastHash,
      manifestHash: hash
    })
  }

  /** A segment a previous run did not seal (it stopped without closing): seal it as it stands. */
  private async sealLeftover(s: StoredSegment): Promise<void> {
    const lines = [...s.lines]
    const torn = lines.pop() ?? ""
    let keep = s.bytes
    if (torn !== "") {
      keep -= Buffer.byteLength(torn)
      this.options.report?.(
        `segment ${s.segment} ended with an incomplete record (a write a crash interrupted, never counted as written): cut`
      )
      await this.store.repair(s.segment, keep)
    }
    this.segment = s.segment
    this.segmentFirstSeq = this.seq + 1
    this.segmentHash = this.newHash()
    for (const line of lines) {
      const r = parseRecord(this.options.key, line)
      if (r === undefined || !r.hmacValid || r.seq !== this.seq + 1 || r.prev !== this.prev)
        throw new Error(
          `segment ${s.segment}: record after seq ${this.seq} does not verify; run the verifier before writing to this trail`
        )
      this.seq = r.seq
      this.prev = sha256Hex(line)
      this.segmentHash.update(`${line}\n`)
    }
    this.segmentRecords = lines.length
    this.segmentBytes = keep
    if (lines.length === 0) return
    await this.sealActive()
  }

  private async sealActive(): Promise<void> {
    const manifest: Manifest = {
      segment: this.segment,
      firstSeq: this.segmentFirstSeq,
      lastSeq: this.seq,
      records: this.segmentRecords,
      bytes: this.segmentBytes,
      sha256: this.segmentHash.digest("hex"),
      lastHash: this.prev,
      prevManifest: this.prevManifest,
      sealedAt: new Date(this.now()).toISOString()
    }
    const signed = signManifest(this.options.signer, manifest)
    await this.store.seal(this.segment, signed.line)
    this.afterSeal(manifest, signed.hash)
    this.segmentRecords = 0
    this.segmentBytes = 0
    this.segmentHash = this.newHash()
    this.segmentOpenedAt = this.now()
  }

  /** Appends records; the chain advances only once the store has them (a failed write leaves it as it was). */
  private async appendLines(events: ReadonlyArray<string>): Promise<void> {
    const lines: Array<string> = []
    const hash = this.segmentHash.copy()
    let seq = this.seq
    let prev = this.prev
    let bytes = 0
    for (const event of events) {
      const r = recordLine(this.options.key, ++seq, prev, event)
      lines.push(r.line)
      prev = r.hash
      hash.update(`${r.line}\n`)
      bytes += Buffer.byteLength(r.line) + 1
    }
    await this.store.append(this.segment, lines)
    this.seq = seq
    this.prev = prev
    this.segmentHash = hash
    this.segmentBytes += bytes
    this.segmentRecords += lines.length
  }

  private due(): boolean {
    return (
      this.segmentRecords > 0 &&
      (this.segmentBytes >= this.options.segmentMaxBytes ||
        this.now() - this.segmentOpenedAt >= this.options.segmentMaxAgeMs)
    )
  }

  /**
   * Deletes the oldest sealed segments past the age or total-size limit, after recording it
   * in the trail (its record names the policies as `maxAgeMs` and `maxTotalBytes`, the names
   * the trail has always used), then tells `onRemoved` of each.
   */
  private async applyRetention(): Promise<void> {
    const maxAge = this.options.retentionMaxAgeMs
    const maxTotal = this.options.retentionMaxTotalBytes
    if (maxAge === undefined && maxTotal === undefined) return
    const now = this.now()
    let total = this.sealed.reduce((n, s) => n + s.bytes, this.segmentBytes)
    const removed: Array<Sealed & { readonly policy: "maxAge" | "maxTotalBytes" }> = []
    for (const s of this.sealed) {
      let policy: "maxAge" | "maxTotalBytes"
      if (maxAge !== undefined && now - s.sealedAt > maxAge) policy = "maxAge"
      else if (maxTotal !== undefined && total > maxTotal) policy = "maxTotalBytes"
      else break
      removed.push({ ...s, policy })
      total -= s.bytes
    }
    if (removed.length === 0) return
    const entries: Array<Removed> = removed.map((s) => ({
      segment: s.segment,
      lastSeq: s.lastSeq,
      lastHash: s.lastHash,
      manifest: s.manifestHash
    }))
    const policies = [...new Set(removed.map((s) => (s.policy === "maxAge" ? "maxAgeMs" : s.policy)))]
    await this.appendLines([retentionEvent(new Date(now).toISOString(), policies.join(","), entries)])
    const told = new Set<number>()
    let complete = false
    try {
      await this.store.remove(
        removed.map((s) => s.segment),
        (d) => {
          told.add(d.segment)
          const s = removed.find((r) => r.segment === d.segment)
          if (s === undefined) return
          try {
            this.options.onRemoved?.({
              ...d,
              ageMs: Math.max(0, now - s.sealedAt),
              policy: s.policy,
              lastSeq: s.lastSeq
            })
          } catch (e) {
            this.options.report?.(`reporting the removal of segment ${d.segment} failed`, e)
          }
        }
      )
      complete = true
    } finally {
      // the segments deleted are gone from the trail even when a later one could not be
      // deleted: that one (and those after it) stay, for the next run of retention
      const gone = complete ? removed.length : removed.findIndex((r) => !told.has(r.segment))
      this.sealed.splice(0, gone === -1 ? removed.length : gone)
    }
  }

  private serial<A>(task: () => Promise<A>): Promise<A> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => {})
    return run
  }

  /**
   * Appends one JSON object per event; resolves once they are durable (per the store's fsync
   * policy). With `rotate` false the events go to the active segment even when it is due to
   * be sealed: the sink writes retention's own reports so, so that writing them never seals a
   * segment, which would apply retention and report again.
   */
  write(events: ReadonlyArray<string>, rotate = true): Promise<void> {
    if (events.length === 0) return Promise.resolve()
    return this.serial(async () => {
      if (rotate && this.due()) {
        await this.sealActive()
        await this.applyRetention()
      }
      await this.appendLines(events)
    })
  }

  /** Seals the active segment now (if it holds records) and applies retention. */
  rotate(): Promise<void> {
    return this.serial(async () => {
      if (this.segmentRecords > 0) {
        await this.sealActive()
        await this.applyRetention()
      }
    })
  }

  /** Seals the active segment and closes the store. */
  close(): Promise<void> {
    return this.serial(async () => {
      try {
        if (this.segmentRecords > 0) await this.sealActive()
      } finally {
        await this.store.close()
      }
    })
  }

  /** The last sequence number written. */
  get lastSeq(): number {
    return this.seq
  }
}
