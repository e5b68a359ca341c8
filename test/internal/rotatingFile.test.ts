import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as zlib from "node:zlib"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { vi } from "vitest"
import { namespace } from "../../src/internal/fileLock.js"
import {
  PartialWrite,
  parseAge,
  parseBytes,
  parseInterval,
  type RetentionDeletion,
  RotatingFile
} from "../../src/internal/rotatingFile.js"
import { fillDisk, withTmpfs } from "../support/tmpfs.js"

const made: Array<string> = []
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-rotating-"))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
})

/** Rotated files of `file` in name order (the order the naming scheme promises is rotation order). */
const rotated = (file: string): Array<string> => {
  const base = path.basename(file)
  return fs
    .readdirSync(path.dirname(file))
    .filter((n) => n.startsWith(`${base}.`) && /\.\d{8}T\d{6}Z(_\d{3,})?(\.gz)?(\.tmp)?$/.test(n))
    .sort()
}

const contentOf = (dir: string, name: string): string => {
  const raw = fs.readFileSync(path.join(dir, name))
  return (name.endsWith(".gz") ? zlib.gunzipSync(raw) : raw).toString("utf8")
}

/** Every line kept, reading rotated files in name order and the active file last. */
const allLines = (file: string): Array<string> => {
  const dir = path.dirname(file)
  const names = [...rotated(file), path.basename(file)].filter((n) => fs.existsSync(path.join(dir, n)))
  return names.flatMap((n) => contentOf(dir, n).split("\n").slice(0, -1))
}

const lines = (prefix: string, n: number, width = 0): Array<string> =>
  Array.from(
    { length: n },
    (_, i) => `${prefix}-${String(i).padStart(3, "0")}${"x".repeat((i * 7) % (width + 1))}`
  )

const text = (ls: ReadonlyArray<string>): string => ls.map((l) => `${l}\n`).join("")

const mode = (p: string): number => fs.statSync(p).mode & 0o777

describe("parseBytes", () => {
  it("accepts whole numbers and 1024-based units in any case, with or without a space", () => {
    assert.strictEqual(parseBytes(1), 1)
    assert.strictEqual(parseBytes(4096), 4096)
    assert.strictEqual(parseBytes("10 MB"), 10 * 1024 * 1024)
    assert.strictEqual(parseBytes("512KB"), 512 * 1024)
    assert.strictEqual(parseBytes("512kib"), 512 * 1024)
    assert.strictEqual(parseBytes("1.5 GiB"), 1.5 * 1024 ** 3)
    assert.strictEqual(parseBytes("2gb"), 2 * 1024 ** 3)
    assert.strictEqual(parseBytes("1 TB"), 1024 ** 4)
    assert.strictEqual(parseBytes("100 b"), 100)
    assert.strictEqual(parseBytes(" 100 "), 100)
    assert.strictEqual(parseBytes("0.5 KB"), 512)
  })

  it("rejects anything else with a RangeError naming the input and the accepted forms", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      assert.throws(() => parseBytes(bad), RangeError, `${String(bad)} is not a size in bytes; accepted:`)
    }
    for (const bad of [
      "",
      "MB",
      "10 XB",
      "10 M",
      "10 ib",
      "-5 MB",
      "0 MB",
      "0.1 b",
      "1.5 b",
      "ten MB",
      "1e3",
      "+5"
    ]) {
      assert.throws(
        () => parseBytes(bad),
        RangeError,
        `${JSON.stringify(bad)} is not a size in bytes; accepted:`
      )
    }
    assert.throws(() => parseBytes("10 XB"), /KB, MB, GB or TB \(1024-based/)
    assert.throws(() => parseBytes(null as never), RangeError, "null is not a size in bytes")
  })
})

describe("parseInterval", () => {
  it("accepts numbers with a unit, the named periods and positive whole milliseconds", () => {
    assert.strictEqual(parseInterval("1h"), 3_600_000)
    assert.strictEqual(parseInterval("30m"), 1_800_000)
    assert.strictEqual(parseInterval("15s"), 15_000)
    assert.strictEqual(parseInterval("2d"), 172_800_000)
    assert.strictEqual(parseInterval("1w"), 604_800_000)
    assert.strictEqual(parseInterval("250ms"), 250)
    assert.strictEqual(parseInterval("1.5 H"), 5_400_000)
    assert.strictEqual(parseInterval("hourly"), 3_600_000)
    assert.strictEqual(parseInterval(" Daily "), 86_400_000)
    assert.strictEqual(parseInterval("WEEKLY"), 604_800_000)
    assert.strictEqual(parseInterval(60_000), 60_000)
  })

  it("rejects anything else with a RangeError naming the input and the accepted forms", () => {
    for (const bad of [0, -1000, 1.5, Number.NaN]) {
      assert.throws(
        () => parseInterval(bad),
        RangeError,
        `${String(bad)} is not a rotation interval; accepted:`
      )
    }
    for (const bad of ["", "30", "h", "1y", "-1h", "0s", "0.0001s", "monthly", "1 hour"]) {
      assert.throws(
        () => parseInterval(bad),
        RangeError,
        `${JSON.stringify(bad)} is not a rotation interval; accepted:`
      )
    }
    assert.throws(() => parseInterval("1y"), /ms, s, m, h, d or w .* hourly, daily, weekly/)
    // names of Object.prototype are not named periods
    for (const bad of ["constructor", "toString", "__proto__"])
      assert.throws(() => parseInterval(bad), RangeError, "is not a rotation interval")
  })
})

describe("parseAge", () => {
  it("accepts numbers with a unit and positive whole milliseconds", () => {
    assert.strictEqual(parseAge("12h"), 43_200_000)
    assert.strictEqual(parseAge("30d"), 30 * 86_400_000)
    assert.strictEqual(parseAge(" 2 W "), 14 * 86_400_000)
    assert.strictEqual(parseAge("90s"), 90_000)
    assert.strictEqual(parseAge(3_600_000), 3_600_000)
  })

  it("rejects named periods and anything else with a RangeError naming the input and the accepted forms", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(() => parseAge(bad), RangeError, `${String(bad)} is not an age; accepted:`)
    for (const bad of ["", "7", "daily", "1 month", "7 days", "-1d", "0d", "constructor"])
      assert.throws(() => parseAge(bad), RangeError, `${JSON.stringify(bad)} is not an age; accepted:`)
    assert.throws(() => parseAge("1y"), /a unit ms, s, m, h, d or w \(such as "12h", "30d", "2w"\)/)
  })
})

