/**
 * The files of a generated project, from its {@link Answers}: package.json (the dependencies
 * the answers need, at the versions of this release: versions.ts), tsconfig.json (strict),
 * src/logging.ts (fapilog's settings: the service name, the sinks, the redaction preset),
 * src/main.ts (the chosen API and HTTP integration), README.md and .gitignore. Pure: the
 * caller writes them (project.ts).
 */
import type { Answers, SinkChoice } from "./answers.js"
import { versions as releaseVersions, type Versions } from "./versions.js"

/** One file of the project: a path relative to its directory (with "/") and its text. */
export interface ProjectFile {
  readonly path: string
  readonly content: string
}

const docs = "https://fapilog.github.io/fapilog"

/** The package a project imports fapilog from on its Effect line. */
export const fapilogPackage = (answers: Answers): string =>
  answers.effect === 3 ? "fapilog" : "fapilog-effect4"

const sorted = (record: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** The dependencies and devDependencies of the project. */
export const dependencies = (
  answers: Answers,
  versions: Versions = releaseVersions
): { readonly dependencies: Record<string, string>; readonly devDependencies: Record<string, string> } => {
  const e3 = answers.effect === 3
  const deps: Record<string, string> = {
    [fapilogPackage(answers)]: e3 ? versions.fapilog : versions.fapilogEffect4,
    effect: e3 ? versions.effect3 : versions.effect4
  }
  const dev: Record<string, string> = { typescript: versions.typescript, "@types/node": versions.typesNode }
  switch (answers.http) {
    case "platform":
      deps["@effect/platform"] = versions.platform3
      deps["@effect/platform-node"] = versions.platformNode3
      break
    case "effect-http":
      deps["@effect/platform-node"] = versions.platformNode4
      break
    case "express":
      deps.express = versions.express
      dev["@types/express"] = versions.typesExpress
      break
    case "fastify":
      deps.fastify = versions.fastify
      break
    case "none":
      break
  }
  return { dependencies: sorted(deps), devDependencies: sorted(dev) }
}

const packageJson = (answers: Answers, versions: Versions): string =>
  `${JSON.stringify(
    {
      name: answers.name,
      version: "0.1.0",
      private: true,
      type: "module",
      engines: { node: answers.effect === 3 ? versions.node3 : versions.node4 },
      scripts: {
        build: "tsc",
        start: "tsc && node dist/main.js",
        typecheck: "tsc --noEmit"
      },
      ...dependencies(answers, versions)
    },
    null,
    2
  )}\n`

const tsconfig = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2023"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      types: ["node"],
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      esModuleInterop: true,
      skipLibCheck: true,
      rootDir: "src",
      outDir: "dist"
    },
    include: ["src"]
  },
  null,
  2
)}\n`

/** The log file of the `file` sink. */
export const logFile = (answers: Answers): string => `logs/${answers.name}.log`

const sinkEntry = (sink: SinkChoice, answers: Answers): string =>
  sink === "file"
    ? `{ type: "file", path: "${logFile(answers)}", maxBytes: "10 MB", maxFiles: 5 }`
    : `"${sink}"`

const redactionLines = (answers: Answers): ReadonlyArray<string> => {
  switch (answers.redaction) {
    case "none":
      return ["  // no redaction: see the redact setting to hide secrets"]
    case "secrets":
      return [
        "  // the common secret key names (password, token, apiKey, authorization, cookie, ...) at any",
        "  // depth and in any case, as the production preset redacts them",
        "  redact: Settings.presets.production.redact"
      ]
    case "hardened":
      return [
        "  // the common secret key names (password, token, apiKey, authorization, cookie, ...) at any",
        "  // depth and in any case, fail-closed, as the hardened preset redacts them",
        "  redact: Settings.presets.hardened.redact"
      ]
  }
}

const loggingTs = (answers: Answers): string =>
  [
    answers.redaction === "none"
      ? `import type { Settings } from "${fapilogPackage(answers)}"`
      : `import { Settings } from "${fapilogPackage(answers)}"`,
    "",
    "/**",
    ` * How ${answers.name} logs: fapilog's settings (${docs}/settings).`,
    " * FAPILOG_* environment variables override them, e.g. FAPILOG_LEVEL=debug.",
    " */",
    "export const settings: Settings.Settings = {",
    `  name: "${answers.name}",`,
    `  sinks: [${answers.sinks.map((s) => sinkEntry(s, answers)).join(", ")}],`,
    ...redactionLines(answers),
    "}",
    ""
  ].join("\n")

