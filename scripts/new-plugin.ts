/**
 * Generates a working fapilog plugin package:
 *
 *   npm run new-plugin -- <name> <sink|enricher> [--dir <out>]
 *
 * `<name>` is the plugin type (`kafka`, giving the package `fapilog-plugin-kafka`) or a full
 * package name (`fapilog-plugin-kafka`, or `@fapilog/kafka` for a first-party plugin, which
 * goes to `plugins/kafka` by default). The package has the plugin object (a file sink or a
 * static-fields enricher to start from), its package.json `fapilog` field, a build, a test
 * running the fapilog/testing conformance suites, and a README.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { apiVersion, isPluginType } from "../src/internal/plugin.js"

type Kind = "sink" | "enricher"

export interface Options {
  readonly name: string
  readonly kind: Kind
  readonly dir?: string | undefined
}

export interface Generated {
  readonly packageName: string
  readonly type: string
  readonly dir: string
  readonly files: ReadonlyArray<string>
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

const usage = "usage: npm run new-plugin -- <name> <sink|enricher> [--dir <out>]"

/** The package name and type of a name given on the command line. */
export const names = (name: string): { readonly packageName: string; readonly type: string } => {
  const type = name.startsWith("@fapilog/")
    ? name.slice("@fapilog/".length)
    : name.startsWith("fapilog-plugin-")
      ? name.slice("fapilog-plugin-".length)
      : name
  if (!isPluginType(type))
    throw new Error(
      `${JSON.stringify(name)} does not give a plugin type: use lowercase letters, digits, ".", "_" and "-" (e.g. kafka, @fapilog/kafka, fapilog-plugin-kafka)`
    )
  return { packageName: name.startsWith("@fapilog/") ? name : `fapilog-plugin-${type}`, type }
}

const camel = (type: string) => type.replace(/[^a-z0-9]+([a-z0-9])/g, (_, c: string) => c.toUpperCase())

const rootManifest = (): {
  version: string
  devDependencies: Record<string, string>
  peerDependencies: Record<string, string>
} => JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"))

const packageJson = (packageName: string, type: string, kind: Kind): string => {
  const root = rootManifest()
  const dev = root.devDependencies
  const pick = (names: ReadonlyArray<string>) =>
    Object.fromEntries(names.filter((n) => dev[n] !== undefined).map((n) => [n, dev[n] as string]))
  return `${JSON.stringify(
    {
      name: packageName,
      version: "0.1.0",
      description:
        kind === "sink"
          ? `fapilog sink "${type}": appends JSON lines to a file.`
          : `fapilog enricher "${type}": adds fixed fields to every event.`,
      license: "MIT",
      type: "module",
      sideEffects: false,
      engines: { node: ">=20" },
      files: ["dist", "README.md"],
      main: "./dist/index.cjs",
      module: "./dist/index.js",
      types: "./dist/index.d.ts",
      exports: {
        ".": {
          import: { types: "./dist/index.d.ts", default: "./dist/index.js" },
          require: { types: "./dist/index.d.cts", default: "./dist/index.cjs" }
        },
        "./package.json": "./package.json"
      },
      fapilog: { kind, type, apiVersion },
      keywords: ["fapilog", "fapilog-plugin", type, "logging"],
      scripts: {
        build: "tsup",
        prepack: "npm run build",
        typecheck: "tsc --noEmit",
        test: "vitest run"
      },
      peerDependencies: {
        effect: root.peerDependencies.effect ?? "^3.22.2",
        fapilog: `^${root.version}`
      },
      devDependencies: {
        fapilog: `^${root.version}`,
        ...pick(["effect", "@effect/vitest", "@types/node", "tsup", "typescript", "vitest"])
      }
    },
    null,
    2
  )}\n`
}

const tsconfig = `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "noUncheckedIndexedAccess": true,
    "isolatedModules": true,
    "esModuleInterop": true,
    "skipLibCheck": true,
    "noEmit": true
  },
  "include": ["src", "test"]
}
`

