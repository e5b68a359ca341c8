import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { FileLock, namespace, processGone, processStart, selfStart } from "../../src/internal/fileLock.js"

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

  it("tells a pid reused by a later process from the process recorded, by its start time", () => {
    const parent = process.ppid
    const started = processStart(parent)
    assert.match(started ?? "", /^\d+$/)
    assert.isFalse(processGone(parent, namespace, started))
    assert.isTrue(processGone(parent, namespace, `${Number(started) + 1}`))
    assert.isFalse(processGone(process.pid, namespace, selfStart))
    assert.isTrue(processGone(process.pid, namespace, `${Number(selfStart) + 1}`))
    // unknown start: only an ended process is gone
    assert.isFalse(processGone(parent, namespace, "-"))
    assert.isUndefined(processStart(deadPid()))
  })
})

/** Sets the age of the lock (the link itself, not what it names) back by `ms`. */
const age = (file: string, ms: number) => {
  const old = (Date.now() - ms) / 1000
  fs.lutimesSync(file, old, old)
}

describe("FileLock", () => {
  it("is a symbolic link naming pid, namespace and token, removed on release", () => {
    const file = lockPath()
    const lock = new FileLock(file, { mode: 0o640 })
    assert.isFalse(lock.acquire())
    assert.isTrue(lock.isHeld)
    assert.strictEqual(fs.readlinkSync(file), `${process.pid} ${namespace} ${selfStart} ${lock.token}`)
    assert.isTrue(lock.release())
    assert.isFalse(present(file))
    assert.isFalse(lock.release())
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

  it("never breaks the lock of a live holder of this pid namespace, however old (a paused holder)", () => {
    const file = lockPath()
    const paused = new FileLock(file, { mode: 0o600, staleMs: 50 })
    paused.acquire()
    age(file, 120_000)
    const waiter = new FileLock(file, { mode: 0o600, staleMs: 50, timeoutMs: 50 })
    assert.throws(() => waiter.acquire(), "still held by process")
    assert.include(fs.readlinkSync(file), paused.token)
    assert.isTrue(paused.release())
    assert.isFalse(waiter.acquire())
    waiter.release()
  })

  it("waits for a holder that is another process, stopped (SIGSTOP), and breaks its lock once it has ended", async () => {
    const file = lockPath()
    const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" })
    const exited = new Promise((resolve) => holder.once("exit", resolve))
    try {
      const pid = holder.pid as number
      fs.symlinkSync(`${pid} ${namespace} ${processStart(pid)} holder`, file)
      holder.kill("SIGSTOP")
      age(file, 120_000)
      const waiter = new FileLock(file, { mode: 0o600, staleMs: 50, timeoutMs: 100 })
      assert.throws(() => waiter.acquire(), `still held by process ${pid}`)
      holder.kill("SIGKILL")
      await exited
      assert.isTrue(waiter.acquire())
      waiter.release()
    } finally {
      holder.kill("SIGKILL")
    }
  })

  it("breaks the lock of a pid now used by another process (started at another time)", () => {
    const file = lockPath()
    fs.symlinkSync(`${process.ppid} ${namespace} ${Number(processStart(process.ppid)) + 1} reused`, file)
    const lock = new FileLock(file, { mode: 0o600, timeoutMs: 1000 })
    assert.isTrue(lock.acquire())
    lock.release()
  })

  it("a release leaves in place a lock that is no longer its own (broken as stale and taken anew)", () => {
    const file = lockPath()
    const first = new FileLock(file, { mode: 0o600 })
    first.acquire()
    // another holder (of another pid namespace) broke it as stale and took it
    fs.unlinkSync(file)
    fs.symlinkSync(`1 pid:[1] - other`, file)
    assert.isFalse(first.release())
    assert.strictEqual(fs.readlinkSync(file), "1 pid:[1] - other")
    // the same with locks that are files (a file system without symbolic links)
    fs.unlinkSync(file)
    const second = new FileLock(file, { mode: 0o600 })
    second.acquire()
    fs.unlinkSync(file)
    fs.writeFileSync(file, "1 pid:[1] - other")
    assert.isFalse(second.release())
    assert.strictEqual(fs.readFileSync(file, "utf8"), "1 pid:[1] - other")
  })

  it("says it broke a stale lock only when it removed one, not when a live holder let go", async () => {
    const file = lockPath()
    // another process takes and releases the lock as fast as it can, as a live holder
    const churn = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("node:fs")
         const end = Date.now() + 2000
         while (Date.now() < end) {
           try { fs.symlinkSync(process.pid + " ${namespace} - churn", process.argv[1]); fs.unlinkSync(process.argv[1]) } catch {}
         }`,
        file
      ],
      { stdio: "ignore" }
    )
    const exited = new Promise((resolve) => churn.once("exit", resolve))
    try {
      const lock = new FileLock(file, { mode: 0o600, timeoutMs: 5000 })
      const deadline = Date.now() + 1000
      let taken = 0
      while (Date.now() < deadline) {
        assert.isFalse(lock.acquire(), "nothing stale was ever there")
        lock.release()
        taken++
      }
      assert.isAbove(taken, 0)
    } finally {
      churn.kill()
      await exited
    }
  })

  it("with() keeps what its function returned or threw when the release fails, and reports the failure", () => {
    const file = lockPath()
    const errors: Array<unknown> = []
    const lock = new FileLock(file, { mode: 0o600, onError: (e) => errors.push(e) })
    // something the release cannot read or remove takes the lock's place while it is held
    const spoil = () => {
      fs.unlinkSync(file)
      fs.mkdirSync(file)
    }
    assert.strictEqual(
      lock.with(() => {
        spoil()
        return "written"
      }),
      "written"
    )
    assert.strictEqual(errors.length, 1)
    assert.match(String(errors[0]), /cannot release the lock/)
    fs.rmdirSync(file)
    const own = new Error("the write's own failure")
    assert.throws(
      () =>
        lock.with(() => {
          spoil()
          throw own
        }),
      "the write's own failure"
    )
    assert.strictEqual(errors.length, 2)
    assert.isFalse(lock.isHeld)
  })

  it("refuses a lock it cannot create with the reason", () => {
    const lock = new FileLock("/proc/fapilog-no-such-dir/app.log.lock", { mode: 0o600 })
    assert.throws(() => lock.acquire(), "cannot create the lock")
  })
})
