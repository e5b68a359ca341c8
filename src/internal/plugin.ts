import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { ConfigError, type ConfigIssue, SinkError } from "../Errors.js"
import type { Formatter } from "../Formatter.js"
import type { Kind, Plugin, Context as PluginContext } from "../Plugin.js"
import type { Processor, Context as ProcessorContext } from "../Processor.js"
import type { Sink, State as SinkState } from "../Sink.js"
import { accepted, show } from "./configSchema.js"
import { Diagnostics } from "./diagnostics.js"
import { effectMajor, hasCommonJsBuild, packageName } from "./effectLine.js"
import type { NamedEnricher } from "./enrichers.js"
import { json } from "./formatter.js"
import { isLevelName, levelNames } from "./level.js"
import { processorIssue } from "./processor.js"
import { deletionRecord, type PluginDeletion, reportToDiagnostics } from "./retentionReport.js"
import { parseAge, parseBytes, type RetentionPolicy } from "./rotatingFile.js"
import { withMinLevel } from "./sink.js"
import { reservedSinkKeys } from "./sinkKeys.js"

/** The plugin API this fapilog implements, `major.minor`. */
export const apiVersion = "1.0"

/** What `plugins` in the settings holds. */
export interface PluginSettings {
  /** Plugin objects to resolve `type` names against before (or instead of) discovery. */
  readonly use?: ReadonlyArray<Plugin> | undefined
  /** When set, only plugins whose type or package name is listed may load. */
  readonly allow?: ReadonlyArray<string> | undefined
  /** Plugins whose type or package name is listed never load (deny wins over allow). */
  readonly deny?: ReadonlyArray<string> | undefined
  /** Look for installed packages by type; default true. */
  readonly discover?: boolean | undefined
  /**
   * Longest a plugin's start, the construction of a sink given as an Effect, or one of a
   * plugin sink's writes may take, in milliseconds; default 30000.
   */
  readonly timeoutMs?: number | undefined
}

export const defaultTimeoutMs = 30_000

/** Seconds between attempts to start a plugin sink whose start failed. */
export const restartIntervalMs = 5_000

// ---------------------------------------------------------------------------------------
// Checks on a plugin object

const API_VERSION = /^(\d+)\.(\d+)(?:\.\d+)?$/

/**
 * Why a plugin written against `declared` cannot load here, or undefined when it can: it
 * must have our major version and at most our minor (a plugin for 1.0 loads on 1.3; one for
 * 1.3 needs what 1.3 added and does not load on 1.0; 2.x never loads on 1.x).
 */
export const incompatibility = (declared: unknown, ours: string = apiVersion): string | undefined => {
  const theirs = typeof declared === "string" ? API_VERSION.exec(declared) : null
  const [, ourMajor, ourMinor] = API_VERSION.exec(ours) as RegExpExecArray
  if (theirs === null)
    return `its apiVersion ${show(declared)} is not a "major.minor" version such as "${apiVersion}"`
  const [, major, minor] = theirs
  if (Number(major) !== Number(ourMajor))
    return `it implements plugin API ${declared}, this fapilog implements ${ours} (the major versions must be equal)`
  if (Number(minor) > Number(ourMinor))
    return `it implements plugin API ${declared}, newer than this fapilog's ${ours}: upgrade fapilog`
  return undefined
}

const kinds: ReadonlyArray<Kind> = ["sink", "enricher", "processor", "formatter"]

/** A plugin type: what settings name in `type`, and the suffix of its package name. */
export const TYPE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,100}$/

export const isPluginType = (u: unknown): u is string => typeof u === "string" && TYPE_PATTERN.test(u)

/**
 * Reads a plugin object once, into a plain frozen copy; or says what is wrong with it. A
 * hostile object (throwing getters, a Proxy) is a problem reported, never an exception.
 */
export const readPlugin = (u: unknown): Either.Either<Plugin, string> => {
  try {
    if (typeof u !== "object" || u === null) return Either.left(`${show(u)} is not a plugin object`)
    const p = u as Record<string, unknown>
    const copy = {
      name: p.name,
      type: p.type,
      kind: p.kind,
      version: p.version,
      apiVersion: p.apiVersion,
      description: p.description,
      keywords: p.keywords,
      config: p.config,
      onError: p.kind === "processor" ? p.onError : undefined,
      minLevel: p.kind === "sink" ? p.minLevel : undefined,
      make: p.make
    }
    const missing: Array<string> = []
    if (typeof copy.name !== "string" || copy.name === "") missing.push("name (a non-empty string)")
    if (!isPluginType(copy.type)) missing.push("type (lowercase letters, digits, '.', '_', '-')")
    if (!kinds.includes(copy.kind as Kind))
      missing.push(`kind (${kinds.slice(0, -1).join(", ")} or ${kinds.at(-1)})`)
    if (typeof copy.version !== "string") missing.push("version (a string)")
    if (typeof copy.apiVersion !== "string") missing.push('apiVersion (a string such as "1.0")')
    if (typeof copy.description !== "string") missing.push("description (a string)")
    if (!Schema.isSchema(copy.config)) missing.push("config (an effect Schema)")
    if (typeof copy.make !== "function") missing.push("make (a function)")
    if (
      copy.kind === "processor" &&
      copy.onError !== undefined &&
      copy.onError !== "pass" &&
      copy.onError !== "drop"
    )
      missing.push(`onError absent or one of pass, drop (not ${show(copy.onError)})`)
    if (copy.minLevel !== undefined && !isLevelName(copy.minLevel))
      missing.push(`minLevel absent or a level (${levelNames.join(", ")}; not ${show(copy.minLevel)})`)
    if (missing.length > 0)
      return Either.left(
        `${typeof copy.name === "string" ? `${show(copy.name)} ` : ""}is not a valid plugin object: it needs ${missing.join(", ")}`
      )
    const make = copy.make as (config: unknown, context: PluginContext) => unknown
    return Either.right(
      Object.freeze({
        ...copy,
        keywords: Array.isArray(copy.keywords) ? [...copy.keywords] : undefined,
        make: (config: unknown, context: PluginContext) => make.call(u, config, context)
      }) as unknown as Plugin
    )
  } catch (e) {
    return Either.left(`is not a readable plugin object: reading it threw ${describe(e)}`)
  }
}

