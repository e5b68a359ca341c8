/**
 * `fapilog pretty` on a real terminal: run inside a pseudo-terminal by util-linux `script`
 * (Debian's bsdutils, installed by .ci/run), stdout is a TTY, so colours are on by default;
 * NO_COLOR and `--no-colour` turn them off, and FORCE_COLOR=0 too. Lines come back as the
 * terminal shows them (CRLF), with the pretty formatter's colour codes and nothing else.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { build, cliEnv, command, removeBuild, scratchDir } from "./support/fapilog.js"

const scratch = scratchDir("cli-pty-")
beforeAll(build, 120_000)
afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true })
  removeBuild()
})

const ESC = "\u001b"
const logFile = path.join(scratch, "app.log")
fs.writeFileSync(
  logFile,
  `${[
    JSON.stringify({
      timestamp: "2026-03-01T10:15:30.123Z",
      level: "warn",
      logger: "api",
      message: "disk low",
      free: 3
    }),
    "plain text"
  ].join("\n")}\n`
)

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`

/** Runs `fapilog <args>` in a pseudo-terminal; resolves with its exit status and what the terminal got. */
const onTerminal = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = spawn("script", ["-qfec", command(args).map(quote).join(" "), "/dev/null"], {
      cwd: scratch,
      env: cliEnv({ TERM: "xterm-256color", ...env }),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      output += c
    })
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      output += c
    })
    child.on("close", (status) => resolve({ status, output }))
  })

describe("fapilog pretty on a terminal", () => {
  it("colours events by default and passes other lines unchanged", { timeout: 60_000 }, async () => {
    const r = await onTerminal(["pretty", logFile])
    assert.strictEqual(r.status, 0, r.output)
    assert.strictEqual(
      r.output,
      `${ESC}[2m10:15:30.123${ESC}[0m ${ESC}[33mWARN ${ESC}[0m ${ESC}[1mapi${ESC}[0m: disk low ${ESC}[2mfree=${ESC}[0m3\r\nplain text\r\n`
    )
  })

  it("does not colour with NO_COLOR, FORCE_COLOR=0 or --no-colour", { timeout: 60_000 }, async () => {
    const plain = "10:15:30.123 WARN  api: disk low free=3\r\nplain text\r\n"
    const runs = await Promise.all([
      onTerminal(["pretty", logFile], { NO_COLOR: "1" }),
      onTerminal(["pretty", logFile], { FORCE_COLOR: "0" }),
      onTerminal(["pretty", "--no-colour", logFile])
    ])
    for (const r of runs) {
      assert.strictEqual(r.status, 0, r.output)
      assert.strictEqual(r.output, plain)
    }
  })
})
