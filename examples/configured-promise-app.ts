/**
 * A Promise app that configures several built-in components through settings:
 *
 * - a logfmt file sink that rotates at 2 KB, keeps 3 rotated files and gzips them
 *   (`logs/configured-promise-app.log` and `logs/configured-promise-app.log.<time>.gz`);
 * - a route that also sends errors and above to stderr;
 * - redaction of a card number, an authorization header, e-mail addresses one level
 *   down, passwords and URL credentials;
 * - `service` and `version` added to every event;
 * - deduplication of repeated events within one second.
 *
 * Run from the repository root: `npx tsx examples/configured-promise-app.ts`
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { createLogger, withContext } from "fapilog"

const logFile = "logs/configured-promise-app.log"

// Start each run without the files of earlier runs, so the demo can count this run's lines.
for (const name of fs.existsSync("logs") ? fs.readdirSync("logs") : []) {
  if (name.startsWith(path.basename(logFile))) fs.rmSync(path.join("logs", name), { force: true })
}

const log = await createLogger({
  name: "configured-promise-app",
  level: "debug",
  sinks: [
    {
      type: "file",
      path: logFile,
      format: "logfmt",
      maxBytes: "2 KB", // tiny, so that this short run rotates a few times
      maxFiles: 3,
      compress: true
    },
    // Every route whose levels match gets the event: here only errors and above, on stderr.
    // Without its own `format`, stderr uses the logger's: pretty in a terminal, JSON otherwise.
    { type: "route", routes: [{ minLevel: "error", sinks: ["stderr"] }] }
  ],
  redact: {
    paths: ["card.number", "headers.authorization", "*.email"], // `*`: any one key
    keys: ["password"] // any depth, any case
    // URL credentials (user:password@) are stripped as soon as `redact` is set.
  },
  enrich: { service: "checkout", version: "1.4.2" },
  dedupe: { windowMs: 1_000 }
})

log.info("service started", { port: 3000 })

const http = log.child({ component: "http" })

for (let i = 1; i <= 12; i++) {
  await withContext({ requestId: `req-${i}` }, async () => {
    http.info("request received", {
      method: "POST",
      path: `/orders/o-${i}/pay`,
      headers: { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9", accept: "application/json" }
    })
    http.debug("charging card", { card: { number: "4111111111111111", brand: "visa" }, amount: 1999 + i })
    if (i % 4 === 0) {
      const cause = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
      http.error("payment failed", {
        orderId: `o-${i}`,
        provider: "https://shop:s3cret@payments.example.com/v1",
        error: new Error("payment provider unreachable", { cause })
      })
    } else {
      http.info("response sent", { status: 200 })
    }
  })
}

// Twenty identical warnings: the file gets the first one now, and a single
// "cache is cold (repeated 19 times)" line when the window closes (at the latest on close).
for (let i = 0; i < 20; i++) log.warn("cache is cold", { cache: "prices" })

log.info("user signed up", { user: { email: "ada@example.com", Password: "hunter2" } })

// Drains every accepted event, reports pending dedupe counts, then closes the file and
// waits for the background compression of rotated files.
await log.close()
