/**
 * The verifier: walks a stored trail segment by segment and record by record and returns OK
 * or the first broken place and why. Each check and the attack it catches:
 *
 * - a record's HMAC (an edited or forged record: `edited`);
 * - its sequence number one above the previous one (a deleted record: `deleted`; a repeated
 *   or earlier number: `inserted` / `reordered`), and its `prev` the previous line's SHA-256
 *   (a record moved or inserted with a valid HMAC: `reordered` / `inserted`);
 * - a segment's manifest: Ed25519 signature, chained to the previous manifest's hash, and its
 *   record count, last record, byte length and SHA-256 against the segment (`truncated`,
 *   `replaced`); a torn last line (`truncated`);
 * - segment numbers without a gap, every segment but the newest sealed, and the head (a copy
 *   of the newest manifest) naming no segment beyond the newest present (`segment-removed`,
 *   `truncated`);
 * - the oldest present segment: either the first of the trail (seq 1 after GENESIS), or the
 *   next after segments that a retention record in the trail names, with the same last
 *   record and manifest hash (`segment-removed` otherwise).
 */
import type * as crypto from "node:crypto"
import { sha256Hex } from "./key.js"
import { GENESIS, type Manifest, parseRecord, type Removed, readManifest, removedBy } from "./record.js"
import type { Snapshot } from "./store.js"

/** What kind of damage a broken trail shows. */
export type Damage =
  | "edited"
  | "deleted"
  | "inserted"
  | "reordered"
  | "truncated"
  | "replaced"
  | "segment-removed"
  | "malformed"

export interface Intact {
  readonly ok: true
  readonly source: string
  readonly segments: number
  readonly sealed: number
  readonly records: number
  readonly firstSeq: number | undefined
  readonly lastSeq: number | undefined
  readonly removedByRetention: number
  readonly unsealedRecords: number
}

export interface Broken {
  readonly ok: false
  readonly source: string
  readonly damage: Damage
  readonly segment: number
  readonly seq?: number | undefined
  readonly line?: number | undefined
  readonly reason: string
  /** Records that verified before the break. */
  readonly records: number
}

export type Report = Intact | Broken

class Break extends Error {
  constructor(
    readonly damage: Damage,
    readonly segment: number,
    readonly reason: string,
    readonly seq?: number | undefined,
    readonly line?: number | undefined
  ) {
    super(reason)
  }
}

