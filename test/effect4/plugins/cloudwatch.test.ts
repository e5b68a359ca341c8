/**
 * @fapilog/cloudwatch on Effect 4: its source, built for this line, passes the plugin and sink
 * conformance suites against the local stand-in for CloudWatch Logs (the same suites as its
 * Effect 3 tests, plugins/cloudwatch/test/conformance.test.ts), creates the group and stream
 * and rides out throttling, and its Effect 4 package, built as `npm pack` builds it and
 * installed into a scratch project, is found by `{ type: "cloudwatch" }` through discovery.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { createLogger } from "fapilog-effect4"
import { build } from "tsup"
import * as CloudWatch from "../../../plugins/cloudwatch/src/index.js"
import { startCloudWatch } from "../../../plugins/cloudwatch/test/cloudwatchServer.js"
import { describeCloudWatchConformance } from "../../../plugins/cloudwatch/test/conformance.js"
import { settingsFor } from "../../../plugins/cloudwatch/test/delivery.js"
import { effect4Build } from "../../../plugins/tsup.base.js"
import { lock, pluginPackageDir, repoRoot } from "../../support/pack.js"

describeCloudWatchConformance(4, Testing)

describe("@fapilog/cloudwatch on Effect 4", () => {
  it("creates the group and stream, retries throttling, delivers every event once", async () => {
    const server = await startCloudWatch({
      fault: (operation, n) =>
        operation === "PutLogEvents" && n === 1 ? { status: 400, type: "ThrottlingException" } : undefined
    })
    try {
      const log = await createLogger({
        plugins: { use: [CloudWatch.plugin] },
        sinks: [{ type: "cloudwatch", ...settingsFor(server.endpoint, "/e4", "s") } as never]
      })
      for (let i = 0; i < 100; i++) log.info(`e4 ${i}`, { i })
      await log.close()
      assert.deepStrictEqual(
        server.calls.map((c) => `${c.operation} ${c.error ?? c.status}`),
        [
          "PutLogEvents ResourceNotFoundException",
          "CreateLogGroup 200",
          "CreateLogStream 200",
          "PutLogEvents ThrottlingException",
          "PutLogEvents 200"
        ]
      )
      assert.deepStrictEqual(
        server.messages("/e4", "s"),
        Array.from({ length: 100 }, (_, i) => `e4 ${i}`)
      )
      assert.strictEqual(log.health().stats.lost, 0)
    } finally {
      await server.stop()
    }
  })
})

describe("@fapilog/cloudwatch-effect4 discovered on Effect 4", () => {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true })
  const scratch = fs.mkdtempSync(path.join(repoRoot, ".tmp", "discovered-cloudwatch-"))
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

  it('{ type: "cloudwatch" } alone loads @fapilog/cloudwatch-effect4 and delivers every event once', async () => {
    const packageDir = pluginPackageDir("cloudwatch", 4)
    const release = await lock(path.join(packageDir, ".pack.lock"), 150_000)
    const installed = path.join(scratch, "node_modules", "@fapilog", "cloudwatch-effect4")
    try {
      await build({ ...effect4Build(path.dirname(packageDir)), config: false, silent: true })
      for (const file of ["package.json", "dist"])
        fs.cpSync(path.join(packageDir, file), path.join(installed, file), { recursive: true })
    } finally {
      release()
    }
    const server = await startCloudWatch()
    const cwd = process.cwd()
    process.chdir(scratch)
    try {
      const log = await createLogger({
        sinks: [{ type: "cloudwatch", ...settingsFor(server.endpoint, "/discovered", "s") } as never]
      })
      for (let i = 0; i < 100; i++) log.info(`discovered ${i}`)
      await log.close()
    } finally {
      process.chdir(cwd)
      await server.stop()
    }
    assert.deepStrictEqual(
      server.messages("/discovered", "s"),
      Array.from({ length: 100 }, (_, i) => `discovered ${i}`)
    )
  })
})