describe("RotatingFile by size", () => {
  it("never splits a line and never lets a file pass maxBytes", () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 100 })
    const written = lines("l", 120, 30)
    for (let i = 0; i < written.length; i += 7) log.writeSync(text(written.slice(i, i + 7)))
    log.close()
    const dir = path.dirname(file)
    assert.isAbove(rotated(file).length, 10)
    for (const name of [...rotated(file), "app.log"]) {
      const content = contentOf(dir, name)
      assert.isAtMost(Buffer.byteLength(content), 100, name)
      assert.isTrue(content.endsWith("\n"), name)
      for (const line of content.split("\n").slice(0, -1)) assert.include(written, line, name)
    }
    assert.deepStrictEqual(allLines(file), written)
  })

  it("counts bytes, not characters", () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 20 })
    // 6 characters, 12 bytes (+ newline): two never fit in one file.
    log.writeSync("éééééé\néééééé\n")
    log.close()
    assert.strictEqual(rotated(file).length, 1)
    for (const name of [...rotated(file), "app.log"])
      assert.strictEqual(fs.statSync(path.join(path.dirname(file), name)).size, 13)
  })

  it("puts a line longer than maxBytes alone in its file", () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 50 })
    const long = "L".repeat(200)
    log.writeSync(text(["before-1", "before-2"]))
    log.writeSync(text(["before-3", long, "after-1"]))
    log.writeSync(text([long]))
    log.writeSync(text(["after-2"]))
    log.close()
    const dir = path.dirname(file)
    const contents = [...rotated(file), "app.log"].map((n) => contentOf(dir, n))
    assert.deepStrictEqual(contents, [
      "before-1\nbefore-2\nbefore-3\n",
      `${long}\n`,
      "after-1\n",
      `${long}\n`,
      "after-2\n"
    ])
  })

  it("appends to an existing file, whose size counts toward maxBytes and whose mode is kept", () => {
    const file = path.join(tmp(), "app.log")
    fs.writeFileSync(file, "old-1\nold-2\n", { mode: 0o600 })
    const log = new RotatingFile({ path: file, maxBytes: 20 })
    log.writeSync("new-1\n")
    assert.strictEqual(fs.readFileSync(file, "utf8"), "old-1\nold-2\nnew-1\n")
    assert.strictEqual(mode(file), 0o600)
    log.writeSync("new-2\n")
    log.close()
    assert.deepStrictEqual(allLines(file), ["old-1", "old-2", "new-1", "new-2"])
    assert.strictEqual(fs.readFileSync(file, "utf8"), "new-2\n")
  })

  it("keeps unique names that sort in rotation order when many rotations share one second", async () => {
    const file = path.join(tmp(), "app.log")
    const second = Date.UTC(2026, 10, 23, 9, 45, 12, 500)
    const log = new RotatingFile({ path: file, maxBytes: 8, compress: true }, () => second)
    const written = lines("n", 25)
    for (const line of written) log.writeSync(`${line}\n`)
    log.close()
    await log.settle()
    const names = rotated(file)
    assert.strictEqual(names.length, 24)
    assert.strictEqual(names[0], "app.log.20261123T094512Z.gz")
    assert.strictEqual(names[1], "app.log.20261123T094512Z_001.gz")
    assert.strictEqual(names[23], "app.log.20261123T094512Z_023.gz")
    assert.deepStrictEqual(allLines(file), written)
  })
})

describe("RotatingFile by time", () => {
  it("rotates daily at UTC midnight, naming the file after the rotation time", () => {
    const file = path.join(tmp(), "app.log")
    let now = Date.UTC(2026, 10, 23, 23, 59, 0)
    const log = new RotatingFile({ path: file, interval: parseInterval("daily") }, () => now)
    log.writeSync("a\n")
    now = Date.UTC(2026, 10, 23, 23, 59, 59, 999)
    log.writeSync("b\n")
    assert.deepStrictEqual(rotated(file), [])
    now = Date.UTC(2026, 10, 24, 0, 0, 0, 250)
    log.writeSync("c\n")
    now = Date.UTC(2026, 10, 24, 18, 0, 0)
    log.writeSync("d\n")
    log.close()
    assert.deepStrictEqual(rotated(file), ["app.log.20261124T000000Z"])
    assert.strictEqual(contentOf(path.dirname(file), "app.log.20261124T000000Z"), "a\nb\n")
    assert.strictEqual(fs.readFileSync(file, "utf8"), "c\nd\n")
  })

  it("rotates hourly on hour boundaries, skipping empty files", () => {
    const file = path.join(tmp(), "app.log")
    let now = Date.UTC(2026, 10, 23, 10, 15, 0)
    const log = new RotatingFile({ path: file, interval: parseInterval("1h") }, () => now)
    log.writeSync("10:15\n")
    now = Date.UTC(2026, 10, 23, 10, 59, 59)
    log.writeSync("10:59\n")
    now = Date.UTC(2026, 10, 23, 11, 0, 1)
    log.writeSync("11:00\n")
    // Two boundaries pass with no write: one rotation, not one per period.
    now = Date.UTC(2026, 10, 23, 13, 30, 0)
    log.writeSync("13:30\n")
    log.close()
    const dir = path.dirname(file)
    assert.deepStrictEqual(rotated(file), ["app.log.20261123T110001Z", "app.log.20261123T133000Z"])
    assert.strictEqual(contentOf(dir, "app.log.20261123T110001Z"), "10:15\n10:59\n")
    assert.strictEqual(contentOf(dir, "app.log.20261123T133000Z"), "11:00\n")
    assert.strictEqual(fs.readFileSync(file, "utf8"), "13:30\n")

    // A new, empty file is not rotated when its period ends before anything is written.
    const empty = path.join(dir, "empty.log")
    now = Date.UTC(2026, 10, 23, 13, 59, 0)
    const quiet = new RotatingFile({ path: empty, interval: parseInterval("1h") }, () => now)
    now = Date.UTC(2026, 10, 23, 14, 30, 0)
    quiet.writeSync("14:30\n")
    quiet.close()
    assert.deepStrictEqual(rotated(empty), [])
  })

  it("rotates a file left by an earlier period on the first write after a restart", () => {
    const file = path.join(tmp(), "app.log")
    fs.writeFileSync(file, "yesterday\n")
    fs.utimesSync(file, new Date(Date.UTC(2026, 10, 22, 22, 0)), new Date(Date.UTC(2026, 10, 22, 22, 0)))
    const log = new RotatingFile({ path: file, interval: parseInterval("daily") }, () =>
      Date.UTC(2026, 10, 23, 8, 0)
    )
    log.writeSync("today\n")
    log.close()
    assert.deepStrictEqual(rotated(file), ["app.log.20261123T080000Z"])
    assert.deepStrictEqual(allLines(file), ["yesterday", "today"])
  })

  it("combines time and size rotation", () => {
    const file = path.join(tmp(), "app.log")
    let now = Date.UTC(2026, 10, 23, 10, 0, 0)
    const log = new RotatingFile({ path: file, interval: parseInterval("1h"), maxBytes: 12 }, () => now)
    log.writeSync("aaaa\nbbbb\ncccc\n")
    now += 3_600_000
    log.writeSync("dddd\n")
    log.close()
    const dir = path.dirname(file)
    assert.deepStrictEqual(
      rotated(file).map((n) => contentOf(dir, n)),
      ["aaaa\nbbbb\n", "cccc\n"]
    )
    assert.deepStrictEqual(allLines(file), ["aaaa", "bbbb", "cccc", "dddd"])
  })
})

