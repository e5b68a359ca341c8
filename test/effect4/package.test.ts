/**
 * Packaging smoke test of the Effect 4 line: packs `fapilog-effect4` as `npm publish` would
 * (`prepack` builds it), installs the tarball into a scratch project with Effect 4 and its
 * toolchain (`effect@^4.1`, `@effect/platform-node@^4`, `@effect/vitest@^4`, `vitest@^5`), and
 * checks that npm says nothing about peers or engines, that a zero-configuration program
 * writes JSON lines, that an `effect/http` server on `@effect/platform-node` with
 * `Http.middleware` logs a request with its correlation id and echoes it, that an
 * `@effect/vitest` test reads the logs of the test layer, and that TypeScript (strict, with
 * `exactOptionalPropertyTypes`) accepts a program using the package's declarations and reports
 * a deliberate type error in another (the declarations are real, not `any`). The packed
 * `@fapilog/webhook-effect4` (the webhook plugin's Effect 4 package) is installed beside it:
 * its required peers are met (no peer warning either, and neither `fapilog` nor Effect 3 comes
 * with it), and a program naming `{ type: "webhook" }` ships a line to a local receiver.
 * npm runs under the Node 22 that runs this suite, as it would on an Effect 4 user's machine.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, describe, it } from "vitest"
import { declarations } from "../../effect4/tsup.config.js"
import {
  assertSucceeded,
  consumerEnv,
  describeRun,
  lines,
  makeTempDir,
  npm,
  pack,
  pluginPackageDir,
  removeTempDirs,
  repoRoot,
  run,
  runNode,
  tarballEntries
} from "../support/pack.js"

afterAll(removeTempDirs)

const packageDir = fileURLToPath(new URL("../../effect4", import.meta.url))

/** The environment of npm and the consumers: this Node 22 first on the PATH. */
const node22Env = consumerEnv({
  PATH: [path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter)
})

const PROGRAM = `import { Effect } from "effect"
import { FapilogLive } from "fapilog-effect4"

await Effect.runPromise(
  Effect.log("hello effect 4").pipe(Effect.annotateLogs({ userId: 7 }), Effect.provide(FapilogLive))
)
`

/** An `effect/http` server on `@effect/platform-node` with the middleware, asked once by fetch. */
const SERVER = `import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { Fapilog, Http } from "fapilog-effect4"

const Routes = HttpRouter.add("GET", "/hello", Effect.as(Effect.logInfo("hello handled"), HttpServerResponse.text("hi")))
const Served = HttpRouter.serve(Routes, { disableLogger: true, disableListenLog: true, middleware: Http.middleware() }).pipe(
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 })),
  Layer.provide(Fapilog.layer({ sinks: ["stdout"], format: "json" }))
)

// the fapilog layer has drained by the time the scope has closed: the client's line comes last
const got = await Effect.runPromise(
  Effect.scoped(
    Effect.gen(function* () {
      const services = yield* Layer.build(Served)
      const { port } = new URL(HttpServer.formatAddress(Context.get(services, HttpServer.HttpServer).address))
      const response = yield* Effect.promise(() =>
        fetch(\`http://127.0.0.1:\${port}/hello\`, { headers: { "x-request-id": "pkg-1" } })
      )
      const body = yield* Effect.promise(() => response.text())
      return { status: response.status, echoed: response.headers.get("x-request-id"), body }
    })
  )
)
console.log(JSON.stringify({ client: got }))
`

/** A zero-configuration-style program shipping a line to a local receiver through `{ type: "webhook" }`. */
const SHIP = `import { createServer } from "node:http"
import { createLogger } from "fapilog-effect4"

const received = []
const server = createServer((req, res) => {
  let body = ""
  req.on("data", (chunk) => (body += chunk))
  req.on("end", () => {
    received.push({ path: req.url, messages: JSON.parse(body).map((e) => e.message) })
    res.writeHead(202).end()
  })
})
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const log = await createLogger({
  sinks: [{ type: "webhook", url: \`http://127.0.0.1:\${server.address().port}/hooks\`, secret: "shared-secret-0123456789" }]
})
log.info("shipped from effect 4", { orderId: 7 })
await log.close()
server.close()
console.log(JSON.stringify(received))
`

const TEST = `import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import { CapturedLogs, FapilogTest } from "fapilog-effect4"

it.effect("reads what was logged", () =>
  Effect.gen(function* () {
    yield* Effect.logInfo("signed in").pipe(Effect.annotateLogs({ userId: 1 }))
    const events = yield* Effect.flatMap(CapturedLogs, (logs) => logs.events)
    assert.deepStrictEqual(events.map((e) => [e.message, e.fields]), [["signed in", { userId: 1 }]])
  }).pipe(Effect.provide(FapilogTest))
)
`

/** Imports each subpath entry of the package. */
const ENTRIES = `
const [express, fastify, http, sql] = await Promise.all([
  import("fapilog-effect4/express"),
  import("fapilog-effect4/fastify"),
  import("fapilog-effect4/http"),
  import("fapilog-effect4/sql")
])
console.log(JSON.stringify([typeof express.fapilogExpress, typeof fastify.fapilogFastify, typeof http.middleware, typeof http.layerHttpApi, typeof sql.layerSlowQueries]))
`

