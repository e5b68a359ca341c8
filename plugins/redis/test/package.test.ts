/**
 * The packed @fapilog/redis installed next to the packed fapilog in a scratch project (its
 * Redis client installed with it; test/support/pluginInstall.ts), named only by
 * `type: "redis"` in the settings (found by discovery), from plain node as an ES module and as
 * CommonJS: every event is one entry of the stream in Debian's redis-server. The same
 * installation is type-checked: importing the package makes `{ type: "redis", ... }` a `sinks`
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
import { type RedisServer, readStream, startRedis } from "./redisServer.js"

let server: RedisServer | undefined

beforeAll(async () => {
  server = await startRedis()
}, 60_000)
afterAll(() => server?.close())

const scripts = consumerScripts(
  `{ sinks: [{ type: "redis", url: process.env.REDIS_URL, stream: process.env.STREAM }] }`,
  `for (let i = 0; i < 100; i++) log.info("installed " + process.env.RUN + " " + i, { i })`
)

describeInstalled({
  type: "redis",
  title: '(its Redis client with it) and adds to a stream through { type: "redis" }',
  // the Redis client is installed from the registry with the packed plugin
  timeoutMs: 600_000,
  typed: `export const entry: Settings.SinkSetting = { type: "redis", url: "rediss://cache:6380/0", stream: "logs:app", maxLen: 100000, tls: { caFile: "/etc/ca.pem" }, spool: { directory: "/var/spool/app" } }
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { type: "redis", url: "redis://cache:6379", steam: "logs" }
// @ts-expect-error not a dedupe mode
export const wrong: Settings.SinkSetting = { type: "redis", url: "redis://cache:6379", stream: "logs", dedupe: "event" }
`,
  check: async (scratch) => {
    for (const file of CONSUMERS) {
      fs.writeFileSync(path.join(scratch, file), scripts[file])
      const stream = `installed:${file}`
      await runConsumer(scratch, file, { REDIS_URL: server!.url, STREAM: stream, RUN: file })
      const events = (await readStream(server!.url, stream)).map(
        (e) => JSON.parse(e.event) as { i: number; message: string }
      )
      assert.deepStrictEqual(
        events.sort((a, b) => a.i - b.i).map((e) => e.message),
        Array.from({ length: 100 }, (_, i) => `installed ${file} ${i}`)
      )
    }
  }
})
