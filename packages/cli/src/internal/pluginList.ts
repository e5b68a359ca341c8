/**
 * The plugins installed for a project, for `fapilog plugins list`: every package that fapilog's
 * discovery can load by type (`@fapilog/<type>`, `fapilog-plugin-<type>`, each with `-effect4`
 * for the Effect 4 line) in the `node_modules` directories Node would search from the working
 * directory, read from its package.json alone (no plugin code runs), with whether the installed
 * fapilog can load it: its `fapilog.apiVersion` against this fapilog's plugin API, and its
 * `fapilog.effect` lines against the fapilog packages installed.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { Plugin } from "fapilog"

/** One installed plugin package. */
export interface InstalledPlugin {
  readonly name: string
  readonly version: string
  readonly kind: string
  readonly type: string
  readonly apiVersion: string
  /** The Effect lines it is built for. */
  readonly effect: ReadonlyArray<number>
  readonly dir: string
  /** Why the installed fapilog cannot load it; undefined when it can. */
  readonly problem: string | undefined
}

/** The fapilog packages installed for the project, by Effect line. */
export interface InstalledCore {
  readonly 3?: string | undefined
  readonly 4?: string | undefined
}

interface Manifest {
  readonly name?: unknown
  readonly version?: unknown
  readonly fapilog?: unknown
}

const readManifest = (dir: string): Manifest | undefined => {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))
    return typeof parsed === "object" && parsed !== null ? (parsed as Manifest) : undefined
  } catch {
    return undefined
  }
}

/** The `node_modules` directories Node searches from `cwd`, nearest first. */
export const searchDirs = (cwd: string): ReadonlyArray<string> =>
  (createRequire(path.join(cwd, "fapilog-cli.js")).resolve.paths("fapilog") ?? []).filter((d) =>
    fs.existsSync(d)
  )

const PLUGIN_NAME = /^(?:@fapilog\/|fapilog-plugin-)([a-z0-9][a-z0-9._-]*)$/

const candidatesIn = (modules: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  const list = (dir: string) => {
    try {
      return fs.readdirSync(dir)
    } catch {
      return []
    }
  }
  for (const entry of list(modules)) {
    if (entry.startsWith("fapilog-plugin-")) out.push(path.join(modules, entry))
    if (entry === "@fapilog")
      for (const scoped of list(path.join(modules, entry))) out.push(path.join(modules, entry, scoped))
  }
  return out
}

/** The version of fapilog and of fapilog-effect4 that `cwd` resolves, when installed. */
export const installedCore = (cwd: string): InstalledCore => {
  const versionOf = (name: string) => {
    for (const dir of searchDirs(cwd)) {
      const manifest = readManifest(path.join(dir, name))
      if (manifest !== undefined && typeof manifest.version === "string") return manifest.version
    }
    return undefined
  }
  return { 3: versionOf("fapilog"), 4: versionOf("fapilog-effect4") }
}

const show = (u: unknown) => (typeof u === "string" ? u : (JSON.stringify(u) ?? String(u)))

/** Why a package declaring `field` cannot load with the installed fapilog packages. */
const problemOf = (field: Record<string, unknown>, core: InstalledCore): string | undefined => {
  if (typeof field.kind !== "string" || !["sink", "enricher", "processor", "formatter"].includes(field.kind))
    return `its package.json "fapilog".kind is ${show(field.kind)}, not sink, enricher, processor or formatter`
  if (!Plugin.isType(field.type))
    return `its package.json "fapilog".type ${show(field.type)} is not a plugin type`
  const api = Plugin.incompatibility(field.apiVersion)
  if (api !== undefined) return api
  const lines: ReadonlyArray<unknown> = Array.isArray(field.effect) ? field.effect : [3]
  const usable = lines.filter((l) => (l === 3 || l === 4) && core[l] !== undefined)
  if (usable.length === 0) {
    const wanted = lines.map((l) => (l === 4 ? "fapilog-effect4" : "fapilog")).join(" or ")
    return `it is built for Effect ${lines.join(" and ")}: install ${wanted}`
  }
  return undefined
}

/**
 * Every plugin package installed where `cwd` resolves packages, each once (the nearest copy),
 * sorted by name. A package without a `fapilog` field in its package.json is listed with the
 * problem that discovery cannot check it.
 */
export const listInstalled = (cwd: string): ReadonlyArray<InstalledPlugin> => {
  const core = installedCore(cwd)
  const seen = new Map<string, InstalledPlugin>()
  for (const modules of searchDirs(cwd)) {
    for (const dir of candidatesIn(modules)) {
      const manifest = readManifest(dir)
      if (manifest === undefined || typeof manifest.name !== "string") continue
      const name = manifest.name
      if (seen.has(name) || !PLUGIN_NAME.test(name.replace(/-effect4$/, ""))) continue
      // packages of the repository's own tooling share the scope without being plugins
      if (manifest.fapilog === undefined && name.startsWith("@fapilog/")) continue
      const field =
        typeof manifest.fapilog === "object" && manifest.fapilog !== null
          ? (manifest.fapilog as Record<string, unknown>)
          : undefined
      seen.set(name, {
        name,
        version: typeof manifest.version === "string" ? manifest.version : "?",
        kind: typeof field?.kind === "string" ? field.kind : "?",
        type: typeof field?.type === "string" ? field.type : "?",
        apiVersion: typeof field?.apiVersion === "string" ? field.apiVersion : "?",
        effect: Array.isArray(field?.effect)
          ? field.effect.filter((e): e is number => typeof e === "number")
          : [3],
        dir,
        problem:
          field === undefined
            ? 'its package.json has no "fapilog" field { kind, type, apiVersion }'
            : problemOf(field, core)
      })
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name))
}