const describe = (e: unknown): string => {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : show(e)
  } catch {
    return "an unprintable value"
  }
}

/** "a sink", "an enricher". */
const article = (kind: unknown): string => `${/^[aeiou]/.test(String(kind)) ? "an" : "a"} ${String(kind)}`

const label = (p: Plugin): string => `plugin ${p.name}@${p.version}`

/** Why the allow/deny lists refuse a plugin known by these names, or undefined. */
export const policyRefusal = (
  names: ReadonlyArray<string>,
  settings: PluginSettings | undefined
): string | undefined => {
  const deny = settings?.deny ?? []
  const denied = names.find((n) => deny.includes(n))
  if (denied !== undefined) return `is denied by plugins.deny (${show(denied)})`
  const allow = settings?.allow
  if (allow !== undefined && !names.some((n) => allow.includes(n)))
    return `is not in plugins.allow (${allow.map(show).join(", ") || "empty"})`
  return undefined
}

/** Decodes a plugin's config with its own Schema; each problem is an issue under `at`. */
export const decodeConfig = (
  plugin: Plugin,
  config: unknown,
  at: string
): Either.Either<unknown, ReadonlyArray<ConfigIssue>> => {
  try {
    const decoded = Schema.decodeUnknownEither(plugin.config, { errors: "all", onExcessProperty: "error" })(
      config
    )
    if (Either.isRight(decoded)) return Either.right(decoded.right)
    return Either.left(
      ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) => ({
        path: `${at}${issue.path.map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`)).join("")}`,
        message: `${label(plugin)}: ${issue.message}`
      }))
    )
  } catch (e) {
    return Either.left([{ path: at, message: `${label(plugin)}: its config schema threw ${describe(e)}` }])
  }
}

// ---------------------------------------------------------------------------------------
// Discovery

/**
 * What the package names of a plugin built for Effect `major` end with: nothing on Effect 3,
 * `-effect4` on Effect 4 (`@fapilog/loki` and `@fapilog/loki-effect4`: one plugin source, a
 * package per Effect line, as `fapilog` and `fapilog-effect4`; docs/plugins.md).
 */
export const packageSuffix = (major: 3 | 4): string => (major === 4 ? "-effect4" : "")

/** The package names tried for a type on Effect `major`, in order. */
export const candidatesFor = (type: string, major: 3 | 4): ReadonlyArray<string> => [
  `@fapilog/${type}${packageSuffix(major)}`,
  `fapilog-plugin-${type}${packageSuffix(major)}`
]

/** The package names tried for a type on this Effect line, in order. */
export const candidates = (type: string): ReadonlyArray<string> => candidatesFor(type, effectMajor)

/** Where packages are looked up: the working directory, then the main script's directory. */
export const searchBases = (): ReadonlyArray<string> => {
  const bases = [process.cwd()]
  const main = process.argv[1]
  if (main !== undefined && main !== "") {
    try {
      bases.push(path.dirname(fs.realpathSync(main)))
    } catch {
      // not a file (node -e, a REPL): the working directory is all there is
    }
  }
  return [...new Set(bases)]
}

/** The format this copy of fapilog was loaded as: the plugin should share its module graph. */
const loadedAsCommonJs = hasCommonJsBuild && typeof require === "function" && typeof module === "object"

const findPackage = (name: string, bases: ReadonlyArray<string>): string | undefined => {
  for (const base of bases) {
    const lookup = createRequire(path.join(base, "fapilog-plugin-lookup.js")).resolve.paths(name) ?? []
    for (const dir of lookup) {
      const manifest = path.join(dir, name, "package.json")
      if (fs.existsSync(manifest)) return path.dirname(manifest)
    }
  }
  return undefined
}

/** The target of a package's root export under `conditions` (Node's rules, without patterns). */
const exportTarget = (target: unknown, conditions: ReadonlyArray<string>): string | undefined => {
  if (typeof target === "string") return target
  if (Array.isArray(target)) {
    for (const t of target) {
      const found = exportTarget(t, conditions)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (typeof target === "object" && target !== null) {
    for (const [key, value] of Object.entries(target)) {
      if (key !== "default" && !conditions.includes(key)) continue
      const found = exportTarget(value, conditions)
      if (found !== undefined) return found
    }
  }
  return undefined
}

export interface Manifest {
  readonly name?: unknown
  readonly version?: unknown
  readonly main?: unknown
  readonly exports?: unknown
  readonly fapilog?: unknown
}

/** The target of a package's root entry in its `exports`. */
const rootEntry = (exports: unknown): unknown => {
  const isMap =
    typeof exports === "object" &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith("."))
  return isMap ? (exports as Record<string, unknown>)["."] : exports
}

/** The file a package's root entry resolves to, preferring the format fapilog itself runs as. */
const entryOf = (dir: string, manifest: Manifest): string => {
  const exports = manifest.exports
  if (exports !== undefined && exports !== null) {
    const entry = rootEntry(exports)
    const esm = ["node", "import"]
    const cjs = ["node", "require"]
    const target =
      exportTarget(entry, loadedAsCommonJs ? cjs : esm) ?? exportTarget(entry, loadedAsCommonJs ? esm : cjs)
    if (target === undefined) throw new Error(`its package.json exports no "." entry`)
    return path.resolve(dir, target)
  }
  return createRequire(path.join(dir, "package.json")).resolve(dir)
}

/** A package's package.json (throws when it cannot be read or parsed). */
const readManifest = (dir: string): Manifest =>
  JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest

/** `name@version`, or the name alone when the manifest has no version. */
const nameAndVersion = (name: string, manifest: Manifest): string =>
  `${name}${typeof manifest.version === "string" ? `@${manifest.version}` : ""}`

/** The Effect lines a package.json `fapilog.effect` declares: a non-empty list of majors. */
const isLineList = (u: unknown): u is ReadonlyArray<number> =>
  Array.isArray(u) && u.length > 0 && u.every((m) => m === 3 || m === 4)

/**
 * Why a plugin package cannot load on this Effect line, or undefined when it can: its
 * package.json `fapilog.effect`, when given, must list this line's major (a package is built
 * against one line's fapilog: `[3]` for `@fapilog/loki`, `[4]` for `@fapilog/loki-effect4`).
 */
export const lineRefusal = (name: string, manifest: Manifest): string | undefined => {
  const declared = (manifest.fapilog as { effect?: unknown } | null | undefined)?.effect
  if (declared === undefined) return undefined
  const label = `package ${nameAndVersion(name, manifest)}`
  if (!isLineList(declared))
    return `${label}: its package.json "fapilog".effect is ${show(declared)}, not a list of the Effect major versions it is built for, such as [3] or [4]`
  if (!declared.includes(effectMajor))
    return `${label} is built for Effect ${declared.join(" and ")} only (package.json "fapilog".effect), not Effect ${effectMajor}, which this fapilog (${packageName}) runs on`
  return undefined
}

const importModule = async (file: string): Promise<unknown> => {
  if (loadedAsCommonJs) {
    try {
      return createRequire(file)(file)
    } catch (e) {
      if ((e as { code?: unknown }).code !== "ERR_REQUIRE_ESM") throw e
    }
  }
  return import(pathToFileURL(file).href)
}

/**
 * The plugin object of a loaded module: the named export `plugin`, else the default export
 * (`export default`, or a CommonJS `module.exports = plugin`, which `require` returns as is
 * and `import()` as `default`).
 */
const pluginExport = (module: unknown): unknown => {
  const m = module as { plugin?: unknown; default?: unknown; make?: unknown } | null | undefined
  if (m?.plugin !== undefined) return m.plugin
  const d = m?.default as { plugin?: unknown } | null | undefined
  if (d?.plugin !== undefined) return d.plugin
  if (d !== undefined) return d
  return typeof m?.make === "function" ? m : undefined
}

/** The package.json `fapilog` field, checked before any of the package's code runs. */
const manifestRefusal = (name: string, manifest: Manifest, type: string, kind: Kind): string | undefined => {
  const field = manifest.fapilog
  if (field === undefined) return undefined
  if (typeof field !== "object" || field === null)
    return `package ${name}: its package.json "fapilog" field is not an object { kind, type, apiVersion }`
  const f = field as { kind?: unknown; type?: unknown; apiVersion?: unknown }
  if (f.type !== undefined && f.type !== type)
    return `package ${name}: its package.json declares type ${show(f.type)}, not ${show(type)}`
  if (f.kind !== undefined && f.kind !== kind)
    return `package ${name} is ${article(f.kind)} plugin (package.json "fapilog".kind), not ${article(kind)}`
  if (f.apiVersion !== undefined) {
    const why = incompatibility(f.apiVersion)
    if (why !== undefined) return `package ${name}@${String(manifest.version)} is refused: ${why}`
  }
  return undefined
}

export type Discovery =
  | { readonly _tag: "Found"; readonly plugin: Plugin; readonly packageName: string }
  | { readonly _tag: "Refused"; readonly reason: string }
  | { readonly _tag: "Missing"; readonly tried: ReadonlyArray<string>; readonly from: ReadonlyArray<string> }

/** The Effect line whose plugin packages this line does not load. */
const otherMajor: 3 | 4 = effectMajor === 3 ? 4 : 3

/**
 * When no package of this line provides `type` but one of the other line does (an Effect 4
 * app with `@fapilog/loki` installed, say), the refusal naming it and the package to install
 * instead; undefined when there is none. Nothing of that package is loaded.
 */
const otherLineRefusal = (type: string, bases: ReadonlyArray<string>): string | undefined => {
  const ours = candidates(type)
  const theirs = candidatesFor(type, otherMajor)
  for (let i = 0; i < theirs.length; i++) {
    const name = theirs[i] as string
    const dir = findPackage(name, bases)
    if (dir === undefined) continue
    let manifest: Manifest = {}
    try {
      manifest = readManifest(dir)
    } catch {
      // the name is enough to say what to install
    }
    const lines = (manifest.fapilog as { readonly effect?: unknown } | null | undefined)?.effect
    const install = ours[i] as string
    // a package that says it runs on this line too is still named for the other one
    const what =
      isLineList(lines) && lines.includes(effectMajor)
        ? `named as a package of plugin ${show(type)} for Effect ${otherMajor} (its package.json lists Effect ${lines.join(", ")}, but ${packageName} loads plugins by the names of its own line)`
        : `the Effect ${otherMajor} build of plugin ${show(type)}, which ${packageName} cannot load`
    return `found ${nameAndVersion(name, manifest)}, ${what}; install ${install} instead (npm install ${install})`
  }
  return undefined
}

/**
 * Looks for `@fapilog/<type>` then `fapilog-plugin-<type>` (each with `-effect4` on Effect 4)
 * from the application's directories; a candidate the allow/deny lists refuse is never
 * loaded. When neither is installed but the other Effect line's package is, the refusal
 * names it and the package to install instead.
 */
export const discover = (
  type: string,
  kind: Kind,
  settings: PluginSettings | undefined,
  bases: ReadonlyArray<string> = searchBases()
): Effect.Effect<Discovery> =>
  Effect.gen(function* () {
    const names = candidates(type)
    let refusal: string | undefined
    for (const name of names) {
      const dir = findPackage(name, bases)
      if (dir === undefined) continue
      const policy = policyRefusal([type, name], settings)
      if (policy !== undefined) {
        refusal ??= `plugin ${name} ${policy}`
        continue
      }
      let manifest: Manifest
      try {
        manifest = readManifest(dir)
      } catch (e) {
        return { _tag: "Refused", reason: `package ${name}: its package.json cannot be read: ${describe(e)}` }
      }
      const declared = manifestRefusal(name, manifest, type, kind) ?? lineRefusal(name, manifest)
      if (declared !== undefined) return { _tag: "Refused", reason: declared }
      const loaded = yield* Effect.tryPromise(async () =>
        pluginExport(await importModule(entryOf(dir, manifest)))
      ).pipe(Effect.either)
      if (Either.isLeft(loaded))
        return {
          _tag: "Refused",
          reason: `package ${name} (${dir}) could not be loaded: ${describe(loaded.left.error)}`
        }
      const plugin = readPlugin(loaded.right)
      if (Either.isLeft(plugin))
        return {
          _tag: "Refused",
          reason: `package ${name} does not export a plugin (export it as \`plugin\` or as the default export): ${plugin.left}`
        }
      return { _tag: "Found", plugin: plugin.right, packageName: name }
    }
    if (refusal !== undefined) return { _tag: "Refused", reason: refusal }
    const otherLine = otherLineRefusal(type, bases)
    if (otherLine !== undefined) return { _tag: "Refused", reason: otherLine }
    return { _tag: "Missing", tried: names, from: bases }
  })

