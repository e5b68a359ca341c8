/**
 * Debian's `redis-server`, started by a test: on a free loopback port, its data in a
 * temporary directory with the append-only file on (`appendonly yes`), so a restart (SIGTERM,
 * Redis's clean shutdown, then a start on the same directory) keeps every entry and key;
 * `close` stops it and removes the directory.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createClient } from "@redis/client"
import { freePort } from "../../../test/internal/networkServer.js"
import { serverProcess } from "../../../test/support/serverProcess.js"

export interface RedisServer {
  readonly port: number
  readonly url: string
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
  readonly close: () => Promise<void>
}

export const startRedis = async (): Promise<RedisServer> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-redis-"))
  const port = await freePort()
  const server = serverProcess(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--save",
      "",
      "--daemonize",
      "no",
      "--protected-mode",
      "no"
    ],
    port
  )
  await server.start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: server.stop,
    start: server.start,
    close: async () => {
      try {
        await server.stop()
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
  }
}

/** An entry of a stream as the tests check it: its fields. */
export interface Entry {
  readonly id: string
  readonly level: string
  readonly event: string
}

/** Every entry of `stream` (none when it does not exist). */
export const readStream = async (url: string, stream: string): Promise<Array<Entry>> => {
  const client = createClient({ url })
  client.on("error", () => {})
  await client.connect()
  try {
    const entries = (await client.sendCommand(["XRANGE", stream, "-", "+"])) as Array<[string, Array<string>]>
    return entries.map(([, fields]) => {
      const f: Record<string, string> = {}
      for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!
      return { id: f.id!, level: f.level!, event: f.event! }
    })
  } finally {
    await client.close()
  }
}

/** Runs one command on a fresh connection (a test's own look at the server). */
export const command = async (url: string, args: ReadonlyArray<string | Buffer>): Promise<unknown> => {
  const client = createClient({ url })
  client.on("error", () => {})
  await client.connect()
  try {
    return await client.sendCommand([...args])
  } finally {
    await client.close()
  }
}
