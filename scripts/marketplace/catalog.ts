/**
 * The plugin marketplace's catalogue (docs/marketplace.md shows it): every first-party plugin,
 * read from its packages' `fapilog` metadata (plugins/<name>/package.json and
 * plugins/<name>/effect4/package.json), its plugin object's config Schema and its README's
 * Settings table, plus the third-party plugins of the checked-in index
 * docs/marketplace-third-party.json, each validated by {@link ThirdPartyIndex}. Every
 * plugin carries its install commands for both Effect lines and whether the fapilog this
 * site documents loads it (its `apiVersion` against `Plugin.apiVersion`).
 *
 * Problems are collected, never thrown one by one: {@link MarketplaceError} lists each with
 * its file and the path of the bad field.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { show } from "../../src/internal/configSchema.js"
import * as Plugin from "../../src/Plugin.js"
import { type ConfigField, configFields } from "./configFields.js"

/** The kinds of plugin, in the order the page lists them. */
export const kinds: ReadonlyArray<Plugin.Kind> = ["sink", "enricher", "processor", "formatter"]

/** Keywords every plugin carries, which would filter nothing out. */
export const genericKeywords: ReadonlySet<string> = new Set([
  "fapilog",
  "fapilog-plugin",
  "effect",
  "effect4",
  "logging",
  "logger"
])

/** One plugin of the catalogue. */
export interface CatalogPlugin {
  /** The package name (the Effect 3 one when there are both). */
  readonly name: string
  readonly origin: "first-party" | "third-party"
  readonly kind: Plugin.Kind
  /** The name settings use: `{ type: "loki" }`. */
  readonly type: string
  readonly version?: string | undefined
  readonly apiVersion: string
  readonly description: string
  /** Its keywords, without {@link genericKeywords}. */
  readonly keywords: ReadonlyArray<string>
  /** The package of each Effect line it is built for. */
  readonly packages: { readonly effect3?: string | undefined; readonly effect4?: string | undefined }
  /** The npm command that installs it, with fapilog, for each Effect line. */
  readonly install: { readonly effect3?: string | undefined; readonly effect4?: string | undefined }
  /** Where it goes in settings: `sinks: [{ type: "loki", url: … }]`. */
  readonly entry: string
  /** Its config keys; undefined when the index does not list them (see its documentation). */
  readonly config: ReadonlyArray<ConfigField> | undefined
  /** Undefined when the fapilog of this site loads it; else why not. */
  readonly incompatibility: string | undefined
  /** Its documentation and its package on npm. */
  readonly links: { readonly docs: string; readonly npm: string }
}

/** What the page shows. */
export interface Catalog {
  /** The fapilog this catalogue was made for, and the plugin API it implements. */
  readonly fapilog: { readonly version: string; readonly apiVersion: string }
  readonly kinds: ReadonlyArray<Plugin.Kind>
  readonly plugins: ReadonlyArray<CatalogPlugin>
}

/** A problem found while building the catalogue: where, and what is wrong. */
export interface MarketplaceIssue {
  /** The file (relative to the repository) and the path of the field: `plugins[2].name`. */
  readonly file: string
  readonly path: string
  readonly message: string
}

/** Every problem found, each on a line of the message: `file: path: message`. */
export class MarketplaceError extends Error {
  readonly issues: ReadonlyArray<MarketplaceIssue>
  constructor(issues: ReadonlyArray<MarketplaceIssue>) {
    super(
      `The plugin marketplace cannot be built:\n${issues
        .map((i) => `  ${i.file}: ${i.path === "" ? "" : `${i.path}: `}${i.message}`)
        .join("\n")}`
    )
    this.name = "MarketplaceError"
    this.issues = issues
  }
}

const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/

const isKeyword = (u: unknown): u is string => typeof u === "string" && /^[a-z0-9][a-z0-9.+_-]{0,49}$/.test(u)

const isHttpsUrl = (u: unknown): u is string => {
  if (typeof u !== "string") return false
  try {
    const url = new URL(u)
    return url.protocol === "https:" && url.username === "" && url.password === ""
  } catch {
    return false
  }
}

