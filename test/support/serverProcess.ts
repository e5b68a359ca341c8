/**
 * A server process a test starts and stops (and starts again, for a restart mid-stream): the
 * command runs in the foreground as a child of the test, is ready when its loopback port
 * accepts connections, and is stopped with SIGTERM (its clean shutdown), SIGKILL after 10 s.
 * Used by the NATS and Redis plugins' harnesses.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether something accepts TCP connections on the loopback port. */
export const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port })
    s.once("connect", () => {
      s.destroy()
      resolve(true)
    })
    s.once("error", () => resolve(false))
  })

export interface ServerProcess {
  /** Starts the command (unless running) and resolves once its port accepts connections. */
  readonly start: () => Promise<void>
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and resolves once it has exited. */
  readonly stop: () => Promise<void>
  /** What it printed so far. */
  readonly output: () => string
}

export const serverProcess = (
  command: string,
  args: ReadonlyArray<string>,
  port: number,
  cwd?: string
): ServerProcess => {
  let child: ChildProcess | undefined
  let log = ""
  const start = async () => {
    if (child !== undefined && child.exitCode === null) return
    const p = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"], ...(cwd ? { cwd } : {}) })
    p.stdout?.on("data", (d: Buffer) => (log += d.toString()))
    p.stderr?.on("data", (d: Buffer) => (log += d.toString()))
    child = p
    for (let i = 0; i < 800; i++) {
      if (p.exitCode !== null) throw new Error(`${command} exited (${p.exitCode}):\n${log}`)
      if (await canConnect(port)) return
      await sleep(25)
    }
    throw new Error(`${command} did not listen on ${port}:\n${log}`)
  }
  const stop = async () => {
    const p = child
    child = undefined
    if (p === undefined || p.exitCode !== null) return
    const exited = new Promise<void>((r) => p.once("exit", () => r()))
    p.kill("SIGTERM")
    const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])
    if (!done) {
      p.kill("SIGKILL")
      await exited
    }
  }
  return { start, stop, output: () => log }
}
