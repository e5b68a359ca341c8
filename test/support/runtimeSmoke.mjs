// The runtime smoke program (test/runtimes.test.ts): run from a scratch project where the
// packed fapilog is installed, by node, bun and deno alike. It exercises the facade (lines
// into a file, a child logger), the Effect layer (Effect.log through FapilogLive, to stdout)
// and the Express middleware (a server on loopback, one request, its access line into a
// second file); the test reads the files and stdout back and checks every line.
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import express from "express"
import { createLogger, FapilogLive } from "fapilog"
import { fapilogExpress } from "fapilog/express"

const [runtime, outDir] = process.argv.slice(2)
if (runtime === undefined || outDir === undefined)
  throw new Error("usage: runtimeSmoke.mjs <runtime> <out-dir>")
fs.mkdirSync(outDir, { recursive: true })

// the facade, its lines into a file
const log = await createLogger({
  name: `facade-${runtime}`,
  sinks: [{ type: "file", path: path.join(outDir, "facade.log") }]
})
log.info("facade line", { runtime, n: 1, nested: { ok: true } })
log.child({ requestId: "r-1" }).warn("child line", { k: "v" })
await log.close()

// the Effect layer: Effect.log through FapilogLive, to stdout
await Effect.runPromise(
  Effect.log("effect line").pipe(Effect.annotateLogs("runtime", runtime), Effect.provide(FapilogLive))
)

// the Express middleware on loopback: one request, its access line into a file
const httpLog = await createLogger({
  name: `http-${runtime}`,
  sinks: [{ type: "file", path: path.join(outDir, "http.log") }]
})
const app = express()
app.use(fapilogExpress(httpLog))
app.get("/hello/:who", (req, res) => {
  res.json({ hello: req.params.who })
})
const server = await new Promise((resolve, reject) => {
  const s = app.listen(0, "127.0.0.1", () => resolve(s))
  s.on("error", reject)
})
const { port } = server.address()
const response = await fetch(`http://127.0.0.1:${port}/hello/${runtime}`)
const body = await response.json()
if (response.status !== 200 || body.hello !== runtime)
  throw new Error(`unexpected response ${response.status} ${JSON.stringify(body)}`)
await new Promise((resolve) => {
  server.close(resolve)
  // keep-alive connections would hold close() open until they time out
  server.closeAllConnections()
})
await httpLog.close()
