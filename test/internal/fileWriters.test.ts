import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { namespace } from "../../src/internal/fileLock.js"
import { FileWriters } from "../../src/internal/fileWriters.js"

const made: Array<string> = []
const listPath = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-writers-"))
  made.push(dir)
  return path.join(dir, "app.log.writers")
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
})

const modes = (file: string) =>
  fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const [, , token, mode] = l.split(" ")
      return `${token}:${mode}`
    })

describe("FileWriters", () => {
  it("a writer alone is solo; once another writes it is shared; an idle one changes no one's mode", () => {
    const file = listPath()
    const a = new FileWriters(file, "a", 0o640)
    const b = new FileWriters(file, "b", 0o640)
    assert.strictEqual(a.beat(), "solo")
    assert.isTrue(a.alone())
    assert.strictEqual(b.beat(), "shared")
    assert.isTrue(b.othersSolo(), "a has not learnt of b yet")
    assert.strictEqual(a.beat(), "shared")
    assert.isFalse(b.othersSolo())
    assert.deepStrictEqual(modes(file), ["b:shared", "a:shared"])
    assert.strictEqual(b.beat(true), "idle")
    assert.strictEqual(a.beat(), "solo", "b writes no more")
    assert.isFalse(a.alone(), "b still finishes background work")
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o640)
  })

  it("the last writer to leave removes the list", () => {
    const file = listPath()
    const a = new FileWriters(file, "a", 0o600)
    const b = new FileWriters(file, "b", 0o600)
    a.beat()
    b.beat()
    a.leave()
    assert.deepStrictEqual(modes(file), ["b:shared"])
    b.leave()
    assert.isFalse(fs.existsSync(file))
    assert.isFalse(fs.existsSync(`${file}.tmp`))
  })

  it("drops the entries of ended processes, and of any process silent longer than staleMs", () => {
    const file = listPath()
    const dead = spawnSync(process.execPath, ["-e", ""]).pid
    const now = Date.now()
    fs.writeFileSync(
      file,
      [
        `${dead} ${namespace} dead solo ${now}`,
        `1 pid:[1] silent solo ${now - 60_000}`,
        `1 pid:[1] elsewhere shared ${now}`,
        "not an entry"
      ].join("\n")
    )
    const a = new FileWriters(file, "a", 0o600, 30_000)
    assert.strictEqual(a.beat(), "shared", "the live process of another namespace writes too")
    assert.deepStrictEqual(modes(file), ["elsewhere:shared", "a:shared"])
    assert.isFalse(a.othersSolo())
  })
})