const tsupConfig = `import { defineConfig } from "tsup"

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // the application's own copies: one fapilog and one effect per process
  external: [/^effect(\\/.*)?$/, /^@effect\\//, /^fapilog(\\/.*)?$/]
})
`

const sinkSource = (packageName: string, type: string) => `/**
 * The "${type}" sink: appends each event as a JSON line to a file. Settings name it
 * \`{ type: "${type}", path: "logs/app.log" }\`; fapilog finds this package by that type.
 * Replace the body of \`make\` with your destination; keep the shape: open in the scope,
 * write batches, release on close, fail with a SinkError.
 */
import * as fs from "node:fs"
import { Effect, Schema } from "effect"
import { Errors, Formatter, Plugin, Sink } from "fapilog"

/** The config of the sink: every key of its settings entry except \`type\` and \`level\`. */
export const Config = Schema.Struct({
  /** The file to append to; created when missing. */
  path: Schema.String.pipe(Schema.minLength(1))
})

export type Config = typeof Config.Type

/** What the config is written as in settings. */
export type ConfigInput = typeof Config.Encoded

// with this package imported, \`{ type: "${type}", path }\` is a \`sinks\` entry the compiler checks
declare module "fapilog" {
  interface PluginSinks {
    ${JSON.stringify(type)}: ConfigInput
  }
}

/** Writes all of \`text\` (a single writeSync may write only part of it). */
const writeAll = (fd: number, text: string): void => {
  const bytes = Buffer.from(text, "utf8")
  let offset = 0
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset)
}

export const plugin = Plugin.sink({
  name: ${JSON.stringify(packageName)},
  type: ${JSON.stringify(type)},
  version: "0.1.0",
  // the plugin API this code was written against (a literal: fapilog checks it on load)
  apiVersion: ${JSON.stringify(apiVersion)},
  description: "Appends JSON lines to a file",
  keywords: [${JSON.stringify(type)}, "file"],
  config: Config,
  make: (config, context) => {
    const name = \`${type}:\${config.path}\`
    return Effect.acquireRelease(
      Effect.try({
        try: () => fs.openSync(config.path, "a", 0o640),
        catch: (cause) => new Errors.SinkError({ sink: name, reason: "cannot open the file", cause })
      }),
      // release never fails: a problem is reported on fapilog's diagnostics
      (fd) =>
        Effect.sync(() => {
          try {
            fs.closeSync(fd)
          } catch (e) {
            context.report("closing the file failed", e)
          }
        })
    ).pipe(
      // a synchronous sink: makeSync turns a throw into a SinkError for the async path
      Effect.map((fd) => Sink.makeSync(name, (batch) => writeAll(fd, batch.text(Formatter.json))))
    )
  }
})

export default plugin
`

const enricherSource = (packageName: string, type: string) => `/**
 * The "${type}" enricher: adds fixed fields to every event. Settings name it
 * \`enrichers: [{ type: "${type}", fields: { region: "eu-1" } }]\`; fapilog finds this package by
 * that type. \`enrich\` runs for every event in fapilog's worker: keep it fast, never throw.
 */
import { Effect, Schema } from "effect"
import { Plugin } from "fapilog"

/** The config of the enricher: every key of its settings entry except \`type\`. */
export const Config = Schema.Struct({
  fields: Schema.Record({ key: Schema.String, value: Schema.String })
})

export type Config = typeof Config.Type

/** What the config is written as in settings. */
export type ConfigInput = typeof Config.Encoded

// with this package imported, \`{ type: "${type}", fields }\` is an \`enrichers\` entry the compiler checks
declare module "fapilog" {
  interface PluginEnrichers {
    ${JSON.stringify(type)}: ConfigInput
  }
}

export const plugin = Plugin.enricher({
  name: ${JSON.stringify(packageName)},
  type: ${JSON.stringify(type)},
  version: "0.1.0",
  // the plugin API this code was written against (a literal: fapilog checks it on load)
  apiVersion: ${JSON.stringify(apiVersion)},
  description: "Adds fixed fields to every event",
  keywords: [${JSON.stringify(type)}],
  config: Config,
  make: (config) =>
    Effect.sync(() => {
      const fields: Readonly<Record<string, string>> = Object.freeze({ ...config.fields })
      return { name: ${JSON.stringify(type)}, enrich: () => fields }
    })
})

export default plugin
`

