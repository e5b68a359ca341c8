import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { scratchDir, startScript } from "../support/script.js"
import { withTmpfs } from "../support/tmpfs.js"

const MAX_BYTES = 262_144
const ROTATED = /^app\.log\.\d{8}T\d{6}Z(?:_\d{3,})?(\.gz)?$/

interface Writer {
  readonly p: number
  readonly health: {
    readonly sinks: ReadonlyArray<{ written: number; toFallback: number; undelivered: number }>
    readonly stats: { accepted: number; refused: number; sinkErrors: number }
  }
}

/**
 * `processes` real processes log `lines` events each to `<dir>/logs/app.log` with the given
 * sink settings, starting together (each waits until all are ready), and report their
 * health on stdout.
 */
const writeTogether = async (processes: number, lines: number, sink: Record<string, unknown>) => {
  const dir = scratchDir()
  const source = `
    import * as fs from "node:fs"
    import { createLogger } from "$FAPILOG"
    const p = Number(process.env.P)
    const log = await createLogger({
      sinks: [{ type: "file", path: "$DIR/logs/app.log", format: "json", ...${JSON.stringify(sink)} }]
    })
    fs.writeFileSync("$DIR/ready-" + p, "")
    while (fs.readdirSync("$DIR").filter((n) => n.startsWith("ready-")).length < ${processes})
      await new Promise((r) => setTimeout(r, 5))
    for (let i = 0; i < ${lines}; i++) {
      log.info("line", { p, i, pad: "x".repeat(60) })
      // let the event loop turn now and then, as a server does: batches of all sizes
      if (i % 997 === 0) await new Promise((r) => setImmediate(r))
    }
    await log.close()
    console.log(JSON.stringify({ p, health: log.health() }))
  `
  const results = await Promise.all(
    Array.from({ length: processes }, (_, p) => startScript(source, { dir, env: { P: String(p) } }))
  )
  const writers: Array<Writer> = results.map((r) => {
    assert.strictEqual(r.status, 0, r.stderr)
    return JSON.parse(r.stdout.trim().split("\n").pop() as string) as Writer
  })
  return { logs: path.join(dir, "logs"), writers }
}

/** Every line of the live file and the rotated ones (gzipped or not), each parsed. */
const readAll = (logs: string) => {
  const names = fs.readdirSync(logs).filter((n) => n === "app.log" || ROTATED.test(n))
  const sizes: Array<{ name: string; bytes: number }> = []
  const events: Array<{ p: number; i: number }> = []
  for (const name of names) {
    const raw = fs.readFileSync(path.join(logs, name))
    const text = (name.endsWith(".gz") ? zlib.gunzipSync(raw) : raw).toString("utf8")
    sizes.push({ name, bytes: Buffer.byteLength(text) })
    assert.isTrue(text === "" || text.endsWith("\n"), `${name} ends at a line boundary`)
    for (const line of text.split("\n")) {
      if (line === "") continue
      let parsed: { p: number; i: number }
      try {
        parsed = JSON.parse(line)
      } catch {
        assert.fail(`a torn line in ${name}: ${line.slice(0, 120)}`)
      }
      events.push({ p: parsed.p, i: parsed.i })
    }
  }
  return { names, sizes, events }
}

/** Each process's events, checked to appear exactly once; returns how many were found. */
const countOnce = (events: ReadonlyArray<{ p: number; i: number }>, processes: number, lines: number) => {
  const seen = Array.from({ length: processes }, () => new Uint8Array(lines))
  let duplicates = 0
  for (const { p, i } of events) {
    const mine = seen[p] as Uint8Array
    if (mine[i] === 1) duplicates++
    mine[i] = 1
  }
  assert.strictEqual(duplicates, 0, "no line is written twice")
  return seen.map((s) => s.reduce((a, b) => a + b, 0))
}

describe("several processes rotating one file", () => {
  const PROCESSES = 4
  const LINES = 50_000

  for (const compress of [false, true]) {
    it(`${PROCESSES} processes × ${LINES} lines, maxBytes ${MAX_BYTES}${compress ? ", gzip" : ""}: every line exactly once, no torn line, no file far over maxBytes`, async () => {
      const { logs, writers } = await writeTogether(PROCESSES, LINES, { maxBytes: MAX_BYTES, compress })
      const { names, sizes, events } = readAll(logs)
      assert.deepStrictEqual(countOnce(events, PROCESSES, LINES), Array(PROCESSES).fill(LINES))
      assert.strictEqual(events.length, PROCESSES * LINES)
      for (const w of writers) {
        assert.strictEqual(w.health.stats.accepted, LINES)
        assert.strictEqual(w.health.stats.sinkErrors, 0)
        assert.strictEqual(w.health.sinks[0]?.written, LINES)
      }
      // 200,000 lines of about 190 bytes: well over a hundred rotations
      assert.isAbove(names.length, 100)
      if (compress)
        assert.isTrue(
          names.filter((n) => n !== "app.log").every((n) => n.endsWith(".gz")),
          names.join()
        )
      // The size check and the rename happen under one lock, on the size the file really
      // has: no rotated file passes maxBytes.
      for (const { name, bytes } of sizes) assert.isAtMost(bytes, MAX_BYTES, name)
      // Nothing is left behind: no lock, no list of writers, no temporary archive.
      assert.deepStrictEqual(
        fs.readdirSync(logs).filter((n) => n !== "app.log" && !ROTATED.test(n)),
        []
      )
    }, 180_000)
  }

  it("retention still holds with several processes: at most maxFiles rotated files, no line twice", async () => {
    const lines = 20_000
    const { logs, writers } = await writeTogether(PROCESSES, lines, {
      maxBytes: MAX_BYTES,
      maxFiles: 3,
      compress: true
    })
    const { names, events } = readAll(logs)
    assert.strictEqual(names.filter((n) => n !== "app.log").length, 3, names.join())
    countOnce(events, PROCESSES, lines)
    for (const w of writers) assert.strictEqual(w.health.sinks[0]?.written, lines)
    // the newest lines are kept: the last line written, whichever process wrote it
    assert.isTrue(events.some((e) => e.i === lines - 1))
  }, 180_000)
})