// ---------------------------------------------------------------------------------------
// Resolving what settings name

/** A `{ type, ...config }` entry of the settings that names a plugin. */
export interface Request {
  readonly type: string
  readonly kind: Kind
  /** The entry without the keys fapilog itself reads (`type`; `level` for sinks; `order` and `onError` for processors). */
  readonly config: Readonly<Record<string, unknown>>
  /** Where the entry is in the settings, e.g. `sinks[1]`; config problems are named under it. */
  readonly at: string
  /** Where its type was given, e.g. `sinks[1].type` or `FAPILOG_SINKS`. */
  readonly typeAt: string
}

export interface Resolved {
  readonly plugin: Plugin
  readonly config: unknown
  readonly at: string
}

/** Marks a settings entry made by `Plugin.entry`. */
export const EntryTypeId: unique symbol = Symbol.for("fapilog/Plugin/Entry")
export type EntryTypeId = typeof EntryTypeId

/**
 * A `sinks` or `enrichers` entry naming a plugin by type, made by `entry`: how code names a
 * plugin whose package adds no types to the settings union.
 */
export interface Entry {
  readonly [EntryTypeId]: EntryTypeId
  readonly type: string
}

/** The plugin's config (and `level`, for a sink); `type` is the first argument of `entry`. */
export interface EntryConfig {
  readonly type?: never
  readonly [key: string]: unknown
}