/** A CommonJS consumer: Node 22 loads the ES module package from \`require\` (the \`default\` condition). */
const REQUIRE = `"use strict"
const { createLogger, FapilogLive } = require("fapilog-effect4")
const http = require("fapilog-effect4/http")
console.log(JSON.stringify([typeof createLogger, typeof FapilogLive, typeof http.middleware]))
`

/** A TypeScript program using the package the ways its README shows. */
const TYPED = `import { Effect, Layer } from "effect"
import { createLogger, Fapilog, FapilogLive, type Logger } from "fapilog-effect4"
import * as Browser from "fapilog-effect4/browser"

const program: Effect.Effect<void, never, Fapilog.Fapilog> = Effect.gen(function* () {
  yield* Effect.log("started").pipe(Effect.annotateLogs({ userId: 42 }))
  yield* Fapilog.info("user signed in", { userId: 42 })
  const level = yield* Effect.flatMap(Fapilog.Fapilog, (fapilog) => fapilog.level)
  yield* Fapilog.debug(\`level: \${level}\`)
})
const live: Layer.Layer<Fapilog.Fapilog, unknown> = FapilogLive
export const run: Promise<void> = Effect.runPromise(program.pipe(Effect.provide(live)))
export const logged: Effect.Effect<void, unknown> = Effect.log("through fapilog").pipe(
  Effect.provide(Fapilog.layer({ level: "debug", sinks: ["stdout"] }))
)

const logger: Logger.Logger = await createLogger({ level: "info", sinks: ["stdout"] })
logger.info("hello", { n: 1 })
logger.child({ requestId: "r-1" }).warn("careful")
await logger.close()

// the browser build's own types (fapilog-effect4/browser)
const browserSettings: Browser.Settings = { level: "debug", sinks: ["console", { type: "http", url: "/logs" }] }
export const browserLayer: Layer.Layer<Browser.Fapilog.Fapilog, unknown> = Browser.Fapilog.layer(browserSettings)
`

/** Two deliberate type errors: each line that has one is named by \`tsc\`. */
const MISTYPED = `import { createLogger, Fapilog } from "fapilog-effect4"

export const message = Fapilog.info(42)
export const level = createLogger({ level: "verbose" })
`

