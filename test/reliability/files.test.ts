import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { scratchDir, startScript } from "../support/script.js"

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
