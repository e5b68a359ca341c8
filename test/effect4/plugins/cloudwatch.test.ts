import { assert, describe, it } from "@effect/vitest"
import * as Testing from "fapilog/testing"
import { createLogger } from "fapilog-effect4"
import * as CloudWatch from "../../../plugins/cloudwatch/src/index.js"
import { startCloudWatch } from "../../../plugins/cloudwatch/test/cloudwatchServer.js"
import { describeCloudWatchConformance } from "../../../plugins/cloudwatch/test/conformance.js"
import { settingsFor } from "../../../plugins/cloudwatch/test/delivery.js"
import { discoveryScratch, installEffect4Plugin } from "./discovered.js"

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
  const scratch = discoveryScratch("cloudwatch")

  it('{ type: "cloudwatch" } alone loads @fapilog/cloudwatch-effect4 and delivers every event once', async () => {
    await installEffect4Plugin("cloudwatch", scratch)
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