/**
 * `{ type, ...config }`, marked (by a property that is not enumerable, so not part of the
 * config) as made on purpose; checked at run time like any entry.
 */
export const entry = (type: string, config: EntryConfig = {}): Entry => {
  const out = { ...config, type }
  Object.defineProperty(out, EntryTypeId, { value: EntryTypeId })
  return out as unknown as Entry
}

/** Where a settings entry came from, recorded when the settings were validated. */
export const origins = new WeakMap<object, { readonly at: string; readonly typeAt: string }>()

const checkFound = (
  plugin: Plugin,
  names: ReadonlyArray<string>,
  request: Request,
  settings: PluginSettings | undefined
): string | undefined => {
  const policy = policyRefusal([...names, plugin.name], settings)
  if (policy !== undefined) return `${label(plugin)} ${policy}`
  if (plugin.type !== request.type)
    return `${label(plugin)} provides type ${show(plugin.type)}, not ${show(request.type)}`
  if (plugin.kind !== request.kind)
    return `${label(plugin)} is ${article(plugin.kind)} plugin, not ${article(request.kind)}`
  const why = incompatibility(plugin.apiVersion)
  if (why !== undefined) return `${label(plugin)} is refused: ${why}`
  return reservedKeyRefusal(plugin)
}

/**
 * The keys a config Schema declares at its top level, read from its AST on either Effect
 * line: object literals (`TypeLiteral` on Effect 3, `Objects` on Effect 4), through
 * refinements, transformations (both sides), unions and suspensions. A Schema it cannot
 * read declares nothing here.
 */
export const declaredKeys = (schema: unknown): ReadonlyArray<string> => {
  const out = new Set<string>()
  const walk = (ast: unknown, depth: number): void => {
    if (depth > 8 || typeof ast !== "object" || ast === null) return
    const node = ast as {
      readonly _tag?: unknown
      readonly propertySignatures?: ReadonlyArray<{ readonly name: unknown }>
      readonly from?: unknown
      readonly to?: unknown
      readonly types?: ReadonlyArray<unknown>
      readonly f?: unknown
      readonly thunk?: unknown
    }
    switch (node._tag) {
      case "TypeLiteral":
      case "Objects":
        for (const p of node.propertySignatures ?? []) if (typeof p.name === "string") out.add(p.name)
        return
      case "Refinement":
        walk(node.from, depth + 1)
        return
      case "Transformation":
        walk(node.from, depth + 1)
        walk(node.to, depth + 1)
        return
      case "Union":
        for (const t of node.types ?? []) walk(t, depth + 1)
        return
      case "Suspend": {
        const f = typeof node.f === "function" ? node.f : node.thunk
        if (typeof f === "function") walk((f as () => unknown)(), depth + 1)
        return
      }
    }
  }
  try {
    walk((schema as { readonly ast?: unknown }).ast, 0)
  } catch {
    // a Schema whose AST cannot be read (a suspension that throws) declares nothing here
  }
  return [...out]
}

/** Why a sink plugin's config cannot be one: it declares keys that fapilog reads in every sink entry. */
const reservedKeyRefusal = (plugin: Plugin): string | undefined => {
  if (plugin.kind !== "sink") return undefined
  const taken = declaredKeys(plugin.config).filter((k) => reservedSinkKeys.includes(k))
  if (taken.length === 0) return undefined
  return `${label(plugin)} is refused: its config declares ${taken.map(show).join(", ")}, which fapilog reads itself in every sink entry (reserved: ${reservedSinkKeys.join(", ")}); the plugin must name its options otherwise`
}

/**
 * Finds, checks and decodes the config of every plugin the settings name. Fails with one
 * ConfigError listing every refusal; nothing is started here.
 */
