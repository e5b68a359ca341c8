/**
 * A small Promise app: no Effect code, just `createLogger` and plain calls.
 * Writes to stdout (JSON lines, or pretty lines in a terminal) and JSON lines to
 * `logs/promise-app.log` (the file sink sets its own format).
 *
 * Run from the repository root: `npx tsx examples/promise-app.ts`
 */
import * as fs from "node:fs"
import { createLogger, withContext } from "fapilog"

const logFile = "logs/promise-app.log"

// Start each run with an empty file, so the demo can count this run's lines.
fs.rmSync(logFile, { force: true })

const log = await createLogger({
  name: "promise-app",
  level: "debug",
  sinks: ["stdout", { type: "file", path: logFile, format: "json" }]
})

log.info("service started", { port: 3000, region: "eu-west-1" })

// A child logger shares the root's pipeline and adds its bindings to every event.
const http = log.child({ component: "http" })

const chargeCard = async (orderId: string): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, 5))
  const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
  throw new Error(`payment provider unreachable for ${orderId}`, { cause: reset })
}

// Everything logged inside withContext, across awaits, carries requestId.
await withContext({ requestId: "req-7f3a" }, async () => {
  http.info("request received", { method: "POST", path: "/orders/o-42/pay" })
  http.debug("calling payment provider")
  try {
    await chargeCard("o-42")
  } catch (error) {
    // An Error under `error` becomes the event's structured error, with its cause chain.
    http.error("payment failed", { orderId: "o-42", error })
  }
  http.info("response sent", { status: 502 })
})

log.audit("refund approved", { orderId: "o-17", amount: 1999, approvedBy: "ops@example.com" })

// Drains every accepted event to both sinks, then closes the file.
await log.close()
