/**
 * The trail's formats, written once for the writer and the verifier.
 *
 * A record is one line:
 * `{"seq":N,"prev":"<sha256 of the previous record's line>","event":<the event's JSON line>,"hmac":"<hex>"}`
 * The HMAC-SHA256 covers every byte of the line before `,"hmac"`; a record's hash is the
 * SHA-256 of its whole line (without the newline). The first record's `prev` is GENESIS.
 *
 * A manifest seals a segment: its number, first and last sequence numbers, record count,
 * byte length and SHA-256 of the segment, the hash of its last record, the hash of the
 * previous segment's manifest (a chain of manifests), when it was sealed, and an Ed25519
 * signature over the manifest without its `signature` field.
 */
import * as crypto from "node:crypto"
import { hmacHex, sha256Hex } from "./key.js"

export const GENESIS = "0".repeat(64)

/** The logger name of the records the trail writes about itself (retention). */
export const TRAIL_LOGGER = "fapilog.audit"

export interface Written {
  readonly line: string
  readonly hash: string
}

/** The record of `eventJson` (one JSON object, no newline) at `seq` after the record hashed `prev`. */
export const recordLine = (key: Uint8Array, seq: number, prev: string, eventJson: string): Written => {
  const body = `{"seq":${seq},"prev":"${prev}","event":${eventJson}`
  const line = `${body},"hmac":"${hmacHex(key, body)}"}`
  return { line, hash: sha256Hex(line) }
}

export interface ParsedRecord {
  readonly seq: number
  readonly prev: string
  readonly event: Record<string, unknown>
  readonly hmacValid: boolean
}

const TAIL = /,"hmac":"([0-9a-f]{64})"\}$/

/** A record line read back: undefined when it is not a record at all. */
export const parseRecord = (key: Uint8Array, line: string): ParsedRecord | undefined => {
  const tail = TAIL.exec(line)
  if (tail === null) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return undefined
  }
  const r = parsed as { seq?: unknown; prev?: unknown; event?: unknown }
  if (
    typeof r.seq !== "number" ||
    !Number.isSafeInteger(r.seq) ||
    typeof r.prev !== "string" ||
    typeof r.event !== "object" ||
    r.event === null
  )
    return undefined
  const body = line.slice(0, tail.index)
  const expected = Buffer.from(hmacHex(key, body), "hex")
  const given = Buffer.from(tail[1]!, "hex")
  // the body must start the way the writer writes it, so the fields JSON.parse saw are the signed ones
  const prefixOk = body.startsWith(`{"seq":${r.seq},"prev":"${r.prev}","event":`)
  return {
    seq: r.seq,
    prev: r.prev,
    event: r.event as Record<string, unknown>,
    hmacValid: prefixOk && crypto.timingSafeEqual(expected, given)
  }
}

export interface Manifest {
  readonly segment: number
  readonly firstSeq: number
  readonly lastSeq: number
  readonly records: number
  readonly bytes: number
  readonly sha256: string
  readonly lastHash: string
  readonly prevManifest: string
  readonly sealedAt: string
}

const manifestText = (m: Manifest): string =>
  JSON.stringify({
    segment: m.segment,
    firstSeq: m.firstSeq,
    lastSeq: m.lastSeq,
    records: m.records,
    bytes: m.bytes,
    sha256: m.sha256,
    lastHash: m.lastHash,
    prevManifest: m.prevManifest,
    sealedAt: m.sealedAt
  })

/** The signed manifest as stored (one JSON object), and its hash (what the next manifest chains to). */
export const signManifest = (signer: crypto.KeyObject, m: Manifest): Written => {
  const text = manifestText(m)
  const signature = crypto.sign(null, Buffer.from(text), signer).toString("base64")
  const line = `${text.slice(0, -1)},"signature":"${signature}"}`
  return { line, hash: sha256Hex(line) }
}

export type ManifestCheck =
  | { readonly ok: true; readonly manifest: Manifest; readonly hash: string }
  | { readonly ok: false; readonly reason: string }

/** A stored manifest read back and its signature checked against `publicKey`. */
export const readManifest = (publicKey: crypto.KeyObject, stored: string): ManifestCheck => {
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(stored)
  } catch {
    return { ok: false, reason: "the manifest is not JSON" }
  }
  const { signature, ...rest } = parsed
  const numbers = ["segment", "firstSeq", "lastSeq", "records", "bytes"] as const
  const strings = ["sha256", "lastHash", "prevManifest", "sealedAt"] as const
  if (
    typeof signature !== "string" ||
    numbers.some((k) => typeof rest[k] !== "number") ||
    strings.some((k) => typeof rest[k] !== "string")
  )
    return { ok: false, reason: "the manifest lacks fields or its signature" }
  const manifest = rest as unknown as Manifest
  const valid = crypto.verify(
    null,
    Buffer.from(manifestText(manifest)),
    publicKey,
    Buffer.from(signature, "base64")
  )
  if (!valid) return { ok: false, reason: "the manifest's Ed25519 signature does not verify" }
  return { ok: true, manifest, hash: sha256Hex(stored) }
}

/** What a retention record says it removed: each segment's number, last record and manifest hash. */
export interface Removed {
  readonly segment: number
  readonly lastSeq: number
  readonly lastHash: string
  readonly manifest: string
}

/** The event of a retention record (written to the trail before the segments are deleted). */
export const retentionEvent = (timestamp: string, policy: string, removed: ReadonlyArray<Removed>): string =>
  JSON.stringify({
    timestamp,
    level: "audit",
    logger: TRAIL_LOGGER,
    message: `audit trail retention removed ${removed.length} sealed ${removed.length === 1 ? "segment" : "segments"} (${policy})`,
    retention: { policy, removed }
  })

/** The segments a verified record's event says retention removed, if it is a retention record. */
export const removedBy = (event: Record<string, unknown>): ReadonlyArray<Removed> | undefined => {
  if (event.logger !== TRAIL_LOGGER) return undefined
  const removed = (event.retention as { removed?: unknown } | undefined)?.removed
  if (!Array.isArray(removed)) return undefined
  return removed.filter(
    (r): r is Removed =>
      typeof r === "object" &&
      r !== null &&
      typeof r.segment === "number" &&
      typeof r.lastSeq === "number" &&
      typeof r.lastHash === "string" &&
      typeof r.manifest === "string"
  )
}