export const resolveAll = (
  requests: ReadonlyArray<Request>,
  settings: PluginSettings | undefined,
  builtIns: Readonly<Partial<Record<Kind, ReadonlyArray<string>>>>
): Effect.Effect<ReadonlyArray<Resolved>, ConfigError> =>
  Effect.gen(function* () {
    const issues: Array<ConfigIssue> = []
    const out: Array<Resolved> = []
    const found = new Map<string, Discovery>()
    for (const request of requests) {
      const key = `${request.kind}/${request.type}`
      let discovery = found.get(key)
      if (discovery === undefined) {
        const use = settings?.use ?? []
        // one of the right kind first; one of another kind is found, to be refused by name
        const registered =
          use.find((p) => p.type === request.type && p.kind === request.kind) ??
          use.find((p) => p.type === request.type)
        discovery =
          registered !== undefined
            ? { _tag: "Found", plugin: registered, packageName: registered.name }
            : settings?.discover === false
              ? { _tag: "Missing", tried: [], from: [] }
              : yield* discover(request.type, request.kind, settings)
        found.set(key, discovery)
      }
      if (discovery._tag === "Refused") {
        issues.push({ path: request.typeAt, message: discovery.reason })
        continue
      }
      if (discovery._tag === "Missing") {
        const builtIn = builtIns[request.kind] ?? []
        issues.push({
          path: request.typeAt,
          message:
            `${show(request.type)} is not a built-in ${request.kind}${builtIn.length > 0 ? ` (${builtIn.join(", ")})` : ""} and no plugin provides it: ` +
            (discovery.tried.length === 0
              ? "plugins.discover is false and plugins.use has no plugin of that type"
              : `looked for the packages ${discovery.tried.join(" and ")} from ${discovery.from.join(", ")}; install one (npm install ${discovery.tried[0]}) or pass the plugin object in plugins.use`)
        })
        continue
      }
      const refusal = checkFound(discovery.plugin, [request.type, discovery.packageName], request, settings)
      if (refusal !== undefined) {
        issues.push({ path: request.typeAt, message: refusal })
        continue
      }
      const config = decodeConfig(discovery.plugin, request.config, request.at)
      if (Either.isLeft(config)) issues.push(...config.left)
      else out.push({ plugin: discovery.plugin, config: config.right, at: request.at })
    }
    if (issues.length > 0) return yield* Effect.fail(new ConfigError({ issues }))
    return out
  })

// ---------------------------------------------------------------------------------------
// Opening a plugin in the logger's scope

/** What a logger tells the plugins it opens: its name, service, diagnostics and policy. */
export interface Host {
  readonly logger: string
  readonly service: string | undefined
  readonly diagnostics: Diagnostics
  readonly settings: PluginSettings | undefined
  /** Upper bound on releasing a plugin's resources when the logger closes. */
  readonly shutdownTimeoutMs: number
  /** The settings path of the entry being opened, for errors. */
  readonly at: string | undefined
  /** Where the logger's fallback sink writes: a plugin's dead letters go there too. */
  readonly fallback: "stderr" | "null"
  /**
   * Takes what a plugin's retention deleted (retentionReport.ts): the logger's reports.
   * Absent outside a logger: each deletion is then written to diagnostics.
   */
  readonly retention?: ((deletion: PluginDeletion) => void) | undefined
}

/** Provided by the logger while it opens its sinks; outside a logger, defaults apply. */
export class PluginHost extends Context.Reference<PluginHost>()("fapilog/PluginHost", {
  defaultValue: (): Host => ({
    logger: "app",
    service: undefined,
    diagnostics: new Diagnostics("app"),
    settings: undefined,
    shutdownTimeoutMs: 5000,
    at: undefined,
    fallback: "stderr"
  })
}) {}

const contextFor = (plugin: Plugin, host: Host): PluginContext => ({
  logger: host.logger,
  service: host.service,
  report: (message, error) => {
    try {
      host.diagnostics.report(`plugin ${plugin.name}`, String(message), error)
    } catch {
      // diagnostics never throw into a plugin
    }
  },
  reportDeletion: (deletion) => {
    try {
      const d = deletionOf(plugin, deletion)
      if (host.retention !== undefined) host.retention(d)
      else reportToDiagnostics(host.diagnostics, deletionRecord(d, Date.now()))
    } catch (e) {
      try {
        host.diagnostics.report(`plugin ${plugin.name}`, "a retention deletion could not be reported", e)
      } catch {
        // diagnostics never throw into a plugin
      }
    }
  },
  fallback: (line) => {
    if (host.fallback !== "stderr") return
    try {
      fs.writeSync(
        2,
        `${String(line)
          .replace(/[\r\n]+$/, "")
          .replace(/[\r\n]/g, " ")}\n`
      )
    } catch {
      // a closed stderr: the line is dropped, as the fallback sink's would be
    }
  }
})

const parses =
  (parse: (input: string | number) => number) =>
  (u: unknown): u is number | string => {
    if (typeof u !== "number" && typeof u !== "string") return false
    try {
      parse(u)
      return true
    } catch {
      return false
    }
  }

/** An age as the file sink's `maxAge` takes it: milliseconds, or "12h", "30d", "2w". */
export const age = (description?: string): Schema.Schema<number | string> =>
  accepted(
    "Age",
    parses(parseAge),
    'an age: a number of milliseconds or a number with a unit ms, s, m, h, d or w, such as "12h", "30d" or "2w"',
    description
  )

/** A size as the file sink's `maxTotalBytes` takes it: bytes, or "500 MB", "1 GB" (1024-based). */
export const size = (description?: string): Schema.Schema<number | string> =>
  accepted(
    "Size",
    parses(parseBytes),
    'a size: a number of bytes or a string such as "500 MB" or "1.5 GiB" (units B, KB, MB, GB, TB, 1024-based)',
    description
  )

const policies: ReadonlyArray<string> = ["maxAge", "maxFiles", "maxTotalBytes"]

/** A plugin's deletion as the report needs it: its own copy, each member of the right kind. */
const deletionOf = (plugin: Plugin, d: PluginDeletion): PluginDeletion => {
  const count = (n: unknown) => (typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : 0)
  const fields = d.fields
  return {
    sink: typeof d.sink === "string" ? d.sink : `plugin ${plugin.name}`,
    kind: d.kind === "file" ? "file" : "partition",
    name: String(d.name),
    bytes: count(d.bytes),
    ageMs: count(d.ageMs),
    // a policy fapilog does not know (a plugin in plain JavaScript) is reported as it was given
    policy: (policies.includes(d.policy) ? d.policy : String(d.policy)) as RetentionPolicy,
    ...(typeof fields === "object" && fields !== null ? { fields: { ...fields } } : {})
  }
}

