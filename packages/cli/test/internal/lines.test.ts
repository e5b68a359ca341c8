/**
 * `fapilog pretty --follow`'s reader: a followed file is read from its start, then as it grows,
 * across rotation (the file renamed away and created again, as the file sink and logrotate do)
 * and truncation in place; a file that does not exist yet is waited for. Also the plain reader:
 * the last line without a newline, and CRLF.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Readable } from "node:stream"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { eachLine, follow } from "../../src/internal/lines.js"

const scratch = (() => {
  const root = path.resolve(import.meta.dirname, "..", "..", "..", "..", ".tmp")
  fs.mkdirSync(root, { recursive: true })
  return fs.mkdtempSync(path.join(root, "cli-follow-"))
})()
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

/** Resolves once `check` holds; the test's own timeout bounds the wait. */
const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10))
}

const following = (file: string) => {
  const seen: Array<string> = []
  const controller = new AbortController()
  const done = follow(
    file,
    async (line) => {
      seen.push(line)
    },
    controller.signal,
    5
  )
  return {
    seen,
    waitFor: (count: number) => until(() => seen.length >= count),
    stop: async () => {
      controller.abort()
      await done
    }
  }
}

describe("following a file", () => {
  it("reads what is there, then what is appended, partial lines once complete", async () => {
    const file = path.join(scratch, "grow.log")
    fs.writeFileSync(file, "one\ntwo\n")
    const f = following(file)
    await f.waitFor(2)
    fs.appendFileSync(file, "thr")
    fs.appendFileSync(file, "ee\nfour\n")
    await f.waitFor(4)
    await f.stop()
    assert.deepStrictEqual(f.seen, ["one", "two", "three", "four"])
  })

  it("follows the path across rotation: the old file's last lines first, then the new file", async () => {
    const file = path.join(scratch, "rotate.log")
    fs.writeFileSync(file, "a1\n")
    const f = following(file)
    await f.waitFor(1)
    fs.appendFileSync(file, "a2\na3 without newline")
    fs.renameSync(file, `${file}.1`)
    fs.writeFileSync(file, "b1\n")
    await f.waitFor(4)
    fs.appendFileSync(file, "b2\n")
    await f.waitFor(5)
    await f.stop()
    assert.deepStrictEqual(f.seen, ["a1", "a2", "a3 without newline", "b1", "b2"])
  })

  it("starts again from the beginning when the file is truncated", async () => {
    const file = path.join(scratch, "truncate.log")
    fs.writeFileSync(file, "long line one\nlong line two\n")
    const f = following(file)
    await f.waitFor(2)
    fs.truncateSync(file, 0)
    // shorter than what was read: seen as a truncation whenever the follower looks
    fs.appendFileSync(file, "x\n")
    await f.waitFor(3)
    await f.stop()
    assert.deepStrictEqual(f.seen, ["long line one", "long line two", "x"])
  })

  it("waits for a file that does not exist yet", async () => {
    const file = path.join(scratch, "later.log")
    const f = following(file)
    fs.writeFileSync(file, "here now\n")
    await f.waitFor(1)
    await f.stop()
    assert.deepStrictEqual(f.seen, ["here now"])
  })
})

describe("reading a stream", () => {
  it("gives every line, CRLF or not, the last one without a newline too", async () => {
    const seen: Array<string> = []
    await eachLine(Readable.from(["a\r\nb\n", "c"]), async (line) => {
      seen.push(line)
    })
    assert.deepStrictEqual(seen, ["a", "b", "c"])
  })
})
