/**
 * Debian's PostgreSQL, started by a test: `initdb` into a temporary directory and `pg_ctl`
 * on a free loopback port with its unix socket in that directory, run as the `postgres` user
 * (PostgreSQL refuses to run as root, and CI runs as root), stopped and removed after.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { freePort } from "../../../test/internal/networkServer.js"

/** The newest PostgreSQL under /usr/lib/postgresql/<version>/bin. */
export const binDir = (): string => {
  const root = "/usr/lib/postgresql"
  const versions = fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${root}: apt-get install postgresql`)
  return path.join(root, versions[0]!, "bin")
}

export interface Postgres {
  readonly port: number
  readonly url: string
  readonly stop: () => void
  readonly start: () => void
  readonly close: () => void
}

export const startPostgres = async (): Promise<Postgres> => {
  const bin = binDir()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-pg-"))
  const data = path.join(dir, "data")
  const asPostgres = (args: ReadonlyArray<string>) =>
    process.getuid?.() === 0
      ? (["runuser", ["-u", "postgres", "--", ...args]] as const)
      : ([args[0]!, args.slice(1)] as const)
  const run = (args: ReadonlyArray<string>) => {
    const [cmd, rest] = asPostgres(args)
    execFileSync(cmd, [...rest], { stdio: "pipe", cwd: dir })
  }
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres", dir])
  const port = await freePort()
  run([path.join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"])
  const ctl = (action: string) =>
    run([
      path.join(bin, "pg_ctl"),
      "-D",
      data,
      "-l",
      path.join(dir, "server.log"),
      "-w",
      "-t",
      "60",
      ...(action === "start"
        ? ["-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]
        : ["-m", "fast"]),
      action
    ])
  ctl("start")
  let running = true
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      if (running) ctl("stop")
      running = false
    },
    start: () => {
      if (!running) ctl("start")
      running = true
    },
    close: () => {
      try {
        if (running) ctl("stop")
      } finally {
        running = false
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
  }
}