export const verifySnapshot = (
  source: string,
  snapshot: Snapshot,
  key: Uint8Array,
  publicKey: crypto.KeyObject
): Report => {
  let records = 0
  let first: Break | undefined
  const fail = (b: Break) => {
    if (first === undefined) first = b
  }
  const removed = new Map<number, Removed>()
  let seq: number | undefined
  let prev: string | undefined
  let prevManifest: string | undefined
  let lastSegment: number | undefined
  let sealedCount = 0
  let unsealed = 0
  let firstSeq: number | undefined
  let start: { segment: number; seq: number; prev: string; prevManifest: string | undefined } | undefined
  const segments = snapshot.segments
  const newest = segments.at(-1)?.segment

  for (const s of segments) {
    if (lastSegment !== undefined && s.segment !== lastSegment + 1) {
      fail(
        new Break(
          "segment-removed",
          s.segment,
          `segment ${s.segment === lastSegment + 2 ? lastSegment + 1 : `${lastSegment + 1} to ${s.segment - 1}`} is missing (deleted)`
        )
      )
    }
    lastSegment = s.segment
    // the manifest's findings are reported after the records' (a record is the more precise place)
    const manifestFindings: Array<Break> = []
    let manifest: Manifest | undefined
    if (s.manifest !== undefined) {
      const m = readManifest(publicKey, s.manifest)
      if (!m.ok) manifestFindings.push(new Break("replaced", s.segment, `segment ${s.segment}: ${m.reason}`))
      else if (m.manifest.segment !== s.segment)
        manifestFindings.push(
          new Break(
            "replaced",
            s.segment,
            `segment ${s.segment} carries the manifest of segment ${m.manifest.segment}`
          )
        )
      else {
        manifest = m.manifest
        sealedCount++
        if (prevManifest !== undefined && m.manifest.prevManifest !== prevManifest)
          manifestFindings.push(
            new Break(
              "replaced",
              s.segment,
              `segment ${s.segment}'s manifest does not chain to the manifest of segment ${s.segment - 1} (a segment was replaced)`
            )
          )
        prevManifest = m.hash
      }
    } else if (s.segment !== newest) {
      manifestFindings.push(
        new Break("segment-removed", s.segment, `segment ${s.segment} is not sealed: its manifest is missing`)
      )
    }

    const lines = s.lines
    const last = lines.length - 1
    let count = 0
    let segmentFirst: number | undefined
    const seen = new Set<number>()
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      if (i === last) {
        if (line !== "")
          fail(
            new Break(
              "truncated",
              s.segment,
              `segment ${s.segment} ends with an incomplete record at line ${i + 1} (truncated)`,
              undefined,
              i + 1
            )
          )
        break
      }
      const r = parseRecord(key, line)
      if (r === undefined) {
        fail(
          new Break(
            "malformed",
            s.segment,
            `line ${i + 1} of segment ${s.segment} is not a record`,
            undefined,
            i + 1
          )
        )
        continue
      }
      if (!r.hmacValid) {
        const hint = seq === undefined ? " (or the key is not this trail's key)" : ""
        fail(
          new Break(
            "edited",
            s.segment,
            `record ${r.seq} fails its HMAC: edited or forged${hint}`,
            r.seq,
            i + 1
          )
        )
        continue
      }
      count++
      if (segmentFirst === undefined) segmentFirst = r.seq
      if (seq === undefined) {
        start = { segment: s.segment, seq: r.seq, prev: r.prev, prevManifest: manifest?.prevManifest }
      } else if (r.seq > seq + 1) {
        fail(
          new Break(
            "deleted",
            s.segment,
            `record${r.seq === seq + 2 ? ` ${seq + 1} is` : `s ${seq + 1} to ${r.seq - 1} are`} missing before record ${r.seq} (deleted)`,
            r.seq,
            i + 1
          )
        )
      } else if (r.seq <= seq) {
        // an authentic record out of place: a copy of one seen already, or moved
        const copied = seen.has(r.seq) || (segmentFirst !== undefined && r.seq < segmentFirst)
        fail(
          new Break(
            copied ? "inserted" : "reordered",
            s.segment,
            `record ${r.seq} comes after record ${seq}: ${copied ? "a record inserted again" : "records reordered"}`,
            r.seq,
            i + 1
          )
        )
      } else if (r.prev !== prev && count === 1) {
        fail(
          new Break(
            "replaced",
            s.segment,
            `segment ${s.segment}'s first record does not chain to the last record of segment ${s.segment - 1}: a segment was replaced`,
            r.seq,
            i + 1
          )
        )
      } else if (r.prev !== prev) {
        fail(
          new Break(
            "reordered",
            s.segment,
            `record ${r.seq} does not chain to the record before it (its prev hash differs): records reordered or replaced`,
            r.seq,
            i + 1
          )
        )
      }
      seen.add(r.seq)
      if (firstSeq === undefined) firstSeq = r.seq
      seq = seq === undefined || r.seq > seq ? r.seq : seq
      prev = seq === r.seq ? sha256Hex(line) : prev
      const retired = removedBy(r.event)
      if (retired !== undefined) for (const x of retired) removed.set(x.segment, x)
      if (first === undefined) records++
    }
    for (const f of manifestFindings) fail(f)
    if (manifest !== undefined) {
      const problems: Array<string> = []
      if (manifest.records !== count) problems.push(`${count} records instead of ${manifest.records}`)
      if (manifest.bytes !== s.bytes) problems.push(`${s.bytes} bytes instead of ${manifest.bytes}`)
      if (manifest.sha256 !== s.sha256) problems.push("its SHA-256 differs")
      if (segmentFirst !== undefined && manifest.firstSeq !== segmentFirst)
        problems.push(`it starts at record ${segmentFirst}, not ${manifest.firstSeq}`)
      if (problems.length > 0) {
        const shorter = s.bytes < manifest.bytes
        fail(
          new Break(
            shorter ? "truncated" : "replaced",
            s.segment,
            `segment ${s.segment} does not match its manifest: ${problems.join(", ")}${shorter ? " (truncated)" : ""}`
          )
        )
      } else if (seq !== manifest.lastSeq || prev !== manifest.lastHash) {
        fail(
          new Break(
            "replaced",
            s.segment,
            `segment ${s.segment}'s last record is not the one its manifest names`
          )
        )
      }
    } else {
      unsealed += count
    }
  }

  // the oldest present segment: the start of the trail, or accounted for by retention
  let removedCount = 0
  if (start !== undefined) {
    if (start.segment === 1 && start.seq === 1) {
      if (start.prev !== GENESIS || (start.prevManifest !== undefined && start.prevManifest !== GENESIS))
        first = new Break(
          "replaced",
          1,
          "segment 1 does not start the trail (its first record or manifest chains to something else)",
          start.seq,
          1
        )
    } else {
      const before = removed.get(start.segment - 1)
      let covered = before !== undefined && before.lastSeq === start.seq - 1 && before.lastHash === start.prev
      if (covered && start.prevManifest !== undefined) covered = start.prevManifest === before!.manifest
      // retention removes oldest first, so its record of start.segment - 1 accounts for all before it
      // (that record is in a segment written after it: one still present)
      if (!covered)
        first = new Break(
          "segment-removed",
          start.segment,
          `the trail starts at segment ${start.segment} (record ${start.seq}), and no retention record accounts for the segments before it: deleted`,
          start.seq,
          1
        )
      removedCount = start.segment - 1
    }
  }

  // the head: no sealed segment newer than the newest present one was removed
  if (first === undefined) {
    if (snapshot.head !== undefined) {
      const h = readManifest(publicKey, snapshot.head)
      if (!h.ok) first = new Break("replaced", newest ?? 0, `the head: ${h.reason}`)
      else if (newest === undefined || h.manifest.segment > newest)
        first = new Break(
          "truncated",
          h.manifest.segment,
          `the head names sealed segment ${h.manifest.segment}, newer than any segment present: the newest segments were deleted`
        )
      else if (h.manifest.segment >= (segments[0]?.segment ?? 0)) {
        const same = segments.find((s) => s.segment === h.manifest.segment)
        if (same !== undefined && same.manifest !== undefined && sha256Hex(same.manifest) !== h.hash)
          first = new Break(
            "replaced",
            same.segment,
            `segment ${same.segment}'s manifest is not the one the head holds`
          )
      }
    } else if (sealedCount > 0) {
      first = new Break(
        "truncated",
        newest ?? 0,
        "the head (head.json, a copy of the newest manifest) is missing"
      )
    }
  }

  if (first !== undefined)
    return {
      ok: false,
      source,
      damage: first.damage,
      segment: first.segment,
      seq: first.seq,
      line: first.line,
      reason: first.reason,
      records
    }
  return {
    ok: true,
    source,
    segments: segments.length,
    sealed: sealedCount,
    records,
    firstSeq,
    lastSeq: seq,
    removedByRetention: removedCount,
    unsealedRecords: unsealed
  }
}

/** The report as the `fapilog verify` command prints it, and its exit code (0 OK, 1 broken). */
export const formatReport = (report: Report): { readonly text: string; readonly exitCode: 0 | 1 } => {
  if (report.ok) {
    const range =
      report.firstSeq === undefined ? "no records" : `records ${report.firstSeq} to ${report.lastSeq}`
    const parts = [
      `OK ${report.source}: ${report.records} records verified (${range}) in ${report.segments} segments, ${report.sealed} sealed`
    ]
    if (report.removedByRetention > 0)
      parts.push(`${report.removedByRetention} older segments removed by retention, as the trail records`)
    if (report.unsealedRecords > 0)
      parts.push(`${report.unsealedRecords} records in the active segment are not sealed yet`)
    return { text: parts.join("; "), exitCode: 0 }
  }
  const where = [`segment ${report.segment}`]
  if (report.seq !== undefined) where.push(`record ${report.seq}`)
  if (report.line !== undefined) where.push(`line ${report.line}`)
  return {
    text: `BROKEN ${report.source}: ${report.damage} at ${where.join(", ")}: ${report.reason} (${report.records} records verified before it)`,
    exitCode: 1
  }
}
