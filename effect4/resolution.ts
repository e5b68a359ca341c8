/**
 * How the Effect 4 line resolves `effect` (one rule, used by the test runner's Vite plugin and
 * by the build's esbuild plugin).
 *
 * - `effect`, `@effect/*`, `vitest` and `@vitest/*` always come from this directory's
 *   node_modules (Effect 4 and its toolchain), whoever imports them: the shared sources in
 *   `../src` would otherwise find the repository's Effect 3.
 * - The shared sources (`../src`, `../layers`, outside `../src/effect4`) still import a few
 *   modules or members that Effect 4 removed or renamed. Until the port moves those call sites
 *   onto the adapter's kernel (docs/effect4-design.md, "The seam"), their `effect/<Module>`
 *   imports resolve to `../src/effect4/overlay/<Module>.ts` when such a file exists: Effect 4's
 *   module plus the Effect 3 names the shared sources use, each written over Effect 4.
 * - A module that is neither in Effect 4 nor in the overlay is an error, never a silent fall
 *   back to the repository's Effect 3.
 * - The modules of the Effect 3 adapter that the shared sources import (the logger bridge,
 *   the body of `Fapilog.layer`, the line's name, the config provider's translation) resolve to
 *   their Effect 4 counterparts in `../src/effect4` ({@link adapterModules}).
 */

import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Plugin as EsbuildPlugin } from "esbuild"

/** This directory (the `fapilog-effect4` package). */
export const packageDir: string = path.dirname(fileURLToPath(import.meta.url))

/** The repository root. */
export const repoDir: string = path.dirname(packageDir)

/** A file in this directory to resolve from, as if it imported the module. */
export const resolveFrom: string = path.join(packageDir, "package.json")

const adapterDir = path.join(repoDir, "src", "effect4") + path.sep
const overlayDir = path.join(adapterDir, "overlay")
const sharedDirs = [path.join(repoDir, "src") + path.sep, path.join(repoDir, "layers") + path.sep]

const pluginsDir = path.join(repoDir, "plugins") + path.sep

/** Whether `importer` is the source of a first-party plugin (`plugins/<name>/src/`), built for both lines. */
export const isPluginSource = (importer: string): boolean =>
  importer.startsWith(pluginsDir) &&
  importer.slice(pluginsDir.length).split(path.sep)[1] === "src" &&
  !importer.includes(`${path.sep}node_modules${path.sep}`)

/** Whether `importer` is a shared source (compiled for both lines), not the Effect 4 adapter. */
const isShared = (importer: string): boolean =>
  (sharedDirs.some((dir) => importer.startsWith(dir)) && !importer.startsWith(adapterDir)) ||
  isPluginSource(importer)

/**
 * Shared module -> its Effect 4 counterpart, for importers outside `../src/effect4` (the
 * counterpart itself may import the shared module it stands in for).
 */
export const adapterModules: ReadonlyMap<string, string> = new Map(
  [
    ["src/internal/effectLogger.ts", "src/effect4/logger.ts"],
    ["src/internal/effectLine.ts", "src/effect4/effectLine.ts"],
    ["src/internal/fapilogLayer.ts", "src/effect4/fapilogLayer.ts"],
    ["src/internal/configProvider.ts", "src/effect4/configProvider.ts"],
    ["src/internal/metricsEffect.ts", "src/effect4/metrics.ts"],
    ["src/internal/sqlEffect.ts", "src/effect4/sql.ts"]
  ].map(([from, to]) => [path.join(repoDir, from as string), path.join(repoDir, to as string)])
)

/** The Effect 4 counterpart of the module a shared source imports as `id` (a relative path), if any. */
export const adapterFor = (id: string, importer: string | undefined): string | undefined => {
  if (importer === undefined || !id.startsWith(".") || !isShared(importer)) return undefined
  const target = path.resolve(path.dirname(importer), id).replace(/\.js$/, ".ts")
  return adapterModules.get(target)
}

/**
 * The package's entries: each subpath of `fapilog-effect4` (its `exports`, built by tsup) and
 * the source it is built from: the same subpaths as the Effect 3 package's. `./browser` (and `.`
 * under the browser conditions) is the browser build's, made by tsup.browser.config.ts.
 */