export const isSink = (u: unknown): u is Sink => {
  try {
    if (typeof u !== "object" || u === null) return false
    const sink = u as Sink
    return (
      typeof sink.name === "string" &&
      typeof sink.write === "function" &&
      (sink.writeSync === undefined || typeof sink.writeSync === "function") &&
      (sink.flush === undefined || Effect.isEffect(sink.flush)) &&
      (sink.health === undefined || typeof sink.health === "function")
    )
  } catch {
    return false
  }
}

const sinkShape = "a sink ({ name, write, writeSync?, flush?, health? })"

/** A started plugin sink, its optional members read once. */
interface Started {
  readonly sink: Sink
  readonly flush: Effect.Effect<void> | undefined
  readonly health: (() => SinkState) | undefined
}

const adopt = (sink: Sink): Started => {
  const health = sink.health
  return {
    sink,
    flush: sink.flush,
    health: health === undefined ? undefined : () => health.call(sink)
  }
}

/** A plugin's own health report, contained: a throw or a malformed answer is itself a finding. */
const healthOf = (started: Started | undefined, lastError: unknown): SinkState => {
  if (started === undefined)
    return { status: "degraded", detail: `plugin not started: ${describe(lastError)}` }
  if (started.health === undefined) return { status: "ok" }
  try {
    const { status, detail, lost } = started.health()
    if (status !== "ok" && status !== "degraded" && status !== "circuit-open")
      return { status: "degraded", detail: `health() answered status ${show(status)}` }
    return {
      status,
      ...(typeof detail === "string" ? { detail } : {}),
      ...(typeof lost === "number" && Number.isFinite(lost) && lost > 0 ? { lost } : {})
    }
  } catch (e) {
    return { status: "degraded", detail: `health() threw ${describe(e)}` }
  }
}

const isNamedEnricher = (u: unknown): u is NamedEnricher => {
  try {
    return (
      typeof u === "object" &&
      u !== null &&
      typeof (u as NamedEnricher).name === "string" &&
      typeof (u as NamedEnricher).enrich === "function"
    )
  } catch {
    return false
  }
}

const failure = (cause: Cause.Cause<unknown>): unknown => {
  const squashed = Cause.squash(cause)
  return Cause.isTimeoutException(squashed) ? new Error("start timed out") : squashed
}

/**
 * Runs the plugin's `make` in a child of `holder`: on failure (error, defect, a throw, a
 * timeout, a result of the wrong shape) the child is closed at once, releasing whatever the
 * plugin had acquired, and the reason is returned.
 */
const startIn = <A>(
  holder: Scope.Scope,
  plugin: Plugin,
  config: unknown,
  host: Host,
  valid: (u: unknown) => u is A,
  what: string
): Effect.Effect<Either.Either<A, unknown>> =>
  Effect.gen(function* () {
    const child = yield* Scope.fork(holder, ExecutionStrategy.sequential)
    const timeoutMs = host.settings?.timeoutMs ?? defaultTimeoutMs
    const exit = yield* Effect.suspend(
      () =>
        plugin.make(config as never, contextFor(plugin, host)) as Effect.Effect<unknown, unknown, Scope.Scope>
    ).pipe(
      Effect.flatMap((made) =>
        valid(made) ? Effect.succeed(made) : Effect.fail(new Error(`make did not return ${what}`))
      ),
      Scope.extend(child),
      Effect.timeout(timeoutMs),
      Effect.exit
    )
    if (Exit.isSuccess(exit)) return Either.right(exit.value)
    yield* Scope.close(child, exit).pipe(Effect.catchAllCause(() => Effect.void))
    return Either.left(failure(exit.cause))
  })

/**
 * A scope for one plugin's resources, closed (bounded by the shutdown timeout, failures
 * reported) when the enclosing scope closes: after the pipeline has drained, because the
 * plugin was opened before it.
 */
const holderScope = (plugin: Plugin, host: Host): Effect.Effect<Scope.CloseableScope, never, Scope.Scope> =>
  Effect.acquireRelease(Scope.make(), (holder, exit) =>
    // finalizers run uninterruptibly: the wait must be interruptible for the timeout to cut it
    Scope.close(holder, exit).pipe(
      Effect.disconnect,
      Effect.interruptible,
      Effect.timeoutOption(host.shutdownTimeoutMs),
      Effect.flatMap((done) =>
        Option.isNone(done)
          ? Effect.sync(() =>
              host.diagnostics.report(
                `plugin ${plugin.name}`,
                `release did not finish within ${host.shutdownTimeoutMs} ms`
              )
            )
          : Effect.void
      ),
      Effect.catchAllCause((cause) =>
        Effect.sync(() =>
          host.diagnostics.report(`plugin ${plugin.name}`, "release failed", Cause.squash(cause))
        )
      )
    )
  )

const asSinkError = (name: string, reason: string) => (e: unknown) =>
  typeof e === "object" && e !== null && (e as { _tag?: unknown })._tag === "SinkError"
    ? (e as SinkError)
    : new SinkError({ sink: name, reason, cause: e })

/**
 * Opens a sink plugin, contained: a start that fails is reported and the sink stands in
 * failing every write (so the pipeline's retries, circuit breaker, fallback and health see
 * it) while it retries the start at most every few seconds; a write that throws, dies or
 * hangs past the timeout becomes a SinkError for that sink alone. The plugin sink's own
 * `flush` and `health` are passed on (the stand-in has both, so a sink started late still
 * gets them); a sink with a `flush` manages its own backpressure, so its writes, which may
 * wait for room in its queue, are not timed out.
 */