const Text = (max: number, what: string) =>
  Plugin.accepted(
    "Text",
    (u: unknown): u is string =>
      typeof u === "string" && u.trim() !== "" && u.length <= max && !/[\0-\x1f\x7f]/.test(u),
    `${what} (a non-empty string of at most ${max} characters, on one line)`
  )

/** The `fapilog` field of a plugin's package.json, as the loader reads it. */
export const PackageField = Schema.Struct({
  kind: Plugin.oneOf(["sink", "enricher", "processor", "formatter"]),
  type: Plugin.accepted(
    "PluginType",
    Plugin.isType,
    "a plugin type (lowercase letters, digits, '.', '_', '-')"
  ),
  apiVersion: Plugin.accepted(
    "ApiVersion",
    (u: unknown): u is string => typeof u === "string" && /^\d+\.\d+$/.test(u),
    `a "major.minor" plugin API version such as "${Plugin.apiVersion}"`
  ),
  effect: Plugin.accepted(
    "EffectLines",
    (u: unknown): u is ReadonlyArray<3 | 4> =>
      Array.isArray(u) && u.length > 0 && u.every((l) => l === 3 || l === 4) && new Set(u).size === u.length,
    "a list of the Effect major versions it is built for: [3], [4] or [3, 4]"
  )
})

/** The row of a config key in the third-party index: what the page shows of it. */
const ThirdPartyField = Schema.Struct({
  path: Text(200, "the key's path in the settings entry, such as url or batch.maxEvents"),
  type: Text(300, "what the key accepts, in words"),
  required: Plugin.accepted("Boolean", (u): u is boolean => typeof u === "boolean", "true or false"),
  default: Plugin.optional(Text(300, "the value it takes when absent")),
  description: Plugin.optional(Text(1000, "what it does"))
})

/** One third-party plugin of the index. */
export const ThirdPartyPlugin = Schema.Struct({
  name: Plugin.accepted(
    "PackageName",
    (u: unknown): u is string =>
      typeof u === "string" && PACKAGE_NAME.test(u) && u.startsWith("fapilog-plugin-"),
    "an npm package name fapilog discovers: fapilog-plugin-<type>"
  ),
  ...PackageField.fields,
  version: Plugin.optional(Text(50, "the latest version")),
  description: Text(300, "what it does, in one sentence"),
  keywords: Schema.Array(
    Plugin.accepted("Keyword", isKeyword, "a keyword (lowercase, at most 50 characters)")
  ),
  repository: Plugin.accepted("HttpsUrl", isHttpsUrl, "an https:// URL of its source repository"),
  homepage: Plugin.optional(Plugin.accepted("HttpsUrl", isHttpsUrl, "an https:// URL of its documentation")),
  config: Plugin.optional(Schema.Array(ThirdPartyField))
})

/** The checked-in index of third-party plugins. */
export const ThirdPartyIndex = Schema.Struct({
  $comment: Plugin.optional(Schema.String),
  plugins: Schema.Array(ThirdPartyPlugin)
})

export type ThirdPartyIndex = typeof ThirdPartyIndex.Type

const pathText = (p: ReadonlyArray<PropertyKey>): string =>
  p.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`)).join("")

/** Decodes `u` with `schema`; each problem is an issue of `file` under its path. */
const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  u: unknown,
  file: string,
  at: ReadonlyArray<PropertyKey> = []
): Either.Either<A, ReadonlyArray<MarketplaceIssue>> => {
  const result = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(u)
  return Either.mapLeft(result, (error) =>
    ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
      file,
      path: pathText([...at, ...issue.path]),
      message: issue.message
    }))
  )
}

/**
 * The defaults and meanings of a plugin README's Settings table (the first table under a
 * `## Settings` heading with a "default" column), by key: the README is where a plugin says
 * what an absent key means, since the defaults live in its code. "required" and "none" are
 * not defaults.
 */