describe("RotatingFile retention", () => {
  // 8-byte lines with maxBytes 10: every line ends up in a file of its own.
  const fill = (log: RotatingFile, n: number) => {
    for (let i = 0; i < n; i++) log.writeSync(`line-${String(i).padStart(2, "0")}\n`)
  }

  it("keeps at most maxFiles rotated files, deleting the oldest", async () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 10, maxFiles: 3 })
    fill(log, 10)
    log.close()
    await log.settle()
    assert.strictEqual(rotated(file).length, 3)
    assert.deepStrictEqual(allLines(file), ["line-06", "line-07", "line-08", "line-09"])
  })

  it("keeps at most maxTotalBytes across rotated files; the active file is never deleted", async () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 10, maxTotalBytes: 20 })
    fill(log, 10)
    await log.settle()
    assert.deepStrictEqual(allLines(file), ["line-07", "line-08", "line-09"])
    // Even a limit below one file's size leaves the active file alone.
    log.close()
    const tight = new RotatingFile({ path: file, maxTotalBytes: 1 })
    await tight.settle()
    tight.close()
    assert.deepStrictEqual(allLines(file), ["line-09"])
  })

  it("counts compressed sizes once files are compressed", async () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 10, maxTotalBytes: 100, compress: true })
    fill(log, 20)
    log.close()
    await log.settle()
    const dir = path.dirname(file)
    const sizes = rotated(file).map((n) => fs.statSync(path.join(dir, n)).size)
    const one = zlib.gzipSync("line-00\n").length
    assert.isTrue(rotated(file).every((n) => n.endsWith(".gz")))
    assert.strictEqual(sizes.length, Math.floor(100 / one))
    assert.isAtMost(
      sizes.reduce((a, b) => a + b, 0),
      100
    )
    assert.deepStrictEqual(allLines(file).at(-1), "line-19")
  })

  it("applies retention and finishes compression left over by an earlier process", async () => {
    const dir = tmp()
    const file = path.join(dir, "app.log")
    fs.writeFileSync(`${file}.20261120T000000Z`, "old-1\n")
    fs.writeFileSync(`${file}.20261121T000000Z`, "old-2\n")
    fs.writeFileSync(`${file}.20261121T000000Z.gz.tmp`, "half an archive")
    fs.writeFileSync(`${file}.20261122T000000Z.gz`, zlib.gzipSync("old-3\n"))
    fs.writeFileSync(`${file}.20261122T000000Z`, "old-3\n")
    fs.writeFileSync(path.join(dir, "unrelated.txt"), "keep me")
    const log = new RotatingFile({ path: file, compress: true, maxFiles: 2 })
    await log.settle()
    log.close()
    assert.deepStrictEqual(rotated(file), ["app.log.20261121T000000Z.gz", "app.log.20261122T000000Z.gz"])
    assert.deepStrictEqual(allLines(file), ["old-2", "old-3"])
    assert.isTrue(fs.existsSync(path.join(dir, "unrelated.txt")))
  })
})

