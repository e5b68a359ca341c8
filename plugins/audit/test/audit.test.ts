import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createLogger, Errors, Plugin } from "fapilog"
import * as Testing from "fapilog/testing"
import { plugin } from "../src/index.js"

const packageJson: unknown = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"))

const tempFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "audit-")), "out.log")

const readLines = (file: string): Array<string> =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : []

describe("@fapilog/audit", () => {
  it.effect("its metadata agrees with package.json and loads on this fapilog", () =>
    Effect.asVoid(Testing.pluginConformance(plugin, { packageJson }))
  )

  it.live("passes the sink conformance suite", () => {
    const file = tempFile()
    return Testing.sinkConformance({
      make: Plugin.open(plugin, { path: file }),
      received: Effect.sync(() => readLines(file)),
      // /dev/full refuses every write (ENOSPC): the failure must be a SinkError
      failing: fs.existsSync("/dev/full") ? Plugin.open(plugin, { path: "/dev/full" }) : undefined
    }).pipe(Effect.map((report) => assert.include(report.passed, "hostile-events")))
  })

  it("works when settings name its type", async () => {
    const file = tempFile()
    const log = await createLogger({ sinks: [{ type: "audit", path: file }], plugins: { use: [plugin] } })
    log.info("hello", { orderId: 7 })
    await log.close()
    const [line] = readLines(file)
    assert.deepInclude(JSON.parse(line ?? "{}"), { level: "info", message: "hello", orderId: 7 })
  })

  it("refuses an invalid config with an error naming the field", async () => {
    const error = await createLogger({ sinks: [{ type: "audit", path: "" }], plugins: { use: [plugin] } }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Errors.ConfigError)
    assert.strictEqual((error as Errors.ConfigError).issues[0]?.path, "sinks[0].path")
  })
})