export const readmeSettings = (
  markdown: string
): ReadonlyMap<string, { readonly default?: string | undefined; readonly meaning?: string | undefined }> => {
  const out = new Map<string, { default?: string; meaning?: string }>()
  const lines = markdown.split("\n")
  const start = lines.findIndex((l) => /^##\s+Settings\s*$/.test(l))
  if (start < 0) return out
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\|/, "")
      .replace(/\|$/, "")
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, "|"))
  let header: ReadonlyArray<string> | undefined
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!
    if (/^##\s/.test(line)) break
    if (!line.trim().startsWith("|")) {
      if (header !== undefined) break
      continue
    }
    if (header === undefined) {
      const names = cells(line).map((c) => c.toLowerCase())
      if (names.includes("default")) header = names
      continue
    }
    if (/^\|?\s*:?-{3,}/.test(line.trim())) continue
    const row = cells(line)
    const value = (column: string) => {
      const at = header!.indexOf(column)
      const text = at < 0 ? undefined : row[at]
      return text === undefined || text === "" ? undefined : text.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    }
    const defaultText = value("default")
    const meaning = value("meaning")
    for (const key of (row[0] ?? "").matchAll(/`([^`]+)`/g)) {
      out.set(key[1]!, {
        ...(defaultText === undefined || /^(required|none)$/i.test(defaultText)
          ? {}
          : { default: defaultText }),
        ...(meaning === undefined ? {} : { meaning })
      })
    }
  }
  return out
}

const entryOf = (kind: Plugin.Kind, type: string, config: ReadonlyArray<ConfigField> | undefined): string => {
  const required = (config ?? []).filter((f) => f.required && !f.path.includes(".") && !f.path.includes("["))
  const object = `{ type: ${JSON.stringify(type)}${required.map((f) => `, ${f.path}: …`).join("")} }`
  switch (kind) {
    case "sink":
      return `sinks: [${object}]`
    case "enricher":
      return `enrichers: [${object}]`
    case "processor":
      return `processors: [${object}]`
    case "formatter":
      return required.length === 0 ? `format: ${JSON.stringify(type)}` : `format: ${object}`
  }
}

const installOf = (packages: CatalogPlugin["packages"]): CatalogPlugin["install"] => ({
  effect3: packages.effect3 === undefined ? undefined : `npm install fapilog ${packages.effect3}`,
  effect4: packages.effect4 === undefined ? undefined : `npm install fapilog-effect4 ${packages.effect4}`
})

const keywordsOf = (keywords: ReadonlyArray<string>): ReadonlyArray<string> =>
  [...new Set(keywords.filter((k) => !genericKeywords.has(k)))].sort()

/** Where the repository is (docs/.vitepress/config.mts says the same). */
const repositoryUrl = "https://github.com/fapilog/fapilog"

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, "utf8"))

/** The plugin object a first-party plugin's source exports (`plugin`, else the default export). */
export type LoadPlugin = (dir: string) => Promise<unknown>

const importPlugin: LoadPlugin = async (dir) => {
  const module = (await import(pathToFileURL(path.join(dir, "src", "index.ts")).href)) as {
    readonly plugin?: unknown
    readonly default?: unknown
  }
  return module.plugin ?? module.default
}

/**
 * The first-party plugins of `repoDir` (every plugins/<name>/package.json with a `fapilog`
 * field), each checked against its Effect 4 package and its plugin object.
 */
export const firstParty = async (
  repoDir: string,
  load: LoadPlugin = importPlugin
): Promise<Either.Either<ReadonlyArray<CatalogPlugin>, ReadonlyArray<MarketplaceIssue>>> => {
  const issues: Array<MarketplaceIssue> = []
  const out: Array<CatalogPlugin> = []
  const pluginsDir = path.join(repoDir, "plugins")
  for (const dirName of fs.readdirSync(pluginsDir).sort()) {
    const dir = path.join(pluginsDir, dirName)
    const manifestFile = path.join(dir, "package.json")
    if (!fs.existsSync(manifestFile)) continue
    const file = path.relative(repoDir, manifestFile)
    const manifest = readJson(manifestFile) as {
      readonly name?: unknown
      readonly version?: unknown
      readonly description?: unknown
      readonly keywords?: unknown
      readonly fapilog?: unknown
    }
    if (manifest.fapilog === undefined) continue // a package of the plugins' own tooling
    const field = decode(PackageField, manifest.fapilog, file, ["fapilog"])
    if (Either.isLeft(field)) {
      issues.push(...field.left)
      continue
    }
    const meta = field.right
    const name = String(manifest.name)
    const problem = (at: string, message: string) => issues.push({ file, path: at, message })
    if (name !== `@fapilog/${meta.type}`)
      problem("name", `${show(name)} is not @fapilog/${meta.type}, the package discovery loads for its type`)
    if (!meta.effect.includes(3))
      problem("fapilog.effect", `${show(meta.effect)} does not hold 3: this is the Effect 3 package`)
    if (typeof manifest.description !== "string" || manifest.description.trim() === "")
      problem("description", "is missing: one sentence saying what the plugin does")
    const keywords = Array.isArray(manifest.keywords) ? manifest.keywords.filter(isKeyword) : []

    let effect4: string | undefined
    const effect4File = path.join(dir, "effect4", "package.json")
    if (fs.existsSync(effect4File)) {
      const at = path.relative(repoDir, effect4File)
      const other = readJson(effect4File) as { readonly name?: unknown; readonly fapilog?: unknown }
      const otherField = decode(PackageField, other.fapilog, at, ["fapilog"])
      if (Either.isLeft(otherField)) issues.push(...otherField.left)
      else {
        for (const key of ["kind", "type", "apiVersion"] as const)
          if (otherField.right[key] !== meta[key])
            issues.push({
              file: at,
              path: `fapilog.${key}`,
              message: `${show(otherField.right[key])} is not ${show(meta[key])}, the Effect 3 package's (${file})`
            })
        if (other.name !== `${name}-effect4`)
          issues.push({ file: at, path: "name", message: `${show(other.name)} is not ${name}-effect4` })
        effect4 = String(other.name)
      }
    }

    let config: ReadonlyArray<ConfigField> | undefined
    try {
      const plugin = (await load(dir)) as Partial<Plugin.Plugin> | undefined
      if (plugin === undefined || !Schema.isSchema(plugin.config)) {
        problem(
          "",
          `${path.join("plugins", dirName, "src", "index.ts")} exports no plugin object with a config Schema`
        )
      } else {
        for (const key of ["kind", "type", "apiVersion"] as const)
          if (plugin[key] !== meta[key])
            problem(`fapilog.${key}`, `${show(meta[key])} is not the plugin object's ${show(plugin[key])}`)
        config = withReadme(configFields(plugin.config), path.join(dir, "README.md"))
      }
    } catch (e) {
      problem("", `its source could not be loaded: ${e instanceof Error ? e.message : show(e)}`)
    }

    const packages = { effect3: name, effect4 }
    out.push({
      name,
      origin: "first-party",
      kind: meta.kind,
      type: meta.type,
      version: typeof manifest.version === "string" ? manifest.version : undefined,
      apiVersion: meta.apiVersion,
      description: typeof manifest.description === "string" ? manifest.description : "",
      keywords: keywordsOf(keywords),
      packages,
      install: installOf(packages),
      entry: entryOf(meta.kind, meta.type, config),
      config,
      incompatibility: Plugin.incompatibility(meta.apiVersion),
      links: {
        docs: `${repositoryUrl}/tree/main/plugins/${dirName}#readme`,
        npm: `https://www.npmjs.com/package/${name}`
      }
    })
  }
  return issues.length > 0 ? Either.left(issues) : Either.right(out)
}