describe("RotatingFile retention by age, and its reports", () => {
  const DAY = 86_400_000
  const HOUR = 3_600_000
  /** Rotated files of earlier runs, each holding one line (its own name). */
  const seed = (file: string, stamps: ReadonlyArray<string>) => {
    for (const s of stamps) {
      const name = `${file}.${s}`
      if (name.endsWith(".gz")) fs.writeFileSync(name, zlib.gzipSync(`${path.basename(name)}\n`))
      else fs.writeFileSync(name, `${path.basename(name)}\n`)
    }
  }

  it("deletes at start-up the rotated files older than maxAge, by the rotation time in their names, compressed ones included", async () => {
    const dir = tmp()
    const file = path.join(dir, "app.log")
    seed(file, ["20261120T000000Z", "20261122T000000Z.gz", "20261123T000000Z"])
    fs.writeFileSync(file, "active\n")
    const now = Date.UTC(2026, 10, 23, 12, 0, 0)
    // mtimes say the opposite of the names: the names decide
    const touched = new Date(now)
    fs.utimesSync(`${file}.20261120T000000Z`, touched, touched)
    const ancient = new Date(Date.UTC(2020, 0, 1))
    fs.utimesSync(`${file}.20261123T000000Z`, ancient, ancient)
    fs.utimesSync(file, ancient, ancient)
    const deleted: Array<RetentionDeletion> = []
    const log = new RotatingFile({ path: file, maxAge: DAY, onDelete: (d) => deleted.push(d) }, () => now)
    await log.settle()
    log.close()
    assert.deepStrictEqual(rotated(file), ["app.log.20261123T000000Z"])
    assert.isTrue(fs.existsSync(file), "the active file is never deleted")
    assert.deepStrictEqual(deleted, [
      {
        file: `${file}.20261120T000000Z`,
        bytes: "app.log.20261120T000000Z\n".length,
        rotatedAt: Date.UTC(2026, 10, 20),
        ageMs: 3.5 * DAY,
        policy: "maxAge"
      },
      {
        file: `${file}.20261122T000000Z.gz`,
        bytes: zlib.gzipSync("app.log.20261122T000000Z.gz\n").length,
        rotatedAt: Date.UTC(2026, 10, 22),
        ageMs: 1.5 * DAY,
        policy: "maxAge"
      }
    ])
  })

  it("applies maxAge after each rotation, with maxFiles and maxTotalBytes: a file goes when any policy says so, and the report names the first it broke", async () => {
    const file = path.join(tmp(), "app.log")
    let now = Date.UTC(2026, 10, 23, 10, 30, 0)
    const deleted: Array<RetentionDeletion> = []
    const log = new RotatingFile(
      {
        path: file,
        interval: HOUR,
        maxAge: 3 * HOUR,
        maxFiles: 4,
        maxTotalBytes: 40,
        onDelete: (d) => deleted.push(d)
      },
      () => now
    )
    // one 8-byte line an hour: a rotation an hour, files named after the hour they end
    for (let h = 0; h < 6; h++) {
      log.writeSync(`hour-${String(h).padStart(2, "0")}\n`)
      now += HOUR
    }
    await log.settle()
    // rotated at 11:30 ... 15:30, each on the first write of the next hour; retention runs
    // once the writes are done (16:30): 11:30 and 12:30 are more than 3 hours old, 13:30 is not
    assert.deepStrictEqual(
      rotated(file),
      ["20261123T133000Z", "20261123T143000Z", "20261123T153000Z"].map((s) => `app.log.${s}`)
    )
    assert.deepStrictEqual(
      deleted.map((d) => [path.basename(d.file), d.policy, d.ageMs]),
      [
        ["app.log.20261123T113000Z", "maxAge", 5 * HOUR],
        ["app.log.20261123T123000Z", "maxAge", 4 * HOUR]
      ]
    )
    // a burst of size rotations: maxFiles and maxTotalBytes (40 bytes: five 8-byte files) act before age
    log.close()
    await log.settle()
    deleted.length = 0
    const burst = new RotatingFile(
      { path: file, maxBytes: 10, maxAge: 3 * HOUR, maxFiles: 4, onDelete: (d) => deleted.push(d) },
      () => now
    )
    for (let i = 0; i < 3; i++) burst.writeSync(`burst-${i}\n`)
    burst.close()
    await burst.settle()
    // three more rotations (hour-05, burst-0, burst-1): six files, four kept; 13:30 is 3
    // hours old, not older, so maxFiles deletes it
    assert.deepStrictEqual(rotated(file), [
      "app.log.20261123T153000Z",
      "app.log.20261123T163000Z",
      "app.log.20261123T163000Z_001",
      "app.log.20261123T163000Z_002"
    ])
    assert.deepStrictEqual(
      deleted.map((d) => [path.basename(d.file), d.policy]),
      [
        ["app.log.20261123T133000Z", "maxFiles"],
        ["app.log.20261123T143000Z", "maxFiles"]
      ]
    )
    const tight = new RotatingFile(
      { path: file, maxTotalBytes: 16, onDelete: (d) => deleted.push(d) },
      () => now
    )
    await tight.settle()
    tight.close()
    assert.strictEqual(deleted.at(-1)?.policy, "maxTotalBytes")
    assert.isAtMost(
      rotated(file).reduce((n, name) => n + fs.statSync(path.join(path.dirname(file), name)).size, 0),
      16
    )
  })

  it("checks maxAge periodically for a file that does not rotate, on an unref'd timer stopped by close()", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] })
    try {
      const dir = tmp()
      const file = path.join(dir, "app.log")
      seed(file, ["20261123T000000Z", "20261123T060000Z"])
      let now = Date.UTC(2026, 10, 23, 8, 0, 0)
      const deleted: Array<string> = []
      const log = new RotatingFile(
        { path: file, maxAge: 12 * HOUR, onDelete: (d) => deleted.push(path.basename(d.file)) },
        () => now
      )
      await log.settle()
      assert.deepStrictEqual(deleted, [])
      const timer = (log as unknown as { ageTimer: NodeJS.Timeout }).ageTimer
      assert.isFalse(timer.hasRef(), "the check never keeps the process alive")
      now = Date.UTC(2026, 10, 23, 13, 0, 0)
      vi.advanceTimersByTime(HOUR)
      await log.settle()
      assert.deepStrictEqual(deleted, ["app.log.20261123T000000Z"])
      now = Date.UTC(2026, 10, 23, 19, 0, 0)
      vi.advanceTimersByTime(HOUR)
      await log.settle()
      assert.deepStrictEqual(deleted, ["app.log.20261123T000000Z", "app.log.20261123T060000Z"])
      log.close()
      seed(file, ["20261122T000000Z"])
      vi.advanceTimersByTime(10 * HOUR)
      await log.settle()
      assert.strictEqual(deleted.length, 2, "no check after close()")
      assert.strictEqual(vi.getTimerCount(), 0)
    } finally {
      vi.useRealTimers()
    }
  })

  it("reports each file once when two writers of one path (as two processes would be) run retention together", async () => {
    const dir = tmp()
    const file = path.join(dir, "app.log")
    const stamps = Array.from({ length: 12 }, (_, i) => `202611${String(10 + i)}T000000Z`)
    seed(file, stamps)
    const deleted: Array<string> = []
    const now = () => Date.UTC(2026, 10, 23)
    const options = {
      path: file,
      maxBytes: 1000,
      maxAge: 5 * DAY,
      onDelete: (d: RetentionDeletion) => deleted.push(d.file)
    }
    const a = new RotatingFile(options, now)
    const b = new RotatingFile(options, now)
    await Promise.all([a.settle(), b.settle()])
    a.close()
    b.close()
    await Promise.all([a.settle(), b.settle()])
    // rotated on the 10th to the 17th: more than 5 days old on the 23rd
    assert.deepStrictEqual(
      rotated(file),
      stamps.slice(8).map((s) => `app.log.${s}`)
    )
    assert.deepStrictEqual(
      [...deleted].sort(),
      stamps.slice(0, 8).map((s) => `${file}.${s}`)
    )
  })

  it("appends units it is told are exempt past maxBytes rather than start a file with them", async () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 10 })
    const report = "report-line-longer-than-ten\n"
    const write = (units: ReadonlyArray<string>, exempt: (i: number) => boolean) => {
      const data = Buffer.from(units.join(""))
      let at = 0
      const ends = units.map((u) => (at += Buffer.byteLength(u)))
      log.writeSync(data, () => ends, exempt)
    }
    write(["user-0\n"], () => false)
    // behind user-0 (does not fit), alone in an empty file (longer than maxBytes): no rotation
    write([report, report], () => true)
    assert.deepStrictEqual(rotated(file), [])
    assert.deepStrictEqual(fs.readFileSync(file, "utf8"), `user-0\n${report}${report}`)
    // the next unit that is not exempt finds the file full and starts a new one
    write(["user-1\n", report], (i) => i === 1)
    assert.strictEqual(rotated(file).length, 1)
    assert.deepStrictEqual(fs.readFileSync(file, "utf8"), `user-1\n${report}`)
    // units known only as lines (no ends given): nothing is exempt; the line gets a file of its own
    log.writeSync(report, undefined, () => true)
    assert.strictEqual(rotated(file).length, 3)
    log.close()
  })

  it("refuses a maxAge that is not a whole number of milliseconds of at least 1", () => {
    const file = path.join(tmp(), "app.log")
    assert.throws(
      () => new RotatingFile({ path: file, maxAge: 0 }),
      RangeError,
      "maxAge: 0 is not a whole number of at least 1"
    )
    assert.throws(
      () => new RotatingFile({ path: file, maxAge: 1.5 }),
      RangeError,
      "maxAge: 1.5 is not a whole number"
    )
  })

  it("a failing onDelete is reported to onError and retention goes on", async () => {
    const dir = tmp()
    const file = path.join(dir, "app.log")
    seed(file, ["20261110T000000Z", "20261111T000000Z"])
    const errors: Array<unknown> = []
    const log = new RotatingFile(
      {
        path: file,
        maxFiles: 0,
        onDelete: () => {
          throw new Error("reporter down")
        },
        onError: (e) => errors.push(e)
      },
      () => Date.UTC(2026, 10, 23)
    )
    await log.settle()
    log.close()
    assert.deepStrictEqual(rotated(file), [])
    assert.strictEqual(errors.length, 2)
    assert.match(String(errors[0]), /reporter down/)
  })
})