interface Event {
  readonly message: string
  readonly logger?: string
  readonly phase?: string
  readonly i?: number
}

describe("a full disk (ENOSPC) under the file sink", () => {
  /**
   * In a child process (so that its stderr, where the fallback writes, can be read): log
   * 10 events (about 2 KB: the file's first page of 4 KiB is half full), fill the disk, log 300 (capacity 16: batches of 16, the first cut short in
   * the middle of a line), free the disk, log 100, close; then print health.
   */
  const run = (disk: string, sink: Record<string, unknown>, fallback: "stderr" | "null") =>
    startScript(
      `
      import * as fs from "node:fs"
      import { createLogger } from "$FAPILOG"
      const disk = process.env.DISK
      const log = await createLogger({
        sinks: [{ type: "file", path: disk + "/app.log", format: "json", ...${JSON.stringify(sink)} }],
        fallback: ${JSON.stringify(fallback)},
        capacity: 16,
        // keep trying the file, so that writes after the disk has room again go to it
        circuitBreaker: { failureThreshold: 100000 }
      })
      const phase = async (phase, n) => {
        for (let i = 0; i < n; i++) log.info("event", { phase, i, pad: "y".repeat(80) })
        await log.flush()
      }
      await phase("before", 10)
      const filler = fs.openSync(disk + "/filler", "w")
      for (const size of [65536, 4096, 1]) {
        try {
          for (;;) fs.writeSync(filler, Buffer.alloc(size, 120))
        } catch (e) {
          if (e.code !== "ENOSPC") throw e
        }
      }
      fs.closeSync(filler)
      await phase("full", 300)
      fs.unlinkSync(disk + "/filler")
      await phase("after", 100)
      await log.close()
      console.log(JSON.stringify(log.health()))
    `,
      { env: { DISK: disk } }
    )

  for (const rotation of [false, true])
    for (const fallback of ["stderr", "null"] as const)
      it(`the file ends at a line boundary and written + toFallback + undelivered = accepted (${rotation ? "rotating file" : "plain file"}, fallback ${fallback})`, () =>
        withTmpfs("64k", async (disk) => {
          const r = await run(disk, rotation ? { maxBytes: 1_048_576 } : {}, fallback)
          assert.strictEqual(r.status, 0, r.stderr)
          const health = JSON.parse(r.stdout.trim().split("\n").pop() as string)
          const sink = health.sinks[0]
          const stats = health.stats

          const text = fs.readFileSync(path.join(disk, "app.log"), "utf8")
          assert.isTrue(text.endsWith("\n"))
          const inFile = text
            .split("\n")
            .filter((l) => l !== "")
            .map((l) => {
              try {
                return JSON.parse(l) as Event
              } catch {
                return assert.fail(`a line that does not parse: ${l.slice(0, 120)}`)
              }
            })
          const ids = (events: ReadonlyArray<Event>, phase: string) =>
            events.filter((e) => e.phase === phase).map((e) => e.i)
          const range = (n: number) => Array.from({ length: n }, (_, i) => i)

          // what the file holds is what it counts as written, in order
          assert.strictEqual(sink.written, inFile.length)
          assert.deepStrictEqual(ids(inFile, "before"), range(10))
          assert.deepStrictEqual(ids(inFile, "after"), range(100))
          const full = ids(inFile, "full")
          assert.deepStrictEqual(full, range(full.length), "the full disk took a first part of the events")
          // the first batch on the full disk was cut in the middle of a line: part of it is in the file
          assert.isAbove(full.length, 0)
          assert.isBelow(full.length, 16)
          assert.match(r.stderr, /write failed after [1-9]\d* of 16 events/)

          assert.strictEqual(stats.accepted, 410)
          assert.strictEqual(stats.lost, 0)
          assert.strictEqual(
            sink.written + stats.filtered + sink.toFallback + sink.undelivered,
            stats.accepted
          )
          const onStderr = r.stderr
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => JSON.parse(l) as Event)
            .filter((e) => e.message === "event")
          if (fallback === "stderr") {
            // the rest of the batch, and only the rest, went to the fallback: nothing in both places
            assert.strictEqual(sink.undelivered, 0)
            assert.strictEqual(sink.toFallback, onStderr.length)
            assert.deepStrictEqual(
              ids(onStderr, "full"),
              range(300).slice(full.length),
              "the fallback has exactly the events the file does not"
            )
            assert.strictEqual(onStderr.length, 300 - full.length)
          } else {
            assert.strictEqual(sink.toFallback, 0)
            assert.strictEqual(onStderr.length, 0)
            assert.strictEqual(sink.undelivered, 300 - full.length)
          }
        }))
})
