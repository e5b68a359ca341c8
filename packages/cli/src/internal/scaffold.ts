/**
 * The plugin scaffolder, one implementation for `fapilog plugins new` and the repository's
 * `npm run new-plugin` (scripts/new-plugin.ts): writes a working fapilog plugin package.
 *
 * `<name>` is the plugin type (`kafka`, giving the package `fapilog-plugin-kafka`) or a full
 * package name (`fapilog-plugin-kafka`, or `@fapilog/kafka` for a first-party plugin, which
 * goes to the fapilog repository's `plugins/kafka` by default). The package has the plugin
 * object (a file sink, a static-fields enricher, a processor dropping events by a field's
 * value, or a formatter writing a text layout from a template, to start from), its
 * package.json `fapilog` field, a build, a test running the fapilog/testing conformance
 * suites, and a README; and in `effect4/`, the package of the same source built for Effect 4
 * (`<name>-effect4`, next to `fapilog-effect4`): a package per Effect line, as fapilog's own
 * (docs/plugins.md). The versions it writes come from the manifests of fapilog and
 * fapilog-effect4 it is given ({@link Manifests}).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Plugin } from "fapilog"

const apiVersion = Plugin.apiVersion

/** The kinds of plugin the scaffolder writes: every `Plugin.Kind`. */
export const kinds = [
  "sink",
  "enricher",
  "processor",
  "formatter"
] as const satisfies ReadonlyArray<Plugin.Kind>

/** One of {@link kinds}. */
export type Kind = (typeof kinds)[number]

/** The manifests of fapilog (the repository root) and fapilog-effect4 (`effect4/`): the versions written come from them. */
export interface Manifests {
  readonly root: {
    readonly version: string
    readonly devDependencies: Readonly<Record<string, string>>
    readonly peerDependencies: Readonly<Record<string, string>>
  }
  readonly effect4: {
    readonly version: string
    readonly engines: Readonly<Record<string, string>>
    readonly peerDependencies: Readonly<Record<string, string>>
  }
}

/** What to generate: the plugin's name (its type or package name), its kind, and where. */
export interface Options {
  readonly name: string
  readonly kind: Kind
  /** The package's directory; default: `<type>` under `pluginsDir` for `@fapilog/<type>`, else the package name, under `base`. */
  readonly dir?: string | undefined
  /** What relative directories are relative to. */
  readonly base: string
  /** The fapilog repository's `plugins/`, where first-party (`@fapilog/<type>`) packages go by default. */
  readonly pluginsDir?: string | undefined
  readonly manifests: Manifests
}

/** What was generated: the package's name, its plugin type, its directory and files. */
export interface Generated {
  readonly packageName: string
  readonly type: string
  readonly dir: string
  readonly files: ReadonlyArray<string>
}

/** The package name and type of a name given on the command line. */
export const names = (name: string): { readonly packageName: string; readonly type: string } => {
  const type = name.startsWith("@fapilog/")
    ? name.slice("@fapilog/".length)
    : name.startsWith("fapilog-plugin-")
      ? name.slice("fapilog-plugin-".length)
      : name
  if (!Plugin.isType(type))
    throw new Error(
      `${JSON.stringify(name)} does not give a plugin type: use lowercase letters, digits, ".", "_" and "-" (e.g. kafka, @fapilog/kafka, fapilog-plugin-kafka)`
    )
  return { packageName: name.startsWith("@fapilog/") ? name : `fapilog-plugin-${type}`, type }
}

const camel = (type: string) => type.replace(/[^a-z0-9]+([a-z0-9])/g, (_, c: string) => c.toUpperCase())

const descriptions: Record<Kind, (type: string) => string> = {
  sink: (type) => `fapilog sink "${type}": appends JSON lines to a file.`,
  enricher: (type) => `fapilog enricher "${type}": adds fixed fields to every event.`,
  processor: (type) =>
    `fapilog processor "${type}": drops the events whose field has one of the given values.`,
  formatter: (type) =>
    `fapilog formatter "${type}": writes each event as a line of text laid out by a template.`
}

