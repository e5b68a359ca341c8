import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createLogger, Errors, Plugin } from "fapilog"
import * as Testing from "fapilog/testing"
import { plugin } from "../src/index.js"

const packageJson: unknown = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"))

/** Events this processor meets: matching and not, at other levels, without the field, nested. */
const events: ReadonlyArray<Testing.EventInput> = [
  { level: "info", message: "health check", fields: { path: "/health" } },
  { level: "info", message: "order placed", fields: { path: "/orders", orderId: 7 } },
  { level: "debug", message: "readiness", fields: { path: "/ready" } },
  { level: "error", message: "health check failed", fields: { path: "/health" } },
  { level: "info", message: "no path" },
  { level: "info", message: "path is an object", fields: { path: { raw: "/health" } } },
  { level: "info", message: "nested route", fields: { http: { route: "/health" } } }
]

describe("@fapilog/pii", () => {
  it.effect("its metadata agrees with package.json and loads on this fapilog", () =>
    Effect.asVoid(Testing.pluginConformance(plugin, { packageJson }))
  )

  it.live("passes the processor conformance suite", () =>
    Testing.processorConformance({
      make: Plugin.open(plugin, { field: "path", values: ["/health", "/ready"], levels: ["debug", "info"] }),
      events,
      // its contract: exactly these are dropped, and counted under its type
      drops: (e) => (e.level === "debug" || e.level === "info") && (e.fields.path === "/health" || e.fields.path === "/ready")
    }).pipe(Effect.map((report) => assert.include(report.passed, "drop-accounting")))
  )

  it("drops the matching events when settings name its type, and counts them", async () => {
    const memory = Testing.memory()
    const log = await createLogger({
      sinks: [memory],
      processors: [{ type: "pii", field: "http.route", values: ["/health"], levels: ["info"] }],
      plugins: { use: [plugin] }
    })
    log.info("probe", { http: { route: "/health" } })
    log.info("flat probe", { "http.route": "/health" })
    log.info("order placed", { http: { route: "/orders" } })
    log.error("probe failed", { http: { route: "/health" } })
    await log.flush()
    const stats = log.stats()
    await log.close()
    assert.deepStrictEqual(
      memory.events().map((e) => e.message),
      ["order placed", "probe failed"]
    )
    assert.deepStrictEqual(stats.filteredBy, { "pii": 2 })
  })

  it("refuses an invalid config with an error naming the field", async () => {
    const error = await createLogger({
      processors: [{ type: "pii", field: "path", values: [] }],
      plugins: { use: [plugin] }
    }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Errors.ConfigError)
    assert.strictEqual((error as Errors.ConfigError).issues[0]?.path, "processors[0].values")
  })
})
