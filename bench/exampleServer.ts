/**
 * The example server (examples/http-server.ts) as the HTTP benches run it: a child process
 * on a free loopback port, with fapilog's middleware on or off (FAPILOG_HTTP), importing the
 * built package (`dist/`, as users run it) rather than the sources.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as http from "node:http"
import * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** A port nothing listens on now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

const healthy = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/health" }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on("error", () => resolve(false))
  })

/** A running example server. */
export interface ExampleServer {
  readonly port: number
  readonly proc: ChildProcess
}

/**
 * Starts the example server under `prefix` (a command that runs node, such as taskset or
 * valgrind; none by default) and waits until it answers `/health`, for at most `timeoutMs`.
 * Its stdout (the log lines) is discarded: reading them would take CPU from the server.
 */
export const startExample = async (options: {
  readonly middleware: boolean
  readonly prefix?: ReadonlyArray<string>
  readonly stderr?: "inherit" | "ignore"
  readonly timeoutMs?: number
}): Promise<ExampleServer> => {
  const port = await freePort()
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FAPILOG_")))
  const [command, ...args] = [
    ...(options.prefix ?? []),
    process.execPath,
    "--import",
    "tsx",
    "examples/http-server.ts"
  ]
  const proc = spawn(command as string, args, {
    cwd: root,
    env: {
      ...env,
      // "fapilog" resolves to the build, not to the sources the main tsconfig maps it to
      TSX_TSCONFIG_PATH: path.join(root, "bench", "tsconfig.dist.json"),
      PORT: String(port),
      FAPILOG_HTTP: options.middleware ? "on" : "off"
    },
    stdio: ["ignore", "ignore", options.stderr ?? "inherit"]
  })
  const server = { port, proc }
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  while (!(await healthy(port))) {
    if (Date.now() > deadline || proc.exitCode !== null || proc.signalCode !== null) {
      await stopExample(server)
      throw new Error(`the example server (middleware ${options.middleware ? "on" : "off"}) did not start`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return server
}

/** Stops a server (SIGTERM) and waits for it to exit; a server already gone is fine. */
export const stopExample = (server: ExampleServer): Promise<void> =>
  new Promise((resolve) => {
    if (server.proc.exitCode !== null || server.proc.signalCode !== null) return resolve()
    server.proc.once("exit", () => resolve())
    server.proc.kill("SIGTERM")
  })

/** autocannon on the example's route, for a duration (seconds) or a number of requests. */
export const loadHello = (
  server: ExampleServer,
  options: { readonly connections: number } & ({ readonly duration: number } | { readonly amount: number })
): Promise<autocannon.Result> =>
  autocannon({ url: `http://127.0.0.1:${server.port}/hello?q=bench`, ...options })