const packageJson = (packageName: string, type: string, kind: Kind, manifests: Manifests): string => {
  const root = manifests.root
  const dev = root.devDependencies
  const pick = (names: ReadonlyArray<string>) =>
    Object.fromEntries(names.filter((n) => dev[n] !== undefined).map((n) => [n, dev[n] as string]))
  return `${JSON.stringify(
    {
      name: packageName,
      version: "0.1.0",
      description: descriptions[kind](type),
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
      // built against fapilog, for Effect 3; effect4/ is the package for Effect 4
      fapilog: { kind, type, apiVersion, effect: [3] },
      keywords: ["fapilog", "fapilog-plugin", type, "logging"],
      scripts: {
        build: "tsup",
        "build:effect4": "npm --prefix effect4 run build",
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

/** The package.json of the Effect 4 package, `effect4/`: the same plugin, built against fapilog-effect4. */
const effect4PackageJson = (packageName: string, type: string, kind: Kind, manifests: Manifests): string => {
  const line = manifests.effect4
  return `${JSON.stringify(
    {
      name: `${packageName}-effect4`,
      version: "0.1.0",
      description: `${descriptions[kind](type)} For Effect 4 (fapilog-effect4).`,
      license: "MIT",
      type: "module",
      sideEffects: false,
      engines: { node: line.engines.node ?? ">=22.19" },
      files: ["dist", "README.md"],
      main: "./dist/index.js",
      module: "./dist/index.js",
      exports: { ".": { import: "./dist/index.js" }, "./package.json": "./package.json" },
      fapilog: { kind, type, apiVersion, effect: [4] },
      keywords: ["fapilog", "fapilog-plugin", "effect4", type, "logging"],
      // built with the tools installed in the package above (npm looks for them up the tree)
      scripts: { build: "tsup", prepack: "npm run build" },
      peerDependencies: {
        effect: line.peerDependencies.effect ?? "^4.1.5",
        "fapilog-effect4": `^${line.version}`
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

// the package for Effect 3; effect4/tsup.config.ts builds the same source for Effect 4
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

const effect4TsupConfig = `import type { Plugin } from "esbuild"
import { defineConfig } from "tsup"

// the package for Effect 4: the source of the package above (../src) against fapilog-effect4,
// what \`import "fapilog"\` becomes; effect stays the application's, Effect 4 there
const effect4: Plugin = {
  name: "fapilog-effect4",
  setup(build) {
    build.onResolve({ filter: /^fapilog$/ }, () => ({ path: "fapilog-effect4", external: true }))
  }
}

export default defineConfig({
  entry: { index: "../src/index.ts" },
  format: ["esm"],
  sourcemap: true,
  clean: true,
  target: "node22",
  platform: "node",
  external: [/^effect(\\/.*)?$/, /^@effect\\//, "fapilog-effect4"],
  // tsup would keep \`fapilog\` as is (a peer dependency of the package above): the plugin renames it
  noExternal: [/^fapilog$/],
  esbuildPlugins: [effect4]
})
`

const effect4Readme = (packageName: string, type: string) => `# ${packageName}-effect4

[\`${packageName}\`](../README.md) for Effect 4: the same plugin, built from the same source
against \`fapilog-effect4\` (same settings, same behaviour).

\`\`\`sh
npm install fapilog-effect4 ${packageName}-effect4
\`\`\`

Name it by its type, \`{ type: "${type}", ... }\`, as on Effect 3: \`fapilog-effect4\` finds this
package. Its settings and usage are in [\`${packageName}\`'s README](../README.md).
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
  path: Plugin.accepted("Path", (u): u is string => typeof u === "string" && u.length > 0, "a file path")
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
  fields: Plugin.accepted(
    "Fields",
    (u): u is Readonly<Record<string, string>> =>
      typeof u === "object" && u !== null && !Array.isArray(u) && Object.values(u).every((v) => typeof v === "string"),
    "an object of string values"
  )
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

const processorSource = (packageName: string, type: string) => `/**
 * The "${type}" processor: drops the events whose field has one of the given values (health
 * checks, a noisy route, a chatty client). Settings name it
 * \`processors: [{ type: "${type}", field: "path", values: ["/health"] }]\`; fapilog finds this
 * package by that type. \`process\` runs for every event in fapilog's worker, before every
 * sink: keep it fast and never throw. Events are frozen: keep one as it is, drop it (return
 * \`undefined\`), or return a new one (\`{ ...event, fields: { ... } }\`) to change it.
 */
import { Effect, Schema } from "effect"
import { Level, type LogEvent, Plugin, Processor } from "fapilog"

/** The config of the processor: every key of its settings entry except \`type\`, \`order\` and \`onError\`. */
export const Config = Schema.Struct({
  /**
   * The field looked at. A dotted name (\`http.route\`) reads nested objects when no field
   * has that exact name.
   */
  field: Plugin.accepted(
    "Field",
    (u): u is string => typeof u === "string" && u.length > 0,
    "a field name (a non-empty string)"
  ),
  /** The values that drop an event, compared as text with a string, number or boolean field. */
  values: Plugin.accepted(
    "Values",
    (u): u is ReadonlyArray<string> => Array.isArray(u) && u.length > 0 && u.every((v) => typeof v === "string"),
    "a non-empty list of strings"
  ),
  /** Only events at these levels are dropped; by default, events at every level. */
  levels: Plugin.optional(Schema.Array(Plugin.oneOf(Level.all)))
})

export type Config = typeof Config.Type

/** What the config is written as in settings. */
export type ConfigInput = typeof Config.Encoded

// with this package imported, \`{ type: "${type}", field, values }\` is a \`processors\` entry the compiler checks
declare module "fapilog" {
  interface PluginProcessors {
    ${JSON.stringify(type)}: ConfigInput
  }
}

/** A field's value as the text \`values\` holds; undefined for anything else (objects, absent). */
const textOf = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean" || typeof value === "bigint"
      ? String(value)
      : undefined

/**
 * The value of \`field\` in \`fields\`: the field of that exact name, else the nested value its
 * dots spell. Undefined when absent, or when reading it throws (a getter or a proxy of the
 * caller's): such an event cannot match, so it is kept.
 */
const read = (fields: Readonly<Record<string, unknown>>, field: string, path: ReadonlyArray<string>): unknown => {
  try {
    if (Object.hasOwn(fields, field)) return fields[field]
    if (path.length < 2) return undefined
    let at: unknown = fields
    for (const key of path) {
      if (typeof at !== "object" || at === null || !Object.hasOwn(at, key)) return undefined
      at = (at as Record<string, unknown>)[key]
    }
    return at
  } catch {
    return undefined
  }
}

/** Whether the config drops an event; everything it needs is prepared once. */
const matcher = (config: Config): ((event: LogEvent.LogEvent) => boolean) => {
  const values: ReadonlySet<string> = new Set(config.values)
  const levels: ReadonlySet<string> | undefined = config.levels === undefined ? undefined : new Set(config.levels)
  const path = config.field.split(".")
  return (event) => {
    if (levels !== undefined && !levels.has(event.level)) return false
    const text = textOf(read(event.fields, config.field, path))
    return text !== undefined && values.has(text)
  }
}

export const plugin = Plugin.processor({
  name: ${JSON.stringify(packageName)},
  type: ${JSON.stringify(type)},
  version: "0.1.0",
  // the plugin API this code was written against (a literal: fapilog checks it on load)
  apiVersion: ${JSON.stringify(apiVersion)},
  description: "Drops the events whose field has one of the given values",
  keywords: [${JSON.stringify(type)}, "filter"],
  // onError is left to its default, "pass": an event this filter cannot process goes on. A
  // processor that must never let an unprocessed event through (one removing personal data)
  // declares onError: "drop", which also holds while its start is failing.
  config: Config,
  make: (config) =>
    Effect.sync(() => {
      const drops = matcher(config)
      // what it drops is counted by fapilog under the plugin's type: stats().filteredBy
      return Processor.make(${JSON.stringify(type)}, (event) => (drops(event) ? undefined : event))
    })
})

export default plugin
`

const formatterSource = (packageName: string, type: string) => `/**
 * The "${type}" formatter: writes each event as one line of text laid out by a template,
 * \`{timestamp} {LEVEL} [{logger}] {message}\` unless configured. Settings name it as a
 * format, the logger's or a sink's: \`format: "${type}"\`, or with its config,
 * \`format: { type: "${type}", template: "{LEVEL} {message} user={fields.userId}" }\`; fapilog
 * finds this package by that type. \`format\` runs once per event for all the sinks using it:
 * it never throws, and returns exactly one non-empty line of valid UTF-8 whatever the event
 * holds (line breaks and other control characters are escaped, lone surrogates replaced).
 */
import { Effect, Schema } from "effect"
import { Formatter, type LogEvent, Plugin } from "fapilog"

/** What a placeholder stands for in an event; undefined when the event has no such value. */
type Value = (event: LogEvent.LogEvent) => unknown

const core: Readonly<Record<string, Value>> = {
  timestamp: (e) => e.timestamp,
  level: (e) => e.level,
  LEVEL: (e) => e.level.toUpperCase(),
  logger: (e) => e.logger,
  message: (e) => e.message,
  correlationId: (e) => e.correlationId,
  traceId: (e) => e.traceId,
  spanId: (e) => e.spanId,
  error: (e) => (e.error === undefined ? undefined : \`\${e.error.type}: \${e.error.message}\`)
}

/** \`{fields.<name>}\`: the field of that exact name. */
const field =
  (name: string): Value =>
  (e) =>
    Object.hasOwn(e.fields, name) ? e.fields[name] : undefined

/** A piece of a template: literal text, or a placeholder. */
type Part = string | Value

/** The pieces of a template; undefined when a placeholder is unknown or a brace unmatched. */
const parse = (template: string): ReadonlyArray<Part> | undefined => {
  const parts: Array<Part> = []
  let from = 0
  for (const match of template.matchAll(/\\{([^{}]*)\\}/g)) {
    const literal = template.slice(from, match.index)
    if (/[{}]/.test(literal)) return undefined
    if (literal !== "") parts.push(literal)
    const name = match[1] ?? ""
    const value = Object.hasOwn(core, name)
      ? core[name]
      : name.startsWith("fields.") && name.length > "fields.".length
        ? field(name.slice("fields.".length))
        : undefined
    if (value === undefined) return undefined
    parts.push(value)
    from = match.index + match[0].length
  }
  const tail = template.slice(from)
  if (/[{}]/.test(tail)) return undefined
  if (tail !== "") parts.push(tail)
  return parts
}

/** Characters that would break a line: C0 and C1 controls, DEL, the line and paragraph separators. */
const CONTROL = /[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]/
/** The same, and lone UTF-16 surrogates (no UTF-8 text can hold one). */
const UNSAFE = /[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]/g
const ESCAPES: Readonly<Record<string, string>> = { "\\n": "\\\\n", "\\r": "\\\\r", "\\t": "\\\\t" }

/** \`text\` cut to \`max\` characters (marked with …) and made safe for one line. */
const clean = (text: string, max: number): string =>
  (text.length > max ? \`\${text.slice(0, max)}…\` : text).replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0)
    if (code >= 0xd800 && code <= 0xdfff) return "\\ufffd"
    return ESCAPES[c] ?? \`\\\\u\${code.toString(16).padStart(4, "0")}\`
  })

/** A value as text: strings as they are, other primitives with String, objects as JSON; "-" when absent or empty. */
const textOf = (value: unknown): string => {
  if (value === undefined || value === null || value === "") return "-"
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value)
  try {
    return JSON.stringify(value) ?? "-"
  } catch {
    // cycles, BigInt inside, throwing getters or proxies: the caller's data, never a failure of the line
    return "[unserializable]"
  }
}

export const defaultTemplate = "{timestamp} {LEVEL} [{logger}] {message}"

const placeholders = [...Object.keys(core), "fields.<name>"].map((p) => \`{\${p}}\`).join(", ")

/** A template: one line of text and placeholders, each checked when the config is. */
export const Template = Plugin.accepted(
  "Template",
  (u): u is string =>
    typeof u === "string" && u.trim() !== "" && u.length <= 1000 && !CONTROL.test(u) && parse(u) !== undefined,
  \`a one-line template of text and the placeholders \${placeholders}\`
)

/** The config of the formatter: every key of its format entry except \`type\`. */
export const Config = Schema.Struct({
  /** The layout of a line; default \`{timestamp} {LEVEL} [{logger}] {message}\`. */
  template: Plugin.optional(Template),
  /** Longest text written for one placeholder, in characters (longer ends with …); default 8192. */
  maxValueLength: Plugin.optional(Plugin.wholeNumber(1, 1_000_000, "characters"))
})

export type Config = typeof Config.Type

/** What the config is written as in settings. */
export type ConfigInput = typeof Config.Encoded

// with this package imported, \`format: "${type}"\` and \`format: { type: "${type}", template }\` type-check
declare module "fapilog" {
  interface PluginFormatters {
    ${JSON.stringify(type)}: ConfigInput
  }
}

export const plugin = Plugin.formatter({
  name: ${JSON.stringify(packageName)},
  type: ${JSON.stringify(type)},
  version: "0.1.0",
  // the plugin API this code was written against (a literal: fapilog checks it on load)
  apiVersion: ${JSON.stringify(apiVersion)},
  description: "Writes each event as a line of text laid out by a template",
  keywords: [${JSON.stringify(type)}, "text"],
  config: Config,
  make: (config) =>
    Effect.sync(() => {
      // the Schema has checked the template: it parses
      const parts = parse(config.template ?? defaultTemplate) ?? []
      const max = config.maxValueLength ?? 8192
      return Formatter.make(${JSON.stringify(type)}, (event) => {
        let line = ""
        for (const part of parts) line += typeof part === "string" ? part : clean(textOf(part(event)), max)
        return line
      })
    })
})

export default plugin
`

const processorTest = (packageName: string, type: string) => `import * as fs from "node:fs"
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

describe(${JSON.stringify(packageName)}, () => {
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
      processors: [{ type: ${JSON.stringify(type)}, field: "http.route", values: ["/health"], levels: ["info"] }],
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
    assert.deepStrictEqual(stats.filteredBy, { ${JSON.stringify(type)}: 2 })
  })

  it("refuses an invalid config with an error naming the field", async () => {
    const error = await createLogger({
      processors: [{ type: ${JSON.stringify(type)}, field: "path", values: [] }],
      plugins: { use: [plugin] }
    }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Errors.ConfigError)
    assert.strictEqual((error as Errors.ConfigError).issues[0]?.path, "processors[0].values")
  })
})
`

const formatterTest = (packageName: string, type: string) => `import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createLogger, Errors, Plugin } from "fapilog"
import * as Testing from "fapilog/testing"
import { plugin } from "../src/index.js"

const packageJson: unknown = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"))

const readLines = (file: string): Array<string> =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\\n").filter((l) => l !== "") : []

describe(${JSON.stringify(packageName)}, () => {
  it.effect("its metadata agrees with package.json and loads on this fapilog", () =>
    Effect.asVoid(Testing.pluginConformance(plugin, { packageJson }))
  )

  it.live("passes the formatter conformance suite", () =>
    Testing.formatterConformance({
      make: Plugin.open(plugin, {}),
      // the default template, "{timestamp} {LEVEL} [{logger}] {message}"
      check: (line, event) =>
        line.startsWith(\`\${event.timestamp} \${event.level.toUpperCase()} [\`)
          ? undefined
          : "does not start with the timestamp and the level"
    }).pipe(Effect.map((report) => assert.include(report.passed, "valid-line")))
  )

  it("lays out the lines of the sinks whose format names it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "${type}-"))
    const log = await createLogger({
      sinks: [
        { type: "file", path: path.join(dir, "default.log"), format: ${JSON.stringify(type)} },
        {
          type: "file",
          path: path.join(dir, "custom.log"),
          format: { type: ${JSON.stringify(type)}, template: "{LEVEL} {message} order={fields.orderId} user={fields.user}" }
        }
      ],
      plugins: { use: [plugin] }
    })
    log.info("order placed", { orderId: 7, user: { id: "u-1" } })
    log.warn("two\\nlines")
    await log.close()
    const [placed, warned] = readLines(path.join(dir, "default.log"))
    assert.match(placed ?? "", /^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO \\[app\\] order placed$/)
    assert.match(warned ?? "", / WARN \\[app\\] two\\\\nlines$/)
    assert.deepStrictEqual(readLines(path.join(dir, "custom.log")), [
      'INFO order placed order=7 user={"id":"u-1"}',
      "WARN two\\\\nlines order=- user=-"
    ])
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("refuses a template with an unknown placeholder, naming the field", async () => {
    const error = await createLogger({
      format: { type: ${JSON.stringify(type)}, template: "{time} {msg}" },
      plugins: { use: [plugin] }
    }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Errors.ConfigError)
    assert.strictEqual((error as Errors.ConfigError).issues[0]?.path, "format.template")
  })
})
`

/** What the README says of each kind: its use by type, its use without discovery, its config. */
interface ReadmeParts {
  readonly usage: string
  readonly explicitImports: string
  readonly explicit: string
  readonly config: string
  readonly badConfig: string
}

const readmeParts = (packageName: string, type: string): Record<Kind, ReadmeParts> => ({
  sink: {
    usage: `const log = await createLogger({ sinks: ["stdout", { type: "${type}", path: "logs/app.log" }] })`,
    explicitImports: "createLogger, Plugin",
    explicit: `const log = await createLogger({ sinks: [Plugin.open(plugin, { path: "logs/app.log" })] })`,
    config:
      "| key | type | meaning |\n|---|---|---|\n| `path` | string | file the JSON lines are appended to |\n| `level` | level | (read by fapilog) lowest level this sink receives |",
    badConfig: `sinks[1].path: plugin ${packageName}@0.1.0: ...`
  },
  enricher: {
    usage: `const log = await createLogger({ enrichers: [{ type: "${type}", fields: { region: "eu-1" } }] })`,
    explicitImports: "createLogger",
    explicit: `const log = await createLogger({ enrichers: [{ type: "${type}", fields: {} }], plugins: { use: [plugin] } })`,
    config:
      "| key | type | meaning |\n|---|---|---|\n| `fields` | record of strings | fields added to every event |",
    badConfig: `enrichers[0].fields: plugin ${packageName}@0.1.0: ...`
  },
  processor: {
    usage: `const log = await createLogger({
  processors: [{ type: "${type}", field: "path", values: ["/health", "/ready"], levels: ["debug", "info"] }]
})`,
    explicitImports: "createLogger, Fapilog, Plugin, Processor",
    explicit: `const log = await createLogger({
  processors: [{ type: "${type}", field: "path", values: ["/health"] }],
  plugins: { use: [plugin] }
})
// in an Effect program, as a layer
const Logging = Fapilog.layer().pipe(
  Layer.provide(Processor.layerEffect(Plugin.open(plugin, { field: "path", values: ["/health"] })))
)`,
    config: [
      "| key | type | meaning |",
      "|---|---|---|",
      "| `field` | string | the field looked at; a dotted name (`http.route`) reads nested objects when no field has that exact name |",
      "| `values` | non-empty list of strings | an event whose field equals one of them (as text: strings, numbers, booleans) is dropped |",
      "| `levels` | list of levels | only events at these levels are dropped; default: every level |",
      "| `order` | number | (read by fapilog) where it runs among the processors, lower first; default 0 |",
      '| `onError` | `"pass"` or `"drop"` | (read by fapilog) what happens to an event it cannot process; default `"pass"` |',
      "",
      "What it drops is counted in `stats().filtered`, and under its type in `stats().filteredBy`."
    ].join("\n"),
    badConfig: `processors[0].values: plugin ${packageName}@0.1.0: [] is not a non-empty list of strings`
  },
  formatter: {
    usage: `const log = await createLogger({
  format: "${type}",
  sinks: ["stdout", { type: "file", path: "logs/app.log", format: { type: "${type}", template: "{timestamp} {level} {message} order={fields.orderId}" } }]
})`,
    explicitImports: "createLogger, Plugin, Sink",
    explicit: `const log = await createLogger({ format: "${type}", plugins: { use: [plugin] } })
// or opened where a sink is made
const log2 = await createLogger({
  sinks: [Effect.map(Plugin.open(plugin, {}), (format) => Sink.stdout({ format }))]
})`,
    config: [
      "| key | type | meaning |",
      "|---|---|---|",
      "| `template` | string | the layout of a line: text and the placeholders `{timestamp}`, `{level}`, `{LEVEL}` (upper case), `{logger}`, `{message}`, `{correlationId}`, `{traceId}`, `{spanId}`, `{error}` (type: message), `{fields.<name>}`; default `{timestamp} {LEVEL} [{logger}] {message}` |",
      "| `maxValueLength` | whole number, 1 to 1,000,000 | longest text written for one placeholder, in characters; default 8192 |",
      "",
      "An absent or empty value is written `-`; objects are written as JSON. Each line is one line:",
      "line breaks and other control characters are escaped (`\\n`, `\\u001b`), and a lone",
      "surrogate is written as U+FFFD."
    ].join("\n"),
    badConfig: `format.template: plugin ${packageName}@0.1.0: "{time}" is not a one-line template of ...`
  }
})

const readme = (packageName: string, type: string, kind: Kind) => {
  const parts = readmeParts(packageName, type)[kind]
  const effectImports =
    kind === "processor"
      ? 'import { Layer } from "effect"\n'
      : kind === "formatter"
        ? 'import { Effect } from "effect"\n'
        : ""
  return `# ${packageName}

A fapilog ${kind} plugin (type \`${type}\`, plugin API ${apiVersion}).

## Use

\`\`\`sh
npm install fapilog ${packageName}                   # Effect 3
npm install fapilog-effect4 ${packageName}-effect4   # Effect 4
\`\`\`

One source, a package per Effect line: \`${packageName}-effect4\` (in \`effect4/\`) is this
plugin built against \`fapilog-effect4\`, and is used the same way.

Name its type in the settings; fapilog finds the installed package by that name:

\`\`\`ts
import { createLogger } from "fapilog"
import type {} from "${packageName}" // its entry's types (see below)

${parts.usage}
\`\`\`

In TypeScript, the entry is checked by the compiler once the package is part of the program:
its declarations add \`${kind === "formatter" ? `"${type}"` : `{ type: "${type}", ... }`}\` to fapilog's settings types, so a missing or
misspelt option fails to compile. Import it once, anywhere (\`import type {} from "${packageName}"\`
is enough when nothing else of it is used).

Bundled applications (no package lookup at run time) pass the plugin object instead:

\`\`\`ts
${effectImports}import { ${parts.explicitImports} } from "fapilog"
import { plugin } from "${packageName}"

${parts.explicit}
\`\`\`

## Config

${parts.config}

An invalid config fails \`createLogger\` with a \`ConfigError\` naming the field, e.g.
\`${parts.badConfig}\`.

## Develop

\`\`\`sh
npm install
npm test          # conformance suites from fapilog/testing, plus settings tests
npm run typecheck
npm run build          # ESM + CommonJS for Effect 3, in dist/
npm run build:effect4  # the same source for Effect 4, in effect4/dist/
\`\`\`

Publish both packages: \`npm publish\` here and in \`effect4/\` (each builds itself first).
The Effect 4 package's \`package.json\` keeps the same \`version\` and \`fapilog\` field, with
\`"effect": [4]\`, and its name is this one's with \`-effect4\`: the test kit checks it on Effect 4.

Keep \`version\` in \`src/index.ts\` and \`package.json\` equal, and the package.json
\`fapilog\` field (\`kind\`, \`type\`, \`apiVersion\`) in step with the plugin object: the test
checks both. \`apiVersion\` is the fapilog plugin API the code was written against; raise its
minor only when you use something a newer fapilog added. See fapilog's docs/plugins.md.
`
}

const sources: Record<Kind, (packageName: string, type: string) => string> = {
  sink: sinkSource,
  enricher: enricherSource,
  processor: processorSource,
  formatter: formatterSource
}

const tests: Record<Kind, (packageName: string, type: string) => string> = {
  sink: sinkTest,
  enricher: enricherTest,
  processor: processorTest,
  formatter: formatterTest
}

/** Writes the package; refuses to write into a directory that is not empty. */
export const generate = (options: Options): Generated => {
  if (!(kinds as ReadonlyArray<string>).includes(options.kind))
    throw new Error(
      `${JSON.stringify(options.kind)} is not a plugin kind: use ${kinds.slice(0, -1).join(", ")} or ${kinds.at(-1)}`
    )
  const { packageName, type } = names(options.name)
  const firstParty = packageName.startsWith("@fapilog/") && options.pluginsDir !== undefined
  const dir = path.resolve(
    options.base,
    options.dir ?? (firstParty ? path.join(options.pluginsDir ?? "", type) : packageName)
  )
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
    throw new Error(`${dir} exists and is not empty: choose another --dir`)
  const files: Record<string, string> = {
    "package.json": packageJson(packageName, type, options.kind, options.manifests),
    "tsconfig.json": tsconfig,
    "tsup.config.ts": tsupConfig,
    "src/index.ts": sources[options.kind](packageName, type),
    [`test/${camel(type)}.test.ts`]: tests[options.kind](packageName, type),
    "README.md": readme(packageName, type, options.kind),
    "effect4/package.json": effect4PackageJson(packageName, type, options.kind, options.manifests),
    "effect4/tsup.config.ts": effect4TsupConfig,
    "effect4/README.md": effect4Readme(packageName, type),
    ".gitignore": "node_modules\ndist\n"
  }
  for (const [file, text] of Object.entries(files)) {
    const target = path.join(dir, file)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, text)
  }
  return { packageName, type, dir, files: Object.keys(files) }
}

/** What both front ends print after {@link generate}: what was made, and what to run next. */
export const summary = (out: Generated, kind: Kind, cwd: string): string =>
  [
    `created ${out.packageName} (${kind} plugin, type "${out.type}") in ${out.dir}:`,
    ...out.files.map((f) => `  ${f}`),
    "next:",
    `  cd ${path.relative(cwd, out.dir) || "."} && npm install && npm test`
  ].join("\n")
