/**
 * Debian's `nats-server` with JetStream, started by a test: `-js` with its store in a
 * temporary directory, on a free loopback port; `restart` keeps the store (streams, messages
 * and their de-duplication ids survive it); `close` stops it and removes the directory.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { jetstream, jetstreamManager } from "@nats-io/jetstream"
import { connect } from "@nats-io/transport-node"
import { freePort } from "../../../test/internal/networkServer.js"
import { serverProcess } from "../../../test/support/serverProcess.js"

export interface NatsServer {
  readonly port: number
  readonly url: string
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
  readonly close: () => Promise<void>
}

/** Starts nats-server; `args` are more of its options (e.g. `["--auth", token]`). */
export const startNats = async (args: ReadonlyArray<string> = []): Promise<NatsServer> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fapilog-nats-"))
  const port = await freePort()
  const server = serverProcess(
    "nats-server",
    [
      "-js",
      "-sd",
      path.join(dir, "store"),
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "-n",
      "fapilog-test",
      ...args
    ],
    port
  )
  await server.start()
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
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

/** A message of a stream as the tests check it: its payload and `Nats-Msg-Id`. */
export interface Stored {
  readonly subject: string
  readonly msgId: string | undefined
  readonly data: string
}

/** Every message of `stream` (none when it does not exist), read with an ordered consumer. */
export const readStream = async (url: string, stream: string): Promise<Array<Stored>> => {
  const nc = await connect({ servers: url })
  try {
    const jsm = await jetstreamManager(nc)
    const count = await jsm.streams.info(stream).then(
      (i) => i.state.messages,
      () => 0
    )
    const out: Array<Stored> = []
    if (count === 0) return out
    const consumer = await jetstream(nc).consumers.get(stream)
    while (out.length < count) {
      const batch = await consumer.fetch({ max_messages: count - out.length, expires: 5000 })
      for await (const m of batch)
        out.push({ subject: m.subject, msgId: m.headers?.get("Nats-Msg-Id"), data: m.string() })
    }
    return out
  } finally {
    await nc.close()
  }
}