describe("RotatingFile compression", () => {
  it("gzips every rotated file in the background, keeping exactly the lines written, in order", async () => {
    const file = path.join(tmp(), "app.log")
    let now = Date.UTC(2026, 10, 23, 9, 0, 0)
    const log = new RotatingFile({ path: file, maxBytes: 300, compress: true }, () => (now += 170))
    const written = lines("z", 200, 40)
    for (let i = 0; i < written.length; i += 5) log.writeSync(text(written.slice(i, i + 5)))
    await log.settle()
    const names = rotated(file)
    assert.isAbove(names.length, 15)
    assert.isTrue(
      names.every((n) => /^app\.log\.\d{8}T\d{6}Z(_\d{3})?\.gz$/.test(n)),
      names.join()
    )
    for (const name of names) assert.strictEqual(mode(path.join(path.dirname(file), name)), 0o640)
    assert.deepStrictEqual(allLines(file), written)
    log.writeSync("after settle\n")
    log.close()
    assert.deepStrictEqual(allLines(file), [...written, "after settle"])
  })

  it("does not block the writer while a large file is compressed", async () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 8 * 1024 * 1024, compress: true })
    const line = `${"x".repeat(1023)}\n`
    const chunk = line.repeat(1024)
    for (let i = 0; i < 8; i++) log.writeSync(chunk)
    log.writeSync("next\n")
    // The rotation has happened, the archive is still to be written.
    assert.deepStrictEqual(
      rotated(file).map((n) => n.endsWith(".gz")),
      [false]
    )
    await log.settle()
    log.close()
    const [archive] = rotated(file)
    assert.isTrue(archive?.endsWith(".gz"))
    assert.strictEqual(contentOf(path.dirname(file), archive!), chunk.repeat(8))
  })

  it("reports background failures through onError and never rejects", async () => {
    const file = path.join(tmp(), "app.log")
    const errors: Array<unknown> = []
    const log = new RotatingFile({
      path: file,
      maxBytes: 10,
      compress: true,
      onError: (e) => {
        errors.push(e)
        throw new Error("a reporter that throws")
      }
    })
    log.writeSync("line-01\n")
    log.writeSync("line-02\n")
    // The rotated file vanishes before its compression job runs.
    for (const name of rotated(file)) fs.unlinkSync(path.join(path.dirname(file), name))
    await log.settle()
    log.close()
    assert.strictEqual(errors.length, 1)
    assert.match(String(errors[0]), /cannot compress .*app\.log\.\d{8}T\d{6}Z/)
    assert.deepStrictEqual(rotated(file), [])
  })

  it("keeps the lines when a rotation fails, and reports the failure once", () => {
    const file = path.join(tmp(), "app.log")
    const errors: Array<unknown> = []
    let broken = true
    const clock = () => {
      if (broken) throw new Error("clock unavailable")
      return Date.UTC(2026, 10, 23, 9, 0, 0)
    }
    const log = new RotatingFile({ path: file, maxBytes: 10, onError: (e) => errors.push(e) }, clock)
    log.writeSync("line-01\nline-02\n")
    log.writeSync("line-03\n")
    assert.strictEqual(errors.length, 1)
    assert.match(String(errors[0]), /rotation failed, still appending/)
    assert.strictEqual(fs.readFileSync(file, "utf8"), "line-01\nline-02\nline-03\n")
    broken = false
    log.writeSync("line-04\n")
    log.close()
    assert.deepStrictEqual(rotated(file), ["app.log.20261123T090000Z"])
    assert.deepStrictEqual(allLines(file), ["line-01", "line-02", "line-03", "line-04"])
  })

  it("starts a new file when the active one was moved away", () => {
    const dir = tmp()
    const file = path.join(dir, "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 10 })
    log.writeSync("line-01\n")
    fs.renameSync(file, path.join(dir, "moved.log"))
    log.writeSync("line-02\n")
    log.close()
    assert.strictEqual(fs.readFileSync(file, "utf8"), "line-02\n")
    assert.strictEqual(fs.readFileSync(path.join(dir, "moved.log"), "utf8"), "line-01\n")
    assert.deepStrictEqual(rotated(file), [])
  })
})

