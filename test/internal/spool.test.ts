import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { vi } from "vitest"
import { encodeFrame, Spool, type SpooledRequest, spoolFileName } from "../../src/internal/spool.js"

/** Called before every rename, link, copy and removal the spool makes (where a crash could stop it). */
let beforeStep: ((step: string) => void) | undefined

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>()
  const watched =
    <A extends Array<unknown>, R>(step: string, f: (...args: A) => R) =>
    (...args: A): R => {
      beforeStep?.(step)
      return f(...args)
    }
  return {
    ...real,
    renameSync: watched("rename", real.renameSync),
    linkSync: watched("link", real.linkSync),
    copyFileSync: watched("copy", real.copyFileSync),
    rmSync: watched("rm", real.rmSync)
  }
})

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

  it("an append cut short by a crash is told from damage: cut off, its events counted as torn", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    for (const [t, n] of [
      ["a", 1],
      ["b", 2],
      ["c", 3]
    ] as const)
      spool.append(request(t, n))
    const file = spool.file
    spool.close()
    fs.truncateSync(file, fs.statSync(file).size - 5)
    const reopened = open(dir)
    assert.strictEqual(reopened.spool.pending, 2)
    assert.strictEqual(reopened.spool.tornEvents, 3, "the header of the cut frame says how many")
    assert.strictEqual(reopened.spool.damagedEvents, 0)
    assert.isUndefined(reopened.spool.keptAs, "nothing to keep: an interrupted append is no damage")
    assert.isTrue(reopened.reports.some((m) => m.includes("interrupted") && m.includes("3 event(s)")))
    reopened.spool.append(request("d"))
    reopened.spool.close()
    assert.deepStrictEqual(bodies(dir), ["a", "b", "d"])
  })

  it("an append cut short inside its header is an interrupted append too", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    spool.append(request("a"))
    const file = spool.file
    spool.close()
    fs.appendFileSync(file, encodeFrame(request("b"), 1).subarray(0, 10))
    const reopened = open(dir)
    assert.strictEqual(reopened.spool.pending, 1)
    assert.strictEqual(reopened.spool.damagedEvents, 0)
    assert.isUndefined(reopened.spool.keptAs)
    assert.isTrue(reopened.reports.some((m) => m.includes("interrupted")))
    reopened.spool.close()
  })

  it("a flipped bit in the last frame is damage: its events are counted lost and the file is kept", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    spool.append(request("first", 2))
    spool.append(request("last", 5))
    const file = spool.file
    spool.close()
    const bytes = fs.readFileSync(file)
    const at = bytes.lastIndexOf("last")
    bytes[at] = (bytes[at] as number) ^ 0x01
    fs.writeFileSync(file, bytes)
    const reopened = open(dir)
    assert.strictEqual(reopened.spool.damagedEvents, 5)
    assert.strictEqual(reopened.spool.tornEvents, 0, "a whole frame is damage, not an interrupted append")
    assert.deepStrictEqual(fs.readFileSync(reopened.spool.keptAs as string), bytes, "kept as it was found")
    assert.isTrue(reopened.reports.some((m) => m.includes("5 event(s) lost") && m.includes("kept as")))
    reopened.spool.close()
    assert.deepStrictEqual(bodies(dir), ["first"])
    const again = open(dir)
    assert.strictEqual(again.spool.damagedEvents, 0, "counted once, not at every start")
    again.spool.close()
  })

  it("keeping a damaged file aside is crash-safe: at every step the damaged file or the new one is in place", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    for (const t of ["a", "b", "c"]) spool.append(request(t, 2))
    const file = spool.file
    spool.close()
    const damaged = fs.readFileSync(file)
    const at = damaged.indexOf("b")
    damaged[at] = (damaged[at] as number) ^ 0x01
    fs.writeFileSync(file, damaged)
    // what a crash just before each step, or after the last, would leave for the next start
    const states: Array<Array<string> | "no spool file"> = []
    const leftFor = () => {
      if (!fs.existsSync(file)) return "no spool file"
      const copy = tmpDir()
      fs.copyFileSync(file, path.join(copy, path.basename(file)))
      return bodies(copy)
    }
    const watch = () => {
      // reading what is left recovers a copy, whose own steps are not watched
      beforeStep = undefined
      states.push(leftFor())
      beforeStep = watch
    }
    beforeStep = watch
    try {
      open(dir).spool.close()
    } finally {
      beforeStep = undefined
    }
    states.push(leftFor())
    assert.isAbove(states.length, 2)
    for (const state of states)
      assert.deepStrictEqual(state, ["a", "c"], "the intact frames are there for the next start")
    assert.deepStrictEqual(bodies(dir), ["a", "c"])
  })

  it("a damaged frame in the middle is skipped and its events counted; the frames after it are kept", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    for (const [t, n] of [
      ["first", 1],
      ["second", 4],
      ["third", 2]
    ] as const)
      spool.append(request(t, n))
    const file = spool.file
    spool.close()
    const bytes = fs.readFileSync(file)
    const at = bytes.indexOf("second")
    bytes[at] = "X".charCodeAt(0)
    fs.writeFileSync(file, bytes)
    const reopened = open(dir)
    assert.strictEqual(reopened.spool.damagedEvents, 4)
    assert.isTrue(reopened.reports.some((m) => m.includes("damaged")))
    reopened.spool.close()
    assert.deepStrictEqual(bodies(dir), ["first", "third"])
  })

  it("bytes with no readable header between two frames: the lost events are told by the sequence numbers", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    for (const [t, n] of [
      ["first", 1],
      ["second", 4],
      ["third", 3],
      ["fourth", 2]
    ] as const)
      spool.append(request(t, n))
    const [, second, third] = spool.list()
    const file = spool.file
    spool.close()
    // overwrite the second frame and the third's header: two frames, 7 events, no header to read
    const fd = fs.openSync(file, "r+")
    fs.writeSync(
      fd,
      Buffer.alloc((third?.offset ?? 0) - (second?.offset ?? 0) + 30, 0xee),
      0,
      undefined,
      second?.offset
    )
    fs.closeSync(fd)
    const reopened = open(dir)
    assert.strictEqual(reopened.spool.damagedEvents, 7)
    reopened.spool.close()
    assert.deepStrictEqual(bodies(dir), ["first", "fourth"])
  })

  it("damage at the end with no header to read: at least one event per frame start is counted", () => {
    const dir = tmpDir()
    const { spool } = open(dir)
    spool.append(request("first", 1))
    spool.append(request("last", 6))
    const [, last] = spool.list()
    const file = spool.file
    spool.close()
    const bytes = fs.readFileSync(file)
    // a flipped bit in the last header's sequence number: its checksum no longer holds
    const at = (last?.offset ?? 0) + 15
    bytes[at] = (bytes[at] as number) ^ 0x80
    fs.writeFileSync(file, bytes)
    const reopened = open(dir)
    assert.strictEqual(reopened.spool.damagedEvents, 1)
    assert.isTrue(reopened.reports.some((m) => m.includes("at least 1 event(s) lost")))
    assert.strictEqual(reopened.spool.pending, 1)
    reopened.spool.close()
  })

  it("a file that cannot be read at all is moved aside, not truncated; the spool starts empty", () => {
    const dir = tmpDir()
    const file = path.join(dir, spoolFileName("sink:http://x"))
    fs.writeFileSync(file, "not a spool at all")
    const { spool, reports } = open(dir)
    assert.strictEqual(spool.pending, 0)
    assert.strictEqual(spool.bytes, 0)
    assert.strictEqual(fs.readFileSync(spool.keptAs as string, "utf8"), "not a spool at all")
    assert.isTrue(reports.some((m) => m.includes("kept as")))
    assert.isTrue(spool.append(request("fresh")))
    spool.close()
    assert.deepStrictEqual(bodies(dir), ["fresh"])
  })

  it("a spool path that cannot even be opened as a file is moved aside", () => {
    const dir = tmpDir()
    const file = path.join(dir, spoolFileName("sink:http://x"))
    fs.mkdirSync(file)
    fs.writeFileSync(path.join(file, "inside"), "kept")
    const { spool, reports } = open(dir)
    assert.strictEqual(fs.readFileSync(path.join(spool.keptAs as string, "inside"), "utf8"), "kept")
    assert.isTrue(reports.some((m) => m.includes("cannot be read") && m.includes("moved aside")))
    assert.isTrue(spool.append(request("fresh")))
    spool.close()
    assert.deepStrictEqual(bodies(dir), ["fresh"])
  })

  it("after acknowledgements and a compaction the sequence is consistent: no damage is found on reopen", () => {
    const dir = tmpDir()
    const frame = encodeFrame(request("x".repeat(50), 2)).length
    const { spool } = open(dir, frame * 3)
    for (const c of ["x", "y", "z"]) spool.append(request(c.repeat(50), 2))
    spool.ack(spool.peek()!)
    spool.close()
    const reopened = open(dir, frame * 3)
    assert.strictEqual(reopened.spool.damagedEvents, 0, "the cursor carries the sequence")
    // the second is being replayed while an append compacts the file: acknowledging it still works
    const inflight = reopened.spool.peek()!
    assert.isTrue(reopened.spool.append(request("w".repeat(50), 2)))
    reopened.spool.ack(inflight)
    assert.strictEqual(reopened.spool.pending, 2, "the request compacted under it was acknowledged")
    reopened.spool.close()
    const again = open(dir, frame * 3)
    assert.strictEqual(again.spool.damagedEvents, 0)
    assert.deepStrictEqual(
      again.spool.list().map((e) => [Buffer.from(e.request.body).toString()[0], e.seq]),
      [
        ["z", 2],
        ["w", 4]
      ]
    )
    again.spool.close()
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
