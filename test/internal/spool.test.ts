import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { encodeFrame, Spool, type SpooledRequest, spoolFileName } from "../../src/internal/spool.js"

const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-spool-"))

const request = (text: string, events = 1): SpooledRequest => ({
  body: Buffer.from(text),
  contentType: "application/json",
  headers: { "content-encoding": "identity" },
  events
})

const open = (directory: string, maxBytes = 1_000_000) => {
  const reports: Array<string> = []
  const spool = Spool.open({
    directory,
    name: "sink:http://x",
    maxBytes,
    report: (m) => void reports.push(m)
  })
  return { spool, reports }
}

/** Bodies of every undelivered frame after a reopen, oldest first. */
const bodies = (directory: string): Array<string> => {
  const { spool } = open(directory)
  const out = spool.list().map((e) => Buffer.from(e.request.body).toString())
  spool.close()
  return out
}

describe("Spool", () => {
  it("keeps requests across reopen, oldest first, with their content type, headers and counts", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    assert.isTrue(spool.append(request("one", 3)))
    assert.isTrue(spool.append(request("two", 4)))
    assert.strictEqual(spool.pendingEvents, 7)
    spool.close()
    const again = open(dir).spool
    const first = again.peek()!
    assert.strictEqual(Buffer.from(first.request.body).toString(), "one")
    assert.strictEqual(first.request.contentType, "application/json")
    assert.deepStrictEqual(first.request.headers, { "content-encoding": "identity" })
    assert.strictEqual(first.request.events, 3)
    assert.strictEqual(again.pending, 2)
    again.close()
  })

  it("acknowledged requests are not replayed after a reopen; the file empties once all are", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    for (const t of ["a", "b", "c"]) spool.append(request(t))
    spool.ack(spool.peek()!)
    spool.close()
    assert.deepStrictEqual(bodies(dir), ["b", "c"])
    const again = open(dir).spool
    again.ack(again.peek()!)
    again.ack(again.peek()!)
    assert.strictEqual(again.pending, 0)
    assert.strictEqual(again.bytes, 0)
    assert.strictEqual(fs.statSync(again.file).size, 0)
    assert.isFalse(fs.existsSync(`${again.file}.cursor`))
    again.close()
  })

  it("a torn tail from a crash mid-append is detected, reported and cut off; appends continue", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    for (const t of ["a", "b", "c"]) spool.append(request(t))
    const file = spool.file
    spool.close()
    const size = fs.statSync(file).size
    fs.truncateSync(file, size - 5)
    const reopened = open(dir)
    assert.strictEqual(reopened.spool.pending, 2)
    assert.isTrue(reopened.reports.some((m) => m.includes("torn tail")))
    reopened.spool.append(request("d"))
    reopened.spool.close()
    assert.deepStrictEqual(bodies(dir), ["a", "b", "d"])
  })

  it("a damaged frame in the middle is skipped; the frames after it are kept", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    for (const t of ["first", "second", "third"]) spool.append(request(t))
    const file = spool.file
    spool.close()
    const bytes = fs.readFileSync(file)
    const at = bytes.indexOf("second")
    bytes[at] = "X".charCodeAt(0)
    fs.writeFileSync(file, bytes)
    const reopened = open(dir)
    assert.isTrue(reopened.reports.some((m) => m.includes("damaged")))
    reopened.spool.close()
    assert.deepStrictEqual(bodies(dir), ["first", "third"])
  })

  it("garbage alone is discarded as a torn tail", () => {
    const dir = tmpDir()
    fs.writeFileSync(path.join(dir, spoolFileName("sink:http://x")), "not a spool at all")
    const { spool, reports } = open(dir)
    assert.strictEqual(spool.pending, 0)
    assert.strictEqual(spool.bytes, 0)
    assert.isTrue(reports.some((m) => m.includes("torn tail")))
    spool.close()
  })

  it("refuses an append beyond maxBytes; compaction reclaims what was delivered", () => {
    const dir = tmpDir()
    const frame = encodeFrame(request("x".repeat(50))).length
    const { spool } = open(dir, frame * 3)
    assert.isTrue(spool.append(request("x".repeat(50))))
    assert.isTrue(spool.append(request("y".repeat(50))))
    assert.isTrue(spool.append(request("z".repeat(50))))
    assert.isFalse(spool.append(request("w".repeat(50))))
    assert.strictEqual(spool.refusedRequests, 1)
    assert.strictEqual(spool.pending, 3)
    spool.ack(spool.peek()!)
    // the delivered first frame is compacted away to make room
    assert.isTrue(spool.append(request("w".repeat(50))))
    assert.strictEqual(spool.bytes, frame * 3)
    spool.close()
    assert.deepStrictEqual(
      bodies(dir).map((b) => b[0]),
      ["y", "z", "w"]
    )
  })

  it("file names are safe and distinct per sink name", () => {
    const a = spoolFileName("loki:http://host:3100/../x")
    const b = spoolFileName("loki:http://host:3101/../x")
    assert.notStrictEqual(a, b)
    assert.notInclude(a, "/")
    assert.match(a, /\.spool$/)
  })
})
