import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Diagnostics } from "../../src/internal/diagnostics.js"
import { fdSink } from "../../src/internal/fileSink.js"
import * as L from "../../src/internal/level.js"
import * as Pipeline from "../../src/internal/pipeline.js"
import { recordOf } from "../../src/internal/record.js"
import * as Sink from "../../src/Sink.js"
import { readLines, runScript } from "../support/script.js"

describe("sink faults with real resources", () => {
  it.live("ENOSPC (/dev/full) is reported and never reaches the caller or the other sinks", () =>
    Effect.gen(function* () {
      const fd = fs.openSync("/dev/full", "w")
      const lines: Array<string> = []
      const memory = Sink.memory()
      const p = yield* Pipeline.make({
        name: "faults",
        level: "trace",
        capacity: 10,
        shutdownTimeout: 1000,
        sinks: [fdSink("full", fd), memory],
        diagnostics: new Diagnostics("faults", (l) => lines.push(l), 0)
      })
      for (let i = 0; i < 25; i++) p.offer(recordOf(L.INFO, `m${i}`))
      yield* p.flush
      fs.closeSync(fd)
      assert.strictEqual(memory.events().length, 25)
      assert.isAbove(p.stats().sinkErrors, 0)
      // every call accounted for: the other sink wrote all 25; the full disk none, all counted
      const h = p.health()
      assert.strictEqual(h.stats.accepted + h.stats.refused, 25)
      assert.strictEqual(h.stats.settled, 25)
      const full = h.sinks.find((x) => x.name === "full")
      assert.strictEqual((full?.toFallback ?? 0) + (full?.undelivered ?? 0), 25)
      assert.strictEqual(
        full?.status,
        "degraded",
        "three failed batches: below the default threshold of five"
      )
      const reported = JSON.parse(lines[0] as string)
      assert.strictEqual(reported.component, "sink full")
      assert.strictEqual(reported.error.code, "ENOSPC")
    }).pipe(Effect.scoped)
  )

  it("EPIPE on stdout (the reader went away) neither crashes the app nor loses the file's events", () => {
    const r = runScript(`
      import { spawn } from "node:child_process"
      const child = spawn(process.execPath, [
        ${JSON.stringify(path.join(process.cwd(), "node_modules", ".bin", "tsx"))},
        "-e",
        'import("$FAPILOG").then(async ({ createLogger }) => { const log = await createLogger({ sinks: ["stdout", { type: "file", path: "$DIR/out.log" }], capacity: 50 }); for (let i = 0; i < 2000; i++) log.info("event", { i, pad: "x".repeat(100) }); await log.close(); console.error("child done") })'
      ], { stdio: ["ignore", "pipe", "pipe"] })
      child.stdout.once("data", () => child.stdout.destroy())
      let err = ""
      child.stderr.on("data", (d) => (err += d))
      child.on("exit", (code, signal) => { console.log(JSON.stringify({ code, signal, err })) })
    `)
    assert.strictEqual(r.status, 0, r.stderr)
    const result = JSON.parse(r.stdout.trim().split("\n").pop() as string)
    assert.strictEqual(result.code, 0, result.err)
    assert.include(result.err, "child done")
    assert.include(result.err, "EPIPE", "the failure was reported on the diagnostics channel")
    assert.strictEqual(readLines(path.join(r.dir, "out.log")).length, 2000)
  })
})

describe("process-level drain", () => {
  it("an Effect app under NodeRuntime.runMain killed with SIGTERM writes every accepted event", async () => {
    const { spawn } = await import("node:child_process")
    const dir = fs.mkdtempSync(path.join(process.cwd(), ".tmp", "sigterm-"))
    const file = path.join(dir, "app.log")
    const script = path.join(dir, "app.mts")
    fs.writeFileSync(
      script,
      `
      import { NodeRuntime } from "@effect/platform-node"
      import { Effect } from "effect"
      import { Fapilog } from ${JSON.stringify(path.join(process.cwd(), "src", "index.ts"))}
      const program = Effect.gen(function* () {
        for (let i = 0; i < 20000; i++) yield* Effect.logInfo("event").pipe(Effect.annotateLogs("i", i))
        yield* Effect.sync(() => process.stdout.write("ready\\n"))
        yield* Effect.never
      })
      NodeRuntime.runMain(program.pipe(Effect.provide(Fapilog.layer({ sinks: [{ type: "file", path: ${JSON.stringify(file)} }], capacity: 100000 }))))
    `
    )
    // node itself (tsx only as a loader), so the signal reaches the app and not a wrapper
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    child.kill("SIGTERM")
    await exited
    const lines = readLines(file)
    assert.strictEqual(lines.filter((l) => l.message === "event").length, 20000, stderr)
    assert.deepStrictEqual(
      lines.slice(0, 3).map((l) => l.i),
      [0, 1, 2]
    )
  })
})

