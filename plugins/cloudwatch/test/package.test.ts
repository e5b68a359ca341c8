/**
 * The packed @fapilog/cloudwatch installed next to the packed fapilog in a scratch project
 * (test/support/pluginInstall.ts), named only by `type: "cloudwatch"` in the settings (found
 * by discovery), from plain node as an ES module and as CommonJS: every event reaches the
 * local stand-in for CloudWatch Logs once, through the AWS SDK the package depends on. The same
 * installation is type-checked: importing the package makes `{ type: "cloudwatch", ... }` a
 * `sinks` entry.
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
import { type CloudWatchServer, CREDENTIALS, REGION, startCloudWatch } from "./cloudwatchServer.js"

let server: CloudWatchServer | undefined

beforeAll(async () => {
  server = await startCloudWatch()
})
afterAll(async () => {
  await server?.stop()
})

const scripts = consumerScripts(
  `{ sinks: [{ type: "cloudwatch", region: "${REGION}", logGroup: "/installed", logStream: process.env.RUN, endpoint: process.env.CW_ENDPOINT, credentials: ${JSON.stringify(CREDENTIALS)} }] }`,
  `for (let i = 0; i < 100; i++) log.info("installed " + process.env.RUN + " " + i, { i })`
)

describeInstalled({
  type: "cloudwatch",
  title: 'and delivers to the CloudWatch Logs stand-in through { type: "cloudwatch" }',
  // the AWS SDK and its few dozen packages come from the registry into the scratch project
  timeoutMs: 900_000,
  typed: `export const entry: Settings.SinkSetting = { type: "cloudwatch", region: "eu-west-1", logGroup: "/app/api", logStream: "web-1", endpoint: "http://127.0.0.1:4566" }
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { type: "cloudwatch", region: "eu-west-1", logGrop: "/app/api" }
// @ts-expect-error the log group is required
export const missing: Settings.SinkSetting = { type: "cloudwatch", region: "eu-west-1" }
`,
  check: async (scratch) => {
    for (const file of CONSUMERS) {
      fs.writeFileSync(path.join(scratch, file), scripts[file])
      await runConsumer(scratch, file, { CW_ENDPOINT: server!.endpoint, RUN: file })
      assert.deepStrictEqual(
        server!.messages("/installed", file),
        Array.from({ length: 100 }, (_, i) => `installed ${file} ${i}`)
      )
    }
  }
})