const sinkTest = (packageName: string, type: string) => `import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createLogger, Errors, Plugin } from "fapilog"
import * as Testing from "fapilog/testing"
import { plugin } from "../src/index.js"

const packageJson: unknown = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"))

const tempFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "${type}-")), "out.log")

const readLines = (file: string): Array<string> =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\\n").filter((l) => l !== "") : []

describe(${JSON.stringify(packageName)}, () => {
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
    const log = await createLogger({ sinks: [{ type: ${JSON.stringify(type)}, path: file }], plugins: { use: [plugin] } })
    log.info("hello", { orderId: 7 })
    await log.close()
    const [line] = readLines(file)
    assert.deepInclude(JSON.parse(line ?? "{}"), { level: "info", message: "hello", orderId: 7 })
  })

  it("refuses an invalid config with an error naming the field", async () => {
    const error = await createLogger({ sinks: [{ type: ${JSON.stringify(type)}, path: "" }], plugins: { use: [plugin] } }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Errors.ConfigError)
    assert.strictEqual((error as Errors.ConfigError).issues[0]?.path, "sinks[0].path")
  })
})
`

const enricherTest = (packageName: string, type: string) => `import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createLogger, Plugin } from "fapilog"
import * as Testing from "fapilog/testing"
import { plugin } from "../src/index.js"

const packageJson: unknown = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"))

describe(${JSON.stringify(packageName)}, () => {
  it.effect("its metadata agrees with package.json and loads on this fapilog", () =>
    Effect.asVoid(Testing.pluginConformance(plugin, { packageJson }))
  )

  it.effect("passes the enricher conformance suite", () =>
    Testing.enricherConformance({ make: Plugin.open(plugin, { fields: { region: "eu-1" } }) }).pipe(
      Effect.map((report) => assert.include(report.passed, "serializable"))
    )
  )

  it("adds its fields when settings name its type", async () => {
    const memory = Testing.memory()
    const log = await createLogger({
      sinks: [memory],
      enrichers: [{ type: ${JSON.stringify(type)}, fields: { region: "eu-1" } }],
      plugins: { use: [plugin] }
    })
    log.info("hello")
    await log.close()
    assert.strictEqual(memory.events()[0]?.fields.region, "eu-1")
  })
})
`

