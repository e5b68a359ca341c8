/**
 * Config files (docs/configuration.md#config-files): a YAML or JSON file named by
 * `configFile` or `FAPILOG_CONFIG`, holding the same keys as the settings object. Problems
 * are named after the file: `fapilog.yaml: sinks[1].path`.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import type * as YAML from "yaml"
import { type ValidSettings, validate } from "./schema.js"
import type { Issues } from "./shape.js"

let yaml: typeof YAML | undefined

/**
 * The `yaml` package, loaded the first time a YAML file is read: a program with a JSON
 * config file, or none, never loads it (nor does a bundle that leaves it out).
 */
const loadYaml = (): typeof YAML => {
  yaml ??= createRequire(import.meta.url)("yaml") as typeof YAML
  return yaml
}

/** Reads and checks a settings file; problems are named `file: key`. */
export const fromFile = (file: string, issues: Issues, failed?: Set<string> | undefined): ValidSettings => {
  const at = path.basename(file)
  const json = /\.json$/i.test(file)
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (e) {
    issues.push({ path: `configFile ${file}`, message: `cannot be read: ${(e as Error).message}` })
    return {}
  }
  let parsed: unknown
  try {
    parsed = json ? JSON.parse(text) : loadYaml().parse(text)
  } catch (e) {
    issues.push({
      path: `configFile ${file}`,
      message: `is not valid ${json ? "JSON" : "YAML"}: ${(e as Error).message.split("\n")[0]}`
    })
    return {}
  }
  if (parsed === null || parsed === undefined) return {}
  const settings = validate(parsed, issues, `${at}: `, failed)
  if (settings.configFile !== undefined)
    issues.push({ path: `${at}: configFile`, message: "a config file cannot name another" })
  return settings
}