describe("published package fapilog-effect4", () => {
  it("installs next to Effect 4 without a peer or engine warning and works", {
    timeout: 240_000
  }, async () => {
    // two packages, two builds: at once
    const [{ tarball }, { tarball: webhook }] = await Promise.all([
      pack(packageDir),
      pack(pluginPackageDir("webhook", 4))
    ])
    const webhookEntries = await tarballEntries(webhook)
    assert.deepStrictEqual(
      webhookEntries.filter((entry) => !entry.endsWith(".map")).sort(),
      ["LICENSE", "README.md", "dist/index.js", "package.json"],
      `@fapilog/webhook-effect4's tarball: ${webhookEntries.join(", ")}`
    )
    const entries = await tarballEntries(tarball)
    // the declarations ship once the build writes them (effect4/tsup.config.ts); until then none
    assert.strictEqual(entries.includes("dist/index.d.ts"), declarations, entries.join("\n"))
    for (const required of [
      "package.json",
      "README.md",
      "LICENSE",
      "dist/index.js",
      "dist/http.js",
      "dist/express.js",
      "dist/fastify.js",
      "dist/testing.js",
      "dist/sql.js",
      "dist/browser/index.js",
      "dist/browser/index.d.ts"
    ])
      assert.include(entries, required, `tarball lacks ${required}; it holds:\n${entries.join("\n")}`)
    assert.deepStrictEqual(
      entries.filter((entry) => /^(src|test|node_modules)\//.test(entry)),
      [],
      `tarball must not ship sources, tests or dependencies; it holds:\n${entries.join("\n")}`
    )

    const scratch = makeTempDir("fapilog-effect4-scratch-")
    fs.writeFileSync(
      path.join(scratch, "package.json"),
      `${JSON.stringify({ name: "scratch", private: true, type: "module" })}\n`
    )
    const install = await run(
      npm,
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        tarball,
        webhook,
        "effect@^4.1.5",
        "@effect/platform-node@^4.1.5",
        "@effect/vitest@^4.1.5",
        "vitest@^5.1.2"
      ],
      { cwd: scratch, env: node22Env, timeoutMs: 180_000 }
    )
    assertSucceeded(install, "npm install in the Effect 4 scratch project")
    const said = lines(`${install.stdout}\n${install.stderr}`).filter((line) =>
      /peer|EBADENGINE|ERESOLVE/i.test(line)
    )
    assert.deepStrictEqual(said, [], `npm warned about peers or engines\n${describeRun(install)}`)

    fs.writeFileSync(path.join(scratch, "main.mjs"), PROGRAM)
    const program = await runNode("main.mjs", scratch, { env: node22Env })
    assertSucceeded(program, "the zero-configuration program")
    assert.strictEqual(program.stderr, "", describeRun(program))
    const out = lines(program.stdout).map((line) => JSON.parse(line) as Record<string, unknown>)
    assert.strictEqual(out.length, 1, describeRun(program))
    const { timestamp, ...event } = out[0] as Record<string, unknown>
    assert.deepStrictEqual(event, { level: "info", logger: "app", message: "hello effect 4", userId: 7 })
    assert.match(String(timestamp), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)

    // @fapilog/webhook-effect4, installed next to fapilog-effect4 (its required peers: effect 4
    // and fapilog-effect4), found by its type; the Effect 3 line came with nothing
    for (const absent of ["fapilog", "@fapilog/webhook"])
      assert.isFalse(fs.existsSync(path.join(scratch, "node_modules", absent)), `${absent} was installed`)
    const effect = JSON.parse(
      fs.readFileSync(path.join(scratch, "node_modules", "effect", "package.json"), "utf8")
    ) as { readonly version: string }
    assert.match(effect.version, /^4\./)
    fs.writeFileSync(path.join(scratch, "ship.mjs"), SHIP)
    const ship = await runNode("ship.mjs", scratch, { env: node22Env })
    assertSucceeded(ship, 'a program shipping a line through { type: "webhook" }')
    assert.strictEqual(ship.stderr, "", describeRun(ship))
    assert.deepStrictEqual(
      JSON.parse(ship.stdout),
      [{ path: "/hooks", messages: ["shipped from effect 4"] }],
      describeRun(ship)
    )

    fs.writeFileSync(path.join(scratch, "server.mjs"), SERVER)
    const server = await runNode("server.mjs", scratch, { env: node22Env })
    assertSucceeded(server, "the effect/http server with Http.middleware")
    assert.strictEqual(server.stderr, "", describeRun(server))
    const served = lines(server.stdout).map((line) => JSON.parse(line) as Record<string, unknown>)
    assert.deepStrictEqual(
      served.map((e) => [e.level, e.message, e.correlationId]),
      [
        ["info", "hello handled", "pkg-1"],
        ["info", "request completed", "pkg-1"],
        [undefined, undefined, undefined]
      ],
      describeRun(server)
    )
    assert.deepInclude(served[1]?.http as object, {
      method: "GET",
      path: "/hello",
      status: 200,
      responseBytes: 2
    })
    assert.deepStrictEqual(served[2], { client: { status: 200, echoed: "pkg-1", body: "hi" } })

    // the subpath entries load without their frameworks installed (optional peers)
    fs.writeFileSync(path.join(scratch, "entries.mjs"), ENTRIES)
    const loaded = await runNode("entries.mjs", scratch, { env: node22Env })
    assertSucceeded(loaded, "importing the subpath entries")
    assert.deepStrictEqual(JSON.parse(loaded.stdout), [
      "function",
      "function",
      "function",
      "object",
      "function"
    ])

    fs.writeFileSync(path.join(scratch, "require.cjs"), REQUIRE)
    const required = await runNode("require.cjs", scratch, { env: node22Env })
    assertSucceeded(required, "requiring the package from CommonJS")
    assert.strictEqual(required.stderr, "", describeRun(required))
    assert.deepStrictEqual(
      JSON.parse(required.stdout),
      ["function", "object", "function"],
      describeRun(required)
    )

    fs.writeFileSync(path.join(scratch, "logs.test.mjs"), TEST)
    const vitest = await run(
      process.execPath,
      [path.join(scratch, "node_modules", "vitest", "vitest.mjs"), "run"],
      {
        cwd: scratch,
        env: node22Env,
        timeoutMs: 120_000
      }
    )
    assertSucceeded(vitest, "an @effect/vitest test with FapilogTest")
    assert.match(vitest.stdout, /1 passed/, describeRun(vitest))

    if (declarations) {
      // the repository's TypeScript, against the scratch project's Effect 4 and fapilog-effect4
      fs.writeFileSync(
        path.join(scratch, "tsconfig.json"),
        `${JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            exactOptionalPropertyTypes: true,
            noEmit: true,
            skipLibCheck: false,
            types: []
          },
          files: ["typed.ts", "mistyped.ts"]
        })}\n`
      )
      fs.writeFileSync(path.join(scratch, "typed.ts"), TYPED)
      fs.writeFileSync(path.join(scratch, "mistyped.ts"), MISTYPED)
      const tsc = await run(
        process.execPath,
        [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "."],
        { cwd: scratch, env: node22Env, timeoutMs: 120_000 }
      )
      const errors = lines(tsc.stdout).filter((line) => /error TS\d+/.test(line))
      assert.deepStrictEqual(
        errors.map((line) => /^([^(]+)\((\d+),/.exec(line)?.slice(1, 3)),
        [
          ["mistyped.ts", "3"],
          ["mistyped.ts", "4"]
        ],
        describeRun(tsc)
      )
      assert.match(errors[0] ?? "", /'number' is not assignable to parameter of type 'string'/)
      assert.match(errors[1] ?? "", /"verbose"/)
    }
  })
})
