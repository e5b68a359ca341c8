/**
 * The packed @fapilog/syslog installed next to the packed fapilog in a scratch project
 * (test/support/pluginInstall.ts), named only by `type: "syslog"` in the settings (found by
 * discovery), from plain node as an ES module and as CommonJS: every event reaches Debian's
 * rsyslog once. The same installation is type-checked: importing the package makes
 * `{ type: "syslog", ... }` a `sinks` entry.
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
import { eventOf } from "./delivery.js"
import { type Rsyslog, startRsyslog } from "./rsyslog.js"

let server: Rsyslog | undefined

beforeAll(async () => {
  server = await startRsyslog()
}, 60_000)
afterAll(async () => {
  await server?.close()
})

const scripts = consumerScripts(
  `{ sinks: [{ type: "syslog", host: "127.0.0.1", port: Number(process.env.SYSLOG_PORT), protocol: "tcp", appName: "installed", structuredData: { keys: ["i"] } }] }`,
  `for (let i = 0; i < 100; i++) log.info("installed " + process.env.RUN + " " + i, { i })`
)

describeInstalled({
  type: "syslog",
  title: 'and delivers to rsyslog through { type: "syslog" }',
  typed: `export const entry: Settings.SinkSetting = { type: "syslog", host: "10.0.0.5", protocol: "tls", rfc: "5424", facility: "local0", appName: "api" }
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { type: "syslog", host: "10.0.0.5", protcol: "tcp" }
// @ts-expect-error not a protocol
export const wrong: Settings.SinkSetting = { type: "syslog", host: "10.0.0.5", protocol: "sctp" }
`,
  check: async (scratch) => {
    for (const file of CONSUMERS) {
      fs.writeFileSync(path.join(scratch, file), scripts[file])
      const before = server!.received().length
      await runConsumer(scratch, file, { SYSLOG_PORT: String(server!.tcpPort), RUN: file })
      const got = (await server!.waitFor(before + 100)).slice(before)
      assert.deepStrictEqual(
        got.map((m) => eventOf(m).message),
        Array.from({ length: 100 }, (_, i) => `installed ${file} ${i}`)
      )
      assert.isTrue(got.every((m) => m.appName === "installed"))
    }
  }
})