/** The fields of the first line: with a redaction preset, one of them shows it at work. */
const firstFields = (answers: Answers): string =>
  answers.redaction === "none"
    ? "{ node: process.version }"
    : `{ node: process.version, token: "never-in-the-logs" }`

const port = "const port = Number(process.env.PORT ?? 3000)"

const effectNone = (answers: Answers): string => `import { Effect } from "effect"
import { Fapilog } from "${fapilogPackage(answers)}"
import { settings } from "./logging.js"

const program = Effect.log("${answers.name} started").pipe(Effect.annotateLogs(${firstFields(answers)}))

// Fapilog.layer is Effect's logger for the program (FapilogLive is the same layer with the
// default settings): every Effect.log* call goes through fapilog's pipeline, which is
// drained before runPromise resolves
await Effect.runPromise(program.pipe(Effect.provide(Fapilog.layer(settings))))
`

const effectPlatform = (answers: Answers): string => `import { createServer } from "node:http"
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { Fapilog } from "fapilog"
import * as Http from "fapilog/http"
import { settings } from "./logging.js"

const hello = Effect.log("hello requested").pipe(
  Effect.annotateLogs(${firstFields(answers)}),
  Effect.as(HttpServerResponse.text("hello from ${answers.name}\\n"))
)

const app = HttpRouter.empty.pipe(
  HttpRouter.get("/", hello),
  HttpRouter.get("/health", HttpServerResponse.text("ok\\n"))
)

${port}

// every request gets a correlation id (x-request-id, echoed) on all its lines and one access line
const Server = HttpServer.serve(app, Http.middleware({ accessLog: { skipPaths: ["/health"] } })).pipe(
  HttpServer.withLogAddress,
  Layer.provide(NodeHttpServer.layer(createServer, { port })),
  // built before the server, drained after it stops (runMain stops it on SIGINT or SIGTERM)
  Layer.provide(Fapilog.layer(settings))
)

NodeRuntime.runMain(Layer.launch(Server))
`

const effectHttp4 = (answers: Answers): string => `import { createServer } from "node:http"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { Fapilog, Http } from "fapilog-effect4"
import { settings } from "./logging.js"

const hello = Effect.log("hello requested").pipe(
  Effect.annotateLogs(${firstFields(answers)}),
  Effect.as(HttpServerResponse.text("hello from ${answers.name}\\n"))
)

const Routes = Layer.mergeAll(
  HttpRouter.add("GET", "/", hello),
  HttpRouter.add("GET", "/health", HttpServerResponse.text("ok\\n"))
)

${port}

// every request gets a correlation id (x-request-id, echoed) on all its lines and one access
// line: fapilog's lines stand in for the router's own request logging
const Server = HttpRouter.serve(Routes, {
  disableLogger: true,
  middleware: Http.middleware({ accessLog: { skipPaths: ["/health"] } })
}).pipe(
  Layer.provide(NodeHttpServer.layer(createServer, { port })),
  // built before the server, drained after it stops (runMain stops it on SIGINT or SIGTERM)
  Layer.provide(Fapilog.layer(settings))
)

NodeRuntime.runMain(Layer.launch(Server))
`

const promiseNone = (answers: Answers): string => `import { createLogger } from "${fapilogPackage(answers)}"
import { settings } from "./logging.js"

const log = await createLogger(settings)
log.info("${answers.name} started", ${firstFields(answers)})
// writes what is buffered and closes the sinks
await log.close()
`

const stopOnSignals = (
  close: string
): string => `// SIGINT (Ctrl-C) or SIGTERM: stop taking requests, finish the open ones, then drain the logs
const stop = (signal: NodeJS.Signals): void => {
  log.info("stopping", { signal })
  ${close}
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
`

const promiseExpress = (answers: Answers): string => `import type { AddressInfo } from "node:net"
import express from "express"
import { createLogger } from "${fapilogPackage(answers)}"
import { fapilogExpress } from "${fapilogPackage(answers)}/express"
import { settings } from "./logging.js"

const log = await createLogger(settings)
// every request gets a correlation id (x-request-id, echoed) on all its lines and one access line
const logging = fapilogExpress(log, { accessLog: { skipPaths: ["/health"] } })

const app = express()
app.use(logging) // first, before body parsers and routes
app.get("/", (_req, res) => {
  log.info("hello requested", ${firstFields(answers)})
  res.send("hello from ${answers.name}\\n")
})
app.get("/health", (_req, res) => {
  res.send("ok\\n")
})
app.use(logging.errors) // after the routes

${port}
const server = app.listen(port, () => {
  log.info("listening", { port: (server.address() as AddressInfo).port })
})

${stopOnSignals("server.close(() => void log.close())")}`