describe("RotatingFile files and safety", () => {
  it("creates missing parent directories and files with mode 0640, whatever the umask", () => {
    const file = path.join(tmp(), "a", "b", "c", "app.log")
    const previous = process.umask(0o077)
    let log: RotatingFile
    try {
      log = new RotatingFile({ path: file, maxBytes: 10 })
      log.writeSync("line-01\nline-02\n")
    } finally {
      process.umask(previous)
    }
    log.close()
    assert.strictEqual(mode(file), 0o640)
    for (const name of rotated(file)) assert.strictEqual(mode(path.join(path.dirname(file), name)), 0o640)
  })

  it("honours a custom mode, also for files opened after a rotation", () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 10, mode: 0o664 })
    log.writeSync("line-01\nline-02\n")
    log.close()
    assert.strictEqual(mode(file), 0o664)
    assert.strictEqual(rotated(file).length, 1)
    assert.strictEqual(mode(path.join(path.dirname(file), rotated(file)[0]!)), 0o664)
    const secret = path.join(path.dirname(file), "secret.log")
    new RotatingFile({ path: secret, mode: 0o600 }).close()
    assert.strictEqual(mode(secret), 0o600)
  })

  it("loses nothing when concurrent tasks write between awaits", async () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file, maxBytes: 400, compress: true, maxFiles: 1000 })
    const task = async (id: number) => {
      for (let i = 0; i < 200; i++) {
        log.writeSync(`task-${id} ${i}\n`)
        if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve))
        else await Promise.resolve()
      }
    }
    await Promise.all([0, 1, 2, 3, 4].map(task))
    log.close()
    await log.settle()
    const kept = allLines(file)
    assert.strictEqual(kept.length, 1000)
    for (const id of [0, 1, 2, 3, 4]) {
      const mine = kept.filter((l) => l.startsWith(`task-${id} `)).map((l) => Number(l.split(" ")[1]))
      assert.deepStrictEqual(
        mine,
        Array.from({ length: 200 }, (_, i) => i)
      )
    }
  })

  it("refuses writes after close() with a clear error; close() twice is harmless", () => {
    const file = path.join(tmp(), "app.log")
    const log = new RotatingFile({ path: file })
    log.writeSync("before\n")
    log.close()
    log.close()
    assert.throws(
      () => log.writeSync("after\n"),
      Error,
      `rotating file ${file} is closed; writes after close() are refused`
    )
    assert.strictEqual(fs.readFileSync(file, "utf8"), "before\n")
  })

  it("resolves relative paths and refuses a directory, a symbolic link, a device and bad options", () => {
    const dir = tmp()
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      const log = new RotatingFile({ path: "rel/app.log" })
      assert.strictEqual(log.path, path.join(fs.realpathSync(dir), "rel", "app.log"))
      log.close()
    } finally {
      process.chdir(cwd)
    }
    assert.throws(() => new RotatingFile({ path: dir }), Error, "is a directory, not a file")
    const target = path.join(dir, "target.log")
    fs.writeFileSync(target, "")
    fs.symlinkSync(target, path.join(dir, "link.log"))
    assert.throws(() => new RotatingFile({ path: path.join(dir, "link.log") }), Error, "is a symbolic link")
    assert.throws(() => new RotatingFile({ path: "/dev/null", maxBytes: 10 }), Error, "is not a regular file")
    assert.throws(() => new RotatingFile({ path: "" }), RangeError, "path")
    assert.throws(() => new RotatingFile({ path: target, maxBytes: 0 }), RangeError, "maxBytes: 0")
    assert.throws(() => new RotatingFile({ path: target, interval: 1.5 }), RangeError, "interval: 1.5")
    assert.throws(() => new RotatingFile({ path: target, maxFiles: -1 }), RangeError, "maxFiles: -1")
    assert.throws(() => new RotatingFile({ path: target, maxTotalBytes: 0 }), RangeError, "maxTotalBytes")
    assert.throws(() => new RotatingFile({ path: target, mode: 0o1777 }), RangeError, "mode: 1023")
  })
})

describe("RotatingFile and a torn last line", () => {
  for (const options of [{}, { maxBytes: 1000 }])
    it(`ends a line left without its newline (a crash in a write) on open, so the next line reads back${"maxBytes" in options ? " (rotating)" : ""}`, () => {
      const file = path.join(tmp(), "app.log")
      fs.writeFileSync(file, '{"message":"complete"}\n{"message":"cut sh')
      const log = new RotatingFile({ path: file, ...options })
      log.writeSync('{"message":"next"}\n')
      log.close()
      assert.deepStrictEqual(fs.readFileSync(file, "utf8").split("\n"), [
        '{"message":"complete"}',
        '{"message":"cut sh',
        '{"message":"next"}',
        ""
      ])
    })

  it("leaves a file that ends at a line boundary, or is empty, as it is", () => {
    const dir = tmp()
    fs.writeFileSync(path.join(dir, "whole.log"), "a\n")
    fs.writeFileSync(path.join(dir, "empty.log"), "")
    for (const name of ["whole.log", "empty.log"]) {
      const log = new RotatingFile({ path: path.join(dir, name) })
      log.writeSync("b\n")
      log.close()
    }
    assert.strictEqual(fs.readFileSync(path.join(dir, "whole.log"), "utf8"), "a\nb\n")
    assert.strictEqual(fs.readFileSync(path.join(dir, "empty.log"), "utf8"), "b\n")
  })
})

