/**
 * The packed @fapilog/audit installed next to the packed fapilog in a scratch project (its
 * `pg` dependency installed with it; test/support/pluginInstall.ts), named only by
 * `type: "audit"` in the settings (found by discovery), from plain node as an ES module and as
 * CommonJS: each run's audit events form a trail that verifies, its info events are skipped.
 * The same installation is type-checked: importing the package makes `{ type: "audit", ... }`
 * a `sinks` entry.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert } from "vitest"
import {
  CONSUMERS,
  consumerScripts,
  describeInstalled,
  runConsumer
} from "../../../test/support/pluginInstall.js"
import { formatReport, verifyTrail } from "../src/index.js"
import { KEY, tempDir } from "./trail.js"

const dirs: Array<string> = []
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

const scripts = consumerScripts(
  `{ sinks: [{ type: "audit", path: process.env.TRAIL, key: "env:AUDIT_KEY" }] }`,
  `for (let i = 0; i < 50; i++) { log.audit("installed " + process.env.RUN + " " + i, { i }); log.info("skipped " + i) }`
)

describeInstalled({
  type: "audit",
  title: '(pg with it) and keeps a trail that verifies through { type: "audit" }',
  typed: `export const entry: Settings.SinkSetting = { type: "audit", path: "/var/log/app/audit", key: "env:AUDIT_KEY", fsync: "record", retention: { maxAge: "400d", maxTotalBytes: "10 GB" } }
export const alias: Settings.SinkSetting = { type: "audit", path: "/var/log/app/audit", key: "env:AUDIT_KEY", retention: { maxAgeMs: 86400000, maxTotalBytes: 1073741824 } }
// @ts-expect-error an age is a number or a string
export const ageless: Settings.SinkSetting = { type: "audit", path: "/var/log/app/audit", key: "env:AUDIT_KEY", retention: { maxAge: true } }
// @ts-expect-error an option the plugin does not have
export const misspelt: Settings.SinkSetting = { type: "audit", path: "/var/log/app/audit", kee: "env:AUDIT_KEY" }
// @ts-expect-error not an fsync policy
export const wrong: Settings.SinkSetting = { type: "audit", path: "/var/log/app/audit", key: "env:AUDIT_KEY", fsync: "sometimes" }
`,
  check: async (scratch) => {
    for (const file of CONSUMERS) {
      fs.writeFileSync(path.join(scratch, file), scripts[file])
      const trail = tempDir()
      dirs.push(trail)
      await runConsumer(scratch, file, { TRAIL: trail, AUDIT_KEY: KEY, RUN: file })
      const report = await verifyTrail(trail, { key: KEY })
      assert.isTrue(report.ok, formatReport(report).text)
      if (report.ok) assert.strictEqual(report.records, 50)
    }
  }
})