export const entries: ReadonlyMap<string, string> = new Map(
  [
    [".", "src/effect4/index.ts"],
    ["./http", "src/effect4/Http.ts"],
    ["./express", "src/Express.ts"],
    ["./fastify", "src/Fastify.ts"],
    ["./testing", "src/Testing.ts"],
    ["./sql", "src/Sql.ts"]
  ].map(([subpath, file]) => [subpath as string, path.join(repoDir, file as string)])
)

const testDir = path.join(repoDir, "test") + path.sep

/**
 * The source of a package import the suite resolves to this line's sources: `fapilog-effect4`
 * and its subpaths from anywhere (the Effect 4 examples), and `fapilog` and its subpaths from
 * the tests (the shared test support, written against the Effect 3 package's name, runs against
 * the line under test).
 */
export const entryFor = (id: string, importer: string | undefined): string | undefined => {
  const match = /^(fapilog-effect4|fapilog)(\/[\w-]+)?$/.exec(id)
  if (match === null) return undefined
  if (match[1] === "fapilog" && importer?.startsWith(testDir) !== true) return undefined
  return entries.get(match[2] === undefined ? "." : `.${match[2]}`)
}

/** Whether `id` is one of the packages the Effect 4 line takes from its own node_modules. */
export const isToolchain = (id: string): boolean => /^(effect|@effect\/|vitest|@vitest\/)/.test(id)

/** The overlay module standing in for `id` when `importer` is a shared source, if there is one. */
export const overlayFor = (id: string, importer: string | undefined): string | undefined => {
  if (importer === undefined || !isShared(importer)) return undefined
  const match = /^effect\/(\w+)$/.exec(id)
  if (match === null) return undefined
  const file = path.join(overlayDir, `${match[1]}.ts`)
  return fs.existsSync(file) ? file : undefined
}

/** Whether `importer` is inside an installed package (whose own imports resolve as usual). */
export const isInstalled = (importer: string | undefined): boolean =>
  importer?.includes(`${path.sep}node_modules${path.sep}`) === true

const fromHere = createRequire(resolveFrom)

/**
 * The rule as an esbuild plugin (the build, and the test that reads what the build bundles):
 * adapter and overlay modules are bundled in place of the ones the shared sources name; every
 * other `effect` module is left to the application, and one Effect 4 does not have is an error.
 */
export const esbuildResolution: EsbuildPlugin = {
  name: "fapilog-effect4-resolution",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.importer === "" || isInstalled(args.importer)) return undefined
      const adapter = adapterFor(args.path, args.importer)
      if (adapter !== undefined) return { path: adapter }
      if (!isToolchain(args.path)) return undefined
      const overlay = overlayFor(args.path, args.importer)
      if (overlay !== undefined) return { path: overlay }
      try {
        fromHere.resolve(args.path)
      } catch {
        return {
          errors: [
            {
              text: `${args.path} (imported by ${args.importer}) is not in Effect 4 and has no overlay module`
            }
          ]
        }
      }
      return { path: args.path, external: true }
    })
  }
}

/**
 * The build of a plugin's Effect 4 package (`plugins/<name>/effect4`, plugins/tsup.base.ts):
 * the plugin's one source built against `fapilog-effect4`. Its `fapilog` imports become `fapilog-effect4` imports
 * (the application's copy, never bundled: one fapilog per process); its `effect/<Module>`
 * imports that have an overlay module get it bundled in (a translation of Effect 3 names
 * over the application's Effect 4, holding no state of its own); every other `effect` and
 * `@effect/*` import is left to the application. Unlike the core's build, it does not check
 * that a module exists in Effect 4, so that packing a plugin does not need `effect4/`
 * installed: the Effect 4 suite, which loads every first-party plugin on Effect 4, does.
 */
export const esbuildPluginResolution: EsbuildPlugin = {
  name: "fapilog-plugin-effect4-resolution",
  setup(build) {
    build.onResolve({ filter: /^fapilog(\/.*)?$/ }, (args) =>
      args.path === "fapilog"
        ? { path: "fapilog-effect4", external: true }
        : {
            errors: [
              {
                text: `${args.path} (imported by ${args.importer}): a plugin's source imports fapilog's root only, which its Effect 4 build turns into fapilog-effect4`
              }
            ]
          }
    )
    build.onResolve({ filter: /^(effect|@effect\/)/ }, (args) => {
      if (isInstalled(args.importer)) return undefined
      const overlay = overlayFor(args.path, args.importer)
      return overlay !== undefined ? { path: overlay } : { path: args.path, external: true }
    })
  }
}