export const openSink = (
  plugin: Plugin,
  config: unknown,
  host: Host
): Effect.Effect<Sink, never, Scope.Scope> =>
  Effect.gen(function* () {
    const holder = yield* holderScope(plugin, host)
    const timeoutMs = host.settings?.timeoutMs ?? defaultTimeoutMs
    const first = yield* startIn(holder, plugin, config, host, isSink, sinkShape)
    let current = Either.isRight(first) ? adopt(first.right) : undefined
    let lastError = Either.isLeft(first) ? first.left : undefined
    let lastAttempt = Date.now()
    let attempts = 1
    let starting = false
    if (current === undefined)
      host.diagnostics.report(
        `plugin ${plugin.name}`,
        `start failed; its sink fails every write and the start is retried at most every ${restartIntervalMs / 1000} s`,
        lastError
      )
    const fallbackName = `${plugin.type}(${plugin.name})`
    const nameOf = (): string => {
      try {
        return current?.sink.name ?? fallbackName
      } catch {
        return fallbackName
      }
    }
    const write = (started: Started, batch: Parameters<Sink["write"]>[0]) => {
      const written = Effect.suspend(() => started.sink.write(batch))
      return (
        started.flush !== undefined
          ? written
          : written.pipe(
              Effect.timeoutFail({
                duration: timeoutMs,
                onTimeout: () =>
                  new SinkError({ sink: nameOf(), reason: `write did not complete within ${timeoutMs} ms` })
              })
            )
      ).pipe(
        Effect.catchAllDefect((defect) =>
          Effect.fail(new SinkError({ sink: nameOf(), reason: "write threw", cause: defect }))
        ),
        Effect.mapError(asSinkError(nameOf(), "write failed"))
      )
    }
    const restart: Effect.Effect<Started, SinkError> = Effect.suspend(() => {
      const wait = lastAttempt + restartIntervalMs - Date.now()
      if (starting || wait > 0)
        return Effect.fail(
          new SinkError({ sink: fallbackName, reason: "plugin not started", cause: lastError })
        )
      starting = true
      lastAttempt = Date.now()
      attempts++
      return startIn(holder, plugin, config, host, isSink, sinkShape).pipe(
        Effect.ensuring(Effect.sync(() => (starting = false))),
        Effect.flatMap((started) => {
          if (Either.isRight(started)) {
            current = adopt(started.right)
            host.diagnostics.report(`plugin ${plugin.name}`, `started after ${attempts} attempts`)
            return Effect.succeed(current)
          }
          lastError = started.left
          return Effect.fail(
            new SinkError({ sink: fallbackName, reason: "plugin start failed", cause: started.left })
          )
        })
      )
    })
    const initial = current
    const writeSync = initial?.sink.writeSync
    const canSpill = typeof initial?.sink.spill === "function"
    /** Events a spill could not keep because the running sink had no spill of its own (restarted without). */
    let spillLost = 0
    return {
      get name() {
        return nameOf()
      },
      write: (batch) =>
        Effect.suspend(() => (current === undefined ? restart : Effect.succeed(current))).pipe(
          Effect.flatMap((started) => write(started, batch))
        ),
      writeSync:
        writeSync === undefined || initial === undefined
          ? undefined
          : (batch) => writeSync.call(initial.sink, batch),
      flush: Effect.suspend(() => current?.flush ?? Effect.void).pipe(
        Effect.catchAllDefect((defect) =>
          Effect.sync(() => host.diagnostics.report(`plugin ${plugin.name}`, "flush failed", defect))
        )
      ),
      spill: canSpill
        ? (batch) => {
            const spill = current?.sink.spill
            if (typeof spill === "function") return spill.call(current?.sink, batch)
            spillLost += batch.size
            return false
          }
        : undefined,
      health: () => {
        const state = healthOf(current, lastError)
        return spillLost === 0 ? state : { ...state, lost: (state.lost ?? 0) + spillLost }
      }
    } satisfies Sink
  })

/** Opens an enricher plugin; a start that fails is reported and the enricher adds nothing. */
export const openEnricher = (
  plugin: Plugin,
  config: unknown,
  host: Host
): Effect.Effect<NamedEnricher, never, Scope.Scope> =>
  Effect.gen(function* () {
    const holder = yield* holderScope(plugin, host)
    const started = yield* startIn(
      holder,
      plugin,
      config,
      host,
      isNamedEnricher,
      "an enricher ({ name, enrich })"
    )
    if (Either.isRight(started)) {
      const { name, enrich } = started.right
      return { name, enrich: (input) => enrich(input) }
    }
    host.diagnostics.report(`plugin ${plugin.name}`, "start failed; the enricher adds nothing", started.left)
    return { name: plugin.name, enrich: () => undefined }
  })

const processorShape = "a processor ({ name, process } or { name, processBatch })"

const isProcessor = (u: unknown): u is Processor => processorIssue(u) === undefined

/** A started processor, its members read once (and bound: a class instance keeps its `this`). */
const adoptProcessor = (p: Processor): Processor => {
  const bind = <F extends (...args: never) => unknown>(f: F | undefined): F | undefined =>
    f === undefined ? undefined : (f.bind(p) as F)
  return {
    name: p.name,
    order: p.order,
    onError: p.onError,
    process: bind(p.process),
    processBatch: bind(p.processBatch),
    tick: bind(p.tick),
    flush: bind(p.flush),
    // a text processor runs on records (see Processor.text); its options are read once
    text: p.text === undefined ? undefined : { ...p.text }
  }
}

/** One batch through a processor, whichever of its two forms it has. */
const runProcessor = (
  p: Processor,
  events: ReadonlyArray<Parameters<NonNullable<Processor["process"]>>[0]>,
  context: ProcessorContext
) => {
  if (p.processBatch !== undefined) return p.processBatch(events, context)
  const process = p.process as NonNullable<Processor["process"]>
  const out = []
  for (const e of events) {
    const kept = process(e)
    if (kept !== undefined) out.push(kept)
  }
  return out
}

/** What a processor plugin's settings entry says about where it runs and what a failure costs. */
export interface ProcessorEntry {
  readonly order?: number | undefined
  readonly onError?: "pass" | "drop" | undefined
}

/**
 * Opens a processor plugin. It runs under the plugin's type (its drops are counted as
 * `filteredBy[type]`), at the entry's `order`, else its own, else 0; an event it throws on
 * is kept or dropped as the entry's `onError` says, else its own, else the plugin's.
 *
 * A start that fails does not fail the logger: it is reported, and until the processor
 * starts every event passes unprocessed or, when the entry's or else the plugin's `onError`
 * is "drop", is dropped (fail closed; counted as filtered). The start is tried again, in the
 * background, at most every few seconds when batches or ticks come; once it succeeds the
 * processor runs.
 */
