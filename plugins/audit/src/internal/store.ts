/**
 * Where a trail lives: the file system (fileStore.ts) or PostgreSQL (pgStore.ts). The writer
 * (trail.ts) and the verifier (verify.ts) see both through these two interfaces.
 */

/** A segment as stored: its records' lines, its bytes (files) and its manifest when sealed. */
export interface StoredSegment {
  readonly segment: number
  /** The segment's lines; the last is "" when the segment ends with a newline (as written). */
  readonly lines: ReadonlyArray<string>
  /** The SHA-256 and length of the stored segment, as its manifest states them. */
  readonly sha256: string
  readonly bytes: number
  readonly manifest?: string | undefined
}

/** What is stored, for the verifier and for a writer resuming the trail. */
export interface Snapshot {
  readonly segments: ReadonlyArray<StoredSegment>
  /** The copy of the newest manifest, written at each seal (detects removed newest segments). */
  readonly head?: string | undefined
}

/** One segment a store's `remove` deleted, as the retention report names it. */
export interface RemovedSegment {
  readonly segment: number
  /** What held it: a file (with its manifest file beside it), or a PostgreSQL partition. */
  readonly kind: "file" | "partition"
  /** The segment file's path, or the partition's qualified name (`public.fapilog_audit_s000001`). */
  readonly name: string
  /** Its size when deleted: the file's bytes, or the partition's (`pg_total_relation_size`). */
  readonly bytes: number
  /** Where its manifest was: the manifest file's path, or the manifests table. */
  readonly manifest: string
}

/** What the writer needs of a store. Every method resolves once its writes are durable. */
export interface Store {
  readonly name: string
  readonly load: () => Promise<Snapshot>
  /** Appends lines (each without newline) to a segment, created when new, durable per `fsync`. */
  readonly append: (segment: number, lines: ReadonlyArray<string>) => Promise<void>
  /** Stores a segment's manifest and the head copy of it. */
  readonly seal: (segment: number, manifest: string) => Promise<void>
  /**
   * Deletes sealed segments and their manifests (retention), in the order given, telling
   * `removed` of each once its deletion is durable: a removal that fails part way has told
   * of the segments it did delete, and of no other.
   */
  readonly remove: (
    segments: ReadonlyArray<number>,
    removed: (segment: RemovedSegment) => void
  ) => Promise<void>
  /** Cuts a torn last line a crash left (a batch that never counted as written). */
  readonly repair: (segment: number, keepBytes: number) => Promise<void>
  readonly close: () => Promise<void>
}

/** The fsync policy: after every batch (default), after every record, or left to the OS. */
export type Fsync = "batch" | "record" | "none"