describe("crash logging (opt-in)", () => {
  for (const kind of ["throw", "reject"] as const) {
    it(`an ${kind === "throw" ? "uncaught exception" : "unhandled rejection"} is written at fatal after every accepted event`, () => {
      const r = runScript(`
        import { createLogger } from "$FAPILOG"
        const log = await createLogger({ sinks: [{ type: "file", path: "$DIR/out.log" }], logCrashes: true })
        for (let i = 0; i < 3000; i++) log.info("event", { i })
        setTimeout(() => { ${kind === "throw" ? 'throw new Error("boom")' : 'Promise.reject(new Error("boom"))'} }, 1)
      `)
      assert.notStrictEqual(r.status, 0, "the process still dies")
      assert.include(r.stderr, "boom", "Node still reports the error")
      const lines = readLines(path.join(r.dir, "out.log"))
      assert.strictEqual(lines.filter((l) => l.message === "event").length, 3000)
      const last = lines.at(-1) as { level: string; origin: string; error: { message: string } }
      assert.strictEqual(last.level, "fatal")
      assert.strictEqual(last.error.message, "boom")
      assert.strictEqual(last.origin, kind === "throw" ? "uncaughtException" : "unhandledRejection")
    })
  }

  it("an app that handles the exception itself lives on with a working logger", () => {
    const r = runScript(`
      import { createLogger } from "$FAPILOG"
      const log = await createLogger({ sinks: [{ type: "file", path: "$DIR/out.log" }], logCrashes: true })
      process.on("uncaughtException", () => {})
      setTimeout(() => { throw new Error("survived") }, 1)
      setTimeout(async () => { log.info("after"); await log.close() }, 20)
    `)
    assert.strictEqual(r.status, 0, r.stderr)
    assert.deepStrictEqual(
      readLines(path.join(r.dir, "out.log")).map((l) => l.message),
      ["uncaught exception", "after"]
    )
  })

  it("without the opt-in nothing is added and the process dies as usual", () => {
    const r = runScript(`
      import { createLogger } from "$FAPILOG"
      const log = await createLogger({ sinks: [{ type: "file", path: "$DIR/out.log" }] })
      log.info("before")
      setTimeout(() => { throw new Error("boom") }, 1)
    `)
    assert.notStrictEqual(r.status, 0)
    assert.deepStrictEqual(
      readLines(path.join(r.dir, "out.log")).map((l) => l.message),
      ["before"]
    )
  })
})

describe("fallback and health through settings", () => {
  it("a file sink that fails goes to the stderr fallback and health says so", () => {
    const r = runScript(`
      import * as fs from "node:fs"
      import { createLogger } from "$FAPILOG"
      const log = await createLogger({
        sinks: [{ type: "file", path: "$DIR/app.log" }],
        circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 60000 },
        capacity: 5
      })
      log.info("written")
      await log.flush()
      // the file's descriptor fails from now on: EBADF stands in for a disk that went away
      const fd = fs.readdirSync("/proc/self/fd").map(Number).filter((n) => n > 2)
      for (const n of fd) { try { if (fs.readlinkSync("/proc/self/fd/" + n).endsWith("app.log")) fs.closeSync(n) } catch {} }
      for (let i = 0; i < 10; i++) log.info("to fallback", { i })
      await log.flush()
      console.log(JSON.stringify(log.health()))
      await log.close()
    `)
    assert.strictEqual(r.status, 0, r.stderr)
    const health = JSON.parse(r.stdout.trim().split("\n").pop() as string)
    assert.strictEqual(health.sinks[0].status, "circuit-open")
    assert.strictEqual(health.sinks[0].toFallback, 10)
    assert.strictEqual(health.status, "failing")
    const fallbackLines = r.stderr.split("\n").filter((l) => l.includes('"to fallback"'))
    assert.strictEqual(fallbackLines.length, 10, "every event the file could not take went to stderr")
    assert.deepStrictEqual(
      readLines(path.join(r.dir, "app.log")).map((l) => l.message),
      ["written"]
    )
  })
})

describe("EACCES (a non-root process)", () => {
  it("a file sink the process may not open fails createLogger with a SinkError naming the file", async () => {
    const { spawnSync } = await import("node:child_process")
    const dir = fs.mkdtempSync(path.join(process.cwd(), ".tmp", "eacces-"))
    fs.chmodSync(dir, 0o755)
    const forbidden = path.join(dir, "root-only")
    fs.mkdirSync(forbidden, { mode: 0o700 })
    const script = path.join(dir, "app.mts")
    fs.writeFileSync(
      script,
      `
      import { createLogger, Errors } from ${JSON.stringify(path.join(process.cwd(), "src", "index.ts"))}
      try {
        await createLogger({ sinks: ["stdout", { type: "file", path: ${JSON.stringify(path.join(forbidden, "app.log"))} }] })
        console.log("opened")
      } catch (e) {
        console.log(JSON.stringify({ tag: (e as Errors.SinkError)._tag, message: (e as Error).message }))
      }
    `
    )
    fs.chmodSync(script, 0o644)
    const r = spawnSync(process.execPath, ["--import", "tsx", script], {
      uid: 65534,
      gid: 65534,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: "/tmp" }
    })
    assert.strictEqual(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout.trim())
    assert.strictEqual(out.tag, "SinkError")
    assert.include(out.message, "root-only/app.log")
    assert.include(out.message, "EACCES")
  })
})
