/**
 * `fapilog plugins list` and `fapilog plugins new`: the plugins installed for the project in the
 * working directory, and a new plugin package from the scaffolder. See docs/cli.md#fapilog-plugins.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Plugin } from "fapilog"
import effect4Manifest from "../../../../effect4/package.json" with { type: "json" }
import rootManifest from "../../../../package.json" with { type: "json" }
import { problems } from "../internal/failure.js"
import { installedCore, listInstalled } from "../internal/pluginList.js"
import { generate, kinds, summary } from "../internal/scaffold.js"

const json = Options.boolean("json").pipe(Options.withDescription("Print the list as JSON."))

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? []
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

/** `fapilog plugins list`. */
export const list = Command.make("list", { json }, (o) =>
  Effect.gen(function* () {
    const cwd = process.cwd()
    const core = installedCore(cwd)
    const found = listInstalled(cwd)
    if (o.json) yield* Console.log(JSON.stringify({ fapilog: core, plugins: found }, null, 2))
    else {
      const cores = [
        core[3] === undefined ? undefined : `fapilog ${core[3]}`,
        core[4] === undefined ? undefined : `fapilog-effect4 ${core[4]}`
      ].filter((c) => c !== undefined)
      yield* Console.log(
        `${cores.length === 0 ? "fapilog is not installed here" : cores.join(", ")}; plugin API ${Plugin.apiVersion}`
      )
      if (found.length === 0) yield* Console.log("no plugins installed")
      else
        yield* Console.log(
          table([
            ["PACKAGE", "VERSION", "KIND", "TYPE", "API", "EFFECT", "LOADS"],
            ...found.map((p) => [
              p.name,
              p.version,
              p.kind,
              p.type,
              p.apiVersion,
              p.effect.join(","),
              p.problem === undefined ? "yes" : `no: ${p.problem}`
            ])
          ])
        )
    }
    const refused = found.filter((p) => p.problem !== undefined)
    if (refused.length > 0)
      return yield* problems(o.json ? "" : `${refused.length} installed plugin(s) cannot be loaded`)
  })
).pipe(
  Command.withDescription(
    "List the plugin packages installed for the project in the working directory: kind, type, version, plugin API and whether the installed fapilog loads them (exit 1 when one cannot)."
  )
)

const name = Args.text({ name: "name" }).pipe(
  Args.withDescription("The plugin type (kafka), or its package name (fapilog-plugin-kafka, @fapilog/kafka).")
)
const kind = Args.choice(
  kinds.map((k) => [k, k] as const),
  { name: "kind" }
).pipe(Args.withDescription(`What the plugin is: ${kinds.join(", ")}.`))
const dir = Options.directory("dir").pipe(
  Options.withDescription(
    "Where to write the package (default: the package name, in the working directory)."
  ),
  Options.optional
)

/** The fapilog repository holding `cwd`, whose `plugins/` first-party packages go to. */
const repositoryPlugins = (cwd: string): string | undefined => {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: unknown
      }
      if (manifest.name === "fapilog" && fs.existsSync(path.join(dir, "plugins")))
        return path.join(dir, "plugins")
    } catch {
      // no package.json here
    }
    if (path.dirname(dir) === dir) return undefined
  }
}

/** `fapilog plugins new`. */
export const scaffold = Command.make("new", { name, kind, dir }, (o) =>
  Effect.gen(function* () {
    const cwd = process.cwd()
    const out = yield* Effect.try({
      try: () =>
        generate({
          name: o.name,
          kind: o.kind,
          dir: Option.getOrUndefined(o.dir),
          base: cwd,
          pluginsDir: repositoryPlugins(cwd),
          manifests: { root: rootManifest, effect4: effect4Manifest }
        }),
      catch: (e) => problems(`fapilog plugins new: ${(e as Error).message}`)
    })
    yield* Console.log(summary(out, o.kind, cwd))
  })
).pipe(
  Command.withDescription(
    "Write a new plugin package: the plugin, its package.json fapilog field, a build, conformance tests, a README, and its Effect 4 package."
  )
)

/** The `plugins` command. */
export const plugins = Command.make("plugins").pipe(
  Command.withDescription("Installed plugins, and new ones."),
  Command.withSubcommands([list, scaffold])
)
