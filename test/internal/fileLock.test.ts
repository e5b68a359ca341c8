import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { FileLock, namespace, processGone } from "../../src/internal/fileLock.js"

const made: Array<string> = []
const lockPath = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-lock-"))
  made.push(dir)
  return path.join(dir, "app.log.lock")
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
})

/** Whether anything, a dangling symbolic link included, is at `file`. */
const present = (file: string) => fs.lstatSync(file, { throwIfNoEntry: false }) !== undefined

/** The pid of a process that has ended (and been reaped). */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number

describe("processGone", () => {
  it("is true only for an ended process of this pid namespace", () => {
    assert.isFalse(processGone(process.pid, namespace))
    assert.isTrue(processGone(deadPid(), namespace))
    // pid 1 exists in every namespace; a pid of another namespace cannot be looked up
    assert.isFalse(processGone(1, namespace))
    assert.isFalse(processGone(deadPid(), "pid:[1]"))
    assert.isFalse(processGone(Number.NaN, namespace))
  })
})

describe("FileLock", () => {
  it("is a symbolic link naming pid, namespace and token, removed on release", () => {
    const file = lockPath()
    const lock = new FileLock(file, { mode: 0o640 })
    assert.isFalse(lock.acquire())
    assert.isTrue(lock.isHeld)
    assert.strictEqual(fs.readlinkSync(file), `${process.pid} ${namespace} ${lock.token}`)
    lock.release()
    assert.isFalse(present(file))
    lock.release()
  })

  it("with() runs the function holding the lock, releases it when the function throws, and nests", () => {
    const file = lockPath()
    const lock = new FileLock(file, { mode: 0o600 })
    assert.strictEqual(
      lock.with(() => lock.with(() => fs.lstatSync(file).isSymbolicLink())),
      true
    )
    assert.isFalse(present(file))
    assert.throws(
      () =>
        lock.with(() => {
          throw new Error("boom")
        }),
      "boom"
    )
    assert.isFalse(present(file))
  })

  it("a second holder waits for a live one and gives up with a message naming it", () => {
    const file = lockPath()
    const first = new FileLock(file, { mode: 0o600 })
    const second = new FileLock(file, { mode: 0o600, timeoutMs: 50 })
    first.acquire()
    assert.throws(() => second.acquire(), `still held by process ${process.pid}`)
    first.release()
    assert.isFalse(second.acquire())
    second.release()
  })

  it("breaks a lock whose holder has ended, and says so", () => {
    const file = lockPath()
    fs.writeFileSync(file, `${deadPid()} ${namespace} gone\n`)
    const lock = new FileLock(file, { mode: 0o600, timeoutMs: 1000 })
    assert.isTrue(lock.acquire())
    assert.include(fs.readlinkSync(file), lock.token)
    lock.release()
  })

  it("breaks a lock of another pid namespace only once it is older than staleMs", () => {
    const file = lockPath()
    fs.writeFileSync(file, `${deadPid()} pid:[1] elsewhere\n`)
    const lock = new FileLock(file, { mode: 0o600, timeoutMs: 30, staleMs: 60_000 })
    assert.throws(() => lock.acquire(), "still held")
    const old = (Date.now() - 120_000) / 1000
    fs.utimesSync(file, old, old)
    assert.isTrue(lock.acquire())
    lock.release()
  })

  it("an empty lock file (a holder between creating it and writing its line) is not stale while young", () => {
    const file = lockPath()
    fs.writeFileSync(file, "")
    const lock = new FileLock(file, { mode: 0o600, timeoutMs: 30 })
    assert.throws(() => lock.acquire(), "still held by process")
  })

  it("leaves a fresh lock alone when another waiter broke the stale one first", () => {
    const file = lockPath()
    // a breaker is at work: this waiter must not break anything meanwhile
    fs.writeFileSync(file, `${deadPid()} ${namespace} gone\n`)
    fs.writeFileSync(`${file}.break`, "")
    const lock = new FileLock(file, { mode: 0o600, timeoutMs: 30 })
    assert.throws(() => lock.acquire(), "still held")
    assert.include(fs.readFileSync(file, "utf8"), "gone")
    // a breaker that died is itself broken once old
    const old = (Date.now() - 120_000) / 1000
    fs.utimesSync(`${file}.break`, old, old)
    assert.isTrue(new FileLock(file, { mode: 0o600, timeoutMs: 1000 }).acquire())
  })

  it("refuses a lock it cannot create with the reason", () => {
    const lock = new FileLock("/proc/fapilog-no-such-dir/app.log.lock", { mode: 0o600 })
    assert.throws(() => lock.acquire(), "cannot create the lock")
  })
})