export const openProcessor = (
  plugin: Plugin,
  config: unknown,
  host: Host,
  entry: ProcessorEntry = {},
  retryEveryMs: number = restartIntervalMs
): Effect.Effect<Processor, never, Scope.Scope> =>
  Effect.gen(function* () {
    const holder = yield* holderScope(plugin, host)
    const declared = plugin.kind === "processor" ? plugin.onError : undefined
    const first = yield* startIn(holder, plugin, config, host, isProcessor, processorShape)
    if (Either.isRight(first)) {
      const p = adoptProcessor(first.right)
      return {
        ...p,
        name: plugin.type,
        order: entry.order ?? p.order,
        onError: entry.onError ?? p.onError ?? declared
      }
    }
    const onError = entry.onError ?? declared ?? "pass"
    host.diagnostics.report(
      `plugin ${plugin.name}`,
      `start failed; until it starts, events ${onError === "drop" ? "are dropped (onError: drop)" : "pass unprocessed (onError: pass)"} and the start is retried at most every ${retryEveryMs / 1000} s`,
      first.left
    )
    const runtime = yield* Effect.runtime<never>()
    let current: Processor | undefined
    let lastAttempt = Date.now()
    let attempts = 1
    let attempt: Fiber.RuntimeFiber<void> | undefined
    yield* Scope.addFinalizer(
      holder,
      Effect.suspend(() => (attempt === undefined ? Effect.void : Fiber.interrupt(attempt)))
    )
    // the stage is synchronous: a new start runs beside it, and the processor is used once started
    const retry = (now: number): void => {
      if (current !== undefined || attempt !== undefined || now - lastAttempt < retryEveryMs) return
      lastAttempt = now
      attempts++
      attempt = Runtime.runFork(runtime)(
        startIn(holder, plugin, config, host, isProcessor, processorShape).pipe(
          Effect.flatMap((started) =>
            Effect.sync(() => {
              if (Either.isRight(started)) {
                current = adoptProcessor(started.right)
                host.diagnostics.report(`plugin ${plugin.name}`, `started after ${attempts} attempts`)
              }
            })
          ),
          Effect.ensuring(Effect.sync(() => (attempt = undefined)))
        )
      )
    }
    return {
      name: plugin.type,
      order: entry.order ?? 0,
      onError,
      processBatch: (events, context) => {
        retry(context.now)
        const p = current
        if (p !== undefined) return runProcessor(p, events, context)
        return onError === "drop" ? [] : events
      },
      tick: (context) => {
        retry(context.now)
        current?.tick?.(context)
      },
      flush: (context) => current?.flush?.(context)
    } satisfies Processor
  })

const isFormatter = (u: unknown): u is Formatter => {
  try {
    return (
      typeof u === "object" &&
      u !== null &&
      typeof (u as Formatter).name === "string" &&
      (u as Formatter).name !== "" &&
      typeof (u as Formatter).format === "function"
    )
  } catch {
    return false
  }
}

const NEWLINE = /[\n\r]/

/**
 * Opens a formatter plugin. Its lines are checked: a result that is not a string, or holds
 * a line break, is a failure for that event (the batch then writes fapilog's fallback JSON
 * line for it, and reports), so one event stays one line. A start that fails is reported
 * and `fallback` (the JSON lines formatter) stands in for it.
 */
export const openFormatter = (
  plugin: Plugin,
  config: unknown,
  host: Host,
  fallback: Formatter = json
): Effect.Effect<Formatter, never, Scope.Scope> =>
  Effect.gen(function* () {
    const holder = yield* holderScope(plugin, host)
    const started = yield* startIn(
      holder,
      plugin,
      config,
      host,
      isFormatter,
      "a formatter ({ name, format })"
    )
    if (Either.isLeft(started)) {
      host.diagnostics.report(
        `plugin ${plugin.name}`,
        `start failed; the sinks that use it write JSON lines (the json format) instead`,
        started.left
      )
      return fallback
    }
    const f = started.right
    const name = f.name
    const format = f.format.bind(f)
    return {
      name,
      format: (event) => {
        const line: unknown = format(event)
        if (typeof line !== "string")
          throw new TypeError(`formatter ${name} returned ${describe(line).slice(0, 80)}, not a string`)
        if (NEWLINE.test(line)) throw new TypeError(`formatter ${name} returned a line break inside a line`)
        return line
      }
    } satisfies Formatter
  })

/**
 * Opens a plugin object passed by the code itself (no discovery): the same checks as for a
 * plugin named in settings (allow/deny of the enclosing logger, apiVersion, config Schema),
 * then a contained start.
 */
export const open = (plugin: unknown, config: unknown): Effect.Effect<unknown, ConfigError, Scope.Scope> =>
  Effect.gen(function* () {
    const host = yield* PluginHost
    const read = readPlugin(plugin)
    const at = host.at ?? "Plugin.open"
    if (Either.isLeft(read))
      return yield* Effect.fail(new ConfigError({ issues: [{ path: at, message: `plugin ${read.left}` }] }))
    const p = read.right
    const policy = policyRefusal([p.type, p.name], host.settings)
    const incompatible = incompatibility(p.apiVersion)
    const why =
      policy !== undefined
        ? `${label(p)} ${policy}`
        : incompatible !== undefined
          ? `${label(p)} is refused: ${incompatible}`
          : reservedKeyRefusal(p)
    if (why !== undefined)
      return yield* Effect.fail(new ConfigError({ issues: [{ path: at, message: why }] }))
    const decoded = decodeConfig(p, config, at)
    if (Either.isLeft(decoded)) return yield* Effect.fail(new ConfigError({ issues: decoded.left }))
    switch (p.kind) {
      case "sink": {
        const sink = yield* openSink(p, decoded.right, host)
        return p.minLevel === undefined ? sink : withMinLevel(sink, p.minLevel)
      }
      case "enricher":
        return yield* openEnricher(p, decoded.right, host)
      case "processor":
        return yield* openProcessor(p, decoded.right, host)
      case "formatter":
        return yield* openFormatter(p, decoded.right, host)
    }
  })