const readme = (packageName: string, type: string, kind: Kind) => {
  const usage =
    kind === "sink"
      ? `const log = await createLogger({ sinks: ["stdout", { type: "${type}", path: "logs/app.log" }] })`
      : `const log = await createLogger({ enrichers: [{ type: "${type}", fields: { region: "eu-1" } }] })`
  const explicit =
    kind === "sink"
      ? `const log = await createLogger({ sinks: [Plugin.open(plugin, { path: "logs/app.log" })] })`
      : `const log = await createLogger({ enrichers: [{ type: "${type}", fields: {} }], plugins: { use: [plugin] } })`
  return `# ${packageName}

A fapilog ${kind} plugin (type \`${type}\`, plugin API ${apiVersion}).

## Use

\`\`\`sh
npm install fapilog ${packageName}
\`\`\`

Name its type in the settings; fapilog finds the installed package by that name:

\`\`\`ts
import { createLogger } from "fapilog"
import type {} from "${packageName}" // its entry's types (see below)

${usage}
\`\`\`

In TypeScript, the entry is checked by the compiler once the package is part of the program:
its declarations add \`{ type: "${type}", ... }\` to fapilog's settings types, so a missing or
misspelt option fails to compile. Import it once, anywhere (\`import type {} from "${packageName}"\`
is enough when nothing else of it is used).

Bundled applications (no package lookup at run time) pass the plugin object instead:

\`\`\`ts
import { createLogger${kind === "sink" ? ", Plugin" : ""} } from "fapilog"
import { plugin } from "${packageName}"

${explicit}
\`\`\`

## Config

${
  kind === "sink"
    ? "| key | type | meaning |\n|---|---|---|\n| `path` | string | file the JSON lines are appended to |\n| `level` | level | (read by fapilog) lowest level this sink receives |"
    : "| key | type | meaning |\n|---|---|---|\n| `fields` | record of strings | fields added to every event |"
}

An invalid config fails \`createLogger\` with a \`ConfigError\` naming the field, e.g.
\`sinks[1].path: plugin ${packageName}@0.1.0: ...\`.

## Develop

\`\`\`sh
npm install
npm test          # conformance suites from fapilog/testing, plus settings tests
npm run typecheck
npm run build     # ESM + CommonJS in dist/
\`\`\`

Keep \`version\` in \`src/index.ts\` and \`package.json\` equal, and the package.json
\`fapilog\` field (\`kind\`, \`type\`, \`apiVersion\`) in step with the plugin object: the test
checks both. \`apiVersion\` is the fapilog plugin API the code was written against; raise its
minor only when you use something a newer fapilog added. See fapilog's docs/plugins.md.
`
}

/** Writes the package; refuses to write into a directory that is not empty. */
export const generate = (options: Options): Generated => {
  if (options.kind !== "sink" && options.kind !== "enricher")
    throw new Error(`${JSON.stringify(options.kind)} is not a plugin kind: use sink or enricher`)
  const { packageName, type } = names(options.name)
  // `npm run` starts scripts in the repository root; INIT_CWD is where it was typed
  const base = process.env.INIT_CWD ?? process.cwd()
  const dir = path.resolve(
    base,
    options.dir ?? (packageName.startsWith("@fapilog/") ? path.join(repoRoot, "plugins", type) : packageName)
  )
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
    throw new Error(`${dir} exists and is not empty: choose another --dir`)
  const files: Record<string, string> = {
    "package.json": packageJson(packageName, type, options.kind),
    "tsconfig.json": tsconfig,
    "tsup.config.ts": tsupConfig,
    "src/index.ts":
      options.kind === "sink" ? sinkSource(packageName, type) : enricherSource(packageName, type),
    [`test/${camel(type)}.test.ts`]:
      options.kind === "sink" ? sinkTest(packageName, type) : enricherTest(packageName, type),
    "README.md": readme(packageName, type, options.kind),
    ".gitignore": "node_modules\ndist\n"
  }
  for (const [file, text] of Object.entries(files)) {
    const target = path.join(dir, file)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, text)
  }
  return { packageName, type, dir, files: Object.keys(files) }
}

const main = (argv: ReadonlyArray<string>): number => {
  const args = [...argv]
  let dir: string | undefined
  const at = args.indexOf("--dir")
  if (at >= 0) {
    dir = args[at + 1]
    if (dir === undefined || dir.startsWith("--")) {
      console.error(`--dir needs a directory\n${usage}`)
      return 2
    }
    args.splice(at, 2)
  }
  const [name, kind, ...rest] = args
  if (name === undefined || kind === undefined || rest.length > 0) {
    console.error(usage)
    return 2
  }
  try {
    const out = generate({ name, kind: kind as Kind, dir })
    console.log(
      [
        `created ${out.packageName} (${kind} plugin, type "${out.type}") in ${out.dir}:`,
        ...out.files.map((f) => `  ${f}`),
        "next:",
        `  cd ${path.relative(process.cwd(), out.dir) || "."} && npm install && npm test`
      ].join("\n")
    )
    return 0
  } catch (e) {
    console.error(`new-plugin: ${(e as Error).message}\n${usage}`)
    return 1
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2))
