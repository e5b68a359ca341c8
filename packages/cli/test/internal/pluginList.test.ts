/**
 * `fapilog plugins list`'s reading of a project: the plugin packages in its node_modules (and
 * those of the directories above it, the nearest copy winning), from their package.json alone,
 * with whether the installed fapilog loads them.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Plugin } from "fapilog"
import { installedCore, listInstalled } from "../../src/internal/pluginList.js"

const scratch = (() => {
  const root = path.resolve(import.meta.dirname, "..", "..", "..", "..", ".tmp")
  fs.mkdirSync(root, { recursive: true })
  return fs.mkdtempSync(path.join(root, "cli-plugins-"))
})()
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

/** Writes `node_modules/<name>/package.json` under `dir`. */
const install = (dir: string, manifest: Readonly<Record<string, unknown>>): void => {
  const at = path.join(dir, "node_modules", manifest.name as string)
  fs.mkdirSync(at, { recursive: true })
  fs.writeFileSync(path.join(at, "package.json"), JSON.stringify(manifest))
}

describe("the installed plugins", () => {
  it("lists each plugin package with its kind, type, version, API and whether it loads", () => {
    const project = path.join(scratch, "app")
    const nested = path.join(project, "services", "api")
    fs.mkdirSync(nested, { recursive: true })
    install(project, { name: "fapilog", version: "0.1.0" })
    install(project, {
      name: "@fapilog/loki",
      version: "0.1.0",
      fapilog: { kind: "sink", type: "loki", apiVersion: Plugin.apiVersion, effect: [3] }
    })
    install(project, {
      name: "fapilog-plugin-future",
      version: "2.0.0",
      fapilog: { kind: "enricher", type: "future", apiVersion: "9.0", effect: [3] }
    })
    install(project, {
      name: "@fapilog/loki-effect4",
      version: "0.1.0",
      fapilog: { kind: "sink", type: "loki", apiVersion: Plugin.apiVersion, effect: [4] }
    })
    install(project, { name: "fapilog-plugin-bare", version: "1.0.0" })
    install(project, { name: "@fapilog/cli", version: "0.1.0" })
    install(project, { name: "left-pad", version: "1.3.0" })
    // the nearest copy wins
    install(nested, {
      name: "@fapilog/loki",
      version: "0.2.0",
      fapilog: { kind: "sink", type: "loki", apiVersion: Plugin.apiVersion, effect: [3] }
    })

    assert.deepStrictEqual(installedCore(nested), { 3: "0.1.0", 4: undefined })
    const found = listInstalled(nested)
    assert.deepStrictEqual(
      found.map((p) => [p.name, p.version, p.kind, p.type, p.apiVersion, p.problem === undefined]),
      [
        ["@fapilog/loki", "0.2.0", "sink", "loki", Plugin.apiVersion, true],
        ["@fapilog/loki-effect4", "0.1.0", "sink", "loki", Plugin.apiVersion, false],
        ["fapilog-plugin-bare", "1.0.0", "?", "?", "?", false],
        ["fapilog-plugin-future", "2.0.0", "enricher", "future", "9.0", false]
      ]
    )
    const problems = Object.fromEntries(found.map((p) => [p.name, p.problem]))
    assert.include(problems["@fapilog/loki-effect4"], "install fapilog-effect4")
    assert.include(problems["fapilog-plugin-bare"], 'no "fapilog" field')
    assert.include(problems["fapilog-plugin-future"], "9.0")
  })

  it("says when a package's fapilog field is not one", () => {
    const project = path.join(scratch, "odd")
    install(project, { name: "fapilog", version: "0.1.0" })
    install(project, {
      name: "fapilog-plugin-a",
      version: "1.0.0",
      fapilog: { kind: "widget", type: "a", apiVersion: "1.0" }
    })
    install(project, {
      name: "fapilog-plugin-b",
      version: "1.0.0",
      fapilog: { kind: "sink", type: "B!", apiVersion: "1.0" }
    })
    fs.mkdirSync(path.join(project, "node_modules", "fapilog-plugin-c"), { recursive: true })
    fs.writeFileSync(path.join(project, "node_modules", "fapilog-plugin-c", "package.json"), "{ not json")
    const found = listInstalled(project)
    assert.deepStrictEqual(
      found.map((p) => p.name),
      ["fapilog-plugin-a", "fapilog-plugin-b"]
    )
    assert.include(found[0]?.problem, "widget")
    assert.include(found[1]?.problem, "not a plugin type")
  })

  it("finds nothing where nothing is installed", () => {
    const empty = path.join(scratch, "empty")
    fs.mkdirSync(empty)
    assert.deepStrictEqual(
      listInstalled(empty).filter((p) => p.dir.startsWith(scratch)),
      []
    )
  })
})