describe("RotatingFile on a full disk", () => {
  /** `n` lines of exactly `width` bytes, newline included. */
  const fixed = (prefix: string, n: number, width: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`.padEnd(width - 1, ".")).map(
      (l) => `${l}\n`
    )

  it("removes the line a failed write cut short and says how much of the data is in the file", () =>
    withTmpfs("64k", (dir) => {
      const file = path.join(dir, "app.log")
      const log = new RotatingFile({ path: file })
      log.writeSync(fixed("before", 20, 100).join(""))
      const filler = fillDisk(dir)
      const data = fixed("full", 40, 100).join("")
      const error = (() => {
        try {
          log.writeSync(data)
        } catch (e) {
          return e
        }
        return assert.fail("the write on a full disk failed")
      })()
      assert.instanceOf(error, PartialWrite)
      const partial = error as PartialWrite
      assert.strictEqual((partial.cause as NodeJS.ErrnoException).code, "ENOSPC")
      // the file's first page had room for part of the data: whole lines of it stay
      assert.isAbove(partial.units, 0)
      assert.isBelow(partial.units, 40)
      assert.strictEqual(partial.bytes, partial.units * 100)
      const content = fs.readFileSync(file, "utf8")
      assert.strictEqual(content, fixed("before", 20, 100).join("") + data.slice(0, partial.bytes))
      fs.unlinkSync(filler)
      log.writeSync("after\n")
      log.close()
      assert.isTrue(
        fs.readFileSync(file, "utf8").endsWith(`${data.slice(partial.bytes - 100, partial.bytes)}after\n`)
      )
    }))

  it("cuts back to the end of a whole unit when the writer says units span several lines", () =>
    withTmpfs("64k", (dir) => {
      const file = path.join(dir, "app.log")
      const log = new RotatingFile({ path: file })
      log.writeSync(fixed("before", 20, 100).join(""))
      const filler = fillDisk(dir)
      // units of three 100-byte lines: a cut inside a unit removes the unit's first lines too
      const data = fixed("part", 60, 100).join("")
      const ends = Array.from({ length: 20 }, (_, i) => (i + 1) * 300)
      const error = (() => {
        try {
          log.writeSync(data, () => ends)
        } catch (e) {
          return e
        }
        return assert.fail("the write on a full disk failed")
      })() as PartialWrite
      assert.instanceOf(error, PartialWrite)
      assert.isAbove(error.units, 0)
      assert.strictEqual(error.bytes, error.units * 300)
      assert.strictEqual(fs.statSync(file).size, 2000 + error.units * 300)
      fs.unlinkSync(filler)
      log.close()
    }))

  it("throws the failure itself when nothing of the data could be written, and leaves the file as it was", () =>
    withTmpfs("64k", (dir) => {
      const file = path.join(dir, "app.log")
      const log = new RotatingFile({ path: file })
      // exactly one page: no room is left behind the last line
      log.writeSync(fixed("page", 64, 64).join(""))
      const filler = fillDisk(dir)
      assert.throws(() => log.writeSync(fixed("full", 4, 64).join("")), /ENOSPC/)
      assert.strictEqual(fs.statSync(file).size, 4096)
      fs.unlinkSync(filler)
      log.writeSync("after\n")
      log.close()
      assert.isTrue(fs.readFileSync(file, "utf8").endsWith("\nafter\n"))
    }))

  it("ends a torn last line once the disk has room, before the next line", () =>
    withTmpfs("64k", (dir) => {
      const file = path.join(dir, "app.log")
      // a torn line filling the file's page to the last byte: no room for its newline
      fs.writeFileSync(file, "x".repeat(4096))
      const filler = fillDisk(dir)
      const errors: Array<unknown> = []
      const log = new RotatingFile({ path: file, onError: (e) => errors.push(e) })
      assert.match(String(errors[0]), /cannot end the torn last line yet/)
      assert.throws(() => log.writeSync("lost\n"), /ENOSPC/)
      fs.unlinkSync(filler)
      log.writeSync("next\n")
      log.close()
      assert.strictEqual(fs.readFileSync(file, "utf8"), `${"x".repeat(4096)}\nnext\n`)
    }))

  it("ends the line a failed write left when it cannot be cut, before the next batch (another writer appends without the lock)", () =>
    withTmpfs("64k", (dir) => {
      const file = path.join(dir, "app.log")
      const errors: Array<unknown> = []
      // a is alone when it starts and has not learnt of b: b may not cut what a could append after
      const a = new RotatingFile({ path: file, maxBytes: 10_000_000 })
      const b = new RotatingFile({ path: file, maxBytes: 10_000_000, onError: (e) => errors.push(e) })
      b.writeSync(fixed("before", 1, 100).join(""))
      const filler = fillDisk(dir)
      const error = (() => {
        try {
          b.writeSync(fixed("full", 40, 100).join(""))
        } catch (e) {
          return e
        }
        return assert.fail("the write on a full disk failed")
      })() as PartialWrite
      assert.instanceOf(error, PartialWrite)
      assert.match(String(errors[0]), /could not be removed/)
      assert.match(String((errors[0] as Error).cause), /another process still appends without the lock/)
      fs.unlinkSync(filler)
      b.writeSync("after\n")
      a.close()
      b.close()
      const content = fs.readFileSync(file, "utf8")
      // the fragment stays, as a line of its own; the next batch starts on a line of its own
      assert.isTrue(content.endsWith("\nafter\n"))
      const kept = content.split("\n").slice(0, -1)
      assert.deepStrictEqual(
        kept.slice(0, error.units + 1),
        [...fixed("before", 1, 100), ...fixed("full", error.units, 100)].map((l) => l.slice(0, -1))
      )
      assert.strictEqual(kept.length, error.units + 3)
      assert.isTrue(fixed("full", 40, 100)[error.units]?.startsWith(kept[error.units + 1] as string))
    }))

  it("starts on a full disk where the list of writers cannot be written, then writes holding the lock", () =>
    withTmpfs("64k", (dir) => {
      const file = path.join(dir, "app.log")
      fs.writeFileSync(file, "old\n")
      const filler = fillDisk(dir)
      const errors: Array<unknown> = []
      const log = new RotatingFile({ path: file, maxBytes: 100_000, onError: (e) => errors.push(e) })
      assert.strictEqual(errors.length, 1)
      assert.match(String(errors[0]), /cannot update .*app\.log\.writers/)
      fs.unlinkSync(filler)
      log.writeSync("new\n")
      log.close()
      assert.strictEqual(fs.readFileSync(file, "utf8"), "old\nnew\n")
      assert.strictEqual(errors.length, 1, "reported once")
    }))
})

describe("RotatingFile written by several processes", () => {
  const writersOf = (file: string): Array<string> =>
    fs.existsSync(`${file}.writers`)
      ? fs
          .readFileSync(`${file}.writers`, "utf8")
          .trim()
          .split("\n")
          .map((l) => l.split(" ")[3] as string)
      : []

  it("without rotation makes no lock and no list of writers: appends need none", () => {
    const file = path.join(tmp(), "app.log")
    const a = new RotatingFile({ path: file })
    const b = new RotatingFile({ path: file })
    a.writeSync("a\n")
    b.writeSync("b\n")
    a.close()
    b.close()
    assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ["app.log"])
    assert.strictEqual(fs.readFileSync(file, "utf8"), "a\nb\n")
  })

  it("two writers on one path (as two processes would be) rotate without losing, repeating or oversizing anything", async () => {
    const file = path.join(tmp(), "app.log")
    const a = new RotatingFile({ path: file, maxBytes: 500 })
    assert.deepStrictEqual(writersOf(file), ["solo"])
    const b = new RotatingFile({ path: file, maxBytes: 500 })
    const written: Array<string> = []
    for (let i = 0; i < 300; i++) {
      const line = `${i % 3 === 0 ? "a" : "b"}-${String(i).padStart(3, "0")} ${"x".repeat(i % 40)}`
      written.push(line)
      ;(i % 3 === 0 ? a : b).writeSync(`${line}\n`)
    }
    // the first writer learnt of the second from the file growing under it
    assert.deepStrictEqual(writersOf(file), ["shared", "shared"])
    b.close()
    await b.settle()
    a.close()
    await a.settle()
    const kept = allLines(file)
    assert.sameMembers(kept, written)
    assert.strictEqual(kept.length, written.length)
    assert.isAbove(rotated(file).length, 10)
    const dir = path.dirname(file)
    for (const name of [...rotated(file), "app.log"])
      assert.isAtMost(fs.statSync(path.join(dir, name)).size, 500)
    // the last writer to leave removes the list; the lock is never left behind
    assert.deepStrictEqual(
      fs.readdirSync(dir).filter((n) => n.endsWith(".writers") || n.endsWith(".lock")),
      []
    )
  })

  it("a newcomer does not rotate while a writer that was alone has not learnt of it", () => {
    const file = path.join(tmp(), "app.log")
    const a = new RotatingFile({ path: file, maxBytes: 100 })
    a.writeSync(`${"a".repeat(59)}\n`)
    const b = new RotatingFile({ path: file, maxBytes: 100 })
    // b would rotate, but a still appends without the lock: a rename now could hide a's next line
    b.writeSync(`${"b".repeat(59)}\n`)
    assert.deepStrictEqual(rotated(file), [])
    assert.deepStrictEqual(writersOf(file), ["solo", "shared"])
    // a's next write sees the file grew under it, says so, and rotates under the lock
    a.writeSync(`${"c".repeat(59)}\n`)
    assert.deepStrictEqual(writersOf(file), ["shared", "shared"])
    assert.strictEqual(rotated(file).length, 1)
    b.writeSync(`${"d".repeat(59)}\n`)
    a.close()
    b.close()
    assert.deepStrictEqual(
      allLines(file).map((l) => l[0]),
      ["a", "b", "c", "d"]
    )
  })

  it("a writer that must rotate waits for a writer of another process that was alone to learn of it, rather than growing the file past maxBytes", async () => {
    const file = path.join(tmp(), "app.log")
    // Another process opens the file first, alone: it appends without the lock until its
    // next write or heartbeat (once a second) tells it of us. It then writes nothing,
    // like a process the machine's load keeps from running.
    const source = path.join(path.dirname(file), "other.mts")
    const module = path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      "../../src/internal/rotatingFile.ts"
    )
    fs.writeFileSync(
      source,
      `import { RotatingFile } from ${JSON.stringify(module)}
       const f = new RotatingFile({ path: ${JSON.stringify(file)}, maxBytes: 100 })
       console.log("ready")
       process.stdin.on("data", () => {}).on("end", () => { f.close(); process.exit(0) })`
    )
    const tsx = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../node_modules/.bin/tsx")
    const other = spawn(tsx, [source], { stdio: ["pipe", "pipe", "inherit"] })
    const exited = new Promise((resolve) => other.on("close", resolve))
    try {
      await new Promise<void>((resolve, reject) => {
        other.stdout.setEncoding("utf8").on("data", (d: string) => d.includes("ready") && resolve())
        other.on("close", () => reject(new Error("the other process ended before it was ready")))
      })
      const b = new RotatingFile({ path: file, maxBytes: 100 })
      assert.deepStrictEqual(writersOf(file), ["solo", "shared"])
      b.writeSync(`${"a".repeat(59)}\n`)
      // does not fit: the rotation waits until the other process says it is not alone
      b.writeSync(`${"b".repeat(59)}\n${"c".repeat(59)}\n`)
      assert.deepStrictEqual(writersOf(file), ["shared", "shared"])
      b.close()
      const dir = path.dirname(file)
      assert.deepStrictEqual(
        [...rotated(file), "app.log"].map((n) => contentOf(dir, n)),
        [`${"a".repeat(59)}\n`, `${"b".repeat(59)}\n`, `${"c".repeat(59)}\n`]
      )
    } finally {
      other.stdin.end()
      await exited
    }
  })

  it("rotates by time once per period however many writers cross the boundary", async () => {
    const file = path.join(tmp(), "app.log")
    const a = new RotatingFile({ path: file, interval: 1000 })
    const b = new RotatingFile({ path: file, interval: 1000 })
    b.writeSync("b-1\n")
    a.writeSync("a-1\n")
    // into the next period (or the one after): the file's lines belong to an earlier one
    await new Promise((resolve) => setTimeout(resolve, 1100))
    b.writeSync("b-2\n")
    // a sees b's rotation and writes to the new file rather than rotating it again
    a.writeSync("a-2\n")
    a.close()
    b.close()
    assert.strictEqual(rotated(file).length, 1)
    assert.strictEqual(contentOf(path.dirname(file), rotated(file)[0] as string), "b-1\na-1\n")
    assert.strictEqual(fs.readFileSync(file, "utf8"), "b-2\na-2\n")
  })

  it("a writer left alone goes back to writing without the lock at its next heartbeat", async () => {
    const file = path.join(tmp(), "app.log")
    const a = new RotatingFile({ path: file, maxBytes: 1000 })
    const b = new RotatingFile({ path: file, maxBytes: 1000 })
    b.writeSync("b\n")
    a.writeSync("a\n")
    assert.deepStrictEqual(writersOf(file), ["shared", "shared"])
    b.close()
    // a heartbeat is due once a second
    await new Promise((resolve) => setTimeout(resolve, 1100))
    a.writeSync("a\n")
    assert.deepStrictEqual(writersOf(file), ["solo"])
    a.close()
  })

  it("a writer that died holding the lock in the middle of a line: the lock is broken and the line ended", () => {
    const file = path.join(tmp(), "app.log")
    const a = new RotatingFile({ path: file, maxBytes: 1000 })
    const b = new RotatingFile({ path: file, maxBytes: 1000 })
    a.writeSync("a\n")
    b.writeSync("b\n")
    // a third process took the lock, wrote half a line and was killed
    const dead = spawnSync(process.execPath, ["-e", ""]).pid
    fs.writeFileSync(`${file}.lock`, `${dead} ${namespace} deadbeef\n`)
    fs.appendFileSync(file, '{"message":"half')
    a.writeSync("a again\n")
    a.close()
    b.close()
    assert.strictEqual(fs.readFileSync(file, "utf8"), 'a\nb\n{"message":"half\na again\n')
    assert.isUndefined(fs.lstatSync(`${file}.lock`, { throwIfNoEntry: false }))
  })

  for (const alone of [false, true])
    it(`a running writer ends the half line a killed writer left before appending its own (${alone ? "alone, without the lock" : "shared, holding the lock"})`, () => {
      const file = path.join(tmp(), "app.log")
      const b = new RotatingFile({ path: file, maxBytes: 1_000_000 })
      // `a` stands for a process killed in the middle of a write while `b` was running:
      // listed as a writer (so b writes holding the lock), or gone from the list already
      const a = alone ? undefined : new RotatingFile({ path: file, maxBytes: 1_000_000 })
      b.writeSync("b-1\n")
      if (a === undefined) fs.appendFileSync(file, "a-1\n")
      else a.writeSync("a-1\n")
      fs.appendFileSync(file, '{"message":"a-2 cut short by SIGKI')
      b.writeSync('{"message":"b-2"}\n')
      b.writeSync('{"message":"b-3"}\n')
      assert.deepStrictEqual(
        fs
          .readFileSync(`${file}.writers`, "utf8")
          .trim()
          .split("\n")
          .map((l) => l.split(" ")[3]),
        alone ? ["solo"] : ["shared", "shared"]
      )
      a?.close()
      b.close()
      assert.deepStrictEqual(fs.readFileSync(file, "utf8").split("\n"), [
        "b-1",
        "a-1",
        '{"message":"a-2 cut short by SIGKI',
        '{"message":"b-2"}',
        '{"message":"b-3"}',
        ""
      ])
    })
})