/** Config rows with the defaults and meanings the plugin's README gives for its keys. */
const withReadme = (fields: ReadonlyArray<ConfigField>, readme: string): ReadonlyArray<ConfigField> => {
  if (!fs.existsSync(readme)) return fields
  const table = readmeSettings(fs.readFileSync(readme, "utf8"))
  return fields.map((f) => {
    const row = table.get(f.path)
    if (row === undefined) return f
    const defaultText = f.default === undefined ? row.default : `\`${f.default}\``
    const description = f.description ?? row.meaning
    return {
      ...f,
      ...(defaultText === undefined ? {} : { default: defaultText }),
      ...(description === undefined ? {} : { description })
    }
  })
}

/**
 * The third-party plugins of an index (the parsed JSON of `file`), validated: its Schema,
 * then a package name that is `fapilog-plugin-<type>` (what discovery looks for), each name
 * once, and no type a first-party plugin has (discovery would load `@fapilog/<type>` first).
 */
export const thirdParty = (
  index: unknown,
  file: string,
  firstPartyTypes: ReadonlySet<string>
): Either.Either<ReadonlyArray<CatalogPlugin>, ReadonlyArray<MarketplaceIssue>> =>
  Either.flatMap(decode(ThirdPartyIndex, index, file), ({ plugins }) => {
    const issues: Array<MarketplaceIssue> = []
    const seen = new Set<string>()
    plugins.forEach((p, i) => {
      const at = (key: string) => `plugins[${i}].${key}`
      if (p.name !== `fapilog-plugin-${p.type}`)
        issues.push({
          file,
          path: at("name"),
          message: `${show(p.name)} is not fapilog-plugin-${p.type}: discovery finds a plugin of type ${show(p.type)} by that name`
        })
      if (seen.has(p.name))
        issues.push({ file, path: at("name"), message: `${show(p.name)} is listed twice` })
      seen.add(p.name)
      if (firstPartyTypes.has(p.type))
        issues.push({
          file,
          path: at("type"),
          message: `${show(p.type)} is the type of the first-party plugin @fapilog/${p.type}, which discovery loads first`
        })
    })
    if (issues.length > 0) return Either.left(issues)
    return Either.right(
      plugins.map((p): CatalogPlugin => {
        const packages = {
          effect3: p.effect.includes(3) ? p.name : undefined,
          effect4: p.effect.includes(4) ? `${p.name}-effect4` : undefined
        }
        return {
          name: p.name,
          origin: "third-party",
          kind: p.kind,
          type: p.type,
          version: p.version,
          apiVersion: p.apiVersion,
          description: p.description,
          keywords: keywordsOf(p.keywords),
          packages,
          install: installOf(packages),
          entry: entryOf(p.kind, p.type, p.config),
          config: p.config,
          incompatibility: Plugin.incompatibility(p.apiVersion),
          links: { docs: p.homepage ?? p.repository, npm: `https://www.npmjs.com/package/${p.name}` }
        }
      })
    )
  })