const promiseFastify = (answers: Answers): string => `import Fastify from "fastify"
import { createLogger } from "${fapilogPackage(answers)}"
import { fapilogFastify } from "${fapilogPackage(answers)}/fastify"
import { settings } from "./logging.js"

const log = await createLogger(settings)
const app = Fastify() // fastify's own logger stays off: fapilog writes the request lines

// every request gets a correlation id (x-request-id, echoed) on all its lines and one access line
await app.register(fapilogFastify(log, { accessLog: { skipPaths: ["/health"] } }))

app.get("/", async (request) => {
  request.fapilog.info("hello requested", ${firstFields(answers)})
  return "hello from ${answers.name}\\n"
})
app.get("/health", async () => "ok\\n")

${port}
await app.listen({ port, host: "0.0.0.0" })
const address = app.server.address()
log.info("listening", { port: typeof address === "object" && address !== null ? address.port : port })

${stopOnSignals("void app.close().then(() => log.close())")}`

const mainTs = (answers: Answers): string => {
  switch (answers.http) {
    case "none":
      return answers.api === "effect" ? effectNone(answers) : promiseNone(answers)
    case "platform":
      return effectPlatform(answers)
    case "effect-http":
      return effectHttp4(answers)
    case "express":
      return promiseExpress(answers)
    case "fastify":
      return promiseFastify(answers)
  }
}

const httpName: Record<Answers["http"], string> = {
  none: "none",
  platform: "@effect/platform on Node's HTTP server",
  "effect-http": "Effect 4's effect/http on Node's HTTP server",
  express: "Express",
  fastify: "Fastify"
}

const readme = (answers: Answers, versions: Versions): string => {
  const server = answers.http !== "none"
  return `# ${answers.name}

Logs with [fapilog](${docs}/) (\`${fapilogPackage(answers)}\`, Effect ${answers.effect}), through the ${answers.api === "effect" ? "Effect API (a layer, `Effect.log`)" : "Promise API (`createLogger`)"}.

\`\`\`sh
npm install
npm start
\`\`\`

${
  server
    ? `\`npm start\` builds the project and starts the server on port 3000 (\`PORT\` changes it). Each
request logs its own lines and an access line; Ctrl-C (or SIGTERM) stops the server after the
open requests, and the logs are drained before the process exits${answers.http === "effect-http" ? " (with code 130, Effect 4's code for a program interrupted from outside)" : ""}.`
    : "`npm start` builds the project and runs it: it logs one line and exits."
}

- Node ${answers.effect === 3 ? versions.node3 : versions.node4}.
- HTTP: ${httpName[answers.http]}.
- Sinks: ${answers.sinks.map((s) => (s === "file" ? `file (\`${logFile(answers)}\`, rotated at 10 MB, 5 kept)` : s)).join(", ")}.
- Redaction: ${answers.redaction}${answers.redaction === "none" ? "" : " (the common secret key names, in any case and at any depth)"}.

Change them in \`src/logging.ts\` ([settings](${docs}/settings), [sinks](${docs}/sinks),
[redaction](${docs}/redaction)) or with \`FAPILOG_*\` environment variables. On a terminal the
stream sinks write readable lines, elsewhere JSON lines. \`npx fapilog pretty\` (from
[@fapilog/cli](${docs}/cli)) makes JSON lines readable.
`
}

const gitignore = (answers: Answers): string =>
  ["node_modules", "dist", ...(answers.sinks.includes("file") ? ["logs"] : []), ""].join("\n")

/** Every file of the project the answers describe. */
export const projectFiles = (
  answers: Answers,
  versions: Versions = releaseVersions
): ReadonlyArray<ProjectFile> => [
  { path: "package.json", content: packageJson(answers, versions) },
  { path: "tsconfig.json", content: tsconfig },
  { path: "README.md", content: readme(answers, versions) },
  { path: ".gitignore", content: gitignore(answers) },
  { path: "src/logging.ts", content: loggingTs(answers) },
  { path: "src/main.ts", content: mainTs(answers) }
]
