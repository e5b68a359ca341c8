/**
 * The packed @fapilog/nats installed next to the packed fapilog in a scratch project (its
 * NATS client installed with it; test/support/pluginInstall.ts), named only by
 * `type: "nats"` in the settings (found by discovery), from plain node as an ES module and as
 * CommonJS: every event is one message in the stream of Debian's nats-server. The same
 * installation is type-checked: importing the package makes `{ type: "nats", ... }` a `sinks`
 * entry.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, beforeAll } from "vitest"
import {
  CONSUMERS,
  consumerScripts,
  describeInstalled,
  runConsumer
} from "../../../test/support/pluginInstall.js"
import { type NatsServer, readStream, startNats } from "./natsServer.js"

let server: NatsServer | undefined

beforeAll(async () => {
  server = await startNats()
}, 60_000)
afterAll(() => server?.close())

const scripts = consumerScripts(
  `{ sinks: [{ type: "nats", servers: process.env.NATS_URL, subject: process.env.SUBJECT, stream: process.env.STREAM }] }`,
  `for (let i = 0; i < 100; i++) log.info("installed " + process.env.RUN + " " + i, { i })`
)

describeInstalled({
  type: "nats",
  title: '(its NATS client with it) and publishes to JetStream through { type: "nats" }',
  // the NATS client is installed from the registry with the packed plugin
  timeoutMs: 600_000,
  typed: `export const entry: Settings.SinkSetting = { type: "nats", servers: ["nats://n1:4222", "nats://n2:4222"], subject: "logs.app", stream: "LOGS", tls: { caFile: "/etc/ca.pem" }, spool: { directory: "/var/spool/app" } }
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { type: "nats", servers: "nats://n1:4222", subjct: "logs.app" }
// @ts-expect-error not a storage
export const wrong: Settings.SinkSetting = { type: "nats", servers: "nats://n1:4222", subject: "logs.app", stream: "LOGS", storage: "disk" }
`,
  check: async (scratch) => {
    for (const file of CONSUMERS) {
      fs.writeFileSync(path.join(scratch, file), scripts[file])
      const stream = `INSTALLED_${file.replace(".", "_").toUpperCase()}`
      await runConsumer(scratch, file, {
        NATS_URL: server!.url,
        SUBJECT: `installed.${file.replace(".", "_")}`,
        STREAM: stream,
        RUN: file
      })
      const messages = (await readStream(server!.url, stream)).map(
        (m) => JSON.parse(m.data) as { i: number; message: string }
      )
      assert.deepStrictEqual(
        messages.sort((a, b) => a.i - b.i).map((m) => m.message),
        Array.from({ length: 100 }, (_, i) => `installed ${file} ${i}`)
      )
    }
  }
})