/** The index of third-party plugins, relative to the repository. */
export const thirdPartyIndexFile = path.join("docs", "marketplace-third-party.json")

/**
 * The whole catalogue: the first-party plugins, then the third-party ones of `indexFile`,
 * each group sorted by name. Fails with every problem found in both.
 */
export const build = async (
  repoDir: string,
  options: { readonly indexFile?: string | undefined; readonly load?: LoadPlugin | undefined } = {}
): Promise<Catalog> => {
  const indexFile = options.indexFile ?? path.join(repoDir, thirdPartyIndexFile)
  const ours = await firstParty(repoDir, options.load)
  const types = new Set(Either.isRight(ours) ? ours.right.map((p) => p.type) : [])
  const file = path.relative(repoDir, indexFile)
  let index: unknown
  try {
    index = readJson(indexFile)
  } catch (e) {
    const issue = {
      file,
      path: "",
      message: `is not readable JSON: ${e instanceof Error ? e.message : show(e)}`
    }
    throw new MarketplaceError([...(Either.isLeft(ours) ? ours.left : []), issue])
  }
  const theirs = thirdParty(index, file, types)
  const issues = [...(Either.isLeft(ours) ? ours.left : []), ...(Either.isLeft(theirs) ? theirs.left : [])]
  if (issues.length > 0 || Either.isLeft(ours) || Either.isLeft(theirs)) throw new MarketplaceError(issues)
  const byName = (a: CatalogPlugin, b: CatalogPlugin) => a.name.localeCompare(b.name)
  const root = readJson(path.join(repoDir, "package.json")) as { readonly version: string }
  return {
    fapilog: { version: root.version, apiVersion: Plugin.apiVersion },
    kinds,
    plugins: [...[...ours.right].sort(byName), ...[...theirs.right].sort(byName)]
  }
}
